"""The registers an evidence package was evaluated with, so ``verify --re-evaluate`` applies them again.

A package carries each register as given (``exceptions.yaml``, ``attestations.yaml``) and its
results (``exceptions.json``, ``attestations.json``), which record the day it was judged at. The
re-evaluation reads the register from the package, validates it against the package's own content
pack and judges it at that recorded day: the same findings come out whatever today's date is.
Attestation evidence is read from the package's copies (``attestations/files/``), found through the
results' record of which copy stands for which path of the register.

A register file in a package without its results file was never applied (a user's own file dropped
into the scan directory), so it is not applied now either.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.checks import CheckSet
from ..errors import InputFileError
from ..yamlfile import PathKey
from .attestations import EVIDENCE_DIR, AttestationRegister, Resolver, load_attestations
from .dates import parse_day
from .document import RegisterFile
from .exceptions import ExceptionRegister, load_exceptions
from .overlay import ATTESTATIONS_COPY, ATTESTATIONS_RESULTS, EXCEPTIONS_COPY, EXCEPTIONS_RESULTS

_COPY = re.compile(rf"{re.escape(EVIDENCE_DIR)}/[^/\\]+")


@dataclass(frozen=True)
class Packaged:
    exceptions: ExceptionRegister | None = None
    attestations: AttestationRegister | None = None
    as_of: dt.date | None = None


def packaged_registers(root: Path, checks: CheckSet) -> Packaged:
    """``root`` is the package's ``evidence/`` tree, extracted; ``checks`` its content pack."""
    from ..evidence.layout import EVIDENCE
    from ..evidence.scandir import EXTRAS

    folders = {stem: (root / prefix[len(EVIDENCE) :], prefix) for stem, prefix in EXTRAS.items()}
    days: dict[str, dt.date] = {}
    exc_dir, exc_prefix = folders["exceptions"]
    exc_results = _results(exc_dir / EXCEPTIONS_RESULTS, exc_prefix + EXCEPTIONS_RESULTS, days)
    exceptions = None
    if exc_results is not None:
        exceptions = load_exceptions(exc_dir / EXCEPTIONS_COPY, checks, display=exc_prefix + EXCEPTIONS_COPY)
    att_dir, att_prefix = folders["attestations"]
    att_results = _results(att_dir / ATTESTATIONS_RESULTS, att_prefix + ATTESTATIONS_RESULTS, days)
    attestations = None
    if att_results is not None:
        attestations = load_attestations(
            att_dir / ATTESTATIONS_COPY,
            checks,
            display=att_prefix + ATTESTATIONS_COPY,
            resolve=_packaged_evidence(root, att_results),
        )
    if len(set(days.values())) > 1:
        raise InputFileError(", ".join(days), f"the registers were judged at different days: {sorted(days.values())}")
    return Packaged(exceptions, attestations, next(iter(days.values()), None))


def _results(path: Path, name: str, days: dict[str, dt.date]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        days[name] = parse_day(str(data["as_of"]))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
        raise InputFileError(name, f"cannot read the day the register was judged at: {exc}", field="as_of") from None
    return data


def _packaged_evidence(root: Path, results: Mapping[str, Any]) -> Resolver:
    """Resolve a register's evidence path to the package's copy of it."""
    try:
        copies: dict[str, str] = {e["source"]: e["file"] for a in results["attestations"] for e in a["evidence"]}
    except (TypeError, KeyError) as exc:
        raise InputFileError(ATTESTATIONS_RESULTS, f"malformed attestations list: {exc!r}") from None

    def resolve(register: RegisterFile, where: PathKey, source: str) -> Path:
        copy = copies.get(source)
        if copy is None or not _COPY.fullmatch(copy):
            raise register.error(where, f"evidence {source!r} has no copy recorded in the package")
        path = root / copy
        if not path.is_file():
            raise register.error(where, f"evidence {source!r}: its copy {copy} is missing from the package")
        return path

    return resolve
