"""Findings of two scans compared by key, streaming: one map of key -> verdict, whatever the scan size.

Every finding key of either side lands in exactly one category, so the counts add up to the
union of both scans. OLD is read twice (to build the map, then to describe the findings NEW
lacks), NEW once; nothing else is held but the entries reported.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Any

from ..errors import InputFileError
from ..model import Severity, Verdict
from .coverage import Coverage
from .sides import Key, Side, Verdicts, verdicts

CATEGORIES = ("new_failures", "fixed", "changed", "added", "removed")


class _Seen(Enum):
    """Map values once NEW has been read: the key is on both sides, or only in NEW."""

    BOTH = 1
    NEW_ONLY = 2


def compare_findings(
    old: Side, new: Side, old_coverage: Coverage, new_coverage: Coverage
) -> tuple[dict[str, Any], tuple[Counter[str], Counter[str]]]:
    """The findings section, and each side's verdicts counted on the way."""
    state: dict[Key, Verdicts | _Seen] = {}
    old_verdicts, new_verdicts = Counter[str](), Counter[str]()
    for key, finding in old.findings():
        if key in state:
            raise _duplicate(old, key)
        state[key] = verdicts(finding)
        old_verdicts[finding["verdict"]] += 1
    found: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    unchanged = 0
    for key, finding in new.findings():
        before = state.get(key)
        if isinstance(before, _Seen):
            raise _duplicate(new, key)
        state[key] = _Seen.NEW_ONLY if before is None else _Seen.BOTH
        new_verdicts[finding["verdict"]] += 1
        now = verdicts(finding)
        category = _categorise(before, now)
        if category is None:
            unchanged += 1
            continue
        missing = old_coverage.why_missing(key) if before is None else None
        found[category].append(_entry(key, finding, before, now, missing))
    for key, finding in old.findings():
        seen = state.get(key)
        if seen is None:  # not there on the first pass
            raise InputFileError(old.where("findings.json"), "changed while diff was reading it")
        if not isinstance(seen, _Seen):
            found["removed"].append(_entry(key, finding, verdicts(finding), None, new_coverage.why_missing(key)))
    old_resources = {key[1:] for key, value in state.items() if value is not _Seen.NEW_ONLY}
    new_resources = {key[1:] for key, value in state.items() if isinstance(value, _Seen)}
    for category, entries in found.items():
        entries.sort(key=_severity_first if category == "new_failures" else _by_key)
    counts = {c: len(found[c]) for c in CATEGORIES}
    counts["removed_failing"] = sum(_failing(e["old"]) for e in found["removed"])
    counts["unchanged"] = unchanged
    counts["old_total"] = sum(old_verdicts.values())
    counts["new_total"] = sum(new_verdicts.values())
    section = {
        "counts": counts,
        "resources": {
            "added": len(new_resources - old_resources),
            "removed": len(old_resources - new_resources),
        },
        **found,
    }
    return section, (old_verdicts, new_verdicts)


def _categorise(before: Verdicts | None, now: Verdicts) -> str | None:
    """A new FAIL whatever came before; FAIL -> PASS is fixed; any other move is changed (docs/diff.md)."""
    if now[0] == Verdict.FAIL and (before is None or before[0] != Verdict.FAIL):
        return "new_failures"
    if before is None:
        return "added"
    if before == now:
        return None
    if before[0] == Verdict.FAIL and now[0] == Verdict.PASS:
        return "fixed"
    return "changed"


def _entry(
    key: Key, finding: dict[str, Any], before: Verdicts | None, now: Verdicts | None, missing: str | None
) -> dict[str, Any]:
    check_id, provider, account, region, resource_id = key
    resource = finding["resource"]
    return {
        "check_id": check_id,
        "title": str(finding.get("title") or ""),
        "severity": finding["severity"],
        "provider": provider,
        "account": account,
        "region": region,
        "resource_id": resource_id,
        "resource_name": str(resource.get("name") or ""),
        "resource_type": str(resource.get("type") or ""),
        "old": _ref(before),
        "new": _ref(now),
        "reason": str(finding.get("reason") or ""),
        "missing_because": missing,
    }


def _ref(pair: Verdicts | None) -> dict[str, str | None] | None:
    return None if pair is None else {"verdict": pair[0], "underlying_verdict": pair[1]}


def _failing(ref: dict[str, str | None] | None) -> bool:
    return ref is not None and Verdict.FAIL in (ref["verdict"], ref["underlying_verdict"])


def _by_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return entry["check_id"], entry["provider"], entry["account"], entry["region"], entry["resource_id"]


def _severity_first(entry: dict[str, Any]) -> tuple[int, tuple[str, ...]]:
    return -Severity(entry["severity"]).rank, _by_key(entry)


def _duplicate(side: Side, key: Key) -> InputFileError:
    check_id, provider, account, region, resource_id = key
    return InputFileError(
        side.where("findings.json"),
        f"two findings of {check_id} on {resource_id} ({provider} {account} {region}): the file is corrupt",
    )
