"""Report formats by name: the built-in ones, then any registered under the ``clearance.reports`` entry points.

Modules are imported only when their format is used, so ``clearance --help`` stays fast.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from ..errors import UsageError
from .interface import ReportFormat

BUILTIN = {
    "json": "clearance.reports.json_results:FrameworkJson",
    "csv": "clearance.reports.csv_report:CsvReport",
    "oscal": "clearance.reports.oscal:OscalReport",
    "ocsf": "clearance.reports.ocsf:OcsfReport",
    "html": "clearance.reports.html:HtmlReport",
}
PACKAGED = ("json", "csv", "oscal", "ocsf", "html")
"""Formats written into every evidence package."""


def names() -> list[str]:
    extra = [ep.name for ep in entry_points(group="clearance.reports") if ep.name not in BUILTIN]
    return [*BUILTIN, *sorted(extra)]


def get(name: str) -> ReportFormat:
    target = BUILTIN.get(name)
    if target is None:
        found = [ep for ep in entry_points(group="clearance.reports") if ep.name == name]
        if not found:
            raise UsageError(f"unknown report format {name!r} (known: {', '.join(names())})")
        cls = found[0].load()
    else:
        module, _, attr = target.partition(":")
        cls = getattr(importlib.import_module(module), attr)
    report = cls()
    if not isinstance(report, ReportFormat):
        raise UsageError(f"report format {name!r} does not implement clearance.reports.interface.ReportFormat")
    return report
