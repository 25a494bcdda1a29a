# The function source: build/functions.zip (functions/: main.py, the rollcall package
# with its data files, requirements.txt), zipped by `make package` and uploaded under a
# content-addressed name, so a change of source makes a new object and a new deployment
# of all five functions, and nothing else does (the archive is reproducible).

locals {
  # Written by `make package` (tools/rollcall_ops/package.py, which defines what goes in);
  # cloudbuild.yaml's package step runs before plan. Terraform uploads this very file.
  function_archive = "${path.module}/../build/functions.zip"
}

resource "google_storage_bucket" "function_source" {
  name     = "${var.project_id}-rollcall-functions-source"
  location = var.region

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # holds build inputs only; `destroy` must not stall on them

  versioning {
    enabled = true
  }

  # Old archives are worth keeping only for a rollback or two.
  lifecycle_rule {
    condition {
      num_newer_versions = 5
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [time_sleep.apis_enabled]
}

resource "google_storage_bucket_object" "function_source" {
  name   = "functions-${filemd5(local.function_archive)}.zip"
  bucket = google_storage_bucket.function_source.name
  source = local.function_archive
}

# Absence requests' documents (medical certificates, leave letters): private objects
# that no client reaches. Only the scan function's identity may create, read and delete
# them (iam.tf, scan_keeps_documents); students and staff get a document through
# GET /requests/{id}/document, which checks who they are (docs/decisions/0023).
resource "google_storage_bucket" "documents" {
  #checkov:skip=CKV_GCP_62:Access logs of a bucket only the scan function touches add nothing the function's own log line per read ("absence document read") does not say.
  #checkov:skip=CKV_GCP_78:Versioning off on purpose: a refused request's object is deleted for good, and a request's document is written once.
  name     = "${var.project_id}-rollcall-documents"
  location = var.region

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = false
  }

  # A document goes at the age its request's record expires (rollcall.core.retention:
  # filed + retention_days.requests; the object is written at filing): decision 0029.
  lifecycle_rule {
    condition {
      age = var.retention_days.requests
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [time_sleep.apis_enabled]
}
