# Versions of Terraform and of the providers, bounded above so that a new major release
# (which may change resource schemas) is adopted on purpose, not by accident.
#
# State lives in a GCS bucket given at init time (cloudbuild.yaml, step "init"):
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=rollcall"
#
# The provider lock file (.terraform.lock.hcl) cannot be made on the development
# machines (no provider downloads): the first Cloud Build run writes it and stores it as
# a build artifact; commit it from there (docs/deploying.md, "The provider lock file").

terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50.0, < 7.0.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.50.0, < 7.0.0"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.12.0, < 1.0.0" # time_sleep: waits for API enablement and IAM grants
    }
  }

  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  # Firebase and Identity Toolkit APIs bill and meter against a quota project; make it
  # the target project rather than whatever the caller's credentials default to.
  user_project_override = true
  billing_project       = var.project_id

  default_labels = local.labels
}

provider "google-beta" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}
