"""QR tokens: minting, parsing, and every way a token can be refused."""

import pytest

from rollcall.core import qr
from rollcall.errors import QrExpired, QrInvalid

SECRET = qr.decode_secret(qr.new_secret())
ROTATION = 10
NOW = 1_800_000_005.0  # inside window 180_000_000
WINDOW = qr.window_at(NOW, ROTATION)


def token(session_id="s1", window=WINDOW, secret=SECRET):
    return qr.mint(secret, session_id, window)


def test_window_is_floor_of_time_over_rotation():
    assert qr.window_at(1_800_000_000.0, 10) == 180_000_000
    assert qr.window_at(1_800_000_009.99, 10) == 180_000_000
    assert qr.window_at(1_800_000_010.0, 10) == 180_000_001


def test_minted_token_has_the_documented_shape():
    version, session_id, window, mac = token().split(".")
    assert (version, session_id, int(window)) == ("1", "s1", WINDOW)
    assert len(mac) == 16 and "=" not in mac


def test_mac_matches_a_known_vector():
    # Computed independently: printf sabc.123 | openssl dgst -sha256 -mac HMAC
    # -macopt key:kkk... (32 k) -binary | head -c 12 | base64url. The web page's
    # WebCrypto implementation can be checked against the same vector.
    assert qr.mac(b"k" * 32, "sabc", 123) == "1b8b--QowWqwdbFy"


@pytest.mark.parametrize("age", [0, 1])
def test_current_and_previous_window_are_accepted(age):
    parsed = qr.parse(token(window=WINDOW - age))
    qr.verify(parsed, SECRET, ROTATION, NOW)


def test_older_window_is_expired():
    with pytest.raises(QrExpired):
        qr.verify(qr.parse(token(window=WINDOW - 2)), SECRET, ROTATION, NOW)


def test_future_window_is_invalid():
    with pytest.raises(QrInvalid):
        qr.verify(qr.parse(token(window=WINDOW + 1)), SECRET, ROTATION, NOW)


def test_token_of_another_secret_is_invalid():
    other = qr.decode_secret(qr.new_secret())
    with pytest.raises(QrInvalid):
        qr.verify(qr.parse(token(secret=other)), SECRET, ROTATION, NOW)


def test_altered_window_is_invalid_even_when_current():
    v, sid, _, mac = token(window=WINDOW - 5).split(".")
    with pytest.raises(QrInvalid):
        qr.verify(qr.parse(f"{v}.{sid}.{WINDOW}.{mac}"), SECRET, ROTATION, NOW)


def test_altered_session_is_invalid():
    v, _, w, mac = token().split(".")
    with pytest.raises(QrInvalid):
        qr.verify(qr.parse(f"{v}.s2.{w}.{mac}"), SECRET, ROTATION, NOW)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        42,
        "",
        "hello",
        "1.s1.123",
        "1.s1.abc.AAAAAAAAAAAAAAAA",
        "1.s.1.123.AAAAAAAAAAAAAAAA",
        "1.s1.123.AAAA",
        "1.s1.123.AAAAAAAAAAAAAAAA=",
        "1.s1.-5.AAAAAAAAAAAAAAAA",
        "1.s1.123.AAAAAAAAAAAAAAA!",
        "1." + "s" * 65 + ".123.AAAAAAAAAAAAAAAA",
        "1.s1.123.AAAAAAAAAAAAAAAA" + "A" * 200,
    ],
)
def test_malformed_tokens_are_invalid(bad):
    with pytest.raises(QrInvalid):
        qr.parse(bad)


def test_unknown_version_is_invalid():
    v1 = token()
    with pytest.raises(QrInvalid, match="version 2"):
        qr.parse("2" + v1[1:])


def test_secret_round_trips_through_base64url():
    secret = qr.new_secret()
    assert len(qr.decode_secret(secret)) == 32
    assert "=" not in secret and "+" not in secret and "/" not in secret


def test_typed_code_matches_a_known_vector():
    # Computed independently: HMAC-SHA256(k*32, "code.sabc.123") with openssl, then
    # RFC 4226 dynamic truncation to 6 digits.
    assert qr.typed_code(b"k" * 32, "sabc", 123) == "391050"


@pytest.mark.parametrize("age, accepted", [(0, True), (1, True), (2, False), (-1, False)])
def test_typed_code_follows_the_same_window_rules(age, accepted):
    code = qr.typed_code(SECRET, "s1", WINDOW - age)
    assert qr.matches_code(code, SECRET, "s1", ROTATION, NOW) is accepted


def test_typed_code_of_another_session_or_secret_does_not_match():
    code = qr.typed_code(SECRET, "s1", WINDOW)
    assert not qr.matches_code(code, SECRET, "s2", ROTATION, NOW)
    other = qr.decode_secret(qr.new_secret())
    assert not qr.matches_code(code, other, "s1", ROTATION, NOW)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("012345", True),
        ("12345", False),
        ("1234567", False),
        ("12345a", False),
        ("１２３４５６", False),
        (123456, False),
    ],
)
def test_code_shape(value, ok):
    assert qr.is_code(value) is ok
