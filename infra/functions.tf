# The five Cloud Run functions (2nd gen), all built from the one source archive:
#   scan               HTTP ingest, public (it verifies Firebase ID tokens itself)
#   record_attendance  \
#   send_notification   \ consumers, invoked only by their push subscription (OIDC)
#   update_dashboard    /
#   send_mail          /
# Consumers have no event_trigger: their push subscriptions (pubsub.tf) deliver to the
# Cloud Run URL directly, so retry and dead-letter policy are ours (docs/decisions/0002).

resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:Only the scan ingest has ALLOW_ALL ingress (browsers call it); consumers get var.consumer_ingress, internal by default (asserted in tests/infra).
  for_each = local.functions

  name        = local.function_names[each.key]
  location    = var.region
  description = each.value.public ? "Rollcall scan ingest (HTTP)" : "Rollcall consumer of subscription ${each.value.subscription}"

  build_config {
    runtime         = var.runtime
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    available_memory                 = var.function_settings[each.key].memory
    available_cpu                    = var.function_settings[each.key].cpu
    max_instance_request_concurrency = var.function_settings[each.key].concurrency
    min_instance_count               = var.function_settings[each.key].min_instances
    max_instance_count               = var.function_settings[each.key].max_instances
    timeout_seconds                  = var.function_settings[each.key].timeout_seconds

    service_account_email          = google_service_account.function[each.key].email
    ingress_settings               = each.value.public ? "ALLOW_ALL" : var.consumer_ingress
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT   = var.project_id
      SCAN_TOPIC             = google_pubsub_topic.scans.name
      DEAD_LETTER_SUFFIX     = local.dead_letter_suffix
      CORS_ORIGINS           = join(",", local.cors_origins)
      MAX_BODY_BYTES         = tostring(var.app_settings.max_body_bytes)
      SESSION_CACHE_SECONDS  = tostring(var.app_settings.session_cache_seconds)
      ROSTER_CACHE_SECONDS   = tostring(var.app_settings.roster_cache_seconds)
      PUBLISH_MAX_LATENCY_MS = tostring(var.app_settings.publish_max_latency_ms)
      TALLY_SHARDS           = tostring(var.app_settings.tally_shards)
      TIME_ZONE              = var.time_zone
      DOCUMENTS_BUCKET       = google_storage_bucket.documents.name
      INSTITUTION_NAME       = var.institution_name
      # Email (decision 0027): an empty SMTP_HOST (var.smtp null) sends none.
      SMTP_HOST      = try(var.smtp.host, "")
      SMTP_PORT      = tostring(try(var.smtp.port, 587))
      SMTP_USER      = try(var.smtp.user, "")
      MAIL_FROM      = try(var.smtp.mail_from, "")
      MAIL_LINK_BASE = local.scan_url
      # What expires, and when (rollcall.core.retention; the TTL policies in firestore.tf).
      RETENTION_DEVICE_DAYS    = tostring(var.retention_days.devices)
      RETENTION_REJECTION_DAYS = tostring(var.retention_days.rejections)
      RETENTION_INBOX_DAYS     = tostring(var.retention_days.inbox)
      RETENTION_REQUEST_DAYS   = tostring(var.retention_days.requests)
      RETENTION_MAIL_DAYS      = tostring(var.retention_days.mail)
      # functions-framework's gunicorn threads (its default is 4 per vCPU): one per
      # request the instance may be sent at once, so none queues inside the instance.
      THREADS = tostring(var.function_settings[each.key].concurrency)
    }

    # Secrets as environment variables, read from Secret Manager when an instance
    # starts (secrets.tf): only the functions that use each one get it, and only once
    # var.smtp is set: a revision naming a secret without a version fails to deploy, so
    # the operator adds the versions first (docs/deploying.md#email-secrets).
    dynamic "secret_environment_variables" {
      for_each = { for env, s in local.function_secrets : env => s if var.smtp != null && contains(s.readers, each.key) }
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.function[secret_environment_variables.value.secret].secret_id
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.function_settings), each.key)
      error_message = "var.function_settings has no entry for function ${each.key}."
    }
  }

  # The build identity's grants must be in force before the first build starts (iam.tf,
  # time_sleep.build_grants), or the first apply fails with a build permission error.
  depends_on = [time_sleep.build_grants, google_secret_manager_secret_iam_member.function_reads]
}
