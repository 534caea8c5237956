"""The registers of one evaluation: loaded before the engine runs, applied as it streams, written after.

Registers are validated before anything else happens (before a scan touches the cloud), so a typo
in a register costs seconds, not a scan. After the engine, the scan directory gets, per register,
the results (``exceptions.json`` / ``attestations.json``), the register itself as given
(``exceptions.yaml`` / ``attestations.yaml``) and, for attestations, copies of the evidence files:
the evidence package carries all of them (``evidence/exceptions/``, ``evidence/attestations/``).

These files belong to the evaluation: evaluating again without a register removes the previous
run's copies (recognised by their results file), so a scan directory never shows a register that
its findings do not reflect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.checks import CheckSet
from ..errors import UsageError
from ..inventory import atomic_write_text
from .attestations import EVIDENCE_DIR, AttestationRegister, AttestationRun, load_attestations
from .dates import today_utc
from .document import RegisterFile
from .exceptions import ExceptionRegister, ExceptionRun, load_exceptions

EXCEPTIONS_RESULTS = "exceptions.json"
EXCEPTIONS_COPY = "exceptions.yaml"
ATTESTATIONS_RESULTS = "attestations.json"
ATTESTATIONS_COPY = "attestations.yaml"
EVIDENCE_STAGING = ".attestations-files.partial"
"""Evidence copies are made here first, outside what a package takes, then moved to ``attestations/files``."""

ExceptionsArg = ExceptionRegister | Path | str | None
AttestationsArg = AttestationRegister | Path | str | None
Hook = Callable[[dict[str, Any]], None]


def load_registers(
    checks: CheckSet, exceptions: ExceptionsArg, attestations: AttestationsArg, as_of: dt.date | None = None
) -> tuple[ExceptionRegister | None, AttestationRegister | None]:
    """Registers given as paths are read and validated against ``checks``' content pack; loaded ones pass through."""
    exc = load_exceptions(exceptions, checks) if isinstance(exceptions, Path | str) else exceptions
    att = load_attestations(attestations, checks) if isinstance(attestations, Path | str) else attestations
    if as_of is not None and exc is None and att is None:
        raise UsageError("as_of (--as-of) applies only with an exceptions or attestations register")
    return exc, att


@dataclass
class Overlay:
    """The registers of one evaluation, judged at one day (either may be absent)."""

    exceptions: ExceptionRun | None
    attestations: AttestationRun | None

    @classmethod
    def prepare(
        cls, checks: CheckSet, exceptions: ExceptionsArg, attestations: AttestationsArg, as_of: dt.date | None
    ) -> Overlay:
        """Load what is not loaded yet and judge it at ``as_of`` (default: today, UTC)."""
        exc, att = load_registers(checks, exceptions, attestations, as_of)
        day = as_of or today_utc()
        return cls(ExceptionRun(exc, day) if exc else None, AttestationRun(att, day) if att else None)

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """What the engine calls on each finding, in order, before counting it."""
        return tuple(run for run in (self.exceptions, self.attestations) if run is not None)

    def write(self, out: Path) -> None:
        """Results, register copies and evidence copies into ``out``; stale ones of an earlier run removed."""
        staging = out / EVIDENCE_STAGING
        if self.attestations is not None:
            shutil.rmtree(staging, ignore_errors=True)
            try:
                self.attestations.copy_evidence(staging)  # first: the only step that can fail on a changed file
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        if self.exceptions is not None:
            _write(out, EXCEPTIONS_COPY, EXCEPTIONS_RESULTS, self.exceptions.register.source, self.exceptions.to_json)
        else:
            _remove_previous(out, EXCEPTIONS_RESULTS, EXCEPTIONS_COPY)
        if self.attestations is not None:
            shutil.rmtree(out / EVIDENCE_DIR, ignore_errors=True)
            (out / EVIDENCE_DIR).parent.mkdir(exist_ok=True)
            staging.rename(out / EVIDENCE_DIR)
            run = self.attestations
            _write(out, ATTESTATIONS_COPY, ATTESTATIONS_RESULTS, run.register.source, run.to_json)
        elif _remove_previous(out, ATTESTATIONS_RESULTS, ATTESTATIONS_COPY):
            shutil.rmtree(out / EVIDENCE_DIR, ignore_errors=True)
            with contextlib.suppress(OSError):
                (out / EVIDENCE_DIR).parent.rmdir()  # only when empty: a user's own files there stay


def _write(out: Path, copy: str, results: str, source: RegisterFile, to_json: Callable[[str], dict[str, Any]]) -> None:
    atomic_write_text(out / copy, source.data.decode("utf-8"))  # the bytes as read: its digest is recorded
    atomic_write_text(out / results, json.dumps(to_json(copy), indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def _remove_previous(out: Path, results: str, copy: str) -> bool:
    """Only what a previous evaluation wrote (it left a results file); a user's own files stay."""
    if not (out / results).exists():
        return False
    (out / copy).unlink(missing_ok=True)
    (out / results).unlink()
    return True
