"""The one interface every report format implements, and the context they all read.

A report never re-reads the cloud or re-evaluates checks: it renders a ``ReportContext``, which
holds a scan's results (streamed, so 50,000 findings stay cheap), the content pack's check and
control texts, and the framework results computed from them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..engine.checks import Check, Control
from ..frameworks.model import FrameworkResult
from ..scanresults import ScanResults


@dataclass(frozen=True)
class ReportContext:
    """Everything a report may show. Build it with ``reports.context.build_context``."""

    results: ScanResults
    """The scan (directory or unpacked package): meta, summary, findings stream, coverage."""
    checks: Mapping[str, Check]
    """Check id -> compiled check from the content pack the scan used (titles, rationale, remediation)."""
    controls: Mapping[str, Control]
    frameworks: tuple[FrameworkResult, ...]
    """One result per framework that covers the scan's provider (or the ones asked for)."""
    exceptions: Mapping[str, Any] | None
    """exceptions.json of the scan, when it had an exceptions register."""
    attestations: Mapping[str, Any] | None
    """attestations.json of the scan, when it had attestations."""
    generated: str
    """The report's own timestamp: the scan's end time, so the same scan always gives the same bytes."""

    def iter_findings(self) -> Iterator[dict[str, Any]]:
        return self.results.iter_findings()

    def coverage(self) -> list[dict[str, Any]]:
        return self.results.coverage()

    @property
    def scan(self) -> Mapping[str, Any]:
        """scan.json: provider, scope, accounts, regions, started, finished, tool, profile, content pack."""
        return self.results.meta

    @property
    def summary(self) -> Mapping[str, Any]:
        return self.results.summary


class ReportFormat(ABC):
    """One output format. Implementations are stateless; ``write`` may be called many times."""

    name: ClassVar[str]
    """Value of ``--format``."""
    description: ClassVar[str]

    @abstractmethod
    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        """Write this format's file(s) into ``out_dir`` (atomically) and return their paths."""
