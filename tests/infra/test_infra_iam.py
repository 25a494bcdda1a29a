"""Delivery and access invariants: authenticated pushes with retry and dead-letter
policies, the Pub/Sub service agent's dead-letter grants, least-privilege identities,
and a single public entry point."""

from __future__ import annotations

import re

from infra_model import block, per_instance, tf_template

from rollcall_ops import topology

PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}


def _members(resource) -> list[str]:
    body = resource.body
    return [body["member"]] if "member" in body else list(body.get("members", []))


def _iam_resources(hcl):
    return [r for r in hcl.resources if re.search(r"_iam_(member|binding|policy)$", r.type)]


def test_every_push_subscription_has_oidc_retry_and_dead_letter_policies(hcl):
    pushes = [s for s in hcl.of_type("google_pubsub_subscription") if "push_config" in s.body]
    assert pushes, "no push subscription in infra/"

    for sub in pushes:
        push = block(sub.body, "push_config")
        oidc = block(push, "oidc_token")
        assert oidc["service_account_email"] == "${google_service_account.push.email}", sub.address
        assert oidc["audience"] == push["push_endpoint"], sub.address
        assert push["push_endpoint"] == (
            "${google_cloudfunctions2_function.function[each.value.function].service_config[0].uri}"
        ), sub.address

        retry = block(sub.body, "retry_policy")
        assert retry.get("minimum_backoff") and retry.get("maximum_backoff"), sub.address

        dead_letter = block(sub.body, "dead_letter_policy")
        assert dead_letter.get("dead_letter_topic") and dead_letter.get("max_delivery_attempts")


def test_every_dead_letter_topic_has_a_retained_pull_subscription(hcl):
    topics = [t for t in hcl.of_type("google_pubsub_topic") if "for_each" in t.body]
    assert [t.name for t in topics] == ["dead_letter"]

    for topic in topics:
        pulls = [
            s
            for s in hcl.of_type("google_pubsub_subscription")
            if s.body.get("topic") == f"${{google_pubsub_topic.{topic.name}[each.key].id}}"
        ]
        assert len(pulls) == 1, f"{topic.address} needs exactly one pull subscription"
        pull = pulls[0]
        assert "push_config" not in pull.body
        assert pull.body["for_each"] == topic.body["for_each"]
        assert pull.body["name"] == topic.body["name"]
        assert pull.body.get("message_retention_duration")
        assert topic.body.get("message_retention_duration")
        assert block(pull.body, "expiration_policy")["ttl"] == "", (
            "idle pull subs must never expire"
        )


def test_pubsub_service_agent_can_forward_and_ack_dead_letters(hcl):
    agent = hcl.resource("google_project_service_identity", "pubsub")
    assert agent.body["service"] == "pubsub.googleapis.com"
    iam_locals = hcl.locals
    assert iam_locals["pubsub_agent"] == (
        "serviceAccount:${google_project_service_identity.pubsub.email}"
    )
    topic = hcl.resource("google_pubsub_topic", "dead_letter")
    push = hcl.resource("google_pubsub_subscription", "push")

    publishers = [
        r
        for r in hcl.of_type("google_pubsub_topic_iam_member")
        if r.body["member"] == "${local.pubsub_agent}"
    ]
    assert len(publishers) == 1
    assert publishers[0].body["role"] == "roles/pubsub.publisher"
    assert publishers[0].body["topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
    assert publishers[0].body["for_each"] == topic.body["for_each"]

    subscribers = [
        r
        for r in hcl.of_type("google_pubsub_subscription_iam_member")
        if r.body["member"] == "${local.pubsub_agent}"
    ]
    assert len(subscribers) == 1
    assert subscribers[0].body["role"] == "roles/pubsub.subscriber"
    assert subscribers[0].body["subscription"] == "${google_pubsub_subscription.push[each.key].id}"
    assert subscribers[0].body["for_each"] == push.body["for_each"]


def test_only_the_ingest_is_publicly_invocable(hcl):
    public = [r for r in _iam_resources(hcl) if PUBLIC_MEMBERS & set(_members(r))]

    assert [r.address for r in public] == [
        "google_cloud_run_service_iam_member.public_invokes_ingest"
    ]
    grant = public[0].body
    assert grant["role"] == "roles/run.invoker"
    assert grant["service"] == '${google_cloudfunctions2_function.function["scan"].name}'
    assert "for_each" not in grant


def test_push_identity_may_invoke_the_consumers_and_nothing_else(hcl, tf_eval):
    grants = [
        r for r in _iam_resources(hcl) if "${google_service_account.push.member}" in _members(r)
    ]
    assert [r.address for r in grants] == [
        "google_cloud_run_service_iam_member.push_invokes_consumer"
    ]
    grant = grants[0]
    assert grant.body["role"] == "roles/run.invoker"
    assert grant.body["service"] == "${google_cloudfunctions2_function.function[each.key].name}"

    invoked = set(tf_eval(tf_template(grant.body["for_each"])))
    consumers = {s.function for s in topology.load().subscriptions}
    assert invoked == consumers
    assert "scan" not in invoked


def test_consumers_have_internal_ingress_and_only_the_ingest_is_open(hcl, tf_eval):
    function = hcl.resource("google_cloudfunctions2_function", "function")
    ingress = tf_eval(
        per_instance(
            function, {"ingress": block(function.body, "service_config")["ingress_settings"]}
        )
    )

    assert {k: v["ingress"] for k, v in ingress.items() if v["ingress"] == "ALLOW_ALL"} == {
        "scan": "ALLOW_ALL"
    }
    assert all(v["ingress"] == "ALLOW_INTERNAL_ONLY" for k, v in ingress.items() if k != "scan")


def test_no_basic_roles_anywhere(hcl):
    roles = {r.body.get("role") for r in _iam_resources(hcl)}
    assert not roles & BASIC_ROLES


def test_each_function_runs_as_its_own_service_account(hcl, tf_eval):
    function = hcl.resource("google_cloudfunctions2_function", "function")
    accounts = hcl.resource("google_service_account", "function")

    assert accounts.body["for_each"] == function.body["for_each"]
    assert (
        block(function.body, "service_config")["service_account_email"]
        == "${google_service_account.function[each.key].email}"
    )
    ids = tf_eval(per_instance(accounts, {"id": accounts.body["account_id"]}))
    for entry_point, sa in ids.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", sa["id"]), (entry_point, sa["id"])
    assert len({sa["id"] for sa in ids.values()}) == len(ids)


def test_runtime_identities_hold_only_what_their_function_does(hcl):
    grants = {
        (r.address, r.body["role"], r.body.get("topic"))
        for r in _iam_resources(hcl)
        if "google_service_account.function[" in " ".join(_members(r))
    }

    assert grants == {
        ("google_project_iam_member.function_datastore_user", "roles/datastore.user", None),
        (
            "google_pubsub_topic_iam_member.ingest_publishes_scans",
            "roles/pubsub.publisher",
            "${google_pubsub_topic.scans.id}",
        ),
        (
            "google_pubsub_topic_iam_member.attendance_publishes_scans",
            "roles/pubsub.publisher",
            "${google_pubsub_topic.scans.id}",
        ),
        (
            "google_pubsub_topic_iam_member.consumer_publishes_own_dead_letter",
            "roles/pubsub.publisher",
            "${google_pubsub_topic.dead_letter[each.value].id}",
        ),
        (
            "google_project_iam_member.notify_sends_fcm",
            "${google_project_iam_custom_role.fcm_sender.id}",
            None,
        ),
        (
            "google_storage_bucket_iam_member.scan_keeps_documents",
            "${google_project_iam_custom_role.document_keeper.id}",
            None,
        ),
        (
            "google_secret_manager_secret_iam_member.function_reads",
            "roles/secretmanager.secretAccessor",
            None,
        ),
    }
    ingest = hcl.resource("google_pubsub_topic_iam_member", "ingest_publishes_scans")
    assert ingest.body["member"] == '${google_service_account.function["scan"].member}'


def test_consumers_publish_only_to_their_own_dead_letter_topic(hcl, tf_eval):
    grant = hcl.resource("google_pubsub_topic_iam_member", "consumer_publishes_own_dead_letter")
    assert grant.body["member"] == "${google_service_account.function[each.key].member}"

    consumers = tf_eval(tf_template(grant.body["for_each"]))
    assert consumers == {s.function: s.name for s in topology.load().subscriptions}


def test_fcm_sender_role_is_the_send_permission_only(hcl, tf_eval):
    role = hcl.resource("google_project_iam_custom_role", "fcm_sender")
    assert role.body["permissions"] == ["cloudmessaging.messages.create"]

    grant = hcl.resource("google_project_iam_member", "notify_sends_fcm")
    assert list(tf_eval(tf_template(grant.body["for_each"]))) == ["send_notification"]


def test_attendance_consumer_may_publish_to_scans_and_no_other_consumer(hcl, tf_eval):
    """record_attendance publishes a sweep's closes, a close's per-student events and
    alerts to `scans` (rollcall.pubsub.publish); the others publish nothing there."""
    grant = hcl.resource("google_pubsub_topic_iam_member", "attendance_publishes_scans")
    assert grant.body["topic"] == "${google_pubsub_topic.scans.id}"
    assert grant.body["role"] == "roles/pubsub.publisher"
    assert grant.body["member"] == "${google_service_account.function[each.key].member}"

    publishers = tf_eval(tf_template(grant.body["for_each"]))
    attendance = topology.load().subscription("attendance").function
    assert list(publishers) == [attendance] == ["record_attendance"]

    on_scans = [
        r.address
        for r in _iam_resources(hcl)
        if r.body.get("topic") == "${google_pubsub_topic.scans.id}"
    ]
    assert sorted(on_scans) == [
        "google_pubsub_topic_iam_member.attendance_publishes_scans",
        "google_pubsub_topic_iam_member.ingest_publishes_scans",
    ]


def test_no_pubsub_role_is_granted_project_wide(hcl):
    """Publishing is granted per topic; a project-level publisher role would let a
    function (or the scheduler) write to every topic, dead-letter topics included."""
    project_level = [
        r
        for r in _iam_resources(hcl)
        if r.type.startswith(("google_project_iam", "google_organization_iam", "google_folder_iam"))
    ]
    assert project_level, "expected the project-level grants of iam.tf"
    for r in project_level:
        role = r.body.get("role", "")
        assert not role.startswith("roles/pubsub."), f"{r.address}: {role} on the project"


def test_scheduler_needs_no_identity_of_ours(hcl):
    """Pub/Sub targets publish as the Cloud Scheduler service agent, whose
    roles/cloudscheduler.serviceAgent (granted by Google) holds pubsub.topics.publish:
    no service account, token or grant belongs to the scheduler jobs."""
    for job in hcl.of_type("google_cloud_scheduler_job"):
        target = block(job.body, "pubsub_target")
        assert "service_account_email" not in " ".join(str(v) for v in target.values())
        assert "http_target" not in job.body
    for r in _iam_resources(hcl):
        assert "cloudscheduler" not in " ".join(_members(r)), r.address
        assert "cloudscheduler" not in str(r.body.get("role", "")), r.address


def test_only_the_scan_function_may_touch_the_documents_bucket(hcl):
    """Absence requests' documents (decision 0023): a private bucket (uniform access,
    public access prevention enforced, no versioning); one grant on it, to the scan
    function's identity, of a role that creates, reads and deletes objects and nothing
    else; and no project-wide grant of a Cloud Storage role that would reach it (the
    build identity's is conditioned on the gcf-v2- staging buckets)."""
    bucket = hcl.resource("google_storage_bucket", "documents")
    assert bucket.body["uniform_bucket_level_access"] is True
    assert bucket.body["public_access_prevention"] == "enforced"
    assert block(bucket.body, "versioning")["enabled"] is False

    on_bucket = [
        r
        for r in _iam_resources(hcl)
        if r.body.get("bucket") == "${google_storage_bucket.documents.name}"
    ]
    assert [r.address for r in on_bucket] == [
        "google_storage_bucket_iam_member.scan_keeps_documents"
    ]
    assert _members(on_bucket[0]) == ['${google_service_account.function["scan"].member}']
    role = hcl.resource("google_project_iam_custom_role", "document_keeper")
    assert on_bucket[0].body["role"] == "${google_project_iam_custom_role.document_keeper.id}"
    assert sorted(role.body["permissions"]) == [
        "storage.objects.create",
        "storage.objects.delete",
        "storage.objects.get",
    ]

    project_wide = [
        r
        for r in hcl.of_type("google_project_iam_member")
        if "storage" in str(r.body.get("role", "")) or "storage" in str(r.body.get("for_each", ""))
    ]
    for grant in project_wide:
        condition = block(grant.body, "condition")
        assert "gcf-v2-" in condition.get("expression", ""), grant.address


def test_secrets_are_read_only_by_the_functions_that_use_them_and_hold_no_value(hcl, tf_eval):
    """Decision 0027: the SMTP password and the unsubscribe links' key live in Secret
    Manager; Terraform grants each to its readers only and never writes a version (the
    operator adds it with gcloud), so no secret is in the state."""
    assert not [r for r in hcl.resources if r.type == "google_secret_manager_secret_version"]
    secrets = tf_eval("local.function_secrets")
    assert secrets == {
        "SMTP_PASSWORD": {"secret": "smtp-password", "readers": ["send_mail"]},
        "MAIL_LINK_SECRET": {"secret": "mail-link-secret", "readers": ["send_mail", "scan"]},
    }
    grant = hcl.resource("google_secret_manager_secret_iam_member", "function_reads").body
    assert grant["role"] == "roles/secretmanager.secretAccessor"
    assert grant["member"] == "${google_service_account.function[each.value.reader].member}"


def test_the_functions_read_the_secrets_only_once_smtp_is_set(hcl, tf_eval):
    """A revision naming a secret without a version fails to deploy: with var.smtp null
    (the default, the first apply) no function reads a secret; once it is set (after the
    operator added the versions) send_mail reads both, scan the link key, no other any."""
    body = hcl.resource("google_cloudfunctions2_function", "function").body
    service = block(body, "service_config")
    (dynamic,) = service["dynamic"]
    for_each = tf_template(dynamic["secret_environment_variables"]["for_each"])
    functions = ["scan", "record_attendance", "send_notification", "update_dashboard", "send_mail"]
    expr = (
        "{"
        + ", ".join(
            f"{f} = keys({for_each.replace('each.key', repr(f).replace(chr(39), chr(34)))})"
            for f in functions
        )
        + "}"
    )
    assert tf_eval(expr) == {f: [] for f in functions}
    smtp = '{host = "smtp.example.org", user = "rollcall", mail_from = "R <r@example.org>"}'
    assert tf_eval(expr, smtp=smtp) == {
        "scan": ["MAIL_LINK_SECRET"],
        "record_attendance": [],
        "send_notification": [],
        "update_dashboard": [],
        "send_mail": ["MAIL_LINK_SECRET", "SMTP_PASSWORD"],
    }
    env = service["environment_variables"]
    assert env["SMTP_HOST"] == '${try(var.smtp.host, "")}'
