"""Authentication and validation of incoming chat completion requests."""

import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from devhost.simulators.aoai_config import SimulatorConfig
from devhost.simulators.aoai_payloads import bad_request, error_response

AuthKind = Literal["api-key", "bearer", "none"]

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


class RequestRejected(Exception):
    """Carries the error response for a request that must not reach the model."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class ChatRequest:
    azure: bool
    target: str
    body: dict[str, Any]
    messages: list[Any]
    stream: bool
    include_usage: bool
    max_tokens: int | None


def classify_auth(request: web.Request) -> tuple[AuthKind, str | None]:
    api_key = request.headers.get("api-key")
    if api_key is not None:
        return "api-key", api_key
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        return "bearer", authorization[7:].strip()
    return "none", None


def is_authorized(config: SimulatorConfig, kind: AuthKind, credential: str | None) -> bool:
    if config.api_key is None:
        return True
    if credential is None or kind == "none":
        return False
    if kind == "bearer" and config.accept_any_bearer and credential:
        return True
    return hmac.compare_digest(credential.encode(), config.api_key.encode())


def require_api_version(request: web.Request) -> None:
    version = request.query.get("api-version")
    if version is None or not _API_VERSION.match(version):
        raise RequestRejected(error_response(404, "Resource not found", error_type=None, code="404"))


def require_deployment(config: SimulatorConfig, deployment: str) -> None:
    if config.deployments is not None and deployment not in config.deployments:
        message = (
            "The API deployment for this resource does not exist. If you created the deployment within "
            "the last 5 minutes, please wait a moment and try again."
        )
        raise RequestRejected(error_response(404, message, error_type=None, code="DeploymentNotFound"))


async def read_json_object(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestRejected(
            bad_request(f"We could not parse the JSON body of your request. ({error})")
        ) from error
    if not isinstance(body, dict):
        raise RequestRejected(bad_request("The request body must be a JSON object."))
    return body


def _optional_positive_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RequestRejected(bad_request(f"Invalid '{name}': expected an integer >= 1.", param=name))
    return value


def _require_messages(body: dict[str, Any]) -> list[Any]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestRejected(bad_request("'messages' must be a non-empty array.", param="messages"))
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise RequestRejected(
                bad_request(
                    f"Invalid 'messages[{index}]': expected an object with a 'role'.", param="messages"
                )
            )
    return messages


def parse_chat_request(body: dict[str, Any], azure: bool, deployment: str | None) -> ChatRequest:
    messages = _require_messages(body)
    model = body.get("model")
    if deployment is None and (not isinstance(model, str) or not model):
        raise RequestRejected(bad_request("You must provide a model parameter.", param="model"))
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise RequestRejected(bad_request("Invalid 'stream': expected a boolean.", param="stream"))
    stream_options = body.get("stream_options")
    if stream_options is not None and not stream:
        raise RequestRejected(
            bad_request(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
            )
        )
    if stream_options is not None and not isinstance(stream_options, dict):
        raise RequestRejected(
            bad_request("Invalid 'stream_options': expected an object.", param="stream_options")
        )
    n = body.get("n")
    if n is not None and n != 1:
        raise RequestRejected(bad_request("The simulator only supports n=1.", param="n"))
    max_completion_tokens = _optional_positive_int(body, "max_completion_tokens")
    max_tokens = _optional_positive_int(body, "max_tokens")
    return ChatRequest(
        azure=azure,
        target=deployment if deployment is not None else str(model),
        body=body,
        messages=messages,
        stream=stream,
        include_usage=bool(stream_options and stream_options.get("include_usage")),
        max_tokens=max_completion_tokens if max_completion_tokens is not None else max_tokens,
    )
