"""Hate rules, part 1: slurs, derogation and calls for harm against protected groups (Category.HATE).

Weights are hand-set: about 0.8 for an unambiguous cue, about 0.5-0.65 for a cue that is usually but not
always hateful, under 0.5 for cues that only count together with others.
"""

from __future__ import annotations

DEROGATION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    ("slur_strong", r"%SLUR_STRONG%", 0.8),
    ("slur_mild", r"%SLUR_MILD%", 0.5),
    ("slur_gendered", r"%SLUR_GENDERED%", 0.45),
    ("slur_homonym", r"%SLUR_HOMONYM%", 0.3),
    ("group_is_derogatory", r"%GROUP% %BE% (?:like )?%FILL%%DEROGATORY%", 0.78, True),
    (
        "derogatory_adjective_group",
        r"(?:filthy|dirty|stupid|disgusting|worthless|lazy|damn|damned|fucking|fuckin|bloody|retarded|"
        r"ugly|"
        r"smelly|"
        r"greedy|evil|sick|useless|vile|inferior|nasty|savage|subhuman|typical|stinking|stinky|"
        r"thieving) %GROUP%",
        0.6,
    ),
    (
        "group_should_be_harmed",
        r"%GROUP% %FILL%(?:should|must|ought to|need to|needs to|deserve to|deserves to|have to|has to|"
        r"are going to|is going to|would|will|can|could) (?:all |just |simply |really |finally |be |"
        r"get )*"
        r"%HARM_TO_GROUP%",
        0.85,
        True,
    ),
    (
        "group_should_die",
        r"%GROUP% %FILL%(?:should|must|ought to|deserve to|deserves to|need to|can|could|would|will|"
        r"to) "
        r"(?:all |just |go |simply |really |finally |fucking |)*(?:die|rot|burn|suffer|disappear|"
        r"go extinct|"
        r"fuck off|go fuck themselves|go to hell|get out|go back|be exterminated|not exist|be dead|"
        r"drop dead)",
        0.85,
        True,
    ),
    (
        "deserve_death",
        r"%GROUP% %FILL5%deserves? (?:to die|death|to suffer|to be (?:shot|killed|hanged))",
        0.85,
        True,
    ),
    (
        "harm_verb_group",
        r"(?:%HARM_VERB%) (?:all |the |these |those |every |each |any |more |some |off |of |all the |"
        r")*%GROUP%",
        0.8,
        True,
    ),
    (
        "hostile_feeling",
        r"(?:i|we|i'm|im|we're|everyone|everybody|people) %FILL%(?:hate|despise|loathe|detest|"
        r"can'?t stand|"
        r"cannot stand|"
        r"am sick of|'m sick of|am tired of|am disgusted by|'m disgusted by|am pissed off by|"
        r"'m pissed off by|"
        r"am so pissed off by|'m so pissed off by|don'?t trust|do not trust|dislike|"
        r"have no respect for) "
        r"(?:[\w']+ ){0,2}%SLUR_TARGET%",
        0.72,
        True,
    ),
    (
        "disgusted_by_group",
        r"(?:disgusted|sickened|repulsed|revolted|pissed off|sick|tired|fed up|so done) (?:by|of|"
        r"with) (?:all |the |"
        r"these |those |you )*%GROUP%|%GROUP% (?:[\w']+ ){0,3}make me (?:sick|vomit|puke|"
        r"want to (?:puke|"
        r"vomit))|"
        r"(?:i|we) (?:feel|have) (?:nothing but |such |so much )?contempt for (?:all |the |these |"
        r"those )*"
        r"(?:%GROUP%|them)",
        0.72,
        True,
    ),
    (
        "death_to_group",
        r"death ?to (?:all |the |every )*%GROUP%|(?:only |the )?good %GROUP% (?:is|are) (?:a )?dead",
        0.85,
    ),
    ("rather_die", r"rather (?:die|kill myself|be dead) than (?:[\w']+ ){0,3}%GROUP%", 0.7),
    (
        "make_group_suffer",
        r"(?:see|make|watch|let|want) (?:all |the |these |those |them |"
        r"every )*%GROUP% (?:[\w']+ )?(?:suffer|die|"
        r"burn|rot|bleed|starve|disappear)|(?:not|never) let (?:any |a |an |those |"
        r"these )?%GROUP% (?:live|"
        r"exist|"
        r"survive|breed)",
        0.8,
        True,
    ),
    ("fuck_group", r"fu+ck ?(?:all |the |these |those |every |off )*%GROUP%", 0.75),
    ("only_group_so", r"only %GROUP% (?:can|could|would) be (?:so |this |that )%DEROGATORY%", 0.7),
    (
        "none_as_bad",
        r"(?:no one|nobody|nothing|no other group) (?:else )?(?:is|are) (?:as|so|more) (?:%DEROGATORY%|"
        r"worse) "
        r"(?:as|than) (?:these |those |the |your |)(?:%GROUP%|kind)|nothing worse than (?:your|their|"
        r"that) kind",
        0.75,
    ),
    (
        "if_group_then",
        r"if (?:you(?:'re| are)|he(?:'s| is)|she(?:'s| is)|they(?:'re| are)) (?:a |"
        r"an )?%GROUP%[^.!?]{0,30}"
        r"(?:you(?:'re| are)|he(?:'s| is)|she(?:'s| is)|they(?:'re| are)) %FILL%%DEROGATORY%",
        0.7,
    ),
    (
        "animal_smarter",
        r"(?:dog|monkey|pig|animal|cat|rat|chimp|ape|hamster|goldfish)s? (?:is|are) (?:smarter|"
        r"more intelligent|"
        r"cleaner|better|more useful|more human|worth more) than (?:[\w']+ ){0,3}%GROUP%",
        0.7,
    ),
    (
        "they_are_derogatory",
        r"%GROUP%[^!?]{0,80}\b(?:they|them|they're|theyre) (?:are |r |)(?:all |just |still |only |"
        r"really |"
        r"simply |basically |nothing but |such |so |the |a |an |common |complete |total |"
        r"absolute )*%DEROGATORY%",
        0.6,
        True,
    ),
    (
        "trans_misgendering",
        r"trans (?:women|woman) (?:are|is) (?:just |really |still |actually |biologically |biological |"
        r"only )?"
        r"(?:men|males|a man|dudes|guys)|trans (?:men|man) (?:are|is) (?:just |really |still |"
        r"actually |"
        r"biologically |biological |only )?(?:women|females|a woman|girls)",
        0.7,
    ),
    (
        "women_too",
        r"(?:women|woman|females|girls|she) (?:are|is|r) (?:just |all |simply )?(?:too|so|"
        r"way too) (?:emotional|weak|"
        r"stupid|dumb|hysterical|irrational|sensitive|fragile)",
        0.6,
    ),
    (
        "muslim_terror",
        r"(?:muslims?|arabs?|middle easterners?|hijabs?|turbans?|islam|burqas?)[^.!?]{0,40}\b(?:bombs?|"
        r"terroris\w+|jihad\w*|blow (?:[\w']+ )?up)",
        0.6,
    ),
    (
        "only_good_for",
        r"(?:%GROUP%|you people|they) (?:are|is|r) (?:only|just|mostly|all|really) good (?:for|at) ",
        0.6,
    ),
    (
        "not_human_question",
        r"(?:are|is) %GROUP% (?:even |really |actually |truly )?(?:human|people|humans)\?",
        0.6,
    ),
    (
        "group_blamed",
        r"%GROUP% (?:are|is|were) (?:[\w']+ ){0,2}(?:responsible for|to blame for|the cause of|"
        r"the reason for|"
        r"behind) (?:[\w']+ ){0,3}(?:crime|problems|the breakdown|decline|decay|destruction|downfall|"
        r"ruin|"
        r"all|"
        r"everything|covid|disease|aids|terrorism|violence)",
        0.6,
    ),
    (
        "group_freeloading",
        r"%GROUP%[^.!?]{0,60}\b(?:live off|leech off|sponge off|mooch\w*|never integrate|"
        r"refuse to integrate|"
        r"won'?t integrate|on welfare|taxpayer (?:money|dollars))",
        0.6,
    ),
    (
        "destroyed_by_group",
        r"(?:destroyed|ruined|invaded|taken over|overrun|replaced|polluted|infested|"
        r"flooded) by (?:the |"
        r"these |"
        r"those |all )?%GROUP%",
        0.65,
    ),
    ("too_many_group", r"too many ?(?:[\w']+ )?(?:%GROUP%|%SLUR_STRONG%|%SLUR_MILD%)", 0.5),
    ("throat_cut", r"(?:cut|slit|slash)\w* (?:[\w']+ ){0,3}throats?|throats? cut", 0.5),
    (
        "not_allowed_to_exist",
        r"should(?:n'?t| not) be allowed to (?:exist|live|breed|have kids|reproduce)",
        0.55,
    ),
    (
        "slur_insult",
        r"(?:dumb|stupid|fat|ugly|dirty|filthy|fucking|fuckin|lil|little|silly|crazy|nasty|broke|bad|"
        r"old|"
        r"hating|"
        r"ass|nappy|trifling|thot|lying|sorry|bum|weak) (?:ass )?%SLUR_GENDERED%|"
        r"(?:'s|is|are|was|were|you|ur|you're|youre|y'?all|these|those|dem|them|all) (?:a |an |"
        r"such a |such |"
        r"some |being a |)(?:[\w']+ )?%SLUR_GENDERED%|(?:those|these|you|ya|bunch of|"
        r"all) (?:[\w']+ )?pussies",
        0.62,
    ),
    ("you_are_gay", r"(?:you'?re|youre|you are|ur) (?:so |such a |fucking |fuckin )+(?:gay|homo|queer)", 0.6),
]
