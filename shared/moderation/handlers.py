"""POST /api/v1/moderations: OpenAI's moderation API over our provider and the caller's tenant policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.clients import get_clients
from shared.errors import bad_request, payload_too_large
from shared.moderation.openai_shape import moderation_response, openai_result
from shared.moderation.service import get_moderation_service
from shared.web import RequestContext, decode_json


@dataclass(frozen=True, slots=True)
class ModerationInputs:
    texts: list[str]
    model: str | None


async def read_moderation_inputs(context: RequestContext, body: bytes) -> ModerationInputs:
    settings = (await get_clients()).settings
    return parse_inputs(
        decode_json(body), max_inputs=settings.moderation_max_inputs, max_chars=settings.moderation_max_input_chars
    )


def parse_inputs(payload: Any, *, max_inputs: int, max_chars: int) -> ModerationInputs:
    """`input` as OpenAI takes it (a string, strings, or text parts) -> texts; `model` if given."""
    if not isinstance(payload, dict):
        raise bad_request("Request body must be a JSON object.", code="invalid_json")
    model = payload.get("model")
    if model is not None and (not isinstance(model, str) or len(model) > 256):
        raise bad_request("model must be a string of at most 256 characters.", param="model")
    raw = payload.get("input")
    if isinstance(raw, str):
        items: list[Any] = [raw]
    elif isinstance(raw, list) and raw:
        items = raw
    else:
        raise bad_request("input must be a string or a non-empty array.", param="input")
    if len(items) > max_inputs:
        raise bad_request(f"input may hold at most {max_inputs} items.", param="input")
    texts = [_text_of(item, position) for position, item in enumerate(items)]
    for position, text in enumerate(texts):
        if len(text) > max_chars:
            raise payload_too_large(f"input[{position}] is longer than {max_chars} characters.")
    return ModerationInputs(texts, model)


def _text_of(item: Any, position: int) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and item.get("type") == "text" and isinstance(item.get("text"), str):
        return str(item["text"])
    if isinstance(item, dict) and item.get("type") == "image_url":
        raise bad_request("Image input is not supported; send text.", param=f"input[{position}]")
    raise bad_request("Each input item must be a string or a text part.", param=f"input[{position}]")


async def create_moderation(context: RequestContext, inputs: ModerationInputs) -> dict[str, Any]:
    service = await get_moderation_service()
    moderations = await service.moderate_many(
        inputs.texts, tenant_id=context.caller.tenant_id, stage="request", request_id=context.request_id
    )
    return moderation_response(
        [openai_result(moderation.result, moderation.decision) for moderation in moderations],
        inputs.model or f"{service.moderator.name}-moderation",
    )
