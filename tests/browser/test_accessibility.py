"""Accessibility in the browser (issue 21, item 5; decision 0030), beyond axe-core, which
runs at every screenshot of every browser test (conftest.py, ``Web.axe``):

(a) by keyboard alone (Tab, Shift+Tab, Enter, Space, arrows, Escape; no click): the
    student's check-in with the typed code, the teacher's override dialog, the absence
    request form and a dispute; the focus order and a visible focus at every stop; what
    each action did is in a live region (role=status or alert) for screen readers, and
    the dialog is a labelled modal dialog that keeps the focus and gives it back;
(b) touch targets of at least 24 by 24 CSS px (WCAG 2.2, 2.5.8) on every phone screen of
    the student page, at 390x844 and 360x640;
(c) the projector view in a hall (1920x1080 on a 6 m screen, read from 20 m): the
    code's digits and the counts at 7:1 contrast (AAA) and the size worked out in
    PROJECTED_MM_PER_PX below.
Screenshots go to test-artifacts/browser/, axe's summaries to its axe/ folder."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin
from tests.browser.conftest import HALL, MIN_TARGET, PHONE, SMALL_PHONE, small_targets
from tests.support import attendance, wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("a11y")
COURSE_NAME = "Human Computer Interaction"
STUDENTS = 4
TEACHER = f"teacher-{COURSE}@rollcall.test".lower()
PASSWORD = admin.DEMO_PASSWORD
SLOW = 30_000


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, STUDENTS, course_name=COURSE_NAME)
    return COURSE


def new_student(name: str) -> tuple[str, str]:
    """A fresh student of the course: (uid, email)."""
    tag = uuid.uuid4().hex[:8]
    uid, email = f"a11y-{tag}", f"a11y-{tag}@rollcall.test"
    admin.ensure_user(uid, email, PASSWORD, name)
    admin.db().document(f"courses/{COURSE}/enrollments/{uid}").set(
        {"uid": uid, "name": name, "email": email, "roll_no": str(int(tag[:4], 16) % 90 + 10)}
    )
    return uid, email


def code_now(session_id: str) -> str:
    s = admin.load_session(session_id)
    return qr.typed_code(s.secret, s.id, qr.window_at(now().timestamp(), s.rotation_seconds))


def missed_session(uid: str) -> str:
    """A session of the course closed with the student absent, in the student's figures."""
    session_id = admin.open_session(COURSE, rotation=30, late_after=10, duration=60)
    admin.close_session(session_id)
    wait_for(lambda: (attendance(session_id, uid) or {}).get("status") == "absent", 30)
    figures = admin.db().document(f"courses/{COURSE}/students/{uid}")
    wait_for(lambda: session_id in ((figures.get().to_dict() or {}).get("sessions") or {}), 30)
    return session_id


def student_page(web, email: str, device: dict[str, Any] = PHONE):
    page = web.page("/scan.html", device=device)
    page.set_default_timeout(SLOW)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    return page


# ---- (a) keyboard alone ---------------------------------------------------------------

#: The focused element: how to name it in a message, and whether its focus shows (the
#: browser's :focus-visible, drawn as an outline of 2 px or more, on the element or on
#: the label that stands for a visually hidden input).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const drawn = (e) => {
    const s = getComputedStyle(e);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
  };
  // a date field's last stop is its calendar button, inside the browser's own part of
  // the field: style.css outlines it (seen in the screenshots), but the field itself
  // does not match :focus-visible then
  if (el.matches("input[type=date]:not(:focus-visible)")) {
    const date = { tag: "input", id: el.id, cls: "", text: "", inDialog: false };
    return { ...date, focusVisible: true, drawn: true };
  }
  const labels = [...(el.labels ?? [])];
  const sibling = el.nextElementSibling;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    cls: typeof el.className === "string" ? el.className : "",
    text: (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 50),
    focusVisible: el.matches(":focus-visible"),
    drawn: drawn(el) || labels.some(drawn) || (sibling?.tagName === "LABEL" && drawn(sibling)),
    inDialog: Boolean(el.closest("dialog[open]")),
  };
}"""


def focused(page) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def describe(stop: dict[str, Any] | None) -> str:
    if not stop:
        return "(nothing)"
    return f"{stop['tag']}#{stop['id']}" if stop["id"] else f"{stop['tag']}.{stop['cls']}"


def press(page, key: str) -> dict[str, Any] | None:
    """Press a key; the element that has the focus then (its focus must show)."""
    page.keyboard.press(key)
    stop = focused(page)
    if stop and stop["tag"] not in ("h1", "h2", "section", "span", "main"):
        assert stop["focusVisible"] and stop["drawn"], (
            f"focus not visible on {describe(stop)}: {stop}"
        )
    return stop


def tab_to(page, selector: str, back: bool = False, limit: int = 60) -> list[str]:
    """Tab (Shift+Tab) until ``selector`` has the focus; every stop on the way shows its
    focus. Returns the stops (tag#id) in order."""
    stops = []
    for _ in range(limit):
        press(page, "Shift+Tab" if back else "Tab")
        stops.append(describe(focused(page)))
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return stops
    raise AssertionError(f"{selector} not reached by keyboard; the focus went: {stops}")


def live_text(page, selector: str) -> str:
    """The text of a live region (it must be one: role status or alert, or aria-live)."""
    region = page.locator(selector)
    role = region.get_attribute("role")
    assert role in ("status", "alert") or region.get_attribute("aria-live"), selector
    return " ".join(region.inner_text().split())


def test_a_student_checks_in_with_the_typed_code_by_keyboard(web, course):
    session_id = admin.open_session(COURSE, rotation=60, late_after=10, duration=60)
    page = student_page(web, admin.student_email(1))
    # after the sign-in the page's heading has the focus: the camera first, then the code
    assert describe(focused(page)) == "h1#scan-title"
    assert tab_to(page, "#typed-code") == ["button#scan-camera", "input#typed-code"]
    # Enter with nothing typed: the error is an alert and the focus stays in the field
    press(page, "Enter")
    assert live_text(page, "#typed-error") == "Type the 6 digits shown next to the QR code."
    assert describe(focused(page)) == "input#typed-code"
    page.keyboard.type(code_now(session_id))
    assert tab_to(page, "#typed-submit") == ["button#typed-submit"]
    web.shot(page, "01-code-typed")
    press(page, "Enter")
    page.wait_for_selector("#result[data-state=accepted]")
    assert "Checked in — present" in live_text(page, "#result")
    # the focus moved to the result's first action (a keyboard user goes on from there)
    stop = focused(page)
    assert stop and stop["tag"] == "button" and stop["focusVisible"], stop
    web.shot(page, "02-checked-in")
    # back to the form by keyboard: the Check in tab, from the result
    tab_to(page, "#tab-scan", back=True)
    press(page, "Enter")
    page.wait_for_selector("#typed-code")


def test_the_override_dialog_by_keyboard(web, course):
    session_id = admin.open_session(COURSE, rotation=60, late_after=10, duration=60)
    uid = admin.student_uid(2)
    page = web.page(f"/#/session/{session_id}/panel")
    page.set_default_timeout(SLOW)
    web.sign_in(page, TEACHER, PASSWORD)
    page.wait_for_function(
        "n => document.querySelectorAll('#roster-body tr').length >= n", arg=STUDENTS
    )
    opener = f'#roster-body tr[data-uid="{uid}"] button.override-open'
    stops = tab_to(page, opener, limit=120)
    # the toolbar and the counts come before the class list, the search before its rows
    assert stops.index("input#roster-search") < len(stops) - 1, stops
    press(page, "Enter")
    page.wait_for_selector("#override-dialog[open]")
    dialog = page.get_by_role("dialog", name="Change attendance: Student 002")
    assert dialog.is_visible()
    assert page.evaluate("() => document.querySelector('#override-dialog').matches(':modal')")
    assert page.get_attribute("#override-dialog", "aria-modal") == "true"
    stop = focused(page)
    assert stop and stop["inDialog"] and stop["tag"] == "input", stop  # the first status
    # Space chooses the focused status, the arrows move within the group
    press(page, "ArrowRight")
    press(page, "Space")
    chosen = page.evaluate("() => document.activeElement.value")
    assert page.is_checked(f'#override-dialog input[value="{chosen}"]')
    # Save without a reason: the alert says so, the focus goes to the reason
    tab_to(page, "#override-submit")
    press(page, "Enter")
    assert "reason" in live_text(page, "#override-error")
    assert describe(focused(page)) == "textarea#override-reason"
    # the focus stays in the dialog: round and round, forwards and back
    ring = [describe(press(page, "Tab")) for _ in range(6)]
    ring += [describe(press(page, "Shift+Tab")) for _ in range(6)]
    assert page.evaluate("() => document.activeElement.closest('dialog[open]') !== null")
    assert all(stop != "(nothing)" for stop in ring), ring
    # Escape closes it and the focus is back on the button that opened it
    press(page, "Escape")
    page.wait_for_selector("#override-dialog", state="hidden")
    # (the page closes the dialog natively on Escape, then renders: the focus follows)
    page.wait_for_function("s => document.activeElement?.matches(s)", arg=opener)
    # again: a reason, then Save
    press(page, "Enter")
    page.wait_for_selector("#override-dialog[open]")
    page.wait_for_function("() => document.activeElement?.closest('dialog[open]')")
    press(page, "Space")
    tab_to(page, "#override-reason")
    page.keyboard.type("Doctor's note for the morning")
    web.shot(page, "03-override-dialog")
    tab_to(page, "#override-submit")
    press(page, "Enter")
    page.wait_for_selector("#override-dialog", state="hidden")
    page.wait_for_function("s => document.activeElement?.matches(s)", arg=opener)
    page.wait_for_function(
        "uid => document.querySelector(`#roster-body tr[data-uid='${uid}']`)?.dataset.status"
        " !== 'missing'",
        arg=uid,
    )
    web.shot(page, "04-after-override")
    # Chromium fires a dialog's "close" as a task of its own and runs a key press first:
    # the close of one opening, reported after the teacher has opened it again, must
    # leave the new one open (close and reopen in one task make the order certain)
    press(page, "Enter")
    page.wait_for_function("() => document.activeElement?.closest('dialog[open]')")
    page.evaluate(
        "s => { document.querySelector('#override-dialog').close();"
        " document.querySelector(s).click(); }",
        opener,
    )
    page.wait_for_function("() => document.activeElement?.closest('dialog[open]')")
    # the late "close" and every effect it set off have run: Preact runs effects after
    # the next frame, so two frames and a task later all is settled
    page.evaluate(
        "() => new Promise((done) =>"
        " requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done))))"
    )
    assert page.is_visible("#override-dialog"), "a late close dismissed the new opening"
    press(page, "Escape")
    page.wait_for_selector("#override-dialog", state="hidden")
    page.wait_for_function("s => document.activeElement?.matches(s)", arg=opener)


def test_an_absence_request_by_keyboard(web, course):
    uid, email = new_student("Kavya Keys")
    missed_session(uid)
    # A phone in Pune: the form's default day is the phone's, which is the institution's
    # (on this machine's UTC the two differ from 18:30 to midnight).
    page = student_page(web, email, device={**PHONE, "timezone_id": "Asia/Kolkata"})
    tab_to(page, "#tab-requests", back=True)
    press(page, "Enter")
    page.wait_for_selector("#request-form")
    stops = tab_to(page, "#request-submit")
    order = [s for s in stops if s.split("#")[1].startswith("request-")]
    assert order[:3] == ["select#request-kind", "input#request-mode-days", "select#request-course"]
    assert order.index("textarea#request-reason") < order.index("input#request-document")
    # Send without a reason: the status line says what is missing
    press(page, "Enter")
    assert live_text(page, "#request-message") == "Say why you were away."
    tab_to(page, "#request-reason", back=True)
    page.keyboard.type("Fever; the doctor's note follows.")
    tab_to(page, "#request-submit")
    web.shot(page, "05-request-typed", full_page=True)
    press(page, "Enter")
    page.wait_for_function(
        "() => document.querySelector('#request-message').textContent.startsWith('Sent:')"
    )
    assert live_text(page, "#request-message").startswith("Sent: one request.")
    web.shot(page, "06-request-sent", full_page=True)


def test_a_dispute_by_keyboard(web, course):
    uid, email = new_student("Dev Keys")
    session_id = missed_session(uid)
    page = student_page(web, email)
    tab_to(page, "#tab-attendance", back=True)
    press(page, "Enter")
    opener = f"#dispute-open-{session_id}"
    page.wait_for_selector(opener)
    tab_to(page, opener)
    # Enter opens the note, which takes the focus; Cancel gives it back to the button
    press(page, "Enter")
    assert describe(focused(page)) == f"textarea#dispute-note-{session_id}"
    assert tab_to(page, f"#dispute-cancel-{session_id}") == [
        f"button#dispute-send-{session_id}",
        f"button#dispute-cancel-{session_id}",
    ]
    press(page, "Enter")
    assert describe(focused(page)) == f"button#dispute-open-{session_id}"
    press(page, "Space")
    # Send with no note: said, and the focus back in the note
    tab_to(page, f"#dispute-send-{session_id}")
    press(page, "Enter")
    assert live_text(page, "#my-attendance-status") == "Say in a few words what happened."
    assert describe(focused(page)) == f"textarea#dispute-note-{session_id}"
    page.keyboard.type("I was in the room; the code would not scan.")
    web.shot(page, "07-dispute-typed", full_page=True)
    tab_to(page, f"#dispute-send-{session_id}")
    press(page, "Enter")
    page.wait_for_selector(f'li.my-dispute[data-session="{session_id}"][data-dispute="open"]')
    assert live_text(page, "#my-attendance-status") == "Dispute sent: waiting for your teacher"
    assert describe(focused(page)) == f"span#dispute-state-{session_id}"
    web.shot(page, "08-dispute-sent", full_page=True)


# ---- (b) touch targets -----------------------------------------------------------------


@pytest.mark.parametrize("device", [PHONE, SMALL_PHONE], ids=["390x844", "360x640"])
def test_touch_targets_on_the_phone_screens(web, course, device):
    uid, email = new_student("Tara Touch")
    session_id = missed_session(uid)
    size = f"{device['viewport']['width']}"
    found: dict[str, list[str]] = {}

    page = web.page("/scan.html", device=device)
    page.wait_for_selector("#signin-email")
    found["sign-in"] = small_targets(page)
    web.shot(page, f"{size}-01-sign-in", full_page=True)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    page.click("#paste summary")  # the disclosure open too
    found["check-in"] = small_targets(page)
    web.shot(page, f"{size}-02-check-in", full_page=True)
    page.click("#tab-attendance")
    page.click(f"#dispute-open-{session_id}")
    found["attendance"] = small_targets(page)
    web.shot(page, f"{size}-03-attendance", full_page=True)
    page.click("#tab-requests")
    page.wait_for_selector("#request-form")
    page.check("#request-mode-sessions")
    page.select_option("#request-course", COURSE)
    page.wait_for_selector("#request-sessions")
    found["leave"] = small_targets(page)
    web.shot(page, f"{size}-04-leave", full_page=True)
    page.click("#tab-inbox")
    page.wait_for_selector("#inbox-title")
    found["inbox"] = small_targets(page)
    web.shot(page, f"{size}-05-inbox", full_page=True)
    page.click("#tab-scan")
    page.fill("#typed-code", "000000")
    page.click("#typed-submit")
    page.wait_for_selector("#result[data-state=rejected]")
    found["result"] = small_targets(page)
    web.shot(page, f"{size}-06-result", full_page=True)

    small = {screen: items for screen, items in found.items() if items}
    assert not small, f"targets under {MIN_TARGET}x{MIN_TARGET} px: {small}"


# ---- (c) the projector in a hall ---------------------------------------------------------

#: The hall: a 6 m x 3.4 m screen showing 1920x1080 CSS px (3.1 mm a px), the back row
#: 20 m away. Rule of thumb of signage and AV design: a character is read reliably from
#: up to about 150 times its height (1 inch per 10-12 ft), so at 20 m a figure must be
#: 20,000 / 150 = 133 mm high: 43 px. Digits are about 0.7 of the font size (the cap
#: height of the system fonts), so the font size must be at least 61 px; the six digits
#: a student copies at least 1.25 times that (77 px), as they are read one by one.
PROJECTED_MM_PER_PX = 6000 / 1920
READ_AT = 150
DIGIT_HEIGHT = 0.7
MIN_COUNT_PX = 20_000 / READ_AT / PROJECTED_MM_PER_PX / DIGIT_HEIGHT  # 61 px
MIN_CODE_PX = 1.25 * MIN_COUNT_PX  # 76 px
#: WCAG 1.4.6 (Contrast, Enhanced, AAA): a projector's washed-out black needs the margin.
MIN_HALL_CONTRAST = 7.0

#: Font size, weight, colour and the background behind each element (the first
#: ancestor with an opaque background).
TYPE_OF = """(selectors) => selectors.map((sel) => {
  const el = document.querySelector(sel);
  if (!el) return { sel, missing: true };
  const s = getComputedStyle(el);
  let bg = "rgb(255, 255, 255)";
  for (let e = el; e; e = e.parentElement) {
    const b = getComputedStyle(e).backgroundColor;
    if (b && b !== "transparent" && !b.startsWith("rgba(0, 0, 0, 0")) { bg = b; break; }
  }
  return { sel, size: parseFloat(s.fontSize), weight: s.fontWeight, color: s.color, bg };
})"""


def rgb(css: str) -> tuple[float, ...]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)[:3]]
    return tuple(parts)


def luminance(colour: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(rgb(a)), luminance(rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_projector_is_readable_from_the_back_of_a_hall(web, course):
    session_id = admin.open_session(COURSE, rotation=60, late_after=10, duration=60)
    page = web.page(f"/#/session/{session_id}", device=HALL)
    page.set_default_timeout(SLOW)
    web.sign_in(page, TEACHER, PASSWORD)
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#typed-code[data-code]")
    # the room's figures: the code, and how many have checked in (names never show)
    measured = page.evaluate(TYPE_OF, ["#typed-code", "#count-total"])
    web.shot(page, "09-projector-hall")
    problems = []
    for m in measured:
        assert not m.get("missing"), m
        ratio = contrast(m["color"], m["bg"])
        least = MIN_CODE_PX if m["sel"] == "#typed-code" else MIN_COUNT_PX
        if ratio < MIN_HALL_CONTRAST:
            problems.append(f"{m['sel']}: contrast {ratio:.2f} ({m['color']} on {m['bg']})")
        if m["size"] < least:
            problems.append(f"{m['sel']}: {m['size']:.0f} px, under {least:.0f} px")
    assert not problems, problems
    # the QR code has a text alternative (the code itself is read on screen beside it)
    assert page.get_by_role("img", name=re.compile("QR code")).count() == 1
