"""Each shared contract exists once (functions/rollcall/contracts.json); everything that
restates part of it, in another language or format, is held to it here: the error
table, the API description, the security rules and the QR test vectors. The web app's
own tests hold web/src to the same file."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from rollcall import contracts, errors
from rollcall.core import events, qr, sessions, standing
from tests.paths import ROOT

OPENAPI = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
RULES = (ROOT / "firestore.rules").read_text()
VECTORS = json.loads((ROOT / "tests" / "data" / "qr-vectors.json").read_text())["vectors"]


def test_every_error_class_is_in_the_contract_with_its_status():
    table = {code: cls.status for code, cls in errors.REQUEST_ERRORS.items()}
    assert table == contracts.ERROR_STATUS


def test_the_openapi_error_enum_is_the_contract():
    enum = OPENAPI["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    assert sorted(enum["enum"]) == sorted(contracts.ERROR_STATUS)


def test_every_status_the_openapi_answers_belongs_to_an_error_code():
    answered = {
        int(status)
        for path in OPENAPI["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for status in operation.get("responses", {})
        if str(status)[0] in "45"
    }
    assert answered <= set(contracts.ERROR_STATUS.values())


def test_every_route_is_described_and_every_described_path_is_routed():
    """The API description and the router list the same doors (so the fuzz run, which
    reads the description, reaches every one)."""
    from rollcall.http.router import ROUTES

    described = {
        (re.sub(r"\{[^}]+\}", "x1", path), method.upper())
        for path, item in OPENAPI["paths"].items()
        for method in item
        if method in {"get", "post"}
    }
    routed = set()
    for path, method in described:
        matches = [r for r in ROUTES if r.method == method and r.pattern.fullmatch(path)]
        assert matches, f"{method} {path} is described but not routed"
        routed.update(matches)
    assert set(ROUTES) == routed, "routes missing from docs/openapi.yaml"
    kinds = OPENAPI["components"]["schemas"]["Planned"]["properties"]["kind"]["enum"]
    assert kinds == contracts.data()["timetable"]["kinds"]


def test_the_openapi_statuses_and_ids_are_the_contract():
    schemas = OPENAPI["components"]["schemas"]
    assert schemas["Override"]["properties"]["status"]["enum"] == list(contracts.OVERRIDE_STATUSES)
    assert (
        schemas["Close"]["properties"]["session_id"]["pattern"]
        == contracts.data()["ids"]["document"]
    )
    settings = schemas["CourseSettings"]["properties"]
    for name, spec in contracts.COURSE_SETTINGS.items():
        if spec["kind"] == "choice":
            assert settings[name]["enum"] == spec["choices"], name
        elif spec["kind"] == "boolean":
            assert settings[name]["type"] == "boolean", name
        else:
            assert (settings[name]["minimum"], settings[name]["maximum"]) == (
                spec["min"],
                spec["max"],
            ), name
        assert settings[name].get("nullable", False) == spec.get("nullable", False), name
    stored = schemas["CourseSettingsStored"]["properties"]["rules"]
    assert set(stored["required"]) == set(contracts.COURSE_SETTINGS)


def test_no_client_writes_a_session():
    """Sessions are opened by POST /sessions (the server's clock and limits): the rules
    let no client create, change or delete one, so they restate none of its limits."""
    block = RULES[RULES.index("match /sessions/{sessionId} {") :]
    block = block[: block.index("match /attendance/{uid}")]
    assert re.findall(r"allow (\w+)", block) == ["read"]
    assert "validNewSession" not in RULES
    assert "d.rotation_seconds" not in RULES


def test_the_server_uses_the_contract():
    assert contracts.ROTATION_SECONDS.default == sessions.DEFAULT_ROTATION_SECONDS
    assert events.OVERRIDE_STATUSES == contracts.OVERRIDE_STATUSES
    assert standing.STATUSES == contracts.RECORD_STATUSES
    states = (standing.BELOW, standing.AT_RISK, standing.BEHIND, standing.OK)
    assert states == contracts.STANDING_STATES
    assert standing.ALERTS == contracts.ALERTS
    assert qr.CODE_DIGITS == contracts.CODE_DIGITS
    assert re.fullmatch(contracts.SESSION_SECRET, qr.new_secret())
    defaults = standing.Rules().describe()
    assert defaults == {name: spec["default"] for name, spec in contracts.COURSE_SETTINGS.items()}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['session_id']}/{v['window']}")
def test_qr_vectors(vector):
    secret = qr.decode_secret(vector["secret"])
    assert qr.mint(secret, vector["session_id"], vector["window"]) == vector["token"]
    assert qr.typed_code(secret, vector["session_id"], vector["window"]) == vector["code"]


def test_the_rules_hold_the_languages_and_the_notice_version():
    """users/{uid}.language and .notice.version (decision 0031): the rules restate the
    contract's language codes and its notice version, so they must be those."""
    codes = ", ".join(f"'{c}'" for c in contracts.LANGUAGES)
    assert f"data.language in [{codes}]" in RULES
    v = contracts.NOTICE_VERSION
    assert f"data.notice.version >= 1 && data.notice.version <= {v}" in RULES
