"""One exception type for every failure a client may see, rendered in OpenAI's error shape."""

from __future__ import annotations

from typing import Any


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


def service_unavailable(message: str, *, code: str = "service_unavailable") -> ApiError:
    return ApiError(503, message, type="server_error", code=code)


def internal_error(request_id: str) -> ApiError:
    return ApiError(
        500,
        f"The server had an error processing the request (request id {request_id}).",
        type="server_error",
        code="internal_error",
    )
