"""The reports in the pseudo-language (decision 0031; tests/browser/catalog_walk.py):
a head of department's defaulter list and department view (the plot, the counts, the
heatmap, a drill-down to another course), and the teacher's open-session form and
course-rules form with their own errors, every string from a catalog; then the
department view in Marathi (a screenshot, copied to docs/screenshots).

The admin page around them (its tabs) is another part's: the walks cover the panels."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rollcall_ops import institution
from tests import held
from tests.browser.catalog_walk import assert_all_from_catalogs

pytestmark = pytest.mark.emulator
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
TZ = ZoneInfo("Asia/Kolkata")
NAMES = ["अनन्या क्षीरसागर", "श्रुती त्रिपाठी", "Rohan Deshmukh", "Meera Iyer"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def school(stack):
    """A department with its head, two courses of four students (divisions A and B)
    taught by one teacher, two sessions of CS301 held and one of CS302."""
    school = held.department_term("LR", NAMES, 2, TZ)
    uids, tokens, staff, courses = (school[k] for k in ("uids", "tokens", "staff", "courses"))
    held.hold(staff, courses["CS301"], "theory", {u: tokens[u] for u in uids[:3]}, uids)
    held.hold(staff, courses["CS301"], "practical", {uids[0]: tokens[uids[0]]}, uids)
    held.hold(staff, courses["CS302"], "theory", {u: tokens[u] for u in uids[1:]}, uids)
    return school


def admin_tab(web, path: str, school: dict, tab: str):
    page = web.page(path, device=LAPTOP)
    web.sign_in(page, school["head"], institution.PASSWORD)
    page.click("#nav-admin")
    page.click(f"#admin-tab-{tab}")
    return page


def test_the_defaulter_list_is_from_the_catalogs(web, school):
    page = admin_tab(web, "/?lang=qps", school, "defaulters")
    page.wait_for_selector("#defaulters")
    assert_all_from_catalogs(page, "defaulter list")
    with page.expect_download():
        page.click("#defaulters-csv")
    page.wait_for_function("() => document.querySelector('#defaulters-message').textContent.trim()")
    assert_all_from_catalogs(page, "defaulter list, downloaded")
    web.shot(page, "13-qps-defaulters", full_page=True)


def test_the_department_view_is_from_the_catalogs_and_in_marathi(web, school):
    page = admin_tab(web, "/?lang=qps", school, "department")
    page.wait_for_selector("#department-plot[data-ready=true]", timeout=60000)
    page.wait_for_selector("#heatmap[data-rows]")
    # hover the plot's last session: the legend says in words the value of each line
    # that has a point there (which lines do depends on the order the sessions were held)
    page.locator("#department-plot").evaluate("el => el.previousElementSibling.scrollIntoView()")
    box = page.locator("#department-plot .u-over").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        """() => [...document.querySelectorAll('#department-plot .u-legend .u-value')]
            .slice(1).some((v) => v.textContent.includes('%'))"""
    )
    assert_all_from_catalogs(page, "department view")
    assert "⟦" in page.inner_text("#department-plot .u-legend")

    # the drill-down: the other course's heatmap, and one division
    page.select_option("#heatmap-course", school["courses"]["CS302"])
    page.wait_for_selector("#heatmap[data-columns='1']")
    assert_all_from_catalogs(page, "department view, CS302")
    page.select_option("#department-division", "B")
    page.wait_for_function(
        "() => document.querySelector('#department-scope')?.textContent.includes('B')"
    )
    page.wait_for_selector("#heatmap[data-rows='2']")
    assert_all_from_catalogs(page, "department view, division B")
    web.shot(page, "14-qps-department", full_page=True)

    page = admin_tab(web, "/?lang=mr", school, "department")
    page.wait_for_selector("#department-plot[data-ready=true]", timeout=60000)
    page.wait_for_selector("#heatmap[data-rows]")
    assert page.inner_text("#department-title") == "विभागाची हजेरी"
    assert page.inner_text("#heatmap-title") == "विद्यार्थी × सेशन"
    total = page.locator("#department-counts tr[data-course=department] th").inner_text()
    assert total.strip() == f"{school['dept']} चे सर्व कोर्स"
    shot = web.shot(page, "15-department-marathi", full_page=True)
    shutil.copy(shot, SCREENSHOTS / "department-marathi.png")


def test_the_teachers_forms_say_their_errors_from_the_catalogs(web, school):
    course = school["courses"]["CS301"]
    page = web.page("/?lang=qps", device=LAPTOP)
    web.sign_in(page, school["teacher"], institution.PASSWORD)
    page.wait_for_selector(f'article.course[data-course="{course}"] .sessions code')
    page.click(f'article.course[data-course="{course}"] .open-session-toggle')
    form = f'form.open-session[data-course="{course}"]'
    page.wait_for_selector(f"{form}:not([hidden])")
    page.fill(f"{form} input >> nth=0", "0")  # below the rotation's minimum
    page.click(f"{form} button[type=submit]")
    page.wait_for_function(
        "f => document.querySelector(f + ' [role=alert]').textContent.trim()", arg=form
    )
    assert_all_from_catalogs(page, "open-session form, refused", within=form)

    page.goto(f"{web.url}/?lang=qps#/course/{course}")
    page.wait_for_selector("#rules-edit")
    page.click("#rules-edit")
    page.wait_for_selector("#rules-form:not([hidden])")
    page.fill("#rule-min-percent", "")
    page.click("#rules-save")
    page.wait_for_function("() => document.querySelector('#rules-message').textContent.trim()")
    assert_all_from_catalogs(page, "course rules form, refused", within="#rules-form")
    assert "⟦" in page.inner_text("#rules-message")
    web.shot(page, "16-qps-rules-refused", full_page=True)
    assert web.errors == []
