# Versions of Terraform and of the providers, bounded above so that a new major release
# (which may change resource schemas) is adopted on purpose, not by accident.
#
# State lives in a GCS bucket given at init time (cloudbuild.yaml, step "init"):
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=rollcall"

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
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.5.0, < 3.0.0" # 2.5 brought glob patterns in archive_file excludes
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
