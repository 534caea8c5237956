"""The manifest: an in-toto Statement v1 with one subject per evidence file and our versioned predicate.

Bytes are produced with RFC 8785 (JCS) so the same inputs always give the same payload. On the
verifying side the payload is parsed only after its signature verified, strictly, and checked
against ``schemas/statement.schema.json`` plus the rules a schema cannot express: subjects
unique and sorted by UTF-8 bytes, valid names under ``evidence/``, SHA-256 present and no
weak digest algorithm anywhere.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import InputFileError
from ..yamlfile import LoadedYaml, validate
from . import layout, strictjson

SCHEMA = "statement.schema.json"
MAX_STATEMENT_BYTES = 192 * 1024 * 1024
WEAK_DIGESTS = frozenset({"md5", "sha1", "sha-1", "md4", "sha224"})
_HEX64 = re.compile(r"[0-9a-f]{64}")


class StatementError(ValueError):
    """The (verified) payload is not an acceptable statement; the message says why."""


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    sha256: str


def dir_hash1(subjects: Iterable[Subject]) -> str:
    """Hex SHA-256 of the ``sha256sum``-style listing ``"<sha256>  <name>\\n"`` in subject order.

    Reproducible without our code: ``jq -r '.subject[]|"\\(.digest.sha256)  \\(.name)"' payload | sha256sum``.
    """
    outer = hashlib.sha256()
    for subject in subjects:
        outer.update(f"{subject.sha256}  {subject.name}\n".encode())
    return outer.hexdigest()


def statement_document(subjects: Sequence[Subject], predicate: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(subjects, key=lambda s: layout.utf8_key(s.name))
    return {
        "_type": layout.STATEMENT_TYPE,
        "subject": [{"name": s.name, "digest": {"sha256": s.sha256}} for s in ordered],
        "predicateType": layout.PREDICATE_TYPE,
        "predicate": predicate,
    }


def serialize(document: dict[str, Any]) -> bytes:
    """Deterministic statement bytes (RFC 8785)."""
    import rfc8785

    return rfc8785.dumps(document)


def parse_time(text: str) -> datetime:
    """An RFC 3339 UTC time as written in the predicate (``2026-11-24T01:20:00Z``)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Statement:
    """A parsed, validated statement and the SHA-256 of the exact payload bytes it came from."""

    subjects: tuple[Subject, ...]
    predicate: dict[str, Any]
    digest: str

    @property
    def filing(self) -> dict[str, Any]:
        data: dict[str, Any] = self.predicate["filing"]
        return data

    @property
    def scan(self) -> dict[str, Any]:
        data: dict[str, Any] = self.predicate["scan"]
        return data

    @property
    def package(self) -> dict[str, Any]:
        data: dict[str, Any] = self.predicate["package"]
        return data

    @property
    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = self.predicate["results"]
        return data

    def time(self, section: dict[str, Any], key: str) -> datetime | None:
        value = section.get(key)
        return parse_time(value) if value is not None else None


def _subject(item: dict[str, Any], index: int) -> Subject:
    name = item["name"]
    where = f"subject[{index}] {name!r}"
    problem = layout.name_problem(name)
    if problem:
        raise StatementError(f"{where}: {problem}")
    if not name.startswith(layout.EVIDENCE):
        raise StatementError(f"{where}: subjects must be files under {layout.EVIDENCE}")
    digests = {k.lower(): v for k, v in item["digest"].items()}
    weak = sorted(WEAK_DIGESTS & set(digests))
    if weak:
        raise StatementError(f"{where}: weak digest algorithm {', '.join(weak)} is not accepted")
    sha = digests.get("sha256")
    if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
        raise StatementError(f"{where}: no valid lowercase hex sha256 digest")
    return Subject(name, sha)


def parse_statement(payload: bytes) -> Statement:
    """Parse and validate verified payload bytes."""
    try:
        doc = strictjson.loads(payload, max_bytes=MAX_STATEMENT_BYTES, what="statement")
    except strictjson.StrictJSONError as exc:
        raise StatementError(str(exc)) from None
    if not isinstance(doc, dict):
        raise StatementError("statement is not a JSON object")
    if doc.get("_type") != layout.STATEMENT_TYPE:
        raise StatementError(f"_type is {doc.get('_type')!r}, expected {layout.STATEMENT_TYPE!r}")
    if doc.get("predicateType") != layout.PREDICATE_TYPE:
        raise StatementError(f"predicateType is {doc.get('predicateType')!r}, expected {layout.PREDICATE_TYPE!r}")
    try:
        validate(LoadedYaml(doc, "statement", {}), SCHEMA)
    except InputFileError as exc:
        raise StatementError(f"statement does not match {SCHEMA}: {exc.detail} (field {exc.field})") from None
    subjects = tuple(_subject(item, i) for i, item in enumerate(doc["subject"]))
    keys = [layout.utf8_key(s.name) for s in subjects]
    for i in range(1, len(keys)):
        if keys[i] == keys[i - 1]:
            raise StatementError(f"duplicate subject {subjects[i].name!r}")
        if keys[i] < keys[i - 1]:
            raise StatementError(f"subjects are not sorted by UTF-8 bytes at {subjects[i].name!r}")
    return Statement(subjects, doc["predicate"], hashlib.sha256(payload).hexdigest())
