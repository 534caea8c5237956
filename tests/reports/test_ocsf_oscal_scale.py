"""50,000 findings: both interchange formats stream them (one item a line) in seconds, not minutes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from clearance.reports.ocsf import FINDINGS_FILE, OcsfReport
from clearance.reports.oscal import RESULTS_FILE, OscalReport

from .interchange_support import render, scale_findings

TOTAL = 50_000


@pytest.fixture(scope="module")
def large_scan(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_findings(demo_scan, tmp_path_factory.mktemp("scale") / "scan", TOTAL)


@pytest.mark.slow
def test_oscal_writes_one_observation_per_finding_at_scale(large_scan: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    render(OscalReport(), large_scan, tmp_path)
    seconds = time.perf_counter() - started
    result = json.loads((tmp_path / RESULTS_FILE).read_text("utf-8"))["assessment-results"]["results"][0]
    assert len(result["observations"]) == TOTAL
    assert len({o["uuid"] for o in result["observations"]}) == TOTAL
    assert seconds < 60, seconds


@pytest.mark.slow
def test_ocsf_writes_one_event_per_finding_at_scale(large_scan: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    render(OcsfReport(), large_scan, tmp_path)
    seconds = time.perf_counter() - started
    with open(tmp_path / FINDINGS_FILE, encoding="utf-8") as fh:
        uids = {json.loads(line)["metadata"]["uid"] for line in fh}
    assert len(uids) == TOTAL
    assert seconds < 60, seconds
