"""What every import shares after reading its file: checking values, comparing the file
with what is stored (the preview's diff), and the report the web page and the CLI show.

An import is all or nothing: a file with any error applies nothing, and the report
lists every error with its line, column and reason. Importing the same file again
changes nothing (every row is unchanged).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rollcall.core.imports.table import Column, FileRejected, Issue, Table, read

EMAIL_MAX = 254
TEXT_MAX = 200


@dataclass(frozen=True)
class Change:
    """One row's effect: ``before`` None for an addition, ``after`` None for a removal."""

    key: str
    line: int | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        fields = None
        if self.before is not None and self.after is not None:
            fields = sorted(
                k for k in {*self.before, *self.after} if self.before.get(k) != self.after.get(k)
            )
        return {
            "key": self.key,
            "line": self.line,
            "before": dict(self.before) if self.before is not None else None,
            "after": dict(self.after) if self.after is not None else None,
            "fields": fields,
        }


@dataclass
class Report:
    """An import's preview, or its outcome once applied."""

    kind: str
    target: str | None
    rows: int = 0
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: The stored state the diff was made against (an apply may insist on it).
    base: int = 0
    applied: bool = False
    import_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def summary(self) -> str:
        what = f"{self.kind} import" + (f" of {self.target}" if self.target else "")
        if self.errors:
            return f"{what}: {len(self.errors)} error(s) in {self.rows} rows; nothing applied"
        verb = "applied" if self.applied else "would apply"
        return (
            f"{what}: {self.rows} rows; {verb} {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.removed)} removed, {self.unchanged} unchanged"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "rows": self.rows,
            "summary": self.summary(),
            "ok": self.ok,
            "applied": self.applied,
            "import_id": self.import_id,
            "base": self.base,
            "counts": {
                "added": len(self.added),
                "changed": len(self.changed),
                "removed": len(self.removed),
                "unchanged": self.unchanged,
                "errors": len(self.errors),
            },
            "added": [c.to_json() for c in self.added],
            "changed": [c.to_json() for c in self.changed],
            "removed": [c.to_json() for c in self.removed],
            "errors": [i.to_json() for i in self.errors],
            "warnings": [i.to_json() for i in self.warnings],
        }


def read_into(report: Report, data: bytes, columns: Sequence[Column]) -> Table | None:
    """The file's table, its warnings on ``report``; None (the reasons on ``report``)
    when it cannot be read at all."""
    try:
        table = read(data, columns)
    except FileRejected as exc:
        report.errors += exc.issues
        return None
    report.warnings += table.warnings
    return table


def diff(
    report: Report,
    stored: Mapping[str, Mapping[str, Any]],
    wanted: Mapping[str, tuple[int, Mapping[str, Any]]],
    *,
    removals: bool,
) -> None:
    """Fill ``report``'s changes: ``stored`` key -> fields, ``wanted`` key -> (line,
    fields). Only the fields in ``wanted`` are compared; keys missing from the file are
    removals when ``removals``."""
    for key, (line, after) in wanted.items():
        before = stored.get(key)
        if before is None:
            report.added.append(Change(key, line, None, after))
        elif any(before.get(k) != v for k, v in after.items()):
            report.changed.append(Change(key, line, {k: before.get(k) for k in after}, after))
        else:
            report.unchanged += 1
    if removals:
        for key in sorted(set(stored) - set(wanted)):
            report.removed.append(Change(key, None, stored[key], None))


class Values:
    """Checks of one row's cells, each recording its issue on the report."""

    def __init__(self, report: Report, line: int, headers: Mapping[str, str], test_domains: bool):
        self.report = report
        self.line = line
        self.headers = headers
        self.test_domains = test_domains

    def fail(self, column: str, code: str, message: str) -> None:
        self.report.errors.append(
            Issue(code, message, line=self.line, column=self.headers.get(column, column))
        )

    def text(self, row: Mapping[str, str], column: str, required: bool = True) -> str | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.fail(column, "missing_value", f"{self.headers.get(column, column)} is empty")
            return None
        if len(value) > TEXT_MAX:
            self.fail(column, "too_long", f"longer than {TEXT_MAX} characters")
            return None
        return value

    def email(self, row: Mapping[str, str], column: str, required: bool = True) -> str | None:
        value = self.text(row, column, required)
        if value is None:
            return None
        normalized = normalize_email(value, self.test_domains)
        if normalized is None:
            self.fail(column, "invalid_email", f"{value!r} is not an email address")
        return normalized

    def emails(self, row: Mapping[str, str], column: str) -> list[str]:
        from rollcall.core.imports.table import split_list

        found = []
        for value in split_list(row.get(column, "")):
            normalized = normalize_email(value, self.test_domains)
            if normalized is None:
                self.fail(column, "invalid_email", f"{value!r} is not an email address")
            else:
                found.append(normalized)
        return sorted(set(found))


def normalize_email(value: str, test_domains: bool = False) -> str | None:
    """The address as Firebase Auth keeps it (lower case), or None if it is not one.
    ``test_domains``: accept special-use domains such as ``.test`` (local projects)."""
    from email_validator import EmailNotValidError, validate_email

    value = value.strip()
    if not value or len(value) > EMAIL_MAX or re.search(r"\s", value):
        return None
    try:
        checked = validate_email(value, check_deliverability=False, test_environment=test_domains)
    except EmailNotValidError:
        return None
    return str(checked.normalized).lower()


def natural_key(text: str | None) -> tuple[Any, ...]:
    """Roll numbers sort as people read them: 2 before 10, 'A-9' before 'A-10'."""
    parts = re.split(r"(\d+)", text or "")
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p.casefold()) for p in parts if p)
