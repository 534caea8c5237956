"""Build a signed evidence package from a scan directory.

Order matters and is fixed by the format: redact and hash every evidence file while writing it
(the digest is always of the bytes written, never of a file that could change in between), build
the statement, sign PAE(statement), timestamp each raw signature, *then* collect CRLs (so they
speak about T), and write the attestation files. The ZIP is written to a temporary name and
renamed, so a failed build never leaves a half package behind.

Determinism: the same scan directory, inputs and tool give byte-identical evidence files and
statement payload (fixed entry order and metadata, RFC 8785 statement, no wall-clock time in
the predicate: the trusted time is the timestamp's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .. import __version__
from ..content import checks_dir, pack_digest
from ..errors import InputFileError, UsageError
from . import layout
from .redaction import DOCUMENT_MAX, Outcome, Policy, load_policy
from .redactor import RedactionError, Redactor, Sink
from .scandir import Scan, Source, load_scan, plan_sources
from .statement import Subject, dir_hash1, format_time, parse_time, serialize, statement_document
from .zipwriter import ZipWriter

if TYPE_CHECKING:
    from .signers.interface import EvidenceSigner

_CHUNK = 1024 * 1024
_ZIP64_MARGIN = 1 << 30

Timestamper = Callable[[bytes], bytes]
"""Signature bytes -> RFC 3161 TimeStampResp DER (e.g. ``lambda sig: request_timestamp(url, sig)``)."""


@dataclass(frozen=True)
class Filing:
    """The regulator filing a package is bound to (replay protection)."""

    id: str
    nonce: str | None = None
    nonce_issued_on: str | None = None
    regulator: str | None = None
    purpose: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "nonce": self.nonce,
            "nonceIssuedOn": self.nonce_issued_on,
            "regulator": self.regulator,
            "purpose": self.purpose,
        }


@dataclass(frozen=True)
class Firm:
    name: str | None = None
    ids: tuple[tuple[str, str], ...] = ()
    """(scheme, value) pairs, e.g. ("KR-BRN", "000-00-00000"), ("LEI", "...")."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ids": [{"scheme": s, "value": v} for s, v in self.ids]}


@dataclass(frozen=True)
class ToolInfo:
    name: str
    version: str
    digest: str

    @classmethod
    def installed(cls) -> ToolInfo:
        """This installation of clearance, hashed file by file like the content pack."""
        return cls("clearance", __version__, pack_digest(Path(__file__).resolve().parent.parent))


@dataclass(frozen=True)
class BuildOptions:
    filing: Filing
    signers: Sequence[EvidenceSigner]
    firm: Firm = Firm()
    timestamper: Timestamper | None = None
    crls: Sequence[bytes] = ()
    """CRLs (DER or PEM) to embed in addition to (or, offline, instead of) fetched ones."""
    fetch_crls: Callable[[str], bytes] | None = None
    """Fetcher for CRL distribution points; None uses the default (HTTP); see ``offline``."""
    offline: bool = False
    """Never fetch CRLs; embed only :attr:`crls`."""
    supersedes: Path | None = None
    redaction: Policy | None = None
    compression: int = zipfile.ZIP_DEFLATED
    checks_root: Path | None = None
    tool: ToolInfo | None = None
    window: dt.timedelta = layout.WINDOW
    render_reports: ReportRenderer | None = None
    """Renders the reports from the package's own (redacted) findings; they go in as ``evidence/report/``."""
    reports_dir: Path | None = None
    """Where ``render_reports`` writes (a copy stays there); default: a temporary directory."""


ReportRenderer = Callable[[Path, Path, Path], list[Path]]
"""``(view_dir, checks_root, out_dir) -> files``: render reports for the scan laid out in ``view_dir``."""

_VIEW = {
    layout.FINDINGS: "findings.json",
    layout.COVERAGE: "coverage.json",
    layout.SCAN_META: "scan.json",
    layout.PROFILE: "profile.json",
    "evidence/exceptions/exceptions.json": "exceptions.json",
    "evidence/attestations/attestations.json": "attestations.json",
}
"""Evidence entries the reports are rendered from, and their names in a scan directory."""


@dataclass(frozen=True)
class BuildResult:
    path: Path
    statement_sha256: str
    file_count: int
    total_bytes: int
    redactions: int
    keyids: tuple[str, ...]
    timestamps: tuple[dt.datetime, ...] = field(default=())


def _ordered(sources: list[Source], policy: Policy) -> list[Source]:
    """Raw (non-derived) redacted files first, so the secrets they yield can be scrubbed from derived files."""

    def rank(src: Source) -> tuple[int, bytes]:
        if src.redact and not policy.is_derived(src.name):
            return 0, layout.utf8_key(src.name)
        return (1 if src.redact else 2), layout.utf8_key(src.name)

    return sorted(sources, key=rank)


# -- writing ------------------------------------------------------------------------------------
class _Tee:
    def __init__(self, sink: Sink, copy: IO[bytes]):
        self._sink = sink
        self._copy = copy

    def write(self, data: bytes, /) -> int:
        self._copy.write(data)
        return self._sink.write(data)


def _teeing(fill: Callable[[Sink], None], path: Path) -> Callable[[Sink], None]:
    def teed(dst: Sink) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as copy:
            fill(_Tee(dst, copy))

    return teed


def _copy(src: Path) -> Callable[[Sink], None]:
    def fill(dst: Sink) -> None:
        with open(src, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                dst.write(chunk)

    return fill


def _bytes(data: bytes) -> Callable[[Sink], None]:
    def fill(dst: Sink) -> None:
        dst.write(data)

    return fill


class _Writer:
    """Writes evidence entries, redacting where the policy says, and remembers digests and counts."""

    def __init__(self, sink: ZipWriter, policy: Policy):
        self.sink = sink
        self.policy = policy
        self.subjects: list[Subject] = []
        self.total = 0
        self.counts: dict[str, dict[str, int]] = {}
        self.secrets: dict[str, str] = {}
        self._raw: Redactor | None = None
        self._derived: Redactor | None = None

    def add(self, src: Source, tee: Path | None = None) -> None:
        """Write one entry; with ``tee``, also keep the bytes exactly as packaged (after redaction) there."""
        size = src.path.stat().st_size if src.path is not None else len(src.data or b"")
        if src.redact and src.path is not None:
            fill = self._redacting(src)
        elif src.path is not None:
            fill = _copy(src.path)
        else:
            fill = _bytes(src.data or b"")
        if tee is not None:
            fill = _teeing(fill, tee)
        digest, written = self.sink.write(src.name, fill, large=size > _ZIP64_MARGIN)
        self.subjects.append(Subject(src.name, digest))
        self.total += written

    def _redactor(self, derived: bool) -> Redactor:
        """One redactor for raw files; one for derived files, made after every raw file gave up its secrets."""
        if derived:
            if self._derived is None:
                self._derived = self.policy.redactor(self.secrets)
            return self._derived
        if self._raw is None:
            self._raw = self.policy.redactor()
        return self._raw

    def _redacting(self, src: Source) -> Callable[[Sink], None]:
        assert src.path is not None
        path = src.path
        derived = self.policy.is_derived(src.name)
        redactor = self._redactor(derived)
        document = src.name.endswith(".json") and path.stat().st_size <= DOCUMENT_MAX

        def fill(dst: Sink) -> None:
            with open(path, "rb") as fh:
                try:
                    outcome: Outcome = redactor.copy(fh, dst, document=document)
                except RedactionError as exc:
                    raise InputFileError(str(path), f"cannot be redacted safely: {exc.reason}", line=exc.line) from None
            if outcome.total:
                self.counts[src.name] = dict(sorted(outcome.counts.items()))
            if not derived:
                self.secrets.update(outcome.secrets)

        return fill


def _add_reports(
    writer: _Writer, render: ReportRenderer, view: Path, checks_root: Path, reports_dir: Path | None
) -> None:
    """Render the reports from the evidence as packaged and add them: a report can show no value the
    redaction removed, because it never sees one."""
    with tempfile.TemporaryDirectory(prefix="clearance-reports-") as scratch:
        out = reports_dir or Path(scratch)
        for path in sorted(render(view, checks_root, out)):
            writer.add(Source(f"{layout.REPORT}{path.relative_to(out).as_posix()}", path))


# -- generated files ----------------------------------------------------------------------------
def _readme(filing: Filing, finished: str) -> bytes:
    text = (Path(__file__).parent / "README.template.md").read_text("utf-8")
    values = {"format": layout.FORMAT, "filing_id": filing.id, "predicate_type": layout.PREDICATE_TYPE}
    values["finished"] = finished
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode("utf-8")


def _json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _pem(certs: Sequence[Any]) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# -- the statement --------------------------------------------------------------------------------
def _predicate(
    scan: Scan, opts: BuildOptions, tool: ToolInfo, checks: int, writer: _Writer, supersedes: str | None
) -> dict[str, Any]:
    ordered = sorted(writer.subjects, key=lambda s: layout.utf8_key(s.name))
    meta = scan.meta
    summary = scan.summary
    return {
        "filing": opts.filing.to_json(),
        "firm": opts.firm.to_json(),
        "scan": {
            "startedOn": scan.started,
            "finishedOn": scan.finished,
            "tool": {"name": tool.name, "version": tool.version, "digest": {"sha256": tool.digest}},
            "ruleset": {
                "name": "clearance-checks",
                "digest": {"sha256": meta["content_pack"]["sha256"]},
                "checks": checks,
                "path": layout.CONTENT.rstrip("/"),
            },
            "profile": {
                "id": meta["profile"]["id"],
                "version": str(meta["profile"].get("version", "")),
                "digest": {"sha256": meta["profile"]["sha256"]},
                "path": layout.PROFILE,
            },
            "scope": [
                {
                    "provider": meta["provider"],
                    "accounts": list(meta.get("accounts", [])),
                    "regions": list(meta.get("regions", [])),
                }
            ],
        },
        "package": {
            "format": layout.FORMAT,
            "fileCount": len(ordered),
            "totalBytes": writer.total,
            "evidenceTree": {"dirHash1": dir_hash1(ordered)},
            "supersedes": supersedes,
            "redaction": {
                "policy": layout.REDACTION,
                "redactions": sum(sum(c.values()) for c in writer.counts.values()),
            },
        },
        "results": {
            "findings": layout.FINDINGS,
            "coverage": layout.COVERAGE,
            "oscal": layout.OSCAL if any(s.name == layout.OSCAL for s in ordered) else None,
            "summary": {
                "complete": bool(summary["complete"]),
                "findings": int(summary["findings"]),
                "verdicts": {k: int(v) for k, v in sorted(summary["verdicts"].items())},
            },
        },
    }


def superseded_digest(path: Path, filing_id: str) -> str:
    """SHA-256 of the statement payload of the package ``path`` replaces (same filing id required)."""
    from .container import ContainerError, open_container
    from .dsse import EnvelopeError, parse_envelope
    from .statement import StatementError, parse_statement

    try:
        with open_container(path) as old:
            envelope = parse_envelope(old.read(layout.ENVELOPE, 256 * 1024 * 1024))
        statement = parse_statement(envelope.payload)
    except (ContainerError, EnvelopeError, StatementError, KeyError) as exc:
        raise UsageError(f"--supersedes {path}: not a readable evidence package: {exc}") from None
    old_id = statement.filing["id"]
    if old_id != filing_id:
        raise UsageError(f"--supersedes {path}: it is for filing {old_id!r}, not {filing_id!r} (same series only)")
    return statement.digest


def _signature_material(
    signer: EvidenceSigner, sig: bytes, opts: BuildOptions
) -> tuple[bytes | None, list[bytes], dt.datetime | None]:
    """Timestamp the raw signature, then collect CRLs (after T, so they speak about it)."""
    from .revocation import collect_crls

    tsr = opts.timestamper(sig) if opts.timestamper is not None else None
    gen_time = _gen_time(tsr) if tsr is not None else None
    chain = signer.certificate_chain()
    if opts.offline:
        crls = collect_crls([], extra=opts.crls)
    else:
        crls = collect_crls(chain, fetch=opts.fetch_crls, extra=opts.crls)
    return tsr, crls, gen_time


def _gen_time(tsr: bytes) -> dt.datetime:
    from rfc3161_client import decode_timestamp_response

    try:
        gen_time: dt.datetime = decode_timestamp_response(tsr).tst_info.gen_time
    except ValueError as exc:
        raise UsageError(f"the TSA answer is not a timestamp response: {exc}") from None
    return gen_time


def _check_window(finished: str, when: dt.datetime, window: dt.timedelta) -> None:
    end = parse_time(finished)
    if when + layout.CLOCK_SKEW < end:
        raise UsageError(
            f"the timestamp ({format_time(when)}) is before the scan finished ({finished}): fix the scanner's clock"
        )
    if when > end + window:
        raise UsageError(
            f"the scan finished {finished}, more than {window} before the timestamp ({format_time(when)}): "
            "verifiers reject stale evidence; scan again"
        )


def build_package(scan_dir: Path, out: Path, opts: BuildOptions) -> BuildResult:
    """Package ``scan_dir`` into the ZIP ``out`` (see the module docstring for the order of steps)."""
    from .dsse import Envelope, Signature
    from .signers.interface import keyid, verify_signature

    if not opts.signers:
        raise UsageError("at least one signer is required")
    if out.exists() and out.is_dir():
        raise UsageError(f"--out {out}: is a directory; give the package file name (FILE.zip)")
    checks_root = opts.checks_root or checks_dir()
    policy = opts.redaction or load_policy(None)
    tool = opts.tool or ToolInfo.installed()
    scan = load_scan(scan_dir, checks_root)
    supersedes = superseded_digest(opts.supersedes, opts.filing.id) if opts.supersedes else None
    sources = _ordered(plan_sources(scan_dir, checks_root, policy), policy)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    sink = ZipWriter(partial, opts.compression)
    view = tempfile.TemporaryDirectory(prefix="clearance-view-") if opts.render_reports else None
    try:
        writer = _Writer(sink, policy)
        for src in sources:
            tee = Path(view.name) / _VIEW[src.name] if view is not None and src.name in _VIEW else None
            writer.add(src, tee)
        if view is not None and opts.render_reports is not None:
            _add_reports(writer, opts.render_reports, Path(view.name), checks_root, opts.reports_dir)
        scanner = {
            "format": layout.FORMAT,
            "tool": {"name": tool.name, "version": tool.version, "sha256": tool.digest},
            "scan_tool": scan.meta["tool"],
            "ruleset": {"sha256": scan.meta["content_pack"]["sha256"], "checks": scan.meta["content_pack"]["checks"]},
            "profile": scan.meta["profile"],
        }
        writer.add(Source(layout.SCANNER, data=_json_bytes(scanner)))
        writer.add(Source(layout.README, data=_readme(opts.filing, scan.finished)))
        record = {"policy": policy.document, "source": policy.source, "redactions": writer.counts}
        writer.add(Source(layout.REDACTION, data=_json_bytes(record)))
        predicate = _predicate(scan, opts, tool, scan.meta["content_pack"]["checks"], writer, supersedes)
        payload = serialize(statement_document(writer.subjects, predicate))
        envelope = Envelope(layout.PAYLOAD_TYPE, payload, ())
        signatures: list[Signature] = []
        material: list[tuple[str, EvidenceSigner, bytes | None, list[bytes]]] = []
        times: list[dt.datetime] = []
        for signer in opts.signers:
            chain = signer.certificate_chain()
            kid = keyid(chain[0])
            sig = signer.sign(envelope.pae())
            verify_signature(signer.public_key(), sig, envelope.pae())
            tsr, crls, gen_time = _signature_material(signer, sig, opts)
            if gen_time is not None:
                _check_window(scan.finished, gen_time, opts.window)
                times.append(gen_time)
            signatures.append(Signature(kid, sig))
            material.append((kid, signer, tsr, crls))
        dirs = [layout.sig_dir(kid) for kid, *_ in material]
        if len(set(dirs)) != len(dirs):
            raise UsageError("two signers share a key (the same keyid prefix); use distinct keys")
        final = Envelope(layout.PAYLOAD_TYPE, payload, tuple(signatures))
        sink.write(layout.ENVELOPE, _bytes(final.to_json()))
        for (_, signer, tsr, crls), folder in zip(material, dirs, strict=True):
            sink.write(folder + layout.CHAIN, _bytes(_pem(signer.certificate_chain())))
            if tsr is not None:
                sink.write(folder + layout.TIMESTAMP, _bytes(tsr))
            for crl in crls:
                name = hashlib.sha256(crl).hexdigest()[:16]
                sink.write(f"{folder}{layout.REVOCATION}{name}.crl", _bytes(crl))
        sink.close()
        os.replace(partial, out)
    except BaseException:
        sink.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        if view is not None:
            view.cleanup()
    return BuildResult(
        out,
        hashlib.sha256(payload).hexdigest(),
        len(writer.subjects),
        writer.total,
        sum(sum(c.values()) for c in writer.counts.values()),
        tuple(kid for kid, *_ in material),
        tuple(times),
    )
