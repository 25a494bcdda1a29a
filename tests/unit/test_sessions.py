"""Session rules decided by the server's clock: open window and present/late."""

from datetime import UTC, datetime, timedelta

import pytest

from rollcall.core import qr
from rollcall.core.sessions import Session, session_doc

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def session(**changes):
    doc = session_doc("c1", "t1", START, duration_minutes=90, late_after_minutes=10)
    doc.update(changes)
    return Session.from_doc("s1", doc)


def test_new_session_document_is_open_with_a_fresh_secret():
    doc = session_doc("c1", "t1", START, 90)
    assert doc["status"] == "open"
    assert doc["ends_at"] - doc["starts_at"] == timedelta(minutes=90)
    assert len(qr.decode_secret(doc["secret"])) == 32
    assert doc["secret"] != session_doc("c1", "t1", START, 90)["secret"]


@pytest.mark.parametrize(
    "at, is_open",
    [
        (START - timedelta(seconds=1), False),
        (START, True),
        (START + timedelta(minutes=89, seconds=59), True),
        (START + timedelta(minutes=90), False),
    ],
)
def test_open_only_between_start_and_end(at, is_open):
    assert session().is_open(at) is is_open


def test_closed_session_is_not_open_even_in_its_window():
    assert session(status="closed").is_open(START + timedelta(minutes=5)) is False


@pytest.mark.parametrize(
    "minutes, status",
    [(0, "present"), (9.99, "present"), (10, "late"), (80, "late")],
)
def test_late_after_threshold(minutes, status):
    assert session().attendance_status(START + timedelta(minutes=minutes)) == status


@pytest.mark.parametrize(
    "kwargs", [{"rotation_seconds": 4}, {"rotation_seconds": 301}, {"late_after_minutes": 91}]
)
def test_session_settings_are_validated(kwargs):
    with pytest.raises(ValueError):
        session_doc("c1", "t1", START, 90, **kwargs)
