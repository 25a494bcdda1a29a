# Firebase on the project: the Firebase project itself, the web app (its config is
# served to the page at /__/firebase/init.json), the Hosting site the web app is
# deployed to (cloudbuild.yaml, step deploy-hosting) and Firebase Authentication, whose
# ID tokens the scan ingest verifies.

resource "google_firebase_project" "this" {
  provider = google-beta

  project = var.project_id

  depends_on = [time_sleep.apis_enabled]
}

resource "google_firebase_web_app" "web" {
  provider = google-beta

  project         = var.project_id
  display_name    = "Rollcall"
  deletion_policy = "DELETE"

  depends_on = [google_firebase_project.this]
}

resource "google_firebase_hosting_site" "web" {
  provider = google-beta

  project = var.project_id
  site_id = local.hosting_site_id
  app_id  = google_firebase_web_app.web.app_id
}

# Email/password sign-in for students and teachers (Google too, below, when configured);
# tokens are accepted only from the app's own domains.
resource "google_identity_platform_config" "auth" {
  project = var.project_id

  authorized_domains = distinct(concat(
    ["localhost"],
    [for o in local.cors_origins : regex("^https://([^:/]+)", o)[0]],
  ))

  sign_in {
    allow_duplicate_emails = false

    email {
      enabled           = true
      password_required = true
    }
  }

  depends_on = [time_sleep.apis_enabled, google_firebase_project.this]
}

# "Continue with Google" (web/src/auth-ui.js), when var.sign_in_with_google names an OAuth
# web client. Its secret stays in Secret Manager: Terraform reads it at apply time (so
# it is in the state, like every credential the provider handles; the state bucket is
# private) and it never appears in the repo or in a build log.
data "google_secret_manager_secret_version" "google_sign_in" {
  count = var.sign_in_with_google == null ? 0 : 1

  project = var.project_id
  secret  = var.sign_in_with_google.client_secret_secret

  depends_on = [time_sleep.apis_enabled]
}

resource "google_identity_platform_default_supported_idp_config" "google" {
  count = var.sign_in_with_google == null ? 0 : 1

  project       = var.project_id
  idp_id        = "google.com"
  enabled       = true
  client_id     = var.sign_in_with_google.client_id
  client_secret = data.google_secret_manager_secret_version.google_sign_in[0].secret_data

  depends_on = [google_identity_platform_config.auth]
}

# The web app reads its runtime configuration from /rollcall-config.json (decision 0003);
# cloudbuild.yaml writes it into web/dist from the output web_runtime_config.
data "google_firebase_web_app_config" "web" {
  provider = google-beta

  project    = var.project_id
  web_app_id = google_firebase_web_app.web.app_id
}
