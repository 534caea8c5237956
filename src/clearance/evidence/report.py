"""The verification report: every step's result with its reason, the signers, the trusted time.

Its JSON form is ``schemas/verification-report.schema.json``; the human form is a short summary
that names the failing step and why. A report is VALID only when no step failed; steps after a
failure are listed as not run, because they would have relied on data that did not verify.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .. import __version__

REPORT_SCHEMA = "https://clearance.dev/schemas/verification-report.schema.json"


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    """Passed, but something was relaxed or could not be checked; the reason says what."""
    SKIPPED = "skipped"
    """Not run: an earlier step failed, or the check was not requested."""


@dataclass(frozen=True)
class StepResult:
    step: str
    status: Status
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "status": self.status.value, "reason": self.reason, "details": self.details}


@dataclass
class SignerReport:
    """What was learned about one signature of the envelope."""

    keyid: str
    accepted: bool = False
    reason: str = ""
    """Why the signature was ignored (empty when accepted)."""
    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None
    fingerprint_sha256: str | None = None
    scheme: str | None = None
    anchor: str | None = None
    tsa_time: dt.datetime | None = None
    tsa_name: str | None = None
    tsa_serial: str | None = None
    tsa_policy: str | None = None
    revocation: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "keyid": self.keyid,
            "accepted": self.accepted,
            "reason": self.reason or None,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "fingerprint_sha256": self.fingerprint_sha256,
            "scheme": self.scheme,
            "anchor": self.anchor,
            "timestamp": None
            if self.tsa_time is None
            else {
                "genTime": _iso(self.tsa_time),
                "tsa": self.tsa_name,
                "serial": self.tsa_serial,
                "policy": self.tsa_policy,
            },
            "revocation": list(self.revocation),
        }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class VerificationReport:
    package: str
    kind: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    signers: list[SignerReport] = field(default_factory=list)
    time: dt.datetime | None = None
    time_source: str | None = None
    """``timestamp`` (a verified RFC 3161 token) or ``verifier-clock (unsafe)``."""
    statement_sha256: str | None = None
    filing: dict[str, Any] | None = None
    file_count: int | None = None
    total_bytes: int | None = None
    unsafe: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.steps) and all(s.status is not Status.FAIL for s in self.steps)

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.status is Status.FAIL), None)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.step == name)

    def to_json(self) -> dict[str, Any]:
        failure = self.failure
        return {
            "$schema": REPORT_SCHEMA,
            "schema_version": "1",
            "verifier": {"name": "clearance", "version": __version__},
            "package": {"path": self.package, "kind": self.kind},
            "valid": self.valid,
            "failed_step": failure.step if failure else None,
            "reason": failure.reason if failure else None,
            "statement_sha256": self.statement_sha256,
            "time": None if self.time is None else {"value": _iso(self.time), "source": self.time_source},
            "filing": self.filing,
            "files": self.file_count,
            "total_bytes": self.total_bytes,
            "signers": [s.to_json() for s in self.signers],
            "steps": [s.to_json() for s in self.steps],
            "unsafe": list(self.unsafe),
        }

    def summary_lines(self) -> list[str]:
        """The human summary: verdict, who signed and when, then one line per step."""
        verdict = "VALID" if self.valid else "INVALID"
        lines = [f"{verdict}: {self.package}"]
        failure = self.failure
        if failure is not None:
            lines.append(f"  failed at step '{failure.step}': {failure.reason}")
        for signer in self.signers:
            if signer.accepted:
                lines.append(f"  signed by {signer.subject} (sha256 fingerprint {signer.fingerprint_sha256})")
        if self.time is not None:
            lines.append(f"  signing time T: {_iso(self.time)} ({self.time_source})")
        if self.statement_sha256:
            lines.append(f"  statement sha256: {self.statement_sha256}")
        if self.filing:
            lines.append(f"  filing: {self.filing.get('id')} (nonce {self.filing.get('nonce')})")
        for flag in self.unsafe:
            lines.append(f"  UNSAFE: {flag}")
        for result in self.steps:
            lines.append(f"  [{result.status.value:>7}] {result.step}: {result.reason}")
        return lines
