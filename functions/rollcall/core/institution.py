"""The institution's departments and terms, set by its admins (``POST /admin/departments``,
``POST /admin/terms``, or ``rollcall department set`` / ``rollcall term set``), before
the courses file names them.

* ``departments/{id}``: ``code`` (its id is the code, as an id), ``name``,
  ``head_emails`` and ``head_uids`` (heads of department: department admins; linked at
  their first verified sign-in, rollcall.core.people);
* ``terms/{id}``: ``name``, ``starts_on``, ``ends_on`` (``YYYY-MM-DD``, the institution's
  calendar days), ``holidays`` (``[{"date", "name"}]``, within the term).

* ``institution/settings``: institution-wide settings (``POST /admin/settings``):
  ``document_required_after_days`` (an absence request longer than this many days
  needs a document; null: never required, rollcall.core.absences), ``guardian_alerts``
  (true: guardians who have the student's consent get the below-threshold alert by
  email, rollcall.core.guardians; false by default).

Each is validated strictly (``ValueError`` naming the first problem) and set whole:
setting a department again replaces its name and heads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from google.cloud.firestore import Client

from rollcall import contracts
from rollcall.core import people, schema, timetable
from rollcall.core.imports.plan import TEXT_MAX, normalize_email

MAX_HOLIDAYS = 200
MAX_HEADS = 20


def id_of(code: str) -> str:
    """The document id of a code as people write it ('CS & IT' -> 'CS-IT')."""
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", code.strip()).strip("-").upper()
    return slug[:64]


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > TEXT_MAX:
        raise ValueError(f"{what} must be text of 1 to {TEXT_MAX} characters")
    return " ".join(value.split())


def _day(value: Any, what: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date, YYYY-MM-DD, not {value!r}")


def set_department(
    db: Client,
    code: str,
    name: str,
    heads: list[str],
    by: str,
    at: datetime,
    test_domains: bool = False,
) -> dict[str, Any]:
    """Create or replace a department; returns it as stored."""
    dept_id = id_of(_text(code, "code"))
    if not contracts.is_document_id(dept_id):
        raise ValueError(f"code {code!r} must have letters or digits")
    if len(heads) > MAX_HEADS:
        raise ValueError(f"at most {MAX_HEADS} heads")
    emails = []
    for head in heads:
        email = normalize_email(head, test_domains) if isinstance(head, str) else None
        if email is None:
            raise ValueError(f"head {head!r} is not an email address")
        emails.append(email)
    emails = sorted(set(emails))
    uids = people.verified_accounts(emails)
    doc = {
        "code": dept_id,
        "name": _text(name, "name"),
        "head_emails": emails,
        "head_uids": sorted(uids[e] for e in emails if e in uids),
        "updated_by": by,
        "updated_at": at,
    }
    schema.department(db, dept_id).set(doc)
    return doc


def set_term(
    db: Client,
    term_id: str,
    name: str,
    starts_on: str,
    ends_on: str,
    holidays: Sequence[Mapping[str, Any]],
    by: str,
    at: datetime,
) -> dict[str, Any]:
    """Create or replace a term; returns it as stored."""
    if not isinstance(term_id, str) or not contracts.is_document_id(term_id):
        raise ValueError("id must be an id: letters, digits, '-' and '_'")
    start, end = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if end < start:
        raise ValueError("ends_on must not be before starts_on")
    if (end - start).days > 400:
        raise ValueError("a term lasts at most 400 days")
    if len(holidays) > MAX_HOLIDAYS:
        raise ValueError(f"at most {MAX_HOLIDAYS} holidays")
    days: dict[str, str] = {}
    for holiday in holidays:
        if not isinstance(holiday, Mapping) or set(holiday) - {"date", "name"}:
            raise ValueError('each holiday is {"date": "YYYY-MM-DD", "name": "..."}')
        day = _day(holiday.get("date"), "a holiday's date")
        if not start <= day <= end:
            raise ValueError(f"holiday {day} is outside the term ({start} to {end})")
        days[day.isoformat()] = _text(holiday.get("name") or "Holiday", "a holiday's name")
    doc = {
        "name": _text(name, "name"),
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "holidays": [{"date": d, "name": n} for d, n in sorted(days.items())],
        "updated_by": by,
        "updated_at": at,
    }
    schema.term(db, term_id).set(doc, merge=True)
    for iso, holiday_name in sorted(days.items()):  # a holiday added later cancels what is on it
        timetable.cancel_holiday(db, term_id, date.fromisoformat(iso), holiday_name, by, at)
    return doc


#: Institution-wide settings: name -> {kind, min, max, default, nullable}.
SETTINGS: dict[str, dict[str, Any]] = {
    "document_required_after_days": contracts.data()["requests"]["document_required_after_days"],
    # Guardians get the below-threshold alert by email, with the student's consent
    # (rollcall.core.guardians); off unless the institution turns it on.
    "guardian_alerts": {"kind": "boolean", "default": False},
}


def settings_of(db: Client) -> dict[str, Any]:
    """The institution's settings, each its default when unset."""
    doc = schema.institution_settings(db).get().to_dict() or {}
    return {name: doc.get(name, spec["default"]) for name, spec in SETTINGS.items()}


def document_required_after_days(db: Client) -> int | None:
    value = settings_of(db)["document_required_after_days"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes to store, or ValueError naming the first bad one."""
    for name, value in changes.items():
        spec = SETTINGS.get(name)
        if spec is None:
            raise ValueError(f"unknown setting {name!r}")
        if value is None and spec.get("nullable"):
            continue
        if spec["kind"] == "boolean":
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole number or null")
        if not spec["min"] <= value <= spec["max"]:
            raise ValueError(f"{name} must be within {spec['min']}..{spec['max']}")
    return dict(changes)


def set_settings(db: Client, changes: Mapping[str, Any], by: str, at: datetime) -> dict[str, Any]:
    """Change some of the institution's settings (validated: ``validate_settings``);
    returns them all as stored."""
    changes = validate_settings(changes)
    if changes:
        schema.institution_settings(db).set(
            {**changes, "updated_by": by, "updated_at": at}, merge=True
        )
    return settings_of(db)
