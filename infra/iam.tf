# Identities and grants, each as narrow as the service allows:
#   - one runtime service account per function, holding only what that function does;
#   - `rollcall-push`, the identity in the push subscriptions' OIDC tokens, allowed to
#     invoke the consumer functions and nothing else;
#   - the Pub/Sub service agent, allowed to dead-letter;
#   - the Cloud Scheduler service agent publishes the scheduled messages with the role
#     Google grants it when the API is enabled; nothing is granted to it here
#     (scheduler.tf);
#   - `rollcall-build`, which builds the function images;
#   - anyone may invoke the ingest function, which checks Firebase ID tokens itself.

# --- Runtime service accounts ------------------------------------------------------

resource "google_service_account" "function" {
  for_each = local.functions

  account_id   = "rollcall-${local.function_names[each.key]}"
  display_name = "Rollcall function ${each.key}"
  description  = each.value.public ? "Runtime identity of the public scan ingest." : "Runtime identity of the ${each.value.subscription} consumer."

  depends_on = [time_sleep.apis_enabled]
}

# Firestore has no finer predefined role than read/write on the database: every
# function reads sessions and rosters or writes its own effects through the Admin SDK.
resource "google_project_iam_member" "function_datastore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.function[each.key].member
}

# Ingest publishes scan events, to `scans` only.
resource "google_pubsub_topic_iam_member" "ingest_publishes_scans" {
  topic  = google_pubsub_topic.scans.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function["scan"].member
}

# The attendance consumer publishes to `scans` as well: a sweep's session closes, a
# close's one event per student, and the alerts of a student's course figures
# (rollcall.consumers.attendance). On that topic only, never project-wide; the
# other consumers publish nothing but their poison events.
resource "google_pubsub_topic_iam_member" "attendance_publishes_scans" {
  for_each = { for entry_point, sub in local.consumers : entry_point => sub if entry_point == "record_attendance" }

  topic  = google_pubsub_topic.scans.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.key].member
}

# A consumer publishes a poison event straight to its own dead-letter topic (rollcall.
# consumers.delivery.dead_letter), and to no other topic.
resource "google_pubsub_topic_iam_member" "consumer_publishes_own_dead_letter" {
  for_each = local.consumers

  topic  = google_pubsub_topic.dead_letter[each.value].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.key].member
}

# Notify sends FCM messages. The predefined FCM roles also manage topic subscriptions;
# this custom role holds the one permission a send needs.
resource "google_project_iam_custom_role" "fcm_sender" {
  role_id     = "rollcallFcmSender"
  title       = "Rollcall FCM sender"
  description = "Send Firebase Cloud Messaging messages (FCM v1 messages:send) and nothing else."
  permissions = ["cloudmessaging.messages.create"]

  depends_on = [time_sleep.apis_enabled]
}

resource "google_project_iam_member" "notify_sends_fcm" {
  for_each = { for entry_point, sub in local.consumers : entry_point => sub if entry_point == "send_notification" }

  project = var.project_id
  role    = google_project_iam_custom_role.fcm_sender.id
  member  = google_service_account.function[each.key].member
}

# --- Invocation ---------------------------------------------------------------------

resource "google_service_account" "push" {
  account_id   = "rollcall-push"
  display_name = "Rollcall Pub/Sub push"
  description  = "Identity in the OIDC tokens of the push subscriptions; may invoke the consumer functions only."

  depends_on = [time_sleep.apis_enabled]
}

# A Cloud Run function's invoker role lives on its Cloud Run service (same name).
resource "google_cloud_run_service_iam_member" "push_invokes_consumer" {
  for_each = local.consumers

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.push.member
}

# The scan endpoint is called by browsers; it authenticates every request with the
# caller's Firebase ID token (rollcall.http.toolkit), so Cloud Run IAM must let it through.
resource "google_cloud_run_service_iam_member" "public_invokes_ingest" {
  #checkov:skip=CKV_GCP_102:The scan ingest is the one public entry point; it verifies a Firebase ID token on every request.
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function["scan"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Pub/Sub service agent ------------------------------------------------------------

resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [time_sleep.apis_enabled]
}

locals {
  pubsub_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# Forward undeliverable messages to the dead-letter topic...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.subscriptions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

# ...and acknowledge them on the source subscription once forwarded.
resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.subscriptions

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Mint the push OIDC tokens as rollcall-push (needed in projects created before
# 2021-04-08; on this one account only, never project-wide).
resource "google_service_account_iam_member" "pubsub_agent_mints_push_tokens" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# --- Function builds -------------------------------------------------------------------

# Since mid-2024 new projects no longer give the default build identity enough rights;
# a dedicated one, with the roles the Cloud Run functions build docs list.
resource "google_service_account" "build" {
  account_id   = "rollcall-build"
  display_name = "Rollcall function builds"
  description  = "Cloud Build identity that turns the function source into images."

  depends_on = [time_sleep.apis_enabled]
}

resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

# The build reads the source from the buckets Cloud Run functions stages it in
# (gcf-v2-sources-*, gcf-v2-uploads-*), and nothing else in Cloud Storage.
resource "google_project_iam_member" "build_reads_staged_source" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = google_service_account.build.member

  condition {
    title       = "gcf-staging-buckets-only"
    description = "Only the buckets Cloud Run functions creates for staging sources."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-\")"
  }
}

resource "google_storage_bucket_iam_member" "build_reads_source_archive" {
  bucket = google_storage_bucket.function_source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

# IAM grants take effect within about a minute, sometimes more; a function build started
# right after them fails on a first apply. The provider's own example for a custom build
# identity waits 60 s here ("builder permissions need to stabilize").
resource "time_sleep" "build_grants" {
  create_duration = "60s"

  depends_on = [
    time_sleep.apis_enabled,
    google_project_iam_member.build,
    google_project_iam_member.build_reads_staged_source,
    google_storage_bucket_iam_member.build_reads_source_archive,
  ]
}

# The same for the consumers' invoker grants and the Pub/Sub service agent's grants: a
# push (or a dead-lettering) before they are live fails and counts as a delivery attempt.
# Nothing publishes before the schedule's first tick (scheduler.tf waits for this) or a
# student's first scan (after the Hosting deploy, later still). Google says IAM changes
# usually apply within 2 minutes and may take 7.
resource "time_sleep" "delivery_grants" {
  create_duration = "120s"

  depends_on = [
    google_cloud_run_service_iam_member.push_invokes_consumer,
    google_service_account_iam_member.pubsub_agent_mints_push_tokens,
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_pubsub_subscription_iam_member.dead_letter_subscriber,
  ]
}


# The scan function keeps absence requests' documents: it stores one with a valid
# request, streams it to the student and the course's staff, and deletes one whose
# request could not be written. Nothing else may touch the bucket (tests/infra).
resource "google_project_iam_custom_role" "document_keeper" {
  role_id     = "rollcallDocumentKeeper"
  title       = "Rollcall document keeper"
  description = "Create, read and delete objects; no listing, no bucket changes."
  permissions = ["storage.objects.create", "storage.objects.get", "storage.objects.delete"]

  depends_on = [time_sleep.apis_enabled]
}

resource "google_storage_bucket_iam_member" "scan_keeps_documents" {
  bucket = google_storage_bucket.documents.name
  role   = google_project_iam_custom_role.document_keeper.id
  member = google_service_account.function["scan"].member
}
