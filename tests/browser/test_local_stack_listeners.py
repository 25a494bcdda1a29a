"""On the local stack a page stops its Firestore listeners as it goes (web/src/config.js,
decision 0037): the Firestore emulator forgets a listener only when told to stop, never
when its page just closes, and evaluates every one it keeps at each write thereafter."""

from __future__ import annotations

import pytest

from rollcall_ops import admin
from tests.browser.conftest import PAGEHIDE, stop_listening
from tests.support import unique, wait_for

pytestmark = pytest.mark.emulator


def test_a_page_going_stops_its_listeners_and_the_emulator_takes_it(web):
    course = admin.demo_course(unique("listen"))
    admin.seed(course, 3, course_name="Listeners")
    page = web.page(f"/#/course/{course}")
    web.sign_in(page, f"teacher-{course}@rollcall.test".lower(), admin.DEMO_PASSWORD)
    wait_for(lambda: page.locator("#course-rules").inner_text().startswith("Minimum 75 %"))
    page.wait_for_function(
        "() => document.querySelectorAll('#standing-body tr[data-uid]').length === 3"
    )
    # the course, its class list, its figures, its closed sessions and its disputes
    assert stop_listening(page) >= 4  # and the emulator answered the request that says so
    assert page.evaluate(PAGEHIDE) == 0  # none left
