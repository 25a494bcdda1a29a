"""The HTTP toolkit's checks of what a client sends, whatever its shape: JSON bodies of
any structure within the size limit, and ids that Firestore would refuse."""

from __future__ import annotations

import json

import pytest

from rollcall import contracts
from rollcall.core import qr
from rollcall.core.events import decode
from rollcall.errors import BadRequest, NotFound, PoisonEvent, QrInvalid
from rollcall.http.toolkit import id_field, json_object, path_id, text_field
from tests.hostile import BODIES, RESERVED_IDS

LIMIT = 4096
HOSTILE = BODIES


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_body_of_any_shape_is_a_bad_request(raw):
    assert len(raw) <= LIMIT
    with pytest.raises(BadRequest):
        data = json_object(raw, {"session_id"})
        id_field(data, "session_id")


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_message_of_any_shape_is_poison_for_the_consumers(raw):
    with pytest.raises(PoisonEvent):
        decode(raw)


RESERVED = RESERVED_IDS


@pytest.mark.parametrize("value", RESERVED)
def test_ids_firestore_reserves_are_refused_everywhere_a_client_names_one(value):
    assert not contracts.is_document_id(value)
    with pytest.raises(BadRequest):
        id_field({"uid": value}, "uid")
    with pytest.raises(NotFound):
        path_id(value, "session")
    with pytest.raises(QrInvalid):
        qr.parse(f"1.{value}.123.{'A' * 16}")


@pytest.mark.parametrize("value", ["_x_", "__x", "x__", "__", "s1", "_", "a" * 128, "A-z_0"])
def test_ids_that_merely_contain_underscores_are_fine(value):
    assert id_field({"uid": value}, "uid") == value
    assert path_id(value, "session") == value


@pytest.mark.parametrize("value", ["", "a" * 129, "a/b", "a.b", "..", "é", 7, None, ["s1"]])
def test_what_is_not_an_id_at_all(value):
    with pytest.raises(BadRequest):
        id_field({"uid": value}, "uid")


def test_a_token_with_a_trailing_newline_is_not_a_token():
    with pytest.raises(QrInvalid):
        qr.parse("1.s1.123." + "A" * 16 + "\n")


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b" \n"], ids=["plain", "BOM", "space"])
def test_a_json_object_passes(prefix):
    raw = prefix + json.dumps({"session_id": "s1"}).encode()
    assert json_object(raw, {"session_id"}) == {"session_id": "s1"}


def test_a_textareas_lines_as_a_form_sends_them_are_text_where_lines_are_allowed():
    sent = {"reason": "Fever since Monday.\r\nCertificate attached.\r"}
    assert text_field(sent, "reason", 500, lines=True) == (
        "Fever since Monday.\nCertificate attached."
    )
    with pytest.raises(BadRequest, match="without control characters"):
        text_field(sent, "reason", 500)  # a one-line field: a comment, a note
    with pytest.raises(BadRequest, match="without control characters"):
        text_field({"reason": "a\x00b"}, "reason", 500, lines=True)
    assert text_field({}, "comment", 500, required=False) == ""
    with pytest.raises(BadRequest, match="1 to 500"):
        text_field({"comment": 7}, "comment", 500, required=False)
