"""The literal strings a regular expression requires, read from its source with no private CPython module.

Python's own regex parser (`re._parser`) is private and changed shape between 3.10 and 3.11, and no
maintained library parses the syntax our rules use (lookbehinds, `\\b`, possessive and lazy repeats) into
a public tree. So this reads the subset of Python's syntax the rules use into a small tree, grouped as
Python's parser groups it (non-capturing groups join the sequence around them, the characters every
branch of an alternation starts with are taken out of it, an alternation of single characters is one
class), so the gates are the ones the rules were tuned with, and derives the literals every match holds.

Safety comes first: anything outside the subset (inline flags, back-references, conditionals, octal or
named escapes) makes the whole pattern yield no literal, so its rule is searched everywhere rather than
ever skipped wrongly. Parts that are understood but hold no literal (classes, `.`, lookarounds, anchors)
simply contribute none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A `{` that does not open a well-formed repeat bound is a literal `{`, as in Python.
_BOUNDS = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_CONTROL = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_ZERO_WIDTH = frozenset("bBAZ")
_CATEGORIES = frozenset("dDsSwW")


class UnsupportedSyntax(ValueError):
    """The pattern uses syntax this reader does not know; its rule gets no literal gate."""


@dataclass(frozen=True, slots=True)
class Lit:
    char: str


@dataclass(frozen=True, slots=True)
class Opaque:
    """One character or position without a known literal: a class, `.` or an anchor. `charset`: a class
    that is not negated, which an alternation of single characters merges into."""

    source: str
    charset: bool


@dataclass(frozen=True, slots=True)
class Lookaround:
    """Text a match looks at but does not hold, so its literals are not the match's."""

    source: str


@dataclass(frozen=True, slots=True)
class Group:
    """`plain`: non-capturing, so Python splices it into the sequence around it and literals join across it.
    Capturing and atomic groups stay whole."""

    items: tuple[Node, ...]
    plain: bool


@dataclass(frozen=True, slots=True)
class Branch:
    alternatives: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True, slots=True)
class Repeat:
    low: int
    items: tuple[Node, ...]


Node = Lit | Opaque | Lookaround | Group | Branch | Repeat
Pick = Callable[[list[frozenset[str]]], frozenset[str] | None]


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def peek(self, ahead: int = 0) -> str | None:
        index = self.pos + ahead
        return self.pattern[index] if index < len(self.pattern) else None

    def take(self, text: str) -> bool:
        if self.pattern.startswith(text, self.pos):
            self.pos += len(text)
            return True
        return False

    def next(self) -> str:
        char = self.peek()
        if char is None:
            raise UnsupportedSyntax("unexpected end of pattern")
        self.pos += 1
        return char

    def escape(self, *, in_class: bool) -> str | None:
        """The literal character after a backslash, or None for a class such as `\\w` (or `\\b` outside a class)."""
        char = self.next()
        if char in _CATEGORIES or (char in _ZERO_WIDTH and not in_class):
            return None
        if char in _CONTROL:
            return _CONTROL[char]
        if char in _HEX_DIGITS:
            digits = self.pattern[self.pos : self.pos + _HEX_DIGITS[char]]
            if len(digits) != _HEX_DIGITS[char] or any(digit not in "0123456789abcdefABCDEF" for digit in digits):
                raise UnsupportedSyntax(f"bad \\{char} escape")
            self.pos += len(digits)
            return chr(int(digits, 16))
        if char.isascii() and char.isalnum():
            raise UnsupportedSyntax(f"escape \\{char}")
        return char


def parse(pattern: str) -> tuple[Node, ...]:
    """The pattern as a tree, or UnsupportedSyntax when it leaves the subset read here."""
    reader = _Reader(pattern)
    items = _alternation(reader)
    if reader.pos != len(pattern):
        raise UnsupportedSyntax("unbalanced parenthesis")
    return tuple(items)


def _alternation(reader: _Reader) -> list[Node]:
    branches = [_sequence(reader)]
    while reader.take("|"):
        branches.append(_sequence(reader))
    if len(branches) == 1:
        return branches[0]
    head: list[Node] = []
    while all(branches) and isinstance(branches[0][0], Lit | Opaque) and all(b[0] == branches[0][0] for b in branches):
        head.append(branches[0][0])
        for branch in branches:
            del branch[0]
    if all(len(branch) == 1 and _is_char(branch[0]) for branch in branches):
        return [*head, Opaque("|".join(repr(branch[0]) for branch in branches), charset=True)]
    return [*head, Branch(tuple(tuple(branch) for branch in branches))]


def _is_char(node: Node) -> bool:
    return isinstance(node, Lit) or (isinstance(node, Opaque) and node.charset)


def _sequence(reader: _Reader) -> list[Node]:
    items: list[Node] = []
    while (char := reader.peek()) is not None and char not in "|)":
        start = reader.pos
        reader.pos += 1
        bounds = _BOUNDS.match(reader.pattern, start) if char == "{" and reader.peek() != "}" else None
        if char in "*+?" or bounds is not None:
            if bounds is not None:
                reader.pos = bounds.end()
            low = int(bounds.group(1) or 0) if bounds is not None else int(char == "+")
            items.append(_repeat(items, low, reader))
        elif char == "\\":
            literal = reader.escape(in_class=False)
            source = reader.pattern[start : reader.pos]
            items.append(Lit(literal) if literal is not None else Opaque(source, source[1] in _CATEGORIES))
        elif char == "[":
            items.append(_char_class(reader, start))
        elif char == "(":
            group = _group(reader, start)
            if group is not None:
                items.append(group)
        elif char in ".^$":
            items.append(Opaque(char, False))
        else:
            items.append(Lit(char))
    return [part for item in items for part in (item.items if isinstance(item, Group) and item.plain else (item,))]


def _repeat(items: list[Node], low: int, reader: _Reader) -> Repeat:
    """The last item repeated; a lazy (`?`) or possessive (`+`) repeat holds the same literals as a greedy one."""
    if not items or isinstance(items[-1], Repeat):
        raise UnsupportedSyntax("nothing to repeat")
    item = items.pop()
    if not reader.take("?"):
        reader.take("+")
    return Repeat(low, item.items if isinstance(item, Group) and item.plain else (item,))


def _char_class(reader: _Reader, start: int) -> Node:
    negated = reader.take("^")
    members: set[str] = set()
    wide = False
    while True:
        char = reader.next()
        if char == "]" and (members or wide):
            break
        first = reader.escape(in_class=True) if char == "\\" else char
        if reader.peek() == "-" and reader.peek(1) not in (None, "]"):
            reader.pos += 1
            last = reader.next()
            if last == "\\":
                reader.escape(in_class=True)
            wide = True
        elif first is None:
            wide = True
        else:
            members.add(first)
    if len(members) == 1 and not wide:
        return Opaque(reader.pattern[start : reader.pos], False) if negated else Lit(members.pop())
    return Opaque(reader.pattern[start : reader.pos], not negated)


def _group(reader: _Reader, start: int) -> Node | None:
    if reader.take("?#"):
        while reader.next() != ")":
            pass
        return None
    if reader.take("?:"):
        node: Node = Group(tuple(_alternation(reader)), plain=True)
    elif reader.take("?>"):
        node = Group(tuple(_alternation(reader)), plain=False)
    elif any(reader.take(opening) for opening in ("?=", "?!", "?<=", "?<!")):
        _alternation(reader)
        node = Lookaround(reader.pattern[start : reader.pos + 1])
    elif reader.peek() == "?":
        raise UnsupportedSyntax(f"group {reader.pattern[start : start + 4]!r}")
    else:
        node = Group(tuple(_alternation(reader)), plain=False)
    if not reader.take(")"):
        raise UnsupportedSyntax("missing )")
    return node


def literal_sets(pattern: str, pick: Pick) -> list[frozenset[str]]:
    """Sets of literals such that every match of `pattern` holds one literal of each set.

    A nested part (group, alternation, repeat) offers several such sets; it contributes the one `pick`
    chooses, or none when `pick` returns None. Empty when the pattern leaves the subset read here.
    """
    try:
        return _mandatory(parse(pattern), pick)
    except UnsupportedSyntax:
        return []


def _mandatory(items: Sequence[Node], pick: Pick) -> list[frozenset[str]]:
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for node in items:
        if isinstance(node, Lit):
            run.append(node.char)
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()
        found: frozenset[str] | None = None
        if isinstance(node, Group) or (isinstance(node, Repeat) and node.low >= 1):
            found = pick(_mandatory(node.items, pick))
        elif isinstance(node, Branch):
            branches = [pick(_mandatory(branch, pick)) for branch in node.alternatives]
            if all(branch is not None for branch in branches):
                found = frozenset().union(*(branch for branch in branches if branch is not None))
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    return candidates
