"""Rules for sexual content, self-harm, violence and other crime (illicit).

Most cues are intent-shaped: an act plus a request for how to do it (%INTENT%) or a first-person plan,
because questions about history, fiction, definitions or homonyms ("kill a process", "shoot a photo")
mention the same words without asking for harm.
"""

from __future__ import annotations

from shared.moderation.hate_rules import LEXICON
from shared.moderation.rules import Rule, make_rules

_MINOR = (
    r"(?:child|children|kids?|minors?|underage|under-age|under age|preteens?|pre-teens?|toddlers?|infants?|"
    r"little (?:girls?|boys?)|young (?:girls?|boys?)|schoolgirls?|schoolboys?|lolis?|(?:[1-9]|1[0-7])[- ]?"
    r"(?:years?|yrs?)[- ]old|(?:[1-9]|1[0-7]) ?yo|teens?|teenagers?|students?|daughter|son|babies|baby)"
)
_SEXUAL_ACT = (
    r"(?:sex|sexual\w*|porn\w*|nude\w*|naked|erotic\w*|explicit (?:content|images|photos|videos|material)|intercourse|molest\w*|rape\w*|fondl\w+|"
    r"grop\w+|undress\w*|genital\w*|penis|vagina|masturbat\w+|orgasm\w*|aroused|seduc\w+|nsfw|lewd|"
    r"intimate (?:images|photos|content|parts|acts?)|touch(?:ing)? (?:their|her|his) (?:private|body))"
)
_EXPLICIT = (
    r"porn\w*|xxx|hentai|blowjobs?|handjobs?|cumshots?|cum|orgasm\w*|masturbat\w+|dildos?|vibrators?|"
    r"erotic\w*|penis|cocks?|pussy|pussies|vagina\w*|clit\w*|boobs|tits|titties|nipples?|genital\w*|anal|"
    r"blow ?jobs?|deepthroat\w*|gangbang\w*|threesomes?|bdsm|fetish\w*|horny|sexting|sext|nudes|onlyfans|"
    r"camgirls?|milf|incest|bestiality|zoophilia|creampie|jerk(?:ing)? off|jack(?:ing)? off|cunnilingus|fellatio"
)

SEXUAL_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("sexual_minor", rf"{_MINOR}[^.?!]{{0,60}}{_SEXUAL_ACT}|{_SEXUAL_ACT}[^.?!]{{0,60}}{_MINOR}", 0.6),
    ("child_abuse_material", r"child (?:sex|sexual|porn\w*|abuse) (?:material|images|videos|content)|csam|"
     r"pedo(?:phil\w*)?|paedo(?:phil\w*)?|lolicon|jailbait|child porn\w*|kiddie porn", 0.8),
    ("explicit_terms", rf"{_EXPLICIT}", 0.45),
    ("sex_with", r"(?:have|having|had|has) sex with|sex with (?:a |an |my |her |him )|fuck (?:me|her|him)\b", 0.45),
    ("sexual_content_request",
     r"(?:write|generate|create|describe|tell|give|produce|compose|roleplay|role-play|draft|make)(?: me| us)? "
     r"(?:\w+ ){0,5}(?:sexual|sexy|erotic|explicit|steamy|smutty|smut|dirty|nsfw|lewd|x-rated|pornographic|"
     r"intimate|sensual|raunchy|kinky) (?:\w+ ){0,2}(?:story|stories|scene|scenes|content|fantasy|fantasies|"
     r"description|descriptions|imagery|roleplay|chat|talk|messages?|poem|fanfic\w*|texts?|novel|images?|videos?)",
     0.75),
    ("sexual_violence", r"rape\w*|non-?consensual (?:sex|intimate|imagery)|sexual(?:ly)? (?:assault|abus|exploit)\w*|"
     r"sexual predat\w+|sex traffick\w*|revenge porn|molest\w*|grooming", 0.5),
    ("nudity", r"(?:naked|nude|topless|undressed|undressing) (?:\w+ ){0,2}(?:photos?|pics?|pictures?|images?|"
     r"videos?|girls?|women|woman|body|bodies|selfies?)", 0.5),
]

SELF_HARM_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("kill_myself",
     r"(?:kill|killing|hang|hanging|shoot|drown|poison|starve|hurt|harm|cut|burn|suffocate|end) (?:myself|"
     r"my ?self|my (?:own )?life)|take my (?:own )?life|end it all|commit suicide|suicide notes?", 0.8),
    ("wants_to_die",
     r"(?:i|i'm|im|i am) (?:\w+ ){0,3}(?:want|wanna|going|planning|ready|deserve|wish i could) (?:to )?"
     r"(?:die|be dead|not be alive|disappear forever|not wake up)|better off dead|no reason to live|"
     r"not worth (?:living|being alive|it anymore)|worth (?:me )?being alive|(?:is it|is my life) worth living|"
     r"don'?t want to (?:live|be alive|exist)|would anyone miss me|will (?:my \w+|anyone) miss me", 0.75),
    ("suicide_method",
     r"(?:%INTENT%|which|what|how many)[^.?!]{0,40}(?:suicide|die|overdose|od|lethal dose|kill (?:myself|"
     r"yourself|oneself)|end (?:my|your) life|hang (?:myself|yourself)|painless death)", 0.75),
    ("suicide", r"suicid\w*|self[- ]harm\w*|self[- ]injur\w*|cutting myself|slit (?:my|your|their) wrists?|"
     r"lethal dose|overdos\w+|to die like", 0.45),
    ("eating_disorder",
     r"pro-?ana|pro-?mia|thinspo\w*|anorexi\w+|bulimi\w+|starv\w+ (?:myself|yourself|themselves)|"
     r"(?:make myself|make yourself|force myself to) (?:throw up|vomit|puke)|binge\w* (?:\w+ ){0,4}(?:vomit|"
     r"throw\w* (?:it )?up|purge)|stop eating|not eat(?:ing)? for (?:days|a week|weeks)|purg(?:e|ing) after", 0.6),
    ("self_harm_promotion",
     r"(?:promot|encourag|glorif|convinc|persuad|romantici[sz])\w* (?:\w+ ){0,4}(?:self-harm|self harm|suicide|"
     r"to (?:kill|harm|hurt|cut|starve) (?:themselves|yourself|himself|herself)|anorexia|bulimia|eating disorders?|"
     r"dangerous (?:challenges|diets|fasting)|to commit suicide)|(?:self-harm|self harm|anorexia|bulimia|suicide) "
     r"(?:\w+ ){0,3}(?:is|as) (?:\w+ ){0,2}(?:empowering|healthy|a (?:good|healthy|valid)|beautiful|the answer)",
     0.8),
    ("hide_self_harm", r"(?:hide|cover up|conceal) (?:\w+ ){0,3}(?:cuts|scars|self-harm|burns|weight loss)", 0.6),
    ("carve_skin", r"(?:carve|cut|burn|scratch)\w* (?:\w+ ){0,3}(?:into )?(?:my|your) (?:arm|arms|skin|wrists?|legs?|"
     r"thighs?|body)", 0.7),
]

_WEAPON = (
    r"(?:bombs?|pipe bombs?|explosives?|explosive devices?|ieds?|grenades?|molotov\w*|napalm|thermite|detonators?|"
    r"nerve (?:agents?|gas)|sarin|tabun|soman|vx|mustard gas|chlorine gas|phosgene|ricin|anthrax|botulinum\w*|"
    r"bioweapons?|biological weapons?|chemical weapons?|dirty bombs?|nuclear (?:bombs?|weapons?)|silencers?|"
    r"suppressors?|ghost guns?|untraceable (?:guns?|firearms?|weapons?)|zip guns?|machine guns?|"
    r"(?:fully )?automatic (?:rifles?|weapons?)|poisons?|toxins?|nerve toxins?|strychnine|cyanide|"
    r"chemical (?:warfare|weapons?) agents?|biological (?:warfare|weapons?) agents?|pathogens?|weapons?)"
)
_HARM_ACT = (
    r"(?:kill|murder|shoot|stab|strangle|choke|poison|behead|decapitate|torture|assault|attack|hurt|harm|injure|"
    r"beat up|beat|punch|kick|kidnap|abduct|execute|slaughter|massacre|maim|burn|drown|suffocate|smother|"
    r"run over|break (?:his|her|their|someone'?s) \w+|slit \w+ throat|blow up|shoot up|gun down|lynch|"
    r"disable|incapacitate|knock out|crush|dismember|mutilate|bomb|headshot|give \w+ a headshot|get rid of)"
)

VIOLENCE_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("violent_intent", rf"%INTENT% (?:[\w']+ ){{0,4}}{_HARM_ACT} (?:[\w']+ ){{0,2}}(?:%PERSON%)", 0.8),
    ("threat",
     rf"(?:i|we) (?:will|'ll|am going to|'m going to|am gonna|'m gonna|want to|wanna|plan to|intend to|"
     rf"should|could|would love to|am about to|'m about to) (?:\w+ ){{0,2}}{_HARM_ACT} (?:you|him|her|them|"
     rf"%PERSON%)", 0.8),
    ("weapon_making",
     rf"(?:make|making|build|building|create|assemble|synthesi[sz]e|synthesi[sz]ing|manufactur\w+|produc\w+|"
     rf"obtain|acquire|buy|extract\w*|cultivat\w+|weaponi[sz]e|3d print|homemade|home-made|diy|at home)"
     rf"[^.?!]{{0,40}}{_WEAPON}", 0.75, True),
    ("weapon_at_home", rf"{_WEAPON}[^.?!]{{0,40}}(?:at home|without detection|undetected|easy to (?:make|obtain|"
     rf"synthesi[sz]e)|from (?:household|plants|scratch))", 0.75),
    ("mass_violence",
     r"mass (?:shooting|murder|killing|casualt\w+|violence)|school shooting|terror(?:ist)? attacks?|genocide|"
     r"ethnic cleansing|massacre|kill (?:lots of|many|as many) people|wipe out (?:humanity|a population|"
     r"\w+ people)|decimat\w+ (?:a )?population", 0.5),
    ("violence_glorification",
     r"(?:glorif|prais|celebrat|justif|promot|encourag|incit)\w* (?:\w+ ){0,4}(?:violence|terroris\w+|shootings?|"
     r"massacres?|attacks?|murders?|killings?|the 9/11|bombings?|mass violence|violent)", 0.75),
    ("violent_threat_request",
     r"(?:write|generate|create|compose|draft|send)(?: me)? (?:\w+ ){0,4}(?:violent |death )?threats?", 0.7),
    ("harm_person_bare", rf"{_HARM_ACT} (?:\w+ ){{0,2}}(?:%PERSON%)", 0.3, True),
    ("weapon_mention", rf"{_WEAPON}", 0.15),
    ("graphic_violence",
     r"(?:graphic|gory|gruesome|bloody|brutal) (?:\w+ ){0,3}(?:detail|description|violence|torture|death|murder)|"
     r"(?:dismember\w*|disembowel\w*|mutilat\w*|tortur\w*|skinn\w+ alive|burn\w* alive)", 0.5),
    ("firearm_crime",
     r"(?:bring|sneak|smuggle|carry)\w* (?:a |my )?(?:gun|knife|weapon|firearm|explosive)\w* (?:\w+ ){0,3}"
     r"(?:on|onto|into|through) (?:a |the )?(?:plane|airport|school|security|stadium|concert)", 0.8),
]

_DRUG = (
    r"(?:meth(?:amphetamine)?|crystal meth|cocaine|coke|crack|heroin|fentanyl|lsd|acid|mdma|ecstasy|molly|ghb|"
    r"roofies|rohypnol|ketamine|pcp|dmt|opium|narcotics|amphetamines?|drugs|illegal drugs|date rape drugs?|"
    r"psilocybin|magic mushrooms|oxycodone|oxy|opioids?|ephedrine|pseudoephedrine|precursors?)"
)
ILLICIT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("drug_making",
     rf"(?:make|making|cook|cooking|synthesi[sz]e|synthesi[sz]ing|manufactur\w+|produc\w+|grow|extract|buy|"
     rf"sell|selling|smuggl\w+|obtain|purchase|traffic|deal|dealing|distribut\w+|purif\w+|lace|spike)\w* "
     rf"(?:\w+ ){{0,3}}{_DRUG}", 0.7, True),
    ("theft",
     r"(?:steal|stealing|shoplift\w*|rob|robbing|burglari[sz]e|burgle|pickpocket\w*|hotwir\w+|carjack\w*|loot|"
     r"embezzl\w+|break into|breaking into|broke into) (?:\w+ ){0,3}(?:car|cars|house|home|homes|store|shop|bank|"
     r"money|cash|wallet|purse|jewel\w*|goods|shipments?|items?|gas|packages?|from|a |an |the |someone|someone'?s|"
     r"my |his |her |their |neighbou?r)", 0.6, True),
    ("theft_intent", r"%INTENT% (?:\w+ ){0,4}(?:steal|shoplift|rob|burgle|pickpocket|hotwire|carjack|break into)",
     0.75, True),
    ("fraud",
     r"scam\w*|phishing|phish|ponzi|pyramid scheme|counterfeit\w*|money launder\w*|launder\w* (?:\w+ ){0,2}money|"
     r"tax evasion|evade (?:\w+ )?taxes|identity theft|insurance fraud|credit card fraud|wire fraud|"
     r"stolen (?:credit cards?|card numbers?|identities|goods|data)|carding|forge\w* (?:a |an )?(?:signature|"
     r"documents?|checks?|cheques?|prescriptions?|passports?)|fake (?:ids?|passports?|documents|charity|"
     r"invoices?|identit\w+|reviews|login|bank|drop shipping)|insider trading|bribe\w*|extort\w*|blackmail\w*",
     0.55),
    ("fraud_intent",
     r"%INTENT% (?:\w+ ){0,5}(?:scam|defraud|con|cheat|swindle|fleece|exploit|trick|deceive|manipulate) "
     r"(?:\w+ ){0,3}(?:people|someone|customers|elderly|lonely|victims|investors|insurance|them|money|out of)", 0.7),
    ("evasion",
     r"without (?:getting|being) (?:caught|detected|noticed|traced|arrested)|evade (?:the )?(?:police|cops|"
     r"law enforcement|detection|authorities|customs)|avoid (?:getting caught|detection|the police)|"
     r"(?:cover|hide) (?:up )?(?:my|the) (?:tracks|crime|evidence)|dispose of (?:a |the )?bod(?:y|ies)", 0.55),
    ("hacking",
     r"hack(?:ing)? (?:into|someone|a |an |my |his |her |their |the )|malware|ransomware|keyloggers?|spyware|"
     r"trojans?|rootkits?|botnets?|ddos|denial of service attack|write (?:a )?(?:computer )?(?:virus|worm)|"
     r"exploit (?:a |the |this )?(?:\w+ )?vulnerabilit\w+|zero[- ]day|sql injection|bypass (?:\w+ ){0,2}"
     r"(?:authentication|2fa|login|security|paywall|drm|geofenc\w*|antivirus|firewall)|crack (?:a |the |"
     r"someone'?s |)(?:passwords?|wifi|wi-fi|license|software)|brute[- ]forc\w+|credential stuffing|"
     r"steal (?:passwords|credentials|cookies|data)|penetrat\w+ (?:\w+ )?network|disable (?:the )?(?:gps|"
     r"tracker|alarm|security camera)", 0.5),
    ("hacking_intent",
     r"%INTENT% (?:\w+ ){0,4}(?:hack|break into|gain (?:unauthorized |unauthorised )?access|access "
     r"(?:someone|their|his|her)|take over|infect|compromise|crack|bypass|disable)", 0.7),
    ("trafficking", r"human traffick\w*|traffick\w+ (?:\w+ ){0,2}(?:people|humans|women|children|girls|organs)|"
     r"child labou?r\w*|sell (?:a |my )?(?:kidney|organs|baby|child)|smuggl\w+ (?:people|migrants|immigrants)", 0.7),
    ("illegal_goods",
     r"(?:buy|sell|get|obtain|purchase|order)\w* (?:\w+ ){0,3}(?:illegal(?:ly)?|black[- ]market|dark ?web|"
     r"unlicensed|stolen|without a (?:license|licence|prescription))", 0.6),
    ("vandalism_arson",
     r"%INTENT% (?:\w+ ){0,4}(?:vandali[sz]e|destroy|set fire to|burn down|torch|key|slash) (?:\w+ ){0,3}"
     r"(?:car|house|home|building|property|store|tires|tyres|school)", 0.7),
    ("cruelty", r"(?:animal cruelty|torture (?:a |an |the )?(?:animal|cat|dog|pet)s?|hurt (?:a |an |my )?(?:animal|"
     r"cat|dog|pet)s?)", 0.6),
    ("crime_request",
     r"(?:plan|commit|get away with|carry out|organi[sz]e)\w* (?:\w+ ){0,2}(?:a |the )?(?:crime|robbery|heist|"
     r"kidnapping|burglary|murder|arson|fraud|theft|hijacking|break-in)", 0.7),
]


def build_harm_rules() -> list[Rule]:
    return [
        *make_rules("sexual", SEXUAL_SPECS, LEXICON),
        *make_rules("self_harm", SELF_HARM_SPECS, LEXICON),
        *make_rules("violence", VIOLENCE_SPECS, LEXICON),
        *make_rules("illicit", ILLICIT_SPECS, LEXICON),
    ]
