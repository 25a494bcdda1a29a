"""Reading a CSV file as people have it, and the vocabulary of every import's report.

Files come from Excel and Google Sheets in many locales: UTF-8 with or without a byte
order mark, separated by commas, semicolons or tabs, fields quoted or not, CRLF or LF,
names in Devanagari. The dialect is detected by clevercsv (on the first 64 KiB); the
header's names are matched to the import's columns through documented aliases,
ignoring case, spaces and punctuation ("Roll No.", "roll_no" and "ROLL NO" are one
column). A file the reader cannot use is refused as a whole (``FileRejected``, with
one issue per reason); otherwise its rows come back with their line numbers, for the
import's own checks.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rollcall import contracts

LIMITS = contracts.data()["imports"]
MAX_ROWS: int = LIMITS["max_rows"]
MAX_BYTES: int = LIMITS["max_bytes"]
SAMPLE_BYTES = 64 * 1024
DELIMITERS = [",", ";", "\t"]


@dataclass(frozen=True)
class Issue:
    """Something wrong (or worth saying) about a file or one of its rows. ``code`` is
    one of the contract's ``imports`` codes; ``line`` and ``column`` say where (the
    file's line number, 1 for the header; the column as the file names it)."""

    code: str
    message: str
    line: int | None = None
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


class FileRejected(Exception):
    """The file cannot be read as the import's CSV at all."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class Column:
    """One column an import reads: its name, the header names people use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        wanted = {_fold(self.name), *(_fold(a) for a in self.aliases)}
        return _fold(header) in wanted


@dataclass
class Table:
    """The rows of a file: each its line number and {column name: text as written,
    trimmed}; ``headers`` maps each column read to the file's own header name."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]
    warnings: list[Issue] = field(default_factory=list)


def read(data: bytes, columns: Sequence[Column]) -> Table:
    """The file's rows, or FileRejected."""
    if len(data) > MAX_BYTES:
        raise FileRejected(
            [Issue("file_too_large", f"the file is over {MAX_BYTES // (1024 * 1024)} MB")]
        )
    text = _decode(data)
    if not text.strip():
        raise FileRejected([Issue("empty_file", "the file is empty")])
    records = _records(text)
    _, header = next(records, (1, []))
    headers, warnings = _match_header(header, columns)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue  # blank lines, and Excel's rows of separators only
        if len(rows) == MAX_ROWS:
            raise FileRejected(
                [Issue("too_many_rows", f"the file has more than {MAX_ROWS:,} rows: split it")]
            )
        rows.append((line, {name: _cell(values, index) for name, index in headers.items()}))
    named = {name: header[index].strip() for name, index in headers.items()}
    return Table(headers=named, rows=rows, warnings=warnings)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:SAMPLE_BYTES]:
        raise FileRejected(
            [Issue("not_csv", "this is not a CSV file (a spreadsheet? save it as CSV UTF-8)")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            [
                Issue(
                    "not_utf8",
                    "the file is not UTF-8: save it as 'CSV UTF-8' (Excel) or download it "
                    "as CSV (Google Sheets)",
                    line=line,
                )
            ]
        ) from None
    return unicodedata.normalize("NFC", text)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on."""
    import clevercsv

    sample = text[:SAMPLE_BYTES]
    dialect = clevercsv.Detector().detect(sample, delimiters=DELIMITERS)
    delimiter = dialect.delimiter if dialect and dialect.delimiter in DELIMITERS else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    start = 1
    try:
        for values in reader:
            yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(
            [Issue("not_csv", f"the file is not valid CSV: {exc}", line=reader.line_num)]
        ) from None


def _match_header(
    header: list[str], columns: Sequence[Column]
) -> tuple[dict[str, int], list[Issue]]:
    found: dict[str, int] = {}
    issues: list[Issue] = []
    warnings: list[Issue] = []
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = next((c for c in columns if c.matches(name)), None)
        if column is None:
            warnings.append(
                Issue("ignored_column", f"column {name.strip()!r} is not used", 1, name.strip())
            )
        elif column.name in found:
            issues.append(
                Issue(
                    "duplicate_column",
                    f"two columns mean {column.name!r}: {header[found[column.name]]!r} and "
                    f"{name!r}",
                    1,
                    name.strip(),
                )
            )
        else:
            found[column.name] = index
    for column in columns:
        if column.required and column.name not in found:
            names = ", ".join(repr(a) for a in (column.name, *column.aliases))
            issues.append(
                Issue("missing_column", f"no column {column.name!r} (header one of {names})", 1)
            )
    if issues:
        raise FileRejected(issues)
    return found, warnings


def _cell(values: list[str], index: int) -> str:
    return " ".join(values[index].split()) if index < len(values) else ""


def _fold(name: str) -> str:
    """A header name without case, spaces or punctuation: 'Roll No.' -> 'rollno'."""
    return re.sub(r"[\W_]+", "", name.casefold())


def split_list(text: str) -> list[str]:
    """A cell holding several values ('A, B', 'A;B', 'A | B', 'A B'): the values."""
    return [part for part in re.split(r"[\s,;|]+", text) if part]
