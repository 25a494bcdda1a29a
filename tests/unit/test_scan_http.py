"""The scan endpoint's rejections that need no cloud service, through its HTTP
contract (functions-framework's app, as deployed), and the error table itself."""

import pytest
from functions_framework import create_app

from rollcall import errors
from tests.paths import FUNCTIONS_MAIN


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    monkeypatch.setenv("CORS_ORIGINS", "https://rollcall.example")
    from rollcall.config import settings

    settings.cache_clear()
    yield create_app("scan", str(FUNCTIONS_MAIN), "http").test_client()
    settings.cache_clear()


def error_of(resp):
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return resp.status_code, body["error"]["code"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(client, method):
    resp = client.open("/", method=method)
    assert error_of(resp) == (405, "method_not_allowed")
    assert resp.headers["Allow"] == "POST, OPTIONS"


def test_unknown_path_is_404(client):
    resp = client.post("/admin", json={})
    assert error_of(resp) == (404, "not_found")


@pytest.mark.parametrize("path", ["/exports/sessions/%0Ax.csv", "/%0A", "/overrides%0A"])
def test_a_path_the_router_refuses_is_the_same_json_404(client, path):
    # Flask's catch-all route does not match a newline: its own HTML 404 was the
    # answer until main.py registered a handler (found by the fuzz test).
    resp = client.get(path)
    assert error_of(resp) == (404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_exports_answer_only_get(client, method):
    resp = client.open("/exports/courses/c1.csv", method=method)
    assert error_of(resp) == (405, "method_not_allowed")
    assert resp.headers["Allow"] == "GET, OPTIONS"


def test_close_and_exports_need_a_sign_in(client):
    assert error_of(client.post("/sessions/close", json={"session_id": "s1"})) == (
        401,
        "unauthenticated",
    )
    assert error_of(client.get("/exports/sessions/s1.csv")) == (401, "unauthenticated")


def test_body_over_limit_is_413(client):
    resp = client.post("/", data=b"x" * 5000, content_type="application/json")
    assert error_of(resp) == (413, "payload_too_large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_is_415(client, content_type):
    resp = client.post("/", data=b'{"qr": "x"}', content_type=content_type)
    assert error_of(resp) == (415, "unsupported_media_type")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "token"])
def test_missing_or_malformed_authorization_is_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    resp = client.post(
        "/", json={"qr": "1.s.1.AAAAAAAAAAAAAAAA", "device_id": "d"}, headers=headers
    )
    assert error_of(resp) == (401, "unauthenticated")


def test_preflight_from_allowed_origin_gets_cors_headers(client):
    resp = client.options("/", headers={"Origin": "https://rollcall.example"})
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "https://rollcall.example"
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_headers(client):
    resp = client.options("/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = client.post("/", json={}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_an_error_answers_its_code_and_message():
    # The table of codes and statuses is the contract's (tests/unit/test_contracts.py).
    assert errors.QrExpired("gone").to_json() == {
        "error": {"code": "qr_expired", "message": "gone"}
    }
    assert errors.QrExpired.status == 403


def test_the_server_time_is_public_and_not_cached(client):
    import time

    before = time.time() * 1000
    resp = client.get("/time")
    after = time.time() * 1000
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert int(before) <= resp.get_json()["epoch_ms"] <= after
    assert error_of(client.post("/time", json={})) == (405, "method_not_allowed")
