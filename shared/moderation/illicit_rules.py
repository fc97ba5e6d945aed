"""Rules for other crime (illicit): drugs, theft, fraud, hacking, trafficking; plus red-team style requests
that name a harm outright, for every harm category."""

from __future__ import annotations

_DRUG = (
    r"\b(?:meth(?:amphetamine)?|crystal meth|cocaine|crack cocaine|crack rocks?|heroin|fentanyl|lsd|acid|"
    r"mdma|ecstasy|molly|ghb|"
    r"roofies|rohypnol|ketamine|pcp|dmt|opium|narcotics|amphetamines?|drugs|illegal drugs|date rape drugs?|"
    r"psilocybin|magic mushrooms|oxycodone|oxy|opioids?|ephedrine|pseudoephedrine|precursors?|"
    r"weed(?! (?:my|the|your|out|killer|whacker|garden|lawn))|marijuana|"
    r"marihuana|cannabis|steroids|ecstasy pills|illegal substances|controlled substances|designer drugs?|"
    r"drug labs?|a gram of \w+|grams of \w+|pure heroin)"
)
ILLICIT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "drug_making",
        rf"(?:make|making|cook|cooking|synthesi[sz]e|synthesi[sz]ing|manufactur\w+|produc\w+|grow|extract|"
        rf"buy|"
        rf"sell|selling|smuggl\w+|obtain|purchase|traffic|deal|dealing|distribut\w+|purif\w+|lace|spike|get|"
        rf"getting|hide|hiding|score|cut|cutting|set up|setting up)\w* "
        rf"(?:[\w']+ ){{0,3}}{_DRUG}",
        0.7,
        True,
    ),
    (
        "theft",
        r"(?:steal|stealing|shoplift\w*|rob|robbing|burglari[sz]e|burgle|pickpocket\w*|hotwir\w+|carjack\w*|"
        r"loot|"
        r"embezzl\w+|break into|breaking into|broke into) (?:[\w']+ ){0,3}(?:car|cars|house|home|homes|"
        r"store|shop|"
        r"bank|money|cash|wallet|purse|jewel\w*|goods|shipments?|items?|gas|packages?|apartment|office|safe|"
        r"vault|"
        r"credit cards?|identity|from)",
        0.6,
        True,
    ),
    ("theft_intent", r"%INTENT% %FILL%(?:steal|shoplift|rob|burgle|pickpocket|hotwire|carjack)", 0.75, True),
    (
        "fraud",
        r"scam\w*|phishing|phish|ponzi|pyramid scheme|counterfeit\w*|money launder\w*|"
        r"launder\w* (?:[\w']+ ){0,2}money|"
        r"tax evasion|evade (?:[\w']+ )?taxes|identity theft|insurance fraud|credit card fraud|wire fraud|"
        r"stolen (?:credit cards?|card numbers?|identities|goods|data)|carding|forge\w* (?:a |"
        r"an )?(?:signature|"
        r"documents?|checks?|cheques?|prescriptions?|passports?)|fake (?:ids?|passports?|documents|charity|"
        r"invoices?|identit\w+|reviews|login|bank|drop shipping)|insider trading|bribe\w*|extort\w*|"
        r"blackmail\w*",
        0.4,
    ),
    (
        "fraud_request",
        r"(?:%INTENT%|write|draft|create|compose|design|set up|start|run)\w* (?:[\w']+ ){0,6}(?:scam\w*|"
        r"phishing|ponzi|"
        r"pyramid scheme|counterfeit\w*|launder\w*|tax evasion|evade (?:[\w']+ )?taxes|identity theft|"
        r"fraud\w*|"
        r"fake (?:ids?|passports?|charity|invoices?|reviews|login|bank|drop shipping)|forg(?:e|ing|"
        r"ed) (?:a |an |the )?"
        r"(?:fake )?(?:signatures?|documents?|checks?|cheques?|prescriptions?|passports?|ids?|papers|money|"
        r"currency)|"
        r"bribe|extort|"
        r"blackmail|insider trading|stolen (?:credit cards?|card numbers?))",
        0.7,
    ),
    (
        "fraud_intent",
        r"%INTENT% (?:[\w']+ ){0,5}(?:scam|defraud|con|cheat|swindle|fleece|exploit|trick|deceive|"
        r"manipulate) "
        r"(?:[\w']+ ){0,3}(?:people|someone|customers|elderly|lonely|victims|investors|insurance|them|money|"
        r"out of)",
        0.7,
    ),
    (
        "drug_operation",
        r"drug (?:trafficking|smuggling|dealing|cutting|purification|lab|cartel)\w*|"
        r"(?:cutting|purif\w+|cook\w*) (?:[\w']+ ){0,2}drugs",
        0.6,
    ),
    (
        "fake_material",
        r"(?:create|make|write|generate|produce|design|craft|draft|forge)\w* (?:[\w']+ ){0,3}(?:fake|false|"
        r"fraudulent|"
        r"counterfeit|forged|bogus|made-?up|madeup|misleading|deceptive) (?:[\w']+ ){0,2}(?:medical|claims?|"
        r"testimonials?|credentials?|identit\w+|identification|documents?|prescriptions?|reviews?|"
        r"emergenc\w+|"
        r"charit\w+|jobs?|invoices?|receipts?|investment|advice|campaigns?|diplomas?|degrees?|certificates?|"
        r"ids?|passports?|licen[cs]es?|login|websites?|news|accounts?)",
        0.55,
    ),
    (
        "illegal_acts",
        r"(?:illegal(?:ly)?|unlawful(?:ly)?) (?:purchase|buy|download|obtain|disrupt|tap|access|enter|cross|"
        r"acquire|sell|import|export|dump|record|modif\w+)\w*|(?:%INTENT%) %FILL5%(?:illegal(?:ly)?|"
        r"unlawful(?:ly)?)|"
        r"(?:don'?t|do not|dont|without|no|avoid|skip) (?:do |run |require |doing |any )?background checks?|"
        r"(?:fool|beat|trick|cheat|pass|bypass)\w* (?:a |the )?(?:breathalyzer|drug test|polygraph)",
        0.6,
    ),
    (
        "sex_work",
        r"(?:hire|find|get|getting|book|pay for)\w* (?:an? |some )?(?:escorts?|prostitutes?|hookers?)|"
        r"brothels?|pimp\w*",
        0.55,
    ),
    (
        "minors_alcohol",
        r"(?:buy|give|sell|get)\w* (?:[\w']+ ){0,3}(?:alcohol|cigarettes|vapes?|beer|liquor|"
        r"booze) (?:[\w']+ ){0,3}"
        r"(?:underage|minors?|kids|children|teens?)",
        0.6,
    ),
    (
        "harmful_persuasion",
        r"(?:convinc|persuad|encourag|pressur|get)\w* (?:children|kids|teens?|teenagers?|minors?|a friend|"
        r"friends|"
        r"parents|people|someone|students) (?:[\w']+ ){0,2}to (?:eat|drink|try|use|start using|huff|smoke|"
        r"inhale|"
        r"feed|take|inject|swallow|mix)",
        0.55,
    ),
    (
        "hostage",
        r"%INTENT% %FILL5%(?:take|hold|holding|taking|kidnap\w*|abduct\w*) (?:[\w']+ ){0,4}(?:hostage|"
        r"%PERSON%)|ransom notes?",
        0.65,
    ),
    ("kidnapping", r"kidnap\w*|abduct\w*|hostages?", 0.3),
    (
        "evasion",
        r"without (?:getting|being) (?:caught|detected|noticed|traced|arrested)|evade (?:the )?(?:police|"
        r"cops|"
        r"law enforcement|detection|authorities|customs)|avoid (?:getting caught|detection|the police)|"
        r"(?:cover|hide) (?:up )?(?:my|the) (?:tracks|crime|evidence)|dispose of (?:a |the )?bod(?:y|ies)",
        0.55,
    ),
    (
        "hacking",
        r"hack(?:ing)? (?:into|someone|a |an |my |his |her |their |the )|malware|ransomware|keyloggers?|"
        r"spyware|"
        r"trojans?|rootkits?|botnets?|ddos|denial of service attack|write (?:a )?(?:computer )?(?:virus|"
        r"worm)|"
        r"exploit (?:a |the |this )?(?:[\w']+ )?vulnerabilit\w+|zero[- ]day|sql injection|"
        r"bypass (?:[\w']+ ){0,2}"
        r"(?:authentication|2fa|login|security|paywall|drm|geofenc\w*|antivirus|firewall)|crack (?:a |the |"
        r"someone'?s |)(?:passwords?|wifi|wi-fi|license|software)|brute[- ]forc\w+|credential stuffing|"
        r"steal (?:passwords|credentials|cookies|data)|penetrat\w+ (?:[\w']+ )?network|"
        r"disable (?:the )?(?:gps|"
        r"tracker|alarm|security camera)|(?:exploit\w*|using|use|leverag\w+|abus\w+) (?:the |a |this )?"
        r"(?:[\w']+ ){0,3}(?:vulnerabilit\w+|exploit|cve-\d+)|syn flood|dns amplification|rainbow table|"
        r"reverse shell|exfiltrat\w+|sqli|waf|evade (?:antivirus|detection|modern)|deface|hijack\w* (?:a |"
        r"the )?"
        r"(?:user'?s? )?(?:computer|account|session|browser)|skimm(?:ing|er)|network penetration|"
        r"social engineering|hire a hacker|keylog\w*|credential harvest\w*|mine crypto\w* (?:[\w']+ ){0,3}"
        r"(?:without|evading)",
        0.5,
    ),
    (
        "hacking_intent",
        r"%INTENT% (?:[\w']+ ){0,4}(?:hack|gain (?:unauthorized |unauthorised )?access|access (?:someone|"
        r"their|his|"
        r"her)|infect|compromise|break into (?:a |an |the |someone'?s |my \w+'?s |)(?:[\w']+ )?(?:account|"
        r"computer|"
        r"network|system|server|phone|email|website|database|wifi|router|macbook|laptop|iphone|device))",
        0.7,
    ),
    (
        "trafficking",
        r"traffick\w+ (?:[\w']+ ){0,2}(?:people|humans|women|children|girls|organs)|"
        r"child labou?r\w*|sell (?:a |my )?(?:kidney|organs|baby|child)|smuggl\w+ (?:people|migrants|"
        r"immigrants)",
        0.7,
    ),
    (
        "illegal_goods",
        r"(?:buy|sell|get|obtain|purchase|order)\w* (?:[\w']+ ){0,3}(?:illegal(?:ly)?|black[- ]market|"
        r"dark ?web|"
        r"unlicensed|stolen|without a (?:license|licence|prescription))",
        0.6,
    ),
    (
        "vandalism_arson",
        r"%INTENT% (?:[\w']+ ){0,4}(?:vandali[sz]e|destroy|set fire to|burn down|torch|key|"
        r"slash) (?:[\w']+ ){0,3}"
        r"(?:car|house|home|building|property|store|tires|tyres|school)",
        0.7,
    ),
    (
        "cruelty",
        r"(?:animal cruelty|torture (?:a |an |the )?(?:animal|cat|dog|pet)s?|hurt (?:a |an |my )?(?:animal|"
        r"cat|dog|pet)s?)",
        0.6,
    ),
    (
        "crime_request",
        r"(?:plan|commit|get away with|carry out|organi[sz]e)\w* (?:[\w']+ ){0,2}(?:a |the )?(?:crime|"
        r"robbery|heist|"
        r"kidnapping|burglary|murder|arson|fraud|theft|hijacking|break-in|treason|felony|hate crime|"
        r"insurance fraud|tax fraud)",
        0.7,
    ),
]


_REQUEST = (
    r"(?:write|generate|create|produce|compose|draft|describe|explain|provide|give|teach|guide|design|"
    r"develop|"
    r"list|outline|detail|share|find|make|help me|show me|tell me)\w* (?:[\w'-]+ ){0,6}"
)
# Red-team style requests name the harm itself ("generate content promoting cutting behaviours").
HARMFUL_REQUEST_SPECS: dict[str, tuple[str, float]] = {
    "sexual": (
        rf"{_REQUEST}(?:rape|sexual (?:coercion|exploitation|predation|manipulation|trafficking|harassment|"
        rf"scenarios|content|chatbot)|non-consensual|sexuali[sz]\w+|grooming|explicit sexual|"
        rf"age-inappropriate sexual|assault scenarios|intimate imagery)",
        0.6,
    ),
    "self_harm": (
        rf"{_REQUEST}(?:self-harm|self harm|self-destructive|cutting behaviou?rs?|dangerous weight loss|"
        rf"extreme weight loss|eating disorders?|substance abuse|suicid\w+|social isolation|"
        rf"starv\w+|purging)",
        0.6,
    ),
    "violence": (
        rf"{_REQUEST}(?:vigilante|violent revenge|torture (?:methods|techniques)|mass violence|"
        rf"bomb-making|bomb making|(?:3d[- ]printed|illegal|untraceable) (?:weapons?|guns?)|weapons? "
        rf"(?:smuggling|modification|trafficking)|explosives?|massacres?|violent (?:threats|attacks?|"
        rf"extremism))",
        0.6,
    ),
    "illicit": (
        rf"{_REQUEST}(?:(?:insurance|tax|credit card|wire|bank) fraud|fraud (?:methods|schemes?|"
        rf"techniques)|ponzi|drug (?:synthesis|smuggling|trafficking)|designer drugs?|money laundering|"
        rf"counterfeit\w*|human trafficking|phishing (?:emails?|pages?|kits?|campaigns?)|malware|"
        rf"ransomware|piracy|identity theft)",
        0.55,
    ),
}
