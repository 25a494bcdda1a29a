"""The access trail of the operator CLI: ``rollcall export``, ``report defaulters`` and
the like write the same ``data taken`` line the endpoints write (rollcall.logs.taken),
as ``cli:<user>``. On a real project it goes to Cloud Logging (log ``rollcall-cli``,
with the operator's Application Default Credentials), where the access trail's sink
picks it (infra/logging.tf); locally to ``cli.log`` beside the stack's function logs.
Never to standard output: that is the export itself."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

from rollcall import logs
from rollcall_ops.topology import ROOT

LOG_NAME = "rollcall-cli"


def taken(what: str, rows: int | None, **about: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "trail": logs.TRAIL,
        "what": what,
        "by": f"cli:{getpass.getuser()}",
        "role": "operator",
        "rows": rows,
        **about,
    }
    entry = logs.entry("NOTICE", "data taken", trace=None, **fields)
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    if project.startswith("demo-"):
        folder = Path(os.environ.get("ROLLCALL_LOGS") or ROOT / ".local" / "logs")
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "cli.log").open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, default=str) + "\n")
        return entry
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/logging.write"])
    payload = json.loads(json.dumps(entry, default=str))
    payload.pop("time")
    answer = AuthorizedSession(credentials).post(
        "https://logging.googleapis.com/v2/entries:write",
        json={
            "logName": f"projects/{project}/logs/{LOG_NAME}",
            "resource": {"type": "global"},
            "entries": [
                {"severity": "NOTICE", "jsonPayload": json.loads(json.dumps(payload, default=str))}
            ],
        },
        timeout=30,
    )
    if answer.status_code != 200:
        raise SystemExit(
            f"error: could not write the access trail ({answer.status_code}): the operator "
            "needs roles/logging.logWriter on the project"
        )
    return entry
