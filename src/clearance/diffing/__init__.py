"""``clearance diff OLD NEW``: what changed between two scans, stated so that nothing looks better than it is.

Either side may be a scan directory or an evidence package (ZIP or directory). The result is one
JSON document (``schemas/diff.schema.json``, described in ``docs/diff.md``): both sides' identity,
scope / profile / content-pack / check-set changes, coverage changes, and every finding whose
verdict moved, sorted into categories that add up. A failing finding that disappeared is reported
as removed with the reason it is missing, never as fixed. Signatures are not verified here.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .context import compare_content_pack, compare_profile, compare_registers, compare_scope
from .coverage import compare_coverage, load_coverage
from .exceptions import compare_exceptions
from .findings import compare_findings
from .sides import open_side

SCHEMA_ID = "https://clearance.dev/schemas/diff.schema.json"
NOTE = (
    "diff does not verify signatures: a package is compared as found. "
    "Run `clearance verify` on each package before relying on this comparison."
)


def diff_scans(old_path: Path | str, new_path: Path | str) -> dict[str, Any]:
    """Compare two scans; raise UsageError / InputFileError naming the path or file at fault."""
    with ExitStack() as stack:
        old = stack.enter_context(open_side(Path(old_path)))
        new = stack.enter_context(open_side(Path(new_path)))
        old_coverage, new_coverage = load_coverage(old), load_coverage(new)
        findings, (old_verdicts, new_verdicts) = compare_findings(old, new, old_coverage, new_coverage)
        old_side = old.identity(old_verdicts, old_coverage.totals())
        new_side = new.identity(new_verdicts, new_coverage.totals())
        document: dict[str, Any] = {
            "$schema": SCHEMA_ID,
            "schema_version": "1",
            "old": old_side,
            "new": new_side,
            "note": NOTE,
            "scope": compare_scope(old, new),
            "profile": compare_profile(old, new),
            "content_pack": compare_content_pack(old, new, old_coverage, new_coverage),
            "coverage": compare_coverage(old_coverage, new_coverage, old_side["complete"], new_side["complete"]),
            "findings": findings,
            "registers": compare_registers(old, new),
            "exceptions": compare_exceptions(old, new),
        }
    document["warnings"] = warnings(document)
    return document


def warnings(doc: dict[str, Any]) -> list[dict[str, str]]:
    """What a reader must keep in mind before reading any change as an improvement or a regression."""
    old, new = doc["old"], doc["new"]
    out: list[dict[str, str]] = []

    def warn(code: str, message: str) -> None:
        out.append({"code": code, "message": message})

    if old["provider"] != new["provider"]:
        warn("provider_differs", f"OLD scanned {old['provider']} and NEW {new['provider']}: no finding can match")
    if isinstance(old["started"], str) and isinstance(new["started"], str) and new["started"] < old["started"]:
        warn("order", f"NEW started ({new['started']}) before OLD ({old['started']}): are the arguments swapped?")
    for side, name in ((old, "OLD"), (new, "NEW")):
        gaps, errors = side["coverage"]["not_evaluated"], side["verdicts"]["ERROR"]
        if not side["complete"] or gaps or errors:
            warn(
                f"{name.lower()}_incomplete",
                f"{name} is incomplete ({gaps} coverage entries not evaluated, {errors} ERROR findings): "
                "a finding missing or no longer failing there may be a gap, not a fix",
            )
    removed = doc["findings"]["counts"]["removed_failing"]
    if removed:
        warn(
            "removed_failing",
            f"{removed} finding(s) failing in OLD are absent from NEW: they are NOT fixed "
            "(see removed, and why each is missing)",
        )
    expired = doc["exceptions"]["expired"]
    if expired:
        names = ", ".join(e["id"] for e in expired)
        warn(
            "exceptions_expired",
            f"exceptions in force in OLD have expired in NEW ({names}): what they muted counts again",
        )
    if doc["scope"]["changed"]:
        warn("scope_changed", "the scope changed: findings added or removed may come from the scope, not the workload")
    if doc["profile"]["changed"]:
        names = ", ".join(doc["profile"]["parameters"]) or "no parameter; other values or the digest"
        warn("profile_changed", f"the profile changed ({names}): verdicts may move because of it, not the workload")
    if doc["content_pack"]["changed"]:
        warn("content_pack_changed", "the content pack changed: checks were added, removed or rewritten")
    if old["tool_version"] != new["tool_version"]:
        warn("tool_version_differs", f"clearance {old['tool_version']} made OLD and {new['tool_version']} NEW")
    return out
