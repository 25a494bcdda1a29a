"""``rollcall`` commands that set an institution up, locally or on a real project
(``--project P``, with Application Default Credentials): the first admin, departments,
terms, and the imports of courses and rosters. Each runs the same code as the
corresponding endpoint (rollcall.core.people, .institution, .imports)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table


def _db() -> Any:
    from rollcall import clients

    return clients.firestore_client()


def _by() -> str:
    return f"cli:{getpass.getuser()}"


def _local() -> bool:
    return os.environ.get("GOOGLE_CLOUD_PROJECT", "").startswith("demo-")


def _now() -> Any:
    from rollcall.clock import now

    return now()


def cmd_admin_grant(args: argparse.Namespace) -> int:
    from rollcall.core import people

    uid = people.grant_admin(_db(), args.email, _by(), _now())
    state = f"admin now (uid {uid})" if uid else "admin at their first verified sign-in"
    print(f"{args.email.strip().lower()}: {state}")
    return 0


def cmd_admin_revoke(args: argparse.Namespace) -> int:
    from rollcall.core import people

    if not people.revoke_admin(_db(), args.email):
        print(f"error: {args.email} is not an admin", file=sys.stderr)
        return 1
    print(f"{args.email.strip().lower()}: no longer an admin")
    return 0


def cmd_admin_list(args: argparse.Namespace) -> int:
    from rollcall.core import people

    admins = people.list_admins(_db())
    if args.json:
        print(json.dumps(admins, indent=2, default=str))
        return 0
    table = Table(title=f"{len(admins)} admins")
    for column in ("email", "state", "granted by", "granted at"):
        table.add_column(column)
    for a in admins:
        state = f"active ({a['uid']})" if a["uid"] else "pending (no verified sign-in yet)"
        at = a["granted_at"].isoformat(timespec="seconds") if a["granted_at"] else ""
        table.add_row(escape(a["email"] or ""), state, escape(a["granted_by"] or ""), at)
    from rich.console import Console

    Console().print(table)
    return 0


def cmd_department_set(args: argparse.Namespace) -> int:
    from rollcall.core import institution

    try:
        doc = institution.set_department(
            _db(), args.code, args.name, args.head or [], _by(), _now(), _local()
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    heads = ", ".join(doc["head_emails"]) or "no heads"
    print(f"department {doc['code']}: {doc['name']} ({heads})")
    return 0


def cmd_term_set(args: argparse.Namespace) -> int:
    from rollcall.core import institution

    holidays: list[dict[str, str]] = []
    for given in args.holiday or []:
        day, _, name = given.partition("=")
        holidays.append({"date": day, "name": name or "Holiday"})
    try:
        doc = institution.set_term(
            _db(), args.id, args.name, args.starts, args.ends, holidays, _by(), _now()
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"term {args.id}: {doc['name']}, {doc['starts_on']} to {doc['ends_on']}, "
        f"{len(doc['holidays'])} holidays"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from rollcall.config import settings
    from rollcall.core.imports import courses, roster, timetable
    from rollcall.errors import RequestError
    from rollcall_ops.cli import _progress

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    db = _db()
    try:
        if args.dry_run:
            if args.what == "courses":
                report = courses.preview(db, data, test_domains=_local())
            elif args.what == "timetable":
                report = timetable.preview(db, args.term, data, settings().time_zone, _now())
            else:
                report = roster.preview(db, args.course, data, _local())
        else:
            with _progress() as progress:
                task = progress.add_task(f"importing {path.name}", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                if args.what == "courses":
                    report = courses.apply(
                        db, data, _by(), test_domains=_local(), progress=advance, at=_now()
                    )
                elif args.what == "timetable":
                    report = timetable.apply(
                        db,
                        args.term,
                        data,
                        _by(),
                        settings().time_zone,
                        at=_now(),
                        progress=advance,
                    )
                else:
                    report = roster.apply(
                        db,
                        args.course,
                        data,
                        _by(),
                        test_domains=_local(),
                        progress=advance,
                        at=_now(),
                    )
    except RequestError as exc:
        body = exc.to_json()
        if "report" in body:
            _print_report(body["report"], args.json)
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    _print_report(report.to_json(), args.json)
    return 0 if report.ok else 1


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    from rollcall_ops.cli import console

    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        return
    for issue in report["errors"] + report["warnings"]:
        where = f"line {issue['line']}" if issue["line"] else "file"
        column = f", {issue['column']}" if issue["column"] else ""
        kind = "error" if issue in report["errors"] else "warning"
        console.print(
            f"{kind}: {where}{escape(column)}: {escape(issue['message'])} [{issue['code']}]"
        )
    for name in ("added", "changed", "removed"):
        for change in report[name][:20]:
            row = change["after"] or change["before"] or {}
            label = row.get("name") or row.get("email") or change["key"]
            extra = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
            console.print(f"{name}: {escape(str(label))}{escape(extra)}")
        if len(report[name]) > 20:
            console.print(f"... and {len(report[name]) - 20} more {name}")
    print(report["summary"])


def add_commands(sub: Any) -> None:
    """Register the commands on the CLI's subparsers. Each works on a real project too."""
    adm = sub.add_parser("admin", help="the institution's admins (the first one after a deploy)")
    adms = adm.add_subparsers(dest="action", required=True)
    g = adms.add_parser("grant", help="make EMAIL an institution admin")
    g.add_argument("email")
    g.set_defaults(fn=cmd_admin_grant, cloud=True)
    r = adms.add_parser("revoke", help="EMAIL is no longer an admin")
    r.add_argument("email")
    r.set_defaults(fn=cmd_admin_revoke, cloud=True)
    li = adms.add_parser("list", help="every admin, active or pending")
    li.add_argument("--json", action="store_true")
    li.set_defaults(fn=cmd_admin_list, cloud=True)

    dep = sub.add_parser("department", help="the institution's departments")
    deps = dep.add_subparsers(dest="action", required=True)
    ds = deps.add_parser("set", help="create or replace a department and its heads")
    ds.add_argument("code")
    ds.add_argument("--name", required=True)
    ds.add_argument("--head", action="append", metavar="EMAIL", help="a head (repeat for more)")
    ds.set_defaults(fn=cmd_department_set, cloud=True)

    term = sub.add_parser("term", help="the institution's terms")
    terms = term.add_subparsers(dest="action", required=True)
    ts = terms.add_parser("set", help="create or replace a term")
    ts.add_argument("id", help="e.g. 2026-odd")
    ts.add_argument("--name", required=True)
    ts.add_argument("--starts", required=True, metavar="YYYY-MM-DD")
    ts.add_argument("--ends", required=True, metavar="YYYY-MM-DD")
    ts.add_argument(
        "--holiday", action="append", metavar="YYYY-MM-DD[=NAME]", help="repeat for more"
    )
    ts.set_defaults(fn=cmd_term_set, cloud=True)

    imp = sub.add_parser(
        "import", help="import the courses file, a course's roster or a term's timetable (CSV)"
    )
    imps = imp.add_subparsers(dest="what", required=True)
    for what, description in (
        ("courses", "the courses of a term (docs/admin.md)"),
        ("roster", "a course's students (docs/admin.md)"),
        ("timetable", "a term's weekly timetable: its planned sessions (docs/admin.md)"),
    ):
        c = imps.add_parser(what, help=description)
        if what == "roster":
            c.add_argument("--course", required=True)
        if what == "timetable":
            c.add_argument("--term", required=True)
        c.add_argument("file")
        c.add_argument("--dry-run", action="store_true", help="show what would change")
        c.add_argument("--json", action="store_true", help="the report as JSON")
        c.set_defaults(fn=cmd_import, cloud=True)
