"""Editable copies of a real scan directory, written back in the engine's streaming layout.

Tests start from one real ``clearance demo --provider gcp`` scan and change exactly what they
assert on (a verdict, a missing finding, a coverage gap, the scope), so every expectation is precise.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

Finding = dict[str, Any]


class EditableScan:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def copy_of(cls, source: Path, dest: Path) -> EditableScan:
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns("evidence.zip", "pki"))
        return cls(dest)

    # -- findings.json -----------------------------------------------------------------------
    def header(self) -> dict[str, Any]:
        first = (self.root / "findings.json").read_text("utf-8").split("\n", 1)[0]
        header: dict[str, Any] = json.loads(first[:-1] + "}")
        return header

    def findings(self) -> list[Finding]:
        return [
            json.loads(line.rstrip(","))
            for line in (self.root / "findings.json").read_text("utf-8").splitlines()
            if line.startswith('{"check_id"')
        ]

    def write_findings(self, findings: list[Finding], *, complete: bool | None = None) -> None:
        """Rewrite findings.json as the engine lays it out, with the summary's counts matching ``findings``."""
        header = self.header()
        summary = header["summary"]
        summary["findings"] = len(findings)
        counts = Counter(f["verdict"] for f in findings)
        summary["verdicts"] = {v: counts.get(v, 0) for v in summary["verdicts"]}
        if complete is not None:
            summary["complete"] = complete
        self.write_raw_findings(header, [_line(f) for f in findings])

    def write_raw_findings(self, header: dict[str, Any], lines: list[str]) -> None:
        text = _line(header)[:-1] + ",\n" + '"findings":[\n' + ",\n".join(lines) + "\n]}\n"
        (self.root / "findings.json").write_text(text, "utf-8")

    def edit(self, change: Callable[[list[Finding]], list[Finding]], *, complete: bool | None = None) -> None:
        self.write_findings(change(self.findings()), complete=complete)

    # -- other files -------------------------------------------------------------------------
    def read(self, name: str) -> Any:
        return json.loads((self.root / name).read_text("utf-8"))

    def write(self, name: str, document: Any) -> None:
        (self.root / name).write_text(json.dumps(document, indent=1, sort_keys=True), "utf-8")

    def coverage(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.read("coverage.json")["coverage"]
        return entries

    def write_coverage(self, entries: list[dict[str, Any]]) -> None:
        document = self.read("coverage.json")
        document["coverage"] = entries
        self.write("coverage.json", document)


def _line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key(finding: Finding) -> tuple[str, str, str, str, str]:
    r = finding["resource"]
    return finding["check_id"], r["provider"], r["account"], r["region"], r["id"]


def entry_key(entry: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return entry["check_id"], entry["provider"], entry["account"], entry["region"], entry["resource_id"]


def pick(findings: list[Finding], verdict: str, count: int) -> list[Finding]:
    """``count`` findings with ``verdict``, from different checks, in file order."""
    chosen: list[Finding] = []
    for f in findings:
        if f["verdict"] == verdict and all(c["check_id"] != f["check_id"] for c in chosen):
            chosen.append(f)
    assert len(chosen) >= count, f"the demo has only {len(chosen)} {verdict} findings on distinct checks"
    return chosen[:count]


def exceptions_results(*items: tuple[str, str, int], as_of: str = "2026-11-25") -> dict[str, Any]:
    """An exceptions.json as the register writes it: (id, status, matched) per exception."""
    return {
        "$schema": "https://clearance.dev/schemas/exceptions-results.schema.json",
        "schema_version": "1",
        "as_of": as_of,
        "register": {"file": "exceptions.yaml", "source": "exceptions.yaml", "sha256": "a" * 64},
        "totals": {"applied": 0, "expired": 0, "not_yet_valid": 0, "unused": 0, "muted_findings": 0},
        "exceptions": [
            {
                "id": ident,
                "check": "gcp-kms-key-rotation",
                "control": None,
                "resources": {"names": ["crm-archive"]},
                "justification": "HSM migration in Q1",
                "approver": "CISO",
                "ticket": None,
                "created": "2026-06-01",
                "expires": "2026-12-31",
                "status": status,
                "matched": matched,
                "findings": [],
            }
            for ident, status, matched in items
        ],
    }
