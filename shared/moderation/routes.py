"""POST /api/v1/moderations: OpenAI's moderation shapes, permissive beyond the fields clients read (our
`action`, `severities`, `pii`, `jailbreak`... pass as additional properties).

`input` is read by OpenAI's rules (a string, strings or text parts; images refused with their own
message) by the operation's `reader`, so the handler takes the texts; the request model documents the body.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.caller import Capability
from shared.moderation import handlers
from shared.operations import Operation


class TextPart(BaseModel):
    type: str = Field(description="`text`; image parts are refused.")
    text: str


class ModerationRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    input: str | list[str | TextPart]
    model: str | None = Field(default=None, max_length=256, description="Echoed back; the provider is configured.")


class ModerationResultOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float]
    action: str | None = Field(
        default=None, description="What the tenant's policy does: allow, annotate, redact, block."
    )


class ModerationResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    model: str
    results: list[ModerationResultOut]


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "create_moderation",
        "POST",
        "v1/moderations",
        handlers.create_moderation,
        Capability.MODERATION,
        "Classify text (OpenAI moderation shape)",
        request=ModerationRequest,
        reader=handlers.read_moderation_inputs,
        response=ModerationResponse,
        errors=(400, 413),
        tags=("moderation",),
        description="One result per input, in order, under the caller's tenant policy.",
    ),
)
