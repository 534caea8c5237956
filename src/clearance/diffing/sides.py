"""One side of a diff: an opened scan or package, read defensively, with errors that name the file at fault.

Everything ``clearance diff`` reads goes through :class:`Side`, so a corrupt or hand-edited input
is refused with the path (and, for a package, the member) and the JSON field, never half-compared.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..model import Severity, Verdict
from ..scanresults import ScanResults, open_results

Key = tuple[str, str, str, str, str]
"""A finding's identity across scans: (check id, provider, account, region, resource id)."""
Verdicts = tuple[str, str | None]
"""(verdict, underlying verdict) — the underlying verdict only for MUTED findings, else None."""

VERDICTS = frozenset(v.value for v in Verdict)
SEVERITIES = frozenset(s.value for s in Severity)
REGISTERS = ("exceptions", "attestations")
_CHUNK = 1 << 20


@contextmanager
def open_side(path: Path) -> Iterator[Side]:
    """Open ``path`` (scan directory or package); the temporary copy of a package is always removed."""
    try:
        results = open_results(path)
    except InputFileError as exc:
        # A package is unpacked into a private temporary directory: name the package, not that directory.
        if exc.file.startswith(str(path)):
            raise
        raise InputFileError(f"{path} ({Path(exc.file).name})", exc.detail, line=exc.line, field=exc.field) from None
    with results:
        yield Side(results)


@dataclass
class Side:
    results: ScanResults

    def where(self, name: str) -> str:
        """How errors name a file of this side: its path, or the package and the file's name."""
        return self.results.describe(name)

    def findings(self) -> Iterator[tuple[Key, dict[str, Any]]]:
        """Stream (key, finding), checking each field the diff relies on (ScanResults checks that none was lost)."""
        where = self.where("findings.json")
        stream = self.results.iter_findings()
        index = 0
        while True:
            try:
                finding = next(stream)
            except StopIteration:
                break
            except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                problem = f"finding {index + 1} cannot be read: {exc}"
                raise InputFileError(where, problem, field=f"findings[{index}]") from None
            yield _key(finding, where, index), finding
            index += 1

    def coverage(self) -> list[dict[str, Any]]:
        where = self.where("coverage.json")
        try:
            entries = self.results.coverage()
        except InputFileError as exc:
            raise InputFileError(where, exc.detail) from None
        except (KeyError, TypeError):
            raise InputFileError(where, "no 'coverage' list", field="coverage") from None
        if not isinstance(entries, list):
            raise InputFileError(where, "must be a list", field="coverage")
        return entries

    def profile(self) -> dict[str, Any]:
        """The resolved profile document the findings were evaluated with (profile.json)."""
        document = self.optional("profile.json")
        if document is None:
            raise InputFileError(self.where("profile.json"), "missing: not a complete clearance scan")
        return document

    def optional(self, name: str) -> dict[str, Any] | None:
        """A JSON object of the scan that may be absent (exceptions.json without a register), else None."""
        try:
            document = self.results.optional_json(name)
        except InputFileError as exc:
            raise InputFileError(self.where(name), exc.detail) from None
        if document is not None and not isinstance(document, dict):
            raise InputFileError(self.where(name), "must be a JSON object")
        return document

    def registers(self) -> dict[str, dict[str, str] | None]:
        """SHA-256 of each file of the exceptions and attestations registers, by name within the register.

        The results of applying a register (``exceptions.json``) are left out: they change with the day
        the register was judged at, the register itself does not.
        """
        root = self.results.root
        out: dict[str, dict[str, str] | None] = {}
        for stem in REGISTERS:
            files = {p.name: p for p in root.glob(f"{stem}.*") if p.is_file() and p.name != f"{stem}.json"}
            if (root / stem).is_dir():
                files.update(
                    {p.relative_to(root / stem).as_posix(): p for p in (root / stem).rglob("*") if p.is_file()}
                )
            out[stem] = {name: _sha256(path) for name, path in sorted(files.items())} if files else None
        return out

    def profile_ref(self) -> dict[str, Any] | None:
        return _object(self.results.meta.get("profile"), ("id", "version", "sha256", "source"))

    def pack_ref(self) -> dict[str, Any] | None:
        return _object(self.results.meta.get("content_pack"), ("sha256", "checks"))

    def identity(self, verdicts: Mapping[str, int], coverage: Mapping[str, int]) -> dict[str, Any]:
        """What the committee needs to know about this side; counts are the diff's own, not the summary's claim."""
        meta = self.results.meta
        tool = meta.get("tool")
        return {
            "path": str(self.results.source),
            "kind": self.results.kind,
            "signature_verified": self.results.verified,
            "provider": self.results.provider or None,
            "accounts": _strings(meta.get("accounts")),
            "regions": _strings(meta.get("regions")),
            "started": meta.get("started"),
            "finished": meta.get("finished"),
            "tool_version": tool.get("version") if isinstance(tool, dict) else None,
            "profile": self.profile_ref(),
            "content_pack": self.pack_ref(),
            "complete": self.results.summary.get("complete") is True,
            "findings": sum(verdicts.values()),
            "verdicts": {v.value: verdicts.get(v.value, 0) for v in Verdict},
            "coverage": dict(coverage),
        }


def _key(finding: Any, where: str, index: int) -> Key:
    def bad(field: str, problem: str) -> InputFileError:
        return InputFileError(where, f"finding {index + 1}: {problem}", field=f"findings[{index}].{field}")

    if not isinstance(finding, dict):
        raise InputFileError(where, f"finding {index + 1} is not an object", field=f"findings[{index}]")
    if finding.get("verdict") not in VERDICTS:
        raise bad("verdict", f"unknown verdict {finding.get('verdict')!r}")
    if finding["verdict"] == Verdict.MUTED and finding.get("underlying_verdict") not in VERDICTS:
        raise bad("underlying_verdict", "a MUTED finding needs the verdict the exception muted")
    if finding.get("severity") not in SEVERITIES:
        raise bad("severity", f"unknown severity {finding.get('severity')!r}")
    check_id, resource = finding.get("check_id"), finding.get("resource")
    if not isinstance(check_id, str) or not check_id:
        raise bad("check_id", "missing")
    if not isinstance(resource, dict):
        raise bad("resource", "missing")
    parts = []
    for field in ("provider", "account", "region", "id"):
        value = resource.get(field)
        if not isinstance(value, str) or (field == "id" and not value):
            raise bad(f"resource.{field}", "missing")
        parts.append(value)
    provider, account, region, resource_id = parts
    # Interned: the same few check ids, accounts and regions repeat across 100k findings.
    return (sys.intern(check_id), sys.intern(provider), sys.intern(account), sys.intern(region), resource_id)


def verdicts(finding: dict[str, Any]) -> Verdicts:
    verdict: str = finding["verdict"]
    return verdict, finding["underlying_verdict"] if verdict == Verdict.MUTED else None


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _object(value: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    return {f: value.get(f) for f in fields} if isinstance(value, dict) else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
