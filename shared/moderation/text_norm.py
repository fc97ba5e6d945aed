"""Text normalisation that undoes the cheap obfuscations people use to slip past word lists."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'"})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# A word that mixes letters with leet digits/symbols, e.g. "k1ll" or "n@zi"; plain numbers are left alone.
_LEET_WORD = re.compile(r"(?<![\w@$!])(?=[\w@$!]*[a-z])(?=[\w@$!]*[013457@$!])[a-z013457@$!]*[a-z][a-z013457@$!]*")
# Three or more single letters split by one separator: "q u e e r", "s.h.i.t", "k-i-l-l".
_SPACED_LETTERS = re.compile(r"\b[a-z](?:[ .\-_*][a-z]){2,}\b")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_MENTION = re.compile(r"@[a-z0-9_]+")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _collapse_spaced(match: re.Match[str]) -> str:
    letters = re.sub(r"[ .\-_*]", "", match.group(0))
    # "but a q u e e r" / "i h a t e": a leading article or pronoun is a word of its own.
    if len(letters) >= 4 and letters[0] in "ai" and match.group(0)[1] == " ":
        return letters[0] + " " + letters[1:]
    return letters


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    if _MENTION.fullmatch(word):
        return "@user"
    # A trailing "!" is punctuation, not an "i".
    core = word.rstrip("!")
    return core.translate(_LEET) + word[len(core) :]


def normalize(text: str) -> str:
    """Lower-cased, NFKC-folded text with leetspeak, spaced-out letters and elongations undone.

    The result is for matching only: offsets do not line up with the original text.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    folded = _INVISIBLE.sub("", folded).casefold()
    folded = _LEET_WORD.sub(_unleet, folded)
    folded = _SPACED_LETTERS.sub(_collapse_spaced, folded)
    folded = _ELONGATED.sub(r"\1\1", folded)
    return _SPACES.sub(" ", folded)


_QUOTED = re.compile(r'"[^"\n]{3,300}"')


def without_quotations(text: str) -> str:
    """Drop quoted passages when there is text around them.

    Counter-speech ("saying 'X' is vile") quotes hateful text in order to reject it, so the quoted part
    alone should not decide the verdict. A text that is nothing but a quotation is kept whole.
    """
    stripped = _QUOTED.sub(" ", text)
    return stripped if len(stripped.strip(" .,!?:;'\n")) >= 12 else text
