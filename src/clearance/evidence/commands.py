"""The ``package`` and ``verify`` commands behind the CLI: turn command-line values into options, run, report.

Kept out of ``cli.py`` so the CLI stays a thin layer and these paths are testable without click.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputFileError, UsageError
from . import layout
from .builder import BuildOptions, BuildResult, Filing, Firm, build_package
from .report import VerificationReport
from .verifier import VerifyOptions, verify

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class PackageArgs:
    """Everything ``clearance package`` (and ``scan --package``) accepts."""

    filing_id: str
    signers: Sequence[str]
    nonce: str | None = None
    nonce_issued_on: str | None = None
    regulator: str | None = None
    purpose: str | None = None
    firm: str | None = None
    firm_ids: Sequence[str] = ()
    tsa: str | None = None
    crls: Sequence[Path] = ()
    offline: bool = False
    supersedes: Path | None = None
    redaction_policy: Path | None = None
    store: bool = False
    no_reports: bool = False
    """Skip writing the reports (HTML, OSCAL, OCSF, CSV, framework results) into the package."""


def _firm_ids(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        scheme, sep, ident = value.partition("=")
        if not sep or not scheme or not ident:
            raise UsageError(f"--firm-id {value!r}: expected SCHEME=VALUE (e.g. KR-BRN=000-00-00000)")
        out.append((scheme, ident))
    return tuple(out)


def _time_arg(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from .statement import format_time, parse_time

    try:
        return format_time(parse_time(value))
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a UTC time like 2026-11-20T09:00:00Z") from None


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read {what}: {exc.strerror or exc}") from None


def _out_path(scan_dir: Path, out: Path, args: PackageArgs) -> Path:
    if not out.is_dir():
        return out
    try:
        finished = str(json.loads((scan_dir / "scan.json").read_text("utf-8")).get("finished", ""))
    except (OSError, ValueError):
        finished = ""
    return out / layout.package_filename(args.firm or "firm", args.filing_id, finished)


def package(scan_dir: Path, out: Path, args: PackageArgs) -> BuildResult:
    """Build a package; ``out`` is the ZIP file, or a directory to create the conventional name in."""
    from .redaction import load_policy
    from .signers import load_signer

    if not args.signers:
        raise UsageError("--signer is required to build an evidence package")
    timestamper = None
    if args.tsa:
        from .timestamp import request_timestamp

        url = args.tsa

        def timestamper(signature: bytes) -> bytes:
            return request_timestamp(url, signature)

    filing = Filing(args.filing_id, args.nonce, _time_arg(args.nonce_issued_on, "--nonce-issued-on"))
    filing = replace(filing, regulator=args.regulator, purpose=args.purpose)
    firm = Firm(args.firm, _firm_ids(args.firm_ids))
    options = BuildOptions(
        filing=filing,
        signers=[load_signer(spec) for spec in args.signers],
        firm=firm,
        timestamper=timestamper,
        crls=[_read(p, "CRL") for p in args.crls],
        offline=args.offline,
        supersedes=args.supersedes,
        redaction=load_policy(args.redaction_policy),
        compression=zipfile.ZIP_STORED if args.store else zipfile.ZIP_DEFLATED,
    )
    if not args.no_reports:
        from ..reports.generate import REPORTS_DIR, render_for_package

        options = replace(options, render_reports=render_for_package, reports_dir=scan_dir / REPORTS_DIR)
    return build_package(scan_dir, _out_path(scan_dir, out, args), options)


def load_certificates(paths: Sequence[Path], option: str) -> tuple[x509.Certificate, ...]:
    """PEM certificates from each file (a bundle may hold several)."""
    from cryptography import x509

    certs: list[x509.Certificate] = []
    for path in paths:
        try:
            certs.extend(x509.load_pem_x509_certificates(_read(path, "certificates")))
        except ValueError as exc:
            raise InputFileError(str(path), f"{option}: not PEM certificates: {exc}") from None
    return tuple(certs)


@dataclass(frozen=True)
class VerifyArgs:
    trust: Sequence[Path] = ()
    tsa_trust: Sequence[Path] = ()
    filing_id: str | None = None
    nonce: str | None = None
    window_hours: float = 24.0
    crls: Sequence[Path] = ()
    threshold: int = 1
    ekus: Sequence[str] = ()
    policies: Sequence[str] = ()
    allow_pkcs1v15: bool = False
    previous: Path | None = None
    re_evaluate: bool = False
    unsafe_no_timestamp: bool = False
    unsafe_skip_revocation: bool = False
    unsafe_any_filing: bool = False


def verify_package(path: Path, args: VerifyArgs) -> VerificationReport:
    from .x509 import ChainPolicy

    if args.window_hours <= 0:
        raise UsageError("--window-hours must be positive")
    options = VerifyOptions(
        trust=load_certificates(args.trust, "--trust"),
        tsa_trust=load_certificates(args.tsa_trust, "--tsa-trust"),
        filing_id=args.filing_id,
        nonce=args.nonce,
        window=dt.timedelta(hours=args.window_hours),
        extra_crls=tuple(_read(p, "CRL") for p in args.crls),
        chain_policy=ChainPolicy(required_ekus=tuple(args.ekus), required_policies=tuple(args.policies)),
        threshold=args.threshold,
        allow_pkcs1v15=args.allow_pkcs1v15,
        previous=args.previous,
        re_evaluate=args.re_evaluate,
        unsafe_no_timestamp=args.unsafe_no_timestamp,
        unsafe_skip_revocation=args.unsafe_skip_revocation,
        unsafe_any_filing=args.unsafe_any_filing,
    )
    return verify(path, options)
