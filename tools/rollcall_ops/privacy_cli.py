"""``rollcall privacy export|erase --email E``: a data subject's requests (decision 0029).

Unlike the set-up commands, these do not act with the operator's Google credentials:
they sign in as an institution admin (``--as ADMIN_EMAIL`` and the account's password,
from ``ROLLCALL_PASSWORD`` or a prompt; or a Firebase ID token in ``ROLLCALL_ID_TOKEN``)
and call the admin-only endpoints ``POST /admin/privacy/export|erase``, which check the
admin on the server: nobody but an institution admin can run them, whatever IAM roles
they hold, and each request is in the access trail under the admin's uid.

Locally the stack's scan URL and Auth emulator; with ``--project P`` the deployed
web app's ``rollcall-config.json`` (its scan URL and web API key) at
``https://<site>.web.app`` (``--site``, default P).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from typing import Any

import requests

IDENTITY = "https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key={key}"


@dataclass(frozen=True)
class Target:
    scan_url: str
    sign_in_url: str


def target(args: argparse.Namespace) -> Target:
    if not args.project:
        from rollcall_ops import auth_emulator

        return Target(os.environ["SCAN_URL"].rstrip("/"), auth_emulator.url("signInWithPassword"))
    site = args.site or args.project
    answer = requests.get(f"https://{site}.web.app/rollcall-config.json", timeout=30)
    if answer.status_code != 200:
        raise SystemExit(f"error: no web app config at {site}.web.app ({answer.status_code})")
    config = answer.json()
    key = config["firebase"]["apiKey"]
    return Target(config["scanUrl"].rstrip("/"), IDENTITY.format(key=key))


def id_token(args: argparse.Namespace, where: Target) -> str:
    token = os.environ.get("ROLLCALL_ID_TOKEN")
    if token:
        return token
    if not args.as_admin:
        raise SystemExit(
            "error: name the institution admin you act as: --as ADMIN_EMAIL "
            "(or set ROLLCALL_ID_TOKEN to their Firebase ID token)"
        )
    password = os.environ.get("ROLLCALL_PASSWORD") or getpass.getpass(
        f"Rollcall password of {args.as_admin}: "
    )
    answer = requests.post(
        where.sign_in_url,
        json={"email": args.as_admin, "password": password, "returnSecureToken": True},
        timeout=30,
    )
    if answer.status_code != 200:
        raise SystemExit(f"error: could not sign in as {args.as_admin}: check the password")
    signed_in: str = answer.json()["idToken"]
    return signed_in


def call(args: argparse.Namespace, action: str) -> requests.Response:
    where = target(args)
    return requests.post(
        f"{where.scan_url}/admin/privacy/{action}",
        json={"email": args.email},
        headers={"Authorization": f"Bearer {id_token(args, where)}"},
        timeout=600,
    )


def _refused(answer: requests.Response) -> int:
    try:
        error: dict[str, Any] = answer.json()["error"]
        print(f"error: {error['message']} ({error['code']})", file=sys.stderr)
    except (ValueError, KeyError, TypeError):
        print(f"error: {answer.status_code} {answer.text[:500]}", file=sys.stderr)
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    answer = call(args, "export")
    if answer.status_code != 200:
        return _refused(answer)
    out = args.out or f"rollcall-data-{args.email.strip().lower().replace('@', '_at_')}.zip"
    with open(out, "wb") as f:
        f.write(answer.content)
    print(f"everything Rollcall holds about {args.email} written to {out}", file=sys.stderr)
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            print("error: erase needs confirmation: run it in a terminal, or pass --yes")
            return 2
        answer = input(
            f"Erase everything Rollcall holds about {args.email}, and their account? "
            "This cannot be undone. Type 'erase' to confirm: "
        )
        if answer.strip() != "erase":
            print("nothing erased")
            return 1
    done = call(args, "erase")
    if done.status_code != 200:
        return _refused(done)
    counts = done.json()["erased"]
    print(
        f"{args.email}: erased {counts['documents']} documents, {counts['files']} files, "
        f"{counts['accounts']} account(s)"
    )
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "privacy", help="a person's data: export it or erase it (institution admins; privacy.md)"
    )
    ps = p.add_subparsers(dest="action", required=True)
    for name, fn, what in (
        ("export", cmd_export, "everything held about EMAIL, as one zip"),
        ("erase", cmd_erase, "delete everything held about EMAIL, and their account"),
    ):
        c = ps.add_parser(name, help=what)
        c.add_argument("--email", required=True, help="the person's email")
        c.add_argument(
            "--as",
            dest="as_admin",
            metavar="ADMIN_EMAIL",
            help="the institution admin you act as (password from ROLLCALL_PASSWORD or asked)",
        )
        c.add_argument("--site", help="with --project: the Hosting site (default: the project)")
        if name == "export":
            c.add_argument("-o", "--out", help="the zip to write (default: rollcall-data-*.zip)")
        else:
            c.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        c.set_defaults(fn=fn, cloud=True)
