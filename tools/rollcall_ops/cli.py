"""``rollcall``: the operator CLI of Rollcall (local emulators, or a real project).

Finds the stack through the environment, or ``.local/stack.env`` after ``make up``;
``rollcall --project P status|dead-letters ...`` works on a real project instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rollcall_ops.env import load_stack_env, use_project

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def cmd_seed(args: argparse.Namespace) -> int:
    from rollcall_ops import institution

    seeded = institution.seed(args.course, args.students)
    print(
        f"course {seeded.course_id}: teacher {seeded.teacher_email}, {seeded.students} students "
        f"(password {institution.PASSWORD!r})"
    )
    return 0


def cmd_session_open(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    try:
        print(admin.open_session(args.course, args.rotation, args.late_after, args.duration))
    except ValueError as exc:  # the session's settings, refused like the rules refuse them
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_session_close(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    session, marking = admin.close_session(args.session)
    enrolled = admin.enrolled(session.course_id)
    absences = (
        f"marking absences of the {enrolled} enrolled students without a record"
        if marking
        else "absences were marked by the first close"
    )
    print(f"session {args.session} closed; {absences}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from rollcall.core.events import Sweep
    from rollcall_ops import admin

    admin.publish(Sweep())
    print("sweep published: sessions past their end close, unfinished closes resume")
    return 0


#: Shorter flags for settings whose names are long; the rest are their names.
SETTING_FLAGS = {
    "min_attendance_percent": "min-percent",
    "min_attendance_percent_theory": "min-percent-theory",
    "min_attendance_percent_practical": "min-percent-practical",
    "min_attendance_percent_tutorial": "min-percent-tutorial",
}


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per course setting of the contract (rollcall/contracts.json)."""
    from rollcall import contracts

    for name, spec in contracts.COURSE_SETTINGS.items():
        flag = "--" + SETTING_FLAGS.get(name, name.replace("_", "-"))
        default = f"default {spec['default']}" if spec["default"] is not None else "none by default"
        if spec["kind"] == "choice":
            parser.add_argument(flag, dest=name, choices=spec["choices"], help=default)
            continue
        if spec["kind"] == "boolean":
            parser.add_argument(
                flag,
                dest=name,
                type=lambda text: {"true": True, "false": False}[text.lower()],
                metavar="true|false",
                help=default,
            )
            continue
        number = int if spec["kind"] == "integer" else float
        bounds = f"{spec['min']}..{spec['max']}, {default}"
        if spec.get("nullable"):
            bounds += "; 'none' clears it"
        parser.add_argument(
            flag,
            dest=name,
            type=_nullable(number) if spec.get("nullable") else number,
            help=f"{name}: {bounds}",
        )


#: A nullable setting's "none" on the command line (JSON null).
CLEAR = object()


def _nullable(number: type) -> Any:
    def parse(text: str) -> Any:
        return CLEAR if text.strip().lower() == "none" else number(text)

    return parse


def cmd_course_settings(args: argparse.Namespace) -> int:
    from rollcall import contracts
    from rollcall_ops import admin

    changes = {
        name: None if getattr(args, name) is CLEAR else getattr(args, name)
        for name in contracts.COURSE_SETTINGS
        if getattr(args, name) is not None
    }
    rules = admin.course_settings(args.course, changes)
    print(json.dumps(rules, sort_keys=True))
    return 0


def cmd_standing(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    rows = admin.standings(args.course)
    if args.at_risk:
        rows = [r for r in rows if r.get("state") in ("below", "at_risk")]
    if args.json:
        keep = (
            *("uid", "name", "held", "percent", "absence_run", "remaining", "can_miss"),
            *("needed", "reachable", "state", "present", "late", "excused", "absent"),
            "by_kind",
        )
        print(json.dumps([{k: r.get(k) for k in keep} for r in rows], indent=2))
        return 0
    table = Table(title=f"course {args.course}: {len(rows)} students")
    kinds = sorted({kind for r in rows for kind in r.get("by_kind") or {}})
    per_kind = kinds if len(kinds) > 1 else []
    columns = ("student", "held", "%", *(f"{k} %" for k in per_kind), "run", "can miss")
    for column in (*columns, "needed", "state"):
        table.add_column(column, justify="left" if column in ("student", "state") else "right")
    for r in rows:
        by_kind = r.get("by_kind") or {}
        table.add_row(
            escape(f"{r.get('name') or ''} ({r['uid']})"),
            *(_show(r.get(k)) for k in ("held", "percent")),
            *(_show((by_kind.get(k) or {}).get("percent")) for k in per_kind),
            *(_show(r.get(k)) for k in ("absence_run", "can_miss", "needed")),
            _show(r.get("state")),
        )
    Console().print(table)
    return 0


def _show(value: object) -> str:
    return "-" if value is None else str(value)


def cmd_export(args: argparse.Namespace) -> int:
    from rollcall.core import exports
    from rollcall_ops import admin

    make = exports.session_csv if args.kind == "session" else exports.course_csv
    text = make(admin.db(), args.id)
    if text is None:
        print(f"error: no {args.kind} {args.id!r}", file=sys.stderr)
        return 1
    from rollcall_ops import trail

    trail.taken(f"{args.kind}_csv", text.count("\n") - 1, id=args.id)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        print(f"{text.count(chr(10)) - 1} rows written to {args.output}", file=sys.stderr)
    return 0


def cmd_report_defaulters(args: argparse.Namespace) -> int:
    """The defaulter list, from the same code as ``GET /reports/defaulters.(csv|pdf)``."""
    from datetime import date

    from rollcall.clock import now
    from rollcall.config import settings
    from rollcall.core import report_pdf, reports
    from rollcall.errors import RequestError
    from rollcall_ops import admin

    try:
        day = date.fromisoformat(args.as_of)
    except ValueError:
        print(f"error: --as-of must be a date, YYYY-MM-DD, not {args.as_of!r}", file=sys.stderr)
        return 2
    tz = settings().time_zone
    try:
        report = reports.build(admin.db(), args.department, args.division, day, tz)
    except RequestError as exc:
        print(f"error: {exc.message} ({exc.code})", file=sys.stderr)
        return 1
    if args.format == "pdf":
        data = report_pdf.render(report, settings().institution_name, now(), tz)
    else:
        data = report.csv().encode()
    from rollcall_ops import trail

    trail.taken(
        f"defaulters_{args.format}",
        len(report.rows),
        department=args.department,
        division=args.division,
        as_of=args.as_of,
    )
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as out:
            out.write(data)
        below = sum(row.defaulter for row in report.rows)
        print(
            f"{len(report.rows)} students ({below} below a threshold) written to {args.out}",
            file=sys.stderr,
        )
    return 0


def cmd_qr(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    print(admin.current_qr(args.session))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from rollcall_ops import lecture

    with _progress() as progress:
        signin = progress.add_task("signing in", total=args.students)
        scans = progress.add_task("scanning", total=args.students)
        result = lecture.run(
            args.session,
            args.students,
            on_signed_in=lambda: progress.advance(signin),
            on_scan=lambda: progress.advance(scans),
        )
    if result.rejected:
        print(f"rejected: {json.dumps(result.rejected, sort_keys=True)}")
    print(result.summary())
    return 0 if result.complete else 1


def cmd_status(args: argparse.Namespace) -> int:
    from rollcall.consumers.dashboard import read_tally
    from rollcall_ops import admin, deadletters, topology

    session = admin.load_session(args.session)
    enrolled = admin.enrolled(session.course_id)
    effects = admin.effects(args.session)
    tally = read_tally(admin.db(), args.session)
    pushes = admin.push_states(args.session)
    subs = deadletters.dead_letter_subscriptions()
    letters = deadletters.collect(_project(), subs)
    mine = [d for d in letters if d.session_id == args.session]
    waiting = {
        s.name: sum(1 for d in mine if d.source_subscription == s.name)
        for s in topology.load().subscriptions
    }
    consumers: dict[str, dict[str, Any]] = {
        "attendance": {"done": effects.attendance},
        "notify": {"done": effects.inbox, "push": pushes},
        "dashboard": {
            "done": tally["total"],
            **{k: tally[k] for k in ("present", "late") if k in tally},
        },
    }
    for name, progress in consumers.items():
        progress["dead_letters"] = waiting.get(name, 0)
    backlog = {}
    for sub in subs:
        here = [d for d in letters if d.subscription == sub]
        ages = [a for d in here if (a := d.age_seconds()) is not None]
        backlog[sub] = {
            "messages": len(here),
            "this_session": sum(1 for d in here if d.session_id == args.session),
            "retries_exhausted": sum(1 for d in here if not d.poison),
            "poison": sum(1 for d in here if d.poison),
            "oldest_age_seconds": round(max(ages), 1) if ages else None,
        }
    if args.json:
        report = {
            "session_id": args.session,
            "course_id": session.course_id,
            "enrolled": enrolled,
            "consumers": consumers,
            "dead_letter_backlog": backlog,
        }
        print(json.dumps(report, indent=2))
        return 0

    out = _out()
    table = Table(title=f"session {args.session} (course {session.course_id}, {enrolled} enrolled)")
    for column in ("consumer", "done", "of enrolled", "dead letters", "detail"):
        table.add_column(column, justify="left" if column in ("consumer", "detail") else "right")
    labels = {
        "attendance": "attendance (records)",
        "notify": "notify (inbox entries)",
        "dashboard": "dashboard (counted)",
    }
    details = {
        "attendance": "",
        "notify": ", ".join(f"push {k} {v}" for k, v in sorted(pushes.items())),
        "dashboard": f"present {tally['present']}, late {tally['late']}",
    }
    for name, progress in consumers.items():
        done = progress["done"]
        table.add_row(
            labels[name],
            str(done),
            f"{100 * done / enrolled:.0f}%" if enrolled else "-",
            str(progress["dead_letters"]),
            details[name],
        )
    out.print(table)
    table = Table(title="dead-letter backlog (every subscription)")
    for column in (
        "subscription",
        "messages",
        "this session",
        "retries exhausted",
        "poison",
        "oldest",
    ):
        table.add_column(column, justify="left" if column == "subscription" else "right")
    for sub, b in backlog.items():
        table.add_row(
            sub,
            str(b["messages"]),
            str(b["this_session"]),
            str(b["retries_exhausted"]),
            str(b["poison"]),
            _age(b["oldest_age_seconds"]),
        )
    out.print(table)
    for name, progress in consumers.items():
        if progress["dead_letters"]:
            out.print(
                f"{progress['dead_letters']} of this session's events wait on {name}'s "
                f"dead-letter subscription: once the cause is fixed, `rollcall dead-letters "
                f"replay --subscription {name} --session {args.session} --all`"
            )
    return 0


# -- dead letters --------------------------------------------------------------------


def _out() -> Console:
    """Tables on stdout; wide when it is not a terminal, so piped rows do not wrap."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _project() -> str:
    return os.environ["GOOGLE_CLOUD_PROJECT"]


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _dead_letters(args: argparse.Namespace) -> list:
    """Every dead letter of the chosen subscription(s), filtered by session."""
    from rollcall_ops import deadletters

    subs = deadletters.dead_letter_subscriptions(args.subscription or args.subscription_arg)
    letters = deadletters.collect(_project(), subs)
    letters = [d for d in letters if args.session is None or d.session_id == args.session]
    return sorted(
        letters,
        key=lambda d: (
            d.subscription,
            d.dead_lettered_at.timestamp() if d.dead_lettered_at else 0.0,
            d.message_id,
        ),
    )


def cmd_dead_letters_list(args: argparse.Namespace) -> int:
    from rollcall.clock import now

    letters = _dead_letters(args)
    at = now()
    if args.json:
        print(json.dumps([d.to_json(at) for d in letters], indent=2))
        return 0
    table = Table(title="dead letters")
    for column in ("source", "message id", "kind", "attempts", "age", "summary"):
        table.add_column(column, justify="right" if column in ("attempts", "age") else "left")
    for d in letters[: args.limit]:
        table.add_row(
            d.source_subscription,
            d.message_id,
            d.kind,
            str(d.delivery_count) if d.delivery_count is not None else "-",
            _age(d.age_seconds(at)),
            escape(d.summary()),
        )
    _out().print(table)
    shown = f" (showing {args.limit})" if len(letters) > args.limit else ""
    print(f"{len(letters)} dead letters{shown}")
    return 0


def cmd_dead_letters_replay(args: argparse.Namespace) -> int:
    from rollcall_ops import deadletters, topology

    chosen, poison, missing = deadletters.select(
        _dead_letters(args), ids=args.ids, include_poison=args.include_poison
    )
    for wanted in sorted(missing):
        print(f"not found: {wanted}", file=sys.stderr)
    topic = topology.load().topic
    released: list[int] = []
    if chosen:
        with _progress() as progress:
            task = progress.add_task(f"replaying to {topic}", total=len(chosen))
            result = deadletters.replay(
                _project(),
                chosen,
                before_publish=lambda d: released.append(deadletters.release_notify_claims(d)),
                on_done=lambda n: progress.advance(task, n),
            )
    else:
        result = deadletters.ReplayResult()
    print(
        f"replayed {result.replayed} of {len(chosen)} dead letters "
        f"({result.published} published to {topic})"
    )
    if sum(released):
        print(f"released {sum(released)} pending push claims of dead-lettered notify deliveries")
    if poison:
        print(
            f"skipped {len(poison)} poison events: they fail the same way again; name them "
            "with --ids, or pass --include-poison, once a consumer can process them"
        )
    for failure in result.failed:
        print(f"not replayed, still waiting: {failure}", file=sys.stderr)
    for gone in result.missing:
        print(f"gone meanwhile (replayed or purged elsewhere?): {gone}", file=sys.stderr)
    return 0 if result.replayed == len(chosen) and not missing else 1


def cmd_dead_letters_purge(args: argparse.Namespace) -> int:
    from rollcall_ops import deadletters

    chosen, _, missing = deadletters.select(_dead_letters(args), ids=args.ids, include_poison=True)
    for wanted in sorted(missing):
        print(f"not found: {wanted}", file=sys.stderr)
    if not chosen:
        print("purged 0 dead letters")
        return 1 if missing else 0
    counts = Counter(d.subscription for d in chosen)
    where = ", ".join(f"{n} on {sub}" for sub, n in sorted(counts.items()))
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "error: purge needs confirmation: run it in a terminal, or pass --yes",
                file=sys.stderr,
            )
            return 2
        answer = input(
            f"Delete {len(chosen)} dead letters ({where})? They cannot be replayed "
            "afterwards. Type 'purge' to confirm: "
        )
        if answer.strip() != "purge":
            print("nothing purged")
            return 1
    with _progress() as progress:
        task = progress.add_task("purging", total=len(chosen))
        purged = deadletters.purge(_project(), chosen, on_done=lambda n: progress.advance(task, n))
    print(f"purged {purged} dead letters ({where})")
    return 0 if purged == len(chosen) else 1


def parser() -> argparse.ArgumentParser:
    from rollcall import contracts

    p = argparse.ArgumentParser(prog="rollcall", description=__doc__.splitlines()[0])
    p.add_argument(
        "--project",
        help="a real Google Cloud project (admin, department, term, import, doctor, status, "
        "standing, export, report, mail, privacy and dead-letters; credentials from `gcloud auth "
        "application-default login`); default: the local stack",
    )
    sub = p.add_subparsers(dest="command", required=True)
    from rollcall_ops import doctor, mail_cli, privacy_cli, setup_cli

    setup_cli.add_commands(sub)
    doctor.add_commands(sub)
    mail_cli.add_commands(sub)
    privacy_cli.add_commands(sub)

    s = sub.add_parser(
        "seed",
        help="local only: course CODE of the demo term with its teacher and N students, "
        "imported by the demo admin (docs/admin.md)",
    )
    s.add_argument("--course", default="DEMO", metavar="CODE")
    s.add_argument("--students", type=int, default=500)
    s.set_defaults(fn=cmd_seed)

    session = sub.add_parser("session", help="open or close a session")
    ss = session.add_subparsers(dest="action", required=True)
    o = ss.add_parser("open", help="open a session now; prints its id")
    o.add_argument("--course", required=True)
    rotation, late, duration = (
        contracts.ROTATION_SECONDS,
        contracts.LATE_AFTER_MINUTES,
        contracts.DURATION_MINUTES,
    )
    o.add_argument(
        "--rotation",
        type=int,
        default=rotation.default,
        help=f"QR rotation period, {rotation.min}..{rotation.max} seconds",
    )
    o.add_argument("--late-after", type=int, default=late.default, help="minutes after the start")
    o.add_argument(
        "--duration",
        type=int,
        default=duration.default,
        help=f"minutes, {duration.min}..{duration.max}",
    )
    o.set_defaults(fn=cmd_session_open)
    c = ss.add_parser(
        "close", help="close a session: later scans get session_closed, absences are marked"
    )
    c.add_argument("--session", required=True)
    c.set_defaults(fn=cmd_session_close)

    sw = sub.add_parser("sweep", help="close sessions past their end now (what the schedule does)")
    sw.set_defaults(fn=cmd_sweep)

    course = sub.add_parser("course", help="a course's attendance rules")
    cs = course.add_subparsers(dest="action", required=True)
    st_ = cs.add_parser("settings", help="show or set the rules (docs/student-success.md)")
    st_.add_argument("--course", required=True)
    add_setting_flags(st_)
    st_.set_defaults(fn=cmd_course_settings)

    sd = sub.add_parser("standing", help="each student's course figures; --at-risk: the list")
    sd.add_argument("--course", required=True)
    sd.add_argument("--at-risk", action="store_true", help="only students below or at risk")
    sd.add_argument("--json", action="store_true", help="machine-readable output")
    sd.set_defaults(fn=cmd_standing, cloud=True)

    ex = sub.add_parser("export", help="CSV of a session or a course, one row per student")
    ex.add_argument("kind", choices=("session", "course"))
    ex.add_argument("id", help="the session or course id")
    ex.add_argument("-o", "--output", help="file to write (default: standard output)")
    ex.set_defaults(fn=cmd_export, cloud=True)

    rp_ = sub.add_parser("report", help="reports for departments (docs/reports.md)")
    rps = rp_.add_subparsers(dest="action", required=True)
    df = rps.add_parser(
        "defaulters", help="the defaulter list of a department or division as of a date"
    )
    df.add_argument("--department", required=True, help="the department's id (code)")
    df.add_argument("--division", help="one division (default: all)")
    df.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the cut-off date")
    df.add_argument("--format", choices=("csv", "pdf"), default="csv")
    df.add_argument("-o", "--out", help="file to write (default: standard output)")
    df.set_defaults(fn=cmd_report_defaulters, cloud=True)

    q = sub.add_parser("qr", help="print the QR token the teacher's screen shows now")
    q.add_argument("--session", required=True)
    q.set_defaults(fn=cmd_qr)

    sim = sub.add_parser("simulate", help="N students sign in and scan at once")
    sim.add_argument("--session", required=True)
    sim.add_argument("--students", type=int, default=500)
    sim.set_defaults(fn=cmd_simulate)

    st = sub.add_parser("status", help="what each consumer has done; dead-letter backlog")
    st.add_argument("--session", required=True)
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(fn=cmd_status, cloud=True)

    dl = sub.add_parser(
        "dead-letters", help="inspect, replay or purge what waits on dead-letter subscriptions"
    )
    dls = dl.add_subparsers(dest="action", required=True)

    def scope(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument(
            "subscription_arg",
            nargs="?",
            metavar="SUBSCRIPTION",
            help="a consumer's subscription (notify) or its dead-letter one; default: all",
        )
        cmd.add_argument("--subscription", help="same as SUBSCRIPTION")
        cmd.add_argument("--session", help="only this session's events")

    ls = dls.add_parser("list", help="each dead letter: source, attempts, age, summary")
    scope(ls)
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--limit", type=int, default=200, help="rows shown (default 200)")
    ls.set_defaults(fn=cmd_dead_letters_list, cloud=True)

    rp = dls.add_parser(
        "replay",
        help="republish to the source topic, then acknowledge (consumers are idempotent)",
    )
    scope(rp)
    which = rp.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every dead letter in scope")
    which.add_argument("--ids", nargs="+", metavar="ID", help="dead-letter message ids or scan ids")
    rp.add_argument("--include-poison", action="store_true", help="with --all: poison events too")
    rp.set_defaults(fn=cmd_dead_letters_replay, cloud=True)

    pg = dls.add_parser("purge", help="delete dead letters for good (asks first)")
    scope(pg)
    pg.add_argument("--ids", nargs="+", metavar="ID", help="only these (message or scan ids)")
    pg.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    pg.set_defaults(fn=cmd_dead_letters_purge, cloud=True)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.project:
        if not getattr(args, "cloud", False):
            p.error(f"`{args.command}` works on the local stack only: leave out --project")
        use_project(args.project)
    else:
        load_stack_env()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
