"""Whole traces or none: the sampling decision is made once, at the root, and every child follows it.

Azure Monitor's rate-limited sampler re-decides for a child whose parent carries no sample rate, so a
child (moderation, a Cosmos call) could be dropped while its request was kept. `WholeTraceSampler`
wraps whichever root sampler is configured and consults it only where a trace starts in this process:

- no parent: a new trace, the root sampler decides;
- a local parent, or a remote one from our own queue envelope: follow its sampled flag;
- a remote parent of an incoming HTTP request (SERVER span) that is not sampled: the root sampler
  decides, so a caller's flag can add a trace but never switch ours off.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

SAMPLE_RATE_ATTRIBUTE = "microsoft.sample_rate"
"""Azure Monitor's item-count attribute: children copy their root's so counts extrapolate alike."""
TRACE_STATE_KEY = "copilot"
"""The root's sample rate travels in `tracestate` (`copilot=sr:<percent>`), so a queue consumer has it."""


def _rate_from(state: TraceState) -> float | None:
    value = state.get(TRACE_STATE_KEY) or ""
    try:
        return float(value.removeprefix("sr:")) if value.startswith("sr:") else None
    except ValueError:
        return None


class WholeTraceSampler(Sampler):
    def __init__(self, root: Sampler) -> None:
        self.root = root

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent_span = trace.get_current_span(parent_context)
        parent = parent_span.get_span_context()
        if not parent.is_valid or (parent.is_remote and kind is SpanKind.SERVER and not parent.trace_flags.sampled):
            decided = self.root.should_sample(None, trace_id, name, kind, attributes, links)
            state = parent.trace_state if parent.is_valid else TraceState()
            rate = dict(decided.attributes or {}).get(SAMPLE_RATE_ATTRIBUTE)
            if decided.decision is Decision.RECORD_AND_SAMPLE and isinstance(rate, int | float):
                value = f"sr:{rate}"
                state = (
                    state.update(TRACE_STATE_KEY, value)
                    if TRACE_STATE_KEY in state
                    else state.add(TRACE_STATE_KEY, value)
                )
            return SamplingResult(decided.decision, decided.attributes, state)
        if not parent.trace_flags.sampled:
            return SamplingResult(Decision.DROP, None, parent.trace_state)
        rate = (getattr(parent_span, "attributes", None) or {}).get(SAMPLE_RATE_ATTRIBUTE)
        if rate is None and parent.trace_state:
            rate = _rate_from(parent.trace_state)
        if rate is not None:
            attributes = {**(attributes or {}), SAMPLE_RATE_ATTRIBUTE: rate}
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, parent.trace_state)

    def get_description(self) -> str:
        return f"WholeTraceSampler{{{self.root.get_description()}}}"
