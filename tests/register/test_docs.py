"""The register examples in docs/exceptions.md are valid registers (they are what users copy)."""

from __future__ import annotations

import re
from pathlib import Path

from clearance.engine.checks import CheckSet
from clearance.register import load_attestations, load_exceptions

DOC = Path(__file__).resolve().parents[2] / "docs" / "exceptions.md"
YAML = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_the_documented_registers_load(checks: CheckSet, tmp_path: Path) -> None:
    blocks = YAML.findall(DOC.read_text("utf-8"))
    exceptions = [b for b in blocks if b.startswith("exceptions:")]
    attestations = [b for b in blocks if b.startswith("attestations:")]
    assert len(exceptions) == 1 and len(attestations) == 1
    (tmp_path / "exceptions.yaml").write_text(exceptions[0], "utf-8")
    loaded = load_exceptions(tmp_path / "exceptions.yaml", checks)
    assert [e.id for e in loaded.entries] == ["EXC-2026-001", "EXC-2026-002"]
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "2026-10-access-review.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "attestations.yaml").write_text(attestations[0], "utf-8")
    (entry,) = load_attestations(tmp_path / "attestations.yaml", checks).entries
    assert entry.controls == ("LOG-07",) and entry.requirements == (("isms-p-2023", "2.9.5"),)
