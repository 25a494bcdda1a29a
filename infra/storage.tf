# The function source: build/functions.zip (functions/: main.py, the rollcall package
# with its data files, requirements.txt), zipped by `make package` and uploaded under a
# content-addressed name, so a change of source makes a new object and a new deployment
# of all four functions, and nothing else does (the archive is reproducible).

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
