"""Strict JSON for security-relevant documents: the DSSE envelope and the signed statement.

Python's ``json`` silently keeps the *last* of two duplicate keys and accepts ``NaN`` and
``Infinity``; two parsers could then disagree about what was signed. Here both are errors, as
are a byte-order mark, invalid UTF-8 and documents over a size limit.
"""

from __future__ import annotations

import json
from typing import Any


class StrictJSONError(ValueError):
    """The document is not strict I-JSON; the message says why."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise StrictJSONError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not allowed")


def loads(data: bytes, *, max_bytes: int, what: str) -> Any:
    """Parse ``data`` strictly; ``what`` names the document in error messages."""
    if len(data) > max_bytes:
        raise StrictJSONError(f"{what} is {len(data)} bytes, over the limit of {max_bytes}")
    if data.startswith(b"\xef\xbb\xbf"):
        raise StrictJSONError(f"{what} starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StrictJSONError(f"{what} is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except StrictJSONError as exc:
        raise StrictJSONError(f"{what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
