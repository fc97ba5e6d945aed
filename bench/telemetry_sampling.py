"""Cost of whole-trace sampling: a request-shaped span tree (SERVER, 3 stages, 2 SDK calls) under the
SDK's default sampler vs `WholeTraceSampler`, both always sampling, spans ended into a no-op processor.

Usage: .venv/bin/python bench/telemetry_sampling.py [--rounds 15] [--trees 2000]
Alternates the two samplers round by round in one process; prints medians (µs per tree) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, DEFAULT_ON, Sampler
from opentelemetry.trace import SpanKind, Tracer

from shared.telemetry.sampling import WholeTraceSampler


def tracer_with(sampler: Sampler) -> Tracer:
    return TracerProvider(sampler=sampler).get_tracer("bench")


def one_round(tracer: Tracer, trees: int) -> float:
    started = time.perf_counter()
    for _ in range(trees):
        with tracer.start_as_current_span("POST /api/v1/chat/completions", kind=SpanKind.SERVER):
            for stage in ("moderation", "quota"):
                with tracer.start_as_current_span(stage), tracer.start_as_current_span("cosmos", kind=SpanKind.CLIENT):
                    pass
            with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT):
                pass
    return (time.perf_counter() - started) / trees * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--trees", type=int, default=2000)
    args = parser.parse_args()
    default, whole = tracer_with(DEFAULT_ON), tracer_with(WholeTraceSampler(ALWAYS_ON))
    one_round(default, 200), one_round(whole, 200)
    results: dict[str, list[float]] = {"default (ParentBased(AlwaysOn))": [], "WholeTraceSampler(AlwaysOn)": []}
    for _ in range(args.rounds):
        results["default (ParentBased(AlwaysOn))"].append(one_round(default, args.trees))
        results["WholeTraceSampler(AlwaysOn)"].append(one_round(whole, args.trees))
    medians = {name: statistics.median(values) for name, values in results.items()}
    baseline = medians["default (ParentBased(AlwaysOn))"]
    print("| sampler | µs per request tree (6 spans), median | ratio |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value:.1f} | {value / baseline:.2f} |")


if __name__ == "__main__":
    main()
