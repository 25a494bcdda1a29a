"""``POST /me/claim`` (no body): the signed-in person claims what their verified email
was given before they had an account (rollcall.core.people): the web app calls it
after every sign-in. -> ``200 {"email", "email_verified", "admin", "departments",
"staff", "enrolled"}``; with an unverified email nothing is claimed (the page asks the
person to verify it first), and an email that was given nothing gets empty lists (the
page says so, rather than showing an empty page)."""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.core import people
from rollcall.http.toolkit import Answer, Context, identify, json_object, lookup, read_body


def handle_claim(request: Any, context: Context) -> Answer:
    body = read_body(request, required=False)
    who = identify(request)
    if body:
        json_object(body, set())  # nothing to send: an empty object at most
    context.fields["uid"] = who.uid
    claimed = people.Claimed()
    if who.email and who.email_verified:
        claimed = lookup(people.claim, clients.firestore_client(), who.uid, who.email, now())
    logs.info("account claimed", uid=who.uid, trace=context.trace, **claimed.to_json())
    answer = {"email": who.email, "email_verified": who.email_verified, **claimed.to_json()}
    return Answer(answer, 200)
