"""A local SMTP sink for the stack (aiosmtpd): the mail consumer's relay, whose messages
the tests and ``rollcall mail list`` read over HTTP, like the FCM stand-in's.

SMTP on ``--port``: every message is accepted and kept, unless a failure was set for its
recipient. HTTP on ``--http-port``:

* ``GET /messages`` (``?to=`` filters by recipient): the kept messages, each ``{to,
  from, subject, kind, text, html, headers}`` (the text and HTML parts decoded);
* ``DELETE /messages``: forget messages, attempts and failures;
* ``POST /fail`` ``{"address", "code", "times"}``: answer ``code`` (451: try later;
  550: no such mailbox) to RCPT TO for that address, ``times`` times (0: for ever);
* ``GET /attempts?to=``: how many RCPT TOs the address got, answered or refused;
* ``GET /healthz``: ``ok``.

Run: ``python -m emulators.smtp --port 2525 --http-port 9026``.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller

_TEXTS = {451: "451 4.3.0 Try again later", 550: "550 5.1.1 No such mailbox"}


class Sink:
    """What the SMTP side received and what it was told to refuse."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        self.attempts: Counter[str] = Counter()
        self.failures: dict[str, list[int]] = {}  # address -> [code, times left (0: ever)]

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        address = address.lower()
        with self.lock:
            self.attempts[address] += 1
            failure = self.failures.get(address)
            if failure:
                code, left = failure
                if left == 1:
                    del self.failures[address]
                elif left > 1:
                    failure[1] = left - 1
                return _TEXTS.get(code, f"{code} refused")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        with self.lock:
            for to in envelope.rcpt_tos:
                self.messages.append(
                    {
                        "to": to,
                        "from": envelope.mail_from,
                        "subject": str(msg["Subject"] or ""),
                        "kind": str(msg["X-Rollcall-Kind"] or ""),
                        "text": text.get_content() if text else "",
                        "html": html.get_content() if html else "",
                        "headers": {k: str(v) for k, v in msg.items()},
                    }
                )
        return "250 Message accepted"


def make_handler(sink: Sink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _reply(self, status: int, body: object) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = parse_qs(url.query)
            to = (query.get("to") or [""])[0].lower()
            if url.path == "/healthz":
                return self._reply(200, {"status": "ok"})
            with sink.lock:
                if url.path == "/messages":
                    found = [m for m in sink.messages if not to or m["to"] == to]
                    return self._reply(200, {"messages": found})
                if url.path == "/attempts":
                    return self._reply(200, {"to": to, "attempts": sink.attempts[to]})
            return self._reply(404, {"error": "not found"})

        def do_DELETE(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/messages":
                return self._reply(404, {"error": "not found"})
            with sink.lock:
                sink.messages.clear()
                sink.attempts.clear()
                sink.failures.clear()
            return self._reply(200, {})

        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if urlparse(self.path).path != "/fail":
                return self._reply(404, {"error": "not found"})
            try:
                body = json.loads(raw)
                address, code = str(body["address"]).lower(), int(body["code"])
                times = int(body.get("times", 0))
            except (ValueError, KeyError, TypeError):
                return self._reply(400, {"error": "want {address, code, times}"})
            with sink.lock:
                sink.failures[address] = [code, times]
            return self._reply(200, {})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--http-port", type=int, default=9026)
    args = parser.parse_args()
    sink = Sink()
    controller = Controller(sink, hostname=args.host, port=args.port)
    controller.start()
    server = ThreadingHTTPServer((args.host, args.http_port), make_handler(sink))
    server.daemon_threads = True
    try:
        server.serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
