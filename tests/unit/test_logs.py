"""Structured logs: one JSON object per line, in the shape Cloud Logging reads."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

import pytest

from rollcall import logs


@pytest.fixture(autouse=True)
def project(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    from rollcall.config import settings

    settings.cache_clear()
    yield
    settings.cache_clear()


def lines(capsys) -> list[dict]:
    logs.flush()  # lines are written by the process's log writer thread
    out = capsys.readouterr().out
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def test_one_line_with_severity_message_time_and_fields(capsys):
    logs.info("scan accepted", scan_id="abc", session_id="s1", uid="u1", status="present")

    [line] = lines(capsys)
    assert line["severity"] == "INFO" and line["message"] == "scan accepted"
    assert {k: line[k] for k in ("scan_id", "session_id", "uid", "status")} == {
        "scan_id": "abc",
        "session_id": "s1",
        "uid": "u1",
        "status": "present",
    }
    assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_severities(capsys):
    logs.warning("scan rejected", reason="qr_expired")
    logs.error("poison event dead-lettered", reason="data is not JSON")
    logs.log("ERROR", "scan rejected", reason="unavailable")

    assert [(x["severity"], x.get("reason")) for x in lines(capsys)] == [
        ("WARNING", "qr_expired"),
        ("ERROR", "data is not JSON"),
        ("ERROR", "unavailable"),
    ]


def test_trace_goes_to_cloud_loggings_trace_field(capsys):
    trace = logs.trace_id("105445aa7843bc8bf206b12000100000/1;o=1")
    logs.info("scan accepted", trace=trace, scan_id="abc")

    [line] = lines(capsys)
    assert line["logging.googleapis.com/trace"] == (
        "projects/demo-unit/traces/105445aa7843bc8bf206b12000100000"
    )
    assert "trace" not in line


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("", None),
        ("abc123/456;o=1", "abc123"),
        ("abc123", "abc123"),
        ("abc123;o=1", "abc123"),
        ("/456", None),
    ],
)
def test_trace_id_of_header(header, expected):
    assert logs.trace_id(header) == expected


def test_none_fields_are_left_out_and_other_values_become_strings(capsys):
    logs.info("consumer effect applied", uid=None, at=datetime(2026, 11, 26), count=3)

    [line] = lines(capsys)
    assert "uid" not in line
    assert line["at"] == "2026-11-26 00:00:00" and line["count"] == 3


def test_a_field_cannot_overwrite_the_records_own(capsys):
    logs.info("x", time="not a timestamp")

    [line] = lines(capsys)
    assert line["field_time"] == "not a timestamp"
    assert datetime.fromisoformat(line["time"])


def test_multiline_text_stays_on_one_line(capsys):
    logs.error("consumer effect failed", error="Traceback\n  line 1\nValueError: x")

    [line] = lines(capsys)
    assert line["error"].count("\n") == 2


def test_concurrent_writers_never_interleave(capsys):
    def write(n: int) -> None:
        for i in range(50):
            logs.info("consumer effect applied", writer=n, i=i, padding="x" * 500)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(lines(capsys)) == 400


def test_a_request_thread_never_waits_on_stdout(monkeypatch):
    """The line is queued; the process's writer thread writes it (here stdout blocks
    until released, and logging still returns at once)."""

    class SlowStdout:
        def __init__(self) -> None:
            self.released = threading.Event()
            self.text = ""

        def write(self, text: str) -> None:
            self.released.wait(5)
            self.text += text

        def flush(self) -> None:
            pass

    slow = SlowStdout()
    monkeypatch.setattr("sys.stdout", slow)
    started = time.monotonic()
    for i in range(3):
        logs.info("scan accepted", i=i)
    assert time.monotonic() - started < 1
    slow.released.set()
    logs.flush()
    assert [json.loads(line)["i"] for line in slow.text.splitlines()] == [0, 1, 2]
