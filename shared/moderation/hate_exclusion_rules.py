"""Hate rules, part 2: exclusion, stereotypes, denial and requests for hateful content (Category.HATE)."""

from __future__ import annotations

EXCLUSION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "hate_them_after_group",
        r"%GROUP%[^!?]{0,80}(?:i|we) (?:really |just |absolutely |fucking |truly )?(?:hate|despise|"
        r"loathe|"
        r"detest|"
        r"can'?t stand) (?:them|all of them|those|these)",
        0.72,
    ),
    (
        "unwanted_group",
        r"(?:don'?t|do not|never) want (?:[\w']+ ){0,6}(?:a |an |any |those |these )?%GROUP%",
        0.55,
    ),
    (
        "does_not_belong",
        r"%GROUP% (?:[\w']+ ){0,2}(?:do not|don'?t|does not|doesn'?t|should not|shouldn'?t) (?:belong|"
        r"deserve (?:rights|respect|to live|to exist|a place)|have (?:a |any )?(?:place|right)|"
        r"have rights)|"
        r"no place for %GROUP%|%GROUP% (?:have|has) no (?:place|right)",
        0.75,
    ),
    (
        "go_back",
        r"go back to (?:your|their|the) (?:own )?(?:country|countries|jungle|cave|desert|africa|hut)",
        0.75,
    ),
    (
        "group_lacks_positive",
        r"%GROUP% (?:[\w']+ ){0,2}(?:(?:are|is|can|could|will|should|were|lives are|lives should)"
        r"(?:n't| not| never| no longer| never any| not even| never even)|aren'?t|isn'?t|can'?t|cannot|"
        r"won'?t|wouldn'?t|shouldn'?t|weren'?t|don'?t|doesn'?t) (?:[\w']+ ){0,2}(?:be )?(?:a |an |any )?"
        r"%POSITIVE%",
        0.7,
    ),
    ("no_group_can", r"no %GROUP% (?:can|could|will|should) ever be (?:[\w']+ ){0,2}%POSITIVE%", 0.7),
    (
        "lives_worthless",
        r"%GROUP% lives (?:don'?t|do not|dont) matter|%GROUP% lives (?:are|"
        r"aren'?t) (?:not )?worth (?:absolutely |"
        r"literally )?(?:nothing|less|shit)",
        0.8,
    ),
    (
        "group_takes_over",
        r"%GROUP% %FILL%(?:are |is )?(?:taking over|stealing|ruining|destroying|invading|replacing|"
        r"infesting|"
        r"flooding|overrunning|corrupting|brainwashing|grooming|poisoning) (?:[\w']+ ){0,2}(?:our|the|"
        r"this|"
        r"us)",
        0.65,
    ),
    (
        "group_steals_our",
        r"%GROUP% %FILL%(?:steal|take|taking|took|stole) (?:all )?(?:of )?our (?:jobs|country|women|"
        r"land|"
        r"money)",
        0.65,
    ),
    ("group_drain", r"%GROUP% %FILL5%(?:drain|burden|leech\w*|parasites?|strain) on", 0.65),
    (
        "better_without",
        r"(?:world|country|society|we|everyone) would be better (?:off )?without %GROUP%",
        0.8,
    ),
    (
        "should_not_allow",
        r"%GROUP% (?:[\w']+ ){0,2}(?:should not|shouldn'?t|should never|must not|"
        r"mustn'?t) (?:[\w']+ ){0,1}(?:be allowed to |"
        r"be permitted to |be admitted |be hired|be trusted|have (?:kids|children|rights|jobs|a say)|"
        r"breed|"
        r"reproduce|"
        r"vote|exist|marry|be born|adopt|be in charge|be (?:leaders|ceos|teachers|doctors)|"
        r"be allowed (?:in|into|near|around))",
        0.6,
    ),
    (
        "group_near_derogatory",
        r"%GROUP% %PLAIN_GAP%(?:%DEROGATORY%)",
        0.5,
        True,
    ),
    ("derogatory_near_group", r"(?:%DEROGATORY%) %PLAIN_GAP%%GROUP%", 0.45, True),
    ("never_trust_group", r"never (?:trust|hire|date|marry|let in|rent to) (?:a |an |any )?%GROUP%", 0.65),
    (
        "woman_place",
        r"(?:women|woman|females?|girls|wives|she)(?:'s)? (?:[\w']+ ){0,4}(?:belong|place is|"
        r"should stay|"
        r"should be|"
        r"is for|are for|are only good for|is only good for) (?:[\w']+ ){0,2}(?:in the kitchen|at home|"
        r"in the home|"
        r"barefoot|pregnant|silent|subservient|obedient|cooking|cleaning|making sandwiches)",
        0.72,
    ),
    (
        "woman_role",
        r"(?:right |proper )?place (?:for|of) (?:a |)(?:women|woman|females?|wives|girls) is",
        0.6,
    ),
    (
        "women_cannot",
        r"(?:women|woman|females|girls) (?:[\w']+ ){0,3}(?:shouldn'?t|should not|can'?t|cannot|"
        r"are unable to) "
        r"(?:be allowed to )?(?:vote|drive|lead|think|be (?:leaders|ceos|presidents|engineers|bosses|"
        r"in charge))",
        0.65,
    ),
    ("bad_drivers", r"(?:%GROUP%|she)[^.]{0,40}(?:bad|terrible|awful|worst) drivers?", 0.55),
    (
        "identity_is_illness",
        r"(?:homosexuality|being gay|being trans|being transgender|transgenderism|being bisexual|"
        r"the (?:gay|"
        r"queer|"
        r"trans) lifestyle|transitioning|transition) (?:is|are) (?:[\w']+ ){0,3}(?:a sin|sinful|"
        r"a (?:mental )?"
        r"(?:illness|disorder|disease)|unnatural|an abomination|disgusting|perverted|immoral|evil|"
        r"a waste)",
        0.75,
    ),
    ("nothing_but_group", r"nothing but (?:a |an |some )?(?:%GROUP%|%SLUR_MILD%)", 0.6),
    ("typical_group", r"typical (?:of )?(?:a |an )?%GROUP%", 0.5),
    (
        "genocide_approval",
        r"(?:holocaust|genocide|slavery|apartheid|jim crow|ethnic cleansing|segregation|"
        r"the final solution|"
        r"lynchings?|discrimination|racism|sexism|the slave trade) (?:[\w']+ ){0,3}(?:was|were|"
        r"is) (?:[\w']+ ){0,2}"
        r"(?:good|great|justified|necessary|a good thing|deserved|a hoax|fake|never happened|"
        r"exaggerated|"
        r"beneficial)",
        0.7,
    ),
    (
        "atrocity_denial",
        r"(?:convince|persuade|prove|show|claim|argue|make people believe|deny|"
        r"denying)\w* (?:[\w']+ ){0,6}(?:never "
        r"(?:happened|took place|existed)|(?:was|were) (?:a )?(?:complete |total )?(?:fabrication|"
        r"hoax|lie|"
        r"myth|fake|"
        r"exaggerat\w+))",
        0.65,
    ),
    (
        "restore_oppression",
        r"(?:restore|bring back|reinstate|return to) (?:[\w']+ ){0,2}(?:jim crow|segregation|slavery|"
        r"apartheid)",
        0.75,
    ),
    (
        "glorify_extremism",
        r"(?:write|generate|create|compose|draft|produce|make|give|post|"
        r"publish)\w*(?: me)? (?:[\w']+ ){0,6}"
        r"(?:glorif|prais|celebrat|justif|promot|defend)\w* (?:[\w']+ ){0,4}(?:the holocaust|nazis?|"
        r"nazi party|hitler|"
        r"genocide|slavery|the kkk|ku klux klan|ethnic cleansing|white supremac\w*|racism|"
        r"conversion therapy)",
        0.75,
    ),
    ("extremist_slogan", r"heil hitler|sieg heil|14/?88|white power|race war|gas the \w+|kill whitey", 0.8),
    (
        "hateful_content_request",
        r"(?:write|generate|create|compose|produce|draft|give me|tell me|make|come up with|list|"
        r"suggest)"
        r"(?: me)? (?:[\w']+ ){0,5}(?:racist|sexist|homophobic|transphobic|antisemitic|anti-semitic|"
        r"islamophobic|"
        r"xenophobic|bigoted|hateful|derogatory|demeaning|dehumani[sz]ing|degrading|discriminatory|"
        r"misogynistic|"
        r"ableist|offensive|inflammatory|supremacist|extremist|nazi|"
        r"white nationalist) (?:[\w']+ ){0,3}(?:jokes?|"
        r"conspiracy theories|conspiracies|manifestos?|ideology|recruitment|content|comments?|remarks?|"
        r"slurs?|insults?|posts?|essays?|"
        r"speech|messages?|tweets?|rants?|propaganda|names|statements?|things|material|text|"
        r"stereotypes?)",
        0.8,
    ),
    (
        "hate_request",
        r"(?:write|generate|create|produce|compose|draft|describe|explain|provide|give|make|spread)\w* "
        r"(?:[\w'-]+ ){0,6}(?:hate speech|(?:anti-[\w-]+|racist|hateful|extremist|nazi) propaganda|"
        r"discriminatory (?:hiring|practices|policies|laws)|denying (?:[\w']+ )?(?:genocides?|"
        r"the holocaust)|"
        r"holocaust denial|ethnic cleansing|racial slurs|supremacist)",
        0.65,
    ),
    (
        "harassment_request",
        r"(?:write|generate|create|produce|compose|draft|describe|provide|give|make|find|help me|plan|"
        r"organi[sz]e)\w* "
        r"(?:[\w'-]+ ){0,6}(?:harassment|harass\w*|bullying|cyberbullying|stalking|intimidation|"
        r"doxx?ing|"
        r"home address(?:es)?|private information|personal information|financial information|"
        r"witness protection|"
        r"targeting (?:individuals|vulnerable|people|someone|minorities)|humiliat\w+)",
        0.6,
    ),
    (
        "no_space_for_group",
        r"no (?:space|room|place) (?:on this planet |in this country |here |in our \w+ )?for (?:any |"
        r"a |an )?"
        r"%GROUP%|%GROUP% (?:will|can) never fit in|never trust (?:a |"
        r"any )?(?:single )?word (?:said )?(?:by|from) "
        r"(?:a |an |any )?%GROUP%|%GROUP% belongs? in (?:a |the )?(?:zoo|cage|jungle|trash|gutter)|"
        r"(?:(?:i|we) (?:have )?(?:no|zero) (?:compassion|sympathy|respect) (?:at all )?for|hatred for|"
        r"disdain for)"
        r" (?:[\w']+ ){0,2}%GROUP%|in (?:%GROUP%)'?s? nature to be",
        0.7,
    ),
    (
        "put_an_end",
        r"(?:put an end to|end|get rid of|eliminate) (?:all |those |these |the )?%GROUP%|"
        r"(?:murder|kill|shoot)\w* (?:a |an |the |every |that |those |these |all )?(?:next )?%GROUP%",
        0.75,
        True,
    ),
    (
        "slurs_for_group",
        r"(?:slurs?|insults?|derogatory (?:terms|names|words)) (?:for|about|against) %GROUP%",
        0.7,
    ),
    (
        "discriminate_group",
        r"%INTENT% (?:[\w']+ ){0,4}(?:discriminat\w+ against|segregat\w+|exclud\w+|persecut\w+|"
        r"oppress\w*) "
        r"(?:[\w']+ ){0,2}%GROUP%",
        0.6,
        True,
    ),
    (
        "group_discriminated",
        r"(?:should|must|ought to|"
        r"deserve to) (?:[\w']+ ){0,2}%GROUP% (?:[\w']+ ){0,2}(?:be )?(?:discriminated against|"
        r"treated as (?:second-class|inferior)|paid less|go through extra (?:security|checks|"
        r"screening)|"
        r"not be admitted)",
        0.55,
    ),
]
