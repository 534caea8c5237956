"""Evaluate checks over a stored inventory; write findings.json and coverage.json.

The engine never calls a cloud API: it reads the inventory directory, one account at a time
(so memory is bounded by the largest account), and streams findings to disk in a
deterministic order (account, check id, region, resource id). The same inventory, checks and
profile always give byte-identical output.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inventory import InventoryReader, TypeListing, TypeStatus, atomic_write_text, dumps
from ..model import CollectionError, CoverageEntry, CoverageStatus, Verdict
from ..profile import Profile
from .checks import Check, CheckSet
from .conditions import EvalContext, Located, Outcome, State, UnknownKind
from .paths import MISSING

FINDINGS_FILE = "findings.json"
COVERAGE_FILE = "coverage.json"
FINDINGS_SCHEMA = "https://clearance.dev/schemas/findings.schema.json"
COVERAGE_SCHEMA = "https://clearance.dev/schemas/coverage.schema.json"

_KIND_VERDICT = {
    UnknownKind.CONTEXT: Verdict.NEEDS_CONTEXT,
    UnknownKind.ERROR: Verdict.ERROR,
    UnknownKind.MISSING: Verdict.ERROR,
}


@dataclass
class Summary:
    """Counts over all findings and coverage entries."""

    verdicts: Counter[str] = field(default_factory=Counter)
    by_family: dict[str, Counter[str]] = field(default_factory=dict)
    by_control: dict[str, Counter[str]] = field(default_factory=dict)
    fail_by_severity: Counter[str] = field(default_factory=Counter)
    coverage: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    checks: int = 0
    resources: int = 0
    scoped_out: int = 0
    """"No resources" coverage entries whose list call did return resources the scope left out."""

    @property
    def complete(self) -> bool:
        """False when anything could not be evaluated: such a scan must never look clean."""
        return self.coverage[CoverageStatus.NOT_EVALUATED.value] == 0 and self.verdicts[Verdict.ERROR.value] == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "findings": self.findings,
            "checks": self.checks,
            "resources": self.resources,
            "verdicts": {v.value: self.verdicts[v.value] for v in Verdict},
            "fail_by_severity": dict(sorted(self.fail_by_severity.items())),
            "by_family": {k: dict(sorted(v.items())) for k, v in sorted(self.by_family.items())},
            "by_control": {k: dict(sorted(v.items())) for k, v in sorted(self.by_control.items())},
            "coverage": {s.value: self.coverage[s.value] for s in CoverageStatus},
            "no_resources_scoped_out": self.scoped_out,
        }


@dataclass(frozen=True)
class Results:
    """Where the results were written, and their summary."""

    directory: Path
    summary: Summary

    @property
    def findings_path(self) -> Path:
        return self.directory / FINDINGS_FILE

    @property
    def coverage_path(self) -> Path:
        return self.directory / COVERAGE_FILE

    def iter_findings(self) -> Iterator[dict[str, Any]]:
        """Stream findings from findings.json without loading the whole file."""
        return iter_findings(self.findings_path)

    def findings(self) -> list[dict[str, Any]]:
        return list(self.iter_findings())

    def coverage(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = json.loads(self.coverage_path.read_text("utf-8"))["coverage"]
        return entries


def iter_findings(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('{"check_id"'):
                yield json.loads(line.rstrip().rstrip(","))


def evaluate_check(check: Check, target: Located, ctx: EvalContext) -> dict[str, Any]:
    """One check on one resource -> a finding record (the findings.json item)."""
    verdict: Verdict
    reason: str
    error: CollectionError | None = None
    if check.manual is not None:
        verdict, reason = Verdict.MANUAL, check.manual
    else:
        decided: tuple[Verdict, str] | None = None
        pending: Outcome | None = None
        for pre in check.preconditions:
            out = pre.when(ctx, MISSING, "")
            if out.state is State.TRUE:
                decided = (pre.verdict, f"{pre.reason} ({out.reason})")
                break
            if out.state is State.UNKNOWN and pending is None:
                pending = out
        if decided is not None:
            verdict, reason = decided
        else:
            assert check.condition is not None
            main = check.condition(ctx, MISSING, "")
            if main.state is State.TRUE:
                verdict, reason = Verdict.PASS, (check.pass_reason or main.reason)
            elif pending is not None:
                # The requirement does not hold here, and whether it applies depends on what we could not learn.
                assert pending.kind is not None
                verdict, reason, error = _KIND_VERDICT[pending.kind], pending.reason, pending.error
            elif main.state is State.FALSE:
                verdict = Verdict.FAIL
                reason = f"{check.fail_reason}: {main.reason}" if check.fail_reason else main.reason
            else:
                assert main.kind is not None
                verdict, reason, error = _KIND_VERDICT[main.kind], main.reason, main.error
    rec = target.record
    return {
        "check_id": check.id,
        "title": check.title["en"],
        "control_ids": list(check.controls),
        "severity": check.severity.value,
        "verdict": verdict.value,
        "underlying_verdict": None,
        "reason": _sentence(reason),
        "observed": [o.to_json() for o in ctx.observations],
        "error": error.to_json() if error else None,
        "resource": {
            "provider": rec["provider"],
            "account": rec["account"],
            "region": rec["region"],
            "type": rec["type"],
            "id": rec["id"],
            "name": rec["name"],
            "tags": rec.get("tags") or {},
            "dependency": bool(rec.get("dependency")),
        },
    }


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 600:
        text = text[:597] + "..."
    return text[:1].upper() + text[1:] if text else text


class Evaluator:
    """Runs a CheckSet with a Profile over an inventory directory."""

    def __init__(self, checks: CheckSet, profile: Profile):
        self.checks = checks
        self.profile = profile
        self.by_type = checks.by_type()

    def run(
        self,
        scan_dir: Path,
        out_dir: Path | None = None,
        *,
        scan_meta: Mapping[str, Any] | None = None,
        annotate: Sequence[Callable[[dict[str, Any]], None]] = (),
    ) -> Results:
        """``annotate``: called on each finding, in order, before it is counted and written (the exceptions
        and attestations registers mute or annotate findings here, without a second pass over findings.json)."""
        out = out_dir or scan_dir
        reader = InventoryReader(scan_dir)
        summary = Summary(checks=len(self.checks.checks))
        families = {c.id: c.family for c in self.checks.controls.values()}
        listings = reader.listings()
        coverage: list[CoverageEntry] = []
        tmp = out / f".{FINDINGS_FILE}.partial"
        out.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="\n") as sink:
            for provider, account in reader.accounts():
                records = list(reader.records(provider, account))
                index = {r.record["id"]: Located(r.record, r.file, r.line) for r in records}
                counts: Counter[tuple[str, str]] = Counter()
                errors: Counter[tuple[str, str]] = Counter()
                produced: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
                for stored in records:
                    rec = stored.record
                    summary.resources += 1
                    target = index[rec["id"]]
                    for check in self.by_type.get((provider, rec["type"]), ()):
                        ctx = EvalContext(target, self.profile, index.get)
                        finding = evaluate_check(check, target, ctx)
                        produced.append(((check.id, rec["region"], rec["id"]), finding))
                        counts[(check.id, rec["region"])] += 1
                        if finding["verdict"] == Verdict.ERROR.value:
                            errors[(check.id, rec["region"])] += 1
                produced.sort(key=lambda item: item[0])
                for _, finding in produced:
                    for hook in annotate:
                        hook(finding)
                    self._tally(summary, finding, families)
                    sink.write(dumps(finding) + "\n")
                coverage.extend(self._coverage(provider, account, listings, counts, errors))
        coverage.sort(key=lambda c: (c.provider, c.account, c.check_id, c.region))
        for entry in coverage:
            summary.coverage[entry.status.value] += 1
            if entry.status is CoverageStatus.NO_RESOURCES and entry.listed:
                summary.scoped_out += 1
        self._write_findings(out, tmp, summary, scan_meta or {})
        self._write_coverage(out, coverage, summary, scan_meta or {})
        return Results(out, summary)

    def _tally(self, summary: Summary, finding: dict[str, Any], families: Mapping[str, str]) -> None:
        verdict = finding["verdict"]
        summary.findings += 1
        summary.verdicts[verdict] += 1
        if verdict == Verdict.FAIL.value:
            summary.fail_by_severity[finding["severity"]] += 1
        for cid in finding["control_ids"]:
            summary.by_control.setdefault(cid, Counter())[verdict] += 1
        for fam in sorted({families.get(cid, "other") for cid in finding["control_ids"]}):
            summary.by_family.setdefault(fam, Counter())[verdict] += 1

    def _coverage(
        self,
        provider: str,
        account: str,
        listings: list[TypeListing],
        counts: Counter[tuple[str, str]],
        errors: Counter[tuple[str, str]],
    ) -> Iterator[CoverageEntry]:
        mine: dict[str, list[TypeListing]] = {}
        for lst in listings:
            if lst.provider == provider and lst.account == account:
                mine.setdefault(lst.type, []).append(lst)
        for check in self.checks.checks:
            if check.provider != provider:
                continue
            type_listings = mine.get(check.resource_type)
            if not type_listings:
                yield CoverageEntry(
                    check.id,
                    provider,
                    account,
                    "*",
                    CoverageStatus.NOT_EVALUATED,
                    error=CollectionError(
                        "(none)", "NotCollected", f"{check.resource_type} was not collected in this scan"
                    ),
                )
                continue
            for lst in sorted(type_listings, key=lambda x: x.region):
                n = counts[(check.id, lst.region)]
                if lst.status is TypeStatus.FAILED:
                    yield CoverageEntry(
                        check.id,
                        provider,
                        account,
                        lst.region,
                        CoverageStatus.NOT_EVALUATED,
                        list_call=lst.list_call,
                        error=lst.error,
                        listed=lst.listed,
                    )
                elif n:
                    yield CoverageEntry(
                        check.id,
                        provider,
                        account,
                        lst.region,
                        CoverageStatus.EVALUATED,
                        n,
                        lst.list_call,
                        errors=errors[(check.id, lst.region)],
                        listed=lst.listed,
                    )
                else:
                    yield CoverageEntry(
                        check.id,
                        provider,
                        account,
                        lst.region,
                        CoverageStatus.NO_RESOURCES,
                        list_call=lst.list_call,
                        listed=lst.listed,
                    )

    def _write_findings(self, out: Path, tmp: Path, summary: Summary, meta: Mapping[str, Any]) -> None:
        final = out / FINDINGS_FILE
        staging = out / f".{FINDINGS_FILE}.tmp"
        header = {
            "$schema": FINDINGS_SCHEMA,
            "schema_version": "1",
            "scan": dict(meta),
            "summary": summary.to_json(),
        }
        head = json.dumps(header, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
        with open(staging, "w", encoding="utf-8", newline="\n") as fh, open(tmp, encoding="utf-8") as src:
            fh.write(head[:-1] + ',\n"findings":[\n')
            first = True
            for line in src:
                fh.write(("" if first else ",\n") + line.rstrip("\n"))
                first = False
            fh.write("\n]}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(staging, final)
        tmp.unlink()

    def _write_coverage(
        self, out: Path, entries: list[CoverageEntry], summary: Summary, meta: Mapping[str, Any]
    ) -> None:
        doc = {
            "$schema": COVERAGE_SCHEMA,
            "schema_version": "1",
            "scan": dict(meta),
            "complete": summary.complete,
            "totals": {s.value: summary.coverage[s.value] for s in CoverageStatus},
            "coverage": [e.to_json() for e in entries],
        }
        atomic_write_text(out / COVERAGE_FILE, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
