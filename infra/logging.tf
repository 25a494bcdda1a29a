# The access trail (docs/privacy.md, decision 0029): Firestore's Data Access audit logs
# (who read or wrote which documents, through the functions' service accounts or an
# operator's credentials) and Rollcall's own "data taken" lines (who took which export,
# report, document or data request: rollcall.logs.taken), routed into a log bucket that
# keeps them for var.access_log_retention_days.

resource "google_project_iam_audit_config" "firestore" {
  project = var.project_id
  service = "datastore.googleapis.com" # Firestore's audit logs are filed under it

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_logging_project_bucket_config" "access_trail" {
  project        = var.project_id
  location       = var.region
  bucket_id      = "rollcall-access-trail"
  description    = "Who read what: Firestore Data Access audit logs and Rollcall's exports, reports and data requests."
  retention_days = var.access_log_retention_days

  depends_on = [time_sleep.apis_enabled]
}

resource "google_logging_project_sink" "access_trail" {
  name        = "rollcall-access-trail"
  destination = "logging.googleapis.com/${google_logging_project_bucket_config.access_trail.id}"
  filter      = local.access_trail_filter

  unique_writer_identity = true
}

locals {
  # Firestore's audit logs, and the functions' "data taken" lines (trail = access).
  access_trail_filter = join(" OR ", [
    "(logName:\"cloudaudit.googleapis.com\" AND protoPayload.serviceName=\"datastore.googleapis.com\")",
    "jsonPayload.trail=\"access\"",
  ])
}
