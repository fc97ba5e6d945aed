"""Route templates matched the way the Functions host does: literal segments win over parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
_PARAM = re.compile(r"^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$")

# Per-segment precedence, lower wins: literal, constrained parameter, parameter, catch-all.
LITERAL, CONSTRAINED, PARAMETER, CATCH_ALL = 0, 1, 2, 3
_CONSTRAINTS = {
    "int": re.compile(r"^-?\d+$"),
    "guid": re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$"),
    "alpha": re.compile(r"^[A-Za-z]+$"),
    "bool": re.compile(r"^(true|false)$", re.IGNORECASE),
}


@dataclass(frozen=True)
class Segment:
    kind: int
    text: str
    constraint: str | None = None
    optional: bool = False


@dataclass
class RouteTemplate:
    template: str
    segments: list[Segment] = field(init=False)

    def __post_init__(self) -> None:
        self.segments = [self._segment(part) for part in self.template.strip("/").split("/") if part]

    @staticmethod
    def _segment(part: str) -> Segment:
        match = _PARAM.match(part)
        if not match:
            return Segment(LITERAL, part.lower())
        star, name, constraint, optional = match.groups()
        if star:
            return Segment(CATCH_ALL, name, optional=True)
        if constraint and constraint not in _CONSTRAINTS:
            raise ValueError(f"route constraint {constraint!r} is not supported by the dev host")
        return Segment(CONSTRAINED if constraint else PARAMETER, name, constraint, bool(optional))

    @property
    def precedence(self) -> tuple[int, ...]:
        return tuple(segment.kind for segment in self.segments)

    def match(self, parts: list[str]) -> dict[str, Any] | None:
        params: dict[str, Any] = {}
        for index, segment in enumerate(self.segments):
            if segment.kind == CATCH_ALL:
                params[segment.text] = "/".join(parts[index:])
                return params
            if index >= len(parts):
                if segment.optional:
                    continue
                return None
            value = parts[index]
            if segment.kind == LITERAL:
                if value.lower() != segment.text:
                    return None
                continue
            if segment.constraint and not _CONSTRAINTS[segment.constraint].match(value):
                return None
            params[segment.text] = value
        return params if len(parts) <= len(self.segments) else None


def sort_by_precedence(routes: list[tuple[RouteTemplate, T]]) -> list[tuple[RouteTemplate, T]]:
    return sorted(routes, key=lambda item: item[0].precedence)
