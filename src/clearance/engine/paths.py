"""The path language of check conditions: ``A.B[0]."c:d"`` over a resource record.

Paths are parsed once when a check loads. Resolution distinguishes a value that is
absent from the response (``MISSING``) from an explicit ``null``: only the check author
may decide what absence means (``default:``), the engine never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([^.\[\]"]+)|\[(\d+|\*)\]|(\.)|\[\?([A-Za-z0-9_:\-]+)==\'([^\']*)\'\]')


@dataclass(frozen=True, slots=True)
class Select:
    """A ``[?key=='value']`` segment: the first list element whose ``key`` equals ``value``."""

    key: str
    value: str


META_FIELDS = frozenset({"id", "name", "region", "account", "type", "provider", "service", "tags", "dependency"})


class PathSyntaxError(ValueError):
    pass


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True, slots=True)
class Path:
    """A parsed path. ``meta`` paths (``@region``, ``@tags.env``) read the resource envelope."""

    text: str
    segments: tuple[str | int | Select, ...]
    meta: bool
    operation: str | None = field(init=False, compare=False)
    """First segment of a data path: the API operation whose response it reads."""
    _suffix: str | None = field(init=False, compare=False, repr=False)
    """The pointer below its prefix, when no selector makes it depend on the data."""

    def __post_init__(self) -> None:
        head = self.segments[0] if self.segments and not self.meta else None
        object.__setattr__(self, "operation", head if isinstance(head, str) else None)
        static = not any(isinstance(seg, Select) for seg in self.segments)
        suffix = "".join("/" + _escape(str(seg)) for seg in self.segments) if static else None
        object.__setattr__(self, "_suffix", suffix)

    def pointer(self, prefix: str, root: Any = None) -> str:
        """RFC 6901 pointer of this path below ``prefix`` (e.g. ``/data``).

        Selector segments become the index of the element they select in ``root`` (``-`` if none).
        """
        if self._suffix is not None:
            return prefix + self._suffix
        parts: list[str] = []
        node = root
        for seg in self.segments:
            if isinstance(seg, Select):
                items = node if isinstance(node, list) else []
                index = next(
                    (i for i, x in enumerate(items) if isinstance(x, dict) and x.get(seg.key) == seg.value),
                    None,
                )
                parts.append("-" if index is None else str(index))
                node = items[index] if index is not None else None
                continue
            parts.append(_escape(str(seg)))
            if isinstance(seg, int):
                node = node[seg] if isinstance(node, list) and seg < len(node) else None
            else:
                node = node.get(seg) if isinstance(node, dict) else None
        return prefix + "".join("/" + p for p in parts)

    def resolve(self, root: Any) -> Any:
        """Follow the segments; MISSING when a key or index does not exist."""
        node = root
        for seg in self.segments:
            if node is None:
                return None
            if isinstance(seg, str):
                if not isinstance(node, dict):
                    return MISSING
                node = node.get(seg, MISSING)
                if node is MISSING:
                    return MISSING
            elif isinstance(seg, Select):
                if not isinstance(node, list):
                    return MISSING
                node = next((x for x in node if isinstance(x, dict) and x.get(seg.key) == seg.value), MISSING)
                if node is MISSING:
                    return MISSING
            else:
                if not isinstance(node, list) or seg >= len(node):
                    return MISSING
                node = node[seg]
        return node


def parse_path(text: str) -> Path:
    if not isinstance(text, str) or not text:
        raise PathSyntaxError("path must be a non-empty string")
    meta = text.startswith("@")
    body = text[1:] if meta else text
    segments: list[str | int | Select] = []
    pos = 0
    expect_segment = True
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m:
            raise PathSyntaxError(f"unexpected character {body[pos]!r} at offset {pos} in path {text!r}")
        quoted, bare, index, dot, sel_key, sel_value = m.groups()
        if sel_key is not None:
            if expect_segment:
                raise PathSyntaxError(f"a selector needs a list before it in path {text!r}")
            segments.append(Select(sel_key, sel_value))
        elif dot:
            if expect_segment:
                raise PathSyntaxError(f"empty segment in path {text!r}")
            expect_segment = True
        elif index is not None:
            if index == "*":
                raise PathSyntaxError(f"'[*]' is not allowed in path {text!r}; use 'each:' to iterate")
            segments.append(int(index))
            expect_segment = False
        else:
            if not expect_segment:
                raise PathSyntaxError(f"missing '.' before {m.group(0)!r} in path {text!r}")
            segments.append(quoted.replace('\\"', '"') if quoted is not None else bare)
            expect_segment = False
        pos = m.end()
    if expect_segment and segments:
        raise PathSyntaxError(f"path {text!r} ends with '.'")
    if meta and (not segments or segments[0] not in META_FIELDS):
        raise PathSyntaxError(f"unknown resource field in {text!r}; one of: @{', @'.join(sorted(META_FIELDS))}")
    return Path(text, tuple(segments), meta)
