"""Read a register file (exceptions or attestations) once: its bytes, their digest, and the validated YAML.

The bytes are kept because the register itself goes into the scan directory (and so into the
evidence package) exactly as the approver signed it off, and its digest is recorded. Every
problem is an :class:`~clearance.errors.InputFileError` naming file, line and field, the same
way for both registers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.checks import CheckSet
from ..errors import InputFileError
from ..yamlfile import LoadedYaml, PathKey, _dotted, parse_yaml_bytes, read_bytes, validate
from .dates import parse_day

PROVIDER_DIRS = ("aws", "azure", "gcp")
"""Folders of the content pack holding check files (as :func:`clearance.engine.checks.load_checks` reads them)."""


@dataclass(frozen=True)
class RegisterFile:
    """A register as read from disk: the exact bytes and the parsed, schema-valid document."""

    path: Path
    data: bytes
    doc: LoadedYaml

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def file(self) -> str:
        return self.doc.file

    def error(self, path: PathKey, message: str) -> InputFileError:
        return InputFileError(self.doc.file, message, line=self.doc.line_of(path), field=_dotted(path))

    def day(self, path: PathKey, value: str) -> dt.date:
        try:
            return parse_day(value)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None

    def validity_days(self, where: PathKey, item: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
        """``created`` and ``expires`` of an entry, refusing an entry that expires before it starts."""
        created = self.day((*where, "created"), item["created"])
        expires = self.day((*where, "expires"), item["expires"])
        if expires < created:
            raise self.error((*where, "expires"), f"expires ({expires}) is before created ({created})")
        return created, expires

    def unique_ids(self, key: str) -> None:
        """Entry ids must be unique: results, findings and reports refer to entries by id."""
        first: dict[str, int | None] = {}
        for i, item in enumerate(self.doc.data[key]):
            where: PathKey = (key, i, "id")
            if item["id"] in first:
                raise self.error(where, f"duplicate id {item['id']!r} (first at line {first[item['id']]})")
            first[item["id"]] = self.doc.line_of(where)


def read_register(path: Path | str, schema: str, *, display: str | None = None) -> RegisterFile:
    """Read, parse and schema-validate a register; YAML dates become ``YYYY-MM-DD`` text first."""
    source = Path(path)
    name = display or str(source)
    data = read_bytes(source, name)
    loaded = parse_yaml_bytes(data, name)
    doc = LoadedYaml(_dates_as_text(loaded, loaded.data, ()), loaded.file, loaded.lines)
    validate(doc, schema)
    return RegisterFile(source, data, doc)


def _dates_as_text(doc: LoadedYaml, value: Any, path: PathKey) -> Any:
    """YAML reads ``2026-10-01`` as a date; the schema (like an editor's) sees text, so convert it back."""
    if isinstance(value, dt.datetime):
        raise InputFileError(
            doc.file, "a date must be a day (YYYY-MM-DD) without a time", line=doc.line_of(path), field=_dotted(path)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_as_text(doc, v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(doc, v, (*path, i)) for i, v in enumerate(value)]
    return value


@dataclass(frozen=True)
class Catalogue:
    """The check and control ids of the content pack, for validating what a register refers to."""

    checks: frozenset[str]
    controls: frozenset[str]

    @classmethod
    def of(cls, checks: CheckSet) -> Catalogue:
        """Every check of the pack, not only the selected ones: an exception for a check left out
        by ``--check`` is still valid (it is reported as unused). Check files are named by their id."""
        ids = {c.id for c in checks.checks}
        for provider in PROVIDER_DIRS:
            folder = checks.root / provider
            if folder.is_dir():
                ids.update(p.stem for p in folder.rglob("*.yaml"))
        return cls(frozenset(ids), frozenset(checks.controls))

    def require(self, register: RegisterFile, path: PathKey, kind: str, value: str) -> str:
        """``value`` when it is a known ``check`` or ``control`` id, else an error naming the closest ids."""
        known = self.checks if kind == "check" else self.controls
        if value not in known:
            raise register.error(path, f"unknown {kind} id {value!r}{_suggest(value, known)}")
        return value


def _suggest(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=3)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def only_one(register: RegisterFile, path: PathKey, item: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    """The single one of ``keys`` present in ``item`` (JSON Schema's ``oneOf`` errors are unreadable)."""
    given = [k for k in keys if k in item]
    if len(given) != 1:
        found = f"found {', '.join(given)}" if given else "found none"
        raise register.error(path, f"give exactly one of {', '.join(keys)} ({found})")
    return given[0]


def register_json(register: RegisterFile, copy_name: str) -> dict[str, str]:
    """Which register a results file describes: its copy in the scan directory, its name as given, its digest."""
    return {"file": copy_name, "source": register.path.name, "sha256": register.sha256}
