# Cloud Scheduler: one job per entry of `schedules:` in topology.yaml, publishing that
# schedule's message to topic `scans` on its cron (docs/decisions/0011). The `sweep`
# job is how sessions close at their end time and absences get marked: the attendance
# consumer closes every session past its end; the other consumers acknowledge the type
# as not theirs. Locally emulators/scheduler.py publishes the same message (tests/infra
# checks that both send the bytes of rollcall_ops.topology.Schedule.message).
#
# A Pub/Sub target, not an HTTP target with OIDC: no new endpoint, no invoker grant, no
# token identity. The job publishes as the Cloud Scheduler service agent
# (service-<number>@gcp-sa-cloudscheduler.iam.gserviceaccount.com), whose
# roles/cloudscheduler.serviceAgent, granted by Google when the API is enabled, holds
# pubsub.topics.publish; so no grant of ours is needed (and none is made).

resource "google_cloud_scheduler_job" "schedule" {
  for_each = local.schedules

  name        = each.key
  region      = var.region
  description = "Rollcall: publish a ${each.value.type} message to ${google_pubsub_topic.scans.name} (topology.yaml schedules.${each.key})."
  schedule    = each.value.schedule
  time_zone   = each.value.time_zone

  # No attempt_deadline: Pub/Sub targets ignore it (and setting it makes a permanent
  # diff). An attempt succeeds once Pub/Sub has accepted the message; delivery to the
  # consumers is then the subscriptions' business (retry, dead letters).
  pubsub_target {
    topic_name = google_pubsub_topic.scans.id
    data       = base64encode(each.value.data)
    attributes = each.value.attributes
  }

  # A failed publish (Pub/Sub briefly unavailable) is retried after 5, 10 and 20 s, all
  # within the minute before the next tick; after that the next tick sweeps anyway (the
  # sweep is idempotent and catches up on everything past its end), so retrying longer
  # would only stack sweeps.
  retry_config {
    retry_count          = 3
    min_backoff_duration = "5s"
    max_backoff_duration = "20s"
    max_doublings        = 2
  }

  lifecycle {
    precondition {
      condition     = can(regex("^\\S+( +\\S+){4}$", trimspace(each.value.schedule)))
      error_message = "Schedule ${each.key}: schedule must be a five-field cron expression (topology.yaml), not \"${each.value.schedule}\"."
    }
    # The digest's week is the institution's (decision 0027): its job runs in the same
    # time zone as the functions' TIME_ZONE, or Monday 07:00 would fall on another day.
    precondition {
      condition     = each.value.type != "digest" || each.value.time_zone == var.time_zone
      error_message = "Schedule ${each.key}: a digest's time_zone (topology.yaml) must be var.time_zone (${var.time_zone}), not ${each.value.time_zone}."
    }
  }

  # The first tick must not reach a consumer before its invoker grant is live: it would
  # be dead-lettered and fire the dead-letter alert on day one (iam.tf).
  depends_on = [time_sleep.apis_enabled, time_sleep.delivery_grants, google_pubsub_subscription.push]
}
