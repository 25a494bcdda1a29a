"""`rollcall --project P doctor` against recorded answers of the Google APIs: a healthy
deploy passes every check; each broken piece fails its own line and names the fix.
(tests/emulator/test_doctor.py runs it on the local stack.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rollcall_ops import doctor, topology
from rollcall_ops.topology import ROOT

P = "rollcall-prod"
NUMBER = "123456789"
REGION = "europe-west1"
PUSH = f"rollcall-push@{P}.iam.gserviceaccount.com"
AGENT = f"serviceAccount:service-{NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"


def uri(entry: str) -> str:
    return f"https://{doctor.function_name(entry)}-abc-ew.a.run.app"


def healthy() -> dict[str, tuple[int, Any]]:
    topo = topology.load()
    ps = "https://pubsub.googleapis.com/v1/projects/" + P
    answers: dict[str, tuple[int, Any]] = {
        f"https://serviceusage.googleapis.com/v1/projects/{P}/services"
        "?filter=state:ENABLED&pageSize=200": (
            200,
            {"services": [{"config": {"name": s}} for s in doctor.services_of_infra()]},
        ),
        f"https://cloudresourcemanager.googleapis.com/v1/projects/{P}": (
            200,
            {"projectNumber": NUMBER},
        ),
        f"{ps}/topics/{topo.topic}": (200, {"name": "scans"}),
    }
    functions = []
    for entry in ["scan", *(s.function for s in topo.subscriptions)]:
        name = doctor.function_name(entry)
        service = f"projects/{P}/locations/{REGION}/services/{name}"
        functions.append(
            {
                "name": f"projects/{P}/locations/{REGION}/functions/{name}",
                "state": "ACTIVE",
                "serviceConfig": {"uri": uri(entry), "service": service},
            }
        )
        answers[f"https://run.googleapis.com/v2/{service}:getIamPolicy"] = (
            200,
            {"bindings": [{"role": "roles/run.invoker", "members": [f"serviceAccount:{PUSH}"]}]},
        )
    answers[f"https://cloudfunctions.googleapis.com/v2/projects/{P}/locations/-/functions"] = (
        200,
        {"functions": functions},
    )
    for s in topo.subscriptions:
        answers[f"{ps}/subscriptions/{s.name}"] = (
            200,
            {
                "topic": f"projects/{P}/topics/{topo.topic}",
                "ackDeadlineSeconds": s.ack_deadline_seconds,
                "pushConfig": {
                    "pushEndpoint": uri(s.function),
                    "oidcToken": {"serviceAccountEmail": PUSH, "audience": uri(s.function)},
                },
                "retryPolicy": {
                    "minimumBackoff": s.minimum_backoff,
                    "maximumBackoff": s.maximum_backoff,
                },
                "deadLetterPolicy": {
                    "deadLetterTopic": f"projects/{P}/topics/{s.dead_letter_topic}",
                    "maxDeliveryAttempts": s.max_delivery_attempts,
                },
            },
        )
        answers[f"{ps}/topics/{s.dead_letter_topic}"] = (200, {})
        answers[f"{ps}/subscriptions/{s.dead_letter_subscription}"] = (
            200,
            {"topic": f"projects/{P}/topics/{s.dead_letter_topic}", "pushConfig": {}},
        )
        answers[f"{ps}/topics/{s.dead_letter_topic}:getIamPolicy"] = (
            200,
            {"bindings": [{"role": "roles/pubsub.publisher", "members": [AGENT]}]},
        )
        answers[f"{ps}/subscriptions/{s.name}:getIamPolicy"] = (
            200,
            {"bindings": [{"role": "roles/pubsub.subscriber", "members": [AGENT]}]},
        )
    rules = "https://firebaserules.googleapis.com/v1"
    answers[f"{rules}/projects/{P}/releases/cloud.firestore"] = (
        200,
        {"rulesetName": f"projects/{P}/rulesets/abc"},
    )
    answers[f"{rules}/projects/{P}/rulesets/abc"] = (
        200,
        {"source": {"files": [{"content": (ROOT / "firestore.rules").read_text()}]}},
    )
    declared = json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    answers[
        f"https://firestore.googleapis.com/v1/projects/{P}/databases/(default)"
        "/collectionGroups/-/indexes"
    ] = (
        200,
        {
            "indexes": [
                {
                    "name": f"projects/{P}/databases/(default)/collectionGroups/"
                    f"{i['collectionGroup']}/indexes/i{n}",
                    "fields": [*i["fields"], {"fieldPath": "__name__", "order": "ASCENDING"}],
                    "state": "READY",
                }
                for n, i in enumerate(declared)
            ]
        },
    )
    for sch in topo.schedules:
        answers[
            f"https://cloudscheduler.googleapis.com/v1/projects/{P}/locations/{REGION}"
            f"/jobs/{sch.name}"
        ] = (200, {"state": "ENABLED", "schedule": sch.schedule})
    answers[f"https://firebasehosting.googleapis.com/v1beta1/projects/{P}/sites"] = (
        200,
        {"sites": [{"defaultUrl": f"https://{P}.web.app"}]},
    )
    return answers


class FakeApi:
    def __init__(self, answers: dict[str, tuple[int, Any]]) -> None:
        self.answers = answers

    def get(self, url: str) -> tuple[int, Any]:
        return self.answers.get(url, (404, {"error": {"message": f"no {url}"}}))


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self._body = body

    def json(self) -> Any:
        return self._body


@pytest.fixture
def web(monkeypatch):
    """The Hosting config and the scan endpoint, as served."""
    served = {
        "config": {"firebase": {"projectId": P}, "scanUrl": uri("scan")},
        "scan": (401, {"error": {"code": "unauthenticated", "message": "sign in"}}),
    }
    monkeypatch.setattr(
        doctor.requests, "get", lambda url, **kw: FakeResponse(200, served["config"])
    )
    monkeypatch.setattr(doctor.requests, "post", lambda url, **kw: FakeResponse(*served["scan"]))
    return served


def run(answers) -> tuple[list[doctor.Check], str, int]:
    checks = doctor.cloud_checks(P, FakeApi(answers))
    text, code = doctor.report(checks)
    return checks, text, code


def failed(checks) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks if c.status == doctor.FAIL}


def test_a_healthy_deploy_passes_every_check(web):
    checks, text, code = run(healthy())

    assert code == 0, text
    names = [c.name for c in checks]
    for expected in (
        "APIs",
        "topic scans",
        "push subscription notify endpoint",
        "push subscription notify OIDC",
        "push subscription notify retry policy",
        "push subscription notify dead-letter policy",
        "dead-letter subscription notify-dead-letter",
        "Pub/Sub service agent grants (notify)",
        "invoker grant (send-notification)",
        "Firestore rules",
        "Firestore indexes",
        "scheduler job sweep",
        "hosting config",
        "scan endpoint",
    ):
        assert expected in names, expected
    assert len(text.splitlines()) == len(checks) + 1
    assert text.splitlines()[-1].endswith("a working deploy")


def _break(answers, url_end: str, change) -> None:
    (url,) = [u for u in answers if u.endswith(url_end)]
    status, body = answers[url]
    answers[url] = change(status, json.loads(json.dumps(body)))


@pytest.mark.parametrize(
    ("url_end", "change", "check", "says"),
    [
        (
            "/services?filter=state:ENABLED&pageSize=200",
            lambda s, b: (s, {"services": b["services"][1:]}),
            "APIs",
            "not enabled",
        ),
        (
            "/subscriptions/notify",
            lambda s, b: (s, {**b, "pushConfig": {**b["pushConfig"], "pushEndpoint": "https://x"}}),
            "push subscription notify endpoint",
            "not https://send-notification",
        ),
        (
            "/subscriptions/dashboard",
            lambda s, b: (
                s,
                {**b, "pushConfig": {"pushEndpoint": b["pushConfig"]["pushEndpoint"]}},
            ),
            "push subscription dashboard OIDC",
            "token of nobody",
        ),
        (
            "/subscriptions/attendance",
            lambda s, b: (s, {k: v for k, v in b.items() if k != "deadLetterPolicy"}),
            "push subscription attendance dead-letter policy",
            "to nowhere",
        ),
        (
            "/subscriptions/attendance",
            lambda s, b: (s, {k: v for k, v in b.items() if k != "retryPolicy"}),
            "push subscription attendance retry policy",
            "none, not",
        ),
        (
            "/topics/notify-dead-letter:getIamPolicy",
            lambda s, b: (s, {"bindings": []}),
            "Pub/Sub service agent grants (notify)",
            "lacks publisher on notify-dead-letter",
        ),
        (
            "/services/update-dashboard:getIamPolicy",
            lambda s, b: (s, {"bindings": []}),
            "invoker grant (update-dashboard)",
            "may not invoke it",
        ),
        (
            "/rulesets/abc",
            lambda s, b: (s, {"source": {"files": [{"content": "allow all"}]}}),
            "Firestore rules",
            "not this repository's",
        ),
        (
            "/jobs/sweep",
            lambda s, b: (s, {**b, "state": "PAUSED"}),
            "scheduler job sweep",
            "PAUSED",
        ),
    ],
    ids=["api", "endpoint", "oidc", "dead-letter", "retry", "agent", "invoker", "rules", "job"],
)
def test_each_broken_piece_fails_its_line_with_the_fix(web, url_end, change, check, says):
    answers = healthy()
    _break(answers, url_end, change)

    checks, text, code = run(answers)

    assert code == 1
    assert list(failed(checks)) == [check], text
    line = failed(checks)[check].line()
    assert says in line and "-> fix: " in line


def test_an_index_still_building_says_to_wait(web):
    answers = healthy()
    _break(
        answers,
        "/collectionGroups/-/indexes",
        lambda s, b: (
            s,
            {"indexes": [{**b["indexes"][0], "state": "CREATING"}, *b["indexes"][1:]]},
        ),
    )
    checks, _, _ = run(answers)
    assert "is CREATING" in failed(checks)["Firestore indexes"].detail
    assert failed(checks)["Firestore indexes"].fix.startswith("wait")


def test_hosting_serving_another_deploys_config_fails(web):
    web["config"] = {"firebase": {"projectId": P}, "scanUrl": "https://old-scan.a.run.app"}
    checks, _, code = run(healthy())
    assert (
        code == 1 and "sends scans to https://old-scan" in failed(checks)["hosting config"].detail
    )


def test_a_scan_endpoint_that_is_not_ours_fails(web):
    web["scan"] = (404, "<html>Not found</html>")
    checks, _, _ = run(healthy())
    assert "not ours" in failed(checks)["scan endpoint"].detail


def test_no_credentials_says_how_to_get_them(web):
    checks, text, code = run({})
    assert code == 1 and [c.name for c in checks] == ["APIs"]
    assert "application-default login" in text
