"""Shared pieces of the OpenAPI document: the error body, error descriptions, security schemes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, a wrong type or a value out of range.",
    401: "Missing or invalid credentials.",
    403: "The caller lacks a capability this operation needs.",
    404: "No such resource, or not the caller's.",
    409: "Conflict with the resource's current state.",
    412: "The resource changed since it was read (If-Match).",
    413: "The request body is too large.",
    429: "Rate or quota limit reached; see Retry-After.",
    500: "Unexpected error; the body names the request id.",
    503: "A dependency is unavailable; retry later.",
}


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None
    param: str | None


class ErrorResponse(BaseModel):
    """Every error, in the shape OpenAI clients expect."""

    error: ErrorDetail


SECURITY_SCHEMES: Mapping[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT or cpk_ API key",
        "description": "A Microsoft Entra ID access token, or a service API key.",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "api-key",
        "description": "A service API key (`cpk_<key id>_<secret>`).",
    },
}
