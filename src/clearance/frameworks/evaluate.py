"""Answer each requirement of a framework from a scan's findings, coverage and attestations.

The rules, in order (docs/frameworks.md):

1. ``not_applicable`` on this cloud -> NOT_APPLICABLE (the note says why).
2. The automated part (``automated`` and ``partial``): any FAIL -> NOT_SATISFIED; else any ERROR,
   NEEDS_CONTEXT or not-evaluated coverage -> NOT_EVALUATED (never a pass on missing data); else a
   MANUAL finding without a valid attestation of its check -> MANUAL_PENDING; else, with no resources
   at all -> NOT_APPLICABLE (nothing of that kind in scope); else the checks hold. MUTED findings hold,
   and the exceptions that muted them are listed.
3. The manual part (``manual`` and ``partial``) needs a valid attestation that names the requirement
   (an attestation of a control is not enough: the process part is more than the control). Absent or
   expired -> MANUAL_PENDING for ``manual``, PARTLY for ``partial`` whose checks hold.
4. Checks hold but a mapped control has no check on this cloud -> PARTLY, unless a valid attestation
   of that control (or of the requirement) fills the gap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.checks import CheckSet
from .loader import select_checks
from .model import (
    FindingRef,
    Framework,
    FrameworkResult,
    Requirement,
    RequirementClass,
    RequirementResult,
    RequirementStatus,
    Text,
)

FINDINGS_SHOWN = 200
"""Non-passing findings listed per requirement; findings.json has all of them."""
_QUIET = {"PASS", "NOT_APPLICABLE"}
_ORDER = {"FAIL": 0, "ERROR": 1, "NEEDS_CONTEXT": 2, "MANUAL": 3, "MUTED": 4}


@dataclass
class CheckTally:
    """What one check produced in a scan."""

    verdicts: Counter[str] = field(default_factory=Counter)
    coverage: Counter[str] = field(default_factory=Counter)
    findings: list[FindingRef] = field(default_factory=list)
    """Non-passing findings, capped at ``FINDINGS_SHOWN``."""
    exceptions: set[str] = field(default_factory=set)
    unattested: int = 0
    """MANUAL findings without a valid attestation (the register's rule: docs/exceptions.md)."""


def tally(findings: Iterable[Mapping[str, Any]], coverage: Iterable[Mapping[str, Any]]) -> dict[str, CheckTally]:
    """One streaming pass over findings and coverage, grouped by check."""
    out: dict[str, CheckTally] = {}
    for f in findings:
        t = out.setdefault(f["check_id"], CheckTally())
        verdict = f["verdict"]
        t.verdicts[verdict] += 1
        exception = (f.get("exception") or {}).get("id") if verdict == "MUTED" else None
        if exception:
            t.exceptions.add(exception)
        if verdict == "MANUAL" and (f.get("manual_attestation") or {}).get("status") != "valid":
            t.unattested += 1
        if verdict not in _QUIET and len(t.findings) < FINDINGS_SHOWN:
            res = f["resource"]
            t.findings.append(
                FindingRef(
                    f["check_id"],
                    res["id"],
                    res["account"],
                    res["region"],
                    verdict,
                    f.get("underlying_verdict"),
                    exception,
                )
            )
    for entry in coverage:
        out.setdefault(entry["check_id"], CheckTally()).coverage[entry["status"]] += 1
    return out


@dataclass(frozen=True)
class Attestations:
    """The scan's attestations (attestations.json), indexed by what they cover."""

    entries: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | None) -> Attestations:
        return cls(tuple(doc.get("attestations", ()))) if doc else cls()

    def naming(self, framework: str, req: Requirement) -> list[Mapping[str, Any]]:
        """Attestations that name the requirement itself (any status): only these satisfy its manual part.

        An attestation of a control does not: a requirement's process part (a committee resolution, a
        contract clause) is more than the control, so it must be attested by name.
        """
        return [
            att
            for att in self.entries
            if any(
                r.get("framework") == framework and r.get("id") == req.id
                for r in att.get("covers", {}).get("requirements", ())
            )
        ]

    def control_attested(self, control: str) -> str | None:
        """A valid attestation of ``control`` (it fills the gap where no check of this cloud covers the control)."""
        for att in self.entries:
            if att.get("status") == "valid" and control in att.get("covers", {}).get("controls", ()):
                return str(att["id"])
        return None


def _t(en: str, ko: str) -> Text:
    return {"en": en, "ko": ko}


def _names(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:4])
    return shown + (f" (+{len(items) - 4})" if len(items) > 4 else "")


@dataclass
class _Automated:
    checks: list[str]
    verdicts: Counter[str]
    coverage: Counter[str]
    findings: list[FindingRef]
    total: int
    exceptions: set[str]


def _automated(selected: list[str], tallies: Mapping[str, CheckTally]) -> _Automated:
    verdicts: Counter[str] = Counter()
    coverage: Counter[str] = Counter()
    refs: list[FindingRef] = []
    exceptions: set[str] = set()
    for check_id in selected:
        t = tallies.get(check_id)
        if t is None:
            continue
        verdicts.update(t.verdicts)
        coverage.update(t.coverage)
        refs.extend(t.findings)
        exceptions |= t.exceptions
    refs.sort(key=lambda r: (_ORDER.get(r.verdict, 9), r.check_id, r.resource_id))
    total = sum(n for v, n in verdicts.items() if v not in _QUIET)
    return _Automated(selected, verdicts, coverage, refs[:FINDINGS_SHOWN], total, exceptions)


def _automated_status(auto: _Automated, tallies: Mapping[str, CheckTally]) -> tuple[RequirementStatus | None, Text]:
    """The status the automated part forces, or None when its checks hold (with the reason they do)."""
    v, c = auto.verdicts, auto.coverage
    if not auto.checks or not (c or v):
        return RequirementStatus.NOT_EVALUATED, _t(
            "The checks that decide this requirement did not run in this scan.",
            "이 요구사항을 판정하는 점검이 이번 스캔에서 실행되지 않았습니다.",
        )
    if v["FAIL"]:
        failing = sorted({r.check_id for r in auto.findings if r.verdict == "FAIL"})
        return RequirementStatus.NOT_SATISFIED, _t(
            f"{v['FAIL']} failing finding(s): {_names(failing)}.",
            f"미충족 결과 {v['FAIL']}건: {_names(failing)}.",
        )
    unknown = v["ERROR"] + v["NEEDS_CONTEXT"]
    if unknown or c["not_evaluated"]:
        return RequirementStatus.NOT_EVALUATED, _t(
            f"Not evaluable: {v['ERROR']} error(s), {v['NEEDS_CONTEXT']} finding(s) needing context, "
            f"{c['not_evaluated']} coverage gap(s); no claim is made.",
            f"판정 불가: 오류 {v['ERROR']}건, 추가 정보 필요 {v['NEEDS_CONTEXT']}건, "
            f"미평가 범위 {c['not_evaluated']}건으로 충족 여부를 주장하지 않습니다.",
        )
    pending = sorted({check for check in auto.checks if (t := tallies.get(check)) is not None and t.unattested})
    if pending:
        return RequirementStatus.MANUAL_PENDING, _t(
            f"Manual check(s) without a valid attestation: {_names(pending)}.",
            f"유효한 확인서가 없는 수동 점검: {_names(pending)}.",
        )
    if not any(n for verdict, n in v.items() if verdict != "NOT_APPLICABLE"):
        return RequirementStatus.NOT_APPLICABLE, _t(
            "No resources of the checked kinds are in scope.",
            "점검 대상 유형의 자원이 범위에 없습니다.",
        )
    muted = f" ({v['MUTED']} accepted by exception: {_names(sorted(auto.exceptions))})" if v["MUTED"] else ""
    muted_ko = f" (예외 승인 {v['MUTED']}건: {_names(sorted(auto.exceptions))})" if v["MUTED"] else ""
    return None, _t(
        f"{v['PASS']} passing finding(s) from {len(auto.checks)} check(s){muted}.",
        f"점검 {len(auto.checks)}개에서 충족 {v['PASS']}건{muted_ko}.",
    )


def evaluate_requirement(
    framework: Framework,
    req: Requirement,
    provider: str,
    checks: CheckSet,
    tallies: Mapping[str, CheckTally],
    attestations: Attestations,
) -> RequirementResult:
    klass = req.class_for(provider)
    if klass is RequirementClass.NOT_APPLICABLE:
        reason = req.note or _t("Not applicable on this cloud.", "이 클라우드에는 해당하지 않습니다.")
        return RequirementResult(req, klass, RequirementStatus.NOT_APPLICABLE, reason)
    covering = attestations.naming(framework.id, req)
    valid = tuple(sorted(a["id"] for a in covering if a.get("status") == "valid"))
    expired = tuple(sorted(a["id"] for a in covering if a.get("status") != "valid"))
    manual_reason = (
        _t(f"Attested by {_names(valid)}.", f"확인서 {_names(valid)}로 확인되었습니다.")
        if valid
        else _t(
            "Awaiting an attestation" + (f" (expired or not yet valid: {_names(expired)})" if expired else "") + ".",
            "확인서가 필요합니다" + (f"(만료 또는 유효 전: {_names(expired)})" if expired else "") + ".",
        )
    )
    if klass is RequirementClass.MANUAL:
        status = RequirementStatus.SATISFIED if valid else RequirementStatus.MANUAL_PENDING
        return RequirementResult(req, klass, status, manual_reason, attestations=valid, expired_attestations=expired)

    selected = select_checks(req.checks, req.controls, checks, provider)
    auto = _automated(selected, tallies)
    forced, reason = _automated_status(auto, tallies)
    covered = {ctrl for c in checks.checks if c.provider == provider for ctrl in c.controls}
    uncovered = () if req.checks or valid else tuple(c for c in req.controls if c not in covered)
    filled = {c: att for c in uncovered if (att := attestations.control_attested(c))}
    uncovered = tuple(c for c in uncovered if c not in filled)
    if forced is not None and not (forced is RequirementStatus.NOT_APPLICABLE and klass is RequirementClass.PARTIAL):
        status = forced
    elif klass is RequirementClass.PARTIAL and not valid:
        status = RequirementStatus.PARTLY if forced is None else RequirementStatus.MANUAL_PENDING
        reason = _t(f"{reason['en']} {manual_reason['en']}", f"{reason['ko']} {manual_reason['ko']}")
    elif uncovered:  # a control no check of this cloud covers, and no attestation fills
        status = RequirementStatus.PARTLY
        reason = _t(
            f"{reason['en']} Not covered by any {provider} check: {_names(uncovered)}.",
            f"{reason['ko']} {provider} 점검이 없는 통제: {_names(uncovered)}.",
        )
    else:
        status = RequirementStatus.SATISFIED
        if klass is RequirementClass.PARTIAL:
            reason = _t(f"{reason['en']} {manual_reason['en']}", f"{reason['ko']} {manual_reason['ko']}")
    return RequirementResult(
        req,
        klass,
        status,
        reason,
        checks=tuple(selected),
        verdicts=dict(auto.verdicts),
        coverage=dict(auto.coverage),
        findings=tuple(auto.findings),
        findings_total=auto.total,
        uncovered_controls=uncovered,
        attestations=tuple(sorted({*valid, *filled.values()})),
        expired_attestations=expired if klass is RequirementClass.PARTIAL else (),
        exceptions=tuple(sorted(auto.exceptions)),
    )


def evaluate_framework(
    framework: Framework,
    provider: str,
    checks: CheckSet,
    tallies: Mapping[str, CheckTally],
    attestations: Attestations | None = None,
) -> FrameworkResult:
    atts = attestations or Attestations()
    results = tuple(evaluate_requirement(framework, r, provider, checks, tallies, atts) for r in framework.requirements)
    return FrameworkResult(framework, provider, results)
