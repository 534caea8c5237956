"""Coverage, scope, profile, content pack and registers in ``clearance diff``: what makes a change honest to read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clearance.diffing import diff_scans

from .scans import EditableScan, Finding, entry_key, exceptions_results, key, pick

ERROR = {
    "operation": "Buckets_List",
    "code": "PERMISSION_DENIED",
    "message": "caller lacks storage.buckets.list",
    "permission": "storage.buckets.list",
    "denied": True,
}


def open_gap(scan: EditableScan, failing: Finding) -> tuple[str, str, str, str]:
    """Make ``failing``'s check not evaluated where it was and drop its findings there, as the engine would."""
    where = (failing["check_id"], "gcp", failing["resource"]["account"], failing["resource"]["region"])
    entries = scan.coverage()
    for entry in entries:
        if (entry["check_id"], entry["provider"], entry["account"], entry["region"]) == where:
            entry.update(status="not_evaluated", resources=0, errors=0, error=ERROR)
    scan.write_coverage(entries)
    scan.edit(lambda found: [f for f in found if key(f)[:4] != where], complete=False)
    return where


def test_a_new_coverage_gap_is_highlighted_and_its_missing_failures_are_not_fixed(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    failing = pick(new.findings(), "FAIL", 1)[0]
    where = open_gap(new, failing)
    doc = diff_scans(demo_scan, new.root)

    coverage = doc["coverage"]
    assert (coverage["old_complete"], coverage["new_complete"]) == (True, False)
    assert coverage["changes"] == [
        {
            "check_id": where[0],
            "provider": "gcp",
            "account": where[2],
            "region": where[3],
            "old": "evaluated",
            "new": "not_evaluated",
            "gap": "opened",
            "error": ERROR,
        }
    ]
    assert coverage["counts"] == {"changed": 1, "gaps_opened": 1, "gaps_closed": 0, "new_not_evaluated": 1}
    removed = doc["findings"]["removed"]
    assert key(failing) in {entry_key(e) for e in removed}
    assert {e["missing_because"] for e in removed} == {"not_evaluated"}
    assert doc["findings"]["fixed"] == []
    codes = [w["code"] for w in doc["warnings"]]
    assert codes == ["new_incomplete", "removed_failing"]


def test_a_closed_gap_and_the_findings_it_brings_back_say_old_could_not_evaluate_them(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    old = copy_scan("old")
    where = open_gap(old, pick(old.findings(), "FAIL", 1)[0])
    doc = diff_scans(old.root, demo_scan)
    assert [(c["gap"], c["old"], c["new"], c["error"]) for c in doc["coverage"]["changes"]] == [
        ("closed", "not_evaluated", "evaluated", None)
    ]
    back = doc["findings"]["new_failures"] + doc["findings"]["added"]
    assert back and all(entry_key(e)[:4] == where and e["missing_because"] == "not_evaluated" for e in back)
    assert [w["code"] for w in doc["warnings"]] == ["old_incomplete"]


def test_a_check_dropped_from_the_new_scan_is_listed_and_explains_its_removed_findings(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    dropped = pick(new.findings(), "FAIL", 1)[0]["check_id"]
    new.write_coverage([e for e in new.coverage() if e["check_id"] != dropped])
    new.edit(lambda found: [f for f in found if f["check_id"] != dropped])
    meta = new.read("scan.json")
    meta["content_pack"]["sha256"] = "0" * 64
    new.write("scan.json", meta)
    doc = diff_scans(demo_scan, new.root)
    pack = doc["content_pack"]
    assert (pack["changed"], pack["checks_added"], pack["checks_removed"]) == (True, [], [dropped])
    assert pack["new"]["sha256"] == "0" * 64
    removed = doc["findings"]["removed"]
    assert removed and {(e["check_id"], e["missing_because"]) for e in removed} == {(dropped, "check_not_in_scan")}
    assert {c["new"] for c in doc["coverage"]["changes"]} == {None}  # the check's entries exist only in OLD
    assert "content_pack_changed" in [w["code"] for w in doc["warnings"]]


def test_scope_changes_name_each_field_and_what_was_added_or_removed(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    meta = new.read("scan.json")
    tag = {"key": "workload", "values": ["crm"]}
    meta["scope"].update(regions=["asia-northeast3"], tags=[tag], exclude=["*sandbox*"], role_name="auditor")
    meta["accounts"] = [*meta["accounts"], "clearance-dr"]
    meta["regions"] = ["asia-northeast3"]
    new.write("scan.json", meta)
    doc = diff_scans(demo_scan, new.root)
    scope = doc["scope"]
    assert scope["changed"]
    by_field = {f["field"]: f for f in scope["fields"]}
    assert set(by_field) == {"regions", "tags", "exclude", "role_name"}
    assert (by_field["tags"]["added"], by_field["tags"]["removed"]) == ([tag], [])
    assert (by_field["regions"]["added"], by_field["regions"]["removed"]) == (["asia-northeast3"], [])
    assert by_field["exclude"]["added"] == ["*sandbox*"]
    role = by_field["role_name"]
    assert (role["old"], role["new"], role["added"], role["removed"]) == (None, "auditor", None, None)
    assert scope["scanned"] == {
        "accounts": {"added": ["clearance-dr"], "removed": []},
        "regions": {"added": [], "removed": ["global"]},
    }
    assert [w["code"] for w in doc["warnings"]] == ["scope_changed"]


def test_scope_lists_in_another_order_are_not_a_change(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    meta = new.read("scan.json")
    meta["regions"] = list(reversed(meta["regions"]))
    new.write("scan.json", meta)
    assert not diff_scans(demo_scan, new.root)["scope"]["changed"]


def test_a_profile_change_names_the_parameters_and_values_that_differ(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    profile = new.read("profile.json")
    old_days = profile["parameters"]["access_log_retention_days"]["value"]
    profile["parameters"]["access_log_retention_days"]["value"] = old_days * 2
    profile["parameters"]["extra_threshold"] = {"value": 3}
    del profile["parameters"]["admin_ports"]
    new.write("profile.json", profile)
    meta = new.read("scan.json")
    meta["profile"]["sha256"] = "f" * 64
    new.write("scan.json", meta)
    doc = diff_scans(demo_scan, new.root)
    result = doc["profile"]
    assert result["changed"]
    assert result["parameters"] == ["access_log_retention_days", "admin_ports", "extra_threshold"]
    differences = {d["path"]: (d["change"], d["old"], d["new"]) for d in result["differences"]}
    assert differences["parameters.access_log_retention_days.value"] == ("changed", old_days, old_days * 2)
    assert differences["parameters.extra_threshold.value"] == ("added", None, 3)
    assert differences["parameters.admin_ports.value"][0] == "removed"
    assert all(path.startswith("parameters.") for path in differences)
    assert (result["old"]["sha256"] != result["new"]["sha256"]) and result["new"]["sha256"] == "f" * 64
    warning = [w for w in doc["warnings"] if w["code"] == "profile_changed"]
    assert len(warning) == 1 and "access_log_retention_days" in warning[0]["message"]


def test_registers_are_compared_by_file_digest(demo_scan: Path, copy_scan: Callable[[str], EditableScan]) -> None:
    old, new = copy_scan("old"), copy_scan("new")
    (old.root / "exceptions.yaml").write_text("exceptions: []\n")
    (new.root / "exceptions.yaml").write_text("exceptions:\n- id: EX-1\n")
    (new.root / "attestations").mkdir()
    (new.root / "attestations" / "dr-test.yaml").write_text("id: AT-1\n")
    doc = diff_scans(old.root, new.root)
    exceptions, attestations = doc["registers"]["exceptions"], doc["registers"]["attestations"]
    assert exceptions["changed"] and set(exceptions["old"]) == set(exceptions["new"]) == {"exceptions.yaml"}
    assert exceptions["old"]["exceptions.yaml"] != exceptions["new"]["exceptions.yaml"]
    assert (attestations["changed"], attestations["old"], list(attestations["new"])) == (True, None, ["dr-test.yaml"])
    unchanged = diff_scans(demo_scan, demo_scan)["registers"]
    assert unchanged == {n: {"changed": False, "old": None, "new": None} for n in ("exceptions", "attestations")}


def test_swapped_arguments_and_another_tool_version_are_warned_about(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    later = copy_scan("later")
    meta = later.read("scan.json")
    meta["started"], meta["finished"] = "2027-05-25T01:00:00Z", "2027-05-25T01:10:00Z"
    meta["tool"]["version"] = "0.2.0"
    later.write("scan.json", meta)
    doc = diff_scans(later.root, demo_scan)
    assert [w["code"] for w in doc["warnings"]] == ["order", "tool_version_differs"]
    assert doc["old"]["started"] == "2027-05-25T01:00:00Z"
    assert doc["old"]["tool_version"] == "0.2.0"
    assert [w["code"] for w in diff_scans(demo_scan, later.root)["warnings"]] == ["tool_version_differs"]


def test_a_scan_that_claims_complete_but_is_not_is_still_warned_about(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    failing = pick(new.findings(), "FAIL", 1)[0]
    open_gap(new, failing)
    new.edit(lambda found: found, complete=True)  # the summary's claim, contradicted by coverage.json
    doc = diff_scans(demo_scan, new.root)
    assert doc["new"]["complete"] is True
    assert doc["new"]["coverage"] == {"evaluated": len(new.coverage()) - 1, "no_resources": 0, "not_evaluated": 1}
    warning = [w for w in doc["warnings"] if w["code"] == "new_incomplete"]
    assert len(warning) == 1 and "1 coverage entries not evaluated" in warning[0]["message"]


def test_exceptions_are_compared_by_id_and_an_expiry_is_called_out(copy_scan: Callable[[str], EditableScan]) -> None:
    old, new = copy_scan("old"), copy_scan("new")
    old.write(
        "exceptions.json", exceptions_results(("EX-1", "applied", 1), ("EX-2", "applied", 1), ("EX-3", "unused", 0))
    )
    new.write(
        "exceptions.json",
        exceptions_results(("EX-1", "expired", 1), ("EX-3", "applied", 2), ("EX-4", "applied", 1), as_of="2027-05-25"),
    )
    doc = diff_scans(old.root, new.root)
    exceptions = doc["exceptions"]
    assert [e["id"] for e in exceptions["added"]] == ["EX-4"]
    assert [e["id"] for e in exceptions["removed"]] == ["EX-2"]
    assert [(e["id"], e["fields"], e["old"]["status"], e["new"]["status"]) for e in exceptions["expired"]] == [
        ("EX-1", ["status"], "applied", "expired")
    ]
    assert [(e["id"], e["fields"]) for e in exceptions["changed"]] == [("EX-3", ["status", "matched"])]
    assert (exceptions["old"]["as_of"], exceptions["new"]["as_of"]) == ("2026-11-25", "2027-05-25")
    assert next(w for w in doc["warnings"] if w["code"] == "exceptions_expired")["message"].count("EX-1") == 1
    # The results of applying a register are not the register: only exceptions.yaml & co. are digested.
    assert doc["registers"]["exceptions"] == {"changed": False, "old": None, "new": None}


def test_no_exceptions_results_on_either_side_gives_empty_lists(demo_scan: Path) -> None:
    exceptions = diff_scans(demo_scan, demo_scan)["exceptions"]
    assert exceptions == {"old": None, "new": None, "added": [], "removed": [], "expired": [], "changed": []}
