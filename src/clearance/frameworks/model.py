"""Frozen types for frameworks and their per-requirement results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Text = Mapping[str, str]
"""Bilingual text: ``{"en": ..., "ko": ...}``."""


class RequirementClass(StrEnum):
    """How much of a requirement a configuration scan can decide, for one cloud."""

    AUTOMATED = "automated"
    """Checks decide all of it."""
    PARTIAL = "partial"
    """Checks decide part; a person attests the rest."""
    MANUAL = "manual"
    """Only an attestation can satisfy it."""
    NOT_APPLICABLE = "not_applicable"
    """Outside what a cloud-configuration scan can or should show (the note says why)."""


class RequirementStatus(StrEnum):
    """The answer for one requirement in one scan."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    """At least one selected check failed (and no exception accepted it)."""
    PARTLY = "partly"
    """What was evaluated holds, but part of the requirement is not covered or awaits an attestation."""
    MANUAL_PENDING = "manual_pending"
    """Needs an attestation that is absent or expired."""
    NOT_EVALUATED = "not_evaluated"
    """The checks could not be evaluated (errors, denied calls, missing context): no claim either way."""
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Provenance:
    """Where a requirement's text comes from, and how sure we are of it."""

    confidence: str
    """``C`` confirmed in a cited source, ``P`` partly confirmed, ``U`` uncertain (interpretation)."""
    source: str


@dataclass(frozen=True)
class Requirement:
    id: str
    title: Text
    classes: Mapping[str, RequirementClass]
    """Provider -> class, for every provider of the framework."""
    controls: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    """When non-empty, exactly these checks decide the requirement."""
    section: Text | None = None
    text: Text | None = None
    provenance: Provenance | None = None
    attestation: Text | None = None
    """What a person must attest for the manual part."""
    note: Text | None = None

    def class_for(self, provider: str) -> RequirementClass:
        return self.classes.get(provider, RequirementClass.NOT_APPLICABLE)


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: Text
    publisher: str
    kind: str
    source: str
    providers: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    file: str
    """Where it was loaded from (``checks/frameworks/<id>.yaml`` for a built-in one)."""
    jurisdiction: str | None = None
    description: Text | None = None
    sha256: str = ""

    def summary_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": dict(self.title),
            "publisher": self.publisher,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "source": self.source,
            "file": self.file,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class FindingRef:
    """A finding behind a requirement result (enough to find it in findings.json)."""

    check_id: str
    resource_id: str
    account: str
    region: str
    verdict: str
    underlying_verdict: str | None = None
    exception: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check_id": self.check_id,
            "resource_id": self.resource_id,
            "account": self.account,
            "region": self.region,
            "verdict": self.verdict,
        }
        if self.underlying_verdict:
            out["underlying_verdict"] = self.underlying_verdict
        if self.exception:
            out["exception"] = self.exception
        return out


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    klass: RequirementClass
    status: RequirementStatus
    reason: Text
    checks: tuple[str, ...] = ()
    """The checks that decided the automated part on this provider."""
    verdicts: Mapping[str, int] = field(default_factory=dict)
    """Findings of those checks, counted by verdict."""
    coverage: Mapping[str, int] = field(default_factory=dict)
    """Coverage entries of those checks, counted by status."""
    findings: tuple[FindingRef, ...] = ()
    """Findings that are not PASS / NOT_APPLICABLE (failures first), capped at ``FINDINGS_SHOWN``."""
    findings_total: int = 0
    """How many such findings there were before the cap."""
    uncovered_controls: tuple[str, ...] = ()
    attestations: tuple[str, ...] = ()
    """Valid attestations that satisfied the manual part."""
    expired_attestations: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    """Exceptions that muted findings of this requirement."""

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        return {
            "id": req.id,
            "title": dict(req.title),
            "section": dict(req.section) if req.section else None,
            "class": self.klass.value,
            "status": self.status.value,
            "reason": dict(self.reason),
            "controls": list(req.controls),
            "checks": list(self.checks),
            "verdicts": dict(sorted(self.verdicts.items())),
            "coverage": dict(sorted(self.coverage.items())),
            "findings": [f.to_json() for f in self.findings],
            "findings_total": self.findings_total,
            "uncovered_controls": list(self.uncovered_controls),
            "attestations": list(self.attestations),
            "expired_attestations": list(self.expired_attestations),
            "exceptions": list(self.exceptions),
            "provenance": (
                {"confidence": req.provenance.confidence, "source": req.provenance.source} if req.provenance else None
            ),
            "attestation_needed": dict(req.attestation) if req.attestation else None,
            "note": dict(req.note) if req.note else None,
        }


@dataclass(frozen=True)
class FrameworkResult:
    framework: Framework
    provider: str
    results: tuple[RequirementResult, ...]

    def status_counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in RequirementStatus}
        for r in self.results:
            counts[r.status.value] += 1
        return counts

    def class_counts(self) -> dict[str, int]:
        counts = {c.value: 0 for c in RequirementClass}
        for r in self.results:
            counts[r.klass.value] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "$schema": "https://clearance.dev/schemas/framework-results.schema.json",
            "schema_version": "1",
            "framework": self.framework.summary_json(),
            "provider": self.provider,
            "summary": {
                "requirements": len(self.results),
                "status": self.status_counts(),
                "class": self.class_counts(),
            },
            "requirements": [r.to_json() for r in self.results],
        }
