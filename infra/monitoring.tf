# Two alerts: a message waiting on any dead-letter subscription (an effect that did not
# happen: somebody must look), and the scan ingest answering 5xx (students cannot
# check in).

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name = "Rollcall: messages on a dead-letter subscription"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "Undelivered messages on ${join(", ", [for s in google_pubsub_subscription.dead_letter : s.name])}"

    condition_threshold {
      filter = join(" AND ", [
        "resource.type = \"pubsub_subscription\"",
        "metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\"",
        "resource.label.subscription_id = one_of(${join(", ", [for s in google_pubsub_subscription.dead_letter : "\"${s.name}\""])})",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "60s"

      # One time series per dead-letter subscription, so the incident names it.
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Rollcall dead letters on $${resource.label.subscription_id}"
    content   = <<-MD
      A consumer failed an event max_delivery_attempts times (or judged it poison) and it
      was dead-lettered: the attendance record, notification or dashboard tally it stands for
      did not happen. Inspect with `rollcall dead-letters list <subscription>`, fix the
      cause, then `rollcall dead-letters replay <subscription> --all` (every effect is
      idempotent, so a replay is safe).
    MD
  }

  notification_channels = var.alert_notification_channels

  depends_on = [time_sleep.apis_enabled]
}

resource "google_monitoring_alert_policy" "ingest_5xx" {
  display_name = "Rollcall: scan ingest 5xx rate"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = "5xx share of ${google_cloudfunctions2_function.function["scan"].name} requests above ${var.ingest_5xx_ratio_threshold * 100}%"

    condition_threshold {
      filter = join(" AND ", [
        "resource.type = \"cloud_run_revision\"",
        "resource.label.service_name = \"${google_cloudfunctions2_function.function["scan"].name}\"",
        "metric.type = \"run.googleapis.com/request_count\"",
        "metric.label.response_code_class = \"5xx\"",
      ])
      denominator_filter = join(" AND ", [
        "resource.type = \"cloud_run_revision\"",
        "resource.label.service_name = \"${google_cloudfunctions2_function.function["scan"].name}\"",
        "metric.type = \"run.googleapis.com/request_count\"",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = var.ingest_5xx_ratio_threshold
      duration        = "300s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Rollcall scan ingest is failing"
    content   = <<-MD
      More than ${var.ingest_5xx_ratio_threshold * 100}% of scan requests answered 5xx for 5 minutes: students cannot
      check in. Look at the function's logs (error code `unavailable` means Pub/Sub or
      Firestore was unreachable), and at instance limits in var.function_settings.scan.
    MD
  }

  notification_channels = var.alert_notification_channels

  depends_on = [time_sleep.apis_enabled]
}
