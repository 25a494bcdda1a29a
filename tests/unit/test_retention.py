"""What expires when (rollcall.core.retention), the email a data request takes
(rollcall.core.privacy.normal), and the privacy commands' refusal to run as nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rollcall.core import privacy, retention

END = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _project(monkeypatch):
    """The default periods (no RETENTION_* set), as a deploy without overrides has."""
    from rollcall.config import settings

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    for name in retention.EXPIRING.values():
        monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_bindings_and_rejections_expire_after_their_sessions_end():
    assert retention.device(END) == END + timedelta(days=7)
    assert retention.rejection(END) == END + timedelta(days=30)


def test_an_inbox_entry_expires_after_the_terms_last_day():
    made = datetime(2026, 9, 1, tzinfo=UTC)
    assert retention.inbox("2026-11-30", made) == datetime(
        2026, 12, 31, tzinfo=UTC
    )  # 1 Dec + 30 days


def test_without_a_term_an_inbox_entry_is_kept_a_term_long():
    made = datetime(2026, 9, 1, tzinfo=UTC)
    expected = made + timedelta(days=retention.TERM_DAYS + 30)
    assert retention.inbox(None, made) == expected
    assert retention.inbox("not a day", made) == expected
    # Made after its term ended (an override a month later): kept from then on.
    assert retention.inbox("2026-08-01", made) == made + timedelta(days=30)


def test_requests_and_mail_markers_expire_after_filing_and_sending():
    assert retention.request(END) == END + timedelta(days=365)
    assert retention.mail(END) == END + timedelta(days=90)


def test_the_periods_come_from_the_environment(monkeypatch):
    from rollcall.config import settings

    monkeypatch.setenv("RETENTION_DEVICE_DAYS", "2")
    settings.cache_clear()
    assert retention.device(END) == END + timedelta(days=2)


@pytest.mark.parametrize("email", [None, 42, "", "no-at-sign", "x" * 400 + "@a.b"])
def test_a_data_request_needs_an_email(email):
    with pytest.raises(ValueError, match="email"):
        privacy.normal(email)


def test_an_email_is_taken_as_rollcall_keys_it():
    assert privacy.normal("  S.Patil@College.EDU ") == "s.patil@college.edu"


def test_the_privacy_commands_will_not_run_without_an_admin(monkeypatch):
    from rollcall_ops import privacy_cli
    from rollcall_ops.cli import parser

    monkeypatch.delenv("ROLLCALL_ID_TOKEN", raising=False)
    args = parser().parse_args(["privacy", "erase", "--email", "s@x.test", "--yes"])
    where = privacy_cli.Target("http://127.0.0.1:1", "http://127.0.0.1:1/signIn")
    with pytest.raises(SystemExit, match="--as ADMIN_EMAIL"):
        privacy_cli.id_token(args, where)
