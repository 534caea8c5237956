"""Evaluate checks over a stored inventory; write findings.json and coverage.json.

The engine never calls a cloud API: it reads the inventory directory one account at a time, streams
each account's records past the checks (memory holds a record at a time plus a compact index, not the
account) and streams findings to disk in a deterministic order (account, check id, region, resource
id). The same inventory, checks and profile always give byte-identical output.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inventory import InventoryReader, TypeListing, TypeStatus, atomic_write_text, dumps
from ..model import CollectionError, CoverageEntry, CoverageStatus, Verdict
from ..profile import Profile
from .checks import Check, CheckSet
from .conditions import EvalContext, Located, Outcome, State, UnknownKind
from .encode import FindingTemplate, encode
from .paths import MISSING
from .store import AccountStore

FINDINGS_FILE = "findings.json"
COVERAGE_FILE = "coverage.json"
FINDINGS_SCHEMA = "https://clearance.dev/schemas/findings.schema.json"
COVERAGE_SCHEMA = "https://clearance.dev/schemas/coverage.schema.json"
SPILL_DIR = ".findings.spill"
"""Per-check findings of the account being evaluated, appended to the findings in check order."""
_COPY_CHUNK = 1 << 20

Hook = Callable[[dict[str, Any]], None]
_Tally = Counter[tuple[tuple[str, ...], str, str]]
"""Findings counted by (control ids, severity, verdict): everything the summary is made of."""


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


def _summarize(summary: Summary, tally: _Tally, families: Mapping[str, str]) -> None:
    """Fill the summary's finding counts from the tally."""
    for (controls, severity, verdict), n in tally.items():
        summary.findings += n
        summary.verdicts[verdict] += n
        if verdict == Verdict.FAIL.value:
            summary.fail_by_severity[severity] += n
        for cid in controls:
            summary.by_control.setdefault(cid, Counter())[verdict] += n
        for fam in {families.get(cid, "other") for cid in controls}:
            summary.by_family.setdefault(fam, Counter())[verdict] += n


def iter_findings(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('{"check_id"'):
                yield json.loads(line.rstrip().rstrip(","))


def judge(check: Check, ctx: EvalContext) -> tuple[Verdict, str, CollectionError | None]:
    """One check on one resource: its verdict, the sentence saying why, and the failed call behind an ERROR."""
    if check.manual is not None:
        return Verdict.MANUAL, _sentence(check.manual), None
    pending: Outcome | None = None
    for pre in check.preconditions:
        out = pre.when(ctx, MISSING, "")
        if out.state is State.TRUE:
            return pre.verdict, _sentence(f"{pre.reason} ({out.reason})"), None
        if out.state is State.UNKNOWN and pending is None:
            pending = out
    assert check.condition is not None
    main = check.condition(ctx, MISSING, "")
    if main.state is State.TRUE:
        return Verdict.PASS, _sentence(check.pass_reason or main.reason), None
    if pending is not None:
        # The requirement does not hold here, and whether it applies depends on what we could not learn.
        assert pending.kind is not None
        return _KIND_VERDICT[pending.kind], _sentence(pending.reason), pending.error
    if main.state is State.FALSE:
        reason = f"{check.fail_reason}: {main.reason}" if check.fail_reason else main.reason
        return Verdict.FAIL, _sentence(reason), None
    assert main.kind is not None
    return _KIND_VERDICT[main.kind], _sentence(main.reason), main.error


def resource_block(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The resource identity as a finding carries it."""
    return {
        "provider": rec["provider"],
        "account": rec["account"],
        "region": rec["region"],
        "type": rec["type"],
        "id": rec["id"],
        "name": rec["name"],
        "tags": rec.get("tags") or {},
        "dependency": bool(rec.get("dependency")),
    }


def evaluate_check(check: Check, target: Located, ctx: EvalContext) -> dict[str, Any]:
    """One check on one resource -> a finding record (the findings.json item)."""
    verdict, reason, error = judge(check, ctx)
    return {
        "check_id": check.id,
        "title": check.title["en"],
        "control_ids": list(check.controls),
        "severity": check.severity.value,
        "verdict": verdict.value,
        "underlying_verdict": None,
        "reason": reason,
        "observed": [o.to_json() for o in ctx.observations],
        "error": error.to_json() if error else None,
        "resource": resource_block(target.record),
    }


def _sentence(text: str) -> str:
    # Printable text has no whitespace but " ": then only doubled or edge spaces need collapsing.
    if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
        text = " ".join(text.split())
    if len(text) > 600:
        text = text[:597] + "..."
    return text[:1].upper() + text[1:] if text else text


class Evaluator:
    """Runs a CheckSet with a Profile over an inventory directory.

    Per account, each resource type's records stream past once, in (region, id) order, and every check of
    the type is evaluated on each; a check's findings go to its own spill file, and the spill files are
    appended in check order. So findings come out sorted by (account, check, region, resource id) while
    memory holds one record at a time, the account's compact index and a few linked records (store.py).
    """

    def __init__(self, checks: CheckSet, profile: Profile):
        self.checks = checks
        self.profile = profile
        self.by_type = checks.by_type()
        self._templates = {
            c.id: FindingTemplate(c.id, c.controls, c.severity.value, c.title["en"]) for c in checks.checks
        }

    def run(
        self,
        scan_dir: Path,
        out_dir: Path | None = None,
        *,
        scan_meta: Mapping[str, Any] | None = None,
        annotate: Sequence[Hook] = (),
    ) -> Results:
        """``annotate``: called on each finding, in order, before it is counted and written (the exceptions
        and attestations registers mute or annotate findings here, without a second pass over findings.json)."""
        out = out_dir or scan_dir
        reader = InventoryReader(scan_dir)
        summary = Summary(checks=len(self.checks.checks))
        tally: _Tally = Counter()
        listings = reader.listings()
        coverage: list[CoverageEntry] = []
        spill = out / SPILL_DIR
        out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
        spill.mkdir()
        try:
            parts: list[Path] = []
            for n, (provider, account) in enumerate(reader.accounts()):
                counts: Counter[tuple[str, str]] = Counter()
                errors: Counter[tuple[str, str]] = Counter()
                folder = spill / f"{n:06d}"
                folder.mkdir()
                with AccountStore(reader, provider, account) as store:
                    summary.resources += store.count
                    written = self._evaluate(store, provider, folder, counts, errors, None if annotate else tally)
                for path in sorted(written):
                    if annotate:
                        self._annotate(path, annotate, tally)
                    parts.append(path)
                coverage.extend(self._coverage(provider, account, listings, counts, errors))
            _summarize(summary, tally, {c.id: c.family for c in self.checks.controls.values()})
            coverage.sort(key=lambda c: (c.provider, c.account, c.check_id, c.region))
            for entry in coverage:
                summary.coverage[entry.status.value] += 1
                if entry.status is CoverageStatus.NO_RESOURCES and entry.listed:
                    summary.scoped_out += 1
            self._write_findings(out, parts, summary, scan_meta or {})
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        self._write_coverage(out, coverage, summary, scan_meta or {})
        return Results(out, summary)

    def _evaluate(
        self,
        store: AccountStore,
        provider: str,
        spill: Path,
        counts: Counter[tuple[str, str]],
        errors: Counter[tuple[str, str]],
        tally: _Tally | None,
    ) -> list[Path]:
        """Evaluate every check on the account's records, type by type; returns the spill files written.

        Each spill line is a finding followed by ``,\\n``; sorting the spill paths sorts them by check id.
        ``tally`` counts verdicts as they are decided (None: hooks may change them, so they are counted after).
        """
        profile, lookup = self.profile, store.lookup
        order = {c.id: n for n, c in enumerate(self.checks.checks)}
        written: list[Path] = []
        for rtype in store.types():
            checks = self.by_type.get((provider, rtype), [])
            if not checks:
                continue
            paths = [spill / f"{order[c.id]:06d}.jsonl" for c in checks]
            written.extend(paths)
            jobs = [
                (c, self._templates[c.id], {v: (c.controls, c.severity.value, v.value) for v in Verdict})
                for c in checks
            ]
            with ExitStack() as stack:
                sinks = [stack.enter_context(open(p, "w", encoding="utf-8", newline="\n")) for p in paths]
                for region in store.regions(rtype):
                    evaluated = 0
                    for stored in store.group(rtype, region):
                        evaluated += 1
                        target = store.evaluating(stored)
                        resource = encode(resource_block(target.record))
                        for (check, template, keys), sink in zip(jobs, sinks, strict=True):
                            ctx = EvalContext(target, profile, lookup)
                            verdict, reason, error = judge(check, ctx)
                            sink.write(template.line(verdict, reason, error, ctx.observed, resource, ",\n"))
                            if verdict is Verdict.ERROR:
                                errors[(check.id, region)] += 1
                            if tally is not None:
                                tally[keys[verdict]] += 1
                    for check in checks:
                        counts[(check.id, region)] += evaluated
        return written

    def _annotate(self, path: Path, annotate: Sequence[Hook], tally: _Tally) -> None:
        """Pass each finding of one spill file through the hooks, in order, and count it as they left it."""
        hooked = path.with_suffix(".hooked")
        with open(path, "rb") as src, open(hooked, "wb") as dst:
            for line in src:
                finding = json.loads(line.rstrip(b",\n"))
                for hook in annotate:
                    hook(finding)
                tally[(tuple(finding["control_ids"]), finding["severity"], finding["verdict"])] += 1
                dst.write((dumps(finding) + ",\n").encode("utf-8"))
        os.replace(hooked, path)

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

    def _write_findings(self, out: Path, parts: Sequence[Path], summary: Summary, meta: Mapping[str, Any]) -> None:
        """The header (with the summary), then the spill files in order: one copy of the findings."""
        final = out / FINDINGS_FILE
        staging = out / f".{FINDINGS_FILE}.tmp"
        header = {
            "$schema": FINDINGS_SCHEMA,
            "schema_version": "1",
            "scan": dict(meta),
            "summary": summary.to_json(),
        }
        head = json.dumps(header, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
        with open(staging, "wb") as fh:
            fh.write((head[:-1] + ',\n"findings":[\n').encode("utf-8"))
            start = fh.tell()
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, fh, _COPY_CHUNK)
            if fh.tell() > start:
                fh.seek(-2, os.SEEK_CUR)  # every finding ends with ",\n": the last one does not take the comma
            fh.write(b"\n]}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(staging, final)

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
