"""One exception type for every failure a client may see, rendered in OpenAI's error shape."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosClientTimeoutError

DEPENDENCY_RETRY_AFTER_S = 5
"""Retry-After on a 503: a little longer than a store call's bounded timeout."""

UNAVAILABLE_STORE_STATUSES = frozenset({408, 429, 502, 503, 504})
"""Store answers that mean "not now" rather than "never" (429: throttled after the SDK's own retries)."""


class ApiError(Exception):
    """An error with an HTTP status and an OpenAI-style body: {"error": {message, type, code, param}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "code": self.code, "param": self.param}}


def bad_request(message: str, *, code: str = "invalid_request", param: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def unauthorized(message: str = "Missing or invalid credentials.") -> ApiError:
    return ApiError(
        401,
        message,
        type="authentication_error",
        code="invalid_authentication",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def forbidden(message: str) -> ApiError:
    return ApiError(403, message, type="permission_error", code="forbidden")


def not_found(message: str = "Not found.", *, code: str = "not_found") -> ApiError:
    return ApiError(404, message, type="not_found_error", code=code)


def payload_too_large(message: str) -> ApiError:
    return ApiError(413, message, code="payload_too_large")


def precondition_failed(message: str = "The resource was changed; read it again.") -> ApiError:
    return ApiError(412, message, code="precondition_failed")


def service_unavailable(
    message: str, *, code: str = "service_unavailable", retry_after_s: int = DEPENDENCY_RETRY_AFTER_S
) -> ApiError:
    return ApiError(503, message, type="server_error", code=code, headers={"Retry-After": str(retry_after_s)})


def dependency_unavailable(error: BaseException) -> ApiError | None:
    """The 503 for a store (Cosmos DB, Storage queues) that is unreachable, timed out or answered
    'unavailable'; None for any other error. The one place such SDK exceptions become a response:
    the caller may retry, unlike after a 500, and nothing acknowledged was lost."""
    if isinstance(error, ServiceRequestError | ServiceResponseError | CosmosClientTimeoutError):
        unavailable = True
    elif isinstance(error, HttpResponseError):
        unavailable = error.status_code in UNAVAILABLE_STORE_STATUSES
    else:
        unavailable = False
    if not unavailable:
        return None
    return service_unavailable("A storage dependency is unavailable; retry later.", code="store_unavailable")


def internal_error(request_id: str) -> ApiError:
    return ApiError(
        500,
        f"The server had an error processing the request (request id {request_id}).",
        type="server_error",
        code="internal_error",
    )
