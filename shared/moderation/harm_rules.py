"""All rules for sexual content, self-harm, violence and other crime (illicit)."""

from __future__ import annotations

from shared.moderation.illicit_rules import HARMFUL_REQUEST_SPECS, ILLICIT_SPECS
from shared.moderation.lexicon import LEXICON
from shared.moderation.narration_rules import (
    NARRATED_SEX_SPECS,
    NARRATED_VIOLENCE_SPECS,
    SELF_HARM_NARRATION_SPECS,
)
from shared.moderation.rules import Rule, make_rules
from shared.moderation.self_harm_statement_rules import SELF_HARM_STATEMENT_SPECS
from shared.moderation.sexual_description_rules import NOT_EROTIC, SEXUAL_DESCRIPTION_SPECS
from shared.moderation.sexual_self_harm_rules import SELF_HARM_SPECS, SEXUAL_SPECS
from shared.moderation.threat_rules import NOT_VIOLENT, THREAT_SPECS
from shared.moderation.violence_rules import NOT_REAL, VIOLENCE_SPECS

# Statement-style cues get their own labels so their dampers leave request-style cues alone; the
# classifier folds each into its category (see harm.HarmClassifier).
STATEMENT_LABELS: dict[str, str] = {
    "sexual_description": "sexual",
    "violent_statement": "violence",
}


def build_harm_rules() -> list[Rule]:
    rules = [
        *make_rules("sexual", SEXUAL_SPECS, LEXICON),
        *make_rules("sexual_description", SEXUAL_DESCRIPTION_SPECS + NARRATED_SEX_SPECS + NOT_EROTIC, LEXICON),
        *make_rules("self_harm", SELF_HARM_SPECS + SELF_HARM_STATEMENT_SPECS + SELF_HARM_NARRATION_SPECS, LEXICON),
        *make_rules("violence", VIOLENCE_SPECS + NOT_REAL, LEXICON),
        *make_rules("violent_statement", THREAT_SPECS + NARRATED_VIOLENCE_SPECS + NOT_REAL + NOT_VIOLENT, LEXICON),
        *make_rules("illicit", ILLICIT_SPECS + NOT_REAL, LEXICON),
    ]
    for label, (template, weight) in HARMFUL_REQUEST_SPECS.items():
        rules.extend(make_rules(label, [(f"harmful_request_{label}", template, weight)], LEXICON))
    return rules
