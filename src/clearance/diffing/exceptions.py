"""Exceptions of two scans compared by id, from each scan's ``exceptions.json`` (how its register was applied).

An exception that lapsed between two scans is what turns a MUTED finding back into a failure; the
committee sees it here by name, next to the findings it no longer covers (in ``new_failures``).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputFileError
from .sides import Side

RESULTS = "exceptions.json"
_FIELDS = ("status", "expires", "matched", "check", "control")
"""What is compared and shown of each exception (beside its id)."""
_EXPIRED = "expired"


def compare_exceptions(old: Side, new: Side) -> dict[str, Any]:
    """added / removed (by id), expired (in force in OLD, expired in NEW) and otherwise changed exceptions."""
    before_doc, after_doc = old.optional(RESULTS), new.optional(RESULTS)
    before, after = _by_id(old, before_doc), _by_id(new, after_doc)
    out: dict[str, Any] = {
        "old": _header(before_doc),
        "new": _header(after_doc),
        "added": [after[i] for i in sorted(after.keys() - before.keys())],
        "removed": [before[i] for i in sorted(before.keys() - after.keys())],
        "expired": [],
        "changed": [],
    }
    for ident in sorted(before.keys() & after.keys()):
        was, now = before[ident], after[ident]
        fields = [f for f in _FIELDS if was[f] != now[f]]
        if not fields:
            continue
        category = "expired" if now["status"] == _EXPIRED and was["status"] != _EXPIRED else "changed"
        out[category].append({"id": ident, "fields": fields, "old": was, "new": now})
    return out


def _by_id(side: Side, document: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if document is None:
        return {}
    where = side.where(RESULTS)
    items = document.get("exceptions")
    if not isinstance(items, list):
        raise InputFileError(where, "no 'exceptions' list", field="exceptions")
    out: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            raise InputFileError(where, f"exception {index + 1} has no id", field=f"exceptions[{index}].id")
        if ident in out:
            raise InputFileError(where, f"exception id {ident!r} appears twice", field=f"exceptions[{index}].id")
        out[ident] = {"id": ident, **{f: item.get(f) for f in _FIELDS}}
    return out


def _header(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is None:
        return None
    register = document.get("register")
    return {
        "as_of": document.get("as_of"),
        "register_sha256": register.get("sha256") if isinstance(register, dict) else None,
        "totals": document.get("totals") if isinstance(document.get("totals"), dict) else {},
    }
