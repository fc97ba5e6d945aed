"""Configuration and fault specifications of the Azure OpenAI / OpenAI simulator."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FaultKind = Literal["status", "hang", "disconnect", "pause"]


class SimulatorConfig(BaseModel):
    """Runtime behaviour of the simulator; every knob is off (0/None) unless set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    api_key: str | None = None
    accept_any_bearer: bool = False
    first_token_ms: float = Field(default=0.0, ge=0)
    per_token_ms: float = Field(default=0.0, ge=0)
    tokens_per_minute: int | None = Field(default=None, ge=1)
    default_reply_tokens: int = Field(default=16, ge=1)
    cached_prompt_tokens: int = Field(default=0, ge=0)
    """Prompt tokens reported as served from the prompt cache (at most the prompt)."""
    reasoning_tokens: int = Field(default=0, ge=0)
    """Reasoning tokens reported on top of the reply's, within max_tokens (like o-series models)."""
    deployments: list[str] | None = None
    models: list[str] = Field(default_factory=lambda: ["gpt-4o", "gpt-4o-mini"])
    azure_content_filter_results: bool = True

    def with_patch(self, patch: dict[str, Any]) -> "SimulatorConfig":
        """Partial update; `tpm` is accepted as shorthand for `tokens_per_minute`."""
        normalized = dict(patch)
        if "tpm" in normalized:
            normalized["tokens_per_minute"] = normalized.pop("tpm") or None
        return SimulatorConfig.model_validate({**self.model_dump(), **normalized})


class FaultSpec(BaseModel):
    """One queued fault, applied to the next `count` chat requests matching `target` (and `streamed`,
    when set: True for streamed requests only, False for non-streamed ones only).

    - status: answer with `status` (plus Retry-After headers when `retry_after_s` is set).
    - hang: accept the request and send nothing; forever when `hang_s` is None, else sleep then answer.
    - disconnect: close the connection after `after_chunks` SSE events (non-streaming: before headers).
    - pause: stream `after_chunks` SSE events, then nothing until `POST /_sim/resume` (streaming only):
      lets a test see what a client got from a known part of the stream, whatever the timing.
    """

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    count: int = Field(default=1, ge=1)
    target: str | None = None
    streamed: bool | None = None
    status: int = Field(default=500, ge=400, le=599)
    retry_after_s: float | None = Field(default=None, ge=0)
    message: str | None = None
    hang_s: float | None = Field(default=None, ge=0)
    after_chunks: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _status_only_for_status_faults(self) -> "FaultSpec":
        if self.kind != "status" and "status" in self.model_fields_set:
            raise ValueError("'status' applies only to faults of kind 'status'")
        return self

    def matches(self, target: str, streamed: bool) -> bool:
        return (self.target is None or self.target == target) and self.streamed in (None, streamed)
