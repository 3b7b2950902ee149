"""Errors from BankID's RP API: one class per errorCode, each with the user message to show."""

from careplatform.bankid.messages import error_message


class BankIDError(Exception):
    """An error reply (or no usable reply) from BankID.

    error_code and details are BankID's (`{"errorCode", "details"}`); http_status is None when
    no HTTP reply arrived.
    """

    default_code = "unknown"

    def __init__(
        self, error_code: str | None = None, details: str = "", http_status: int | None = None
    ):
        self.error_code = error_code or self.default_code
        self.details = details
        self.http_status = http_status
        status = f" (HTTP {http_status})" if http_status else ""
        super().__init__(f"BankID {self.error_code}{status}" + (f": {details}" if details else ""))

    @property
    def rfa(self) -> str:
        return error_message(self.error_code, "sv")[0]

    def user_message(self, language: str) -> str:
        """BankID's recommended message for this error, in Swedish or English."""
        return error_message(self.error_code, language)[1]


class AlreadyInProgress(BankIDError):
    default_code = "alreadyInProgress"


class InvalidParameters(BankIDError):
    default_code = "invalidParameters"


class Unauthorized(BankIDError):
    default_code = "unauthorized"


class NotFound(BankIDError):
    default_code = "notFound"


class RequestTimeout(BankIDError):
    default_code = "requestTimeout"


class TooManyRequests(BankIDError):
    default_code = "tooManyRequests"


class Maintenance(BankIDError):
    default_code = "maintenance"


class InternalError(BankIDError):
    default_code = "internalError"


class UnknownBankIDError(BankIDError):
    """An errorCode this client does not know (BankID may add new ones)."""


class BankIDUnavailable(BankIDError):
    """No reply: connection refused, TLS handshake failed (e.g. a refused client certificate),
    or timed out."""

    default_code = "unavailable"


class InvalidResponse(BankIDError):
    """A reply that is not BankID's: not JSON, or JSON without the expected fields."""

    default_code = "invalidResponse"


ERRORS_BY_CODE: dict[str, type[BankIDError]] = {
    cls.default_code: cls
    for cls in (
        AlreadyInProgress,
        InvalidParameters,
        Unauthorized,
        NotFound,
        RequestTimeout,
        TooManyRequests,
        Maintenance,
        InternalError,
    )
}


def error_for(error_code: str, details: str, http_status: int) -> BankIDError:
    cls = ERRORS_BY_CODE.get(error_code, UnknownBankIDError)
    return cls(error_code, details, http_status)
