"""Absence requests without an emulator: a document's type by content and its safe
name, what a request covers, the student's notice and its event on the wire."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from rollcall.core import absences, documents
from rollcall.core.events import StudentNotice, decode

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb")


@pytest.fixture(autouse=True)
def _project(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    from rollcall.config import settings

    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.mark.parametrize(
    "data, expected",
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"I was ill, trust me", None),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", None),
        (b"PK\x03\x04" + b"\x00" * 30, None),  # a zip (or a .docx) named .pdf
        (b"", None),
    ],
)
def test_a_documents_type_is_its_content(data, expected):
    assert documents.sniff(data) == expected


def test_a_documents_name_is_made_safe_and_takes_its_real_type():
    assert documents.safe_filename("certificate.PDF", "application/pdf") == "certificate.pdf"
    assert documents.safe_filename("scan.pdf", "image/png") == "scan.png"
    assert documents.safe_filename('../../etc/"x ray".jpeg', "image/jpeg") == "x_ray.jpg"
    assert documents.safe_filename(None, "image/png") == "document.png"
    assert documents.safe_filename("\r\n", "application/pdf") == "document.pdf"


def test_what_a_request_covers():
    at = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 09:30 in Asia/Kolkata
    ranged = {"mode": "range", "from": "2026-12-07", "to": "2026-12-08", "session_ids": []}
    assert absences.covers(ranged, "s1", {"starts_at": at})
    assert not absences.covers({**ranged, "from": "2026-12-08"}, "s1", {"starts_at": at})
    chosen = {"mode": "sessions", "session_ids": ["s1"], "planned_ids": ["p1"]}
    assert absences.covers(chosen, "s1", {"starts_at": at})
    assert absences.covers(chosen, "s2", {"starts_at": at, "planned_id": "p1"})
    assert not absences.covers(chosen, "s3", {"starts_at": at, "planned_id": "p9"})


def test_the_decision_notice_travels_on_the_topic_and_becomes_an_inbox_entry():
    from rollcall.consumers import notify

    at = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    doc = {
        "uid": "u1",
        "course_id": "c1",
        "kind": "medical",
        "from": "2026-12-07",
        "to": "2026-12-09",
        "status": "declined",
        "comment": "No certificate",
    }
    notice = absences.decision_notice("r1", doc, "Biology", 0, at)
    assert (notice.kind, notice.title) == ("request_declined", "Request declined: Biology")
    assert notice.body == (
        "Your medical request for 2026-12-07 to 2026-12-09 was declined. Comment: No certificate"
    )
    data, attributes = notice.encode()
    assert attributes["type"] == "notice"
    assert decode(data) == notice
    entry = notify.notice_of(notice)
    assert entry is not None and entry.entry_id == "request-r1"
    assert entry.fields == {
        "type": "notice",
        "kind": "request_declined",
        "course_id": "c1",
        "request_id": "r1",
        "status": "declined",
    }
    assert all(isinstance(v, str) for v in entry.data.values())


def test_an_approval_says_how_many_sessions_it_excused():
    at = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    doc = {"uid": "u1", "course_id": "c1", "kind": "leave", "from": "2026-12-07"}
    doc.update(to="2026-12-07", status="approved", comment=None)
    notice = absences.decision_notice("r1", doc, "Biology", 3, at)
    assert notice.body == (
        "Your leave request for 2026-12-07 was approved. 3 sessions marked excused so far."
        " Sessions still to come are excused when they close."
    )


def test_a_notice_with_extras_that_are_not_strings_is_poison():
    from rollcall.errors import PoisonEvent

    at = datetime(2026, 12, 7, tzinfo=UTC)
    data, _ = StudentNotice("n1", "u1", "k", "t", "b", "c1", at, {"x": "y"}).encode()
    with pytest.raises(PoisonEvent):
        decode(data.replace(b'"y"', b"1"))
    assert os.environ["GOOGLE_CLOUD_PROJECT"] == "demo-unit"


def test_the_overrides_of_an_approval_push_nothing_the_decision_notice_does():
    """One push per decision, not one more per excused session: notify acknowledges an
    override whose basis is a request before it reads anything."""
    from rollcall.consumers import notify
    from rollcall.consumers.delivery import Delivery
    from rollcall.core.events import AttendanceEvent

    at = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    excuse = AttendanceEvent(
        event_id=absences.override_id("r1", "s1"),
        session_id="s1",
        course_id="c1",
        uid="u1",
        status="excused",
        at=at,
        device_id="",
        type="override",
        reason="Approved medical request",
        by="t1",
        basis=absences.basis("r1"),
    )
    delivery = Delivery("m1", b"", {}, None)
    assert notify.handle(excuse, delivery) == {"effect": "notification", "skipped": "override"}
