"""The exceptions register: accepted risks that mute FAIL and NEEDS_CONTEXT findings while in force.

An exception accepts a *known* risk. It never mutes ERROR (the data was not there to judge), MANUAL
(that needs an attestation, not an exception), PASS or NOT_APPLICABLE: a scan with gaps stays
visibly incomplete whatever the register says. A muted finding keeps the verdict the check gave in
``underlying_verdict`` and names the exception; a finding an expired (or not yet valid) exception
would have covered keeps its verdict and is flagged with that exception, so a lapsed approval is
seen rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.checks import CheckSet
from ..model import Verdict
from ..yamlfile import PathKey
from .document import Catalogue, RegisterFile, only_one, read_register, register_json
from .judging import Judge, Judged, deciding
from .selectors import Selector

SCHEMA = "exceptions.schema.json"
RESULTS_SCHEMA = "https://clearance.dev/schemas/exceptions-results.schema.json"
MUTABLE = frozenset({Verdict.FAIL.value, Verdict.NEEDS_CONTEXT.value})
"""Verdicts an exception can accept; every other verdict is left as it is."""


@dataclass(frozen=True)
class ExceptionEntry:
    id: str
    check: str | None
    control: str | None
    selector: Selector
    justification: str
    approver: str
    ticket: str | None
    created: dt.date
    expires: dt.date

    @property
    def checks(self) -> tuple[str, ...]:
        return (self.check,) if self.check is not None else ()

    @property
    def controls(self) -> tuple[str, ...]:
        return (self.control,) if self.control is not None else ()

    def covers(self, finding: Mapping[str, Any]) -> bool:
        named = finding["check_id"] in self.checks or any(c in self.controls for c in finding["control_ids"])
        return named and self.selector.matches(finding["resource"])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "control": self.control,
            "resources": self.selector.to_json(),
            "justification": self.justification,
            "approver": self.approver,
            "ticket": self.ticket,
            "created": self.created.isoformat(),
            "expires": self.expires.isoformat(),
        }


@dataclass(frozen=True)
class ExceptionRegister:
    """A validated register; judging it at a day is :class:`ExceptionRun`'s job."""

    source: RegisterFile
    entries: tuple[ExceptionEntry, ...]


def load_exceptions(path: Path | str, checks: CheckSet, *, display: str | None = None) -> ExceptionRegister:
    """Read and validate a register against the content pack ``checks`` comes from."""
    register = read_register(path, SCHEMA, display=display)
    register.unique_ids("exceptions")
    catalogue = Catalogue.of(checks)
    entries = []
    for i, item in enumerate(register.doc.data["exceptions"]):
        where: PathKey = ("exceptions", i)
        kind = only_one(register, where, item, ("check", "control"))
        target = catalogue.require(register, (*where, kind), kind, item[kind])
        created, expires = register.validity_days(where, item)
        entries.append(
            ExceptionEntry(
                id=item["id"],
                check=target if kind == "check" else None,
                control=target if kind == "control" else None,
                selector=Selector.parse(register, (*where, "resources"), item["resources"]),
                justification=item["justification"],
                approver=item["approver"],
                ticket=item.get("ticket"),
                created=created,
                expires=expires,
            )
        )
    return ExceptionRegister(register, tuple(entries))


class ExceptionRun:
    """The register judged at ``as_of`` and applied to findings as the engine streams them."""

    def __init__(self, register: ExceptionRegister, as_of: dt.date):
        self.register = register
        self.judge = Judge(register.entries, as_of)
        self.muted = 0

    def __call__(self, finding: dict[str, Any]) -> None:
        """Mute ``finding`` (in place) under the first exception in force covering it, or flag a lapsed one."""
        if finding["verdict"] not in MUTABLE:
            return
        covering = self.judge.covering(finding)
        if not covering:
            return
        chosen = deciding(covering)
        if chosen.in_force:
            finding["underlying_verdict"] = finding["verdict"]
            finding["verdict"] = Verdict.MUTED.value
            self.muted += 1
        entry = chosen.entry
        finding["exception"] = {"id": entry.id, "status": _status(chosen), "expires": entry.expires.isoformat()}

    def to_json(self, copy_name: str) -> dict[str, Any]:
        statuses = [_status(j) for j in self.judge.judged]
        return {
            "$schema": RESULTS_SCHEMA,
            "schema_version": "1",
            "as_of": self.judge.as_of.isoformat(),
            "register": register_json(self.register.source, copy_name),
            "totals": {
                **{s: statuses.count(s) for s in ("applied", "expired", "not_yet_valid", "unused")},
                "muted_findings": self.muted,
            },
            "exceptions": [
                {**j.entry.to_json(), "status": _status(j), "matched": len(j.findings), "findings": j.findings}
                for j in self.judge.judged
            ],
        }


def _status(judged: Judged[ExceptionEntry]) -> str:
    if not judged.in_force:
        return judged.validity.value
    return "applied" if judged.findings else "unused"
