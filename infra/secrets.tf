# Secrets of the functions (decision 0027), in Secret Manager. Terraform creates each
# secret and grants its readers; it never holds a value: the operator adds the first
# version with gcloud (docs/deploying.md), so no secret is in the state or the repo.
#   rollcall-smtp-password     SMTP_PASSWORD of send_mail (the relay's login)
#   rollcall-mail-link-secret  MAIL_LINK_SECRET: signs the unsubscribe links (send_mail)
#                              and verifies them (scan, GET /mail/unsubscribe)

resource "google_secret_manager_secret" "function" {
  for_each = toset([for s in values(local.function_secrets) : s.secret])

  secret_id = "rollcall-${each.key}"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [time_sleep.apis_enabled]
}

resource "google_secret_manager_secret_iam_member" "function_reads" {
  for_each = merge([
    for env, s in local.function_secrets : {
      for reader in s.readers : "${s.secret}/${reader}" => { secret = s.secret, reader = reader }
    }
  ]...)

  secret_id = google_secret_manager_secret.function[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.reader].member
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # The scan function's URL, known before it exists (Cloud Run's deterministic URL), for
  # the links in emails: a function cannot read its own resource's attributes.
  scan_url = "https://${local.function_names["scan"]}-${data.google_project.this.number}.${var.region}.run.app"
}
