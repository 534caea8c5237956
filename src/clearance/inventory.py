"""The on-disk inventory: raw resources as JSONL, collection units, and the API-call log.

Layout inside a scan directory::

    raw/<provider>/<account>/<region>/<service>/<type>.jsonl   one resource record per line, sorted by id
    raw/units.jsonl                                             what each collection unit listed or failed
    logs/api-calls.jsonl                                        every API call: time, operation, status, request id

Collectors stream records to a per-account staging area; when an account is complete its
records are linked, scope-filtered and written in a deterministic order. Nothing is kept in
memory across accounts, so memory is bounded by the largest account, not the estate. Reading
does not hold an account either: the reader yields lines with their byte offsets, and a record's
id, type and region can be read without decoding its data (``record_envelope``).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import InputFileError
from .model import JSON, CollectionError, Resource

RAW_DIR = "raw"
UNITS_FILE = "raw/units.jsonl"
CALL_LOG = "logs/api-calls.jsonl"
STAGING = ".staging"


def dumps(obj: Any) -> str:
    """Stable single-line JSON used for every JSONL file we write."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=json_default)


def json_default(obj: Any) -> Any:
    """How :func:`dumps` writes values JSON has no type for."""
    import datetime as _dt

    if isinstance(obj, _dt.datetime):
        if obj.tzinfo is None:
            obj = obj.replace(tzinfo=_dt.UTC)
        return obj.isoformat().replace("+00:00", "Z")
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    if isinstance(obj, bytes):
        import base64

        return {"$base64": base64.b64encode(obj).decode()}
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    if hasattr(obj, "read"):  # botocore StreamingBody: never store bodies
        return {"$stream": "omitted"}
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def raw_file(resource_provider: str, account: str, region: str, service: str, rtype: str) -> str:
    return f"{RAW_DIR}/{resource_provider}/{account}/{region}/{service}/{rtype}.jsonl"


class TypeStatus(StrEnum):
    LISTED = "listed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class TypeListing:
    """How one resource type was enumerated in one account and region."""

    provider: str
    account: str
    region: str
    type: str
    status: TypeStatus
    list_call: str
    count: int = 0
    """Resources written after scope filtering."""
    listed: int = 0
    """Resources the list call returned, before scope filtering."""
    error: CollectionError | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "type": self.type,
            "status": self.status.value,
            "list_call": self.list_call,
            "count": self.count,
            "listed": self.listed,
            "error": self.error.to_json() if self.error else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TypeListing:
        return cls(
            provider=data["provider"],
            account=data["account"],
            region=data["region"],
            type=data["type"],
            status=TypeStatus(data["status"]),
            list_call=data["list_call"],
            count=data.get("count", 0),
            listed=data.get("listed", 0),
            error=CollectionError.from_json(data["error"]) if data.get("error") else None,
        )


@dataclass
class _AccountStage:
    records: Path
    listings: list[TypeListing] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class InventoryWriter:
    """Thread-safe sink for collectors; finalises one account at a time."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "logs").mkdir(exist_ok=True)
        (root / RAW_DIR).mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._stages: dict[tuple[str, str], _AccountStage] = {}
        self._call_log = open(root / CALL_LOG, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._units = open(root / UNITS_FILE, "a", encoding="utf-8", newline="\n")  # noqa: SIM115

    def _stage(self, provider: str, account: str) -> _AccountStage:
        key = (provider, account)
        with self._lock:
            stage = self._stages.get(key)
            if stage is None:
                path = self.root / STAGING / provider / f"{account}.jsonl"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("", encoding="utf-8")
                stage = self._stages[key] = _AccountStage(path)
            return stage

    def add(self, resource: Resource) -> None:
        stage = self._stage(resource.provider, resource.account)
        line = dumps(resource.to_json()) + "\n"
        with stage.lock, open(stage.records, "a", encoding="utf-8", newline="\n") as fh:
            fh.write(line)

    def listing(self, listing: TypeListing) -> None:
        stage = self._stage(listing.provider, listing.account)
        with stage.lock:
            stage.listings.append(listing)

    def log_call(self, entry: dict[str, Any]) -> None:
        line = dumps(entry) + "\n"
        with self._lock:
            self._call_log.write(line)

    def staged(self, provider: str, account: str) -> Iterator[Resource]:
        stage = self._stage(provider, account)
        with open(stage.records, encoding="utf-8") as fh:
            for line in fh:
                yield Resource.from_json(json.loads(line))

    def finalize_account(self, provider: str, account: str, resources: Iterable[Resource]) -> None:
        """Write the account's final records (already linked and filtered) and its listings."""
        stage = self._stage(provider, account)
        by_file: dict[str, list[Resource]] = {}
        counts: dict[tuple[str, str], int] = {}
        for res in resources:
            by_file.setdefault(raw_file(res.provider, res.account, res.region, res.service, res.type), []).append(res)
            counts[(res.region, res.type)] = counts.get((res.region, res.type), 0) + 1
        for rel, items in sorted(by_file.items()):
            items.sort(key=lambda r: r.id)
            atomic_write_text(self.root / rel, "".join(dumps(r.to_json()) + "\n" for r in items))
        with stage.lock:
            listings = sorted(stage.listings, key=lambda x: (x.region, x.type))
        with self._lock:
            for lst in listings:
                final = TypeListing(
                    lst.provider,
                    lst.account,
                    lst.region,
                    lst.type,
                    lst.status,
                    lst.list_call,
                    counts.get((lst.region, lst.type), 0),
                    lst.listed,
                    lst.error,
                )
                self._units.write(dumps(final.to_json()) + "\n")
            self._units.flush()
        stage.records.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._call_log.close()
            self._units.close()
        shutil.rmtree(self.root / STAGING, ignore_errors=True)


@dataclass(slots=True)
class StoredRecord:
    """A resource record as read back, with its location for source pointers."""

    record: dict[str, Any]
    file: str
    line: int


_ID_KEY = b',"id":"'
_DECODER = json.JSONDecoder()


def record_envelope(line: bytes, file: str, lineno: int) -> tuple[str, str, str]:
    """(id, type, region) of one stored record line, without decoding its ``data``.

    Records written by :class:`InventoryWriter` have sorted keys, so ``id``, ``type`` and ``region`` come
    after the large ``data``. The text from the top-level ``,"id":`` to the end of the line, opened with a
    brace, is a JSON object of its own; from a nested ``"id"`` it is not (it closes more than it opens). So
    the last occurrence whose tail parses as one object is the record's own. Other layouts are decoded whole.
    """
    end = len(line)
    while (pos := line.rfind(_ID_KEY, 0, end)) >= 0:
        end = pos
        text = "{" + line[pos + 1 :].decode("utf-8", "surrogatepass")
        try:
            tail, stop = _DECODER.raw_decode(text)
        except ValueError:
            continue
        if text[stop:].strip():
            continue
        rid, rtype, region = tail.get("id"), tail.get("type"), tail.get("region")
        if isinstance(rid, str) and isinstance(rtype, str) and isinstance(region, str):
            return rid, rtype, region
        break
    record = decode_record(line, file, lineno)
    return record["id"], record["type"], record["region"]


def decode_record(line: bytes, file: str, lineno: int) -> dict[str, Any]:
    """One stored record; a line that is not a resource record is an input error naming file and line."""
    try:
        record = _DECODER.decode(line.decode("utf-8", "surrogatepass"))
    except ValueError as exc:  # UnicodeDecodeError included
        raise InputFileError(file, f"not a JSON resource record: {exc}", line=lineno) from None
    if not (
        isinstance(record, dict)
        and isinstance(record.get("id"), str)
        and isinstance(record.get("type"), str)
        and isinstance(record.get("region"), str)
    ):
        raise InputFileError(file, "not a resource record (needs string id, type and region)", line=lineno)
    return record


class InventoryReader:
    """Read a scan directory's inventory (or the ``evidence/`` tree of a package)."""

    def __init__(self, root: Path):
        self.root = root
        if not (root / RAW_DIR).is_dir():
            raise FileNotFoundError(f"{root} has no {RAW_DIR}/ directory: not a clearance scan directory")

    def listings(self) -> list[TypeListing]:
        path = self.root / UNITS_FILE
        if not path.exists():
            return []
        with open(path, encoding="utf-8") as fh:
            return [TypeListing.from_json(json.loads(line)) for line in fh if line.strip()]

    def accounts(self) -> list[tuple[str, str]]:
        """(provider, account) pairs that have raw data or listings, sorted."""
        found = {(x.provider, x.account) for x in self.listings()}
        raw = self.root / RAW_DIR
        for prov in raw.iterdir():
            if prov.is_dir():
                found.update((prov.name, acct.name) for acct in prov.iterdir() if acct.is_dir())
        return sorted(found)

    def files(self, provider: str, account: str) -> list[str]:
        base = self.root / RAW_DIR / provider / account
        if not base.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*.jsonl"))

    def lines(self, rel: str) -> Iterator[tuple[int, int, bytes]]:
        """(byte offset, 1-based line number, line) of each non-blank line of one inventory file."""
        offset = 0
        with open(self.root / rel, "rb") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.strip():
                    yield offset, lineno, line
                offset += len(line)

    def records(self, provider: str, account: str) -> Iterator[StoredRecord]:
        for rel in self.files(provider, account):
            for _, lineno, line in self.lines(rel):
                yield StoredRecord(decode_record(line, rel, lineno), rel, lineno)
