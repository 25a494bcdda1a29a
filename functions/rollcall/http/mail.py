"""The mail endpoints (decision 0027):

* ``GET /mail/unsubscribe?token=...[&lang=hi]`` (no sign-in: the link in every digest):
  records the address's opt-out from the digests (``mail_optouts``, idempotent) and
  answers a plain HTML page in the email's language (``lang``: en, hi, mr; English for
  anything else). A token that does not verify is ``bad_request``, nothing written.
* ``GET /me/guardian`` (the student): whether the institution sends alerts to
  guardians, the guardian's email on the roster, and the student's consent. -> ``200
  {"enabled", "guardian_email", "consent", "consented_at"}``
* ``POST /me/guardian-consent`` ``{"consent": true|false}`` (the student): records the
  consent (or its withdrawal) with its time and the address it covers
  (rollcall.core.guardians). -> ``200`` as ``GET /me/guardian``; consenting with no
  guardian email on the roster is ``bad_request``, nothing written.
"""

from __future__ import annotations

import html
from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.core import guardians, mail, messages
from rollcall.errors import BadRequest
from rollcall.http.toolkit import Answer, Context, identify, json_object, lookup, query, read_body

PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title></head>"
    '<body style="font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">'
    "<h1>{heading}</h1><p>{body}</p></body></html>"
)


def unsubscribed_page(email: str, language: str) -> str:
    """The page the link opens, in the email's language (``lang``; English when unknown)."""
    language = messages.language_of(language)

    def word(key: str, **params: str) -> str:
        return html.escape(messages.text(language, f"mail.unsubscribed.{key}", **params))

    return PAGE.format(
        lang=language, title=word("title"), heading=word("heading"), body=word("body", email=email)
    )


def handle_unsubscribe(request: Any, context: Context) -> Answer:
    asked = query(request, {"token": "token", "lang": "text"})
    token = asked.get("token")
    email = mail.email_of(token) if token else None
    if email is None:
        raise BadRequest("this unsubscribe link is not valid: use the link of a recent email")
    new = lookup(mail.unsubscribe, clients.firestore_client(), email, now())
    logs.info("unsubscribed from digests", address=mail.key(email), new=new, trace=context.trace)
    body = unsubscribed_page(email, asked.get("lang", messages.DEFAULT))
    return Answer(body, 200, {"Content-Type": "text/html; charset=utf-8"})


def handle_guardian(request: Any, context: Context) -> Answer:
    query(request, {})
    who = identify(request)
    context.fields["uid"] = who.uid
    db = clients.firestore_client()
    listed = _listed(db, who)
    return Answer(_shown(lookup(guardians.state, db, who.uid, listed)), 200)


def handle_consent(request: Any, context: Context) -> Answer:
    body = read_body(request)
    who = identify(request)
    context.fields["uid"] = who.uid
    consent = json_object(body, {"consent"}).get("consent")
    if not isinstance(consent, bool):
        raise BadRequest("field 'consent' must be true or false")
    db = clients.firestore_client()
    listed = _listed(db, who)
    if consent and not listed:
        raise BadRequest("the class list has no guardian email for you: ask your department")
    state = lookup(guardians.set_consent, db, who.uid, listed, consent, now())
    logs.info("guardian consent recorded", uid=who.uid, consent=consent, trace=context.trace)
    return Answer(_shown(state), 200)


def _listed(db: Any, who: Any) -> str | None:
    """The guardian's email the roster lists for the signed-in student (by their
    verified email; an unverified one is nobody's)."""
    if not (who.email and who.email_verified):
        return None
    return lookup(guardians.guardian_email, db, email=who.email)


def _shown(state: dict[str, Any]) -> dict[str, Any]:
    at = state.get("consented_at")
    return {**state, "consented_at": at.isoformat() if at is not None else None}
