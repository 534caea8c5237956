"""Open the results of a scan, wherever they are: a scan directory, or an evidence package (ZIP or directory).

Reports and ``clearance diff`` read results through this one door, so they work the same on a
fresh ``--out`` directory and on a package a regulator received. A package is opened with the
verifier's hostile-input checks (``evidence.container``) and its evidence files are copied to a
private temporary directory; it is *not* signature-verified here (``clearance verify`` does that),
and ``ScanResults.verified`` says so.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content import checks_dir
from .errors import InputFileError, UsageError

_PACKAGE_FILES = {
    "scan.json": "evidence/meta/scan.json",
    "profile.json": "evidence/meta/profile.json",
    "findings.json": "evidence/report/findings.json",
    "coverage.json": "evidence/report/coverage.json",
}
_PACKAGE_DIRS = {"exceptions": "evidence/exceptions/", "attestations": "evidence/attestations/"}
_PACKAGE_CHECKS = "evidence/content/checks/"
_CHUNK = 1 << 20


@dataclass
class ScanResults:
    """One scan's results laid out as a scan directory (a package is unpacked into one)."""

    source: Path
    """The path the user gave."""
    kind: str
    """``scan`` (a scan directory) or ``package`` (an evidence package, ZIP or directory)."""
    root: Path
    """Directory holding scan.json, profile.json, findings.json, coverage.json (and exceptions/attestations)."""
    checks_root: Path
    """The content pack the results were produced with: the package's own, or the installed one for a scan directory."""
    meta: dict[str, Any] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)
    """findings.json without its findings: ``scan`` and ``summary``."""
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def verified(self) -> bool:
        """Always False: opening results never checks a signature (use ``clearance verify``)."""
        return False

    @property
    def findings_path(self) -> Path:
        return self.root / "findings.json"

    @property
    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = self.header["summary"]
        return summary

    @property
    def provider(self) -> str:
        return str(self.meta.get("provider") or self.header.get("scan", {}).get("provider", ""))

    def iter_findings(self) -> Iterator[dict[str, Any]]:
        """Stream findings one at a time (findings.json is written one finding per line).

        Raises at the end if fewer or more findings were read than the summary counts: a damaged line
        must not silently drop a finding from a report.
        """
        from .engine.runner import iter_findings

        count = 0
        for finding in iter_findings(self.findings_path):
            count += 1
            yield finding
        expected = self.summary.get("findings")
        if count != expected:
            raise InputFileError(
                self.describe("findings.json"),
                f"{count} findings could be read but the summary says {expected}: the file is truncated or edited",
                field="summary.findings",
            )

    def describe(self, name: str) -> str:
        """How to name one of the results' files in a message: the package and the file in it, for a package."""
        return str(self.root / name) if self.kind == "scan" else f"{self.source} ({name})"

    def coverage(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = _read_json(self.root / "coverage.json")["coverage"]
        return entries

    def optional_json(self, name: str) -> dict[str, Any] | None:
        """``exceptions.json`` or ``attestations.json`` when the scan had a register, else None."""
        if not (self.root / name).is_file():
            return None
        data: dict[str, Any] = _read_json(self.root / name)
        return data

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ScanResults:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_json(path: Path) -> Any:
    from .evidence.scandir import read_json

    return read_json(path)


def _header(path: Path) -> dict[str, Any]:
    from .evidence.scandir import findings_header

    try:
        with open(path, "rb") as fh:
            return findings_header(fh, str(path))
    except FileNotFoundError:
        raise InputFileError(str(path), "missing: not a complete clearance scan") from None


def _is_package_dir(path: Path) -> bool:
    return (path / "evidence").is_dir() and (path / "attestation").is_dir()


def open_results(path: Path | str, *, checks_root: Path | None = None) -> ScanResults:
    """Open a scan directory or an evidence package; raise UsageError / InputFileError naming what is wrong.

    ``checks_root``: the content pack a scan directory was made with (default: the installed one).
    """
    source = Path(path)
    if source.is_dir() and not _is_package_dir(source):
        if not (source / "scan.json").is_file():
            raise UsageError(f"{source}: neither a clearance scan directory (no scan.json) nor an evidence package")
        results = ScanResults(source, "scan", source, checks_root or checks_dir())
    elif source.exists():
        results = _unpack(source)
    else:
        raise UsageError(f"{source}: no such file or directory")
    try:
        results.meta = _read_json(results.root / "scan.json")
        results.header = _header(results.findings_path)
        if not (results.root / "coverage.json").is_file():
            raise InputFileError(str(source), "coverage.json missing: not a complete clearance scan")
    except InputFileError as exc:
        results.close()
        if results.kind == "scan":
            raise
        inner = Path(exc.file).name  # the private copy is gone: name the package and the file in it
        raise InputFileError(f"{source} ({inner})", exc.detail, line=exc.line, field=exc.field) from None
    except BaseException:
        results.close()
        raise
    return results


def _unpack(source: Path) -> ScanResults:
    from .evidence.container import ContainerError, open_container

    tmp = tempfile.TemporaryDirectory(prefix="clearance-results-")
    root = Path(tmp.name)
    try:
        with open_container(source) as box:
            wanted = {name: dest for dest, name in _PACKAGE_FILES.items()}
            for folder, prefix in _PACKAGE_DIRS.items():
                wanted.update({n: f"{folder}/{n[len(prefix) :]}" for n in box.names_under(prefix)})
            wanted.update({n: f"checks/{n[len(_PACKAGE_CHECKS) :]}" for n in box.names_under(_PACKAGE_CHECKS)})
            for name, dest in sorted(wanted.items()):
                if name not in box.files:
                    continue
                target = root / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                with box.open(name) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
    except ContainerError as exc:
        tmp.cleanup()
        raise InputFileError(str(source), f"not a readable evidence package: {exc}") from None
    except BaseException:
        tmp.cleanup()
        raise
    for folder in _PACKAGE_DIRS:
        # exceptions/exceptions.json -> exceptions.json, as in a scan directory
        inner = root / folder / f"{folder}.json"
        if inner.is_file():
            inner.replace(root / f"{folder}.json")
    checks_root = root / "checks" if (root / "checks").is_dir() else checks_dir()
    return ScanResults(source, "package", root, checks_root, _tmp=tmp)
