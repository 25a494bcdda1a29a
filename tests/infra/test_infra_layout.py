"""Shape of the Terraform module: formatting, files by concern, bounded versions, typed
and validated inputs, the outputs operators need, functions, data and alerts."""

from __future__ import annotations

import ast
import json
import re
import subprocess

import pytest
from infra_model import INFRA, ROOT, TerraformError, block, tf_template

CONCERNS = {
    "versions.tf",
    "variables.tf",
    "outputs.tf",
    "locals.tf",
    "apis.tf",
    "pubsub.tf",
    "iam.tf",
    "functions.tf",
    "storage.tf",
    "firestore.tf",
    "hosting.tf",
    "monitoring.tf",
    "scheduler.tf",
}


def test_terraform_files_are_formatted(terraform, tf_env):
    proc = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(INFRA)],
        capture_output=True,
        text=True,
        env=tf_env,
        timeout=60,
    )
    assert proc.returncode == 0, f"run `terraform fmt -recursive infra`:\n{proc.stdout}"


def test_files_are_split_by_concern():
    assert {p.name for p in INFRA.glob("*.tf")} >= CONCERNS


def test_terraform_and_provider_versions_are_bounded(hcl):
    (settings,) = hcl.files["versions.tf"]["terraform"]
    assert re.fullmatch(r">= [0-9.]+, < [0-9.]+", settings["required_version"])

    (providers,) = settings["required_providers"]
    assert {"google", "google-beta", "time"} <= set(providers)
    for name, spec in providers.items():
        assert spec["source"].startswith("hashicorp/"), name
        assert re.fullmatch(r">= [0-9.]+, < [0-9.]+", spec["version"]), (name, spec["version"])


def test_every_variable_is_typed_and_described(hcl):
    for name, var in hcl.variables.items():
        assert var.get("type"), f"variable {name} has no type"
        assert len(var.get("description", "")) > 20, f"variable {name} has no description"


@pytest.mark.parametrize(
    "name",
    [
        "project_id",
        "region",
        "max_delivery_attempts",
        "function_settings",
        "web_origins",
        "sign_in_with_google",
        "web_push_vapid_key",
    ],
)
def test_key_variables_are_validated(hcl, name):
    validations = hcl.variables[name].get("validation", [])
    assert validations
    assert all(v.get("condition") and v.get("error_message") for v in validations)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("project_id", "Rollcall_Prod"),
        ("project_id", "demo-rollcall"),
        ("region", "europe-west1-b"),
        ("web_origins", ["http://rollcall.example.edu"]),
        ("web_origins", ["https://rollcall.example.edu/"]),
        ("sign_in_with_google", {"client_id": "my-app", "client_secret_secret": "google-oauth"}),
        (
            "sign_in_with_google",
            {"client_id": "123-abc.apps.googleusercontent.com", "client_secret_secret": "a/b"},
        ),
        ("web_push_vapid_key", "not-a-key"),
        (
            "function_settings",
            {
                "scan": {
                    "memory": "512Mi",
                    "cpu": "0.5",
                    "concurrency": 80,
                    "min_instances": 1,
                    "max_instances": 10,
                    "timeout_seconds": 30,
                }
            },
        ),
        (
            "function_settings",
            {
                "scan": {
                    "memory": "512Mi",
                    "cpu": "1",
                    "concurrency": 80,
                    "min_instances": 3,
                    "max_instances": 2,
                    "timeout_seconds": 30,
                }
            },
        ),
    ],
)
def test_invalid_inputs_are_rejected(tf_eval, variable, value):
    with pytest.raises(TerraformError, match="Invalid value for variable"):
        tf_eval(f"var.{variable}", **{variable: value})


def test_function_settings_cover_every_function_with_reasoned_defaults(tf_eval):
    settings = tf_eval("var.function_settings")
    functions = tf_eval("local.functions")

    assert set(settings) == set(functions)
    assert settings["scan"]["min_instances"] >= 1, "a warm ingest for the first scans at 9:00"
    for name, fn in functions.items():
        if not fn["public"]:
            assert settings[name]["min_instances"] == 0, f"{name} should scale to zero"


def test_each_function_serves_as_many_threads_as_requests_it_is_sent(tf_eval, hcl):
    """THREADS = concurrency in Cloud, and the local stack runs the same numbers."""
    from emulators import stack
    from rollcall_ops import topology

    settings = tf_eval("var.function_settings")
    env = block(hcl.resource("google_cloudfunctions2_function", "function").body, "service_config")[
        "environment_variables"
    ]
    assert env["THREADS"] == "${tostring(var.function_settings[each.key].concurrency)}"
    entry_points = {"scan": "scan"} | {s.name: s.function for s in topology.load().subscriptions}
    local = {name: settings[entry]["concurrency"] for name, entry in entry_points.items()}
    assert local == stack.THREADS
    assert stack._server_env("scan") == {"THREADS": "80"}


def test_reasons_are_written_next_to_the_function_defaults():
    text = (INFRA / "variables.tf").read_text()
    start = text.index('variable "function_settings"')
    defaults = text[start : text.index("validation {", start)]
    for entry_point in ("scan", "record_attendance", "send_notification", "update_dashboard"):
        before = defaults[: defaults.index(f"    {entry_point} = {{")].rstrip().splitlines()
        assert before[-1].lstrip().startswith("#"), f"no reason above the {entry_point} defaults"


def test_outputs_for_operators(hcl):
    outputs = hcl.outputs
    for name in ("scan_url", "dashboard_url", "dead_letter_subscriptions"):
        assert outputs[name].get("description"), name
    assert "google_pubsub_subscription.dead_letter" in outputs["dead_letter_subscriptions"]["value"]
    assert "service_config[0].uri" in outputs["scan_url"]["value"]


def _entry_points() -> set[str]:
    tree = ast.parse((ROOT / "functions" / "main.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(
            ast.unparse(d) in ("functions_framework.http", "functions_framework.cloud_event")
            for d in node.decorator_list
        )
    }


def test_the_four_functions_are_the_entry_points_of_main(hcl, tf_eval):
    function = hcl.resource("google_cloudfunctions2_function", "function")
    build = block(function.body, "build_config")

    assert set(tf_eval(tf_template(function.body["for_each"]))) == _entry_points()
    assert build["entry_point"] == "${each.key}"
    assert "event_trigger" not in function.body, (
        "consumers are reached by our own push subscriptions"
    )


def test_functions_are_built_from_the_archive_make_package_writes(hcl):
    """One definition of the file set (rollcall_ops.package): Terraform uploads
    build/functions.zip itself, named by its MD5, and builds nothing of its own."""
    assert not [b for _, b in hcl.blocks("data") if "archive_file" in b]
    assert hcl.locals["function_archive"] == "${path.module}/../build/functions.zip"

    obj = hcl.resource("google_storage_bucket_object", "function_source")
    assert obj.body["source"] == "${local.function_archive}"
    assert obj.body["name"] == "functions-${filemd5(local.function_archive)}.zip"

    function = hcl.resource("google_cloudfunctions2_function", "function")
    source = block(block(block(function.body, "build_config"), "source"), "storage_source")
    assert source["object"] == "${google_storage_bucket_object.function_source.name}"
    assert source["bucket"] == "${google_storage_bucket.function_source.name}"


def test_nothing_waits_on_api_enablement_directly(hcl):
    """Everything that needs an API waits for time_sleep.apis_enabled, which waits for
    the enablement: the provider does not retry an API that is not on yet."""
    pause = hcl.resource("time_sleep", "apis_enabled").body
    assert pause["depends_on"] == ["${google_project_service.enabled}"]
    assert int(pause["create_duration"].rstrip("s")) >= 60
    for r in hcl.resources:
        deps = r.body.get("depends_on", [])
        if r.address != "time_sleep.apis_enabled":
            assert "${google_project_service.enabled}" not in deps, r.address


def _depends(hcl, address: str) -> set[str]:
    """Every resource address ``address`` depends on, explicitly or through references,
    transitively (by text: enough for this module's plain references)."""
    by_address = {r.address: r for r in hcl.resources}
    seen: set[str] = set()
    todo = [address]
    while todo:
        body = json.dumps(by_address[todo.pop()].body)
        for other in by_address:
            if other not in seen and re.search(rf"\b{re.escape(other)}\b", body):
                seen.add(other)
                todo.append(other)
    return seen


def test_functions_wait_for_their_build_identity_grants(hcl):
    pause = hcl.resource("time_sleep", "build_grants").body
    assert int(pause["create_duration"].rstrip("s")) >= 60
    build_grants = {
        r.address
        for r in hcl.resources
        if "google_service_account.build.member" in json.dumps(r.body)
        and r.type.endswith("_iam_member")
    }
    assert build_grants and build_grants <= set(d.strip("${}") for d in pause["depends_on"]), (
        build_grants
    )
    function = hcl.resource("google_cloudfunctions2_function", "function").body
    assert function["depends_on"] == [
        "${time_sleep.build_grants}",
        "${google_secret_manager_secret_iam_member.function_reads}",
    ]


def test_the_schedule_starts_after_the_delivery_grants_are_live(hcl):
    pause = hcl.resource("time_sleep", "delivery_grants").body
    assert int(pause["create_duration"].rstrip("s")) >= 120
    waited = {d.strip("${}") for d in pause["depends_on"]}
    assert {
        "google_cloud_run_service_iam_member.push_invokes_consumer",
        "google_pubsub_topic_iam_member.dead_letter_publisher",
        "google_pubsub_subscription_iam_member.dead_letter_subscriber",
        "google_service_account_iam_member.pubsub_agent_mints_push_tokens",
    } <= waited
    assert "time_sleep.delivery_grants" in _depends(hcl, "google_cloud_scheduler_job.schedule")


def test_no_unused_data_sources(hcl):
    text = "\n".join(p.read_text() for p in INFRA.glob("*.tf"))
    for _, found in hcl.blocks("data"):
        for dtype, named in found.items():
            for name in named:
                assert text.count(f"data.{dtype}.{name}") >= 1, f"data.{dtype}.{name} is unused"


def test_the_provider_lock_file_when_committed_covers_every_provider(hcl):
    lock = INFRA / ".terraform.lock.hcl"
    if not lock.exists():
        pytest.skip("no lock file yet: the first Cloud Build run makes it (docs/deploying.md)")
    (settings,) = hcl.files["versions.tf"]["terraform"]
    (providers,) = settings["required_providers"]
    text = lock.read_text()
    for spec in providers.values():
        assert f'provider "registry.terraform.io/{spec["source"]}"' in text, spec["source"]


def test_source_bucket_is_private_uniform_and_versioned(hcl):
    bucket = hcl.resource("google_storage_bucket", "function_source").body
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert block(bucket, "versioning")["enabled"] is True


def test_functions_get_every_setting_they_read(hcl):
    function = hcl.resource("google_cloudfunctions2_function", "function")
    env = block(function.body, "service_config")["environment_variables"]

    assert {
        "GOOGLE_CLOUD_PROJECT",
        "SCAN_TOPIC",
        "DEAD_LETTER_SUFFIX",
        "CORS_ORIGINS",
        "MAX_BODY_BYTES",
        "SESSION_CACHE_SECONDS",
        "ROSTER_CACHE_SECONDS",
        "PUBLISH_MAX_LATENCY_MS",
        "TALLY_SHARDS",
        "TIME_ZONE",
        "INSTITUTION_NAME",
    } <= set(env)
    assert "FCM_ENDPOINT" not in env, "the FCM stand-in is for the local stack only"
    assert env["DEAD_LETTER_SUFFIX"] == "${local.dead_letter_suffix}"


def test_cors_origins_are_the_hosting_site_plus_custom_origins(tf_eval):
    origins = tf_eval(
        "local.cors_origins", hosting_site_id="rollcall-web", web_origins=["https://rc.example.edu"]
    )
    assert origins == [
        "https://rollcall-web.web.app",
        "https://rollcall-web.firebaseapp.com",
        "https://rc.example.edu",
    ]


def test_firestore_indexes_and_rules_come_from_the_repository_files(hcl, tf_eval):
    assert hcl.locals["firestore_indexes"] == (
        '${jsondecode(file("${path.module}/../firestore.indexes.json"))}'
    )
    declared = json.loads((ROOT / "firestore.indexes.json").read_text())
    assert set(tf_eval("keys(local.field_overrides)")) == {
        f"{o['collectionGroup']}/{o['fieldPath']}" for o in declared.get("fieldOverrides", [])
    }
    assert hcl.resource("google_firestore_index", "composite").body["for_each"] == (
        "${local.composite_indexes}"
    )
    assert hcl.resource("google_firestore_field", "override").body["for_each"] == (
        "${local.field_overrides}"
    )

    ruleset = hcl.resource("google_firebaserules_ruleset", "firestore").body
    files = block(block(ruleset, "source"), "files")
    assert files["content"] == '${file("${path.module}/../firestore.rules")}'
    release = hcl.resource("google_firebaserules_release", "firestore").body
    assert release["name"] == "cloud.firestore"


def test_firestore_database_is_native_and_protected(hcl):
    db = hcl.resource("google_firestore_database", "default").body
    assert db["name"] == "(default)"
    assert db["type"] == "FIRESTORE_NATIVE"
    assert "var.firestore_delete_protection" in db["delete_protection_state"]


def test_hosting_site_for_the_web_app(hcl):
    site = hcl.resource("google_firebase_hosting_site", "web").body
    assert site["site_id"] == "${local.hosting_site_id}"


def test_required_apis_are_enabled(hcl, tf_eval):
    services = set(tf_eval("local.services"))
    assert {
        "cloudfunctions.googleapis.com",
        "run.googleapis.com",
        "cloudbuild.googleapis.com",
        "artifactregistry.googleapis.com",
        "pubsub.googleapis.com",
        "firestore.googleapis.com",
        "firebaserules.googleapis.com",
        "firebasehosting.googleapis.com",
        "monitoring.googleapis.com",
        "iamcredentials.googleapis.com",
        "fcm.googleapis.com",
        "identitytoolkit.googleapis.com",
        "cloudscheduler.googleapis.com",
        # web push (the student page's notifications): installations and registrations
        "firebaseinstallations.googleapis.com",
        "fcmregistrations.googleapis.com",
    } <= services
    apis = hcl.resource("google_project_service", "enabled").body
    assert apis["disable_on_destroy"] is False


def test_dead_letter_backlog_alert_watches_every_dead_letter_subscription(hcl):
    policy = hcl.resource("google_monitoring_alert_policy", "dead_letters").body
    condition = block(block(policy, "conditions"), "condition_threshold")

    assert (
        'metric.type = \\"pubsub.googleapis.com/subscription/num_undelivered_messages\\"'
        in (condition["filter"])
    )
    assert "google_pubsub_subscription.dead_letter" in condition["filter"]
    assert condition["comparison"] == "COMPARISON_GT"
    assert condition["threshold_value"] == 0
    assert policy["notification_channels"] == "${var.alert_notification_channels}"


def test_ingest_5xx_alert_is_a_ratio_on_the_scan_service(hcl):
    policy = hcl.resource("google_monitoring_alert_policy", "ingest_5xx").body
    condition = block(block(policy, "conditions"), "condition_threshold")

    assert "run.googleapis.com/request_count" in condition["filter"]
    assert 'response_code_class = \\"5xx\\"' in condition["filter"]
    assert "5xx" not in condition["denominator_filter"]
    assert 'google_cloudfunctions2_function.function["scan"].name' in condition["filter"]
    assert condition["threshold_value"] == "${var.ingest_5xx_ratio_threshold}"
    assert policy["notification_channels"] == "${var.alert_notification_channels}"


def test_every_composite_index_of_the_indexes_file_is_deployed(hcl, tf_eval):
    """The google_firestore_index for_each, evaluated by Terraform with the resource's
    own expressions, yields exactly the indexes of firestore.indexes.json (the sweep's
    `sessions` (status, ends_at) and (status, closed_at) among them): same collection,
    scope, fields and orders, none lost to a duplicate key."""
    index = hcl.resource("google_firestore_index", "composite")
    (dynamic,) = index.body["dynamic"]
    fields = dynamic["fields"]
    assert fields["for_each"] == "${each.value.fields}"
    (content,) = fields["content"]

    def expr(template: str) -> str:
        out = tf_template(template)
        out = re.sub(r"\bfields\.value\b", "__f", out)
        out = re.sub(r"\beach\.value\b", "__v", out)
        return out

    field_attrs = ", ".join(
        f"{k} = {expr(content[k])}" for k in ("field_path", "order", "array_config")
    )
    collection, scope = expr(index.body["collection"]), expr(index.body["query_scope"])
    deployed = tf_eval(
        f"{{for __k, __v in {tf_template(index.body['for_each'])} : __k => {{"
        f"collection = {collection}, query_scope = {scope}, "
        f"fields = [for __f in __v.fields : {{{field_attrs}}}]}}}}"
    )

    declared = json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    expected = [
        {
            "collection": idx["collectionGroup"],
            "query_scope": idx.get("queryScope", "COLLECTION"),
            "fields": [
                {
                    "field_path": f["fieldPath"],
                    "order": f.get("order"),
                    "array_config": f.get("arrayConfig"),
                }
                for f in idx["fields"]
            ],
        }
        for idx in declared
    ]

    def canonical(items):
        return sorted(json.dumps(i, sort_keys=True) for i in items)

    assert len(deployed) == len(declared), "two indexes of the file share a for_each key"
    assert canonical(deployed.values()) == canonical(expected)
    for fields_needed in (["status", "ends_at"], ["status", "closed_at"]):
        assert any(
            i["collection"] == "sessions"
            and [f["field_path"] for f in i["fields"]] == fields_needed
            for i in deployed.values()
        ), f"the sweep's sessions index {fields_needed} is not deployed"


def test_google_sign_in_valid_client_is_accepted(tf_eval):
    client = {
        "client_id": "123456789-abcdef.apps.googleusercontent.com",
        "client_secret_secret": "rollcall-google-oauth",
    }
    assert tf_eval("var.sign_in_with_google", sign_in_with_google=client) == client


def test_google_sign_in_secret_is_read_from_secret_manager_not_a_variable(hcl):
    idp = hcl.resource("google_identity_platform_default_supported_idp_config", "google").body
    assert idp["idp_id"] == "google.com"
    assert "google_secret_manager_secret_version.google_sign_in" in idp["client_secret"]
    assert not any(
        "secret" in name and "google" in name
        for name in hcl.variables
        if name != "sign_in_with_google"
    )


def test_hosting_rules_need_no_re2():
    """re2 is optional (left out where it can be neither fetched nor compiled): Hosting's
    rules must mean the same without it, so they are globs, never `regex`."""
    hosting = json.loads((ROOT / "firebase.json").read_text())["hosting"]
    for key in ("rewrites", "redirects", "headers"):
        for rule in hosting.get(key, []):
            assert "regex" not in rule and "source" in rule, (key, rule)
