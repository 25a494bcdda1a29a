# The APIs the system needs. They stay enabled on destroy: other things in the project
# may use them, and disabling an API deletes its resources behind Terraform's back.

locals {
  services = toset([
    "artifactregistry.googleapis.com",      # images built from the function source
    "cloudbuild.googleapis.com",            # builds the function source into images
    "cloudfunctions.googleapis.com",        # Cloud Run functions (2nd gen)
    "cloudresourcemanager.googleapis.com",  # project IAM
    "cloudscheduler.googleapis.com",        # the sweep schedule (scheduler.tf)
    "fcm.googleapis.com",                   # FCM v1 send (notify)
    "fcmregistrations.googleapis.com",      # web push: the page's FCM registration token
    "firebase.googleapis.com",              # Firebase project, web app
    "firebasehosting.googleapis.com",       # Hosting site
    "firebaseinstallations.googleapis.com", # web push: the page's Firebase installation
    "firebaserules.googleapis.com",         # Firestore security rules
    "firestore.googleapis.com",             # database and indexes
    "iam.googleapis.com",                   # service accounts, custom role
    "iamcredentials.googleapis.com",        # OIDC tokens for push
    "identitytoolkit.googleapis.com",       # Firebase Authentication
    "logging.googleapis.com",               # function logs
    "monitoring.googleapis.com",            # alert policies
    "pubsub.googleapis.com",                # scans, subscriptions, dead letters
    "run.googleapis.com",                   # the functions' Cloud Run services
    "secretmanager.googleapis.com",         # the Google sign-in client secret (optional)
    "serviceusage.googleapis.com",          # this list
    "storage.googleapis.com",               # function source bucket
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# Enabling an API returns before every Google service sees it enabled, and the provider
# does not retry a "has not been used in project ... or it is disabled" error. Whatever
# needs an API depends on this pause, not on google_project_service directly (Google's
# own examples wait 60 s; a fresh project has shown slower). A newly listed API replaces
# the pause, so the next apply waits again before using it.
resource "time_sleep" "apis_enabled" {
  create_duration = "90s"

  triggers = {
    services = join(",", sort(tolist(local.services)))
  }

  depends_on = [google_project_service.enabled]
}
