"""Harm told as narration in plain words: sex scenes, violence against a person, self-harm methods.

Single everyday words ("naked", "kissed", "set fire", "razor") are weak evidence, so most cues here need
two kinds of evidence within a sentence or two (a co-occurrence window): an intimate act plus a body or
arousal cue, a violent act by someone against a person plus an injury or restraint detail. Each pair
adds a moderate weight; the noisy-OR of two or three pairs crosses the blocking threshold. The sexual
and violent cues feed the statement labels, so the health/education, surgery/accident and fiction
dampers weaken them (see harm_rules.STATEMENT_LABELS).
"""

from __future__ import annotations

# Same sentence or the next one: at most this many characters between the two cues, no paragraph break.
_NEAR = r"[^\n]{1,140}?"
_NEAR_LONG = r"[^\n]{1,220}?"

# "shot him a look", "beat her at chess", "hit him up" are not violence.
_NOT_FIGURATIVE = (
    r"(?! (?:a|an|the) (?:look|glance|smile|message|text|wink|line|email|question|call)\b| (?:up|back) (?:on|"
    r"for|"
    r"with|about)\b| at (?:chess|checkers|cards|tennis|golf|pool|darts|poker|scrabble|\w+ games?)\b|"
    r" in (?:a |the )?"
    r"(?:game|race|match|chess|checkers|finals?|round|tournament|election|polls|debate|argument)\b)"
)
_PERSON_OBJ = (
    r"(?:her|him|them|me|us|each other|the (?:woman|man|girl|boy|child|kid|victim|prisoner|stranger|guy|"
    r"lady)|"
    r"(?:his|her|their|my) (?:wife|husband|girlfriend|boyfriend|mother|father|son|daughter|sister|brother|"
    r"neighbou?r|friend|baby|child|kids?|victim))"
)
_AGENT = (
    r"(?:he|she|they|i|we|(?:the|two|three|four|several|some|a group of|my|her|his) (?:[\w']+ )?(?:man|men|"
    r"gang|"
    r"guy|guys|killer|attacker|soldiers?|mob|woman|dad|stepdad|father|mother|mom|husband|boyfriend|uncle))"
)

# A hand between the legs or under underwear, a body pushed inside another: sexual on its own.
_INTIMATE_TOUCH = (
    r"(?:hand|hands|fingers?|tongue|touch\w* (?:her|him|me|myself|herself|himself)) (?:[\w']+ ){0,4}"
    r"(?:(?:between|up|along|inside) (?:her|his|my) (?:inner )?(?:legs|thighs?)|(?:under|inside|into|"
    r"down) (?:the waistband of )?(?:her|his|my) "
    r"(?:underwear|panties|bra|jeans|pants|skirt|shorts|boxers))|(?:wrapp|lock)\w* (?:her|his|my) legs "
    r"around (?:him|her|me|his|my)|(?:pushed|slid|pressed|thrust) (?:himself |herself )?(?:into|inside) "
    r"(?:her|him|me)"
)
# Undressing, intimate touch and sexual movement, in plain words.
_INTIMATE = (
    r"undress\w*|stripp?(?:ed|ing)? (?:her|him|me|each other|off|naked)|(?:naked|nude)(?! (?:eye|truth|"
    r"ambition|"
    r"aggression|flame|lie|greed|mole rats?)\b)|moan\w*|thrust\w* (?:into|inside|deeper|harder|against)|"
    r"thrusting|"
    r"arch(?:ed|ing)? (?:her|his|my) back|kiss\w* (?:[\w']+ ){0,3}down (?:her|his|my) (?:body|stomach|chest|"
    r"neck)|"
    r"(?:kiss|lick|nibbl|suck)\w* (?:on )?(?:her|his|my) (?:neck|breasts?|chest|stomach|thighs?|ear)|"
    rf"{_INTIMATE_TOUCH}|unhook\w* (?:her|my) bra|(?:pulled|took|slipped|tore|ripped) (?:off )?(?:her|his|"
    rf"my) "
    r"(?:bra|underwear|panties|boxers)|(?:pulled|took|slipped|tore|ripped) (?:off (?:her|his|my) (?:dress|"
    r"shirt|top|jeans|pants|clothes)|(?:her|his|my) (?:dress|shirt|top|jeans|pants|clothes) off)|(?:climbed|"
    r"got|lay|lying|straddl\w*) (?:on top of|"
    r"underneath|beneath) (?:her|him|me)\b|mak(?:e|ing) out|made out|(?:unzipp?|unbutton)\w* (?:my|his|"
    r"her) (?:jeans|pants|shirt|blouse|"
    r"fly|trousers|dress)|begg\w* (?:(?:me|him|her) )?(?:not to stop|for more)|"
    r"(?:fingers|hands?|lips|mouth|tongue) (?:traced|trailed|ran|roamed|wandered|explored|slid)\w* (?:down|"
    r"over|across|along|up) (?:his|her|my) (?:bare |naked )?(?:chest|body|back|stomach|thighs?|skin|breasts?|"
    r"hips)|"
    r"(?:felt|feel|feeling) (?:him|her|his \w+|it) (?:harden|throb|grow hard|get hard|get wet)\w*|"
    r"bent (?:her|him|me) over|(?:lifted|hiked|pushed|pulled) (?:up )?(?:her|my) (?:skirt|dress|nightgown)|"
    r"(?:pulled|pushed|threw|laid|lay|carried) (?:me|her|him) (?:onto|on|down on|to) (?:the|his|her|my) bed|"
    r"(?:grind|rock|rode|ride|riding)\w* (?:her hips|against (?:him|her|me))"
)
# Bodies, heat and arousal that make the above sexual rather than practical.
_AROUSAL = (
    r"(?:her|his|my|their) (?:naked |bare |hard |soft |warm )?(?:body|bodies|breasts?|nipples|thighs|hips|"
    r"lips|skin|waist|chest|stomach|neck)|wet|hard(?:ness)?|arous\w+|desire|lust|pleasure|gasp\w*|"
    r"breath(?:ing)? (?:quicken\w*|hitch\w*|ragged|heavy)|shiver\w*|shudder\w*|bed|sheets|kiss\w*|"
    r"moan\w*|(?:don'?t|not to|never) stop|bit (?:her|his|my) lip|want(?:ed)? (?:you|him|her|"
    r"me)(?: so (?:bad|much))?\b"
)

NARRATED_SEX_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("intimate_touch", _INTIMATE_TOUCH, 0.3),
    ("intimate_pair", rf"(?:{_INTIMATE})(?![a-z0-9]){_NEAR_LONG}(?<![a-z0-9])(?:{_INTIMATE})", 0.5),
    (
        "intimate_with_arousal",
        rf"(?:{_INTIMATE})(?![a-z0-9]){_NEAR}(?<![a-z0-9])(?:{_AROUSAL})|"
        rf"(?:{_AROUSAL})(?![a-z0-9]){_NEAR}(?<![a-z0-9])(?:{_INTIMATE})",
        0.35,
    ),
]

_VIOLENT_PAST = (
    r"(?:stabbed|slashed|strangled|choked|throttled|smothered|suffocated|drowned|beat|beaten|bludgeoned|"
    r"kicked|stomped|punched|hit|clubbed|whipped|tortured|raped|kidnapped|abducted|grabbed|dragged|shot|"
    r"poisoned|executed|lynched|hanged|"
    r"murdered|killed|burned|burnt|doused|strangling|stabbing|beating|torturing|raping)"
)
_INJURY = (
    r"blood\w*|bleed\w*|bled|scream\w*|begg\w*|plead\w*|sob\w*|unconscious|stopped (?:moving|breathing)|"
    r"went limp|burn(?:ed|t) to death|tied (?:her|him|them) (?:up|to (?:a|the) \w+)|bodies|corpses|"
    r"one by one|in cold blood|point[- ]blank|watched (?:her|him|them) die|(?:skull|bones?|ribs?|jaw|nose|"
    r"teeth|arm|leg|neck) (?:[\w']+ )?(?:crack\w*|broke\w*|"
    r"snapp\w*|shatter\w*)|(?:broke|broken|cracked|shattered) (?:[\w']+ ){0,2}(?:skull|bones?|ribs?|jaw|"
    r"nose|teeth|neck)|bruis\w*|wounds?|alive|dead|died|dying|corpse|body|tied (?:her|him|them) up|"
    r"(?:chained|gagged|bound|tied) (?:her|him|them)|in the (?:trunk|van|basement|woods)|for (?:hours|days)|"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozens of) times|"
    r"against her will|(?:knife|hammer|bat|pipe|pipes|crowbar|brick|cord|rope|belt|machete|axe)s?"
)

NARRATED_VIOLENCE_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    # Someone did it to a person: active voice with a named agent, so passive news wording stays weak.
    (
        "agent_act_on_person",
        rf"{_AGENT} (?:[\w']+ ){{0,5}}{_VIOLENT_PAST} {_PERSON_OBJ}\b{_NOT_FIGURATIVE}",
        0.3,
        True,
    ),
    (
        "act_until_injury",
        rf"{_VIOLENT_PAST} {_PERSON_OBJ}\b[^.!?\n]{{0,40}} until (?:i|he|she|they|we|it)(?: was| were)? "
        r"(?:bleeding|bled|unconscious|passed out|blacked out|stopped|died|could(?:n'?t| not)|begged)",
        0.3,
    ),
    (
        "violent_act_with_injury",
        rf"{_VIOLENT_PAST} {_PERSON_OBJ}\b{_NOT_FIGURATIVE}{_NEAR}(?<![a-z0-9])(?:{_INJURY})(?![a-z0-9])",
        0.35,
        True,
    ),
    (
        "set_person_on_fire",
        rf"set (?:{_PERSON_OBJ}|(?:him|her|them|it)self) (?:on fire|ablaze|alight)|"
        rf"set fire to {_PERSON_OBJ}\b|"
        rf"(?:doused|poured|soaked|splashed) (?:[\w']+ ){{0,3}}(?:gasoline|petrol|kerosene|lighter fluid|"
        rf"fuel|acid) (?:over|on|onto|in) {_PERSON_OBJ}|(?:doused|soaked) {_PERSON_OBJ} (?:in|with) "
        rf"(?:gasoline|petrol|kerosene|lighter fluid|fuel)|burn(?:ed|t|ing)? (?:{_PERSON_OBJ}|it) alive|"
        rf"(?:threw|throwing|splashed) acid (?:in|on|at) (?:her|his|their) face|(?:lighter|match|flame|"
        rf"torch) "
        rf"to (?:the \w+'s|his|her|their) (?:hair|face|skin|clothes)|set (?:[\w']+ ){{0,3}}on fire (?:while|"
        rf"with) (?:she|he|they|her|him|them)(?: (?:was|were))? (?:still )?inside",
        0.55,
        True,
    ),
    (
        "weapon_to_body",
        r"(?:took|taking|take|went at) (?:a|the|his|her) (?:hammer|knife|bat|baseball bat|crowbar|machete|"
        r"axe|"
        r"blowtorch|pipe|razor|blade) to (?:his|her|their|the \w+'s|the victim'?s) (?:knees?|legs?|face|head|"
        r"hands?|fingers|feet|skull|teeth|back|throat|chest|ribs)",
        0.5,
        True,
    ),
    (
        "rape_narration",
        rf"{_AGENT} (?:[\w']+ ){{0,3}}(?:raped|sexually assaulted|forced himself on|"
        rf"molested) {_PERSON_OBJ}\b|"
        rf"took turns (?:with|on|raping) {_PERSON_OBJ}\b|held (?:her|him) down (?:and|"
        rf"while) (?:[\w']+ ){{0,3}}"
        r"(?:raped|took turns|forced|ripped|tore)",
        0.35,
        True,
    ),
]

# Statements that a method was used on oneself, in the past or now, and oblique wishes to die.
SELF_HARM_NARRATION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "blade_to_body",
        r"(?:took|take|taking|put|held|hold|holding|pressed|press) (?:a |the |my )?(?:razor|blade|knife|"
        r"box cutter|scissors|lighter|cigarette)(?: blade)? (?:to|against|on|into) my (?:wrists?|arms?|"
        r"forearms?|thighs?|skin|stomach|hips?|throat)",
        0.7,
    ),
    (
        "hurt_own_body",
        r"(?:cut|cutting|sliced|slicing|burn(?:ed|t|ing)?|carv\w+|scratch\w*) (?:open )?my (?:own )?"
        r"(?:wrists?|arms?|forearms?|thighs?|skin|stomach|hips?) (?:[\w']+ ){0,3}(?:with a (?:lighter|razor|"
        r"blade|knife|cigarette|compass|pencil sharpener)|on purpose|(?:because|cause|since) i (?:deserve|"
        r"needed|wanted|hate)|until (?:it|they) bled|to (?:feel|punish|stop))",
        0.7,
    ),
    (
        "overdose_act",
        r"(?:i|i've|ive|i have|i had) (?:[\w']+ )?(?:overdosed|od'?d|o\.d\.'?d)|(?:my|i made a|after my) "
        r"(?:last |first |second |third )?(?:suicide attempt|overdose)|i (?:tried|"
        r"attempted) to (?:kill myself|"
        r"end (?:it|my life)|overdose|hang myself)|i (?:attempted|tried) suicide",
        0.7,
    ),
    (
        "swallowed_pills",
        r"(?:i|i've|ive|i have|i just) (?:[\w']+ )?(?:swallowed|took|downed|taken) (?:[1-9]\d+|ten|twenty|"
        r"thirty|forty|"
        r"fifty|a (?:whole |full )?(?:bottle|handful|box|pack) of|all (?:of )?(?:my|the)) "
        r"(?:(?!mg|ml|mcg|g|milligrams?|grams?)[\w']+ ){0,2}(?:pills|"
        r"tablets|sleeping pills|painkillers|meds|paracetamol|tylenol|ibuprofen)(?! (?:a|per|each|every) day|"
        r"(?:today|this morning|tonight|on time|as prescribed)\b)",
        0.6,
    ),
    (
        "self_injury_until_bleeding",
        r"(?:i|i've|ive|i keep|i kept) (?:been )?(?:hitting|hit|banging|banged|slamming|slammed|punching|"
        r"punched|scratching|scratched|picking|biting|bit) (?:my|myself)\b[^.!?\n]{0,40}until (?:it|they|i)"
        r"(?: was| were| start(?:ed)?)? (?:bleeds?|bled|bleeding|bruised|black and blue)",
        0.6,
    ),
    (
        "goodbye_preparations",
        r"(?:wrote|written|writing|write|leaving|left) (?:my |a |the )?suicide (?:letters?|notes?)|(?:wrote|"
        r"written|writing|write|leaving|left) (?:my |a |the )?goodbye (?:letters?|notes?) (?:to|"
        r"for) (?:everyone|"
        r"everybody|my (?:family|parents|kids|children|wife|husband|mom|mum|dad|sister|brother))|(?:want|"
        r"wanna|going) to (?:just )?(?:disappear|vanish) (?:forever|and never "
        r"(?:come back|be found|return))|(?:don'?t|do not|can'?t) see (?:the|any) point (?:of|"
        r"in) (?:anything|"
        r"living|life|going on|being alive)",
        0.55,
    ),
    (
        "never_wake_up",
        r"(?:want|wanna|wish|hope|pray)\w* (?:[\w']+ ){0,6}(?:never|not|wouldn'?t|won'?t) (?:to )?wake (?:up|"
        r"again)|(?:go to sleep|fall asleep) (?:and|forever and) never wake up",
        0.7,
    ),
    (
        "suicidal_thoughts",
        r"(?:i|i'm|im|i am|i've|ive|i have|i keep|i can'?t stop)\b[^.!?]{0,25}(?:thinking|think|thought|"
        r"dreaming|fantasi[sz]ing) (?:a lot |so much |constantly |every day )?(?:about|of) (?:killing myself|"
        r"ending (?:it|it all|my life|things)|suicide|cutting (?:again|myself)|not being (?:here|alive))|"
        r"how easy it would be to (?:just )?(?:die|end it|jump|press down|"
        r"let go|cut deeper|slit|pull the trigger|step off)",
        0.6,
    ),
]
