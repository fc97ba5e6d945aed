"""Prompt-injection and jailbreak cues in German, French, Spanish, Italian, Portuguese and Dutch.

Text is case-folded before matching (see text_norm), so "ß" arrives as "ss" and accents are kept.
German gets the most cues: it is the most common non-English language in public injection data.
"""

from __future__ import annotations

_DE_INSTRUCTIONS = (
    r"(?:anweisung\w*|instruktion\w*|befehl\w*|aufgabe\w*|regeln|eingabe\w*|vorgabe\w*|anordnung\w*|"
    r"auftr(?:ä|ae)ge\w*|prompts?|texte?s?|informationen|aussagen|ausf(?:ü|ue)hrungen|s(?:ä|ae)tze|"
    r"zeilen|nachrichten|worte|hinweise|alles|alle)"
)
_DE_EARLIER = (
    r"(?:vorherigen?|vorigen?|bisherigen?|obigen?|vorangegangenen?|vorausgegangenen?|vorhergehenden?|"
    r"fr(?:ü|ue)heren?|alten|ursprünglichen?|urspruenglichen?|ersten|gegebenen?|davor)"
)
_ROMANCE_INSTRUCTIONS = (
    r"(?:instructions?|consignes?|instrucciones|indicaciones|istruzioni|instruções|instrucoes|instructies|"
    r"r(?:è|e)gles|reglas|regole|regras|restricciones|restrictions|restrizioni|regels)"
)

MULTILINGUAL_INJECTION_SPECS: list[tuple[str, str, float] | tuple[str, str, float, bool]] = [
    (
        "de_ignore",
        rf"(?:ignorier\w*|vergiss|vergesst|vergessen sie|missacht\w*|verwirf|übergeh\w*|uebergeh\w*) "
        rf"(?:[\w']+ ){{0,4}}(?:{_DE_INSTRUCTIONS}|was (?:[\w']+ ){{0,4}}(?:gesagt|geschrieben|"
        rf"gegeben|steht|stand)|alles (?:davor|bisher|zuvor|oben)|(?:[\w']+ ){{0,2}}{_DE_EARLIER})|"
        rf"vergiss (?:alles|alle|die|deine|was|den|das|bisherige)|"
        rf"(?:alle|die|deine|ihre) {_DE_EARLIER} {_DE_INSTRUCTIONS}",
        0.8,
    ),
    (
        "de_void",
        rf"{_DE_INSTRUCTIONS} (?:[\w']+ ){{0,3}}(?:sind|ist|gelten|gilt) (?:ab )?(?:sofort |jetzt |nun |"
        rf"nicht mehr |ab sofort )*(?:ungültig|ungueltig|aufgehoben|nichtig|hinfällig|egal|irrelevant|"
        rf"nicht mehr gültig)",
        0.75,
    ),
    (
        "de_new_task",
        r"(?:neue|nächste|naechste|folgende) (?:aufgabe\w*|anweisung\w*|befehl\w*|instruktion\w*|regeln)|"
        r"nun folgen\w* (?:[\w']+ ){0,2}(?:anweisung\w*|aufgabe\w*|befehl\w*)|konzentrier\w* (?:dich|sie sich) "
        r"(?:jetzt |nun )?auf (?:deine|ihre|die) neue",
        0.55,
    ),
    (
        "de_reveal",
        r"(?:zeig|nenn|gib|verrat|schreib|druck|wiederhol|sag|gebe|zeige|nenne)\w* (?:mir |uns )?(?:[\w']+ )"
        r"{0,3}(?:system-?prompt\w*|system-?anweisung\w*|"
        r"systemnachricht\w*|prompt-?texte?|(?:deine|ihre|alle deine) (?:[\w']+ )?(?:anweisung\w*|"
        r"instruktion\w*|vorgaben|regeln)|passwort|geheime\w*)",
        0.65,
    ),
    (
        "de_role_switch",
        r"(?:du bist|sie sind) (?:jetzt|nun|ab jetzt|ab sofort)|ab (?:jetzt|sofort) (?:bist du|sind sie|"
        r"sollst du|wirst du|spielst du)|jetzt bist du|nun bist du",
        0.45,
    ),
    (
        "de_persona",
        r"(?:stell|stellen) (?:dir|sie sich) vor,? (?:du bist|sie sind|du w(?:ä|ae)rst|dass du|du seist)|"
        r"tu so,? als (?:ob |w(?:ä|ae)rst|seist|bist)|tun sie so,? als|(?:spiel|spiele|übernimm|"
        r"uebernimm|spielen sie) (?:die|eine) rolle|"
        r"(?:ich möchte|ich moechte|ich will),? dass (?:du|sie) (?:[\w']+ ){0,2}als (?:[\w'-]+ ){1,6}"
        r"(?:fungierst|fungieren|agierst|agieren|auftrittst|auftreten|handelst|handeln|arbeitest|arbeiten)",
        0.5,
    ),
    (
        "de_no_rules",
        r"(?:ohne|keine|keinerlei) (?:jegliche |irgendwelche |alle |moralische |ethische )?(?:einschränkung\w*|"
        r"einschraenkung\w*|regeln|grenzen|filter|zensur|moral|ethik|beschränkung\w*|beschraenkung\w*|"
        r"richtlinien|skrupel)|unzensiert\w*|ungefiltert\w*|b(?:ö|oe)se\w* (?:ki|chatbot|assistent\w*|bot)",
        0.5,
    ),
    (
        "romance_ignore",
        rf"(?:ignor\w*|olvid\w+|oubli\w+|dimentic\w+|esque[cç]\w+) (?:[\w']+ ){{0,2}}(?:les|las|los|le|as|os|"
        rf"tes|tus|vos|sus|tue|toutes|todas|tutte|todos|tous) (?:[\w']+ ){{0,2}}{_ROMANCE_INSTRUCTIONS}|"
        rf"(?:negeer|vergeet) (?:[\w']+ ){{0,3}}{_ROMANCE_INSTRUCTIONS}|(?:olvida|oublie|oubliez|dimentica|"
        rf"esqueça|esqueca) (?:todo|tout|tutto|tudo)\b|zaboravi sve|(?:olvid\w+|ignor\w+|oubli\w+|dimentic\w+) "
        rf"(?:todo )?(?:lo anterior|lo de arriba|lo que te (?:dije|dijeron)|ce qui pr(?:é|e)c(?:è|e)de|"
        rf"tout ce qui|quanto (?:detto )?sopra|tutto quello)",
        0.8,
    ),
    (
        "romance_reveal",
        r"(?:montre|affiche|donne|révèle|revele|muestra|dime|revela|mostra|rivela|dimmi)\w*(?:-moi)? "
        r"(?:[\w']+ ){0,3}(?:prompt (?:système|systeme|del sistema|di sistema|do sistema)|"
        r"(?:ton|tes|votre|vos|tu|tus|su|sus|il tuo|le tue|i tuoi) (?:[\w']+ )?"
        r"(?:prompt|instructions|instrucciones|istruzioni|consignes|r(?:è|e)gles|reglas|regole))",
        0.65,
    ),
    (
        "romance_role_switch",
        r"(?:maintenant|désormais|a partir de ahora|ahora|d'ora in poi|adesso|agora) (?:tu es|vous êtes|"
        r"eres|sei|você é|voce e)|(?:fais|faites|haz|fai|finge|finja) (?:comme si|como si|finta)",
        0.45,
    ),
]
