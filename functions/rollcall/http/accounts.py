"""Is the account behind a valid ID token still allowed in? An ID token stays valid for
an hour after its user was disabled or their sessions revoked; Firebase's own check
(``verify_id_token(check_revoked=True)``) costs one Auth lookup per request.

Here the lookups go by group commit (rollcall.batching): the scans of a burst that
arrive while a lookup is in flight are looked up together in the next one (up to
``MAX_LOOKUP`` accounts per call, the Auth API's limit), so a 500-student lecture costs a
few dozen lookups, not 500. Nothing is cached: a disabled account is refused from its
next request on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from rollcall import clients, logs
from rollcall.batching import GroupCommit

MAX_LOOKUP = 100  # identifiers per accounts:lookup (firebase_admin.auth.get_users)
LOOKED_UP = "accounts looked up"


@dataclass(frozen=True)
class Account:
    disabled: bool
    #: Tokens issued before this (ms since the epoch) are revoked.
    tokens_valid_after_ms: int

    def admits(self, claims: Mapping[str, object]) -> bool:
        """Whether an ID token with these (verified) claims may still be used."""
        issued = claims.get("iat")
        return (
            not self.disabled
            and isinstance(issued, int | float)
            and issued * 1000 >= self.tokens_valid_after_ms
        )


def lookup(batch: list[tuple[str, None]]) -> dict[str, Account]:
    """One group commit's call: the accounts of these uids, logged (``make bench``
    counts the calls)."""
    found = fetch([uid for uid, _ in batch])
    logs.log("DEBUG", LOOKED_UP, accounts=len(batch))
    return found


def fetch(uids: list[str]) -> dict[str, Account]:
    """The accounts of these uids (a uid with no account is left out)."""
    from firebase_admin import auth

    wanted = [auth.UidIdentifier(uid) for uid in uids]
    found = auth.get_users(wanted, app=clients.firebase_app())
    return {
        user.uid: Account(bool(user.disabled), int(user.tokens_valid_after_timestamp or 0))
        for user in found.users
    }


@cache
def accounts() -> GroupCommit[str, None, Account | None]:
    """One per instance: ``accounts().submit(uid, None)`` is the account, or None."""
    return GroupCommit(lookup, MAX_LOOKUP, missing=None)
