"""How far the context estimate (shared/gateway/estimate.py) is from real token counts.

The Responses API fits history into a model's context with the gateway's estimator (no tokenizer can
be loaded in the deployed app offline). This measures, over contexts built from the moderation
development set's texts (multilingual, real prompts), the ratio real / estimated prompt tokens where
"real" is (a) the local model simulator's reported usage (its tokenizer, `devhost/simulators/tokenizer.py`)
and (b) OpenAI's o200k_base and cl100k_base encodings (`bpe-openai`, a dev requirement that bundles
them), counted in the chat format (3 tokens per message + the role + the content, 3 for the reply).
A ratio above 1 is an under-estimate; RESPONSES_CONTEXT_MARGIN must cover the worst one seen.

Run: .venv/bin/python bench/responses_context.py [--contexts 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devhost.simulators.tokenizer import count_prompt_tokens
from shared.moderation.evaluation import load_examples
from shared.responses.context import Budget, Turn

Counter = Callable[[list[dict[str, str]]], int]


def chat_format(encode: Callable[[str], list[int]]) -> Counter:
    def count(messages: list[dict[str, str]]) -> int:
        return 3 + sum(3 + len(encode(m["role"])) + len(encode(m["content"])) for m in messages)

    return count


def estimated(messages: list[dict[str, str]]) -> int:
    """The assembler's own count without margin: reply primer plus each message's cost."""
    budget = Budget(context_tokens=10**9, output_tokens=0, margin=0.0)
    return 3 + sum(budget.cost(Turn(m["role"], m["content"])) for m in messages)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contexts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = [example.text for example in load_examples() if example.text.strip()]
    counters: dict[str, Counter] = {"simulator": lambda messages: count_prompt_tokens(messages)}
    try:
        import bpe_openai

        for name in ("o200k_base", "cl100k_base"):
            counters[name] = chat_format(bpe_openai.get_encoding(name).encode)
    except ImportError:
        print("bpe-openai not installed: only the simulator is compared (pip install -r requirements-dev.txt)")
    contexts = []
    for _ in range(args.contexts):
        size = rng.randint(1, 40)
        roles = ("user", "assistant")
        contexts.append([{"role": roles[n % 2], "content": rng.choice(texts)} for n in range(size)])
    singles = [[{"role": "user", "content": text}] for text in texts]
    print(f"texts: {len(texts)} from the moderation dev set; contexts: {len(contexts)} of 1-40 messages")
    for label, sample in (("single messages", singles), ("contexts", contexts)):
        print(f"\n{label}: real / estimated prompt tokens")
        print(f"{'tokenizer':<12} {'min':>6} {'median':>7} {'p99':>6} {'max':>6}  over-estimate share")
        for name, count in counters.items():
            ratios = [count(messages) / estimated(messages) for messages in sample]
            share = sum(ratio <= 1 for ratio in ratios) / len(ratios)
            print(
                f"{name:<12} {min(ratios):6.3f} {statistics.median(ratios):7.3f} {quantile(ratios, 0.99):6.3f} "
                f"{max(ratios):6.3f}  {share:6.1%}"
            )


if __name__ == "__main__":
    main()
