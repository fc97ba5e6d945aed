"""A Responses API call is traced and counted like a chat completion: it is one, to the gateway."""

from __future__ import annotations

import json

import pytest

from shared.conversations.repository import ConversationRepository
from shared.responses.models import ResponseCreate
from shared.responses.service import ResponsesService
from shared.responses.store import ResponseStore
from shared.settings import load_settings
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import TOKENS
from tests.gateway.gateway_helpers import ALIAS, backend, make_service, new_caller, simulators
from tests.telemetry.telemetry_support import Telemetry

pytestmark = pytest.mark.stack


async def test_a_response_has_the_chat_spans_and_token_metrics(telemetry: Telemetry, clients) -> None:
    async with simulators(1) as (sim,):
        backends = [backend(sim)]
        service = ResponsesService(
            make_service(clients, backends),
            ResponseStore.from_clients(clients),
            ConversationRepository.from_clients(clients),
            load_settings(OPENAI_BACKENDS=json.dumps(backends)),
        )
        caller = new_caller()
        answer = await service.create(caller, ResponseCreate(model=ALIAS, input="[[sim:reply:Traced.]]"), "rid-1")
    usage = json.loads(bytes(answer.body))["usage"]
    [attempt] = telemetry.spans_named(f"chat {ALIAS}")
    details = dict(attempt.attributes or {})
    assert details[attr.GEN_AI_USAGE_INPUT_TOKENS] == usage["input_tokens"]
    assert details[attr.GEN_AI_USAGE_OUTPUT_TOKENS] == usage["output_tokens"] == 2
    tokens = {attr.TENANT_HASH: caller.tenant_hash, attr.GEN_AI_REQUEST_MODEL: ALIAS}
    assert telemetry.total(TOKENS, {**tokens, attr.GEN_AI_TOKEN_TYPE: "input"}) == usage["input_tokens"]
    assert telemetry.total(TOKENS, {**tokens, attr.GEN_AI_TOKEN_TYPE: "output"}) == usage["output_tokens"]
