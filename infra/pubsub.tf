# Topic `scans`, one push subscription per consumer and, for each, a dead-letter topic
# with a pull subscription of the same name, all generated from topology.yaml. These
# are exactly the names the emulator bootstrap creates (tests/infra checks it).

resource "google_pubsub_topic" "scans" {
  name                       = local.topology.topic
  message_retention_duration = local.topology.message_retention

  depends_on = [time_sleep.apis_enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.subscriptions

  name = "${each.key}${local.dead_letter_suffix}"
  # Retention on the topic as well as on the pull subscription, so that messages can be
  # replayed with seek even after someone acked them on the subscription.
  message_retention_duration = local.topology.dead_letter.message_retention

  depends_on = [time_sleep.apis_enabled]
}

# Where dead letters wait for inspection and replay (`rollcall dead-letters ...`).
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.subscriptions

  name                       = "${each.key}${local.dead_letter_suffix}"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = local.topology.dead_letter.ack_deadline_seconds
  message_retention_duration = local.topology.dead_letter.message_retention
  retain_acked_messages      = false

  # A dead-letter subscription is idle most of the time; the default policy would
  # delete it after 31 days without activity. Never expire.
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.subscriptions

  name                 = each.key
  topic                = google_pubsub_topic.scans.id
  ack_deadline_seconds = each.value.ack_deadline_seconds
  # Only the message types its consumer handles (topology.yaml `types`): Cloud Pub/Sub
  # acknowledges the others for it, so they cost no push, no request and no CPU.
  filter = each.value.filter

  push_config {
    # The consumer's Cloud Run URL (not an Eventarc trigger): delivery, retry and
    # dead-lettering stay under this subscription's policy. See docs/decisions/0002.
    push_endpoint = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = each.value.minimum_backoff
    maximum_backoff = each.value.maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  lifecycle {
    precondition {
      condition     = each.value.max_delivery_attempts >= 5 && each.value.max_delivery_attempts <= 100
      error_message = "Subscription ${each.key}: max_delivery_attempts is ${each.value.max_delivery_attempts}; Pub/Sub accepts 5..100 (topology.yaml or var.max_delivery_attempts)."
    }
    precondition {
      condition     = length(each.value.filter) <= 256
      error_message = "Subscription ${each.key}: its filter is over Pub/Sub's 256 bytes; declare fewer types (topology.yaml)."
    }
    precondition {
      condition     = each.value.ack_deadline_seconds >= 10 && each.value.ack_deadline_seconds <= 600
      error_message = "Subscription ${each.key}: ack_deadline_seconds must be within 10..600 (topology.yaml)."
    }
    precondition {
      condition     = length(setsubtract(keys(var.max_delivery_attempts), keys(local.subscriptions))) == 0
      error_message = "var.max_delivery_attempts names subscriptions that topology.yaml does not declare: ${join(", ", setsubtract(keys(var.max_delivery_attempts), keys(local.subscriptions)))}."
    }
  }

  # Without these grants Pub/Sub cannot forward to the dead-letter topic or ack the
  # source message, and dead-lettering silently does nothing.
  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_service_account_iam_member.pubsub_agent_mints_push_tokens,
    google_cloud_run_service_iam_member.push_invokes_consumer,
  ]
}
