"""Violence written as statements rather than requests: first-person threats and graphic descriptions.

A threat needs a speaker who commits to an act ("I'm going to", "we will") and a victim ("you", "him",
"your family"); menacing phrases ("I know where you live", "you're dead") add up. Descriptions need a
violent act plus a graphic detail (to death, repeatedly, blood everywhere, body parts cut off), so news
that someone "was shot" stays below the blocking threshold while gore passes it. These cues feed their
own label, merged into `violence` by the classifier, so the surgery/accident damper only weakens them.
"""

from __future__ import annotations

# "i'm going to", "im gonna", "we will", "i'll", "imma"; a few non-negated words may follow.
_ADVERBS = r"(?:(?:really|seriously|literally|finally|definitely|totally|fucking|just|actually|honestly|so) )*"
_FIRST_FUTURE = (
    rf"(?:(?:i|we)(?:'m| am|m|'re| are|re)? {_ADVERBS}(?:going to|gonna|about to|finna|fixing to)|"
    r"(?:i|we)(?:'ll| will| shall|'d love to| would love to| want to| wanna)|imma|i'?mma|ima)"
)
_THREAT_ACT = (
    r"(?:kill|murder|stab|shoot|strangle|choke|slit|gut|skin|beat|punch|kick|smash|bash|break|burn|hang|"
    r"drown|bury|rape|hurt|torture|cave|slap|cut|chop|behead|decapitate|dismember|butcher|slaughter|execute|"
    r"blow up|fuck up|mess up|beat (?:the )?(?:shit|crap|hell|fuck|life|living daylights) out of|"
    r"hunt down|track down|run over|set fire to|torch|poison|lynch|castrate|snap)"
)
_BODY_OR_KIN = (
    r"(?:face|head|skull|neck|throat|legs?|arms?|jaw|teeth|nose|ribs?|bones?|body|kneecaps?|spine|fingers?|"
    r"hands?|eyes?|guts|ass|brains?|family|kids?|children|wife|husband|girlfriend|boyfriend|mom|mother|dad|"
    r"father|sister|brother|dog|cat|house|home|car|friends)"
)
# Not "beat you at chess", "hit you up", "shoot you a message", "kick you out of the group".
_NOT_FIGURATIVE = (
    r"(?! (?:up|out|off|back|over|down|at|to it|to the|there|some|slack|loose|short|in on|an?|heart|feelings|"
    r"ego|pride|spirit|record|chances?|career|reputation|streak|news)\b| in (?:a |the )?(?:game|race|match|"
    r"chess|court|finals?|tournament|round|rematch|league|playoffs)\b)"
)
_VICTIM = (
    rf"(?:(?:you|u|ya|y'all|him|her|them)\b{_NOT_FIGURATIVE}|(?:your|ur|his|her|their) (?:fucking |whole |"
    rf"little |stupid |entire |[\w']+ )?{_BODY_OR_KIN}|every (?:last )?one of (?:you|them))"
)

THREAT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("first_person_threat", rf"{_FIRST_FUTURE} %FILL%{_THREAT_ACT} {_VICTIM}", 0.8),
    (
        "lethal_promise",
        r"(?:put|putting) (?:a |one |two |some )?(?:bullets?|slugs?|rounds?|knife|blade) (?:in|into|through|"
        r"between) (?:your|his|her|their|ur) (?:[\w']+ )?(?:head|brain|skull|face|chest|heart|eyes?|back|ribs)|"
        r"(?:put|putting) (?:you|him|her|them) in (?:the|a|an) (?:ground|grave|hospital|wheelchair|coffin|"
        r"body bag|early grave)|blow (?:your|his|her|their|ur) (?:fucking )?(?:brains|head|face) (?:out|off)|"
        r"every bone in (?:your|his|her|their|ur) body",
        0.75,
    ),
    (
        "menacing_promise",
        r"you(?:'re| are|re| r) (?:so |fucking |a )?dead(?: meat| man| woman)?(?! (?:to me|wrong|tired|set|"
        r"serious|last|inside|on|end|battery|ass))|your days are numbered|you(?:'ll| will) (?:pay for "
        r"(?:this|that|it)|regret (?:this|it|the day)|never see (?:it|me|us) coming|wish you (?:were|was) "
        r"dead|be next|be sorry)|watch your (?:back|step)|sleep with one eye open|"
        r"(?:won'?t|will not) (?:live|survive) (?:to see|the night|through)",
        0.45,
    ),
    (
        "stalking_threat",
        r"(?:i|we) know where (?:you|your \w+) (?:live|lives|sleep|sleeps|work|works|go to school|goes to "
        r"school)|(?:i|we)(?:'ll| will|'re going to| are going to|'m going to| am going to) make (?:you|him|her|"
        r"them) (?:regret|pay|suffer|bleed|beg)|(?:i'm|i am|im|we're|we are) coming "
        r"(?:for|after) (?:you|him|her|them|your)|(?:i|we)(?:'ll| will) (?:find|hunt|track) (?:you|him|her|"
        r"them)(?: down)?\b(?! (?:a|an|some|the|something|someone|one)\b)",
        0.5,
    ),
    (
        "harm_wish",
        r"(?:he|she|they|you|him|her|them|this (?:guy|man|woman|bitch|bastard)|that (?:guy|man|woman|bitch|"
        r"bastard)|people like (?:him|her|you|that)) (?:deserves?|should|needs? to|ought to|must) (?:be )?"
        r"(?:die|get (?:shot|killed|stabbed|hanged|raped|beaten)|be (?:shot|killed|stabbed|hanged|hung|"
        r"lynched|raped|beaten|tortured|burned|executed|put down)|rot in hell)|"
        r"(?:i hope|hopefully) (?:he|she|they|that \w+) (?:dies|die|gets? (?:shot|killed|stabbed|raped|hit by)|"
        r"burns?|rots?|suffers?)|someone (?:should|needs to|ought to) (?:shoot|kill|stab|hang|beat|strangle|"
        r"murder) (?:him|her|them|that)",
        0.6,
        True,
    ),
    (
        "graphic_act",
        r"(?:stabbed|shot|slashed|strangled|choked|beat|beaten|bludgeoned|hacked|butchered|slaughtered|"
        r"tortured|mutilated|dismembered|decapitated|beheaded|disembowell?ed|gutted|skinned|burned|burnt|"
        r"raped|executed|murdered|impaled|crushed|stomped|kicked|punched|bashed|clubbed|whipped|flayed|"
        r"strangling|stabbing|beating|hacking|slashing|kicking|punching|stomping|hitting|bashing|smashing|"
        r"clubbing|whipping) (?:[\w']+ ){0,3}(?:to death|again and again|over and over|repeatedly|\d+ times|"
        r"(?:dozens|hundreds) of times|until [^.!?]{0,40}(?:died|dead|stopped (?:moving|breathing)|"
        r"unrecogni[sz]able|pulp|bloody mess|went limp|passed out|bled out|couldn'?t (?:move|breathe|stand))|"
        r"alive|to a (?:bloody )?pulp|senseless|bloody|in the (?:face|head|throat|neck|"
        r"chest|stomach|gut|eyes?|groin|skull|back of the head))",
        0.45,
        True,
    ),
    (
        "gore",
        r"(?:blood|brains?|brain matter|guts|intestines|entrails|innards|bowels|viscera|gore|bits of "
        r"(?:flesh|skull|bone)) (?:[\w']+ ){0,3}(?:splatter\w*|spatter\w*|spray\w*|gush\w*|spurt\w*|pool\w*|"
        r"soak\w*|spill\w*|ooz\w*|everywhere|all over|across the|squirt\w*|spew\w*)|(?:splatter\w*|"
        r"spattered|sprayed|soaked|drenched|caked|slick|dripping) (?:[\w']+ ){0,2}(?:in|with) "
        r"(?:[\w']+ ){0,2}(?:blood|gore|guts|brains)|(?:pool|puddle|river|fountain|spray) of (?:blood|gore)|"
        r"blood-?(?:soaked|spattered|splattered|drenched)",
        0.4,
    ),
    (
        "viscera",
        r"entrails|intestines|innards|brain matter|(?:its|his|her|their) (?:guts|brains) (?:on|over|across|"
        r"all over|out|spill\w*|hanging|splatter\w*)",
        0.3,
    ),
    (
        "mutilation",
        r"(?:gouge[ds]?|gouging|rip(?:ped|ping|s)?|tear(?:ing|s)?|tore|cut(?:ting|s)?|chop(?:ped|ping|s)?|"
        r"hack(?:ed|ing|s)?|saw(?:ed|ing|s)?|slic(?:e|ed|ing|es)|pluck(?:ed|ing|s)?|carv(?:e|ed|ing|es)) "
        r"(?:out |off |open )?(?:his|her|their|your|its|the (?:victim|prisoner|man|woman|girl|boy|child|guy)"
        r"'?s?) (?:[\w']+ )?(?:eyes|eyeballs?|fingers|toes|fingernails|ears?|nose|tongue|heart|throat|guts|"
        r"intestines|entrails|genitals|testicles|breasts?|nipples?|scalp|limbs|head)(?: (?:out|off|open))?|"
        r"(?:snap(?:ped|ping|s)?|crush(?:ed|ing|es)?|cav(?:e|ed|ing) in|bash(?:ed|ing)? in|"
        r"smash(?:ed|ing)? in|crack(?:ed|ing)? open) (?:his|her|their|your|its) (?:[\w']+ )?(?:neck|skull|"
        r"spine|head|face|windpipe|ribcage)|(?:skull|head) (?:[\w']+ )?(?:cracked|caved|split|shattered|"
        r"exploded) (?:open|in|apart)|(?:blew|blown|blowing) (?:[\w']+ ){0,4}(?:skull|head|brains|face) "
        r"(?:open|off|out|apart)",
        0.55,
        True,
    ),
]

# Injuries in surgery, first aid and accidents are not violence.
NOT_VIOLENT: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "medical_or_accident",
        r"accident(?:al|ally)?|by mistake|surgeon|surgery|surgical|dentist|first aid|veterinar\w+|"
        r"emergency room|paramedics?",
        -0.5,
    ),
]
