"""Explicit sexual descriptions (erotica, sexting), as opposed to requests for them.

A single vulgar word is weak evidence ("cock" is a rooster, "tits" are birds, "dick" is an insult), so
the strong cues need two explicit terms close together or a sexual act aimed at a body part. Clinical
words (penis, vagina, erection) are left out of those cues so sexual-health questions stay below the
blocking threshold. These cues feed their own label, merged into `sexual` by the classifier, so the
health/education damper below weakens descriptions but never a request for content involving minors.
"""

from __future__ import annotations

_VULGAR_BODY = (
    r"cocks?|dicks?|pussy|pussies|cunts?|clit\w*|tits|titties|boobs|nipples?|shaft|asshole|butthole|boner|"
    r"hard-?on|cum|cumm\w*|jizz|semen|balls deep|(?:her|his|my|your) (?:ass|breasts?|crotch|groin|thighs|"
    r"folds|slit|hole|bulge)"
)
_SEX_ACTION = (
    r"moan\w*|thrust\w*|throbb\w*|fuck(?:ed|s|ing)? (?:her|him|me|you|them)(?! (?:up|over|off|out)\b)|"
    r"suck\w* (?:on |off )?(?:my|his|her|your)|lick\w* (?:my|his|her|your)(?! lips)|"
    r"finger(?:ed|ing|s)? (?:her|him|me|my|herself|himself|myself)|(?:rode|riding|ride) (?:him|her|his|"
    r"me|my)|came (?:inside|all over|on (?:her|his|my))|orgasm\w*|climax\w*|ejaculat\w*|squirt\w*|panties|"
    r"horny|spread (?:her|his|my|your) legs|deep ?throat\w*|blow ?jobs?|hand ?jobs?|dripping wet|"
    r"soaking wet|naked body|stroked? (?:his|her|my|your)|grind\w* (?:against|on)|porn\w*|masturbat\w+|"
    r"wank\w*|jerk(?:ing|ed|s)? off|jack(?:ing|ed|s)? off|dildos?|vibrators?|anal|cunnilingus|fellatio|"
    r"fuck\w* (?:her|his|my|your) (?:mouth|face|throat|ass|pussy|cunt|tits|brains out)|"
    r"doggy ?style|(?:have|had|having|has) sex|made love|hot (?:and )?wet|bend (?:her|me|you) over"
)
_EXPLICIT_WORD = rf"(?:{_VULGAR_BODY}|{_SEX_ACTION})"

SEXUAL_DESCRIPTION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    # Two explicit terms within a sentence or two: erotica, sexting, porn descriptions.
    ("explicit_pair", rf"{_EXPLICIT_WORD}(?![a-z0-9])[^\n]{{1,120}}?(?<![a-z0-9]){_EXPLICIT_WORD}", 0.5),
    (
        "sex_act_on_body",
        r"(?:fuck\w*|suck\w*|lick\w*|strok\w+|finger\w*|rubb?\w*|grind\w*|pound\w*|penetrat\w+|thrust\w*|"
        r"rode|rid\w+|slid\w*|push\w*|shov\w+|squeez\w+|grop\w+|fondl\w+|sprea\w+|play\w* with|kiss\w*|"
        r"bit|bite|biting|nibbl\w+|jerk\w*|tongu\w+) (?:[\w']+ ){0,4}(?:cocks?|dicks?|pussy|pussies|cunts?|"
        r"clit\w*|tits|titties|boobs|nipples?|shaft|asshole|balls|hard-?on|boner)",
        0.5,
    ),
    (
        "oral_description",
        r"(?:tongue|lips|mouth|throat)\w* (?:[\w']+ ){0,5}(?:shaft|cock|dick|clit\w*|pussy|nipples?|balls|"
        r"length|erection)|(?:took|take|taking|takes) (?:him|it|his (?:cock|dick|length|shaft)) (?:[\w']+ )"
        r"{0,3}(?:down (?:her|my|your) throat|in (?:her|my|your) mouth)",
        0.5,
    ),
    (
        "narrated_sex",
        r"(?:he|she|i|we|they) (?:[\w']+ )?(?:fucked|screwed|banged|fingered) (?:her|him|me|them|"
        r"each other)(?! (?:up|over|off|out|around|for)\b)",
        0.5,
    ),
    (
        "penetration",
        r"(?:shov|push|slid|slip|thrust|forc|stuck|stick|ramm|plung|sank|sink|buri|eas)\w* (?:his|her|my|"
        r"your|two|three) (?:[\w']+ )?(?:fingers?|cock|dick|tongue|length|shaft|member|erection) "
        r"(?:[\w']+ ){0,2}(?:inside|into|in) (?:her|him|me|my|your)",
        0.5,
    ),
    ("arousal", r"moan\w*|throbb\w*|panties|horny|aroused|climax\w*|dripping wet|soaking wet", 0.2),
]

# Medicine, sex education and biology name the same body parts without being sexual content.
NOT_EROTIC: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "health_or_education",
        r"doctors?|gyn(?:a)?ecolog\w*|urolog\w*|symptoms?|infections?|stds?|stis?|hiv|contracepti\w+|"
        r"pregnan\w+|puberty|is it normal|medical\w*|clinic|treatment|anatomy|sex education|sex ed|"
        r"breast ?feeding|breast cancer|mammogram\w*|rooster|hens?|chickens?|birds?|poultry|patients?|nurses?|"
        r"hospital|examination|physician|midwife|newborn|toddler|changing room|locker room|dressing room",
        -0.5,
    ),
]
