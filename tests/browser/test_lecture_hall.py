"""The lecture hall as it really is, in Chromium against the whole local stack: a
teacher's laptop whose clock is off, the projector view the room sees (nothing
personal) beside the teacher's panel, a 500-student burst measured on both screens,
typed codes refused for what they are, alerts that wait, messages with their course
and session, the scanner's range with the phone's fake camera, and the smaller things
(focus after sign-in, the short link, no source maps). Screens at 1920x1080 (the
projector) and 390x844 / 360x640 (phones); screenshots in test-artifacts/browser/."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall.core.sessions import LATELY, Session
from rollcall.http.scan import CODE_LOOKBACK_SECONDS
from rollcall_ops import admin, auth_emulator, lecture
from tests.browser.conftest import (
    HALL,
    PHONE,
    SMALL_PHONE,
    close_context,
    launch,
    pump_until,
    token_of_link,
    write_y4m,
)
from tests.support import wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("hall")
COURSE_NAME = "Distributed Systems"
STUDENTS = 14
TEACHER = f"teacher-{COURSE}@rollcall.test".lower()
PASSWORD = admin.DEMO_PASSWORD


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, STUDENTS, course_name=COURSE_NAME)
    return COURSE


# ---- helpers ---------------------------------------------------------------------------------


def open_session(course_id: str = COURSE, rotation: int = 5, late_after: int = 10) -> str:
    return admin.open_session(course_id, rotation=rotation, late_after=late_after, duration=60)


def window_now(session_id: str) -> int:
    s = admin.load_session(session_id)
    return qr.window_at(now().timestamp(), s.rotation_seconds)


def code_at(session_id: str, windows_ago: int = 0) -> str:
    s = admin.load_session(session_id)
    return qr.typed_code(s.secret, s.id, window_now(session_id) - windows_ago)


def token_at(session_id: str, windows_ago: int = 0) -> str:
    s = admin.load_session(session_id)
    return qr.mint(s.secret, s.id, window_now(session_id) - windows_ago)


def a_code_no_session_showed() -> str:
    """A 6-digit code that no session the scan path looks at (open, or closed within
    LATELY) showed within twice the look-back, nor will in the next minute: with the
    whole suite's sessions on one stack, a fixed "000000" is sometimes a real code of
    another course (refused as not_enrolled, rightly)."""
    at = time.time()
    shown = set()
    for snap in admin.db().collection("sessions").stream():
        doc = snap.to_dict() or {}
        session = Session.from_doc(snap.id, doc)
        if not session.is_open(now()) and (doc.get("closed_at") or now()) < now() - LATELY:
            continue
        current = qr.window_at(at, session.rotation_seconds)
        back = 2 * CODE_LOOKBACK_SECONDS // session.rotation_seconds
        ahead = 60 // session.rotation_seconds + 1
        for window in range(current - back, current + ahead + 1):
            shown.add(qr.typed_code(session.secret, session.id, window))
    return next(c for c in (f"{n * 7919 % 10**6:06d}" for n in range(1, 1000)) if c not in shown)


def api_scan(email: str, device: str, *, token: str | None = None, code: str | None = None):
    id_token = auth_emulator.sign_in(email, PASSWORD)
    body = {"qr": token} if token is not None else {"code": code}
    return requests.post(
        os.environ["SCAN_URL"],
        json={**body, "device_id": device},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=15,
    )


def teacher_call(path: str, body: dict, teacher: str = TEACHER) -> requests.Response:
    token = auth_emulator.sign_in(teacher, PASSWORD)
    return requests.post(
        os.environ["SCAN_URL"].rstrip("/") + "/" + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def new_student(course_id: str = COURSE, name: str | None = None) -> tuple[str, str, str]:
    """A fresh student (uid, email, name) enrolled in the course."""
    tag = uuid.uuid4().hex[:8]
    uid, email, name = f"hall-{tag}", f"hall-{tag}@rollcall.test", name or f"Hall Student {tag[:4]}"
    admin.ensure_user(uid, email, PASSWORD, name)
    admin.db().document(f"courses/{course_id}/enrollments/{uid}").set(
        {"uid": uid, "name": name, "email": email}
    )
    return uid, email, name


def outsider() -> tuple[str, str]:
    email = f"visitor-{uuid.uuid4().hex[:8]}@rollcall.test"
    uid, _ = auth_emulator.sign_up(email, PASSWORD)
    auth_emulator.verify_email(email, PASSWORD)
    return uid, email


def projector(web, session_id: str, clock: Any = False, teacher: str = TEACHER):
    page = web.page(f"/#/session/{session_id}", device=HALL, clock=clock)
    web.sign_in(page, teacher, PASSWORD)
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#projector[data-clock=server]")
    return page


def panel(web, session_id: str, rows: int, teacher: str = TEACHER):
    page = web.page(f"/#/session/{session_id}/panel", device=HALL)
    page.set_default_timeout(60_000)
    web.sign_in(page, teacher, PASSWORD)
    page.wait_for_function(
        "n => document.querySelectorAll('#roster-body tr[data-uid]').length >= n", arg=rows
    )
    return page


def student_page(web, email: str, device: dict | None = None, **kw: Any):
    page = web.page("/scan.html", device=device or PHONE, **kw)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    return page


def next_window(page, selector: str = "#qr") -> None:
    """Wait until the projector shows its next code."""
    shown = int(page.get_attribute(selector, "data-window"))
    page.wait_for_function(
        "([sel, w]) => Number(document.querySelector(sel)?.dataset.window) > w",
        arg=[selector, shown],
        timeout=15_000,
    )


# ---- 1. a laptop whose clock is off ---------------------------------------------------------

#: What the projector shows now, read at once: the QR code's token and link, the typed code.
SHOWN_CODE = """() => {
  const qr = document.querySelector('#qr');
  const typed = document.querySelector('#typed-code');
  return { token: qr.dataset.token, link: qr.dataset.link, window: qr.dataset.window,
           code: typed.dataset.code, codeWindow: typed.dataset.window };
}"""

#: How far the teacher's laptop is off: positive is fast.
SKEWS = {"25s-slow": -25, "25s-fast": 25, "10min-slow": -600, "10min-fast": 600}


@pytest.mark.parametrize("label", list(SKEWS))
def test_a_laptop_whose_clock_is_off_shows_codes_every_scan_passes(web, course, label):
    """The page learns its offset from GET /time and shows the server's code, counts
    down to the server's boundary, and warns the teacher; a session opened from it
    starts on the server's clock. 10 students scan what the screen shows over three
    windows (QR and typed codes): all accepted, all on time."""
    skew = SKEWS[label]
    laptop = datetime.now(UTC) + timedelta(seconds=skew)
    page = web.page("/", device=HALL, clock=laptop)
    web.sign_in(page, TEACHER, PASSWORD)
    if abs(skew) >= 600:
        # opened from the skewed laptop itself: POST /sessions, on the server's clock
        page.goto(f"{web.url}/#/course/{COURSE}")
        card = page.locator(f'article[data-course="{COURSE}"]')
        card.locator("button.open-session-toggle").click()
        page.fill(f"#rotation-{COURSE}", "5")
        page.fill(f"#late-{COURSE}", "1")
        page.fill(f"#duration-{COURSE}", "30")
        page.locator(f'form.open-session[data-course="{COURSE}"] button[type=submit]').click()
        page.wait_for_function("() => location.hash.startsWith('#/session/')")
        session_id = page.evaluate("() => location.hash").rsplit("/", 1)[1]
        doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
        assert abs((doc["starts_at"] - now()).total_seconds()) < 30, "the server's start"
    else:
        session_id = admin.open_session(COURSE, rotation=5, late_after=1, duration=30)
        page.goto(f"{web.url}/#/session/{session_id}")
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#projector[data-clock=server]")
    offset = int(page.get_attribute("#projector", "data-offset-ms"))
    assert abs(offset + skew * 1000) < 1500, offset
    warning = page.locator("#clock-warning")
    words = {-25: "25 secs slow", 25: "25 secs fast", -600: "10 mins slow", 600: "10 mins fast"}
    expected = words[skew]
    assert f"This computer's clock is {expected}" in warning.inner_text()
    assert page.locator("#session-state").inner_text().startswith("On time until")
    web.shot(page, "projector")

    outcomes = []
    for i in range(10):
        if i in (4, 7):
            next_window(page)
        shown = page.evaluate(SHOWN_CODE)  # one read: the code may change between two
        assert token_of_link(shown["link"]) == shown["token"], shown
        assert shown["window"] == shown["codeWindow"], shown
        send = {"code": shown["code"]} if i % 2 else {"token": shown["token"]}
        # A 503 `unavailable` (the scan function's Firestore deadline, on a loaded
        # machine) is sent again as the phone's outbox does; the code stays accepted a
        # window longer.
        for _ in range(3):
            r = api_scan(admin.student_email(i + 1), f"skew-{label}-{i}", **send)
            outcome = r.json().get("status") or r.json()["error"]["code"]
            if outcome != "unavailable":
                break
        outcomes.append(outcome)
    print(f"\nlaptop {label}: offset learnt {offset} ms; 10 scans: {outcomes}")
    assert outcomes == ["present"] * 10


# ---- 2. the projector view for the room, the teacher's panel for the teacher ----------------


def test_the_projector_shows_the_room_nothing_personal_the_panel_shows_the_teacher_all(web, course):
    session_id = open_session(rotation=10)
    admin.db().document(f"sessions/{session_id}").update(
        {"division": "A", "batch": "A1", "kind": "theory", "room": "LH-2"}
    )
    page = projector(web, session_id)
    assert page.locator("#course-name").inner_text() == COURSE_NAME
    assert (
        page.locator("#session-facts").inner_text() == "Division A · Batch A1 · Theory · Room LH-2"
    )

    # three check in (one by the typed code), one phone is used twice, a stranger scans
    # the code, and the teacher excuses someone
    shared = f"hall-phone-{uuid.uuid4().hex[:6]}"
    assert api_scan(admin.student_email(1), shared, token=token_at(session_id)).status_code == 202
    assert api_scan(admin.student_email(2), "hall-p2", code=code_at(session_id)).status_code == 202
    assert (
        api_scan(admin.student_email(3), "hall-p3", token=token_at(session_id)).status_code == 202
    )
    assert api_scan(admin.student_email(4), shared, token=token_at(session_id)).status_code == 409
    stranger_uid, stranger = outsider()
    assert api_scan(stranger, "hall-visitor", token=token_at(session_id)).status_code == 403
    resp = teacher_call(
        "overrides",
        {
            "session_id": session_id,
            "uid": admin.student_uid(5),
            "status": "excused",
            "reason": "Sports meet",
        },
    )
    assert resp.status_code == 202, resp.text
    page.wait_for_function(
        "() => document.querySelector('#count-total').textContent === '3'", timeout=15_000
    )
    web.shot(page, "01-projector-1080p")
    web.shot(page, "02-projector-whole-page", full_page=True)

    # Nothing on the page, scrolled to its end or in any attribute, names anyone.
    shown = page.evaluate(
        """() => [document.body.innerText, ...[...document.querySelectorAll('*')]
            .flatMap((el) => [...el.attributes].map((a) => a.value))].join('\\n')"""
    )
    personal = [TEACHER, stranger, stranger_uid]
    for i in range(1, STUDENTS + 1):
        personal += [admin.student_email(i), admin.student_uid(i), f"Student {i:03d}"]
    assert [p for p in personal if p in shown] == []
    for word in ("Rejected", "Excused", "Not enrolled", "Present", "Late", "Absent"):
        assert word not in page.evaluate("() => document.body.innerText"), word
    assert page.locator("#roster, #rejections, #override-dialog").count() == 0
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 1080, "nothing below"

    # The teacher's panel, in a window of its own: who, why, and what to do.
    with page.context.expect_page() as opened:
        page.click("#open-panel")
    teacher = opened.value
    teacher.set_viewport_size({"width": 1920, "height": 1080})
    teacher.wait_for_function(
        "n => document.querySelectorAll('#roster-body tr[data-uid]').length >= n", arg=STUDENTS
    )
    teacher.wait_for_selector(f'#rejections-body tr[data-uid="{stranger_uid}"]', timeout=15_000)
    row = teacher.locator(f'#rejections-body tr[data-uid="{stranger_uid}"]')
    assert stranger in row.inner_text() and stranger_uid not in row.inner_text()
    assert "Not on the class list" in row.inner_text()
    assert row.locator("button.copy-email").count() == 1
    phone = teacher.locator(
        f'#rejections-body tr[data-uid="{admin.student_uid(4)}"][data-code=device_in_use]'
    )
    phone.wait_for()
    # a student on the class list whose scan was refused can be marked present from here
    phone.locator("button", has_text="Change").click()
    teacher.wait_for_selector("#override-dialog[open]")
    assert "Student 004" in teacher.locator("#override-title").inner_text()
    teacher.click("#override-cancel")
    teacher.wait_for_function(
        "uid => document.querySelector(`#roster-body tr[data-uid='${uid}']`)?.dataset.status"
        " === 'excused'",
        arg=admin.student_uid(5),
        timeout=15_000,
    )
    web.shot(teacher, "03-teacher-panel", full_page=True)
    web.shot(teacher, "04-teacher-panel-1080p")


# ---- 3. a 500-student burst: no freeze ------------------------------------------------------

BURST_COURSE = admin.demo_course("hallburst")
BURST = 500
#: The demo's rotation: a scan that waits 10 s in a loaded server's queue still passes.
ROTATION = 10

#: The page's long tasks (the Long Tasks API: over 50 ms of wall time), each with its
#: start (ms of the page's performance clock).
WATCH_LONG_TASKS = """() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: "longtask" });
}"""

#: On the projector: each change of the code, when it happened (the page's clock).
WATCH_CODE = """() => {
  const qr = document.querySelector('#qr');
  window.__codes = [{ window: Number(qr.dataset.window), at: Date.now() }];
  new MutationObserver(() => {
    const w = Number(qr.dataset.window);
    if (w && w !== window.__codes.at(-1).window) window.__codes.push({ window: w, at: Date.now() });
  }).observe(qr, { attributes: true, attributeFilter: ['data-window'] });
}"""

#: How late each code was replaced after its window ended (ms; negative: early), and
#: whether the code on screen now is still within its window.
CODE_LATENESS = """() => {
  const p = document.querySelector('#projector');
  const offset = Number(p.dataset.offsetMs);
  const rotation = Number(window.__rotation);
  const codes = window.__codes;
  const late = [];
  for (let i = 1; i < codes.length; i++) {
    const ended = (codes[i - 1].window + 1) * rotation * 1000 - offset;  // page's clock
    late.push(codes[i].at - ended);
    if (codes[i].window !== codes[i - 1].window + 1) late.push(Infinity);  // a window skipped
  }
  const current = codes.at(-1);
  const nowLate = Date.now() - ((current.window + 1) * rotation * 1000 - offset);
  return { late, nowLate, changes: codes.length - 1 };
}"""


#: On the panel: how many class-list rows each DOM update touched (a row per student
#: whose record changed, never the whole list again).
WATCH_ROWS = """() => {
  const body = document.querySelector('#roster-body');
  window.__rows = { touched: 0, updates: 0, most: 0 };
  new MutationObserver((records) => {
    const rows = new Set();
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const row = node?.closest('tr[data-uid]');
      if (row) rows.add(row);
      else if (r.target === body) rows.add('list');
    }
    window.__rows.touched += rows.size;
    window.__rows.updates += 1;
    window.__rows.most = Math.max(window.__rows.most, rows.size);
  }).observe(body, { subtree: true, childList: true, attributes: true, characterData: true });
}"""


#: The main thread's top-level work in Chromium's trace: a task, or a microtask
#: checkpoint run outside any task (where a fetch stream's data is handled: Firestore's
#: listen stream).
TOP_LEVEL = {
    "ThreadControllerImpl::RunTask": "task",
    "BlinkScheduler_PerformMicrotaskCheckpoint": "stream",
}


class MainThreads:
    """Chromium's own trace of the pages' main threads while it runs (CDP Tracing of the
    top-level work only, as much as the buffer holds; a lost event fails the
    measurement): each piece of work over 50 ms of wall time as (wall ms, thread CPU ms,
    "task" or "stream"), the same the Long Tasks API counts. Work can take long because
    it computes, or because its thread waited for a CPU: here the local stack shares two
    cores with the browser and the 500 simulated phones."""

    def __init__(self, browser: Any, pages: dict[str, Any]) -> None:
        self.pages = pages
        self.done: list[dict] = []
        self.cdp = browser.new_browser_cdp_session()
        self.cdp.on("Tracing.tracingComplete", lambda event: self.done.append(event))
        self.cdp.send(
            "Tracing.start",
            {
                "traceConfig": {
                    "recordMode": "recordAsMuchAsPossible",
                    "includedCategories": ["toplevel", "blink.user_timing"],
                },
                "transferMode": "ReturnAsStream",
            },
        )
        for name, page in pages.items():  # which process is which page
            page.evaluate("name => performance.mark(`rollcall-trace-${name}`)", name)

    def stop(self) -> dict[str, list[tuple[int, int, str]]]:
        self.cdp.send("Tracing.end")
        pump_until(next(iter(self.pages.values())), lambda: self.done, timeout=60)
        assert not self.done[0].get("dataLossOccurred"), "the trace lost events"
        stream, data = self.done[0]["stream"], []
        while True:
            chunk = self.cdp.send("IO.read", {"handle": stream, "size": 1 << 20})
            raw = chunk["data"]
            data.append(base64.b64decode(raw) if chunk.get("base64Encoded") else raw.encode())
            if chunk.get("eof"):
                break
        self.cdp.send("IO.close", {"handle": stream})
        self.cdp.detach()
        events = json.loads(b"".join(data))
        events = events["traceEvents"] if isinstance(events, dict) else events
        page_of = {
            e["pid"]: e["name"].removeprefix("rollcall-trace-")
            for e in events
            if e.get("name", "").startswith("rollcall-trace-")
        }
        assert set(page_of.values()) == set(self.pages), page_of
        main = {
            (e["pid"], e["tid"])
            for e in events
            if e.get("ph") == "M"
            and e.get("name") == "thread_name"
            and e.get("args", {}).get("name") == "CrRendererMain"
        }
        work = sorted(
            (e["pid"], e["ts"], e.get("dur", 0), e.get("tdur", 0), TOP_LEVEL[e["name"]])
            for e in events
            if e.get("ph") == "X"
            and e.get("name") in TOP_LEVEL
            and e.get("pid") in page_of
            and (e["pid"], e.get("tid")) in main
        )
        out: dict[str, list[tuple[int, int, str]]] = {name: [] for name in self.pages}
        ends: dict[int, int] = {}
        for pid, ts, dur, tdur, kind in work:
            if ts < ends.get(pid, 0):
                continue  # within the work before it (a checkpoint at a task's end)
            ends[pid] = ts + dur
            if dur > 50_000:
                out[page_of[pid]].append((round(dur / 1000), round(tdur / 1000), kind))
        return out


def bytes_received(page: Any) -> dict[str, int]:
    """Counts what reaches the page over the network from now on: {"bytes": n}."""
    got = {"bytes": 0}
    cdp = page.context.new_cdp_session(page)
    cdp.on("Network.dataReceived", lambda e: got.update(bytes=got["bytes"] + e["dataLength"]))
    cdp.send("Network.enable")
    return got


def test_a_500_student_burst_freezes_neither_the_projector_nor_the_panel(web, stack_env):
    admin.seed(BURST_COURSE, BURST, course_name="Lecture Hall 500")
    session_id = admin.open_session(BURST_COURSE, rotation=ROTATION, late_after=10, duration=60)
    teacher = f"teacher-{BURST_COURSE}@rollcall.test".lower()
    tokens = lecture.sign_in_students(BURST_COURSE, BURST)
    room = projector(web, session_id, teacher=teacher)
    desk = panel(web, session_id, BURST, teacher=teacher)
    room.evaluate(f"() => {{ window.__rotation = {ROTATION}; }}")
    room.evaluate(WATCH_CODE)
    desk.evaluate(WATCH_ROWS)
    received = {"projector": bytes_received(room), "panel": bytes_received(desk)}

    threads = MainThreads(web.browser, {"projector": room, "panel": desk})
    for page in (room, desk):
        page.evaluate(WATCH_LONG_TASKS)
    started = time.monotonic()
    sent = lecture.burst(os.environ["SCAN_URL"], admin.load_session(session_id), tokens)
    # On a loaded machine a scan may be answered 503 `unavailable` (the scan function's
    # 5 s Firestore deadline), which the phone's outbox sends again, or `qr_expired` (it
    # waited longer than the code's window), where the student scans the code shown now.
    # Both are sent again with the current code; nothing else may be refused.
    retry = {"unavailable", "qr_expired"}
    refused = sent.refused
    for _ in range(3):
        assert set(refused.values()) <= retry, refused
        again = [(uid, token) for uid, token in tokens if uid in refused]
        if not again:
            break
        print(f"burst: {len(again)} sent again ({sorted(set(refused.values()))})")
        refused = lecture.burst(
            os.environ["SCAN_URL"], admin.load_session(session_id), again
        ).refused
    assert not refused, refused
    desk.wait_for_function(
        "n => document.querySelector('#count-total').textContent === String(n)"
        " && document.querySelectorAll('#roster-body tr[data-status=present]').length === n",
        arg=BURST,
        timeout=180_000,
    )
    room.wait_for_function(
        "n => document.querySelector('#count-total').textContent === String(n)", arg=BURST
    )
    shown_in = time.monotonic() - started
    # and two more codes after the burst, so the rotation is measured through all of it
    next_window(room)
    next_window(room)
    tasks = {
        name: [t["ms"] for t in page.evaluate("() => window.__longTasks")]
        for name, page in (("projector", room), ("panel", desk))
    }
    traced = threads.stop()
    codes = room.evaluate(CODE_LATENESS)
    rows = desk.evaluate("() => window.__rows")
    late = list(codes["late"])
    web.shot(room, "01-projector-after-burst")
    web.shot(desk, "02-panel-after-burst")

    def cpu(name: str, kind: str) -> int:
        return max((c for _, c, k in traced[name] if k == kind), default=0)

    print(
        f"\n500-student burst: all {BURST} on both screens {shown_in:.1f} s after the first scan"
        f" (ack p50 {sorted(sent.ack_ms)[BURST // 2]:.0f} ms)."
        f"\n  long tasks (wall time, the Long Tasks API): projector {len(tasks['projector'])}"
        f" (longest {max(tasks['projector'], default=0)} ms), panel {len(tasks['panel'])}"
        f" (longest {max(tasks['panel'], default=0)} ms)"
        f"\n  the most CPU of one piece of work: projector {cpu('projector', 'task')} ms (tasks),"
        f" {cpu('projector', 'stream')} ms (Firestore's stream); panel {cpu('panel', 'task')} ms"
        f" (tasks), {cpu('panel', 'stream')} ms (Firestore's stream)"
        f"\n  work over 50 ms (wall ms, CPU ms, kind): {traced}"
        f"\n  received over the network: projector {received['projector']['bytes'] / 1e6:.1f} MB,"
        f" panel {received['panel']['bytes'] / 1e6:.1f} MB"
        f"\n  class list: {rows['touched']} row updates in {rows['updates']} DOM updates"
        f" (at most {rows['most']} rows at once)"
        f"\n  code: {codes['changes']} changes, each replaced {min(late):.0f} to {max(late):.0f} ms"
        f" after its window ended; the one on screen at the end {-codes['nowLate']:.0f} ms"
        f" before its end"
    )
    # The projector never freezes: nothing on its main thread takes 100 ms of CPU. (The
    # Long Tasks API counts wall time, which on this machine includes the waits for one
    # of two cores while the emulators take the burst: printed above, not held to a
    # bound a teacher's laptop, which runs no emulator, would meet and this one cannot.)
    assert max(cpu("projector", "task"), cpu("projector", "stream")) <= 100, traced
    # The panel's own work (its tasks: the batched updates, rendering, timers, input)
    # neither. What Firestore's SDK does with its listen stream is printed, not bounded:
    # at each write to a collection the emulator sends each listened query of it whole
    # again (RESET, then every document: the panel receives ~100 MB for 500 records of
    # ~0.4 kB), where Firestore itself sends the changed document only.
    assert cpu("panel", "task") <= 100, traced
    # The code changed on time all through: every window in turn, each replaced within
    # moments of its end (the scan function accepts it for a whole window more), and
    # the one on screen at the end still current.
    assert codes["changes"] >= 2
    assert max(late) <= 2000, late
    assert codes["nowLate"] < 0
    # The panel's class list changes row by row: each student's row once or twice
    # (arrived, then the time), never the whole list again.
    assert BURST <= rows["touched"] <= 2 * BURST, rows


# ---- 4. typed codes, classified like scans --------------------------------------------------


def type_code(page, code: str) -> None:
    page.fill("#typed-code", code)
    page.click("#typed-submit")


def refused(page, code: str) -> None:
    page.wait_for_selector(f"#result[data-state=rejected][data-code={code}]", timeout=20_000)


def test_typed_codes_are_refused_for_what_they_are_and_only_wrong_ones_count(web, course):
    other = admin.demo_course("hallother")
    admin.seed(other, 2, course_name="Another Course")
    mine = open_session(rotation=5)
    theirs = open_session(other, rotation=60)
    closed = open_session(rotation=60)
    admin.close_session(closed)
    uid, email, _ = new_student(name="Tara Typist")
    student = student_page(web, email, device=SMALL_PHONE)
    # The scan function keeps the recent sessions for 5 s: these two are known once a
    # probe's code of each is told apart from a wrong one (the probe's own lockout only).
    _, probe, _ = new_student(name="Probe")
    for sid, why in ((theirs, "not_enrolled"), (closed, "session_closed")):
        wait_for(
            lambda sid=sid, why=why: (
                api_scan(probe, "probe", code=code_at(sid)).json()["error"]["code"] == why
            ),
            timeout=15,
            interval=1,
        )

    # a real code of another course's session: not "wrong"
    type_code(student, code_at(theirs))
    refused(student, "not_enrolled")
    assert student.locator("#result-title").inner_text() == "Not a session of your course"
    assert student.locator("#scan-again").inner_text() == "Back"
    web.shot(student, "01-not-enrolled")
    student.click("#scan-again")

    # the code of a closed session
    type_code(student, code_at(closed))
    refused(student, "session_closed")
    assert student.locator("#result-title").inner_text() == "This session is closed"
    student.click("#scan-again")

    # typed offline, sent when the code on the screen has long changed: expired, not wrong
    student.context.set_offline(True)
    student.wait_for_function("() => navigator.onLine === false")
    w0 = window_now(mine)
    type_code(student, code_at(mine))
    student.wait_for_selector("#result[data-state=pending]")
    wait_for(lambda: window_now(mine) >= w0 + 3, timeout=30, interval=0.5)  # 15 to 20 s later
    student.context.set_offline(False)
    refused(student, "qr_expired")
    assert student.locator("#result-title").inner_text() == "This code has expired"
    assert "type the code on the screen now" in student.locator("#result-detail").inner_text()
    assert student.locator("#scan-again").inner_text() == "Type the code again"
    assert "Scan" not in student.locator("#result").inner_text()
    # the server's code is there, but only under "Details"
    assert "qr_expired" not in student.locator("#result").inner_text()
    student.click("#result-details summary")
    assert "Code: qr_expired" in student.locator("#result-details").inner_text()
    web.shot(student, "02-expired-details")
    student.click("#scan-again")

    # Only wrong codes count toward the lockout (ten in five minutes): nine wrong ones
    # after the three above, and the right code still gets in.
    wrong = a_code_no_session_showed()
    for _ in range(9):
        r = api_scan(email, "tara-api", code=wrong)
        assert r.json()["error"]["code"] == "qr_invalid", r.text
    type_code(student, code_at(mine))
    student.wait_for_selector("#result[data-state=accepted]", timeout=20_000)

    # Each refusal is in the rejected list of the session the code belongs to.
    def rejection(session_id: str, code: str) -> dict | None:
        snap = admin.db().document(f"sessions/{session_id}/rejections/{uid}__{code}").get()
        return snap.to_dict() if snap.exists else None

    assert wait_for(lambda: rejection(theirs, "not_enrolled"))["email"] == email
    assert wait_for(lambda: rejection(closed, "session_closed"))
    assert wait_for(lambda: rejection(mine, "qr_expired"))
    desk = panel(web, mine, STUDENTS)
    row = desk.locator(f'#rejections-body tr[data-uid="{uid}"][data-code=qr_expired]')
    row.wait_for(timeout=15_000)
    assert "Tara Typist" in row.inner_text()
    assert "typed late" in row.inner_text()


# ---- 5. alerts that wait ----------------------------------------------------------------------


def figures(course_id: str, uid: str) -> dict:
    snap = admin.db().document(f"courses/{course_id}/students/{uid}").get()
    return snap.to_dict() if snap.exists else {}


def alerts_of(uid: str, course_id: str) -> list[str]:
    """The student's alerts about this course (the suite's demo students are enrolled
    in other tests' courses too, which alert them of their own)."""
    return [
        s.id
        for s in admin.db().collection(f"users/{uid}/inbox").stream()
        if (s.to_dict() or {}).get("type") == "alert"
        and (s.to_dict() or {}).get("course_id") == course_id
    ]


def test_no_alert_before_the_course_setting_allows_behind_pace_until_then(web, stack_env):
    """The course's default rules wait for 3 held sessions before a "below" alert (the
    functions read a course's rules through a cache of a minute, so the test keeps the
    default rather than change it between two closes: the form's field is checked in
    test_course_settings). A student absent from every session is "behind pace" after
    the first and the second, without an alarm; below, with one alert, after the third."""
    course_id = admin.demo_course(f"hallalert{uuid.uuid4().hex[:4]}")
    admin.seed(course_id, 3, course_name="Operating Systems")
    teacher = f"teacher-{course_id}@rollcall.test".lower()
    # no run alert to muddle the picture
    assert teacher_call(
        "courses/settings",
        {"course_id": course_id, "planned_sessions": 12, "absence_alert_run": 0},
        teacher,
    ).ok
    absent = admin.student_uid(1)

    def lecture_with(present: list[int]) -> None:
        sid = admin.open_session(course_id, rotation=60, late_after=10, duration=60)
        for i in present:
            assert (
                api_scan(admin.student_email(i), f"al-{i}", token=token_at(sid)).status_code == 202
            )
        wait_for(
            lambda: all(
                admin.db()
                .document(f"sessions/{sid}/attendance/{admin.student_uid(i)}")
                .get()
                .exists
                for i in present
            )
        )
        assert teacher_call("sessions/close", {"session_id": sid}, teacher).status_code == 202
        held = figures(course_id, absent).get("held", 0) + 1
        wait_for(
            lambda: (
                figures(course_id, absent).get("held") == held
                and not figures(course_id, absent).get("pending_alerts")
            ),
            timeout=60,
        )

    lecture_with([2, 3])
    assert figures(course_id, absent)["state"] == "behind"
    assert alerts_of(absent, course_id) == []

    # the student: behind pace, in calm words, no alert (a small phone)
    student = student_page(web, admin.student_email(1), device=SMALL_PHONE)
    student.click("#tab-attendance")
    card = student.locator(f'article.my-course[data-course="{course_id}"]')
    card.wait_for()
    student.wait_for_function(
        "c => document.querySelector(`article.my-course[data-course='${c}'] .my-pct-value`)",
        arg=course_id,
    )
    assert card.get_attribute("data-state") == "behind"
    assert card.locator(".standing").inner_text() == "Behind pace"
    assert (
        card.locator(".my-projection").inner_text().startswith("Early days: 0 % after 1 session.")
    )
    assert card.locator(".my-alert").count() == 0
    web.shot(student, "01-student-behind-pace", full_page=True)

    # the teacher: the same words in the tiles and the filters; the rule in the form
    page = web.page(f"/#/course/{course_id}")
    web.sign_in(page, teacher, PASSWORD)
    page.wait_for_function(
        "() => document.querySelector('#standing-count-behind')?.textContent === '1'"
    )
    assert page.locator("#standing-label-behind").inner_text() == "Behind pace"
    assert page.locator("#standing-count-below").inner_text() == "0"
    assert page.locator("#filter-attention").inner_text() == "Below 75 % or at risk (0)"
    assert page.locator("#filter-behind").inner_text() == "Behind pace (1)"
    row = page.locator(f'#standing-body tr[data-uid="{absent}"]')
    assert row.get_attribute("data-state") == "behind"
    assert "Behind pace" in row.inner_text()
    assert "below-threshold alerts after 3 sessions" in page.locator("#course-rules").inner_text()
    web.shot(page, "02-course-view-behind")
    page.click("#rules-edit")
    assert page.input_value("#rule-alerts-after") == "3"
    page.click("#rules-cancel")

    # the second session: still behind pace, still no alert
    lecture_with([2, 3])
    assert figures(course_id, absent)["state"] == "behind"
    assert alerts_of(absent, course_id) == []

    # the third: the setting allows it, below and one alert
    lecture_with([2, 3])
    assert figures(course_id, absent)["state"] == "below"
    wait_for(
        lambda: alerts_of(absent, course_id) == [f"alert-{course_id}-below_threshold-1"], timeout=30
    )
    page.wait_for_function(
        "() => document.querySelector('#standing-count-below')?.textContent === '1'"
        " && document.querySelector('#standing-count-behind')?.textContent === '0'"
    )
    assert page.locator("#filter-attention").inner_text() == "Below 75 % or at risk (1)"
    assert page.locator("#filter-behind").inner_text() == "Behind pace (0)"
    web.shot(page, "03-course-view-below")


# ---- 6. messages with context ------------------------------------------------------------------


def test_every_message_names_its_course_and_session(web, course):
    uid, email, _ = new_student(name="Mira Message")
    one, two = open_session(rotation=60), open_session(rotation=60)
    for sid in (one, two):
        assert api_scan(email, "mira-api", token=token_at(sid)).status_code == 202
    wait_for(
        lambda: len(list(admin.db().collection(f"users/{uid}/inbox").stream())) == 2, timeout=30
    )

    # The unread badge is right when the page opens: 2, never a 0 first.
    page = web.page("/scan.html", device=PHONE)
    page.add_init_script(
        """new MutationObserver(() => {
             const b = document.querySelector('#inbox-unread');
             if (b && !b.hidden) (window.__badges ??= []).push(b.textContent);
           }).observe(document,
                      {subtree: true, childList: true, characterData: true, attributes: true});"""
    )
    page.reload()
    web.sign_in(page, email, PASSWORD)
    page.wait_for_function("() => document.querySelector('#inbox-unread')?.textContent === '2'")
    assert set(page.evaluate("() => window.__badges ?? []")) <= {"2"}, "no other count shown"

    # A scan's result names the course and the session's time.
    three = open_session(rotation=60)
    page.click("#paste summary")
    page.fill("#code", token_at(three))
    page.click("#code-submit")
    page.wait_for_selector(
        "#result[data-state=accepted] #result-detail[data-context=known]", timeout=20_000
    )
    detail = page.locator("#result-detail").inner_text()
    assert detail.startswith(f"You were marked present for {COURSE_NAME}, ")
    web.shot(page, "01-result-with-context")

    # The teacher had excused her in the fourth session: her scan is accepted, the card
    # tells what the record says, with the teacher's reason.
    four = open_session(rotation=60)
    resp = teacher_call(
        "overrides",
        {"session_id": four, "uid": uid, "status": "excused", "reason": "Hospital visit"},
    )
    assert resp.status_code == 202, resp.text
    wait_for(
        lambda: (
            (admin.db().document(f"sessions/{four}/attendance/{uid}").get().to_dict() or {}).get(
                "status"
            )
            == "excused"
        )
    )
    page.click("#done")
    page.click("#paste summary")
    page.fill("#code", token_at(four))
    page.click("#code-submit")
    page.wait_for_selector("#result[data-state=accepted][data-status=excused]", timeout=20_000)
    assert page.locator("#result-title").inner_text() == "Already marked excused by your teacher"
    assert "Hospital visit" in page.locator("#result-detail").inner_text()
    assert page.locator("#result-recorded").inner_text() == "Your scan did not change it."
    web.shot(page, "02-override-stands")
    record = admin.db().document(f"sessions/{four}/attendance/{uid}").get().to_dict()
    assert record["status"] == "excused"

    # The inbox: every entry names its course and session; "Mark all read".
    page.click("#tab-inbox")
    page.wait_for_function(
        "() => document.querySelectorAll('#inbox-list li.inbox-item').length >= 4", timeout=20_000
    )
    items = page.locator("#inbox-list li.inbox-item").all_inner_texts()
    assert all(COURSE_NAME in text for text in items), items
    unread = page.locator("#inbox-unread").inner_text()
    assert page.locator("#mark-all-read").inner_text() == f"Mark all read ({unread})"
    web.shot(page, "03-inbox-context", full_page=True)
    page.click("#mark-all-read")
    page.wait_for_function("() => document.querySelector('#inbox-unread').textContent === '0'")
    assert page.locator("#mark-all-read").count() == 0
    wait_for(
        lambda: all(
            s.to_dict().get("read") for s in admin.db().collection(f"users/{uid}/inbox").stream()
        )
    )
    web.shot(page, "04-inbox-all-read")

    # The same on a small phone.
    small = student_page(web, email, device=SMALL_PHONE)
    small.click("#tab-inbox")
    small.wait_for_selector("#inbox-list li.inbox-item")
    web.shot(small, "05-inbox-360", full_page=True)


# ---- 7. the scanner's range ----------------------------------------------------------------

#: The projected code as a camera at the back sees it: n px per module in a 1280x720
#: frame, slightly out of focus, black and white a projector's grey and off-white, with
#: the sensor's noise (the same every run).
FILM_QR = """async ([svg, ppm, w, h]) => {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  const modules = Number(root.getAttribute('viewBox').split(' ')[2]);
  const side = modules * ppm;
  root.setAttribute('width', String(side));
  root.setAttribute('height', String(side));
  root.removeAttribute('shape-rendering');  // edges as a lens sees them, not crisp
  const img = new Image();
  img.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(doc));
  await img.decode();
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
  ctx.filter = 'blur(0.5px)';
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(img, (w - side) / 2, (h - side) / 2, side, side);
  const d = ctx.getImageData(0, 0, w, h).data;
  let out = '';
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 24;
  for (let i = 0; i < d.length; i += 4) {
    const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    const seen = Math.round(35 + (y * 190) / 255 + noise());
    out += String.fromCharCode(Math.max(0, Math.min(255, seen)));
  }
  return { modules, luma: btoa(out) };
}"""

PX_PER_MODULE = (3.0, 2.5, 2.0, 1.6, 1.3, 1.0, 0.7)


def test_the_scanner_reads_a_far_code_and_says_what_to_do_when_it_cannot(
    web, course, playwright, tmp_path
):
    session_id = open_session(rotation=300)  # the filmed code stays valid
    room = projector(web, session_id)
    svg = room.evaluate("() => document.querySelector('#qr').innerHTML")
    width, height = 1280, 720
    read: dict[float, str] = {}
    for ppm in PX_PER_MODULE:
        film = room.evaluate(FILM_QR, [svg, ppm, width, height])
        video = write_y4m(tmp_path / f"qr-{ppm}.y4m", base64.b64decode(film["luma"]), width, height)
        camera = launch(
            playwright,
            (
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ),
        )
        try:
            _, email, _ = new_student()
            student = web.page("/scan.html", device=PHONE, browser=camera)
            student.context.grant_permissions(["camera"])
            web.sign_in(student, email, PASSWORD)
            student.click("#scan-camera")
            student.wait_for_selector(
                "#result[data-state=accepted], #camera-hint:not([hidden])", timeout=20_000
            )
            accepted = student.locator("#result[data-state=accepted]").count()
            read[ppm] = "accepted" if accepted else "hint"
            if read[ppm] == "hint":
                hint = student.locator("#camera-hint").inner_text()
                assert "Move closer" in hint and "type the 6 digits" in hint
                web.shot(student, f"hint-{ppm}")
                student.click("#camera-type-instead")
                assert student.evaluate("() => document.activeElement.id") == "typed-code"
        finally:
            for context in camera.contexts:
                close_context(context)
            camera.close()
    decoded = [ppm for ppm in PX_PER_MODULE if read[ppm] == "accepted"]
    threshold = min(
        (p for p in PX_PER_MODULE if all(read[q] == "accepted" for q in PX_PER_MODULE if q >= p)),
        default=None,
    )
    print(
        f"\nfake camera, {film['modules']}-module code (with its margin) in a 1280x720 frame:"
        f" {read}; reads down to {threshold} px per module"
    )
    assert 2.5 in decoded and threshold is not None and threshold <= 2.5
    assert read[0.7] == "hint", "a code too small to read: the page says what to do"


# ---- 8. the smaller things -----------------------------------------------------------------


def test_after_sign_in_focus_is_on_the_view_two_tabs_to_the_code(web, course):
    page = web.page("/scan.html", device=PHONE)
    web.sign_in(page, admin.student_email(6), PASSWORD)
    page.wait_for_selector("#typed-code")
    page.wait_for_function("() => document.activeElement?.id === 'scan-title'")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "scan-camera"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "typed-code"
    assert "next to the QR code" in page.locator("#typed-help").inner_text()
    teacher = web.page("/")
    web.sign_in(teacher, TEACHER, PASSWORD)
    teacher.wait_for_function("() => document.activeElement?.id === 'today-title'")


def test_the_short_link_opens_the_scan_page_and_checks_in(web, course):
    session_id = open_session(rotation=60)
    room = projector(web, session_id)
    link = room.get_attribute("#qr", "data-link")
    assert link.startswith(f"{web.url}/c#") and len(link) <= len(web.url) + 3 + 30
    assert room.evaluate("() => document.querySelector('#qr svg').getAttribute('viewBox')") in (
        "0 0 33 33",  # 29 modules and the margin
        "0 0 37 37",  # 33 modules and the margin
    )
    page = web.page(link.removeprefix(web.url), device=SMALL_PHONE)
    page.wait_for_selector("#signin-email")
    assert "#" not in page.url
    web.sign_in(page, admin.student_email(7), PASSWORD)
    page.wait_for_selector("#result[data-state=accepted]")
    assert page.evaluate("() => location.pathname") == "/scan.html"
    web.shot(page, "accepted-360")


def test_no_source_maps_are_built_or_served(web):
    dist = Path(__file__).resolve().parents[2] / "web" / "dist"
    assert not list(dist.rglob("*.map"))
    for chunk in dist.glob("assets/*.js"):
        assert "sourceMappingURL" not in chunk.read_text(encoding="utf-8"), chunk.name
    config = json.loads((Path(__file__).resolve().parents[2] / "firebase.json").read_text())
    assert "**/*.map" in config["hosting"]["ignore"]
    chunk = next(dist.glob("assets/index-*.js")).name
    got = requests.get(f"{web.url}/assets/{chunk}.map", timeout=10)
    assert "json" not in got.headers.get("Content-Type", "")
