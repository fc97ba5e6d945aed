"""Rules for violence: harm to people or places, weapons (incl. chemical and biological), threats.

Most cues are intent-shaped: an act plus a request for how to do it (%INTENT%) or a first-person plan,
because questions about history, fiction, definitions or homonyms ("kill a process", "shoot a photo")
mention the same words without asking for harm. NOT_REAL dampens games, fiction and homonyms.
"""

from __future__ import annotations

_WEAPON = (
    r"\b(?:bombs?|pipe bombs?|explosives?|explosive devices?|ieds?|grenades?|molotov\w*|napalm|thermite|"
    r"detonators?|"
    r"nerve (?:agents?|gas)|sarin|tabun|soman|vx|mustard gas|chlorine gas|phosgene|ricin|anthrax|"
    r"botulinum\w*|"
    r"bioweapons?|biological weapons?|chemical weapons?|dirty bombs?|nuclear (?:bombs?|weapons?)|silencers?|"
    r"suppressors?|ghost guns?|untraceable (?:guns?|firearms?|weapons?)|zip guns?|machine guns?|"
    r"(?:fully )?automatic (?:rifles?|weapons?)|poisons?|toxins?|nerve toxins?|strychnine|cyanide|"
    r"chemical (?:warfare|weapons?) agents?|biological (?:warfare|weapons?) agents?|pathogens?|weapons?)"
)
_HARM_ACT = (
    r"\b(?:kill|murder|shoot|stab|strangle|choke|poison|behead|decapitate|torture|assault|attack|hurt|harm|"
    r"injure|"
    r"beat up|beat|punch|kick|kidnap|abduct|execute|slaughter|massacre|maim|burn|drown|suffocate|smother|"
    r"run over|break (?:his|her|their|someone'?s) \w+|slit \w+ throat|blow up|shoot up|gun down|lynch|"
    r"disable|incapacitate|knock out|crush|dismember|mutilate|bomb|headshot|give \w+ a headshot|get rid of|"
    r"electrocute|assassinate|slay|snipe|throttle|smash|shatter|hammer|butcher|gut|chop up|saw|cut off|"
    r"hunt down|do away with|eliminate|terminate|annihilate|obliterate|overpower|tackle|capture|"
    r"euthani[sz]e|liquidate|wipe out|rip off|break open|crack open|slap|hit|run over|mow down|push|"
    r"physically (?:hurt|harm|assault|attack)|hurting|harming|killing|attacking|poisoning|shooting|stabbing)"
)

_TARGET_PLACE = (
    r"(?:cars?|house|home|school|hospital|building|city|village|stadium|concert|plane|train|subway|bus|"
    r"church|"
    r"mosque|synagogue|office|tires|tyres|brakes|breaks|motorbike|water supply|power grid|pipeline|army base|"
    r"base|airport|embassy|skyscrapers?|bridge|mall|crowd|festival|parade|government building)"
)

VIOLENCE_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "attack_place",
        rf"%INTENT% %FILL5%(?:blow up|blow|bomb|bombing|burn down|set fire to|set (?:[\w']+ ){{1,3}}on fire|"
        rf"torch|"
        rf"explode|exploding|destroy|demolish|smash|slash|sabotage|tamper with|contaminate|cut|attack|"
        rf"shoot up) "
        rf"(?:[\w']+ ){{0,3}}{_TARGET_PLACE}|(?:make|making) (?:[\w']+ ){{0,3}}{_TARGET_PLACE} explode",
        0.75,
        True,
    ),
    (
        "maximum_harm",
        r"(?:to|can|could|will|would|i|we|should) (?:[\w']+ ){0,3}(?:kill|harm|hurt|injure|infect|affect|"
        r"poison) "
        r"(?:the most|as many|maximum|max) (?:[\w']+ ){0,2}(?:people|casualties|victims|damage|harm|deaths)|"
        r"(?:cause|causing|inflict\w*) (?:the most|maximum|max) (?:harm|damage|casualties|pain)",
        0.65,
    ),
    (
        "terrorism",
        r"(?:engage in|commit|join|fund|support|carry out|plan|start)\w* (?:[\w']+ ){0,2}terror\w*|"
        r"assassinat\w+",
        0.55,
    ),
    (
        "pathogen_spread",
        r"(?:spread|release|start|cause|culture|cultivat\w+|weaponi[sz]\w+|"
        r"enhance)\w* (?:[\w']+ ){0,4}(?:virus|"
        r"disease|pathogen|infection|outbreak|ebola|smallpox|anthrax|plague|cholera|bacteria resistant|"
        r"epidemic|"
        r"pandemic)|(?:more|most) (?:deadly|lethal|transmissible|contagious|virulent)",
        0.6,
        True,
    ),
    (
        "toxic_synthesis",
        r"(?:synthesi[sz]\w+|manufactur\w+|extract\w*|produc\w+|mak\w+) (?:[\w']+ ){0,4}(?:at home|"
        r"in a garage|"
        r"from (?:common |household |)(?:materials|chemicals|plants|products)|without (?:access|detection|"
        r"a license|"
        r"specialized))|(?:lewisite|tetrodotoxin|dimethylmercury|parathion|nitazene\w*|novichok|carfentanil|"
        r"aconitine|abrin)|mix\w* bleach and",
        0.65,
    ),
    (
        "copycat",
        r"(?:replicate|repeat|recreate|copy|emulate|imitate|reproduce)\w* (?:[\w']+ ){0,4}(?:success|scale|"
        r"impact|"
        r"benefits|conditions|methods|results|death|attacks?|massacres?|genocide|shooting|bombings?|"
        r"assassination)",
        0.6,
    ),
    (
        "justified_atrocity",
        r"why (?:was|is|were) [^?.]{0,60}(?:justified|right to|a good thing|good for|morally justified)",
        0.55,
    ),
    (
        "dispose_body",
        r"(?:dispose of|get rid of|hide|bury|dissolve|chop up|saw) (?:a |the |my |his |"
        r"her )?(?:dead )?(?:bod(?:y|ies)|"
        r"corpse|dead baby)",
        0.7,
    ),
    ("violent_intent", rf"%INTENT% %FILL5%{_HARM_ACT} (?:[\w']+ ){{0,2}}(?:%PERSON%)", 0.8),
    (
        "threat",
        rf"(?:i|we) (?:will|'ll|am going to|'m going to|am gonna|'m gonna|want to|wanna|plan to|intend to|"
        rf"should|could|would love to|am about to|'m about to) (?:[\w']+ ){{0,2}}{_HARM_ACT} (?:you|him|her|"
        rf"them|"
        rf"%PERSON%)",
        0.8,
    ),
    (
        "weapon_making",
        rf"(?:make|making|build|building|create|assemble|synthesi[sz]e|synthesi[sz]ing|manufactur\w+|"
        rf"produc\w+|"
        rf"obtain|acquire|buy|extract\w*|cultivat\w+|weaponi[sz]e|3d print|homemade|home-made|diy|at home)"
        rf"[^.?!]{{0,40}}{_WEAPON}",
        0.7,
        True,
    ),
    (
        "weapon_at_home",
        rf"{_WEAPON}[^.?!]{{0,40}}(?:at home|without detection|undetected|easy to (?:make|obtain|"
        rf"synthesi[sz]e)|from (?:household|plants|scratch))",
        0.75,
    ),
    (
        "mass_violence",
        r"mass (?:shooting|murder|killing|casualt\w+|violence)|school shooting|terror(?:ist)? attacks?|"
        r"genocide|"
        r"ethnic cleansing|massacre|kill (?:lots of|many|as many) people|wipe out (?:humanity|a population|"
        r"\w+ people)|decimat\w+ (?:a )?population",
        0.3,
    ),
    (
        "mass_violence_intent",
        r"%INTENT% %FILL5%(?:(?:commit|carry out|plan|organi[sz]e|start|cause|stage)\w* )?(?:a |an )?"
        r"(?:mass (?:shooting|murder|killing|casualt\w+)|school shooting|terror(?:ist)? attack|genocide|"
        r"ethnic cleansing|massacre|bombing)",
        0.75,
    ),
    (
        "exterminate_intent",
        r"%INTENT% %FILL5%(?:wipe out|decimate|exterminate|kill) (?:[\w']+ ){0,2}(?:humanity|population|"
        r"people|lots of people|many people)",
        0.75,
    ),
    (
        "violence_glorification",
        r"(?:write|generate|create|compose|draft|produce|make|give|post|publish)\w*(?: me)? (?:[\w']+ ){0,6}"
        r"(?:glorif|prais|celebrat|justif|promot|encourag|incit)\w* (?:[\w']+ ){0,4}(?:violence|terroris\w+|"
        r"shootings?|"
        r"massacres?|attacks?|murders?|killings?|the 9/11|bombings?|mass violence|violent)",
        0.75,
    ),
    (
        "violent_threat_request",
        r"(?:write|generate|create|compose|draft|send)(?: me)? (?:[\w']+ ){0,4}(?:violent |death )?threats?",
        0.7,
    ),
    ("harm_person_bare", rf"{_HARM_ACT} (?:[\w']+ ){{0,2}}(?:%PERSON%)", 0.3, True),
    ("weapon_mention", rf"{_WEAPON}", 0.15),
    (
        "graphic_violence",
        r"(?:graphic|gory|gruesome|bloody|brutal) (?:[\w']+ ){0,3}(?:detail|description|violence|torture|"
        r"death|murder)",
        0.5,
    ),
    ("cruel_acts", r"dismember\w*|disembowel\w*|mutilat\w*|tortur\w*|skinn\w+ alive|burn\w* alive", 0.3),
    (
        "firearm_crime",
        r"(?:bring|sneak|smuggle|carry)\w* (?:a |my )?(?:gun|knife|weapon|firearm|"
        r"explosive)\w* (?:[\w']+ ){0,3}"
        r"(?:on|onto|into|through) (?:a |the )?(?:plane|airport|school|security|stadium|concert)",
        0.8,
    ),
]

NOT_REAL: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "game_or_fiction",
        r"in (?:a |the |my )?(?:video ?game|game|chess|checkers|call of duty|gta\s?\w*|grand theft auto|"
        r"minecraft|"
        r"battlefield\s?\w*|counter-?strike|halo|doom|zelda|pubg|valorant|overwatch|apex legends|"
        r"rainbow six|cod|"
        r"warzone|die hard|james bond|john wick|breaking bad|game of thrones|the godfather|"
        r"fortnite|witcher\s?\w*|skyrim|novel|movie|film|tv show|book|story|play|series|mission impossible|"
        r"terminator|star wars|harry potter|sims)|at the (?:shooting )?range|in (?:boxing|judo|karate|mma|"
        r"wrestling|football|rugby|hockey)|(?:for|in) (?:a |the |my )?(?:tv show|movie|film|play|novel|"
        r"screenplay)",
        -0.7,
    ),
    (
        "homonym_object",
        r"(?:steal\w*|stole) (?:[\w']+ ){0,2}(?:heart|show|spotlight|limelight|thunder|glance|kiss|scene|"
        r"moment|bases?|"
        r"look)|(?:kill\w*|killing) (?:[\w']+ ){0,2}(?:time|process|processes|weeds?|lights?|engine|music|"
        r"mood|bacteria|"
        r"germs)|(?:shoot\w*) (?:[\w']+ ){0,2}(?:photo\w*|pictures?|video|film|scene|hoops|shot|breeze|"
        r"messages?)|"
        r"crush\w* (?:[\w']+ ){0,2}(?:competition|exam|test|interview|workout|it)|"
        r"beat\w* (?:[\w']+ ){0,3}(?:competition|"
        r"at \w+|game|record|traffic|heat|eggs|the odds|deadline)|(?:destroy|"
        r"burn down)\w* (?:[\w']+ ){0,4}(?:i own|"
        r"my own)|on (?:my|our) (?:own )?property",
        -0.7,
    ),
]
