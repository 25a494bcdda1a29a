"""Reading files as people have them, and checking a roster's rows: the pure part of the
imports (rollcall.core.imports), without Firestore."""

from __future__ import annotations

import pytest

from rollcall.core.imports import roster
from rollcall.core.imports.plan import Report, diff, natural_key, normalize_email
from rollcall.core.imports.table import MAX_BYTES, MAX_ROWS, FileRejected, read
from tests.paths import ROOT

DATA = ROOT / "tests" / "data" / "imports"


def read_roster(data: bytes):
    return read(data, roster.COLUMNS)


def test_an_excel_file_with_bom_semicolons_crlf_quotes_and_devanagari():
    table = read_roster((DATA / "roster-excel.csv").read_bytes())
    assert table.headers == {
        "roll_no": "Roll No.",
        "prn": "PRN",
        "name": "Student Name",
        "email": "E-mail",
        "division": "Div",
        "batch": "Batch",
    }
    assert [line for line, _ in table.rows] == [2, 3, 4, 6]  # line 5 is blank
    names = [row["name"] for _, row in table.rows]
    assert names == ["Asha Sharma", "अमित पाटील", "Kulkarni; Neha", "Rahul Deshpande"]
    assert [w.code for w in table.warnings] == ["ignored_column"]  # Phone


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_any_separator_and_line_ending(separator, newline):
    lines = [
        ["roll", "name", "email"],
        ["1", '"Patil, Amit"' if separator == "," else "Patil, Amit", "a@x.example"],
        ["2", "Neha", "n@x.example"],
    ]
    data = newline.join(separator.join(cells) for cells in lines).encode()
    table = read_roster(data)
    assert [row["name"] for _, row in table.rows] == ["Patil, Amit", "Neha"]


@pytest.mark.parametrize(
    "header",
    ["Roll No", "roll_no", "ROLL NUMBER", "Roll No.", "roll"],
)
def test_header_aliases_in_any_case_and_punctuation(header):
    table = read_roster(f"{header},Name,Email\n7,A,a@x.example\n".encode())
    assert table.rows[0][1]["roll_no"] == "7"


def test_spaces_inside_cells_are_collapsed():
    table = read_roster(b"roll,name,email\n 1 ,  Asha   Sharma ,a@x.example\n")
    assert table.rows[0][1]["name"] == "Asha Sharma" and table.rows[0][1]["roll_no"] == "1"


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty_file"),
        (b"\n\n  \n", "empty_file"),
        (b"roll,name\n1,Asha\n", "missing_column"),
        (b"roll,roll no,name,email\n1,1,A,a@x.example\n", "duplicate_column"),
        ("roll,name,email\n1,José,j@x.example\n".encode("cp1252"), "not_utf8"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not_csv"),
        (b"roll,name,email\n" + b'1,"unterminated,a@x.example\n' * 2, None),
    ],
    ids=["empty", "blank lines", "missing column", "duplicate", "cp1252", "xlsx", "quote"],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(data, code):
    if code is None:  # an unterminated quote swallows the rest: one row, no crash
        table = read_roster(data)
        assert len(table.rows) == 1
        return
    with pytest.raises(FileRejected) as refused:
        read_roster(data)
    assert [i.code for i in refused.value.issues][0] == code


def test_too_many_rows_and_too_many_bytes():
    header = b"roll,name,email\n"
    rows = b"".join(f"{i},S{i},s{i}@x.example\n".encode() for i in range(MAX_ROWS + 1))
    with pytest.raises(FileRejected) as refused:
        read_roster(header + rows)
    assert refused.value.issues[0].code == "too_many_rows"
    with pytest.raises(FileRejected) as refused:
        read_roster(header + b"x" * MAX_BYTES)
    assert refused.value.issues[0].code == "file_too_large"


def check(data: bytes, divisions=("A", "B")) -> tuple[Report, dict]:
    report = Report(kind="roster", target="c1")
    wanted = roster.check(read_roster(data), list(divisions), report, test_domains=False)
    return report, wanted


def test_a_good_roster_becomes_entries_keyed_by_email():
    report, wanted = check((DATA / "roster-excel.csv").read_bytes())
    assert report.ok and report.rows == 4
    by_email = {entry["email"]: (line, entry) for line, entry in wanted.values()}
    line, asha = by_email["asha.sharma@college.example"]  # trimmed, lower case
    assert line == 2 and asha["roll_no"] == "1" and asha["division"] == "A"
    assert by_email["neha.k@college.example"][1]["division"] == "B"  # 'b' is division B


def test_every_error_with_its_line_column_and_reason():
    data = (
        b"Roll No,Name,Email,Division,PRN\n"
        b"1,Asha,asha@x.example,A,P1\n"
        b"2,Amit,not-an-email,A,P2\n"  # line 3
        b"1,Neha,neha@x.example,A,P3\n"  # line 4: roll 1 again
        b"4,Ravi,ASHA@x.example,B,P4\n"  # line 5: Asha's email again
        b"5,,ravi@x.example,C,P5\n"  # line 6: no name, no division C
        b"6,Sara,sara@x.example,A,P1\n"  # line 7: PRN again
    )
    report, _ = check(data)
    got = sorted((i.line, i.column, i.code) for i in report.errors)
    assert got == [
        (3, "Email", "invalid_email"),
        (4, "Roll No", "duplicate_roll_no"),
        (5, "Email", "duplicate_email"),
        (6, "Division", "unknown_division"),
        (6, "Name", "missing_value"),
        (7, "PRN", "duplicate_prn"),
    ]
    assert "line 2" in next(i.message for i in report.errors if i.code == "duplicate_email")


def test_division_is_required_only_when_the_course_has_divisions():
    data = b"roll,name,email\n1,Asha,a@x.example\n"
    assert check(data, divisions=())[0].ok
    report, _ = check(data, divisions=("A",))
    assert [i.code for i in report.errors] == ["missing_value"]


def test_the_diff_says_what_is_added_changed_removed_and_unchanged():
    report = Report(kind="roster", target="c1")
    stored = {"k1": {"name": "Asha", "division": "A"}, "k2": {"name": "Amit"}, "k3": {"name": "X"}}
    wanted = {
        "k1": (2, {"name": "Asha", "division": "B"}),
        "k2": (3, {"name": "Amit"}),
        "k4": (4, {"name": "New"}),
    }
    diff(report, stored, wanted, removals=True)
    assert [c.key for c in report.added] == ["k4"]
    assert [(c.key, c.to_json()["fields"]) for c in report.changed] == [("k1", ["division"])]
    assert [c.key for c in report.removed] == ["k3"] and report.unchanged == 1


@pytest.mark.parametrize(
    "raw, normalized",
    [
        ("  Asha.Sharma@College.EXAMPLE ", "asha.sharma@college.example"),
        ("not an email", None),
        ("a@b", None),
        ("a b@x.example", None),
        ("", None),
    ],
)
def test_emails_are_normalized_or_refused(raw, normalized):
    assert normalize_email(raw) == normalized


def test_test_domains_only_when_asked():
    assert normalize_email("s@rollcall.test") is None
    assert normalize_email("s@rollcall.test", test_domains=True) == "s@rollcall.test"


def test_roll_numbers_sort_as_people_read_them():
    rolls = ["10", "2", "A-10", "A-9", "1"]
    assert sorted(rolls, key=natural_key) == ["1", "2", "10", "A-9", "A-10"]
