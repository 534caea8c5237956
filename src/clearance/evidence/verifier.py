"""Verify an evidence package offline: every step of the specification (§3.6), each a small policy.

Each step is a function of the verification context that returns a :class:`StepResult` with a
precise reason; the steps run in order and stop at the first failure, because later steps would
rely on data that did not verify (the statement is parsed only from verified payload bytes).
Signatures go through steps 3-6 one by one: a signature that fails a step is dropped with its
reason, and a step fails when fewer than ``threshold`` distinct keys remain. Signatures from
unknown or untrusted keys are therefore ignored, not fatal, as long as enough trusted ones remain.

Relaxations exist only as explicitly unsafe options, and the report says when one was used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputFileError
from . import layout
from .container import Container, ContainerError, Limits, open_container
from .dsse import Envelope, EnvelopeError, Signature, parse_envelope
from .report import SignerReport, Status, StepResult, VerificationReport
from .statement import Statement, StatementError, dir_hash1, format_time, parse_statement

if TYPE_CHECKING:
    from cryptography import x509

    from .x509 import ChainPolicy, VerifiedChain

MAX_ENVELOPE = 256 * 1024 * 1024
MAX_SMALL = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_TOKEN = re.compile(r"timestamp(?:-([2-9]))?\.tsr")


@dataclass(frozen=True)
class VerifyOptions:
    """What the regulator (or auditor) brings: trust, the filing record, and the policy."""

    trust: tuple[x509.Certificate, ...] = ()
    tsa_trust: tuple[x509.Certificate, ...] = ()
    filing_id: str | None = None
    nonce: str | None = None
    window: dt.timedelta = layout.WINDOW
    extra_crls: tuple[bytes, ...] = ()
    chain_policy: ChainPolicy | None = None
    threshold: int = 1
    allow_pkcs1v15: bool = False
    """Accept RSA PKCS#1 v1.5 signatures (Korean licensed-CA keys that cannot sign PSS)."""
    limits: Limits = field(default_factory=Limits)
    previous: Path | None = None
    re_evaluate: bool = False
    unsafe_no_timestamp: bool = False
    """Accept signatures without a timestamp, judging them at the verifier's clock: T is then unproven."""
    unsafe_skip_revocation: bool = False
    """Accept certificates whose revocation status at T cannot be established from CRLs."""
    unsafe_any_filing: bool = False
    """Do not compare filing id and nonce with a filing record (replay protection off)."""
    ignore_nonce: bool = False
    """Used for a superseded package, whose nonce belonged to its own submission round."""
    now: dt.datetime | None = None
    """The verifier's clock (only used with ``unsafe_no_timestamp``); default: the current time."""

    def unsafe_flags(self) -> list[str]:
        flags = []
        if self.unsafe_no_timestamp:
            flags.append("--unsafe-no-timestamp: a signature without a timestamp is judged at the verifier's clock")
        if self.unsafe_skip_revocation:
            flags.append("--unsafe-skip-revocation: missing revocation data is accepted")
        if self.unsafe_any_filing:
            flags.append("--unsafe-any-filing: the package is not compared with a filing record")
        return flags


@dataclass
class _Candidate:
    """One envelope signature on its way through steps 3-6."""

    signature: Signature
    report: SignerReport
    folder: str
    key: str | None = None
    """SHA-256 of the leaf's public key: distinct keys count toward the threshold (the envelope keyid only
    locates the verification material and is not trusted)."""
    chain: list[x509.Certificate] = field(default_factory=list)
    time: dt.datetime | None = None
    verified: VerifiedChain | None = None
    dropped_at: str | None = None

    def drop(self, step: str, reason: str) -> None:
        self.dropped_at = step
        self.report.reason = reason


@dataclass
class _Context:
    path: Path
    opts: VerifyOptions
    report: VerificationReport
    container: Container | None = None
    envelope: Envelope | None = None
    candidates: list[_Candidate] = field(default_factory=list)
    statement: Statement | None = None

    @property
    def box(self) -> Container:
        assert self.container is not None
        return self.container

    @property
    def stmt(self) -> Statement:
        assert self.statement is not None
        return self.statement

    def alive(self) -> list[_Candidate]:
        return [c for c in self.candidates if c.dropped_at is None]


# -- 1-2: container and envelope ----------------------------------------------------------------
def check_container(ctx: _Context) -> StepResult:
    try:
        ctx.container = open_container(ctx.path, ctx.opts.limits)
    except ContainerError as exc:
        return StepResult("container", Status.FAIL, str(exc), {"problems": exc.problems})
    ctx.report.kind = ctx.box.kind
    if layout.ENVELOPE not in ctx.box.files:
        return StepResult("container", Status.FAIL, f"missing {layout.ENVELOPE}: the package is not signed")
    files = len(ctx.box.files)
    return StepResult("container", Status.PASS, f"{files} files, names and limits valid ({ctx.box.kind})")


def check_envelope(ctx: _Context) -> StepResult:
    try:
        envelope = parse_envelope(ctx.box.read(layout.ENVELOPE, MAX_ENVELOPE))
    except (EnvelopeError, ContainerError) as exc:
        return StepResult("envelope", Status.FAIL, f"malformed envelope: {exc}")
    if envelope.payload_type != layout.PAYLOAD_TYPE:
        return StepResult(
            "envelope",
            Status.FAIL,
            f"unexpected payloadType {envelope.payload_type!r} (expected {layout.PAYLOAD_TYPE!r})",
        )
    ctx.envelope = envelope
    folders = {layout.sig_dir(s.keyid) for s in envelope.signatures if re.fullmatch(r"[0-9a-f]{64}", s.keyid)}
    orphans = sorted({f"attestation/sig-{p}/" for n in ctx.box.files if (p := layout.sig_dir_of(n))} - folders)
    if orphans:
        return StepResult("envelope", Status.FAIL, f"{', '.join(orphans)}: no signature in the envelope uses it")
    for sig in envelope.signatures:
        folder = layout.sig_dir(sig.keyid) if re.fullmatch(r"[0-9a-f]{64}", sig.keyid) else ""
        ctx.candidates.append(_Candidate(sig, SignerReport(keyid=sig.keyid), folder))
    ctx.report.signers = [c.report for c in ctx.candidates]
    return StepResult(
        "envelope", Status.PASS, f"{len(envelope.signatures)} signature(s), payloadType {layout.PAYLOAD_TYPE}"
    )


# -- 3-6: per signature ---------------------------------------------------------------------------
def _per_signature(ctx: _Context, step: str, check: Callable[[_Candidate], str | None]) -> StepResult:
    """Run ``check`` on each surviving signature (a returned reason drops it); fail below the threshold."""
    for cand in ctx.alive():
        reason = check(cand)
        if reason is not None:
            cand.drop(step, reason)
    dropped = [c for c in ctx.candidates if c.dropped_at == step]
    reasons = [f"{c.folder or 'keyid ' + repr(c.signature.keyid)}: {c.report.reason}" for c in dropped]
    keys = {c.key or c.signature.keyid for c in ctx.alive()}
    if len(keys) < ctx.opts.threshold:
        if len(dropped) == 1 and len(ctx.candidates) == 1:
            reason = dropped[0].report.reason
        else:
            reason = "; ".join(reasons) or "no signature reached this step"
        needed = f" ({len(keys)} of {ctx.opts.threshold} required signatures left)" if ctx.opts.threshold > 1 else ""
        return StepResult(step, Status.FAIL, reason + needed, {"dropped": reasons})
    note = f"; ignored {len(dropped)}: {'; '.join(reasons)}" if dropped else ""
    return StepResult(step, Status.PASS, f"{len(keys)} signature(s) passed{note}", {"dropped": reasons})


def _load_chain(ctx: _Context, cand: _Candidate) -> str | None:
    from cryptography import x509

    name = cand.folder + layout.CHAIN
    if not cand.folder or name not in ctx.box.files:
        return f"unknown key: no {cand.folder or 'attestation/sig-<keyid>/'}{layout.CHAIN} for this signature"
    try:
        cand.chain = x509.load_pem_x509_certificates(ctx.box.read(name, MAX_SMALL))
    except (ValueError, ContainerError) as exc:
        return f"{name} is not a PEM certificate chain: {exc}"
    return None


def check_signature(ctx: _Context) -> StepResult:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    from .signers.interface import UnsupportedKeyError, keyid, scheme_for, verify_signature

    assert ctx.envelope is not None
    pae = ctx.envelope.pae()

    def check(cand: _Candidate) -> str | None:
        problem = _load_chain(ctx, cand)
        if problem:
            return problem
        leaf = cand.chain[0]
        rep = cand.report
        rep.subject = leaf.subject.rfc4514_string()
        rep.issuer = leaf.issuer.rfc4514_string()
        rep.serial = f"{leaf.serial_number:x}"
        rep.fingerprint_sha256 = leaf.fingerprint(hashes.SHA256()).hex()
        cand.key = keyid(leaf)
        try:
            rep.scheme = scheme_for(leaf.public_key())
            verify_signature(leaf.public_key(), cand.signature.sig, pae, allow_pkcs1v15=ctx.opts.allow_pkcs1v15)
        except UnsupportedKeyError as exc:
            return f"unsupported signer key: {exc}"
        except InvalidSignature:
            return f"DSSE signature does not verify with the key of {cand.folder}chain.pem"
        return None

    return _per_signature(ctx, "signature", check)


def check_timestamp(ctx: _Context) -> StepResult:
    from .timestamp import TimestampError, verify_timestamp

    now = ctx.opts.now or dt.datetime.now(dt.UTC)
    relaxed: list[str] = []

    def check(cand: _Candidate) -> str | None:
        names = sorted(n for n in ctx.box.names_under(cand.folder) if _TOKEN.fullmatch(n[len(cand.folder) :]))
        if not names:
            if not ctx.opts.unsafe_no_timestamp:
                return "no timestamp token: the signing time cannot be proven (--unsafe-no-timestamp to judge at now)"
            cand.time = now
            relaxed.append(cand.folder)
            return None
        errors: list[str] = []
        for name in names:
            try:
                info = verify_timestamp(ctx.box.read(name, MAX_SMALL), cand.signature.sig, list(ctx.opts.tsa_trust))
            except TimestampError as exc:
                errors.append(f"{name}: {exc.reason}")
                continue
            except ContainerError as exc:
                errors.append(str(exc))
                continue
            if cand.time is None or info.gen_time < cand.time:
                cand.time = info.gen_time
                rep = cand.report
                rep.tsa_time, rep.tsa_name, rep.tsa_serial = info.gen_time, info.tsa_name, f"{info.serial:x}"
                rep.tsa_policy = info.policy
        return None if cand.time is not None else "; ".join(errors)

    result = _per_signature(ctx, "timestamp", check)
    accepted = [c.time for c in ctx.alive() if c.time is not None]
    if accepted:
        ctx.report.time = min(accepted)
        ctx.report.time_source = "verifier-clock (unsafe)" if relaxed else "timestamp"
    if relaxed and result.status is Status.PASS:
        reason = f"no timestamp for {', '.join(relaxed)}: judged at the verifier's clock {format_time(now)} (UNSAFE)"
        return StepResult("timestamp", Status.WARN, reason, result.details)
    return result


def check_chain(ctx: _Context) -> StepResult:
    from .x509 import ChainError, ChainPolicy, verify_chain

    policy = ctx.opts.chain_policy or ChainPolicy()

    def check(cand: _Candidate) -> str | None:
        assert cand.time is not None
        try:
            cand.verified = verify_chain(cand.chain, list(ctx.opts.trust), cand.time, policy)
        except ChainError as exc:
            return f"certificate path: {exc.reason}"
        cand.report.anchor = cand.verified.anchor.subject.rfc4514_string()
        return None

    return _per_signature(ctx, "chain", check)


def check_revocation(ctx: _Context) -> StepResult:
    from .revocation import RevocationError
    from .revocation import check_revocation as judge

    required = not ctx.opts.unsafe_skip_revocation
    relaxed: list[str] = []

    def check(cand: _Candidate) -> str | None:
        assert cand.verified is not None and cand.time is not None
        prefix = cand.folder + layout.REVOCATION
        embedded = [ctx.box.read(n, MAX_SMALL) for n in ctx.box.names_under(prefix) if n.endswith(".crl")]
        try:
            notes = judge(cand.verified, [*embedded, *ctx.opts.extra_crls], cand.time, required=required)
        except RevocationError as exc:
            return f"revocation: {exc.reason}"
        cand.report.revocation = notes
        relaxed.extend(n for n in notes if "not checked" in n)
        cand.report.accepted = True
        return None

    result = _per_signature(ctx, "revocation", check)
    if relaxed and result.status is Status.PASS:
        return StepResult("revocation", Status.WARN, "; ".join(relaxed) + " (UNSAFE)", result.details)
    return result


# -- 7-11: the statement and the files ------------------------------------------------------------
def check_statement(ctx: _Context) -> StepResult:
    assert ctx.envelope is not None
    try:
        ctx.statement = parse_statement(ctx.envelope.payload)
    except StatementError as exc:
        return StepResult("statement", Status.FAIL, str(exc))
    stmt = ctx.stmt
    ctx.report.statement_sha256 = stmt.digest
    ctx.report.filing = dict(stmt.filing)
    return StepResult("statement", Status.PASS, f"in-toto Statement v1, {len(stmt.subjects)} subjects, schema valid")


def check_binding(ctx: _Context) -> StepResult:
    stmt, opts = ctx.stmt, ctx.opts
    filing = stmt.filing
    notes: list[str] = []
    status = Status.PASS
    if opts.unsafe_any_filing:
        status = Status.WARN
        notes.append("filing id and nonce not compared with a filing record (UNSAFE)")
    else:
        if opts.filing_id is None:
            return StepResult(
                "binding", Status.FAIL, "no expected filing id given (--filing-id; --unsafe-any-filing skips this)"
            )
        if filing["id"] != opts.filing_id:
            return StepResult(
                "binding",
                Status.FAIL,
                f"filing id mismatch: package is for {filing['id']!r}, expected {opts.filing_id!r}",
            )
        if not opts.ignore_nonce:
            if filing["nonce"] != opts.nonce:
                shown = "none" if filing["nonce"] is None else repr(filing["nonce"])
                return StepResult(
                    "binding", Status.FAIL, f"nonce mismatch: package has {shown}, expected {opts.nonce!r}"
                )
            if filing["nonce"] is None:
                notes.append("no nonce (bound by filing id and time window only)")
    started, finished = stmt.time(stmt.scan, "startedOn"), stmt.time(stmt.scan, "finishedOn")
    issued = stmt.time(filing, "nonceIssuedOn")
    assert started is not None and finished is not None
    if issued is not None and issued > started:
        return StepResult("binding", Status.FAIL, f"scan started {format_time(started)} before the nonce was issued")
    if started > finished:
        return StepResult("binding", Status.FAIL, "scan.startedOn is after scan.finishedOn")
    when = ctx.report.time
    assert when is not None
    if ctx.report.time_source == "timestamp":
        if when + layout.CLOCK_SKEW < finished:
            return StepResult(
                "binding", Status.FAIL, f"outside window: signed at {format_time(when)}, before the scan finished"
            )
        if when > finished + opts.window:
            return StepResult(
                "binding",
                Status.FAIL,
                f"outside window: the scan finished {format_time(finished)}, {_hours(when - finished)} before the "
                f"timestamp {format_time(when)} (allowed {_hours(opts.window)})",
            )
    else:
        status = Status.WARN
        notes.append("time window not checked: no trusted time (UNSAFE)")
    reason = f"filing {filing['id']}, scan finished {format_time(finished)}, T {format_time(when)}"
    return StepResult("binding", status, "; ".join([reason, *notes]))


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"


def check_completeness(ctx: _Context) -> StepResult:
    present = set(ctx.box.names_under(layout.EVIDENCE))
    signed = {s.name for s in ctx.stmt.subjects}
    missing = sorted(signed - present, key=layout.utf8_key)
    extra = sorted(present - signed, key=layout.utf8_key)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing files ({len(missing)}): {', '.join(missing[:5])}")
        if extra:
            parts.append(f"files not covered by the signature ({len(extra)}): {', '.join(extra[:5])}")
        return StepResult("completeness", Status.FAIL, "; ".join(parts), {"missing": missing, "extra": extra})
    return StepResult("completeness", Status.PASS, f"the {len(signed)} files under evidence/ are exactly the subjects")


def _sha256(box: Container, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with box.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_integrity(ctx: _Context) -> StepResult:
    import zipfile

    stmt = ctx.stmt
    total = 0
    bad: list[str] = []
    for subject in stmt.subjects:
        try:
            digest, size = _sha256(ctx.box, subject.name)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            bad.append(f"{subject.name} (unreadable: {exc})")
            continue
        total += size
        if digest != subject.sha256:
            bad.append(subject.name)
    if bad:
        return StepResult("integrity", Status.FAIL, f"digest mismatch: {', '.join(bad[:5])}", {"mismatched": bad})
    package = stmt.package
    problems = []
    if package["fileCount"] != len(stmt.subjects):
        problems.append(f"fileCount {package['fileCount']} but {len(stmt.subjects)} subjects")
    if package["totalBytes"] != total:
        problems.append(f"totalBytes {package['totalBytes']} but the files hold {total}")
    if package["evidenceTree"]["dirHash1"] != dir_hash1(stmt.subjects):
        problems.append("dirHash1 does not match the subjects")
    if problems:
        return StepResult("integrity", Status.FAIL, "; ".join(problems))
    ctx.report.file_count, ctx.report.total_bytes = len(stmt.subjects), total
    return StepResult("integrity", Status.PASS, f"{len(stmt.subjects)} files, {total} bytes: every SHA-256 matches")


def check_semantic(ctx: _Context) -> StepResult:
    """Consistency of the verified content with the predicate (not security-critical, but must hold)."""
    import json

    from .scandir import findings_header

    stmt = ctx.stmt
    names = {s.name: s.sha256 for s in stmt.subjects}
    results = stmt.results
    scan = stmt.scan
    problems = []
    pointers = [results["findings"], results["coverage"], results["oscal"], scan["profile"]["path"]]
    pointers += [stmt.package["redaction"]["policy"], layout.README]
    problems += [f"{p} is not a subject" for p in pointers if p is not None and p not in names]
    if problems:
        return StepResult("semantic", Status.FAIL, "; ".join(problems))
    try:
        with ctx.box.open(results["findings"]) as fh:
            summary = findings_header(fh, results["findings"])["summary"]
        profile = json.loads(ctx.box.read(scan["profile"]["path"], MAX_SMALL))
        redaction = json.loads(ctx.box.read(stmt.package["redaction"]["policy"], MAX_SMALL))
    except (InputFileError, ValueError, ContainerError) as exc:
        return StepResult("semantic", Status.FAIL, f"unreadable report file: {exc}")
    claimed = results["summary"]
    if (summary.get("complete"), summary.get("findings"), summary.get("verdicts")) != (
        claimed["complete"],
        claimed["findings"],
        claimed["verdicts"],
    ):
        problems.append(f"{results['findings']} summary differs from the signed predicate summary")
    prefix = scan["ruleset"]["path"].rstrip("/") + "/"
    pack = hashlib.sha256()
    for name in sorted((n for n in names if n.startswith(prefix)), key=lambda n: n[len(prefix) :]):
        pack.update(f"{names[name]}  {name[len(prefix) :]}\n".encode())
    if pack.hexdigest() != scan["ruleset"]["digest"]["sha256"]:
        problems.append(f"the content pack under {prefix} does not have the ruleset digest")
    if hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest() != scan["profile"]["digest"]["sha256"]:
        problems.append(f"{scan['profile']['path']} does not have the profile digest")
    counted = sum(sum(c.values()) for c in redaction.get("redactions", {}).values())
    if counted != stmt.package["redaction"]["redactions"]:
        problems.append(f"redaction counts ({counted}) differ from the predicate")
    if problems:
        return StepResult("semantic", Status.FAIL, "; ".join(problems))
    return StepResult(
        "semantic", Status.PASS, "summary, content pack digest, profile digest and redaction counts are consistent"
    )


# -- optional: history and re-evaluation --------------------------------------------------------
def check_history(ctx: _Context) -> StepResult:
    previous = ctx.opts.previous
    assert previous is not None
    supersedes = ctx.stmt.package["supersedes"]
    if supersedes is None:
        return StepResult("history", Status.FAIL, "--previous given, but this package supersedes nothing")
    old_opts = replace(ctx.opts, previous=None, re_evaluate=False, ignore_nonce=True, filing_id=ctx.stmt.filing["id"])
    old = verify(previous, old_opts)
    if not old.valid:
        failure = old.failure
        assert failure is not None
        return StepResult(
            "history", Status.FAIL, f"the previous package does not verify: {failure.step}: {failure.reason}"
        )
    if old.statement_sha256 != supersedes:
        return StepResult(
            "history",
            Status.FAIL,
            f"supersedes {supersedes[:16]}…, but the previous package's statement is {str(old.statement_sha256)[:16]}…",
        )
    if old.time is not None and ctx.report.time is not None and old.time > ctx.report.time:
        return StepResult("history", Status.FAIL, "the previous package was signed after this one")
    return StepResult("history", Status.PASS, f"supersedes {previous.name} (statement {supersedes[:16]}…)")


def check_reevaluation(ctx: _Context) -> StepResult:
    from .reevaluate import reevaluate

    with tempfile.TemporaryDirectory(prefix="clearance-verify-") as tmp:
        return reevaluate(ctx.box, ctx.stmt, Path(tmp))


STEPS: tuple[tuple[str, Callable[[_Context], StepResult]], ...] = (
    ("container", check_container),
    ("envelope", check_envelope),
    ("signature", check_signature),
    ("timestamp", check_timestamp),
    ("chain", check_chain),
    ("revocation", check_revocation),
    ("statement", check_statement),
    ("binding", check_binding),
    ("completeness", check_completeness),
    ("integrity", check_integrity),
    ("semantic", check_semantic),
    ("history", check_history),
    ("re-evaluation", check_reevaluation),
)


def _requested(name: str, opts: VerifyOptions) -> bool:
    return {"history": opts.previous is not None, "re-evaluation": opts.re_evaluate}.get(name, True)


def verify(path: Path, opts: VerifyOptions | None = None) -> VerificationReport:
    """Run every step on the package at ``path`` (ZIP or directory); never raises for a bad package."""
    options = opts or VerifyOptions()
    report = VerificationReport(package=str(path), unsafe=options.unsafe_flags())
    ctx = _Context(path, options, report)
    failed: str | None = None
    try:
        for name, step in STEPS:
            if failed is not None:
                report.steps.append(StepResult(name, Status.SKIPPED, f"not run: step '{failed}' failed"))
            elif not _requested(name, options):
                report.steps.append(StepResult(name, Status.SKIPPED, "not requested"))
            else:
                result = step(ctx)
                report.steps.append(result)
                if result.status is Status.FAIL:
                    failed = name
    finally:
        if ctx.container is not None:
            ctx.container.close()
    return report
