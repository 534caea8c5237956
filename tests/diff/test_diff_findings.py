"""Finding categories of ``clearance diff``: every deliberate change to a real scan lands where it must."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clearance.diffing import diff_scans

from .scans import EditableScan, Finding, entry_key, key, pick

CATEGORIES = ("new_failures", "fixed", "changed", "added", "removed")


def keys_of(doc: dict[str, Any], category: str) -> set[tuple[str, ...]]:
    return {entry_key(e) for e in doc["findings"][category]}


def only(doc: dict[str, Any], category: str, finding: Finding) -> dict[str, Any]:
    found = [e for e in doc["findings"][category] if entry_key(e) == key(finding)]
    assert len(found) == 1, f"{key(finding)} not once in {category}"
    return found[0]


def ref(verdict: str, underlying: str | None = None) -> dict[str, str | None]:
    return {"verdict": verdict, "underlying_verdict": underlying}


def renamed(finding: Finding, suffix: str, verdict: str) -> Finding:
    twin = copy.deepcopy(finding)
    twin["resource"]["id"] += suffix
    twin["resource"]["name"] += suffix
    twin["verdict"] = verdict
    return twin


def test_a_scan_and_its_own_package_differ_in_nothing(demo_scan: Path, demo_package: Path) -> None:
    doc = diff_scans(demo_scan, demo_package)
    counts = doc["findings"]["counts"]
    total = doc["old"]["findings"]
    assert total > 100
    assert counts == {
        "new_failures": 0,
        "fixed": 0,
        "changed": 0,
        "added": 0,
        "removed": 0,
        "removed_failing": 0,
        "unchanged": total,
        "old_total": total,
        "new_total": total,
    }
    assert (doc["old"]["kind"], doc["new"]["kind"]) == ("scan", "package")
    assert doc["old"]["signature_verified"] is doc["new"]["signature_verified"] is False
    assert "clearance verify" in doc["note"]
    assert doc["warnings"] == []
    assert not doc["scope"]["changed"] and not doc["profile"]["changed"] and not doc["content_pack"]["changed"]
    assert doc["coverage"]["changes"] == []


def test_each_verdict_transition_lands_in_exactly_one_category(
    demo_package: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    findings = new.findings()
    passing = pick(findings, "PASS", 4)
    failing = pick(findings, "FAIL", 6)
    to_fail, to_muted_pass, dropped_pass, template = passing
    to_pass, to_error, to_muted, to_na, dropped_fail, _ = failing
    brand_new_fail = renamed(template, "-new-1", "FAIL")
    brand_new_pass = renamed(template, "-new-2", "PASS")
    error = {"operation": "GetBucket", "code": "AccessDenied", "message": "denied", "permission": "x", "denied": True}

    def change(found: list[Finding]) -> list[Finding]:
        out = []
        for f in found:
            k = key(f)
            if k in (key(dropped_pass), key(dropped_fail)):
                continue
            if k == key(to_fail):
                f["verdict"] = "FAIL"
            elif k == key(to_pass):
                f["verdict"] = "PASS"
            elif k == key(to_error):
                f["verdict"], f["error"] = "ERROR", error
            elif k == key(to_muted):
                f["verdict"], f["underlying_verdict"] = "MUTED", "FAIL"
            elif k == key(to_muted_pass):
                f["verdict"], f["underlying_verdict"] = "MUTED", "PASS"
            elif k == key(to_na):
                f["verdict"] = "NOT_APPLICABLE"
            out.append(f)
        return [*out, brand_new_fail, brand_new_pass]

    new.edit(change, complete=False)  # an ERROR finding makes a scan incomplete
    doc = diff_scans(demo_package, new.root)  # a package against a scan directory
    assert (doc["old"]["kind"], doc["new"]["kind"]) == ("package", "scan")

    assert keys_of(doc, "new_failures") == {key(to_fail), key(brand_new_fail)}
    assert keys_of(doc, "fixed") == {key(to_pass)}
    assert keys_of(doc, "changed") == {key(to_error), key(to_muted), key(to_muted_pass), key(to_na)}
    assert keys_of(doc, "added") == {key(brand_new_pass)}
    assert keys_of(doc, "removed") == {key(dropped_pass), key(dropped_fail)}

    assert only(doc, "new_failures", to_fail)["old"] == ref("PASS")
    appeared = only(doc, "new_failures", brand_new_fail)
    assert (appeared["old"], appeared["missing_because"]) == (None, "no_finding")
    assert only(doc, "changed", to_muted)["new"] == ref("MUTED", "FAIL")
    assert only(doc, "changed", to_muted_pass)["new"] == ref("MUTED", "PASS")
    assert only(doc, "changed", to_na)["old"] == ref("FAIL")  # FAIL -> NOT_APPLICABLE is not "fixed"
    gone = only(doc, "removed", dropped_fail)
    assert (gone["old"], gone["new"], gone["missing_because"]) == (ref("FAIL"), None, "no_finding")
    assert gone["reason"] == dropped_fail["reason"]  # the removed finding is described from OLD

    counts = doc["findings"]["counts"]
    total = len(findings)
    assert counts["unchanged"] == total - 8
    assert counts["removed_failing"] == 1
    assert (counts["old_total"], counts["new_total"]) == (total, total)
    assert sum(counts[c] for c in CATEGORIES) + counts["unchanged"] == total + 2  # both sides' keys, once each
    still_there = {key(f)[1:] for f in new.findings()}
    gone_resources = {key(dropped_pass)[1:], key(dropped_fail)[1:]} - still_there
    assert doc["findings"]["resources"] == {"added": 2, "removed": len(gone_resources)}
    assert [w["code"] for w in doc["warnings"]] == ["new_incomplete", "removed_failing"]
    assert "NOT fixed" in doc["warnings"][1]["message"]
    assert doc["new"]["verdicts"]["ERROR"] == 1 and doc["new"]["findings"] == total


def test_new_failures_are_sorted_worst_severity_first(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    new.edit(lambda found: [{**f, "verdict": "FAIL"} if f["verdict"] == "PASS" else f for f in found])
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    failures = diff_scans(demo_scan, new.root)["findings"]["new_failures"]
    assert len({f["severity"] for f in failures}) > 1
    assert [ranks[f["severity"]] for f in failures] == sorted((ranks[f["severity"]] for f in failures), reverse=True)


def test_an_expired_exception_is_a_new_failure_and_a_new_exception_is_a_change(
    copy_scan: Callable[[str], EditableScan],
) -> None:
    old, new = copy_scan("old"), copy_scan("new")
    lapsed, accepted = pick(old.findings(), "FAIL", 2)

    def mute(target: Finding) -> Callable[[list[Finding]], list[Finding]]:
        return lambda found: [
            {**f, "verdict": "MUTED", "underlying_verdict": "FAIL"} if key(f) == key(target) else f for f in found
        ]

    old.edit(mute(lapsed))
    new.edit(mute(accepted))
    doc = diff_scans(old.root, new.root)
    assert keys_of(doc, "new_failures") == {key(lapsed)}
    assert only(doc, "new_failures", lapsed)["old"] == ref("MUTED", "FAIL")
    assert keys_of(doc, "changed") == {key(accepted)}
    assert only(doc, "changed", accepted)["new"] == ref("MUTED", "FAIL")
    assert keys_of(doc, "fixed") == set()


def test_a_finding_on_an_account_the_old_scan_never_covered_says_so(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    other = copy.deepcopy(pick(new.findings(), "PASS", 1)[0])
    other["resource"]["account"] = "clearance-dr"
    new.edit(lambda found: [*found, other])
    doc = diff_scans(demo_scan, new.root)
    assert only(doc, "added", other)["missing_because"] == "not_in_coverage"
    assert doc["findings"]["resources"] == {"added": 1, "removed": 0}
