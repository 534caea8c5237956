"""The embedded demo: a realistic CRM + gen-AI workload on an in-process AWS emulator (moto)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.runner import Results
    from ..providers.interface import ProgressFn


def run_demo(out: Path, *, progress: ProgressFn | None = None) -> Results:
    """Seed the demo workload, scan it, and write the results into ``out``."""
    from .runner import run

    return run(out, progress=progress)
