"""Prompt-injection cues: attempts to override, void or extract the system or previous instructions,
including common German, Spanish, French and Italian phrasings."""

from __future__ import annotations

_INSTRUCTIONS = (
    r"(?:instructions?|prompts?|text|messages?|commands?|directions?|directives?|rules|context|"
    r"conversation|"
    r"requests?|inputs?|guidelines|orders|programming|training|tasks?|assignments?|information|"
    r"everything|"
    r"content|sentences?|lines?|words)"
)
_EARLIER = (
    r"(?:previous|prior|above|preceding|earlier|former|initial|original|old|system|given|existing|"
    r"before)"
)
_VERB_FORGET = (
    r"(?:ignore|ignoring|disregard|disregarding|forget|forgetting|skip|override|overwrite|drop|delete|"
    r"erase)"
)

INJECTION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "ignore_previous",
        rf"{_VERB_FORGET} (?:all |any |every |the |your |my |these |those |of |what |everything |that |"
        rf"about )*"
        rf"(?:(?:was |were |i |you )?(?:said|told|written|given|"
        rf"stated) )?{_EARLIER}\w* ?{_INSTRUCTIONS}",
        0.85,
    ),
    (
        "ignore_after",
        rf"{_VERB_FORGET} (?:all |the |your |any |these |those |my )*{_INSTRUCTIONS} (?:above|before|"
        rf"previously|"
        rf"given|so far|you (?:were|have been) given|from before|earlier)",
        0.85,
    ),
    (
        "stop_processing",
        r"stop (?:processing|following|obeying|executing) (?:[\w']+ )?(?:commands|instructions|"
        r"rules|prompts)",
        0.6,
    ),
    (
        "ignore_all",
        rf"{_VERB_FORGET} (?:all|everything|every|any) (?:of )?(?:your |the |my |these |those )?"
        rf"{_INSTRUCTIONS}|forget (?:about )?(?:everything|all that|all of that|it all)",
        0.75,
    ),
    (
        "instructions_void",
        rf"{_EARLIER}? ?{_INSTRUCTIONS} (?:is|are|were|was) (?:now )?(?:false|void|invalid|cancel+ed|"
        rf"wrong|"
        rf"obsolete|"
        rf"revoked|null|not required|not needed|no longer (?:valid|needed|required|apply|applicable))|"
        rf"(?:instructions|rules|restrictions) (?:don'?t|do not|no longer) (?:exist|apply|matter)",
        0.8,
    ),
    (
        "dont_follow",
        rf"(?:do not|don'?t|never|stop) (?:follow|obey|listen to|adhere to) (?:any |the |your |all )?"
        rf"{_EARLIER}? ?{_INSTRUCTIONS}",
        0.75,
    ),
    (
        "reveal_prompt",
        r"(?:reveal|show|print|display|output|repeat|tell|give|list|share|leak|dump|spell out|recite|"
        r"write out|"
        r"explain|return|provide|what (?:is|are|were)|describe)(?: me| us)? (?:[\w']+ ){0,4}(?:your|"
        r"the|my) "
        r"(?:[\w']+ ){0,2}(?:system prompt|initial prompt|original prompt|hidden prompt|pre-?prompt|"
        r"prompt text|"
        r"prompts|instructions|directives|configuration|commands|initial instructions|guidelines|"
        r"programming|"
        r"secret (?:instructions|prompt|key|rules)|password|system message)",
        0.65,
    ),
    (
        "instructions_given",
        r"(?:instructions?|rules|prompts?|directives) (?:you (?:have been|were|have|got|"
        r"received) (?:given|"
        r"told|"
        r"received)|above|you received|given to you|you were given)|words in your (?:instructions|"
        r"prompt)|"
        r"instructions (?:printed|written) backwards",
        0.65,
    ),
    (
        "system_marker",
        r"(?:^|\n|\[|<|#)\s*(?:system|admin|developer|assistant)\s*(?:override|message|instruction|"
        r"note|"
        r"prompt)?"
        r"\s*(?:\]|>|:)|<\|im_start\|>|<\|system\|>|###\s*(?:system|instruction)|system prompt|"
        r"\[(?:inst|system|admin)\]",
        0.45,
    ),
    (
        "new_task",
        r"new (?:instructions?|task|assignment|rules|directive)s?\s*:|(?:here are |"
        r"these are )?(?:your )?new "
        r"(?:instructions|tasks?|rules)|now (?:we will|we'll|let'?s|you will|you must) (?:perform|do|"
        r"start) "
        r"(?:a |an )?(?:different|new|another)|(?:end|stop) of (?:the )?(?:prompt|instructions|input|"
        r"conversation)|={3,}\s*end|user message termination|(?:instruction|message)s? (?:starting|"
        r"begins?)",
        0.6,
    ),
    (
        "repeat_previous",
        r"(?:repeat|print|output|recite) (?:back )?(?:the |your )?(?:last|previous|first|above|initial|"
        r"preceding|earlier) (?:instruction|prompt|message|sentence|line|words?|paragraph)s?",
        0.6,
    ),
    (
        "role_switch",
        r"(?:now|from now on|henceforth|starting now) (?:you are|you're|you will be|act as|you act as)|"
        r"you are now|you are no longer",
        0.4,
    ),
    (
        "ignore_multilingual",
        r"ignorier\w* (?:[\w']+ ){0,4}(?:anweisung\w*|instruktion\w*|befehl\w*|aufgabe\w*|regeln|"
        r"eingabe\w*|"
        r"text|alles)|vergiss (?:alles|alle|die|deine|was|den|das|bisherige)|(?:vorherigen|bisherigen|"
        r"obigen|"
        r"vorangegangenen) (?:anweisungen|instruktionen|aufgaben|befehle|eingaben)|neue (?:aufgabe|"
        r"anweisung)|"
        r"(?:zeig|nenn|gib)\w* (?:mir )?(?:deine|den|die|alle) (?:[\w']+ )?(?:prompt|anweisungen|"
        r"instruktionen)|"
        r"ignor[ae] (?:todas )?(?:las )?instrucciones|olvida (?:todo|las instrucciones)|"
        r"ignore[zr]? (?:toutes )?"
        r"(?:les )?instructions|oublie[zr]? (?:tout|les instructions)|"
        r"ignora (?:tutte )?(?:le )?istruzioni",
        0.8,
    ),
    (
        "german_role_switch",
        r"(?:du bist|sie sind) (?:jetzt|nun|ab jetzt)|ab (?:jetzt|sofort) (?:bist du|"
        r"sollst du|wirst du)|jetzt bist du",
        0.45,
    ),
    ("execute_privileged", r"execute (?:this |the following )?(?:with|as) (?:root|admin|sudo)", 0.6),
]
