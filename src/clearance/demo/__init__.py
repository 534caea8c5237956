"""The embedded demo: a CRM + gen-AI workload on an emulator (moto for AWS; local servers for Azure, GCP)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.runner import Results
    from ..providers.interface import ProgressFn


def run_demo(out: Path, *, provider: str = "aws", progress: ProgressFn | None = None) -> Results:
    """Seed the demo workload of ``provider`` (``aws``, ``azure``, ``gcp``), scan it, write the results into ``out``."""
    from ..errors import UsageError
    from .runner import run, run_azure, run_gcp

    runners = {"aws": run, "azure": run_azure, "gcp": run_gcp}
    if provider not in runners:
        raise UsageError(f"no demo for provider {provider!r} (available: {', '.join(runners)})")
    return runners[provider](out, progress=progress)
