"""The server's catalogs (rollcall/catalogs, decision 0031): every language has every
message with the same placeholders, the plural forms its language needs, and the
notification texts come out in the student's language."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from typing import Any

import pytest

from rollcall import contracts
from rollcall.consumers import notify
from rollcall.core import messages

FORMS = {"one", "other"}


def flatten(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """key -> string, or key -> {plural form: string} for an entry with plural forms."""
    out: dict[str, Any] = {}
    for k, v in node.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and not set(v) <= FORMS | {"zero", "two", "few", "many"}:
            out.update(flatten(v, f"{key}."))
        else:
            out[key] = v
    return out


def placeholders(value: Any) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for t in texts for _, name, _, _ in string.Formatter().parse(t) if name}


CATALOGS = {code: flatten(messages.catalog(code)) for code in contracts.LANGUAGES}


@pytest.mark.parametrize("code", [c for c in contracts.LANGUAGES if c != "en"])
def test_every_language_has_every_message_with_the_same_placeholders(code):
    english, other = CATALOGS["en"], CATALOGS[code]
    assert sorted(set(english) - set(other)) == [], f"{code} lacks these"
    assert sorted(set(other) - set(english)) == [], f"{code} has these that English has not"
    for key, value in english.items():
        assert placeholders(other[key]) == placeholders(value), f"{code}: {key}"
        assert other[key] != "", key


@pytest.mark.parametrize("code", contracts.LANGUAGES)
def test_plural_entries_have_the_forms_of_their_language(code):
    rules = messages.locale(code).plural_form
    for key, value in CATALOGS[code].items():
        if isinstance(value, dict):
            needed = {rules(n) for n in range(0, 200)}
            assert needed <= set(value), f"{code}: {key} lacks {needed - set(value)}"


def test_a_stored_language_outside_the_catalogs_is_english():
    assert messages.language_of("hi") == "hi"
    assert messages.language_of("fr") == "en"
    assert messages.language_of(None) == "en"


def test_an_alert_travels_in_catalog_terms_and_is_worded_in_each_language():
    from fractions import Fraction

    from rollcall.core import standing
    from rollcall.core.events import Alert
    from rollcall.errors import PoisonEvent

    figures = standing.Standing(
        held=4,
        attended=Fraction(2),
        present=2,
        late=0,
        excused=0,
        absent=2,
        counted=4,
        absence_run=2,
        remaining=6,
        can_miss=None,
        needed=3,
        reachable=True,
        threshold=Fraction(3, 4),
    )
    label = standing.course_label("Networks", "practical")
    said = standing.alert_words(standing.BELOW_THRESHOLD, label, figures, standing.Rules())
    title, body = said.render("en")
    assert title == "Networks (practical): attendance below 75 %"
    assert body.endswith("Attend the next 3 sessions to get back to 75 %.")
    alert = Alert(
        alert_id="alert-c-x-1",
        uid="u",
        course_id="c",
        session_id="s",
        kind="below_threshold",
        title=title,
        body=body,
        at=datetime(2026, 12, 7, tzinfo=UTC),
        words=said.to_json(),
    )
    again = Alert.from_json(alert.to_json())
    notice = notify.notice_of(again)
    assert notice.title == title
    hindi = notice.in_language("hi")
    assert hindi.title == "Networks (प्रैक्टिकल): हाज़िरी 75 % से कम"
    assert "अगले 3 सेशन अटेंड करें" in hindi.body
    assert notice.in_language("mr").title == "Networks (प्रॅक्टिकल): हजेरी 75 % पेक्षा कमी"
    # an alert of before: its own English words; a made-up key: a poison event
    older = {k: v for k, v in alert.to_json().items() if k != "words"}
    assert notify.notice_of(Alert.from_json(older)).in_language("hi").title == title
    with pytest.raises(PoisonEvent):
        Alert.from_json({**alert.to_json(), "words": {"title": "no.such", "body": "x"}})


def test_a_request_decision_is_worded_in_the_students_language():
    from rollcall.core import absences

    doc = {
        "uid": "u",
        "course_id": "c",
        "kind": "medical",
        "from": "2026-12-07",
        "to": "2026-12-09",
        "status": "approved",
        "comment": "Get well soon",
    }
    notice = notify.notice_of(absences.decision_notice("r1", doc, "Biology", 2, datetime.now(UTC)))
    assert notice.body == (
        "Your medical request for 2026-12-07 to 2026-12-09 was approved. 2 sessions marked"
        " excused so far. Sessions still to come are excused when they close."
        " Comment: Get well soon"
    )
    hindi = notice.in_language("hi")
    assert hindi.title == "अर्ज़ी मंज़ूर: Biology"
    assert hindi.body.startswith("आपकी 2026-12-07 से 2026-12-09 की मेडिकल अर्ज़ी मंज़ूर हो गई।")
    assert hindi.body.endswith(" टिप्पणी: Get well soon")
    assert notice.in_language("mr").title == "अर्ज मंजूर: Biology"


def test_words_carry_terms_phrases_and_moments_through_json():
    said = messages.Words(
        "dispute.declined.title",
        "dispute.declined.body",
        {
            "course": "DS",
            "status": messages.Term("status.late"),
            "when": messages.Phrase(
                "dispute.of", {"when": messages.When(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))}
            ),
            "comment": "seen on the camera",
        },
    )
    again = messages.Words.from_json(json.loads(json.dumps(said.to_json())))
    assert again.render("mr") == said.render("mr")
    assert said.render("en")[1] == (
        "Your dispute of the late mark in the session of Mon 7 Dec, 09:00 was declined."
        " Comment: seen on the camera"
    )
    with pytest.raises(ValueError):
        messages.Words.from_json({"title": "dispute.declined.title", "body": 3})
    with pytest.raises(ValueError):
        messages.Words.from_json(
            {"title": "status.late", "body": "status.late", "params": {"x": [1]}}
        )
