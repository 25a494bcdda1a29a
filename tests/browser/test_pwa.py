"""The student page as an installable web app (decision 0010), in real Chromium against
the whole local stack: the manifest and its icons, the service worker (installs,
controls the scan page only, opens the page with the network off; the offline outbox
then delivers the scan through the real pipeline), and push registration (the device
token in users/{uid}.fcm_tokens, a scan's push at the FCM stand-in addressed to it, the
service worker showing that push, turning off). Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import json
import os
import re
import struct
import time
import uuid
from typing import Any

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin
from tests.browser.conftest import PHONE, close_page, pump_until
from tests.paths import ROOT
from tests.support import wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("pwa")
PASSWORD = admin.DEMO_PASSWORD
BRAND = "#1d3b8f"  # --brand in web/src/style.css
BACKGROUND = "#f3f4f6"  # --bg


@pytest.fixture(scope="module")
def session_id(stack) -> str:
    """One session for the module (typed codes name no session: the scan function
    looks up the course's open sessions, cached for 5 s, so none is opened later)."""
    admin.seed(COURSE, 0, course_name="Mobile Computing")
    return admin.open_session(COURSE, rotation=60, late_after=10, duration=60)


def new_student() -> tuple[str, str]:
    """A fresh student enrolled in the course, with no device token yet: (uid, email)."""
    tag = uuid.uuid4().hex[:8]
    uid, email = f"pwa-{tag}", f"pwa-{tag}@rollcall.test"
    admin.ensure_user(uid, email, PASSWORD, f"Pat {tag[:4]}")
    admin.db().document(f"courses/{COURSE}/enrollments/{uid}").set(
        {"uid": uid, "name": f"Pat {tag[:4]}", "email": email}
    )
    return uid, email


def code_now(session_id: str) -> str:
    """The current window's typed code (valid for this window and the next: >= 60 s)."""
    s = admin.load_session(session_id)
    return qr.typed_code(s.secret, s.id, qr.window_at(now().timestamp(), s.rotation_seconds))


def student_page(web, email: str, permissions: tuple[str, ...] = ()):
    page = web.page("/scan.html", device=PHONE)
    if permissions:
        page.context.grant_permissions(list(permissions), origin=web.url)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    return page


def wait_controlled(page) -> None:
    """The service worker has precached the page, activated and claimed it."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def built_precache() -> dict[str, Any]:
    """The {version, files} the build wrote into web/dist/sw.js."""
    source = (ROOT / "web" / "dist" / "sw.js").read_text()
    return json.loads(re.search(r"const MANIFEST = (\{.*?\});", source).group(1))


def fcm_messages(token: str) -> list[dict]:
    resp = requests.get(
        f"{os.environ['FCM_ENDPOINT']}/messages", params={"token": token}, timeout=10
    )
    resp.raise_for_status()
    return resp.json()["messages"]


def user_tokens(uid: str) -> dict[str, Any]:
    snap = admin.db().document(f"users/{uid}").get()
    return (snap.to_dict() or {}).get("fcm_tokens") or {} if snap.exists else {}


def has_record(session_id: str, uid: str) -> bool:
    return admin.db().document(f"sessions/{session_id}/attendance/{uid}").get().exists


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG"
    return struct.unpack(">II", data[16:24])


# ---- manifest --------------------------------------------------------------------------------


def test_manifest_is_served_valid_and_chromium_finds_the_page_installable(web, session_id):
    resp = requests.get(f"{web.url}/manifest.webmanifest", timeout=10)
    assert resp.status_code == 200
    manifest = resp.json()
    assert manifest["name"] == "Rollcall check-in"
    assert manifest["short_name"] == "Rollcall"
    assert manifest["start_url"] == "/scan.html"
    assert manifest["scope"] == "/scan.html"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == BRAND
    assert manifest["background_color"] == BACKGROUND
    style = (ROOT / "web" / "src" / "style.css").read_text()
    assert f"--brand: {BRAND};" in style and f"--bg: {BACKGROUND};" in style

    purposes: dict[str, set[int]] = {"any": set(), "maskable": set()}
    for icon in manifest["icons"]:
        got = requests.get(web.url + icon["src"], timeout=10)
        assert got.status_code == 200, icon["src"]
        assert got.headers["Content-Type"].startswith(icon["type"]), icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(got.content)
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
            purposes[icon["purpose"]].add(width)
    assert purposes == {"any": {192, 512}, "maskable": {192, 512}}

    # Chromium's own view: the page links the manifest, it parses without errors, and
    # nothing stands in the way of installing the page.
    page = web.page("/scan.html", device=PHONE)
    page.wait_for_selector("#signin-email")
    assert page.get_attribute('meta[name="theme-color"]', "content") == BRAND
    cdp = page.context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"] == f"{web.url}/manifest.webmanifest"
    assert parsed["errors"] == []
    wait_controlled(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A Playwright context is an incognito profile, where Chromium installs nothing;
    # that is the only objection (a missing icon, start_url or display would be listed).
    assert [e["errorId"] for e in errors] == ["in-incognito"]
    web.shot(page, "01-signin-installable")


# ---- service worker and offline --------------------------------------------------------------


def test_service_worker_controls_the_scan_page_which_opens_and_queues_offline(web, session_id):
    uid, email = new_student()
    page = student_page(web, email)
    wait_controlled(page)
    registration = page.evaluate(
        """async () => {
            const r = await navigator.serviceWorker.getRegistration();
            return {scope: r.scope, script: r.active.scriptURL, caches: await caches.keys()};
        }"""
    )
    precache = built_precache()
    assert registration["scope"] == f"{web.url}/scan.html"
    assert registration["script"] == f"{web.url}/sw.js"
    assert registration["caches"] == [f"rollcall-precache-{precache['version']}"]
    cached = page.evaluate(
        """async (name) => (await (await caches.open(name)).keys())
            .map((r) => new URL(r.url).pathname).sort()""",
        f"rollcall-precache-{precache['version']}",
    )
    assert cached == sorted(precache["files"])
    assert "/scan.html" in cached and "/manifest.webmanifest" in cached
    # the scan page's chunks, including the ones loaded later (Firestore, messaging)
    assert len([f for f in cached if f.endswith(".js")]) >= 5
    assert not [
        f for f in cached if f.endswith(".map") or f in ("/index.html", "/rollcall-config.json")
    ]

    # The teacher dashboard, on the same origin and in the same browser, is not under it.
    dashboard = page.context.new_page()
    dashboard.goto(f"{web.url}/")
    dashboard.wait_for_selector("#signin-email, #signout")
    assert dashboard.evaluate("navigator.serviceWorker.controller") is None
    close_page(dashboard)

    # Network off: the page still opens, from the service worker's cache.
    page.context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#typed-code")
    assert page.locator("#scan-title").inner_text() == "Check in"
    assert page.evaluate("navigator.serviceWorker.controller") is not None
    # really offline: the network (for the page, and for the worker) fails
    probe = "(url) => fetch(url, {cache: 'no-store'}).then((r) => r.status, () => 'offline')"
    assert page.evaluate(probe, "/index.html") == "offline"  # not precached: the network
    assert page.evaluate(probe, "/rollcall-config.json") == "offline"  # network first, no copy
    web.shot(page, "02-offline-reloaded")

    # A typed code is kept as pending ...
    code = code_now(session_id)
    taken = time.monotonic()
    page.fill("#typed-code", code)
    page.click("#typed-submit")
    page.wait_for_selector("#result[data-state=pending]")
    assert page.locator("#result-title").inner_text() == "No connection: pending"
    web.shot(page, "03-offline-pending")
    stored = page.evaluate("JSON.parse(localStorage.getItem('rollcall.scan_queue.v1'))")
    assert [(e["kind"], e["value"]) for e in stored["pending"]] == [("code", code)]
    assert not has_record(session_id, uid)

    # ... and delivered when the network is back: accepted, recorded by the pipeline.
    page.context.set_offline(False)
    page.wait_for_selector("#result[data-state=accepted]", timeout=15_000)
    assert time.monotonic() - taken < 60, "within the code's validity"
    wait_for(lambda: has_record(session_id, uid), timeout=20)
    page.wait_for_selector("#result-recorded[data-recorded=true]", timeout=20_000)
    web.shot(page, "04-back-online-recorded")


# ---- push ----------------------------------------------------------------------------------


def deliver_push(page, web, payload: dict) -> None:
    """Hand a push message to the page's service worker, as the browser's push service
    would (the local stack has no FCM to do it)."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    # the registrations arrive as CDP events, which are handled while Playwright waits
    registration = pump_until(
        page,
        lambda: next((r for r in registrations if r["scopeURL"] == f"{web.url}/scan.html"), None),
    )
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": web.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )


def test_notifications_on_store_a_token_the_fcm_stand_in_gets_a_scan_push_then_off(web, session_id):
    uid, email = new_student()
    page = student_page(web, email, permissions=("notifications",))
    card = page.locator("#notify")
    card.wait_for()
    assert card.get_attribute("data-state") == "off"
    assert page.locator("#notify-toggle").inner_text() == "Turn on notifications"
    assert user_tokens(uid) == {}
    web.shot(page, "01-notifications-off", full_page=True)

    page.click("#notify-toggle")
    page.wait_for_selector("#notify[data-state=on]")
    assert page.locator("#notify-toggle").inner_text() == "Turn off notifications"
    token = page.evaluate(
        "uid => JSON.parse(localStorage.getItem('rollcall.push.v1'))[uid].token", uid
    )
    assert token.startswith("local-web-")
    tokens = wait_for(lambda: user_tokens(uid))
    assert list(tokens) == [token]
    assert tokens[token]["platform"] == "web" and tokens[token]["push"] == "local"
    web.shot(page, "02-notifications-on", full_page=True)

    # A scan: the notify consumer pushes to the token, via the FCM stand-in.
    wait_controlled(page)
    page.fill("#typed-code", code_now(session_id))
    page.click("#typed-submit")
    page.wait_for_selector("#result[data-state=accepted]", timeout=15_000)
    messages = wait_for(lambda: fcm_messages(token), timeout=20)
    assert len(messages) == 1
    sent = messages[0]["message"]
    assert sent["token"] == token
    # The course and the session's time, in the institution's time zone (TIME_ZONE).
    assert sent["notification"]["title"] == "Attendance recorded: Mobile Computing"
    assert re.fullmatch(
        r"You were marked present for Mobile Computing, \w{3} \d{1,2} \w{3}, \d\d:\d\d\.",
        sent["notification"]["body"],
    ), sent["notification"]["body"]
    assert sent["webpush"]["notification"]["tag"] == f"rollcall-{session_id}"
    assert sent["data"]["session_id"] == session_id

    # That push, as FCM delivers it to a browser, is shown by the service worker.
    deliver_push(
        page,
        web,
        {
            "from": "000000000000",
            "fcmMessageId": messages[0]["name"],
            "notification": {**sent["notification"], **sent["webpush"]["notification"]},
            "data": sent["data"],
        },
    )
    shown = "async () => (await (await navigator.serviceWorker.ready).getNotifications())" + (
        ".map((n) => ({title: n.title, body: n.body, tag: n.tag}))"
    )
    # wait_for_function would take the async function's promise as truthy at once: poll.
    wait_for(lambda: page.evaluate(shown), timeout=10)
    # The notification shown is the one the consumer sent: same title, body and tag.
    assert page.evaluate(shown) == [
        {
            "title": sent["notification"]["title"],
            "body": sent["notification"]["body"],
            "tag": f"rollcall-{session_id}",
        }
    ]

    # Off: the token leaves users/{uid}; the next visit shows it off.
    page.click("#done")
    page.click("#notify-toggle")
    page.wait_for_selector("#notify[data-state=off]")
    wait_for(lambda: token not in user_tokens(uid))
    assert page.evaluate("JSON.parse(localStorage.getItem('rollcall.push.v1'))") == {}
    page.reload()
    page.wait_for_selector("#notify[data-state=off]")
    web.shot(page, "03-notifications-turned-off", full_page=True)


def test_notifications_refused_by_the_browser_say_so_and_store_nothing(web, session_id):
    uid, email = new_student()
    page = student_page(web, email)  # no permission granted: headless Chromium refuses
    page.click("#notify-toggle")
    page.wait_for_selector("#notify[data-state=blocked]")
    assert "blocked for this site" in page.locator("#notify-text").inner_text()
    assert page.locator("#notify-toggle").inner_text() == "Try again"
    assert page.evaluate("localStorage.getItem('rollcall.push.v1')") is None
    assert user_tokens(uid) == {}
    web.shot(page, "notifications-refused", full_page=True)


def test_turning_notifications_on_offline_says_to_wait(web, session_id):
    _, email = new_student()
    page = student_page(web, email, permissions=("notifications",))
    page.context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    page.click("#notify-toggle")
    assert page.locator("#notify-error").inner_text() == (
        "You are offline. Turn notifications on when the connection is back."
    )
    assert page.get_attribute("#notify", "data-state") == "off"
