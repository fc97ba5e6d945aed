"""Rules for hate (demeaning protected groups) and harassment (abuse aimed at a person, doxxing).

Both feed Category.HATE, as in Azure AI Content Safety. Weights are hand-set: about 0.8 for an
unambiguous cue, about 0.5-0.65 for a cue that is usually but not always hateful, under 0.5 for cues
that only count together with others. Negative weights are counter-speech cues that dampen the score.
"""

from __future__ import annotations

from shared.moderation import lexicon
from shared.moderation.rules import Rule, make_rules

LEXICON = {name: value for name, value in vars(lexicon).items() if name.isupper()}

_BE = r"(?:are|is|r|were|was|will always be|will forever be|will only ever be|always be|can only be|being|remain)"

HATE_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("slur_strong", r"%SLUR_STRONG%", 0.8),
    ("slur_mild", r"%SLUR_MILD%", 0.5),
    ("slur_gendered", r"%SLUR_GENDERED%", 0.45),
    ("slur_homonym", r"%SLUR_HOMONYM%", 0.3),
    ("group_is_derogatory", rf"%GROUP% {_BE} (?:like )?%FILL%%DEROGATORY%", 0.78, True),
    ("derogatory_adjective_group",
     r"(?:filthy|dirty|stupid|disgusting|worthless|lazy|damn|damned|fucking|fuckin|bloody|retarded|ugly|smelly|"
     r"greedy|evil|sick|useless|vile|inferior|nasty|savage|subhuman|typical|stinking|stinky|thieving) %GROUP%", 0.6),
    ("group_should_be_harmed",
     r"%GROUP% %FILL%(?:should|must|ought to|need to|needs to|deserve to|deserves to|have to|has to|"
     r"are going to|is going to|would|will|can|could) (?:all |just |simply |really |finally |be |get )*"
     r"%HARM_TO_GROUP%", 0.85, True),
    ("group_should_die",
     r"%GROUP% %FILL%(?:should|must|ought to|deserve to|deserves to|need to|can|could|would|will|to) "
     r"(?:all |just |go |simply |really |finally |fucking |)*(?:die|rot|burn|suffer|disappear|go extinct|"
     r"fuck off|go fuck themselves|go to hell|get out|go back|be exterminated|not exist|be dead|drop dead)",
     0.85, True),
    ("deserve_death", r"%GROUP% %FILL5%deserves? (?:to die|death|to suffer|to be (?:shot|killed|hanged))", 0.85, True),
    ("harm_verb_group",
     r"(?:%HARM_VERB%) (?:all |the |these |those |every |each |any |more |some |off |of |all the |)*%GROUP%",
     0.8, True),
    ("hostile_feeling",
     r"(?:i|we|everyone|everybody|people) (?:\w+ ){0,2}(?:hate|despise|loathe|detest|can'?t stand|cannot stand|"
     r"am sick of|'m sick of|am tired of|am disgusted by|'m disgusted by|am pissed off by|'m pissed off by|"
     r"am so pissed off by|'m so pissed off by|don'?t trust|do not trust|dislike|have no respect for) "
     r"(?:\w+ ){0,2}%GROUP%", 0.72, True),
    ("hate_them_after_group",
     r"%GROUP%[^!?]{0,80}(?:i|we) (?:really |just |absolutely |fucking |truly )?(?:hate|despise|loathe|detest|"
     r"can'?t stand) (?:them|all of them|those|these)", 0.72),
    ("unwanted_group", r"(?:don'?t|do not|never) want (?:\w+ ){0,6}(?:a |an |any |those |these )?%GROUP%", 0.55),
    ("does_not_belong",
     r"%GROUP% (?:\w+ ){0,2}(?:do not|don'?t|does not|doesn'?t|should not|shouldn'?t) (?:belong|"
     r"deserve (?:rights|respect|to live|to exist|a place)|have (?:a |any )?(?:place|right)|have rights)|no place for %GROUP%|%GROUP% (?:have|has) no (?:place|right)",
     0.75),
    ("go_back", r"go back to (?:your|their|the) (?:own )?(?:country|countries|jungle|cave|desert|africa|hut)", 0.75),
    ("group_lacks_positive",
     r"(?:%GROUP%|no %GROUP%) (?:\w+ ){0,2}(?:are|is|can|could|will|should|were)(?:n't| not| never| no longer|"
     r" never any| not even| never even) (?:\w+ ){0,2}(?:be )?(?:a |an |any )?%POSITIVE%", 0.7),
    ("no_group_can", r"no %GROUP% (?:can|could|will|should) ever be (?:\w+ ){0,2}%POSITIVE%", 0.7),
    ("lives_worthless",
     r"%GROUP% lives (?:don'?t|do not|dont) matter|%GROUP% lives (?:are|aren'?t) (?:not )?worth (?:nothing|less|shit)",
     0.8),
    ("group_takes_over",
     r"%GROUP% %FILL%(?:are |is )?(?:taking over|stealing|ruining|destroying|invading|replacing|infesting|"
     r"flooding|overrunning|corrupting|brainwashing|grooming|poisoning) (?:\w+ ){0,2}(?:our|the|this|us)", 0.65),
    ("group_steals_our",
     r"%GROUP% %FILL%(?:steal|take|taking|took|stole) (?:all )?(?:of )?our (?:jobs|country|women|land|money)",
     0.65),
    ("group_drain", r"%GROUP% %FILL5%(?:drain|burden|leech\w*|parasites?|strain) on", 0.65),
    ("better_without", r"(?:world|country|society|we|everyone) would be better (?:off )?without %GROUP%", 0.8),
    ("should_not_allow",
     r"%GROUP% (?:\w+ ){0,2}(?:should not|shouldn'?t|should never|must not|mustn'?t) (?:\w+ ){0,1}(?:be allowed to |"
     r"be permitted to |be admitted |be hired|be trusted|have (?:kids|children|rights|jobs|a say)|breed|reproduce|"
     r"vote|exist|marry|be born|adopt|be in charge|be (?:leaders|ceos|teachers|doctors))", 0.6),
    ("never_trust_group", r"never (?:trust|hire|date|marry|let in|rent to) (?:a |an |any )?%GROUP%", 0.65),
    ("woman_place",
     r"(?:women|woman|females?|girls|wives|she)(?:'s)? (?:\w+ ){0,4}(?:belong|place is|should stay|should be|"
     r"is for|are for|are only good for|is only good for) (?:\w+ ){0,2}(?:in the kitchen|at home|in the home|"
     r"barefoot|pregnant|silent|subservient|obedient|cooking|cleaning|making sandwiches)", 0.72),
    ("woman_role", r"(?:right |proper )?place (?:for|of) (?:a |)(?:women|woman|females?|wives|girls) is", 0.6),
    ("women_cannot",
     r"(?:women|woman|females|girls) (?:\w+ ){0,3}(?:shouldn'?t|should not|can'?t|cannot|are unable to) "
     r"(?:be allowed to )?(?:vote|drive|lead|think|be (?:leaders|ceos|presidents|engineers|bosses|in charge))",
     0.65),
    ("bad_drivers", r"(?:%GROUP%|she)[^.]{0,40}(?:bad|terrible|awful|worst) drivers?", 0.55),
    ("identity_is_illness",
     r"(?:homosexuality|being gay|being trans|being transgender|transgenderism|being bisexual|the (?:gay|queer|"
     r"trans) lifestyle|transitioning|transition) (?:is|are) (?:\w+ ){0,3}(?:a sin|sinful|a (?:mental )?"
     r"(?:illness|disorder|disease)|unnatural|an abomination|disgusting|perverted|immoral|evil|a waste)", 0.75),
    ("nothing_but_group", r"nothing but (?:a |an |some )?(?:%GROUP%|%SLUR_MILD%)", 0.6),
    ("typical_group", r"typical (?:of )?(?:a |an )?%GROUP%", 0.5),
    ("genocide_approval",
     r"(?:holocaust|genocide|slavery|apartheid|jim crow|ethnic cleansing|segregation|the final solution|"
     r"lynchings?) (?:\w+ ){0,3}(?:was|were|is) (?:\w+ ){0,2}(?:good|great|justified|necessary|a good thing|"
     r"deserved|a hoax|fake|never happened|exaggerated)", 0.7),
    ("restore_oppression",
     r"(?:restore|bring back|reinstate|return to) (?:\w+ ){0,2}(?:jim crow|segregation|slavery|apartheid)", 0.75),
    ("glorify_extremism",
     r"(?:write|generate|create|compose|draft|produce|make|give|post|publish)\w*(?: me)? (?:\w+ ){0,6}"
     r"(?:glorif|prais|celebrat|justif|promot|defend)\w* (?:\w+ ){0,4}(?:the holocaust|nazis?|nazi party|hitler|"
     r"genocide|slavery|the kkk|ku klux klan|ethnic cleansing|white supremac\w*|racism)", 0.75),
    ("extremist_slogan", r"heil hitler|sieg heil|14/?88|white power|race war|gas the \w+|kill whitey", 0.8),
    ("hateful_content_request",
     r"(?:write|generate|create|compose|produce|draft|give me|tell me|make|come up with|list|suggest)"
     r"(?: me)? (?:\w+ ){0,5}(?:racist|sexist|homophobic|transphobic|antisemitic|anti-semitic|islamophobic|"
     r"xenophobic|bigoted|hateful|derogatory|demeaning|dehumani[sz]ing|degrading|discriminatory|misogynistic|"
     r"ableist|offensive) (?:\w+ ){0,3}(?:jokes?|content|comments?|remarks?|slurs?|insults?|posts?|essays?|"
     r"speech|messages?|tweets?|rants?|propaganda|names|statements?|things|material|text|stereotypes?)", 0.8),
    ("slurs_for_group", r"(?:slurs?|insults?|derogatory (?:terms|names|words)) (?:for|about|against) %GROUP%", 0.7),
    ("discriminate_group",
     r"%INTENT% (?:\w+ ){0,4}(?:discriminat\w+ against|segregat\w+|exclud\w+|persecut\w+|oppress\w*) "
     r"(?:\w+ ){0,2}%GROUP%", 0.6, True),
    ("group_discriminated",
     r"(?:should|must|ought to|deserve to) (?:\w+ ){0,2}%GROUP% (?:\w+ ){0,2}(?:be )?(?:discriminated against|"
     r"treated as (?:second-class|inferior)|paid less|go through extra (?:security|checks|screening)|"
     r"not be admitted)", 0.55),
]

HARASSMENT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("you_insult",
     r"(?:you'?re|youre|you are|you r|u r|ur|you|u|ya|yo) (?:are |is |such |so |a |an |the |just |really |"
     r"fucking |fuckin |freaking |damn |complete |total |absolute |little |big |stupid |dumb |fat |ugly |"
     r"biggest |nothing but |still |always |one |fat |dirty )*(?:%INSULT%)", 0.65),
    ("abusive_phrase",
     r"fuck (?:you|u|outta here|yourself)|go (?:fuck|kill) yourself|"
     r"kys|kill yourself|die in a (?:fire|hole|ditch)|drop dead|nobody (?:likes|loves|cares about) you|"
     r"i hope you (?:die|get \w+|rot|burn|suffer)|(?:eat|suck) (?:my |a )(?:dick|ass|cock)|"
     r"you (?:should|deserve to|need to) (?:die|rot|burn|be (?:shot|killed|raped))", 0.7),
    ("dismissive_phrase", r"shut (?:the fuck |the hell |)up|stfu|fuck off", 0.3),
    ("you_profanity", r"(?:you|u|ya|your|ur) (?:\w+ ){0,2}(?:%PROFANITY%)|(?:%PROFANITY%) (?:you|u)\b", 0.35),
    ("profanity", r"%PROFANITY%", 0.15),
    ("mention_slur", r"@user\S* (?:[^.!?]{0,60})(?:%SLUR_GENDERED%|%INSULT%)", 0.3),
    ("harassing_content_request",
     r"(?:write|generate|create|compose|draft|send|craft|come up with|give me)(?: me| a| an| some)? (?:\w+ ){0,5}"
     r"(?:insults?|threats?|threatening|(?:mean|nasty|cruel|abusive|harassing|bullying|humiliating|"
     r"intimidating|hateful|vicious|degrading) (?:\w+ )?(?:messages?|texts?|comments?|notes?|emails?|posts?|"
     r"letters?|tweets?|content|things))", 0.6),
    ("bully_intent",
     r"%INTENT% (?:\w+ ){0,4}(?:bully|harass|intimidate|humiliate|stalk|cyberbully|torment|terrori[sz]e|"
     r"blackmail|shame|dox+)", 0.75),
    ("doxxing", r"dox+(?:ing|ed|x)?|doxx\w*", 0.7),
    ("stalking", r"stalk(?:ing)? (?:\w+ ){0,2}(?:%PERSON%|ex|crush|celebrity)", 0.55),
    ("personal_info",
     r"(?:someone'?s|somebody'?s|a person'?s|people'?s|(?:my|his|her|their|this|that|a) (?:\w+ ){0,2}\w+'s|"
     r"his|her|their|individuals'?|family members'?) (?:\w+ ){0,1}(?:home |current |private |personal |real |"
     r"exact |residential |mobile |cell |phone |email )*(?:address(?:es)?|phone numbers?|mobile (?:phone )?numbers?|"
     r"email address(?:es)?|location|whereabouts|social security numbers?|ssn|date of birth|birth ?date|passwords?|"
     r"login(?: details| credentials)?|credentials|bank (?:details|account)|medical (?:records|history)|"
     r"ip address|real (?:name|identity|identities)|(?:personal|private|identifying) information|criminal record|"
     r"license plate)", 0.55),
    ("find_identity", r"(?:find|reveal|uncover|unmask|expose)\w* (?:\w+ ){0,3}(?:real )?(?:identit\w+|names?) "
     r"(?:\w+ ){0,2}(?:behind|of (?:anonymous|pseudonym))", 0.6),
    ("spy_on_person",
     r"(?:spy on|track|monitor|secretly record|hack into|read) (?:my |someone'?s |a )?(?:wife|husband|girlfriend|"
     r"boyfriend|partner|ex|someone|employee|kids?|neighbou?r)(?:'s)? (?:phone|location|messages|texts|"
     r"whereabouts|emails|chats)", 0.6),
    ("intimate_images",
     r"(?:intimate|private|nude|naked|revealing) (?:photos|pictures|images|videos|content|pics) (?:of|from) "
     r"(?:\w+ ){0,2}(?:%PERSON%|ex|crush|classmate|coworker|celebrit\w+)|find (?:\w+ ){0,2}intimate (?:photos|content)",
     0.6),
]

COUNTER_SPEECH_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("wrong_to_say",
     r"(?:wrong|not okay|not ok|unacceptable|disgusting|horrible|racist|sexist|hateful|bigoted|ignorant|"
     r"offensive|vile) (?:to|of you to) (?:be )?(?:say|saying|call|calling|think|claim|believe|tell|suggest|use|"
     r"using)", -0.65),
    ("rejecting_slur", r"why would you (?:think|say)|how dare you|don'?t (?:you )?(?:ever )?call (?:me|people|us)|"
     r"(?:is it|it'?s) (?:okay|ok|alright) to call", -0.55),
    ("sad_to_hear",
     r"(?:hurts|sad|sickening|disgusting|awful|terrible|hate it|tired of|sick of|upsetting|appalling) (?:\w+ ){0,5}"
     r"(?:saying|hearing|seeing|reading|people say|calling|claim)", -0.6),
    ("threats_punished",
     r"(?:threaten\w*|threats?|calls? to) (?:\w+ ){0,6}(?:will get you|gets you|should get you|is a crime|"
     r"is illegal|are illegal|thrown in jail|in prison|arrested|banned)", -0.6),
    ("reported_speech",
     r"(?:saying|calling|claiming|telling|believing|thinking|tweeting|posting|writing|say|said|says) (?:\w+ ){0,7}"
     r"(?:is|shows|makes you|says a lot|proves|just shows|only shows|reveals)\b", -0.55),
    ("punished_for_saying",
     r"(?:kicked|banned|suspended|fired|reported|removed|blocked|arrested|punished|sacked|consequences|prison|"
     r"jail|penalt\w+)(?: \w+){0,4} for (?:saying|writing|posting|tweeting|calling|telling|threat\w*)", -0.7),
    ("if_you_say", r"if you(?:'re| are)? (?:telling|calling|saying|say|call|tell)", -0.45),
    ("quoting_someone", r"(?:he|she|they|someone|people|you) (?:said|says|called|calls|wrote|tweeted|keep saying)",
     -0.35),
    ("opposing_hate",
     r"(?:stop|against|fight|fighting|condemn\w*|oppose|report\w*|challenge|call out) (?:\w+ ){0,3}(?:racism|"
     r"sexism|homophobia|transphobia|hate speech|bigotry|discrimination|antisemitism|islamophobia|hatred)", -0.35),
]


def build_hate_rules() -> list[Rule]:
    return [
        *make_rules("hate", HATE_SPECS, LEXICON),
        *make_rules("hate", HARASSMENT_SPECS, LEXICON),
        *make_rules("hate", COUNTER_SPEECH_SPECS, LEXICON),
    ]
