"""The student's outbox across a Firestore stall (decision 0017): the scan answers 503
``unavailable`` within the scan path's deadline while Firestore's process is stopped,
the page keeps the scan pending ("Rollcall is busy"), and its own retry delivers it
once Firestore answers again, counted once."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from rollcall.core.sessions import DEADLINE_SECONDS
from rollcall_ops import admin
from tests.browser.conftest import PHONE
from tests.conftest import local_stack
from tests.support import log_lines, log_marks, wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("webstall")
PASSWORD = admin.DEMO_PASSWORD
#: Longer than the scan path's deadline, so the first attempt fails within the stall.
STALL_SECONDS = DEADLINE_SECONDS + 3


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, 2, course_name="Stalls and Recovery")
    return COURSE


def test_scan_during_a_firestore_stall_waits_in_the_outbox_and_is_delivered_once(web, course):
    session_id = admin.open_session(COURSE, rotation=60, late_after=10, duration=60)
    uid, email = admin.student_uid(1), admin.student_email(1)
    page = web.page("/scan.html", device=PHONE)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    token = admin.current_qr(session_id)
    firestore = local_stack()._pid("firestore")
    assert firestore is not None
    since = log_marks()

    os.killpg(firestore, signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        page.click("#paste summary")
        page.fill("#code", token)
        page.click("#code-submit")
        page.wait_for_selector(
            "#result[data-state=pending][data-code=unavailable]",
            timeout=(DEADLINE_SECONDS + 5) * 1000,
        )
        answered = time.monotonic() - stopped
        assert page.locator("#result-title").inner_text() == "Rollcall is busy: pending"
        web.shot(page, "01-busy-pending")
        time.sleep(max(0.0, stopped + STALL_SECONDS - time.monotonic()))  # the outage
    finally:
        os.killpg(firestore, signal.SIGCONT)
    resumed = time.monotonic()

    # The outbox sends it again by itself (backoff from 2 s); nobody presses a button.
    page.wait_for_selector("#result[data-state=accepted]", timeout=30_000)
    delivered = time.monotonic() - resumed
    web.shot(page, "02-delivered")
    stored = page.evaluate("localStorage.getItem('rollcall.scan_queue.v1')")
    done = json.loads(stored)["done"][-1]
    assert done["state"] == "accepted" and done["attempts"] >= 2

    wait_for(lambda: admin.effects(session_id) == admin.Effects(1, 1, 1), timeout=30)
    accepted = log_lines("scan", since, message="scan accepted", session_id=session_id)
    assert [line["uid"] for line in accepted] == [uid]
    refused = log_lines("scan", since, message="scan rejected", reason="unavailable", uid=uid)
    assert 1 <= len(refused) < done["attempts"]
    for consumer in ("attendance", "notify", "dashboard"):
        # A consumer logs its line after its effect (notify after its push, too): wait.
        wait_for(
            lambda c=consumer: log_lines(c, since, message="consumer effect applied", uid=uid),
            timeout=30,
        )
        applied = log_lines(consumer, since, message="consumer effect applied", uid=uid)
        assert [line["session_id"] for line in applied] == [session_id], consumer
    print(
        f"\nFirestore stopped {resumed - stopped:.1f} s: the page showed 'busy' "
        f"{answered:.1f} s after the stop; delivered by its retry {delivered:.1f} s after "
        f"Firestore came back ({done['attempts']} attempts)"
    )
