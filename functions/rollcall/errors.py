"""The exceptions of Rollcall, and their mapping to HTTP, in one place.

Request errors are the client's fault: each has a stable ``code`` that the web app and
the API description rely on, and the HTTP status that goes with it. Consumer errors say
what Pub/Sub should do with a message: ``TransientError`` makes the delivery fail so it
is retried (and finally dead-lettered); ``PoisonEvent`` means retrying cannot help.
"""

from __future__ import annotations


class RollcallError(Exception):
    """Base of every error this package raises on purpose."""


class RequestError(RollcallError):
    """A request that is rejected with a stable error code. Nothing was published."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(RequestError):
    code, status = "bad_request", 400


class Unauthenticated(RequestError):
    code, status = "unauthenticated", 401


class QrInvalid(RequestError):
    code, status = "qr_invalid", 403


class QrExpired(RequestError):
    code, status = "qr_expired", 403


class NotEnrolled(RequestError):
    code, status = "not_enrolled", 403


class Forbidden(RequestError):
    code, status = "forbidden", 403


class NotFound(RequestError):
    code, status = "not_found", 404


class MethodNotAllowed(RequestError):
    code, status = "method_not_allowed", 405


class SessionClosed(RequestError):
    code, status = "session_closed", 409


class DeviceInUse(RequestError):
    """This device already marked another student in this session."""

    code, status = "device_in_use", 409


class PayloadTooLarge(RequestError):
    code, status = "payload_too_large", 413


class UnsupportedMediaType(RequestError):
    code, status = "unsupported_media_type", 415


class RateLimited(RequestError):
    code, status = "rate_limited", 429


class Unavailable(RequestError):
    """A dependency (Pub/Sub, Firestore, Auth) failed; the client may retry."""

    code, status = "unavailable", 503


#: Every request error by code: the contract the OpenAPI description and the web app use.
REQUEST_ERRORS: dict[str, type[RequestError]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        Unauthenticated,
        QrInvalid,
        QrExpired,
        NotEnrolled,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        SessionClosed,
        DeviceInUse,
        PayloadTooLarge,
        UnsupportedMediaType,
        RateLimited,
        Unavailable,
    )
}


class TransientError(RollcallError):
    """A consumer effect failed for a reason that may pass: fail the delivery, retry."""


class PoisonEvent(RollcallError):
    """A message that can never be processed (undecodable, unknown schema)."""
