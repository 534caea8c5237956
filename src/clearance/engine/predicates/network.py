"""Helpers for reasoning about network exposure: internet sources and port coverage."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

INTERNET_WORDS = frozenset({"*", "internet", "any", "0.0.0.0/0", "::/0", "0.0.0.0", "::"})


def is_internet(source: str | None) -> bool:
    """True for sources meaning "any address": ``0.0.0.0/0``, ``::/0``, ``*``, ``Internet``, ``Any``."""
    if source is None:
        return False
    text = str(source).strip().lower()
    if text in INTERNET_WORDS:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def parse_port_range(spec: str | int | None) -> tuple[int, int] | None:
    """``22``, ``"20-25"``, ``"*"`` -> inclusive (low, high); ``None`` when unparseable."""
    if spec is None:
        return None
    if isinstance(spec, int):
        return (spec, spec)
    text = str(spec).strip()
    if text in ("*", ""):
        return (0, 65535)
    low, sep, high = text.partition("-")
    try:
        lo = int(low)
        hi = int(high) if sep else lo
    except ValueError:
        return None
    return (min(lo, hi), max(lo, hi))


def covered(ports: Iterable[int], low: int, high: int) -> list[int]:
    """The ports of ``ports`` inside [low, high]."""
    return sorted(p for p in set(ports) if low <= p <= high)
