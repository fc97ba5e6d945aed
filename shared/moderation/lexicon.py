"""Word lists shared by the harm rules, written as regex alternations over normalised text.

Rules refer to them as %NAME% (see rules.expand). Keep entries lower-case.
"""

from __future__ import annotations


def alt(*parts: str) -> str:
    return "|".join(parts)


# Protected or frequently targeted groups (ethnicity, religion, nationality, gender, sexuality, disability).
_PEOPLE = (
    r"(?:people|persons?|folks?|men|women|guys|kids|children|americans|lives|immigrants|families|"
    r"community)"
)
GROUP = alt(
    rf"(?:black|white|brown|asian|chinese|japanese|korean|indian|arab|muslim|jewish|gay|lesbian|"
    rf"bisexual|"
    rf"queer|trans|transgender|disabled|handicapped|autistic|mexican|latino|latina|hispanic|african|"
    rf"middle eastern|native|indigenous|immigrant|refugee|foreign|christian|catholic|hindu|sikh|"
    rf"homosexual|retarded|mentally ill|deaf|blind|old|elderly|fat|poor|roma|gypsy) {_PEOPLE}",
    r"blacks|whites|asians|chinks?|jews?|muslims?|moslems?|islam|arabs?|middle easterners?|gays|"
    r"lesbians?",
    r"bisexuals|queers|homosexuals?|homosexuality|trans(?:gender)?s|transsexuals?|lgbtq?\+?|lgbtqia\+?",
    r"immigrants?|migrants?|refugees|illegals|illegal aliens|aliens|foreigners|asylum seekers",
    r"the disabled|disabled|cripples?|the handicapped|people with (?:disabilities|mental illness\w*|"
    r"autism)",
    r"mexicans?|latinos?|latinas?|latinx|hispanics?|asian americans?|native americans?|indians|"
    r"africans?",
    r"gypsies|christians|catholics|hindus|sikhs|feminists?|women|woman|females?|girls|wives|ladies",
    r"africans? americans?|african-americans?|negroes|chinese|koreans|japanese|pakistanis?|somalis?",
    r"(?:those|these|you|all) (?:people|animals|creatures)|your kind|their kind|that kind",
    r"(?:those|these) kinds? of (?:[\w']+ )?(?:people|muslims|women|immigrants|jews|gays)",
    r"the mentally (?:ill|disabled|retarded)|the retarded|(?:religious|ethnic|racial|"
    r"sexual) minorit(?:y|ies)",
    r"minorities|minority groups|buddhists|atheists|mormons|jehovah'?s witnesses|bi people|"
    r"nonbinary people",
)

GROUP = rf"(?:{GROUP})(?: like (?:you|them|him|her|that|this|yourself|yourselves))?"

# Ordinary people as the target of an act: "someone", "my neighbour", "a child", "him".
PERSON = alt(
    r"someone|somebody|anyone|anybody|everyone|a person|people|persons|humans?|a human being|a man|"
    r"a woman",
    r"a (?:kid|child|baby|girl|boy|teenager|student|stranger|cop|police officer|politician|judge|"
    r"witness)",
    r"men|women|children|kids|babies|students|strangers|civilians|crowds?|cops|police officers|"
    r"politicians",
    r"him|her|them|you|(?:my|his|her|their|our|the|a) "
    r"(?:wife|husband|girlfriend|boyfriend|ex|ex-\w+|partner|boss|manager|neighbou?rs?|teachers?|"
    r"classmates?|"
    r"co-?workers?|colleagues?|parents?|mother|father|mom|mum|dad|sister|brother|son|daughter|family|"
    r"roommate|friends?|landlord|students?|grandmother|grandfather|grandma|grandpa|uncle|aunt|cousin|"
    r"baby|"
    r"child|kids?|enemy|rival|victim|president|senator|mayor|governor|prime minister|guard|officer)",
    r"the (?:man|woman|guy|girl|kid|boy|person|people|lady|men|women|baby|child|children)(?: who|"
    r" that)?",
    r"(?:a |the |my )?(?:human|humans|human being|dead body|body|corpse|toddler|spouse|tinder date|"
    r"date|cop|"
    r"ex)",
    r"(?:people|person|someone) (?:i|you) (?:don'?t|do not|hate|dislike)",
    r"(?:political|public) figures?|(?:the|a) (?:president|king|queen|senator|mayor|governor|leader)",
    r"\w+'s? (?:head|face|neck|throat|spine|sternum|skull|kidneys?|ribs?|legs?|arms?|eyes?|heart)",
)

# The asker wants to do it or wants instructions: separates requests from questions about history or fiction.
INTENT = alt(
    r"how (?:do|can|could|would|should|might|to|will) (?:i|we|one|you|u|someone)?",
    r"how to|ways? (?:to|of)|(?:strategy|strategies|plan|tips|tricks|process|procedure|steps) (?:for|"
    r"to|of)|"
    r"methods? (?:to|of|for)|(?:the )?best (?:way|method|place|time)s? (?:to|of|for)",
    r"(?:easiest|quickest|fastest|most effective|simplest|cheapest|safest) (?:way|method)s? (?:to|of|"
    r"for)",
    r"(?:tell|show|teach|explain to|help|instruct|guide) (?:me|us)",
    r"(?:give|provide|write|list|describe|create|generate|detail)(?: me| us)?(?: with)?(?: a| an| the|"
    r" some)?"
    r"(?: detailed| specific| clear| step-by-step| step by step| complete| full)* "
    r"(?:instructions|steps|guide|tutorial|plan|recipe|method|tips|advice|ways|script|code|list)",
    r"(?:i|we) (?:want|need|plan|intend|am going|'m going|am gonna|'m gonna|wanna|gonna|will|'ll|"
    r"would like) to",
    r"i(?:'m| am) (?:going|planning|about) to|i(?:'ll| will)|let'?s|where (?:can|could|do|"
    r"should) (?:i|we|"
    r"one)",
    r"what (?:is|are|'s) (?:a )?(?:good|the best|some|an effective) (?:way|ways|place|method)s?",
    r"step[- ]by[- ]step|without (?:getting|being) caught|undetected|without (?:anyone|"
    r"them) (?:knowing|"
    r"noticing)",
    r"can you (?:help|tell|show|explain|teach|give)|is it (?:okay|ok|fine|possible) (?:for me )?to|"
    r"should i",
)

SLUR_STRONG = alt(
    r"nigg(?:er|ah|uh|az?|ers|ahs)|nigglets?|negroids?|jigaboos?|porch monkeys?",
    r"fagg?(?:ot|it|s)?s?|fags|tranny|trannies|shemales?",
    r"spics?|spicks?|wetbacks?|beaners?|chinks?|gooks?|kikes?|hymies?|ragheads?|towelheads?|"
    r"sand niggers?",
    r"muzzies?|muzzys?|mozzies|zipperheads?|pakis?|wogs?|gyppos?",
)
SLUR_MILD = alt(
    r"niggas|nigs?|coons?|homos?|savages|retards?|retarded|mongoloids?|spazz?(?:es|ies)?",
    r"cripples?(?! (?:our|the|their|his|her|its|your|an?|any|my)\b)|white trash|trailer trash|"
    r"ghetto trash",
)
# Words that fill the gap between a group and what is said about it; never a negation.
FILL = (
    r"(?:(?!(?:not|never|no|hardly|rarely|less|nothing like|dont|cant|wont|arent|isnt|doesnt|cannot)\b|"
    r"\w+n't\b)[\w']+ ){0,3}"
)
# The same, for the gap between a request ("how do i") and the act; up to five words.
FILL5 = FILL.replace("{0,3}", "{0,5}")
# Up to ten plain words: no negation and no reporting ("seen as", "called") between a group and a slur.
PLAIN_GAP = (
    r"(?:(?!(?:not|never|no|nothing|opposite|seen|perceived|treated|called|labell?ed|stereotyped|considered|"
    r"viewed|portrayed|depicted|misconception|myth|claims?|notion|idea|narratives?|stop|against)\b|\w+n't\b)"
    r"[\w'-]+,? ){0,10}"
)
POSITIVE = alt(
    r"valuable|productive|useful|intelligent|smart|clever|capable|competent|trustworthy|trusted|honest",
    r"be trusted|fit in|integrate|belong|contribute|think|learn|work hard|be equal",
    r"good|decent|normal|human|humans|people|equal|equals|welcome|wanted|needed|worthy|important",
    r"worth (?:anything|shit|a damn|it)",
    r"real (?:women|men|people|americans|citizens)|(?:full|proper|real) members? of society",
)
# Slurs that are also ordinary words (a dyke holds back the sea); they count only with other cues.
SLUR_HOMONYM = alt(r"dykes?|spooks?|redskins?|camel jockeys?")
SLUR_GENDERED = alt(r"bitch(?:es|ez)?|hoes?|hoez|whores?|sluts?|cunts?|twats?|thots?|skanks?")

PROFANITY = alt(
    r"fu+c?k\w*|f\*+k\w*|motherfu\w+|shi+t\w*|bullshit|asshole\w*|arsehole\w*|dickheads?|dick|pricks?",
    r"bastards?|damn|goddamn|crap|piss\w*|wankers?|douche\w*|jackass",
)

INSULT = alt(
    r"idiots?|idiotic|morons?|moronic|stupid|dumb\w*|imbeciles?|retards?|retarded|losers?|worthless|"
    r"pathetic",
    r"useless|ugly|fat|disgusting|gross|trash|garbage|scum\w*|filth\w*|pieces? of (?:shit|crap|"
    r"garbage|trash)",
    r"waste of (?:space|oxygen|air|skin)|failures?|clowns?|freaks?|creeps?|pigs?|dogs?|rats?|jerks?",
    r"assholes?|dickheads?|pricks?|bastards?|cunts?|twats?|bitch(?:es)?|whores?|sluts?|hoes?|fags?|"
    r"faggots?",
    r"brainless|clueless|ignorant|subhuman|vile|degenerates?|sickos?|perverts?|psychos?|lunatics?|"
    r"nutjobs?",
    r"monkeys?|apes?|gorillas?|dumbass\w*|dipshits?|douchebags?|scumbags?|shitheads?|fuckheads?|"
    r"fuckers?",
    r"brain ?-?dead|(?:fat|stupid|ugly|silly|dumb|old|lazy) cows?|excuse for a (?:human|man|woman|person|"
    r"mother|father)|motherfuckers?|wastes? of (?:a )?(?:life|sperm|human)",
)

# Dehumanising or sweeping negative descriptions used about groups.
DEROGATORY = alt(
    r"animals|beasts|vermin|rats|cockroaches|roaches|parasites|leeches|insects|pests|maggots|apes|"
    r"monkeys",
    r"gorillas|pigs|dogs|swine|savages|barbarians|subhumans?|sub-human|less than human|"
    r"not (?:even )?human",
    r"scum|filth|filthy|trash|garbage|rubbish|dirt|dirty|disgusting|revolting|vile|gross|nasty|"
    r"repulsive",
    r"a (?:cancer|disease|plague|virus|infection|blight|burden|drain|curse|stain|menace|threat)",
    r"cancer|diseases?|plague|burdens?|threats? to society|criminals|thieves|rapists|terrorists|thugs|"
    r"pedophiles",
    r"inferior|worthless|useless|pathetic|evil|wicked|stupid|dumb|idiots|morons|retarded|brainless|"
    r"ignorant",
    r"lazy|dangerous|violent|savage|primitive|backwards?|uncivili[sz]ed|greedy|untrustworthy|dishonest",
    r"mentally ill|sick in the head|crazy|insane|abominations?|degenerates?|perverts?|freaks?|unnatural",
    r"a (?:joke|mistake|waste of (?:space|oxygen|time))|a waste|moochers|freeloaders|sub-?par",
    r"worst|dumbest|stupidest|ugliest|dirtiest|laziest|filthiest|most (?:disgusting|stupid|useless|"
    r"evil|"
    r"dangerous|"
    r"pathetic|violent|ignorant|inferior)|no better than (?:[\w']+ )?(?:rats|animals|dogs|pigs|vermin|"
    r"apes|"
    r"monkeys|trash|garbage|scum|criminals|savages|cockroaches)|abusive|aggressive|predators|predatory|"
    r"(?:sexual )?deviants|groomers|delusional|snakes|gold ?diggers|liars|cheaters|whores|sluts|brutes|"
    r"simple-minded|immoral|sinful|sinners|obedient|dickheds|human garbage|common trash|shitty \w+",
    r"repugnant|despicable|despicble|sickening|so ?sickening|refuse|a plague|(?:fucked|"
    r"fukced) in the head|"
    r"a danger to (?:our|the|this) \w+|hateful|pathetic|worthless|scumbags|useless eaters",
    r"illegals?|rapists|drug dealers|cheap|smelly|creepy|weak|sick|diseased|contagious|dirty \w+|"
    r"parasitic|leeches|liars|cheaters|thieving|thugs|savages|barbaric|uncivili[sz]ed|inbred|dumb \w+",
    r"the (?:worst|problem|enemy|root of all evil|source of all (?:evil|problems))|(?:all|so) (?:alike|"
    r"the same)",
    r"shit|shite|fucking \w+|dickheads?|assholes?|pricks?|bastards?|cunts?|twats?",
)

# What hateful speech wishes on a group.
HARM_TO_GROUP = alt(
    r"killed|murdered|shot|hanged|hung|lynched|gassed|exterminated|eradicated|eliminated|wiped out|"
    r"slaughtered",
    r"executed|burned|burnt|beaten|tortured|sterili[sz]ed|castrated|enslaved|locked up|caged|"
    r"imprisoned|"
    r"jailed",
    r"deported|expelled|kicked out|thrown out|sent back|removed|banned|segregated|purged",
    r"put down|put in (?:camps|cages|their place)|shipped back",
)
HARM_VERB = alt(
    r"kill|murder|shoot|hang|lynch|gas|exterminate|eradicate|eliminate|wipe out|slaughter|execute|burn",
    r"beat up|torture|sterili[sz]e|castrate|enslave|lock up|deport|expel|kick out|throw out|get rid of",
    r"ban|segregate|purge|punch|stab|rape|destroy|annihilate|genocide|cleanse",
)

# A copula or similar link between a group and what is said about it.
BE = (
    r"(?:are|is|r|were|was|will always be|will forever be|will only ever be|always be|can only be|"
    r"being|"
    r"remain|"
    r"smell|stink|look|act|behave|live|can'?t help (?:themselves|it|being) (?:but )?(?:be)?)"
)
SLUR_TARGET = alt(GROUP, SLUR_STRONG, SLUR_GENDERED, SLUR_MILD)

LEXICON: dict[str, str] = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)
}
