# The function source: functions/ (main.py, the rollcall package, requirements.txt)
# zipped once and uploaded under a content-addressed name, so a change of source makes a
# new object and a new deployment of all four functions, and nothing else does.

data "archive_file" "functions" {
  type        = "zip"
  source_dir  = "${path.module}/../functions"
  output_path = "${path.module}/.terraform/build/functions-source.zip" # .terraform/ is git-ignored
  excludes = [
    "**/__pycache__/**",
    "**/*.pyc",
    ".pytest_cache/**",
  ]
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

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket_object" "function_source" {
  name   = "functions-${data.archive_file.functions.output_md5}.zip"
  bucket = google_storage_bucket.function_source.name
  source = data.archive_file.functions.output_path
}
