"""Framework results as JSON: one ``frameworks/<id>.json`` per framework (schema framework-results)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from .interface import ReportContext, ReportFormat
from .output import atomic_open


class FrameworkJson(ReportFormat):
    name: ClassVar[str] = "json"
    description: ClassVar[str] = "per-requirement framework results (frameworks/<id>.json)"

    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        written = []
        for result in ctx.frameworks:
            path = out_dir / "frameworks" / f"{result.framework.id}.json"
            with atomic_open(path) as fh:
                json.dump(result.to_json(), fh, indent=1, ensure_ascii=False)
                fh.write("\n")
            written.append(path)
        return written
