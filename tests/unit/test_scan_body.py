"""The scan body: exactly one of a scanned token or a typed code, and a device id."""

import json

import pytest

from rollcall.errors import BadRequest
from rollcall.http.scan import ScanBody, parse_body


def body(**fields):
    return json.dumps(fields).encode()


def test_token_body():
    assert parse_body(body(qr="1.s.1.x", device_id="d")) == ScanBody(device_id="d", qr="1.s.1.x")


def test_code_body():
    assert parse_body(body(code="004217", device_id="d")) == ScanBody(device_id="d", code="004217")


@pytest.mark.parametrize(
    "raw",
    [
        body(qr="1.s.1.x", code="123456", device_id="d"),
        body(device_id="d"),
        body(code=123456, device_id="d"),
        body(code="12 456", device_id="d"),
        body(qr="", device_id="d"),
        body(qr=["x"], device_id="d"),
        body(qr="x", device_id=""),
        body(qr="x", device_id="\x00evil"),
        body(qr="x", device_id="d", extra=1),
        b"null",
        b"\xff",
    ],
)
def test_bad_bodies(raw):
    with pytest.raises(BadRequest):
        parse_body(raw)
