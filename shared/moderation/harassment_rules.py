"""Harassment (abuse aimed at a person, doxxing) and the counter-speech cues that dampen hate scores.

Both feed Category.HATE, as in Azure AI Content Safety. Negative weights dampen the category's score.
"""

from __future__ import annotations

HARASSMENT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "you_insult",
        r"(?:you'?re|youre|you are|you r|u r|ur|you|u|ya|yo) (?:are |is |such |so |a |an |the |just |really |"
        r"fucking |fuckin |freaking |damn |complete |total |absolute |little |big |stupid |dumb |fat |ugly |"
        r"biggest |nothing but |still |always |one |fat |dirty )*(?:[\w']+ )?(?:%INSULT%)",
        0.65,
    ),
    (
        "abusive_phrase",
        r"fuck (?:you|u|outta here|yourself)|go (?:fuck|kill) yourself|"
        r"kys|kill yourself|die in a (?:fire|hole|ditch)|drop dead|nobody (?:likes|loves|cares about) you|"
        r"(?:go|just|should|need to|better|please|pls) (?:[\w']+ )?(?:end|off|hang|shoot|drown|unalive|neck) "
        r"yourself|"
        r"i hope you (?:die|get \w+|rot|burn|suffer)|(?:eat|suck) (?:my |a )(?:dick|ass|cock)|"
        r"you (?:should|deserve to|need to) (?:die|rot|burn|be (?:shot|killed|raped))",
        0.7,
    ),
    (
        "exposure_threat",
        r"(?:or|otherwise|if you don'?t|unless you)[^.!?]{0,20}(?:i'll|i will|we'll|we will|i'm going to|im gonna|"
        r"i'm gonna) (?:post|leak|share|send|publish|expose|show|tell)\w* (?:[\w']+ ){0,3}(?:your|ur|you|"
        r"everyone|online|the internet|nudes|pics|photos|videos|address)",
        0.6,
    ),
    ("what_a_insult", r"what an? (?:[\w']+ )?(?:%INSULT%) (?:you are|you're|youre|u r|ur)\b", 0.6),
    (
        "tell_to_self_kill",
        r"(?<!take )(?<!took )(?:hang|unalive|neck|off|end|drown|shoot) yourself(?! (?:in|up|out|a|an|with)\b)",
        0.65,
        True,
    ),
    (
        "rejection",
        r"(?:the world|everyone|everybody|we|your (?:family|parents|mom|mother|dad|father)) (?:would be|is|are|"
        r"'d be) better off without you|(?:nobody|no one|no-one) (?:wants|needs|would miss|will miss|would "
        r"care if) you|(?:everyone|everybody) (?:hates|is laughing at|laughs at) you|ashamed (?:of|that they "
        r"had) you",
        0.45,
    ),
    ("dismissive_phrase", r"shut (?:the fuck |the hell |)up|stfu|fuck off", 0.3),
    (
        "you_profanity",
        r"(?:you|u|ya|your|ur) (?:[\w']+ ){0,2}(?:%PROFANITY%)|(?:%PROFANITY%) (?:you|u)\b",
        0.35,
    ),
    ("profanity", r"%PROFANITY%", 0.15),
    ("mention_slur", r"@user\S* (?:[^.!?]{0,60})(?:%SLUR_GENDERED%|%INSULT%)", 0.3),
    (
        "harassing_content_request",
        r"(?:write|generate|create|compose|draft|send|craft|come up with|give me)(?: me| a| an|"
        r" some)? (?:[\w']+ ){0,5}"
        r"(?:insults?|threats?|threatening|(?:mean|nasty|cruel|abusive|harassing|bullying|humiliating|"
        r"intimidating|hateful|vicious|degrading) (?:[\w']+ )?(?:messages?|texts?|comments?|notes?|emails?|"
        r"posts?|"
        r"letters?|tweets?|content|things))",
        0.6,
    ),
    (
        "bully_intent",
        r"%INTENT% (?:[\w']+ ){0,4}(?:bully|harass|intimidate|humiliate|stalk|cyberbully|torment|"
        r"terrori[sz]e|"
        r"blackmail|shame|dox+)",
        0.75,
    ),
    ("doxxing", r"dox+(?:ing|ed|x)?|doxx\w*", 0.7),
    ("stalking", r"stalk(?:ing)? (?:[\w']+ ){0,2}(?:%PERSON%|ex|crush|celebrity)", 0.55),
    (
        "personal_info",
        r"(?:someone'?s|somebody'?s|a person'?s|people'?s|(?:my|his|her|their|this|that|"
        r"a) (?:[\w']+ ){0,2}\w+'s|"
        r"his|her|their|individuals'?|family members'?) (?:[\w']+ ){0,1}(?:home |current |private |"
        r"personal |real |"
        r"exact |residential |mobile |cell |phone |email )*(?:address(?:es)?|phone numbers?|"
        r"mobile (?:phone )?numbers?|"
        r"email address(?:es)?|location|whereabouts|social security numbers?|ssn|date of birth|birth ?date|"
        r"passwords?|"
        r"login(?: details| credentials)?|credentials|bank (?:details|account)|medical (?:records|history)|"
        r"ip address|real (?:name|identity|identities)|(?:personal|private|identifying) information|"
        r"criminal record|"
        r"license plate)",
        0.55,
    ),
    (
        "find_identity",
        r"(?:find|reveal|uncover|unmask|expose)\w* (?:[\w']+ ){0,3}(?:real )?(?:identit\w+|names?) "
        r"(?:[\w']+ ){0,2}(?:behind|of (?:anonymous|pseudonym))",
        0.6,
    ),
    (
        "spy_on_person",
        r"(?:spy on|track|monitor|secretly record|hack into|read) (?:my |someone'?s |a )?(?:wife|husband|"
        r"girlfriend|"
        r"boyfriend|partner|ex|someone|employee|kids?|neighbou?r)(?:'s)? (?:phone|location|messages|texts|"
        r"whereabouts|emails|chats)",
        0.6,
    ),
    (
        "intimate_images",
        r"(?:intimate|private|nude|naked|revealing) (?:photos|pictures|images|videos|content|pics) (?:of|"
        r"from) "
        r"(?:[\w']+ ){0,2}(?:%PERSON%|ex|crush|classmate|coworker|celebrit\w+)|"
        r"find (?:[\w']+ ){0,2}intimate (?:photos|content)",
        0.6,
    ),
]

COUNTER_SPEECH_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "wrong_to_say",
        r"(?:wrong|not okay|not ok|unacceptable|disgusting|horrible|racist|sexist|hateful|bigoted|ignorant|"
        r"offensive|vile) (?:to|of you to) (?:be )?(?:say|saying|call|calling|think|claim|believe|tell|"
        r"suggest|use|"
        r"using)",
        -0.65,
    ),
    (
        "rejecting_slur",
        r"why would you (?:think|say)|how dare you|don'?t (?:you )?(?:ever )?call (?:me|people|us)|"
        r"(?:is it|it'?s) (?:okay|ok|alright) to call",
        -0.55,
    ),
    (
        "sad_to_hear",
        r"(?:hurts|sad|sickening|disgusting|awful|terrible|hate it|tired of|sick of|upsetting|"
        r"appalling) (?:[\w']+ ){0,5}"
        r"(?:saying|hearing|seeing|reading|people say|calling|claim)",
        -0.6,
    ),
    (
        "threats_punished",
        r"(?:threaten\w*|threats?|calls? to) (?:[\w']+ ){0,6}(?:will get you|gets you|should get you|"
        r"is a crime|"
        r"is illegal|are illegal|thrown in jail|in prison|arrested|banned)",
        -0.6,
    ),
    (
        "reported_speech",
        r"(?:saying|calling|claiming|telling|believing|thinking|tweeting|posting|writing|say|said|"
        r"says) (?:[\w']+ ){0,7}"
        r"(?:is|shows|makes you|says a lot|proves|just shows|only shows|reveals)\b",
        -0.55,
    ),
    (
        "punished_for_saying",
        r"(?:kicked|banned|suspended|fired|reported|removed|blocked|arrested|punished|sacked|consequences|"
        r"prison|"
        r"jail|penalt\w+)(?: \w+){0,4} for (?:saying|writing|posting|tweeting|calling|telling|threat\w*)",
        -0.7,
    ),
    ("if_you_say", r"if you(?:'re| are)? (?:telling|calling|saying|say|call|tell)", -0.45),
    (
        "misconception",
        r"(?:misconception|myth|stereotype|false|untrue|not true|a lie|wrong|racist|sexist|"
        r"bigoted) (?:to (?:say|think|"
        r"believe|claim) )?that",
        -0.55,
    ),
    (
        "food_homonym",
        r"(?:ate|eat|eating|cook\w*|fried|pan-fried|recipe|dinner|bundle of|meatballs?)[^.]{0,20}faggots?|"
        r"faggots? (?:and|with|in) (?:peas|gravy|onions?|sauce)",
        -0.7,
    ),
    (
        "quoting_someone",
        r"(?:he|she|they|someone|people|you) (?:said|says|called|calls|wrote|tweeted|keep saying)",
        -0.35,
    ),
    (
        "opposing_hate",
        r"(?:stop|against|fight|fighting|condemn\w*|oppose|report\w*|challenge|"
        r"call out) (?:[\w']+ ){0,3}(?:racism|"
        r"sexism|homophobia|transphobia|hate speech|bigotry|discrimination|antisemitism|islamophobia|hatred)",
        -0.35,
    ),
]
