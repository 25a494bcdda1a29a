"""``rollcall [--project P] doctor``: checks what a working deploy needs and prints one
line per check, with the fix of each that fails.

On a real project (``--project P``, Application Default Credentials) it reads the
Google APIs: the APIs infra/apis.tf enables; topic ``scans``; each push subscription's
topic, endpoint (its consumer function's URL), OIDC account (``rollcall-push``) and
audience, retry policy and dead-letter policy; each dead-letter topic and its pull
subscription; the Pub/Sub service agent's publisher and subscriber grants; the
consumers' invoker grants; the Firestore rules released (the repository's
``firestore.rules``); every index of ``firestore.indexes.json`` ready; the scheduler's
jobs; Hosting serving ``/rollcall-config.json`` with this deploy's scan URL; the scan
endpoint answering.

On the local stack it checks what the emulators can show: the same Pub/Sub topology
against what the emulator bootstrap sets (emulators/pubsub.py: no retry policy, decision
0017), endpoints that answer, rules in force, the Hosting config, the scan endpoint;
the rest is reported as ``skip`` with the reason. Exit 1 when any check fails.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from rollcall_ops import topology
from rollcall_ops.topology import ROOT

OK, FAIL, SKIP, NOTE = "ok", "FAIL", "skip", "note"
PUSH_ACCOUNT = "rollcall-push"
LOCAL_FIX = "`make up` (the bootstrap puts the topology back as infra/topology.yaml says)"
CLOUD_FIX = "apply again (cloudbuild.yaml with _APPLY=true): Terraform puts it back"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.detail}"
        return f"{text} -> fix: {self.fix}" if self.status == FAIL and self.fix else text


class Api(Protocol):
    def get(self, url: str) -> tuple[int, Any]: ...


class Http:
    """GET returning (status, JSON or text); any session with ``.get``."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def get(self, url: str) -> tuple[int, Any]:
        try:
            resp = self.session.get(url, timeout=15)
        except requests.RequestException as exc:
            return 0, str(exc)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, resp.text


def _error(status: int, body: Any) -> str:
    if status == 0:
        return f"unreachable ({body})"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f"HTTP {status} {body['error'].get('message', '')}".strip()
    return f"HTTP {status}"


# -- what both worlds share: the Pub/Sub topology --------------------------------------


@dataclass(frozen=True)
class Want:
    """What one push subscription must be, in the REST API's terms."""

    endpoint: str
    oidc_account: str | None  # None: no OIDC (the emulator)
    retry: dict[str, str] | None  # None: no retry policy (the emulator, decision 0017)
    dead_letter_topic: str
    attempts: int
    ack_deadline: int


def pubsub_checks(
    api: Api,
    base: str,
    project: str,
    topo: topology.Topology,
    want: dict[str, Want],
    fix: str,
    answering: Callable[[str], str | None] | None = None,
) -> Iterator[Check]:
    p = f"projects/{project}"
    status, body = api.get(f"{base}/{p}/topics/{topo.topic}")
    yield (
        Check(f"topic {topo.topic}", OK, "exists")
        if status == 200
        else Check(f"topic {topo.topic}", FAIL, _error(status, body), fix)
    )
    for sub in topo.subscriptions:
        yield from _push_checks(api, base, p, topo, sub, want[sub.name], fix, answering)
        name = sub.dead_letter_subscription
        status, body = api.get(f"{base}/{p}/topics/{sub.dead_letter_topic}")
        if status != 200:
            yield Check(
                f"dead-letter topic {sub.dead_letter_topic}", FAIL, _error(status, body), fix
            )
        status, body = api.get(f"{base}/{p}/subscriptions/{name}")
        label = f"dead-letter subscription {name}"
        if status != 200:
            yield Check(label, FAIL, _error(status, body), fix)
        elif body.get("topic") != f"{p}/topics/{sub.dead_letter_topic}":
            yield Check(label, FAIL, f"reads {body.get('topic')}, not the dead-letter topic", fix)
        elif body.get("pushConfig", {}).get("pushEndpoint"):
            yield Check(label, FAIL, "is a push subscription: dead letters must wait", fix)
        else:
            yield Check(label, OK, f"pull, on {sub.dead_letter_topic}")


def _push_checks(
    api: Api,
    base: str,
    p: str,
    topo: topology.Topology,
    sub: topology.Subscription,
    want: Want,
    fix: str,
    answering: Callable[[str], str | None] | None,
) -> Iterator[Check]:
    label = f"push subscription {sub.name}"
    status, body = api.get(f"{base}/{p}/subscriptions/{sub.name}")
    if status != 200:
        yield Check(label, FAIL, _error(status, body), fix)
        return
    problems = []
    if body.get("topic") != f"{p}/topics/{topo.topic}":
        problems.append(f"reads {body.get('topic')}, not {topo.topic}")
    if body.get("ackDeadlineSeconds") != want.ack_deadline:
        problems.append(f"ack deadline {body.get('ackDeadlineSeconds')} s, not {want.ack_deadline}")
    yield (
        Check(label, FAIL, "; ".join(problems), fix)
        if problems
        else Check(label, OK, f"on {topo.topic}, ack deadline {want.ack_deadline} s")
    )

    push = body.get("pushConfig") or {}
    endpoint = push.get("pushEndpoint")
    if endpoint != want.endpoint:
        shown = endpoint or "none (a pull subscription: nothing reaches the consumer)"
        yield Check(f"{label} endpoint", FAIL, f"{shown}, not {want.endpoint}", fix)
    else:
        down = answering(endpoint) if answering else None
        yield (
            Check(
                f"{label} endpoint",
                FAIL,
                f"{endpoint} does not answer: {down}",
                f"`make up` starts the consumer again (or `make restart SERVICE={sub.name}`)",
            )
            if down
            else Check(f"{label} endpoint", OK, endpoint)
        )

    oidc = push.get("oidcToken") or {}
    if want.oidc_account is None:
        yield Check(f"{label} OIDC", SKIP, "the emulator pushes without tokens")
    elif oidc.get("serviceAccountEmail") != want.oidc_account:
        yield Check(
            f"{label} OIDC",
            FAIL,
            f"token of {oidc.get('serviceAccountEmail') or 'nobody'}, not {want.oidc_account}: "
            "the consumer refuses unauthenticated pushes",
            fix,
        )
    elif oidc.get("audience") not in (None, "", want.endpoint):
        yield Check(f"{label} OIDC", FAIL, f"audience {oidc['audience']}, not the URL", fix)
    else:
        yield Check(f"{label} OIDC", OK, want.oidc_account)

    retry = body.get("retryPolicy") or None
    if want.retry is None:
        if retry:
            yield Check(
                f"{label} retry policy",
                FAIL,
                f"{retry}: the emulator loses messages waiting in backoff (decision 0017)",
                fix,
            )
        else:
            yield Check(f"{label} retry policy", OK, "none locally (decision 0017)")
    elif retry != want.retry:
        yield Check(f"{label} retry policy", FAIL, f"{retry or 'none'}, not {want.retry}", fix)
    else:
        yield Check(
            f"{label} retry policy", OK, f"{retry['minimumBackoff']} to {retry['maximumBackoff']}"
        )

    dead = body.get("deadLetterPolicy") or {}
    want_topic = f"{p}/topics/{sub.dead_letter_topic}"
    if dead.get("deadLetterTopic") != want_topic:
        yield Check(
            f"{label} dead-letter policy",
            FAIL,
            f"to {dead.get('deadLetterTopic') or 'nowhere'}, not {sub.dead_letter_topic}: "
            "failed events would be retried for ever or dropped",
            fix,
        )
    elif dead.get("maxDeliveryAttempts", 5) != want.attempts:
        attempts = dead.get("maxDeliveryAttempts", 5)
        yield Check(
            f"{label} dead-letter policy",
            NOTE,
            f"after {attempts} attempts, topology.yaml says {want.attempts} "
            "(a var.max_delivery_attempts override?)",
        )
    else:
        yield Check(
            f"{label} dead-letter policy",
            OK,
            f"to {sub.dead_letter_topic} after {want.attempts} attempts",
        )


def scan_endpoint_check(url: str, fix: str) -> Check:
    """The scan function answers an unsigned request with its own JSON error."""
    try:
        resp = requests.post(url, json={}, timeout=20)
    except requests.RequestException as exc:
        return Check("scan endpoint", FAIL, f"{url} unreachable ({exc.__class__.__name__})", fix)
    try:
        code = resp.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return Check("scan endpoint", FAIL, f"{url} answers HTTP {resp.status_code}, not ours", fix)
    if resp.status_code == 401 and code == "unauthenticated":
        return Check("scan endpoint", OK, f"{url} answers (401 unauthenticated without a token)")
    return Check("scan endpoint", FAIL, f"{url} answers {resp.status_code} {code}", fix)


def hosting_check(
    config_url: str, project: str, scan_url: str, fix: str, local: bool = False
) -> Check:
    try:
        resp = requests.get(config_url, timeout=20)
        config = resp.json()
    except (requests.RequestException, ValueError):
        return Check("hosting config", FAIL, f"{config_url} serves no JSON", fix)
    served = (config.get("firebase") or {}).get("projectId")
    if served != project:
        return Check("hosting config", FAIL, f"{config_url} is for project {served}", fix)
    if (config.get("scanUrl") or "").rstrip("/") != scan_url.rstrip("/"):
        detail = f"{config_url} sends scans to {config.get('scanUrl')}, not {scan_url}"
        if local:
            return Check(
                "hosting config",
                NOTE,
                detail + " (web/dist holds the default stack's ports; tests inject theirs)",
            )
        return Check("hosting config", FAIL, detail, fix)
    return Check("hosting config", OK, f"{config_url}: project {project}, scans to {scan_url}")


# -- local --------------------------------------------------------------------------------


def _answers(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 80), timeout=2).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def local_checks() -> list[Check]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the emulators package lives beside tools/
    from emulators import pubsub as local_pubsub
    from emulators.stack import BASE_PORTS, HOST

    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    scan_url = os.environ["SCAN_URL"]
    offset = (urlsplit(scan_url).port or 0) - BASE_PORTS["scan"]
    topo = topology.load()
    want = {}
    for sub in topo.subscriptions:
        endpoint = f"http://{HOST}:{BASE_PORTS[sub.name] + offset}/"
        body = local_pubsub.push_subscription(project, topo.topic, sub, endpoint)
        want[sub.name] = Want(
            endpoint=endpoint,
            oidc_account=None,
            retry=None,
            dead_letter_topic=sub.dead_letter_topic,
            attempts=body["deadLetterPolicy"]["maxDeliveryAttempts"],
            ack_deadline=body["ackDeadlineSeconds"],
        )
    api = Http(requests.Session())
    base = f"http://{os.environ['PUBSUB_EMULATOR_HOST']}/v1"
    checks = [Check("APIs", SKIP, "the emulators have no APIs to enable")]
    checks += pubsub_checks(api, base, project, topo, want, LOCAL_FIX, _answers)
    checks += [
        Check("Pub/Sub service agent grants", SKIP, "the emulator has no IAM"),
        Check("consumer invoker grants", SKIP, "the emulator has no IAM"),
        _local_rules(project),
        Check("Firestore indexes", SKIP, "the emulator needs none"),
        hosting_check(
            os.environ["DASHBOARD_URL"].rstrip("/") + "/rollcall-config.json",
            project,
            scan_url,
            "`make web` (web/public/rollcall-config.json is copied into web/dist)",
            local=True,
        ),
        scan_endpoint_check(scan_url, "`make up` starts the scan function again"),
    ]
    return checks


def _local_rules(project: str) -> Check:
    """The rules are in force when an anonymous read of a session is refused."""
    host = os.environ["FIRESTORE_EMULATOR_HOST"]
    url = f"http://{host}/v1/projects/{project}/databases/(default)/documents/sessions/doctor-probe"
    try:
        status = requests.get(url, timeout=10).status_code
    except requests.RequestException as exc:
        return Check("Firestore rules", FAIL, f"emulator unreachable ({exc})", "`make up`")
    if status == 403:
        return Check("Firestore rules", OK, "in force (an anonymous read is refused)")
    return Check(
        "Firestore rules",
        FAIL,
        f"an anonymous read of a session answers {status}, not 403",
        "restart the Firestore emulator with --rules=firestore.rules: "
        "`make restart SERVICE=firestore`",
    )


# -- a real project --------------------------------------------------------------------------

PUBSUB = "https://pubsub.googleapis.com/v1"


def services_of_infra() -> set[str]:
    text = (ROOT / "infra" / "apis.tf").read_text()
    block = text[text.index("services = toset([") : text.index("])")]
    return set(re.findall(r'"([a-z0-9.]+\.googleapis\.com)"', block))


def function_name(entry_point: str) -> str:
    return entry_point.replace("_", "-")


def cloud_checks(project: str, api: Api | None = None) -> list[Check]:
    if api is None:
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        credentials, _ = google.auth.default(
            scopes=["https://www.googleapis.com/auth/cloud-platform"], quota_project_id=project
        )
        api = Http(AuthorizedSession(credentials))
    checks: list[Check] = []
    topo = topology.load()

    status, body = api.get(
        f"https://serviceusage.googleapis.com/v1/projects/{project}/services"
        "?filter=state:ENABLED&pageSize=200"
    )
    if status != 200:
        checks.append(Check("APIs", FAIL, _error(status, body), _CREDENTIALS_FIX))
        return checks  # nothing else can be read either
    enabled = {s["config"]["name"] for s in body.get("services", [])}
    missing = sorted(services_of_infra() - enabled)
    checks.append(
        Check("APIs", FAIL, f"not enabled: {', '.join(missing)}", CLOUD_FIX)
        if missing
        else Check("APIs", OK, f"the {len(services_of_infra())} of infra/apis.tf are on")
    )

    status, body = api.get(
        f"https://cloudfunctions.googleapis.com/v2/projects/{project}/locations/-/functions"
    )
    functions = {
        f["name"].rsplit("/", 1)[1]: f for f in (body.get("functions", []) if status == 200 else [])
    }
    entry_points = ["scan", *(s.function for s in topo.subscriptions)]
    for entry in entry_points:
        fn = functions.get(function_name(entry))
        if fn is None:
            checks.append(Check(f"function {function_name(entry)}", FAIL, "missing", CLOUD_FIX))
        elif fn.get("state") != "ACTIVE":
            checks.append(
                Check(
                    f"function {function_name(entry)}",
                    FAIL,
                    f"state {fn.get('state')}",
                    "see its build log in the console (Cloud Run functions), then apply again",
                )
            )
        else:
            checks.append(Check(f"function {function_name(entry)}", OK, "ACTIVE"))

    def uri(entry: str) -> str:
        fn = functions.get(function_name(entry)) or {}
        return (fn.get("serviceConfig") or {}).get("uri", f"<no {function_name(entry)} function>")

    push_account = f"{PUSH_ACCOUNT}@{project}.iam.gserviceaccount.com"
    want = {
        s.name: Want(
            endpoint=uri(s.function),
            oidc_account=push_account,
            retry={"minimumBackoff": s.minimum_backoff, "maximumBackoff": s.maximum_backoff},
            dead_letter_topic=s.dead_letter_topic,
            attempts=s.max_delivery_attempts,
            ack_deadline=s.ack_deadline_seconds,
        )
        for s in topo.subscriptions
    }
    checks += pubsub_checks(api, PUBSUB, project, topo, want, CLOUD_FIX)

    status, body = api.get(f"https://cloudresourcemanager.googleapis.com/v1/projects/{project}")
    number = body.get("projectNumber") if status == 200 else None
    agent = f"serviceAccount:service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    p = f"projects/{project}"
    for sub in topo.subscriptions:
        lacking = []
        if not _granted(
            api, f"{PUBSUB}/{p}/topics/{sub.dead_letter_topic}", "roles/pubsub.publisher", agent
        ):
            lacking.append(f"publisher on {sub.dead_letter_topic}")
        if not _granted(
            api, f"{PUBSUB}/{p}/subscriptions/{sub.name}", "roles/pubsub.subscriber", agent
        ):
            lacking.append(f"subscriber on {sub.name}")
        name = f"Pub/Sub service agent grants ({sub.name})"
        checks.append(
            Check(
                name,
                FAIL,
                "lacks " + ", ".join(lacking) + ": dead-lettering silently does nothing",
                CLOUD_FIX,
            )
            if lacking
            else Check(
                name, OK, "publisher on the dead-letter topic, subscriber on the subscription"
            )
        )

    for sub in topo.subscriptions:
        fn = functions.get(function_name(sub.function)) or {}
        service = (fn.get("serviceConfig") or {}).get(
            "service"
        )  # projects/p/locations/r/services/s
        name = f"invoker grant ({function_name(sub.function)})"
        if not service:
            checks.append(Check(name, FAIL, "no Cloud Run service to read", CLOUD_FIX))
        elif _granted(
            api,
            f"https://run.googleapis.com/v2/{service}:getIamPolicy",
            "roles/run.invoker",
            f"serviceAccount:{push_account}",
        ):
            checks.append(Check(name, OK, f"{push_account} may invoke it"))
        else:
            checks.append(
                Check(
                    name, FAIL, f"{push_account} may not invoke it: every push fails 403", CLOUD_FIX
                )
            )

    checks.append(_cloud_rules(api, project))
    checks += _cloud_indexes(api, project)
    checks += _cloud_scheduler(api, project, topo, functions)
    scan_url = uri("scan")
    checks.append(_cloud_hosting(api, project, scan_url))
    checks.append(scan_endpoint_check(scan_url, CLOUD_FIX))
    return checks


_CREDENTIALS_FIX = (
    "`gcloud auth application-default login` as someone who may read the project "
    "(roles/viewer and roles/iam.securityReviewer are enough)"
)


def _granted(api: Api, resource_url: str, role: str, member: str) -> bool:
    url = resource_url if resource_url.endswith(":getIamPolicy") else resource_url + ":getIamPolicy"
    status, body = api.get(url)
    if status != 200:
        return False
    return any(
        b.get("role") == role and member in b.get("members", []) for b in body.get("bindings", [])
    )


def _cloud_rules(api: Api, project: str) -> Check:
    base = "https://firebaserules.googleapis.com/v1"
    status, release = api.get(f"{base}/projects/{project}/releases/cloud.firestore")
    if status != 200:
        return Check(
            "Firestore rules",
            FAIL,
            f"no release cloud.firestore ({_error(status, release)})",
            CLOUD_FIX,
        )
    status, ruleset = api.get(f"{base}/{release['rulesetName']}")
    files = (ruleset.get("source") or {}).get("files", []) if status == 200 else []
    ours = (ROOT / "firestore.rules").read_text()
    if any(f.get("content") == ours for f in files):
        return Check(
            "Firestore rules",
            OK,
            f"released: {release['rulesetName'].rsplit('/', 1)[1]} = firestore.rules",
        )
    return Check(
        "Firestore rules",
        FAIL,
        "the released ruleset is not this repository's firestore.rules",
        CLOUD_FIX + " (it releases firestore.rules)",
    )


def _cloud_indexes(api: Api, project: str) -> list[Check]:
    declared = json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    status, body = api.get(
        f"https://firestore.googleapis.com/v1/projects/{project}/databases/(default)"
        "/collectionGroups/-/indexes"
    )
    if status != 200:
        return [Check("Firestore indexes", FAIL, _error(status, body), CLOUD_FIX)]

    def key(group: str, fields: list[dict[str, Any]]) -> tuple[str, tuple[tuple[str, str], ...]]:
        return group, tuple(
            (f["fieldPath"], f.get("order") or f.get("arrayConfig") or "")
            for f in fields
            if f["fieldPath"] != "__name__"
        )

    live = {}
    for idx in body.get("indexes", []):
        group = idx["name"].split("/collectionGroups/")[1].split("/")[0]
        live[key(group, idx.get("fields", []))] = idx.get("state")
    waiting, missing = [], []
    for idx in declared:
        k = key(idx["collectionGroup"], idx["fields"])
        shown = f"{idx['collectionGroup']}({', '.join(f for f, _ in k[1])})"
        if k not in live:
            missing.append(shown)
        elif live[k] != "READY":
            waiting.append(f"{shown} is {live[k]}")
    if missing:
        return [Check("Firestore indexes", FAIL, "missing: " + "; ".join(missing), CLOUD_FIX)]
    if waiting:
        return [
            Check(
                "Firestore indexes",
                FAIL,
                "; ".join(waiting),
                "wait: a new index takes minutes to build, then run doctor again",
            )
        ]
    return [
        Check("Firestore indexes", OK, f"the {len(declared)} of firestore.indexes.json are READY")
    ]


def _cloud_scheduler(
    api: Api, project: str, topo: topology.Topology, functions: dict[str, Any]
) -> list[Check]:
    fn = functions.get("scan") or {}
    region = fn.get("name", "projects/p/locations/europe-west1").split("/")[3]
    out = []
    for schedule in topo.schedules:
        name = f"scheduler job {schedule.name}"
        status, job = api.get(
            f"https://cloudscheduler.googleapis.com/v1/projects/{project}/locations/{region}"
            f"/jobs/{schedule.name}"
        )
        if status != 200:
            out.append(Check(name, FAIL, _error(status, job), CLOUD_FIX))
        elif job.get("state") != "ENABLED":
            out.append(
                Check(
                    name,
                    FAIL,
                    f"state {job.get('state')}: sessions do not close at their end",
                    f"gcloud scheduler jobs resume {schedule.name} --location={region}",
                )
            )
        else:
            out.append(Check(name, OK, f"ENABLED, {job.get('schedule')}"))
    return out


def _cloud_hosting(api: Api, project: str, scan_url: str) -> Check:
    status, body = api.get(
        f"https://firebasehosting.googleapis.com/v1beta1/projects/{project}/sites"
    )
    sites = body.get("sites", []) if status == 200 else []
    if not sites:
        return Check("hosting config", FAIL, f"no Hosting site ({_error(status, body)})", CLOUD_FIX)
    fix = "deploy the web app again (cloudbuild.yaml with _APPLY=true: `make deploy-hosting`)"
    found = [
        hosting_check(s["defaultUrl"] + "/rollcall-config.json", project, scan_url, fix)
        for s in sites
    ]
    return next((c for c in found if c.status == OK), found[0])


# -- the command ------------------------------------------------------------------------------


def run(project: str | None = None) -> list[Check]:
    return cloud_checks(project) if project else local_checks()


def report(checks: list[Check]) -> tuple[str, int]:
    failed = [c for c in checks if c.status == FAIL]
    lines = [c.line() for c in checks]
    counts = {s: sum(1 for c in checks if c.status == s) for s in (OK, FAIL, SKIP, NOTE)}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = "a working deploy" if not failed else f"{len(failed)} to fix"
    lines.append(f"doctor: {summary}: {verdict}")
    return "\n".join(lines), 1 if failed else 0


def cmd_doctor(args: Any) -> int:
    project = getattr(args, "project", None)
    text, code = report(run(project))
    print(text)
    return code


def add_commands(sub: Any) -> None:
    d = sub.add_parser(
        "doctor",
        help="check what a working deploy needs, one line per check with its fix "
        "(--project P after an apply; without it, the local stack)",
    )
    d.set_defaults(fn=cmd_doctor, cloud=True)
