# The Pub/Sub topology, read from the one file that also drives the emulator bootstrap
# (emulators/pubsub.py and emulators/scheduler.py via tools/rollcall_ops/topology.py).
# Nothing about topics, subscriptions, retry, dead-letter settings or schedules is
# repeated here.

locals {
  topology           = yamldecode(file("${path.module}/topology.yaml"))
  dead_letter_suffix = local.topology.dead_letter.suffix

  # One entry per push subscription, keyed by its name in topology.yaml, with the
  # effective max_delivery_attempts (topology value unless var.max_delivery_attempts
  # overrides it), the name of its dead-letter topic and pull subscription, and its
  # filter on the message types it takes: `attributes.type = "a" OR ...`, or with
  # `unknown: true`, NOT the types only the others take (rollcall_ops.topology builds
  # the same string for the emulator; tests/infra compares them).
  declared_types = distinct(flatten([for sub in values(local.topology.subscriptions) : sub.types]))
  subscriptions = {
    for name, sub in local.topology.subscriptions : name => merge(sub, {
      max_delivery_attempts = lookup(var.max_delivery_attempts, name, sub.max_delivery_attempts)
      dead_letter           = "${name}${local.dead_letter_suffix}"
      types                 = tolist(sub.types)
      unknown               = lookup(sub, "unknown", false)
      filter = (
        lookup(sub, "unknown", false)
        ? "NOT (${join(" OR ", [for t in sort(setsubtract(local.declared_types, sub.types)) : "attributes.type = \"${t}\""])})"
        : join(" OR ", [for t in sub.types : "attributes.type = \"${t}\""])
      )
    })
  }

  # One Cloud Scheduler job per entry of `schedules:` (scheduler.tf), carrying the exact
  # message the local stand-in publishes (emulators/scheduler.py, via
  # rollcall_ops.topology.Schedule.message): data {"schema":1,"type":<type>} as compact
  # JSON, attributes type and schema (strings). jsonencode sorts keys, which gives that
  # byte string; tests/infra decodes the job's data and compares it byte for byte.
  schedules = {
    for name, s in coalesce(lookup(local.topology, "schedules", null), {}) : name => {
      schedule   = s.schedule
      time_zone  = lookup(s, "time_zone", "Etc/UTC")
      type       = s.type
      data       = jsonencode({ schema = 1, type = s.type })
      attributes = { type = s.type, schema = "1" }
    }
  }

  # The Cloud Run functions, keyed by entry point (functions/main.py). The HTTP
  # ingest `scan` is the only public one; each consumer is named by the `function:` of
  # its subscription and is invoked only by that subscription's authenticated pushes.
  consumers = {
    for name, sub in local.subscriptions : sub.function => name
  }
  functions = merge(
    { scan = { subscription = null, public = true } },
    { for entry_point, sub in local.consumers : entry_point => { subscription = sub, public = false } },
  )

  # Cloud Run service and service-account names allow only [a-z0-9-].
  function_names = { for entry_point in keys(local.functions) : entry_point => replace(entry_point, "_", "-") }

  # Secret environment variables of the functions (secrets.tf): env name -> the secret
  # (rollcall-<secret>) and the entry points that read it.
  function_secrets = {
    SMTP_PASSWORD    = { secret = "smtp-password", readers = ["send_mail"] }
    MAIL_LINK_SECRET = { secret = "mail-link-secret", readers = ["send_mail", "scan"] }
  }

  hosting_site_id = coalesce(var.hosting_site_id, var.project_id)
  hosting_origins = [
    "https://${local.hosting_site_id}.web.app",
    "https://${local.hosting_site_id}.firebaseapp.com",
  ]
  cors_origins = distinct(concat(local.hosting_origins, var.web_origins))

  labels = {
    app        = "rollcall"
    managed-by = "terraform"
  }
}
