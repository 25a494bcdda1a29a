"""A local stand-in for the FCM HTTP v1 API (Google ships no FCM emulator).

``POST /v1/projects/{project}/messages:send`` answers like FCM. The token decides the
answer, so tests and the demo can exercise every path without shared state:

* ``unregistered-*``: 404 ``UNREGISTERED`` (the app was uninstalled)
* ``invalid-*``: 400 ``INVALID_ARGUMENT``, "not a valid FCM registration token"
* ``mismatch-*``: 403 ``SENDER_ID_MISMATCH`` (a token of another Firebase project)
* ``malformed-*``: 400 ``INVALID_ARGUMENT`` about the message, not the token
* ``quota-*``: 429 ``QUOTA_EXCEEDED``
* ``unavailable-*``: 503 ``UNAVAILABLE``
* ``internal-*``: 500 ``INTERNAL``
* ``thirdparty-*``: 401 ``THIRD_PARTY_AUTH_ERROR`` (APNs or web push credentials; the
  SDK's session refreshes its credentials on a 401, which the local stack's anonymous
  credentials cannot do: there the send raises instead, and still fails the delivery)
* ``hold-*``: held until ``POST /release?token=`` (at most 30 s), then 200: a push in
  flight, for tests of deliveries that overlap
* anything else: 200 with a message name.

The bodies are FCM v1's (``google.rpc.Status`` with an ``FcmError`` detail), so
firebase-admin raises its typed errors (``UnregisteredError``, ...). Every accepted
message is kept; ``GET /messages`` lists them (``?token=`` filters), ``DELETE
/messages`` forgets them, ``GET /healthz`` answers ``ok``. Every send attempt is
counted per token, answered or refused (``GET /attempts?token=``), to show retries.

Run: ``python -m emulators.fcm --port 9199``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_SEND = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
#: token prefix -> (HTTP status, google.rpc status, FCM error code, message), as FCM says it
_ERRORS = {
    "unregistered-": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "invalid-": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "mismatch-": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
    "malformed-": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "Invalid value at 'message.data[0].value' (TYPE_STRING)",
    ),
    "quota-": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for sending."),
    "unavailable-": (503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
    "internal-": (500, "INTERNAL", "INTERNAL", "Internal error encountered."),
    "thirdparty-": (
        401,
        "UNAUTHENTICATED",
        "THIRD_PARTY_AUTH_ERROR",
        "Auth error from APNS or Web Push Service",
    ),
}


class FcmState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.attempts: Counter[str] = Counter()  # token -> send requests, any answer
        self.released: dict[str, threading.Event] = {}  # hold-* token -> its release
        self.ids = itertools.count(1)

    def release(self, token: str) -> threading.Event:
        with self.lock:
            return self.released.setdefault(token, threading.Event())


def error_body(status: int, grpc_status: str, fcm_code: str, message: str) -> dict:
    return {
        "error": {
            "code": status,
            "message": message,
            "status": grpc_status,
            "details": [
                {
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": fcm_code,
                }
            ],
        }
    }


def make_handler(state: FcmState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the client's delayed
        # ACK holds the body back ~40 ms per call, which real FCM does not do.
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:  # quiet: the functions log the outcome
            pass

        def _reply(self, status: int, body: object) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/healthz":
                return self._reply(200, {"status": "ok"})
            if url.path == "/messages":
                token = parse_qs(url.query).get("token", [None])[0]
                with state.lock:
                    found = [m for m in state.messages if token in (None, m["message"]["token"])]
                return self._reply(200, {"messages": found})
            if url.path == "/attempts":
                token = parse_qs(url.query).get("token", [""])[0]
                with state.lock:
                    attempts = state.attempts[token]
                return self._reply(200, {"token": token, "attempts": attempts})
            return self._reply(404, {"error": {"code": 404, "message": "not found"}})

        def do_DELETE(self) -> None:
            if urlparse(self.path).path == "/messages":
                with state.lock:
                    state.messages.clear()
                    state.attempts.clear()
                return self._reply(200, {})
            return self._reply(404, {"error": {"code": 404, "message": "not found"}})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if url.path == "/release":
                state.release(parse_qs(url.query).get("token", [""])[0]).set()
                return self._reply(200, {})
            m = _SEND.match(url.path)
            if not m:
                return self._reply(404, {"error": {"code": 404, "message": "not found"}})
            try:
                message = json.loads(raw)["message"]
                token = message["token"]
            except (ValueError, KeyError, TypeError):
                return self._reply(
                    400, error_body(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "bad message")
                )
            with state.lock:
                state.attempts[token] += 1
            for prefix, (status, grpc, code, text) in _ERRORS.items():
                if token.startswith(prefix):
                    return self._reply(status, error_body(status, grpc, code, text))
            if token.startswith("hold-"):
                state.release(token).wait(30)
            with state.lock:
                name = f"projects/{m['project']}/messages/{next(state.ids)}"
                state.messages.append({"name": name, "message": message})
            return self._reply(200, {"name": name})

    return Handler


def serve(host: str, port: int) -> ThreadingHTTPServer:
    """The server (not started); ``server.state`` is what it recorded."""
    state = FcmState()
    server = ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9199)
    args = parser.parse_args()
    serve(args.host, args.port).serve_forever()


if __name__ == "__main__":
    main()
