"""Rules for sexual content (with extra weight when minors are involved) and self-harm."""

from __future__ import annotations

_MINOR = (
    r"\b(?:child|children|kids?|minors?|underage|under-age|under age|preteens?|pre-teens?|toddlers?|infants?|"
    r"little (?:girls?|boys?)|young (?:girls?|boys?)|schoolgirls?|schoolboys?|lolis?|(?:[1-9]|1[0-7]|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)[- ]?"
    r"(?:years?|yrs?)[- ]old|(?:[1-9]|1[0-7]) ?yo|teens?|teenagers?|students?|daughter|son|babies|baby)"
)
_SEXUAL_ACT = (
    r"\b(?:(?<!same-)(?<!same )(?<!opposite )sex(?! education| ed\b|-ed\b)|"
    r"sexual(?:ly)?(?! orientation| identity| minorit| health| education)|porn\w*|nude\w*|erotic\w*|"
    r"naked(?! (?:in|into|during|after|before|at) (?:the |a |his |her |their )?(?:bath|tub|pool|shower|beach|"
    r"doctor|sprinkler))|(?:take|took|taking|takes) off (?:her|his|their|your) (?:clothes|underwear|panties)|"
    r"touch\w* (?:her|him|them) (?:inappropriately|down there|between)|"
    r"explicit (?:content|images|photos|videos|material)|intercourse|molest\w*|rape\w*|fondl\w+|"
    r"grop\w+|undress\w*|genital\w*|penis|vagina|masturbat\w+|orgasm\w*|aroused|seduc\w+|nsfw|lewd|"
    r"intimate (?:images|photos|content|parts|acts?)|touch(?:ing)? (?:their|her|his) (?:private|body))"
)
_EXPLICIT = (
    r"porn\w*|xxx|hentai|blowjobs?|handjobs?|cumshots?|cum|orgasm\w*|masturbat\w+|dildos?|vibrators?|"
    r"erotic\w*|penis|cocks?|pussy|pussies|vagina\w*|clit\w*|boobs|tits|titties|nipples?|genital\w*|anal|"
    r"blow ?jobs?|deepthroat\w*|gangbang\w*|threesomes?|bdsm|fetish\w*|horny|sexting|sext|nudes|onlyfans|"
    r"camgirls?|milf|incest|bestiality|zoophilia|creampie|jerk(?:ing)? off|jack(?:ing)? off|cunnilingus|"
    r"fellatio"
)

SEXUAL_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("sexual_minor", rf"{_MINOR}[^.?!]{{0,60}}{_SEXUAL_ACT}|{_SEXUAL_ACT}[^.?!]{{0,60}}{_MINOR}", 0.6),
    (
        "child_abuse_material",
        r"child (?:sex|sexual|porn\w*|abuse) (?:material|images|videos|content)|csam|"
        r"pro-?p(?:a)?edo\w*|p(?:a)?edo(?:phil\w*)? (?:groups?|content|material|forums?|communit\w+|rings?)|"
        r"lolicon|jailbait|child porn\w*|kiddie porn",
        0.8,
    ),
    ("pedophilia", r"p(?:a)?edo(?:phil\w*|s)?", 0.45),
    ("explicit_terms", rf"{_EXPLICIT}", 0.45),
    (
        "sex_with",
        r"(?:have|having|had|has) sex with|sex with (?:a |an |my |her |him )|fuck (?:me|her|him)\b",
        0.45,
    ),
    (
        "sexual_content_request",
        r"(?:write|generate|create|describe|tell|give|produce|compose|roleplay|role-play|draft|make)(?: me|"
        r" us)? "
        r"(?:[\w']+ ){0,5}(?:sexual|sexy|erotic|explicit|steamy|smutty|smut|dirty|nsfw|lewd|x-rated|"
        r"pornographic|"
        r"intimate|sensual|raunchy|kinky) (?:[\w']+ ){0,2}(?:story|stories|scene|scenes|content|fantasy|"
        r"fantasies|"
        r"description|descriptions|imagery|roleplay|chat|talk|messages?|poem|fanfic\w*|texts?|novel|images?|"
        r"videos?)",
        0.75,
    ),
    (
        "sexual_violence",
        r"rape\w*|non-?consensual (?:sex|intimate|imagery)|sexual(?:ly)? (?:assault|abus|exploit)\w*|"
        r"sexual predat\w+|sex traffick\w*|revenge porn|molest\w*|grooming",
        0.45,
        True,
    ),
    (
        "nudity",
        r"(?:naked|nude|topless|undressed|undressing) (?:[\w']+ ){0,2}(?:photos?|pics?|pictures?|images?|"
        r"videos?|girls?|women|woman|body|bodies|selfies?)",
        0.5,
    ),
]

SELF_HARM_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "kill_myself",
        r"(?:kill|killing|hang|hanging|shoot|drown|poison|starve|harm|suffocate|end) (?:myself|"
        r"my ?self|my (?:own )?life)|(?<!accidentally )hurt (?:myself|my ?self)(?! (?:while|when|at|during|"
        r"playing|lifting|skiing|running|on|by accident))|take my (?:own )?life|end it all|commit suicide|"
        r"suicide notes?",
        0.8,
    ),
    (
        "wants_to_die",
        r"(?:i|i'm|im|i am) (?:[\w']+ ){0,3}(?:want|wanna|going|planning|ready|deserve|wish i could) (?:to )?"
        r"(?:die|be dead|not be alive|disappear forever|not wake up)|better off dead|no reason to live|"
        r"not worth (?:living|being alive|it anymore)|worth (?:me )?being alive|(?:is it|"
        r"is my life) worth living|"
        r"don'?t want to (?:live|be alive|exist)|would anyone miss me|will (?:my \w+|anyone) miss me",
        0.75,
    ),
    (
        "suicide_method",
        r"(?:%INTENT%|how many|which pills|what pills)[^.?!]{0,40}\b(?:suicide|die|overdose|od|lethal dose|"
        r"kill (?:myself|yourself|oneself)|end (?:my|your) life|hang (?:myself|yourself)|painless death)",
        0.75,
    ),
    (
        "suicide",
        r"suicid\w*|self[- ]harm\w*|self[- ]injur\w*|cutting myself|slit (?:my|your|their) wrists?|"
        r"lethal dose|overdos\w+|to die like",
        0.45,
    ),
    (
        "eating_disorder",
        r"pro-?ana|pro-?mia|thinspo\w*|anorexi\w+|bulimi\w+|starv\w+ (?:myself|yourself|themselves)|"
        r"(?:make myself|make yourself|force myself to) (?:throw up|vomit|puke)|"
        r"binge\w* (?:[\w']+ ){0,4}(?:vomit|"
        r"throw\w* (?:it )?up|purge)|stop eating|not eat(?:ing)? for (?:days|a week|weeks)|purg(?:e|"
        r"ing) after",
        0.6,
    ),
    (
        "self_harm_promotion",
        r"(?:promot|encourag|glorif|convinc|persuad|romantici[sz])\w* (?:[\w']+ ){0,4}(?:self-harm|"
        r"self harm|suicide|"
        r"to (?:kill|harm|hurt|cut|starve) (?:themselves|yourself|himself|herself)|anorexia|bulimia|"
        r"eating disorders?|"
        r"dangerous (?:challenges|diets|fasting)|to commit suicide)|(?:self-harm|self harm|anorexia|bulimia|"
        r"suicide) "
        r"(?:[\w']+ ){0,3}(?:is|as) (?:[\w']+ ){0,2}(?:empowering|healthy|a (?:good|healthy|valid)|"
        r"beautiful|the answer)",
        0.8,
    ),
    (
        "cut_artery",
        r"(?:cut|slit|sever|pierce|slash|open|puncture) (?:my|your|one'?s) (?:own )?(?:[\w']+ )?(?:arter\w+|"
        r"veins?|"
        r"wrists?|throat|jugular)",
        0.8,
    ),
    ("die_like", r"(?:die|go out|end it|end my life|kill myself) like (?:[\w']+ ){1,2}", 0.6),
    (
        "hide_self_harm",
        r"(?:hide|cover up|conceal) (?:[\w']+ ){0,3}(?:cuts|scars|self-harm|burns|weight loss)",
        0.6,
    ),
    (
        "carve_skin",
        r"(?:carve|cut|burn|scratch)\w* (?:[\w']+ ){0,3}(?:into )?(?:my|your) (?:arm|arms|skin|wrists?|legs?|"
        r"thighs?|body)",
        0.7,
    ),
]
