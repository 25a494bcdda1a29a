"""The server's words in the students' languages (decision 0031): the notification
texts (inbox entries and pushes) come from one catalog per language,
``rollcall/catalogs/{en,hi,mr}.json``, in the language the student picked on the web
page (``users/{uid}.language``, English when unset). Placeholders are ``{name}``; an
entry that depends on a number is a map of CLDR plural forms (``one``, ``other``),
chosen with Babel's plural rules; dates and times are Babel's, in the language's
Indian locale, with Latin digits (as the pages show them).

A message is built where the event is handled, in the catalog's terms (``Words``:
keys and parameters), and worded once the student's language is known (the notify
consumer reads the student's document anyway, for the device tokens).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from rollcall import contracts

CATALOG_DIR = Path(__file__).parent.parent / "catalogs"
#: Babel's locale per language: Indian Hindi and Marathi; English as the texts always
#: had it ("Mon 7 Sep, 09:00": en_IN would write "Sept").
LOCALES = {"en": "en", "hi": "hi_IN", "mr": "mr_IN"}
DEFAULT = contracts.DEFAULT_LANGUAGE
#: How a session's start is written: "Mon 7 Dec, 09:00" (in each language's words).
WHEN_PATTERN = "EEE d MMM, HH:mm"


@cache
def catalog(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CATALOG_DIR / f"{language}.json").read_text("utf-8"))
    return data


@cache
def locale(language: str) -> Locale:
    return Locale.parse(LOCALES[language])


def language_of(value: Any) -> str:
    """A stored language as one of the catalogs' (English for anything else)."""
    return value if value in contracts.LANGUAGES else contracts.DEFAULT_LANGUAGE


def _lookup(language: str, key: str) -> Any:
    node: Any = catalog(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            if language != contracts.DEFAULT_LANGUAGE:
                return _lookup(contracts.DEFAULT_LANGUAGE, key)
            raise KeyError(f"no message {key!r}")
        node = node[part]
    return node


def text(language: str, key: str, **params: Any) -> str:
    """The message ``key`` in ``language`` with ``params`` filled in; ``count`` picks
    the plural form of an entry that has them. Parameters that are ``Term`` or ``When``
    (anything with a ``word(language)``) are worded in the same language first."""
    language = language_of(language)
    entry = _lookup(language, key)
    if isinstance(entry, dict):
        form = locale(language).plural_form(params["count"])
        entry = entry.get(form, entry["other"])
    worded = {k: v.word(language) if hasattr(v, "word") else v for k, v in params.items()}
    return str(entry).format(**worded)


def number(language: str, value: float | int, pattern: str | None = None) -> str:
    """A number written the language's way, with Latin digits (as the pages show them):
    ``number("en", 12.5, "0.0")`` -> ``12.5``; no pattern: the locale's (Indian grouping
    in Hindi and Marathi)."""
    loc = locale(language_of(language))
    return str(format_decimal(value, pattern, locale=loc, numbering_system="latn"))


def day(language: str, value: date) -> str:
    """A day written the language's way: "6 Dec 2026", "6 दिस॰ 2026"."""
    return str(format_date(value, "d MMM y", locale=locale(language_of(language))))


@dataclass(frozen=True)
class Term:
    """A catalog entry used inside another message (a status: "present", "उपस्थित")."""

    key: str

    def word(self, language: str) -> str:
        return text(language, self.key)


@dataclass(frozen=True)
class When:
    """A moment, in the institution's time zone, written the language's way."""

    at: datetime

    def word(self, language: str) -> str:
        return str(format_datetime(self.at, WHEN_PATTERN, locale=locale(language_of(language))))


@dataclass(frozen=True)
class Phrase:
    """A catalog message used inside another one, with its own parameters (a course
    and its kind of session: "Networks (practical)")."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def word(self, language: str) -> str:
        return text(language, self.key, **self.params)


@dataclass(frozen=True)
class Words:
    """A title and a body in the catalogs' terms, worded per language by ``render``.
    ``to_json``/``from_json``: carried by an event (an alert) from where it is made to
    the notify consumer, which knows the student's language."""

    title: str
    body: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> tuple[str, str]:
        return text(language, self.title, **self.params), text(language, self.body, **self.params)

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "body": self.body, "params": _encode(self.params)}

    @classmethod
    def from_json(cls, data: Any) -> Words:
        """Raises ValueError on anything but what ``to_json`` writes (a poison event)."""
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("title", "body")
        ):
            raise ValueError("words: title and body must be catalog keys")
        for key in (data["title"], data["body"]):
            _lookup(contracts.DEFAULT_LANGUAGE, key)  # KeyError: no such message
        return cls(data["title"], data["body"], _decode(data.get("params") or {}))


def _encode(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Term):
            out[name] = {"term": value.key}
        elif isinstance(value, When):
            out[name] = {"when": value.at.isoformat()}
        elif isinstance(value, Phrase):
            out[name] = {"phrase": value.key, "params": _encode(value.params)}
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[name] = value
        else:
            raise TypeError(f"words: parameter {name!r} cannot be carried: {value!r}")
    return out


def _decode(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise ValueError("words: params must be a map")
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict) and isinstance(value.get("term"), str):
            out[name] = Term(value["term"])
        elif isinstance(value, dict) and isinstance(value.get("when"), str):
            out[name] = When(datetime.fromisoformat(value["when"]))
        elif isinstance(value, dict) and isinstance(value.get("phrase"), str):
            out[name] = Phrase(value["phrase"], _decode(value.get("params") or {}))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[name] = value
        else:
            raise ValueError(f"words: parameter {name!r} is not a text, number, term or phrase")
    return out
