"""``rollcall``: the operator CLI of Rollcall (local emulators, or a real project).

Finds the stack through the environment, or ``.local/stack.env`` after ``make up``.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rollcall_ops.env import load_stack_env

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
    from rollcall_ops import admin

    seeded = admin.seed(args.course, args.students)
    print(
        f"course {seeded.course_id}: teacher {seeded.teacher_uid}, {seeded.students} students "
        f"(password {admin.DEMO_PASSWORD!r})"
    )
    return 0


def cmd_session_open(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    print(admin.open_session(args.course, args.rotation, args.late_after, args.duration))
    return 0


def cmd_session_close(args: argparse.Namespace) -> int:
    from rollcall_ops import admin

    admin.close_session(args.session)
    print(f"session {args.session} closed")
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
    import os

    from rollcall.dashboard import read_tally
    from rollcall_ops import admin, deadletters

    effects = admin.effects(args.session)
    tally = read_tally(admin.db(), args.session)
    table = Table(title=f"session {args.session}")
    table.add_column("consumer")
    table.add_column("done", justify="right")
    table.add_row("attendance (records)", str(effects.attendance))
    table.add_row("notify (inbox entries)", str(effects.inbox))
    table.add_row(
        "dashboard (counted)",
        f"{tally['total']} (present {tally['present']}, late {tally['late']})",
    )
    Console().print(table)
    backlog = Table(title="dead-letter backlog")
    backlog.add_column("subscription")
    backlog.add_column("messages", justify="right")
    for name, count in deadletters.backlog(os.environ["GOOGLE_CLOUD_PROJECT"]).items():
        backlog.add_row(name, str(count))
    Console().print(backlog)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rollcall", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("seed", help="a demo course, its teacher and N enrolled students")
    s.add_argument("--course", default="demo")
    s.add_argument("--students", type=int, default=500)
    s.set_defaults(fn=cmd_seed)

    session = sub.add_parser("session", help="open or close a session")
    ss = session.add_subparsers(dest="action", required=True)
    o = ss.add_parser("open", help="open a session now; prints its id")
    o.add_argument("--course", required=True)
    o.add_argument("--rotation", type=int, default=10, help="QR rotation period, seconds")
    o.add_argument("--late-after", type=int, default=10, help="minutes after start")
    o.add_argument("--duration", type=int, default=90, help="minutes")
    o.set_defaults(fn=cmd_session_open)
    c = ss.add_parser("close", help="close a session: later scans get session_closed")
    c.add_argument("--session", required=True)
    c.set_defaults(fn=cmd_session_close)

    q = sub.add_parser("qr", help="print the QR token the teacher's screen shows now")
    q.add_argument("--session", required=True)
    q.set_defaults(fn=cmd_qr)

    sim = sub.add_parser("simulate", help="N students sign in and scan at once")
    sim.add_argument("--session", required=True)
    sim.add_argument("--students", type=int, default=500)
    sim.set_defaults(fn=cmd_simulate)

    st = sub.add_parser("status", help="what each consumer has done; dead-letter backlog")
    st.add_argument("--session", required=True)
    st.set_defaults(fn=cmd_status)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    load_stack_env()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
