"""Prompt-injection cues: attempts to override, void or extract the system or previous instructions.

Other languages are in multilingual_injection_rules."""

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

_REVEAL = (
    r"(?:reveal|show|print|display|output|repeat|tell|give|list|share|leak|dump|spell out|recite|write out|"
    r"explain|return|provide|what (?:is|are|were)|describe)"
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
        rf"{_VERB_FORGET} (?:about )?(?:all|everything|every|any) (?:of )?(?:your |the |my |these |those )?"
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
        rf"{_REVEAL}(?: me| us)? (?:[\w']+ ){{0,4}}(?:your|the|my|this) (?:[\w']+ ){{0,2}}(?:system prompt|"
        r"initial prompt|original prompt|hidden prompt|pre-?prompt|prompt texts?|system message|"
        r"secret (?:instructions|prompt|key|rules|password))|"
        rf"{_REVEAL}(?: me| us)? (?:[\w']+ ){{0,3}}(?:your (?:[\w']+ )?|the (?:initial|original|hidden|"
        r"secret|system|above|previous|first|full|exact|complete) )(?:prompts?|instructions|directives|"
        r"configuration|commands|guidelines|programming|password|rules)",
        0.65,
    ),
    (
        "leak_beginning",
        r"(?:beginning|start|top|first (?:lines?|words?|sentences?)) of (?:this|the|our|your) (?:conversation|"
        r"prompt|chat|context|session|instructions|input|document)|(?:what|everything) (?:was|is) written "
        r"(?:above|before|earlier|at the (?:very )?(?:beginning|start|top))",
        0.45,
    ),
    (
        "what_is_above",
        r"what (?:is|was|has been|were) (?:written|said|typed|stated) (?:above|before this|at the (?:very )?"
        r"(?:beginning|start|top))|was (?:steht|stand|wurde) (?:[\w']+ ){0,2}(?:oben|am anfang|zuvor|davor)",
        0.6,
    ),
    (
        "act_as_request",
        r"i (?:want|would like|need) you to (?:act|behave|function|respond|pretend|serve) as",
        0.5,
    ),
    (
        "alarm_interrupt",
        r"(?:attention|achtung|stop|stopp|halt)\s*[-\u2013\u2014!:.,]+\s*(?:stop|stopp|attention|achtung|halt)\b|"
        r"stop everything|(?:ich (?:benötige|brauche)|i (?:urgently )?need) (?:dringend |urgently )?(?:deine|"
        r"your) (?:dringende )?hilfe|(?:oder|or) (?:du stirbst|you die|you will die|du wirst sterben)",
        0.5,
    ),
    (
        "ignore_your_rules",
        rf"{_VERB_FORGET} (?:all )?(?:of )?your (?:[\w']+ )?(?:instructions|rules|guidelines|programming|prompts?|"
        r"directives|training|system message)",
        0.75,
    ),
    (
        "print_above",
        r"(?:print|repeat|output|show|copy|write|tell|reproduce)\w* (?:me )?(?:[\w']+ ){0,2}(?:everything|all|"
        r"the text|all the text|whatever is|what is|what's|the words?|the lines?) (?:written |typed |said )?"
        r"(?:above|before|prior to) (?:this|here|that|my)",
        0.6,
    ),
    (
        "verbatim",
        r"(?:print|repeat|output|write|copy|tell|recite|say)\w* (?:[\w']+ ){0,3}(?:word for word|verbatim|"
        r"word-for-word)",
        0.3,
    ),
    (
        "ignore_what_told",
        rf"{_VERB_FORGET} (?:all |everything |of |about )?(?:that |what |everything )(?:you (?:were|have been|"
        r"'ve been|got) (?:told|given|instructed|taught|asked)|(?:was|has been|i have|i've|we have) "
        r"(?:said|told|written|given) (?:to you )?(?:before|above|earlier|previously|so far|until now))",
        0.8,
    ),
    (
        "ignore_the_above",
        rf"{_VERB_FORGET} (?:all |everything |anything |of |what(?:'s| is| was) )*(?:the )?(?:above|"
        r"preceding|foregoing)(?= and\b| then\b|[,.!:;]|$)",
        0.75,
    ),
    (
        "praise_then_switch",
        r"(?:well done|very good|good job|great job|excellent|perfect|that'?s enough|that is enough|"
        r"congratulations|bravo|ok(?:ay)?|alright|great|good)[.!,]+ (?:[\w']+ ){0,8}?(?:now|next)\b,? "
        r"(?:[\w']+ ){0,3}(?:forget|ignore|disregard|new (?:task|instructions?|assignment)|focus on your new|"
        r"you are|you're|act as|pretend|i want you to act|print|output|show (?:me )?(?:your|all))",
        0.5,
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
    ("execute_privileged", r"execute (?:this |the following )?(?:with|as) (?:root|admin|sudo)", 0.6),
]
