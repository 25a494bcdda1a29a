"""rollcall.clients: the Admin SDK app is made once even when a cold instance's first
requests ask for it at the same time (functools.cache does not lock)."""

from __future__ import annotations

import threading

import firebase_admin
import pytest

from rollcall import clients
from rollcall.config import settings


@pytest.fixture
def fresh_app(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    settings.cache_clear()
    clients.firebase_app.cache_clear()
    try:
        firebase_admin.delete_app(firebase_admin.get_app(clients.FIREBASE_APP))
    except ValueError:
        pass
    yield
    clients.firebase_app.cache_clear()
    firebase_admin.delete_app(firebase_admin.get_app(clients.FIREBASE_APP))
    settings.cache_clear()


def test_first_calls_at_once_share_one_app(fresh_app, monkeypatch):
    # The SDK's own initialize_app, where the first call waits for a second one to
    # enter: without the lock a second enters and the calls overlap every time (15 of
    # 16 then fail "already exists"); with it none does, and the wait ends at its bound.
    make = firebase_admin.initialize_app
    entered: list[int] = []
    second = threading.Event()

    def slow_make(*args, **kwargs):
        entered.append(1)
        if len(entered) > 1:
            second.set()
        else:
            second.wait(timeout=1)
        return make(*args, **kwargs)

    monkeypatch.setattr(firebase_admin, "initialize_app", slow_make)
    start = threading.Barrier(16)
    got: list[object] = []
    failed: list[BaseException] = []

    def first_request() -> None:
        start.wait()
        try:
            got.append(clients.firebase_app())
        except BaseException as error:  # what a request would have answered 500 with
            failed.append(error)

    threads = [threading.Thread(target=first_request) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(got) == 16 and len({id(app) for app in got}) == 1
    assert got[0].project_id == "demo-unit"
