"""The attestations register: a named owner's signed-off statement, with evidence, for what a scanner cannot see.

An attestation covers checks, controls (every check mapped to them) and framework requirements.
MANUAL findings of a covered check keep their verdict (a scanner still did not observe it) and
carry the attestation; the framework evaluator reads ``attestations.json`` for requirements.

Evidence files are given relative to the register's directory and must stay under it: no absolute
paths, no ``..``, no symbolic links anywhere on the way. A package goes to a regulator, so a typo
in a path must not be able to pick up some other file on the machine. Each file is hashed when the
register is read and copied into the scan directory (``attestations/files/``), where the evidence
package hashes and signs it; a file that changes in between is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..engine.checks import CheckSet
from ..model import Verdict
from ..yamlfile import PathKey
from .document import Catalogue, RegisterFile, only_one, read_register, register_json
from .judging import Judge, Judged, deciding

SCHEMA = "attestations.schema.json"
RESULTS_SCHEMA = "https://clearance.dev/schemas/attestations-results.schema.json"
EVIDENCE_DIR = "attestations/files"
"""Where evidence copies go, relative to the scan directory (the package keeps them under ``evidence/``)."""

FINDING_KEY = "manual_attestation"
"""The key a MANUAL finding carries its attestation under. Findings are written with sorted keys and each
finding line must start with ``{"check_id"`` (streaming readers rely on it), so the key sorts after it."""

_CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]")
_NAME_CHARS = 100


@dataclass(frozen=True)
class Evidence:
    source: str
    """The path as written in the register."""
    path: Path
    """Where it was read."""
    sha256: str
    size: int
    where: PathKey

    @property
    def name(self) -> str:
        """Unique by content, readable, and a valid package entry name: ``<sha256 prefix>-<file name>``."""
        name = _UNSAFE.sub("_", unicodedata.normalize("NFC", PurePosixPath(self.source).name))
        return f"{self.sha256[:16]}-{name[-_NAME_CHARS:]}"

    @property
    def copy(self) -> str:
        """Where the copy is, relative to the scan directory."""
        return f"{EVIDENCE_DIR}/{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.copy, "source": self.source, "sha256": self.sha256, "bytes": self.size}


Resolver = Callable[[RegisterFile, PathKey, str], Path]
"""(register, field path, path as written) -> the file to read; raises the register's error when refused."""


def beside_register(register: RegisterFile, where: PathKey, source: str) -> Path:
    """The default resolver: a regular file under the register's directory, reached without symbolic links."""
    if "\\" in source:
        raise register.error(where, f"{source!r}: use '/' between folders")
    relative = PurePosixPath(source)
    if relative.is_absolute() or re.match(r"[A-Za-z]:", source):
        raise register.error(where, f"{source!r}: give a path relative to the register's directory")
    if ".." in relative.parts:
        raise register.error(where, f"{source!r}: '..' is not allowed; keep evidence under the register's directory")
    path = register.path.parent
    for part in relative.parts:
        path = path / part
        if path.is_symlink():
            raise register.error(where, f"{source!r}: {path} is a symbolic link; copy the file instead")
    if not path.exists():
        raise register.error(where, f"evidence file not found: {path}")
    if not path.is_file():
        raise register.error(where, f"{source!r}: not a regular file")
    return path


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Attestation:
    id: str
    statement: str
    owner: str
    created: dt.date
    expires: dt.date
    checks: tuple[str, ...]
    controls: tuple[str, ...]
    requirements: tuple[tuple[str, str], ...]
    evidence: tuple[Evidence, ...]

    def covers(self, finding: Mapping[str, Any]) -> bool:
        return finding["check_id"] in self.checks or any(c in self.controls for c in finding["control_ids"])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "statement": self.statement,
            "owner": self.owner,
            "created": self.created.isoformat(),
            "expires": self.expires.isoformat(),
            "covers": {
                "controls": list(self.controls),
                "checks": list(self.checks),
                "requirements": [{"framework": f, "id": r} for f, r in self.requirements],
            },
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class AttestationRegister:
    source: RegisterFile
    entries: tuple[Attestation, ...]


def load_attestations(
    path: Path | str, checks: CheckSet, *, display: str | None = None, resolve: Resolver = beside_register
) -> AttestationRegister:
    """Read and validate a register, hashing every evidence file (found through ``resolve``)."""
    register = read_register(path, SCHEMA, display=display)
    register.unique_ids("attestations")
    catalogue = Catalogue.of(checks)
    entries = []
    for i, item in enumerate(register.doc.data["attestations"]):
        where: PathKey = ("attestations", i)
        covered: dict[str, list[Any]] = {"check": [], "control": [], "requirement": []}
        for j, cover in enumerate(item["covers"]):
            at: PathKey = (*where, "covers", j)
            kind = only_one(register, at, cover, tuple(covered))
            value = cover[kind]
            if kind == "requirement":
                covered[kind].append((value["framework"], value["id"]))
            else:
                covered[kind].append(catalogue.require(register, (*at, kind), kind, value))
        evidence = []
        for j, source in enumerate(item.get("evidence", ())):
            at = (*where, "evidence", j)
            found = resolve(register, at, source)
            digest, size = _digest(found)
            evidence.append(Evidence(source, found, digest, size, at))
        created, expires = register.validity_days(where, item)
        entries.append(
            Attestation(
                id=item["id"],
                statement=item["statement"],
                owner=item["owner"],
                created=created,
                expires=expires,
                checks=tuple(covered["check"]),
                controls=tuple(covered["control"]),
                requirements=tuple(covered["requirement"]),
                evidence=tuple(evidence),
            )
        )
    return AttestationRegister(register, tuple(entries))


class AttestationRun:
    """The register judged at ``as_of``, naming the attestation on each MANUAL finding it covers."""

    def __init__(self, register: AttestationRegister, as_of: dt.date):
        self.register = register
        self.judge = Judge(register.entries, as_of)
        self.attested = 0

    def __call__(self, finding: dict[str, Any]) -> None:
        if finding["verdict"] != Verdict.MANUAL.value:
            return
        covering = self.judge.covering(finding)
        if not covering:
            return
        chosen = deciding(covering)
        self.attested += chosen.in_force
        finding[FINDING_KEY] = {"id": chosen.entry.id, "status": _status(chosen)}

    def copy_evidence(self, folder: Path) -> None:
        """Copy every evidence file into ``folder``, refusing one that changed since the register was read."""
        folder.mkdir(parents=True, exist_ok=True)
        for entry in self.register.entries:
            for evidence in entry.evidence:
                if not (folder / evidence.name).exists():
                    self._copy(evidence, folder / evidence.name)

    def _copy(self, evidence: Evidence, dest: Path) -> None:
        partial = dest.with_name(f".{dest.name}.partial")
        digest = hashlib.sha256()
        with open(evidence.path, "rb") as src, open(partial, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != evidence.sha256:
            partial.unlink()
            raise self.register.source.error(
                evidence.where, f"evidence file {evidence.path} changed after the register was read"
            )
        os.replace(partial, dest)

    def to_json(self, copy_name: str) -> dict[str, Any]:
        statuses = [_status(j) for j in self.judge.judged]
        return {
            "$schema": RESULTS_SCHEMA,
            "schema_version": "1",
            "as_of": self.judge.as_of.isoformat(),
            "register": register_json(self.register.source, copy_name),
            "totals": {
                **{s: statuses.count(s) for s in ("valid", "expired", "not_yet_valid")},
                "attested_findings": self.attested,
            },
            "attestations": [
                {**j.entry.to_json(), "status": _status(j), "matched": len(j.findings)} for j in self.judge.judged
            ],
        }


def _status(judged: Judged[Attestation]) -> str:
    return "valid" if judged.in_force else judged.validity.value
