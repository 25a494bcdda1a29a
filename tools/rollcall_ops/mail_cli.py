"""``rollcall mail ...``: the digests and guardians' alerts by email (decision 0027).

* ``mail digest [--period 2026-W49]``: publish the digest's trigger now (what the
  weekly schedule does); sent once per recipient and period however often it runs;
* ``mail list [--to ADDRESS]``: locally, what the stack's SMTP sink received; with
  ``--project``, the once-only markers of what was sent (``mail`` in Firestore);
* ``mail bounces``: the addresses the relay refused for good (never tried again);
* ``mail clear-bounce ADDRESS``: try that address again (after it was fixed);
* ``mail guardian-alerts on|off``: the institution's ``guardian_alerts`` setting (as
  ``POST /admin/settings``; the admin page has no switch for it yet).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import requests
from rich.console import Console
from rich.table import Table

console = Console()


def cmd_digest(args: argparse.Namespace) -> int:
    from rollcall.core.events import Digest, decode
    from rollcall.errors import PoisonEvent
    from rollcall_ops import admin

    event = Digest(args.period)
    try:
        decode(event.encode()[0])  # the consumer's own check, before anything is published
    except PoisonEvent as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    admin.publish(event)
    print(f"digest published for {args.period or 'this week'}: each teacher and head once")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.project:
        return _list_markers(args)
    sink = os.environ.get("MAIL_SINK_URL")
    if not sink:
        print("error: no SMTP sink: `make up` starts the local stack")
        return 1
    params = {"to": args.to} if args.to else {}
    messages = requests.get(f"{sink}/messages", params=params, timeout=10).json()["messages"]
    table = Table("to", "kind", "subject")
    for m in messages:
        table.add_row(m["to"], m["kind"], m["subject"])
    console.print(table)
    print(f"{len(messages)} message(s) in the local SMTP sink")
    return 0


def _list_markers(args: argparse.Namespace) -> int:
    from rollcall.core import mail
    from rollcall_ops import admin

    query: Any = admin.db().collection(mail.MARKERS)
    rows = [(s.id, s.to_dict() or {}) for s in query.stream()]
    if args.to:
        rows = [(k, d) for k, d in rows if str(d.get("to", "")).lower() == args.to.lower()]
    table = Table("marker", "kind", "to", "status")
    for marker, doc in sorted(rows):
        table.add_row(marker, str(doc.get("kind")), str(doc.get("to")), str(doc.get("status")))
    console.print(table)
    return 0


def cmd_bounces(args: argparse.Namespace) -> int:
    from rollcall.core import mail
    from rollcall_ops import admin

    table = Table("address", "code", "reason", "at")
    found = list(admin.db().collection(mail.BOUNCES).stream())
    for snap in found:
        doc = snap.to_dict() or {}
        table.add_row(
            str(doc.get("email")), str(doc.get("code")), str(doc.get("reason")), str(doc.get("at"))
        )
    console.print(table)
    print(f"{len(found)} bounced address(es): `rollcall mail clear-bounce ADDRESS` tries one again")
    return 0


def cmd_clear_bounce(args: argparse.Namespace) -> int:
    from rollcall.core import mail
    from rollcall_ops import admin

    ref = admin.db().collection(mail.BOUNCES).document(mail.key(args.address))
    if not ref.get().exists:
        print(f"{args.address} has no bounce recorded")
        return 1
    ref.delete()
    print(f"{args.address} will be tried again from the next email")
    return 0


def cmd_guardian_alerts(args: argparse.Namespace) -> int:
    from rollcall.clock import now
    from rollcall.core import institution
    from rollcall_ops import admin

    stored = institution.set_settings(
        admin.db(), {"guardian_alerts": args.state == "on"}, "operator", now()
    )
    on = stored["guardian_alerts"]
    print(
        "guardian alerts on: guardians with the student's consent get below-threshold alerts"
        if on
        else "guardian alerts off: no email to any guardian"
    )
    return 0


def add_commands(sub: Any) -> None:
    m = sub.add_parser("mail", help="weekly digests and guardians' alerts by email")
    ms = m.add_subparsers(dest="action", required=True)
    d = ms.add_parser("digest", help="publish the weekly digest's trigger now")
    d.add_argument("--period", help="an ISO week such as 2026-W49; default: this week")
    d.set_defaults(fn=cmd_digest, cloud=True)
    ls = ms.add_parser("list", help="sent emails: the local sink's, or a project's markers")
    ls.add_argument("--to", help="only those to this address")
    ls.set_defaults(fn=cmd_list, cloud=True)
    b = ms.add_parser("bounces", help="addresses the relay refused for good")
    b.set_defaults(fn=cmd_bounces, cloud=True)
    c = ms.add_parser("clear-bounce", help="try a bounced address again")
    c.add_argument("address")
    c.set_defaults(fn=cmd_clear_bounce, cloud=True)
    g = ms.add_parser("guardian-alerts", help="turn email alerts to guardians on or off")
    g.add_argument("state", choices=["on", "off"])
    g.set_defaults(fn=cmd_guardian_alerts, cloud=True)
