"""Email without a relay: the digest's period and window, the once-only keys, the
message as built (UTF-8, Devanagari, the unsubscribe link), the unsubscribe token, the
relay's verdicts, the digest's text and the trigger's schema (decision 0027)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from rollcall.config import settings
from rollcall.core import digests, mail
from rollcall.core.events import Digest, decode
from rollcall.errors import PoisonEvent, TransientError

DEVANAGARI = "अनन्या क्षीरसागर"


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    monkeypatch.setenv("MAIL_LINK_SECRET", "unit-secret")
    monkeypatch.setenv("MAIL_LINK_BASE", "https://scan.example/")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.mark.parametrize(
    "at, period",
    [
        (datetime(2026, 12, 6, 12, 0, tzinfo=UTC), "2026-W49"),  # Sunday
        (datetime(2026, 12, 6, 19, 0, tzinfo=UTC), "2026-W50"),  # Monday 00:30 in Kolkata
        (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "2026-W53"),  # ISO year of a Friday
        (datetime(2029, 12, 31, 6, 0, tzinfo=UTC), "2030-W01"),
    ],
)
def test_the_period_is_the_iso_week_in_the_institutions_time_zone(at, period):
    assert mail.period_of(at, "Asia/Kolkata") == period


def test_the_window_is_the_last_seven_days_or_a_past_periods_own_week():
    at = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # Monday 07:00 in Kolkata, W50
    start, end = mail.window("2026-W50", at, "Asia/Kolkata")
    assert (end - start).days == 7 and end == at
    start, end = mail.window("2026-W40", at, "Asia/Kolkata")
    assert start.isoformat() == "2026-09-28T00:00:00+05:30"
    assert end.isoformat() == "2026-10-05T00:00:00+05:30"


def test_the_address_key_ignores_case_and_hides_the_address():
    assert mail.key("Teacher@X.test") == mail.key(" teacher@x.test ")
    assert "teacher" not in mail.key("teacher@x.test")
    assert mail.key("a@x.test") != mail.key("b@x.test")


def test_an_unsubscribe_token_names_its_address_and_nothing_else():
    token = mail.link_token("Teacher@X.test")
    assert mail.email_of(token) == "teacher@x.test"
    raw, mac = token.split(".")
    assert mail.email_of(f"{raw}.{'0' * len(mac)}") is None
    forged = mail.link_token("other@x.test").split(".")[0]
    assert mail.email_of(f"{forged}.{mac}") is None
    for junk in ("", ".", "abc", "a.b.c", "%%%.00"):
        assert mail.email_of(junk) is None


def test_without_a_secret_no_token_verifies(monkeypatch):
    token = mail.link_token("teacher@x.test")
    monkeypatch.setenv("MAIL_LINK_SECRET", "")
    settings.cache_clear()
    assert mail.email_of(token) is None


def test_a_digest_is_utf8_text_and_html_with_the_unsubscribe_link():
    m = mail.Mail(
        marker="2026-W49-mabc",
        kind="digest_teacher",
        to="teacher@x.test",
        subject=f"Digest: {DEVANAGARI}",
        lines=("Hello", "", f"  7 {DEVANAGARI}: 40.0 %, below the threshold <&>"),
    )
    raw = mail.compose(m).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == f"Digest: {DEVANAGARI}"
    assert parsed["List-Unsubscribe"].startswith("<https://scan.example/mail/unsubscribe?token=")
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert DEVANAGARI in text and DEVANAGARI in html
    assert "&lt;&amp;&gt;" in html and "<&>" in text
    assert "To stop these emails: https://scan.example/mail/unsubscribe?token=" in text


def test_a_guardians_alert_has_no_unsubscribe_link():
    m = mail.Mail("a-1-m", "guardian_alert", "g@x.test", "Below 75 %", ("body",), False)
    msg = mail.compose(m)
    assert msg["List-Unsubscribe"] is None
    assert "unsubscribe" not in msg.get_body(("plain",)).get_content()


class FakeSMTP:
    """smtplib.SMTP's context manager, failing as told."""

    error: Exception | None = None

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send_message(self, msg) -> dict:
        if self.error:
            raise self.error
        return {}


@pytest.mark.parametrize(
    "error, verdict",
    [
        (None, None),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 No such mailbox")}), 550),
        (smtplib.SMTPDataError(554, b"rejected"), 554),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"try later")}), TransientError),
        (smtplib.SMTPSenderRefused(530, b"auth required", "r@x.test"), TransientError),
        (ConnectionRefusedError(111, "refused"), TransientError),
        (smtplib.SMTPServerDisconnected("gone"), TransientError),
    ],
)
def test_the_relays_answer_decides_sent_bounced_or_retry(monkeypatch, error, verdict):
    FakeSMTP.error = error
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    msg = mail.compose(mail.Mail("k", "digest_teacher", "a@x.test", "s", ("b",)))
    if verdict is TransientError:
        with pytest.raises(TransientError):
            mail.send(msg)
    elif verdict is None:
        assert mail.send(msg) is None
    else:
        assert mail.send(msg).code == verdict


def test_a_teachers_digest_lists_each_course_worst_first():
    lines = digests.teacher_lines(
        [
            (
                "CS301 Networks",
                [
                    {"name": DEVANAGARI, "roll_no": "7", "state": "below", "percent": 40.0},
                    {
                        "name": "Meera",
                        "roll_no": "2",
                        "state": "at_risk",
                        "percent": 76.0,
                        "absences": 2,
                    },
                ],
            ),
            ("CS302 Databases", []),
        ],
        "2026-W49",
    )
    assert lines == (
        "Your attendance digest for week 2026-W49.",
        "",
        "CS301 Networks: 2 at risk or below",
        f"  7 {DEVANAGARI}: 40.0 %, below the threshold",
        "  2 Meera: 76.0 %, at risk, 2 absent this week",
        "",
        "CS302 Databases: nobody at risk",
        "",
    )


def test_a_digest_is_worded_in_its_recipients_language():
    course = [
        (
            "CS301 Networks",
            [
                {
                    "name": DEVANAGARI,
                    "roll_no": "7",
                    "state": "below",
                    "percent": 40.0,
                    "absences": 1,
                }
            ],
        )
    ]
    hindi = digests.teacher_lines(course, "2026-W49", "hi")
    assert hindi[0] == "सप्ताह 2026-W49 का आपका हाज़िरी डाइजेस्ट।"
    assert hindi[2] == "CS301 Networks: 1 छात्र खतरे में या सीमा से नीचे"
    assert hindi[3] == f"  7 {DEVANAGARI}: 40.0 %, सीमा से नीचे, इस सप्ताह 1 बार अनुपस्थित"
    marathi = digests.teacher_lines(course, "2026-W49", "mr")
    assert "मर्यादेखाली" in marathi[3] and "40.0 %" in marathi[3]  # Latin digits
    m = mail.Mail("k", "digest_teacher", "a@x.test", "s", hindi, language="hi")
    msg = mail.compose(m)
    assert msg["Content-Language"] == "hi"
    assert "ये ईमेल बंद करने के लिए: https://scan.example/" in msg.get_body(("plain",)).get_content()
    assert '<html lang="hi">' in msg.get_body(("html",)).get_content()
    # a long Devanagari subject keeps its spaces (Python's folding lost the one at a fold)
    subject = "Dept of Mail चे डिफॉल्टर, आठवडा 2031-W09 अनन्या क्षीरसागर: ML101"
    m = mail.Mail("k", "digest_head", "a@x.test", subject, ("b",), language="mr")
    parsed = message_from_bytes(mail.compose(m).as_bytes(), policy=policy.default)
    assert parsed["Subject"] == subject


def test_absences_count_only_within_the_window():
    start, end = datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)
    sessions = {
        "a": {"status": "absent", "starts_at": datetime(2026, 12, 1, tzinfo=UTC)},
        "b": {"status": "present", "starts_at": datetime(2026, 12, 2, tzinfo=UTC)},
        "c": {"status": "absent", "starts_at": datetime(2026, 11, 29, tzinfo=UTC)},
        "d": {"status": "absent", "starts_at": end},
        "e": {"status": "absent"},
    }
    assert digests.absences_in(sessions, start, end) == 1


def test_a_digest_trigger_is_period_optional_and_strict():
    assert decode(b'{"schema":1,"type":"digest"}') == Digest()
    assert decode(b'{"schema":1,"type":"digest","period":"2026-W49"}') == Digest("2026-W49")
    data, attributes = Digest("2026-W53").encode()
    assert decode(data) == Digest("2026-W53") and attributes["type"] == "digest"
    for bad in ('"2026-49"', '"2027-W53"', '"2026-W00"', "49", '"2026-W49 "'):
        with pytest.raises(PoisonEvent):
            decode(b'{"schema":1,"type":"digest","period":%s}' % bad.encode())


def test_guardian_alerts_is_an_institution_setting_of_true_or_false():
    from rollcall.core import institution

    assert institution.validate_settings({"guardian_alerts": True}) == {"guardian_alerts": True}
    for bad in (1, "true", None):
        with pytest.raises(ValueError, match="guardian_alerts must be true or false"):
            institution.validate_settings({"guardian_alerts": bad})


def test_without_a_relay_the_consumer_sends_nothing_and_acknowledges(monkeypatch):
    from rollcall.consumers import mail as consumer
    from rollcall.consumers.delivery import Delivery

    monkeypatch.setenv("SMTP_HOST", "")
    settings.cache_clear()
    delivery = Delivery("m1", b"", {}, "2026-12-07T01:30:00Z")
    assert consumer.handle(Digest(), delivery) == {
        "effect": "mail",
        "sent": 0,
        "relay": "not configured",
    }


def test_the_unsubscribe_link_opens_its_page_in_the_emails_language():
    marathi = mail.Mail("p-1-m", "digest_teacher", "t@x.test", "साप्ताहिक", ("ओळ",), language="mr")
    link = mail.compose(marathi)["List-Unsubscribe"]
    assert link.endswith("&lang=mr>"), link
    english = mail.Mail("p-1-e", "digest_teacher", "t@x.test", "Weekly", ("line",))
    assert "lang=" not in mail.compose(english)["List-Unsubscribe"]
