# Firestore: the database, the indexes declared in firestore.indexes.json and the
# security rules in firestore.rules, the same files the local emulator uses.

locals {
  firestore_indexes = jsondecode(file("${path.module}/../firestore.indexes.json"))

  # Composite indexes, keyed by collection group, scope and fields.
  composite_indexes = {
    for idx in local.firestore_indexes.indexes :
    join("/", concat(
      [idx.collectionGroup, lookup(idx, "queryScope", "COLLECTION")],
      [for f in idx.fields : "${f.fieldPath}:${lookup(f, "order", lookup(f, "arrayConfig", ""))}"],
    )) => idx
  }

  # Single-field index overrides, keyed by collection group and field. An override
  # with "ttl": true is a TTL policy: Firestore deletes each document of the group at
  # its expire_at (rollcall.core.retention; docs/privacy.md), not indexed.
  field_overrides = {
    for o in lookup(local.firestore_indexes, "fieldOverrides", []) :
    "${o.collectionGroup}/${o.fieldPath}" => o
  }
}

resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = coalesce(var.firestore_location, var.region)
  type        = "FIRESTORE_NATIVE"

  concurrency_mode                  = "PESSIMISTIC"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.firestore_delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "DELETE"

  depends_on = [time_sleep.apis_enabled]
}

resource "google_firestore_index" "composite" {
  for_each = local.composite_indexes

  database    = google_firestore_database.default.name
  collection  = each.value.collectionGroup
  query_scope = lookup(each.value, "queryScope", "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = lookup(fields.value, "order", null)
      array_config = lookup(fields.value, "arrayConfig", null)
    }
  }
}

resource "google_firestore_field" "override" {
  for_each = local.field_overrides

  database   = google_firestore_database.default.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  index_config {
    dynamic "indexes" {
      for_each = lookup(each.value, "indexes", [])
      content {
        order        = lookup(indexes.value, "order", null)
        array_config = lookup(indexes.value, "arrayConfig", null)
        query_scope  = lookup(indexes.value, "queryScope", "COLLECTION")
      }
    }
  }

  dynamic "ttl_config" {
    for_each = lookup(each.value, "ttl", false) ? [1] : []
    content {}
  }
}

resource "google_firebaserules_ruleset" "firestore" {
  provider = google-beta

  project = var.project_id
  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/../firestore.rules")
    }
  }

  depends_on = [google_firestore_database.default, google_firebase_project.this]
}

resource "google_firebaserules_release" "firestore" {
  provider = google-beta

  project      = var.project_id
  name         = "cloud.firestore" # the release name Firestore serves its rules from
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"

  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}
