"""Judge a register's entries at one day and find, for each finding, the entries that cover it.

Exceptions and attestations follow the same rule: among the entries covering a finding, the first
one in force (in register order) is the one that counts; if none is in force, the first one is
still named on the finding with its status (expired, not yet valid), so a lapse is visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .dates import Validity, validity


class Entry(Protocol):
    """What a register entry must offer to be judged."""

    @property
    def id(self) -> str: ...

    @property
    def created(self) -> dt.date: ...

    @property
    def expires(self) -> dt.date: ...

    @property
    def checks(self) -> tuple[str, ...]: ...

    @property
    def controls(self) -> tuple[str, ...]: ...

    def covers(self, finding: Mapping[str, Any]) -> bool: ...


E = TypeVar("E", bound=Entry)


@dataclass
class Judged(Generic[E]):
    position: int
    entry: E
    validity: Validity
    findings: list[dict[str, str]] = field(default_factory=list)
    """The findings it covers (for exceptions: the FAIL / NEEDS_CONTEXT ones; for attestations: MANUAL)."""

    @property
    def in_force(self) -> bool:
        return self.validity is Validity.IN_FORCE


class Judge(Generic[E]):
    """A register's entries judged at ``as_of``, indexed by the checks and controls they name."""

    def __init__(self, entries: Sequence[E], as_of: dt.date):
        self.as_of = as_of
        self.judged = [Judged(n, e, validity(e.created, e.expires, as_of)) for n, e in enumerate(entries)]
        self._by_check: dict[str, list[Judged[E]]] = {}
        self._by_control: dict[str, list[Judged[E]]] = {}
        for judged in self.judged:
            for check in judged.entry.checks:
                self._by_check.setdefault(check, []).append(judged)
            for control in judged.entry.controls:
                self._by_control.setdefault(control, []).append(judged)

    def covering(self, finding: Mapping[str, Any]) -> list[Judged[E]]:
        """Entries covering ``finding``, in register order; each records the finding."""
        candidates = list(self._by_check.get(finding["check_id"], ()))
        for control in finding["control_ids"]:
            candidates.extend(self._by_control.get(control, ()))
        unique = {j.position: j for j in candidates if j.entry.covers(finding)}
        out = [unique[n] for n in sorted(unique)]
        resource = finding["resource"]
        ref = {
            "check_id": finding["check_id"],
            "account": resource["account"],
            "region": resource["region"],
            "resource_id": resource["id"],
            "verdict": finding["verdict"],
        }
        for judged in out:
            judged.findings.append(ref)
        return out


def deciding(covering: Sequence[Judged[E]]) -> Judged[E]:
    """The entry that counts for a finding: the first in force, else the first (to flag the lapse)."""
    return next((j for j in covering if j.in_force), covering[0])
