"""Retention and the access trail in Terraform (docs/privacy.md, decision 0029): a TTL
policy on ``expire_at`` for every collection group the functions set it on, the periods
as validated variables handed to the functions, the documents bucket's lifecycle rule,
Firestore's Data Access audit logs, and the log bucket and sink that keep them with the
functions' "data taken" lines."""

from __future__ import annotations

import pytest
from infra_model import TerraformError, block

from rollcall import logs
from rollcall.core import retention

DEFAULTS = {"devices": 7, "rejections": 30, "inbox": 30, "requests": 365, "mail": 90}


def test_every_expiring_collection_group_has_a_ttl_policy_on_expire_at(tf_eval, hcl):
    overrides = tf_eval("local.field_overrides")
    ttl = {k for k, o in overrides.items() if o.get("ttl")}
    assert ttl == {f"{group}/{retention.FIELD}" for group in retention.EXPIRING}
    for key in ttl:
        assert overrides[key]["indexes"] == [], f"{key}: a TTL timestamp need not be indexed"
    field = hcl.resource("google_firestore_field", "override").body
    (ttl_block,) = field["dynamic"]
    assert "ttl_config" in ttl_block
    assert 'lookup(each.value, "ttl", false)' in ttl_block["ttl_config"]["for_each"]


def test_the_periods_are_variables_with_reasoned_defaults(tf_eval, hcl):
    assert tf_eval("var.retention_days") == DEFAULTS
    assert set(DEFAULTS) == set(retention.EXPIRING)
    env = block(hcl.resource("google_cloudfunctions2_function", "function").body, "service_config")[
        "environment_variables"
    ]
    for group, name in retention.EXPIRING.items():
        assert env[name] == f"${{tostring(var.retention_days.{group})}}", name
    assert tf_eval("var.access_log_retention_days") == 365


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("retention_days", {"devices": 0}),
        ("retention_days", {"inbox": 1.5}),
        ("retention_days", {"requests": 4000}),
        ("retention_days", {"devices": 40, "rejections": 30}),
        ("access_log_retention_days", 0),
        ("access_log_retention_days", 3651),
    ],
)
def test_bad_periods_are_refused(tf_eval, variable, value):
    with pytest.raises(TerraformError, match="Invalid value for variable"):
        tf_eval(f"var.{variable}", **{variable: value})


def test_a_longer_period_is_accepted(tf_eval):
    wanted = {**DEFAULTS, "requests": 730, "inbox": 60}
    assert tf_eval("var.retention_days", retention_days={"requests": 730, "inbox": 60}) == wanted


def test_documents_go_when_their_requests_expire(hcl):
    bucket = hcl.resource("google_storage_bucket", "documents").body
    rule = block(bucket, "lifecycle_rule")
    assert block(rule, "condition") == {"age": "${var.retention_days.requests}"}
    assert block(rule, "action") == {"type": "Delete"}


def test_firestore_data_access_is_audited(hcl):
    audit = hcl.resource("google_project_iam_audit_config", "firestore").body
    assert audit["service"] == "datastore.googleapis.com"
    assert {c["log_type"] for c in audit["audit_log_config"]} == {"DATA_READ", "DATA_WRITE"}


def test_the_access_trail_is_kept_in_its_own_log_bucket(hcl, tf_eval):
    bucket = hcl.resource("google_logging_project_bucket_config", "access_trail").body
    assert bucket["retention_days"] == "${var.access_log_retention_days}"
    sink = hcl.resource("google_logging_project_sink", "access_trail").body
    assert sink["destination"] == (
        "logging.googleapis.com/${google_logging_project_bucket_config.access_trail.id}"
    )
    assert sink["filter"] == "${local.access_trail_filter}"
    text = tf_eval("local.access_trail_filter")
    assert 'protoPayload.serviceName="datastore.googleapis.com"' in text
    assert 'logName:"cloudaudit.googleapis.com"' in text
    # The functions' own lines: rollcall.logs.taken writes the field the filter picks.
    assert f'jsonPayload.trail="{logs.TRAIL}"' in text
