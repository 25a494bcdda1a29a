"""The exceptions of Rollcall, and their mapping to HTTP, in one place.

Request errors are the client's fault: each has a stable ``code`` that the web app and
the API description rely on, and the HTTP status that goes with it. Consumer errors say
what Pub/Sub should do with a message: ``TransientError`` makes the delivery fail so it
is retried (and finally dead-lettered); ``PoisonEvent`` means retrying cannot help.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rollcall.contracts import ERROR_STATUS


class RollcallError(Exception):
    """Base of every error this package raises on purpose."""


class RequestError(RollcallError):
    """A request that is rejected with a stable error code. Nothing was published.

    Each subclass names its ``code``; its HTTP ``status`` comes from the contract
    (rollcall/contracts.json), and a code the contract does not know fails at import."""

    code: ClassVar[str] = "bad_request"
    status: ClassVar[int] = 400

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = ERROR_STATUS[cls.code]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(RequestError):
    code = "bad_request"


class Unauthenticated(RequestError):
    code = "unauthenticated"


class QrInvalid(RequestError):
    code = "qr_invalid"


class QrExpired(RequestError):
    code = "qr_expired"


class NotEnrolled(RequestError):
    code = "not_enrolled"


class Forbidden(RequestError):
    code = "forbidden"


class NotFound(RequestError):
    code = "not_found"


class MethodNotAllowed(RequestError):
    code = "method_not_allowed"


class SessionClosed(RequestError):
    code = "session_closed"


class DeviceInUse(RequestError):
    """This device already marked another student in this session."""

    code = "device_in_use"


class OutsideTerm(RequestError):
    """A cut-off date outside the term(s) of what a report covers."""

    code = "outside_term"


class Conflict(RequestError):
    """Someone else is changing the same thing (an import in progress, a roster
    changed since its preview): try again."""

    code = "conflict"


class ImportInvalid(RequestError):
    """An imported file with errors: nothing was applied. ``report`` lists them."""

    code = "import_invalid"

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "report": self.report}


class NotInAudience(RequestError):
    """The session is for a division or a batch the student is not in."""

    code = "not_in_audience"


class Cancelled(RequestError):
    """The planned session was cancelled."""

    code = "cancelled"


class NotNow(RequestError):
    """The planned session is not at a time it may be started."""

    code = "not_now"


class NotDisputable(RequestError):
    """The student's record in the session is not an absence or a late mark (or there
    is none): there is nothing to dispute."""

    code = "not_disputable"


class DisputeWindowClosed(RequestError):
    """The course's dispute window after the session's end has passed."""

    code = "dispute_window_closed"


class AlreadyDisputed(RequestError):
    """The student has disputed this session already (one dispute per session)."""

    code = "already_disputed"


class OutsideWindow(RequestError):
    """An absence request for a session or a day outside the course's filing window."""

    code = "outside_window"


class AlreadyDecided(RequestError):
    """A second decision on an absence request or a dispute: a decision is final."""

    code = "already_decided"


class UnsupportedDocument(RequestError):
    """A document that is not a PDF, JPEG or PNG by its content (whatever its name)."""

    code = "unsupported_document"


class DocumentRequired(RequestError):
    """A request longer than the institution allows without a document."""

    code = "document_required"


class PayloadTooLarge(RequestError):
    code = "payload_too_large"


class UnsupportedMediaType(RequestError):
    code = "unsupported_media_type"


class RateLimited(RequestError):
    code = "rate_limited"


class Unavailable(RequestError):
    """A dependency (Pub/Sub, Firestore, Auth) failed; the client may retry."""

    code = "unavailable"


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
        Conflict,
        OutsideTerm,
        NotInAudience,
        Cancelled,
        NotNow,
        NotDisputable,
        DisputeWindowClosed,
        AlreadyDisputed,
        AlreadyDecided,
        OutsideWindow,
        UnsupportedDocument,
        DocumentRequired,
        PayloadTooLarge,
        UnsupportedMediaType,
        ImportInvalid,
        RateLimited,
        Unavailable,
    )
}


class TransientError(RollcallError):
    """A consumer effect failed for a reason that may pass: fail the delivery, retry."""


class PoisonEvent(RollcallError):
    """A message that can never be processed (undecodable, unknown schema)."""
