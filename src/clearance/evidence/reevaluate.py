"""Re-run the engine on a package's own inventory, content pack and profile; confirm the same findings.

This is what lets a third party check the *reasoning*, not only the signature: the raw API
responses in ``evidence/raw/``, evaluated with the checks in ``evidence/content/checks/`` and the
thresholds in ``evidence/meta/profile.json``, must give exactly the signed findings (after the
package's recorded redaction policy is applied to the new ones, as it was to the signed ones).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from ..errors import ClearanceError
from . import layout
from .container import Container
from .redaction import Policy
from .report import Status, StepResult
from .statement import Statement

_CHUNK = 1024 * 1024
_SHOWN = 5


def _extract(box: Container, stmt: Statement, root: Path) -> str | None:
    """Copy the evidence files into ``root`` (checking each digest again); a problem, or None."""
    for subject in stmt.subjects:
        dest = root / subject.name[len(layout.EVIDENCE) :]
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with box.open(subject.name) as src, open(dest, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != subject.sha256:
            return f"{subject.name} changed while it was being read"
    return None


def _key(finding: dict[str, Any]) -> tuple[str, str, str]:
    resource = finding.get("resource") or {}
    return finding.get("check_id", ""), str(resource.get("region")), str(resource.get("id"))


def _describe(key: tuple[str, str, str], old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    check, _, resource = key
    if old is None:
        return f"{check} on {resource}: not in the package, re-evaluated {new and new.get('verdict')}"
    if new is None:
        return f"{check} on {resource}: {old.get('verdict')} in the package, absent on re-evaluation"
    if old.get("verdict") != new.get("verdict"):
        return f"{check} on {resource}: {old.get('verdict')} in the package, {new.get('verdict')} on re-evaluation"
    fields = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return f"{check} on {resource}: same verdict, different {', '.join(fields)}"


def reevaluate(box: Container, stmt: Statement, workdir: Path) -> StepResult:
    from ..api import evaluate
    from ..engine.checks import load_checks
    from ..profile import profile_from_document
    from ..register.package import packaged_registers

    root = workdir / "evidence"
    problem = _extract(box, stmt, root)
    if problem:
        return StepResult("re-evaluation", Status.FAIL, problem)
    relative = stmt.scan["profile"]["path"][len(layout.EVIDENCE) :]
    try:
        profile = profile_from_document(json.loads((root / relative).read_text("utf-8")), stmt.scan["profile"]["path"])
        checks = load_checks(root=root / stmt.scan["ruleset"]["path"][len(layout.EVIDENCE) :])
        registers = packaged_registers(root, checks)  # judged again at the day the package recorded
        results = evaluate(
            root,
            profile=profile,
            checks=checks,
            out_dir=workdir / "out",
            exceptions=registers.exceptions,
            attestations=registers.attestations,
            as_of=registers.as_of,
        )
    except (ClearanceError, ValueError, OSError) as exc:
        return StepResult("re-evaluation", Status.FAIL, f"cannot re-run the engine on the package: {exc}")
    record = json.loads((root / layout.REDACTION[len(layout.EVIDENCE) :]).read_text("utf-8"))
    redacted = io.BytesIO()
    with open(results.findings_path, "rb") as fresh_file:
        Policy(record["policy"], "package").redactor().copy(fresh_file, redacted, document=True)
    fresh = json.loads(redacted.getvalue())
    signed = json.loads((root / stmt.results["findings"][len(layout.EVIDENCE) :]).read_text("utf-8"))
    old = {_key(f): f for f in signed["findings"]}
    new = {_key(f): f for f in fresh["findings"]}
    differences = [
        _describe(k, old.get(k), new.get(k)) for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)
    ]
    if signed["summary"] != fresh["summary"] and not differences:
        differences.append("the summaries differ")
    if differences:
        shown = "; ".join(differences[:_SHOWN])
        more = f" (and {len(differences) - _SHOWN} more)" if len(differences) > _SHOWN else ""
        return StepResult(
            "re-evaluation",
            Status.FAIL,
            f"{len(differences)} finding(s) differ: {shown}{more}",
            {"differences": differences},
        )
    return StepResult(
        "re-evaluation",
        Status.PASS,
        f"{len(new)} findings recomputed from the package's inventory, content pack and profile: identical",
    )
