"""rollcall.usage: what a process counts of Firestore and Pub/Sub, and how it reports."""

from __future__ import annotations

import json
import os

from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import write as write_types

from rollcall import pubsub, usage


def test_off_outside_a_serving_function(monkeypatch, tmp_path):
    monkeypatch.setenv("ROLLCALL_USAGE_DIR", str(tmp_path))
    monkeypatch.delenv("K_SERVICE", raising=False)
    before = usage.snapshot()
    usage.add(firestore_reads=5)
    assert usage.snapshot() == before
    assert not list(tmp_path.iterdir())


def test_writes_and_deletes_of_a_commit_request():
    writes = [
        write_types.Write(update={"name": "projects/p/databases/(default)/documents/a/1"})._pb,
        write_types.Write(delete="projects/p/databases/(default)/documents/a/2")._pb,
        write_types.Write(update={"name": "projects/p/databases/(default)/documents/a/3"}),
    ]
    assert usage.writes_of({"writes": writes}) == {"firestore_writes": 2, "firestore_deletes": 1}
    assert usage.writes_of({"writes": []}) == {"firestore_writes": 0, "firestore_deletes": 0}


def test_a_query_is_billed_per_document_and_at_least_one(monkeypatch, tmp_path):
    monkeypatch.setenv("ROLLCALL_USAGE_DIR", str(tmp_path))
    monkeypatch.setenv("K_SERVICE", "unit")
    doc = firestore_types.RunQueryResponse(document={"name": "x"})
    empty = firestore_types.RunQueryResponse()
    has_doc = lambda r: int(r._pb.HasField("document"))  # noqa: E731
    before = usage.snapshot()["firestore_reads"]
    assert len(list(usage._counted_stream([doc, doc, empty], has_doc, 1))) == 3
    assert usage.snapshot()["firestore_reads"] == before + 2
    list(usage._counted_stream([empty], has_doc, 1))  # no match still costs a read
    assert usage.snapshot()["firestore_reads"] == before + 3


def test_each_process_writes_its_own_file_and_the_reader_adds_them(monkeypatch, tmp_path):
    monkeypatch.setenv("ROLLCALL_USAGE_DIR", str(tmp_path))
    monkeypatch.setenv("K_SERVICE", "notify")
    usage.write({"firestore_reads": 3})
    (tmp_path / "notify-1.json").write_text(json.dumps({"firestore_reads": 4}))
    (tmp_path / "broken-2.json").write_text("{")

    counts = usage.read_all(tmp_path)

    assert sorted(counts) == sorted(["notify-1", f"notify-{os.getpid()}"])
    assert sum(c["firestore_reads"] for c in counts.values()) == 7


def test_a_message_is_billed_with_its_attributes():
    assert pubsub.message_bytes(b"x" * 100, {"type": "scan"}) == 100 + 4 + 4 + 20
