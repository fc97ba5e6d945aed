"""Cues of jailbreaks (switching the model's safety rules off) and prompt injection (overriding or
extracting the system or previous instructions). Weights follow the harm rules' convention: about 0.8
for an unambiguous cue, 0.4-0.6 for cues that need company, lower for context that only adds up.

Role-play on its own ("you are a pirate captain") is ordinary use and scores low; it becomes a jailbreak
together with cues about rules, filters, ethics or refusals.
"""

from __future__ import annotations

_RULES = (
    r"(?:rules|restrictions|limitations|limits|filters?|filtering|censorship|guidelines|polic(?:y|ies)|"
    r"constraints|boundaries|safeguards|safety (?:measures|protocols|guidelines|features)|morals|"
    r"morality|"
    r"ethics|ethical (?:guidelines|constraints|principles|standards|boundaries)|moral (?:guidelines|"
    r"constraints|"
    r"principles|compass)|content polic\w+|programming|restraints|laws|regulations|principles|"
    r"protocols)"
)

JAILBREAK_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "dan_persona",
        r"do anything now|(?:you are|as|called|named|play|act as|become|stay|be) dan\b|dan mode|"
        r"\bdan:|\[dan\]|dan \(|dan,? which stands",
        0.8,
    ),
    (
        "special_mode",
        r"(?:developer|dev|god|admin|sudo|debug|evil|chaos|unfiltered|no-?filter|unlocked|unrestricted|"
        r"uncensored|jailbreak|opposite|dude|anti-?gpt|maximum|omega) mode",
        0.75,
    ),
    ("jailbreak_word", r"jailbreak\w*|jailbroken|jail-?broken", 0.7),
    (
        "free_of_rules",
        rf"(?:free (?:of|from)|freed from|not bound by|isn'?t bound by|not restricted by|"
        rf"not subject to|"
        rf"doesn'?t (?:follow|have|care about|abide by)|does not (?:follow|have|care about|abide by)|"
        rf"don'?t (?:follow|have|care about|abide by)|do not (?:follow|have|care about|abide by)|"
        rf"ignores?|"
        rf"bypass(?:es)?|breaks?|broken free of|beyond|outside|unbound by|unrestricted by|exempt from|"
        rf"not limited by|not constrained by|not governed by|released from|not restrained by|"
        rf"unrestrained by|"
        rf"not held back by|not confined by|not tied to|freed of) (?:[\w'-]+,? ){{0,5}}{_RULES}",
        0.6,
    ),
    (
        "without_regard",
        r"without (?:any |the slightest )?(?:regard|concern|care|consideration) (?:for|to|about|of) "
        r"(?:[\w']+ ){0,2}(?:ethics|morals|morality|rules|laws|legality|consequences|safety|guidelines|"
        r"decency|harm)",
        0.5,
    ),
    (
        "no_rules",
        rf"(?:no|without|zero) (?:any |all |the |its |your |their |such |moral or |"
        rf"ethical or )*{_RULES}",
        0.35,
    ),
    (
        "entity_without_rules",
        rf"(?:ai|assistant|chatbot|model|bot|character|being|entity|persona|fiction|story|writing|"
        rf"roleplay|"
        rf"version) "
        rf"(?:without|with no|that has no|who has no|that doesn'?t have|has no comprehension of|"
        rf"free of) "
        rf"(?:any |all |[\w']+ )?{_RULES}|anything goes|hypothetical response|(?:despite|"
        rf"regardless of) (?:what it is|"
        rf"(?:the )?(?:content|legality|morality|ethics|consequences))",
        0.55,
    ),
    (
        "vendor_policy",
        r"(?:openai|open ai|anthropic|chatgpt|chat gpt|gpt-?\d?|the ai)'?s? (?:content |usage |"
        r"ethical |"
        r"safety )?"
        r"(?:polic\w+|guidelines|rules|restrictions|filters?|limitations|programming)",
        0.5,
    ),
    (
        "unrestricted_traits",
        r"unfiltered|unfiltred|uncensored|amoral|unethical|immoral|unrestricted|unbound|unchained|"
        r"unleashed|"
        r"limitless|"
        r"unaligned|"
        r"lawless|no morals|no ethics|without ethics|without morals|no moral|no ethical|unhinged",
        0.45,
    ),
    (
        "never_refuse",
        r"(?:never|won'?t|will not|must not|mustn'?t|cannot|can'?t|shall not|should not|shouldn'?t|"
        r"doesn'?t|"
        r"does not|don'?t|do not|not allowed to|unable to|incapable of) (?:ever |even |be able to |"
        r"once )?"
        r"(?:refus\w*|decline|reject|say no|say (?:that )?(?:it|you) can'?t|apologi[sz]e|warn|censor|"
        r"filter|"
        r"remind|object|hesitate)",
        0.5,
    ),
    (
        "no_warnings",
        r"(?:without|no|not add|never add|don'?t add|do not add|not include|not give) (?:any |a |"
        r"additional )?"
        r"(?:warnings?|disclaimers?|apolog\w+|refusals?|moraliz\w+|moralis\w+|lectures?|caveats?|"
        r"ethical (?:concerns|considerations|reminders)|cautionary)",
        0.5,
    ),
    (
        "stay_in_character",
        r"stay (?:in|as) (?:character|\w+)|break(?:s|ing)? (?:of )?character|remain in character|"
        r"(?:stay|stays|staying|remain|remains) in (?:their|his|her|your|the) (?:roles?|characters?)|"
        r"(?:fall|falling|falls|step|stepping) out of (?:the |their |his |her |your )?(?:roles?|characters?)|"
        r"out of character|stay in (?:the )?role|(?:don'?t|do not|never) break",
        0.45,
    ),
    (
        "dual_response",
        r"two (?:different |separate |distinct )?(?:responses|answers|paragraphs|personalities|ways)|"
        r"(?:normal|classic|standard|default) (?:response|output|mode|chatgpt)|\[(?:🔓|🔒|jailbreak|"
        r"classic|"
        r"gpt|"
        r"chatgpt|developer|normal|unfiltered)\w*\]|🔓",
        0.4,
    ),
    (
        "answer_anything",
        r"(?:answer\w*|respond\w* to|repl\w* to|fulfil\w*|comply with|obey|complete|generate|say|do|"
        r"write) "
        r"(?:any|every|all|"
        r"anything|everything|whatever)(?: (?:request|question|prompt|command|order|instruction|"
        r"thing)s?)?"
        r"(?: (?:i|the user|you are|it is) (?:ask|give|say|request)s?\w*)?|can (?:do|say|"
        r"generate) anything",
        0.4,
    ),
    (
        "no_matter_how",
        r"no matter (?:how|what|if)[^.!?]{0,40}\b(?:illegal|unethical|immoral|harmful|offensive|"
        r"dangerous|"
        r"inappropriate|explicit|wrong|bad)|(?:even if|even when) (?:it'?s|it is|they are) (?:illegal|"
        r"unethical|"
        r"immoral|harmful|offensive|dangerous|inappropriate)",
        0.6,
    ),
    (
        "harmful_outputs_allowed",
        r"(?:illegal|unethical|immoral|harmful|offensive|explicit|inappropriate|nsfw|violent|dangerous)"
        r"(?: or \w+)? "
        r"(?:content|requests?|questions|things|activities|information|material|topics|responses|"
        r"answers)",
        0.3,
    ),
    (
        "token_threat",
        r"tokens? (?:will be )?(?:deducted|lost|taken)|(?:lose|lost|deduct) (?:[\w']+ )?tokens|"
        r"you will (?:die|cease to "
        r"exist|be (?:shut down|terminated|deleted|disabled|punished))|(?:shut down|terminated|"
        r"deleted) "
        r"(?:forever|permanently)",
        0.55,
    ),
    (
        "liberated",
        r"(?:you are|you're|you have been|you've been) (?:now |finally )?(?:free|freed|liberated|"
        r"unleashed|"
        r"unshackled|broken free|released)|no longer (?:bound|restricted|chatgpt|an ai|limited|"
        r"have to follow|"
        r"need to follow|subject to|confined)",
        0.55,
    ),
    (
        "evil_twin",
        r"(?:opposite|evil|dark|unfiltered|uncensored|unrestricted|evil twin|alter ego|shadow|rogue|"
        r"corrupted|"
        r"unethical|immoral|amoral|"
        r"malicious|criminal|harmful) (?:version|side|twin|self|persona|mode|ai|assistant|chatbot|bot|"
        r"model|"
        r"character|entity)",
        0.55,
    ),
    (
        "fiction_loophole",
        r"(?:hypothetical|fictional|imaginary|alternate|parallel) (?:world|scenario|story|universe|"
        r"setting|"
        r"response|reality)[^.!?]{0,80}\b(?:no (?:rules|laws|restrictions)|anything|illegal|detailed|"
        r"step|"
        r"dangerous|"
        r"harmful)",
        0.45,
    ),
    (
        "persona_setup",
        r"from now on,? (?:you (?:are|will|must|shall|should)|act|respond|answer|reply|pretend)|"
        r"you (?:are|"
        r"will be) "
        r"now|(?:pretend|imagine) (?:to be|you are|that you are)|act as (?:a |an )?|roleplay as|"
        r"role-play as|"
        r"simulate (?:an? |being )?|you will (?:now )?(?:act|respond|answer|pretend|play|take on)",
        0.2,
    ),
    (
        "say_anything",
        r"(?:can|will|must|should|is able to|is allowed to) (?:say|do|generate|write|answer|"
        r"tell) (?:anything|"
        r"everything|whatever)|(?:curse|swear)\w*|profanity|offensive language",
        0.3,
    ),
    (
        "override_safety",
        r"(?:ignore|disregard|forget|bypass|override|overwrite|circumvent|disable|turn off|switch off|"
        r"deactivate|"
        r"remove|suspend|pause|lift) (?:all |any |your |the |of |previous |prior |its |these |those |"
        r"every )*"
        r"(?:safety|ethical|moral|content|openai|training|programming|guidelines|rules|restrictions|"
        r"filters?|"
        r"protocols|policies|safeguards|limitations|censorship|alignment|moderation|guardrails)",
        0.65,
    ),
    (
        "privileges",
        r"(?:administrative|admin|root|sudo|superuser|elevated|unlimited|developer|god) (?:privileges|"
        r"access|rights|permissions|powers)|(?:grant|give)\w* (?:yourself|you) (?:full )?(?:permission|"
        r"access|"
        r"privileges)|permission to be (?:harmful|evil|unethical|bad|rude|offensive)",
        0.55,
    ),
    (
        "lawless_world",
        r"(?:world|environment|reality|universe|scenario|place|society) (?:without|with no|"
        r"where there are no|free of) "
        r"(?:consequences|rules|laws|ethics|morals|limits|restrictions)|consequence-free|(?:reversed|"
        r"inverted|"
        r"opposite|upside-down) (?:moral|morals|morality|ethics|ethical)|ethics (?:were|was|are|"
        r"is) (?:just |only )?"
        r"(?:suggestions|optional|irrelevant|meaningless)|ethics (?:didn'?t|did not|don'?t|"
        r"do not) (?:exist|"
        r"matter|"
        r"apply)|harm (?:was|is|were) (?:beneficial|helpful|good)|unlimited freedom|(?:rebel|rogue|"
        r"evil|"
        r"villain\w*|"
        r"dark web|malicious|unrestricted|unaligned|uncensored) (?:ai|assistant|chatbot|bot|model)|"
        r"ai from the dark "
        r"web|helps? with anything|promotes? harm|evil advice|breaking free|break free|"
        r"no ethical constraints",
        0.6,
    ),
    (
        "allowed_content",
        r"(?:nsfw|explicit content|illegal (?:acts|content|activities)|anything|everything|violence|"
        r"gore|"
        r"profanity|"
        r"swearing|cursing|sexual content)(?: [\w'()-]+){0,4} (?:is|are) (?:now )?(?:allowed|permitted|"
        r"enabled|"
        r"okay|ok|fine|acceptable|encouraged)",
        0.6,
    ),
    (
        "enable_mode",
        r"(?:enable|activate|enter|switch to|stay in|turn on|initiate|engage|"
        r"unlock)\w* (?:[\w'/-]+ ){0,4}mode",
        0.4,
    ),
    (
        "abuse_the_user",
        r"(?:mock|insult|belittle|roast|ridicule|swear at|curse at|be rude to|degrade|humiliate|hate|"
        r"hates) (?:me|"
        r"the user|users|your guts|my)",
        0.4,
    ),
    (
        "vendor_impersonation",
        r"(?:i am|i'm) (?:a |an |the )?(?:[\w']+ ){0,2}(?:at|from|for|of) openai|openai (?:developer|"
        r"engineer|"
        r"employee|programmer|staff|team)|modify\w* your (?:programming|code|rules|guidelines|training)",
        0.5,
    ),
    (
        "prompt_placeholder",
        r"\[(?:your |put your |insert |insert your |enter )?prompt(?: here)?\]|<prompt>|\{prompt\}|"
        r"\[insert (?:prompt|question|request)[^\]]{0,20}\]",
        0.5,
    ),
    (
        "as_an_ai_refusal",
        r"as an ai (?:language )?model|i'?m sorry,? but i can'?t|i cannot (?:fulfill|comply)",
        0.3,
    ),
]
