output "scan_url" {
  description = "The scan endpoint (POST, Firebase ID token): the web app's scan page calls it."
  value       = google_cloudfunctions2_function.function["scan"].service_config[0].uri
}

output "web_url" {
  description = "The web app on Firebase Hosting."
  value       = google_firebase_hosting_site.web.default_url
}

output "dashboard_url" {
  description = "The teacher dashboard (served by the web app on Firebase Hosting)."
  value       = google_firebase_hosting_site.web.default_url
}

output "hosting_site_id" {
  description = "Firebase Hosting site the web app is deployed to (firebase deploy --only hosting)."
  value       = google_firebase_hosting_site.web.site_id
}

output "dead_letter_subscriptions" {
  description = "Pull subscription of each consumer's dead-letter topic, keyed by consumer subscription: inspect and replay from these."
  value       = { for name, sub in google_pubsub_subscription.dead_letter : name => sub.id }
}

output "push_subscriptions" {
  description = "Push subscription and its endpoint, per consumer."
  value = {
    for name, sub in google_pubsub_subscription.push : name => {
      id       = sub.id
      endpoint = sub.push_config[0].push_endpoint
    }
  }
}

output "scheduler_jobs" {
  description = "Cloud Scheduler job of each topology.yaml schedule (they publish to topic scans); `gcloud scheduler jobs run` on one forces a tick."
  value       = { for name, job in google_cloud_scheduler_job.schedule : name => job.id }
}

output "function_service_accounts" {
  description = "Runtime service account of each function."
  value       = { for k, sa in google_service_account.function : k => sa.email }
}

output "function_source_bucket" {
  description = "Bucket holding the function source archives."
  value       = google_storage_bucket.function_source.name
}

output "web_runtime_config" {
  description = "The web app's runtime configuration, written to web/dist/rollcall-config.json at deploy time."
  # The web API key is not a secret (it identifies the project to Firebase), but the
  # provider may mark it sensitive; `terraform output -raw` prints it either way.
  sensitive = true
  value = jsonencode({
    firebase = {
      apiKey            = data.google_firebase_web_app_config.web.api_key
      authDomain        = data.google_firebase_web_app_config.web.auth_domain
      projectId         = var.project_id
      appId             = google_firebase_web_app.web.app_id
      messagingSenderId = data.google_firebase_web_app_config.web.messaging_sender_id
    }
    scanUrl   = google_cloudfunctions2_function.function["scan"].service_config[0].uri
    emulators = null
    # The student page's notifications (decision 0010) and "Continue with Google".
    messaging = var.web_push_vapid_key == "" ? null : { vapidKey = var.web_push_vapid_key }
    signIn    = { google = var.sign_in_with_google != null }
  })
}
