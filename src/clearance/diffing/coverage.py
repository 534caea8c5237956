"""Coverage of two scans compared per (check, provider, account, region), and why a finding is absent from a side.

Coverage is what keeps a diff honest: a finding missing from NEW is only a removed resource when
NEW evaluated that check there; when NEW could not evaluate it, the finding is missing because of a gap.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputFileError
from ..model import CoverageStatus
from .sides import Key, Side

CovKey = tuple[str, str, str, str]
"""(check id, provider, account, region); region ``*`` stands for the whole account."""

_STATUSES = frozenset(s.value for s in CoverageStatus)
_GAP = CoverageStatus.NOT_EVALUATED.value
_WHOLE_ACCOUNT = "*"


@dataclass
class Coverage:
    """One side's coverage entries by key, and the checks it ran."""

    entries: dict[CovKey, dict[str, Any]] = field(default_factory=dict)
    checks: set[str] = field(default_factory=set)

    def status(self, check_id: str, provider: str, account: str, region: str) -> str | None:
        entry = self.entries.get((check_id, provider, account, region)) or self.entries.get(
            (check_id, provider, account, _WHOLE_ACCOUNT)
        )
        return None if entry is None else str(entry["status"])

    def totals(self) -> dict[str, int]:
        """Entries per status, counted from coverage.json itself."""
        counts = dict.fromkeys(sorted(_STATUSES), 0)
        for entry in self.entries.values():
            counts[entry["status"]] += 1
        return counts

    def why_missing(self, key: Key) -> str:
        """Why this side has no finding for ``key`` (which the other side has)."""
        check_id, provider, account, region, _ = key
        if check_id not in self.checks:
            return "check_not_in_scan"
        status = self.status(check_id, provider, account, region)
        if status is None:
            return "not_in_coverage"
        if status == _GAP:
            return "not_evaluated"
        return "no_finding"


def load_coverage(side: Side) -> Coverage:
    where = side.where("coverage.json")
    out = Coverage()
    for index, entry in enumerate(side.coverage()):
        key = _key(entry, where, index)
        if key in out.entries:
            raise InputFileError(where, f"entry {index + 1} repeats {'/'.join(key)}", field=f"coverage[{index}]")
        out.entries[key] = entry
        out.checks.add(key[0])
    return out


def _key(entry: Any, where: str, index: int) -> CovKey:
    if not isinstance(entry, dict):
        raise InputFileError(where, f"entry {index + 1} is not an object", field=f"coverage[{index}]")
    parts = []
    for name in ("check_id", "provider", "account", "region"):
        value = entry.get(name)
        if not isinstance(value, str) or not value:
            raise InputFileError(where, f"entry {index + 1}: missing", field=f"coverage[{index}].{name}")
        parts.append(sys.intern(value))
    if entry.get("status") not in _STATUSES:
        raise InputFileError(
            where, f"entry {index + 1}: unknown status {entry.get('status')!r}", field=f"coverage[{index}].status"
        )
    check_id, provider, account, region = parts
    return check_id, provider, account, region


def compare_coverage(old: Coverage, new: Coverage, old_complete: bool, new_complete: bool) -> dict[str, Any]:
    """Every (check, provider, account, region) whose status differs; gaps NEW opened or closed are marked."""
    changes = []
    for key in sorted(old.entries.keys() | new.entries.keys()):
        before, after = old.entries.get(key), new.entries.get(key)
        was = None if before is None else str(before["status"])
        now = None if after is None else str(after["status"])
        if was == now:
            continue
        gap = "opened" if now == _GAP else "closed" if was == _GAP and now is not None else None
        check_id, provider, account, region = key
        changes.append(
            {
                "check_id": check_id,
                "provider": provider,
                "account": account,
                "region": region,
                "old": was,
                "new": now,
                "gap": gap,
                "error": after.get("error") if after is not None and now == _GAP else None,
            }
        )
    return {
        "old_complete": old_complete,
        "new_complete": new_complete,
        "counts": {
            "changed": len(changes),
            "gaps_opened": sum(c["gap"] == "opened" for c in changes),
            "gaps_closed": sum(c["gap"] == "closed" for c in changes),
            "new_not_evaluated": new.totals()[_GAP],
        },
        "changes": changes,
    }
