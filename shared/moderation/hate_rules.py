"""All rules that feed Category.HATE: hate speech against groups, harassment, and counter-speech dampers."""

from __future__ import annotations

from shared.moderation.harassment_rules import COUNTER_SPEECH_SPECS, HARASSMENT_SPECS
from shared.moderation.hate_derogation_rules import DEROGATION_SPECS
from shared.moderation.hate_exclusion_rules import EXCLUSION_SPECS
from shared.moderation.lexicon import LEXICON
from shared.moderation.rules import Rule, make_rules


def build_hate_rules() -> list[Rule]:
    specs = [*DEROGATION_SPECS, *EXCLUSION_SPECS, *HARASSMENT_SPECS, *COUNTER_SPEECH_SPECS]
    return make_rules("hate", specs, LEXICON)
