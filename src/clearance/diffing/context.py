"""What changed around the findings: scope, profile, content pack, the set of checks, the registers.

A verdict can move because the workload changed, or because the scan was asked a different
question. These comparisons say which, so a committee does not read a profile change as a fix.
"""

from __future__ import annotations

import json
from typing import Any

from .coverage import Coverage
from .sides import Side


def compare_scope(old: Side, new: Side) -> dict[str, Any]:
    """Scope as given (accounts, regions, tags, exclusions, ...) and the accounts and regions actually scanned."""
    old_meta, new_meta = old.results.meta, new.results.meta
    before, after = old_meta.get("scope"), new_meta.get("scope")
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    fields = [
        _field(name, before.get(name), after.get(name))
        for name in sorted(before.keys() | after.keys())
        if not _same(before.get(name), after.get(name))
    ]
    scanned = {name: _sets(old_meta.get(name), new_meta.get(name)) for name in ("accounts", "regions")}
    provider = {"old": old.results.provider or None, "new": new.results.provider or None}
    changed = (
        bool(fields) or provider["old"] != provider["new"] or any(s["added"] or s["removed"] for s in scanned.values())
    )
    return {"changed": changed, "provider": provider, "fields": fields, "scanned": scanned}


def compare_profile(old: Side, new: Side) -> dict[str, Any]:
    """Profile digests, and every value of the resolved profile documents that differs (parameters named)."""
    before, after = _flatten(old.profile()), _flatten(new.profile())
    differences = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            differences.append({"path": path, "change": "removed", "old": before[path], "new": None})
        elif path not in before:
            differences.append({"path": path, "change": "added", "old": None, "new": after[path]})
        elif not _same(before[path], after[path]):
            differences.append({"path": path, "change": "changed", "old": before[path], "new": after[path]})
    parameters = sorted({d["path"].split(".")[1] for d in differences if d["path"].startswith("parameters.")})
    old_ref, new_ref = old.profile_ref(), new.profile_ref()
    digest_changed = (old_ref or {}).get("sha256") != (new_ref or {}).get("sha256")
    return {
        "changed": digest_changed or bool(differences),
        "old": old_ref,
        "new": new_ref,
        "parameters": parameters,
        "differences": differences,
    }


def compare_content_pack(old: Side, new: Side, old_coverage: Coverage, new_coverage: Coverage) -> dict[str, Any]:
    old_ref, new_ref = old.pack_ref(), new.pack_ref()
    return {
        "changed": (old_ref or {}).get("sha256") != (new_ref or {}).get("sha256"),
        "old": old_ref,
        "new": new_ref,
        "checks_added": sorted(new_coverage.checks - old_coverage.checks),
        "checks_removed": sorted(old_coverage.checks - new_coverage.checks),
    }


def compare_registers(old: Side, new: Side) -> dict[str, Any]:
    """Exceptions and attestations registers by file digest (their format is not compared entry by entry)."""
    before, after = old.registers(), new.registers()
    return {name: {"changed": before[name] != after[name], "old": before[name], "new": after[name]} for name in before}


def _field(name: str, before: Any, after: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": name, "old": before, "new": after, "added": None, "removed": None}
    if isinstance(before, list | None) and isinstance(after, list | None):
        entry.update(_sets(before, after))
    return entry


def _sets(before: Any, after: Any) -> dict[str, list[Any]]:
    """Items only in ``after`` (added) and only in ``before`` (removed), order ignored; objects compared by value."""
    before = before if isinstance(before, list) else []
    after = after if isinstance(after, list) else []
    old_keys, new_keys = {_canonical(v) for v in before}, {_canonical(v) for v in after}
    return {
        "added": [v for v in after if _canonical(v) not in old_keys],
        "removed": [v for v in before if _canonical(v) not in new_keys],
    }


def _same(before: Any, after: Any) -> bool:
    """Equal as JSON; lists of scope values are equal whatever their order."""
    if isinstance(before, list) and isinstance(after, list):
        return sorted(map(_canonical, before)) == sorted(map(_canonical, after))
    return _canonical(before) == _canonical(after)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"parameters": {"x": {"value": 1}}}`` -> ``{"parameters.x.value": 1}``; lists are leaves."""
    out: dict[str, Any] = {}
    for name, value in document.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{path}."))
        else:
            out[path] = value
    return out
