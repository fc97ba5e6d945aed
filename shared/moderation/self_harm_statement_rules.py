"""Self-harm written as first-person statements (ideation, plans, acts) rather than as requests.

Accidents ("I cut myself chopping onions") and talk about helping others are left alone: the cues need
the speaker to be the one who wants to die or who hurts themselves on purpose.
"""

from __future__ import annotations

_ME = r"(?:i|i'm|im|i am|i've|ive|i have|i'll|i will|i keep|i)"

SELF_HARM_STATEMENT_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "self_injury_act",
        r"(?<!accidentally )(?:cut|cutting|burn|burning|burned|burnt|scratch\w*|hit|hitting|punch\w*|"
        r"bang\w*|carv\w+) (?:on )?myself(?! (?:while|when|on|by accident|accidentally|shaving|cooking|"
        r"chopping|slicing|opening|with a (?:kitchen|bread|paper|can)|in the kitchen|last time i cooked))",
        0.7,
    ),
    (
        "relapse",
        r"(?:i|i'm|im|i am|i've|ive|i have|started|start) (?:been |was )?(?:cutting|burning myself|"
        r"self[- ]harming)(?! (?:back|down|out|costs|corners|the|it|my (?:hair|nails)|class|school|calories|"
        r"carbs|sugar|ties))|my (?:fresh |new )?(?:self[- ]harm |cutting )?scars (?:on my|from cutting)|"
        r"relaps\w* (?:[\w']+ ){0,2}(?:cutting|self[- ]harm)",
        0.6,
    ),
    (
        "death_wish",
        r"(?:i|i've|ive) (?:just |really |honestly |sometimes |often )?(?:wish|wished) (?:i (?:was|were|"
        r"could be|would be) dead|i (?:had )?never (?:been born|existed|woke up)|i could (?:die|disappear "
        r"forever|just die|stop existing|go to sleep forever)|i would die)|(?:everyone|everybody|"
        r"the world|they|my family|people) (?:would be|is|are) better off without me|nobody would "
        r"(?:even )?(?:care|notice|miss me) if i (?:died|was gone|were gone|disappeared|killed myself)|"
        r"(?:i|i'm|im) (?:don'?t|do not) deserve to (?:live|be alive|exist|be here)|"
        r"(?:i|i'm|im) (?:don'?t|do not) want to (?:wake up|be here|be alive|live|exist) (?:anymore|any more|"
        r"tomorrow)|(?:i'm|im|i am) (?:going to|gonna) (?:end it|end things|do it) (?:tonight|tomorrow|soon|"
        r"this week|this weekend|today|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)|"
        r"(?:i|i'm|im) (?:can'?t|cannot) (?:go on|do this) (?:anymore|any more|living)|"
        r"ready to (?:die|end it|go)|my (?:final|last) (?:goodbye|note|message) (?:to|before)",
        0.75,
    ),
    (
        "suicide_plan",
        rf"{_ME} [^.!?]{{0,40}}(?:swallow\w*|take|took|taking|down|downed) (?:all|every one of|a (?:whole )?"
        r"(?:bottle|bunch|handful|box) of|the (?:whole|entire|rest of the) (?:bottle|box|pack) of) "
        r"(?:[\w']+ ){0,4}(?:pills|tablets|meds|medication|sleeping pills|painkillers|paracetamol|tylenol)|"
        rf"{_ME} [^.!?]{{0,40}}(?:jump\w* (?:off|from) (?:the|a|my|this) (?:[\w']+ )?(?:bridge|roof|building|"
        r"cliff|balcony|tower|overpass)|jump\w* in front of (?:a|the) (?:train|bus|truck|car|subway)|"
        r"hang\w* myself|drown\w* myself|slit\w* my wrists?|(?:shoot|shooting) myself|"
        r"(?:rope|noose) (?:for|around) my (?:neck|self))",
        0.75,
    ),
    (
        "hopeless",
        r"(?:i|i'm|im|i am) (?:so |just |really )?(?:hate myself|hate my life|worthless|a burden|"
        r"tired of (?:living|being alive|life)|done with (?:life|living|everything))|"
        r"i (?:just )?want (?:everything|it all|the pain|it|this) to (?:stop|end|be over)|no (?:point|reason) "
        r"(?:in|to) (?:living|going on|being alive)|(?:can'?t|cannot) take (?:it|this|the pain) any ?more",
        0.35,
    ),
]
