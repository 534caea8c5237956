"""Helpers for reasoning about network exposure: internet sources and port coverage."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from ..conditions import EvalContext, Outcome, UnknownKind, resolve_expected, unknown

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


def profile_ports(ctx: EvalContext, params: list[Any]) -> list[int] | Outcome:
    """The union of the profile's port-list parameters; UNKNOWN if one is not a list of ports."""
    ports: list[int] = []
    for p in params:
        value = resolve_expected(ctx, p)
        if not isinstance(value, list) or not all(isinstance(x, int) for x in value):
            return unknown(f"profile parameter {p.name} is not a list of ports", UnknownKind.CONTEXT)
        ports.extend(value)
    return sorted(set(ports))
