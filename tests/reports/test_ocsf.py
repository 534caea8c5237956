"""OCSF report: every event validates against the OCSF 1.8.0 class schema (vendored) and says what the scan said."""

from __future__ import annotations

import copy
import functools
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from clearance.content import schema_path
from clearance.reports.context import build_context
from clearance.reports.ocsf import COMPLIANCE_FILE, FINDINGS_FILE, OCSF_VERSION, PROFILES, OcsfReport
from clearance.scanresults import open_results

from .interchange_support import findings, jsonl, render, signed_package, vary_verdicts

CLASSES = {FINDINGS_FILE: "detection_finding", COMPLIANCE_FILE: "compliance_finding"}


def vendored(class_name: str) -> Path:
    return schema_path(f"vendor/ocsf/{OCSF_VERSION}/{class_name}.{'.'.join(PROFILES)}.schema.json")


def generated(class_name: str) -> str:
    """The class schema as ``ocsf-json-schema`` builds it from the official OCSF export it bundles."""
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=OCSF_VERSION)).get_class_schema(
        class_name, profiles=list(PROFILES)
    )
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@functools.cache
def validator(class_name: str) -> Any:
    schema = json.loads(vendored(class_name).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def problems(event: dict[str, Any], class_name: str) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(class_name).iter_errors(event)]


@pytest.fixture(scope="module")
def written(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ocsf")
    assert render(OcsfReport(), demo_scan, out) == [out / FINDINGS_FILE, out / COMPLIANCE_FILE]
    return out


@pytest.fixture(scope="module")
def detections(written: Path) -> list[dict[str, Any]]:
    return list(jsonl(written / FINDINGS_FILE))


@pytest.fixture(scope="module")
def compliance(written: Path) -> list[dict[str, Any]]:
    return list(jsonl(written / COMPLIANCE_FILE))


@pytest.fixture(scope="module")
def varied(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    scan = vary_verdicts(demo_scan, tmp_path_factory.mktemp("ocsf-varied") / "scan")
    out = scan.parent / "out"
    render(OcsfReport(), scan, out)
    return scan, out


@pytest.mark.parametrize("class_name", CLASSES.values())
def test_vendored_schema_is_the_official_export_compiled(class_name: str) -> None:
    text = vendored(class_name).read_text("utf-8")
    assert text == generated(class_name), "regenerate: see schemas/vendor/ocsf/README.md"
    schema = json.loads(text)
    assert schema["$id"] == f"https://schema.ocsf.io/schema/{OCSF_VERSION}/classes/{class_name}?profiles=cloud"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("name", CLASSES)
def test_every_event_validates_against_its_ocsf_class(written: Path, name: str) -> None:
    events = list(jsonl(written / name))
    assert events
    for event in events:
        assert problems(event, CLASSES[name]) == [], event["finding_info"]["uid"]
        assert event["metadata"]["version"] == OCSF_VERSION


BROKEN = {
    "class_uid as text": ("class_uid", "2004"),
    "severity_id outside the enum": ("severity_id", 42),
    "time as a date": ("time", "2026-11-25T04:37:28Z"),
    "member OCSF does not define": ("compliance_status", "FAIL"),
    "finding_info without uid": ("finding_info", {"title": "x"}),
    "cloud without provider": ("cloud", {"region": "global"}),
    "resource without name or uid": ("resources", [{"type": "gcp.compute.firewall"}]),
}


@pytest.mark.parametrize(("key", "value"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_detection_fails_the_ocsf_schema(detections: list[dict[str, Any]], key: str, value: Any) -> None:
    broken = copy.deepcopy(detections[0])
    broken[key] = value
    assert problems(broken, "detection_finding")


def test_broken_compliance_fails_the_ocsf_schema(compliance: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(compliance[0])
    del broken["compliance"]
    assert problems(broken, "compliance_finding")
    broken = copy.deepcopy(compliance[0])
    broken["compliance"]["status_id"] = 4
    assert problems(broken, "compliance_finding")


def test_one_detection_finding_per_finding(demo_scan: Path, detections: list[dict[str, Any]]) -> None:
    found = findings(demo_scan)
    assert len(detections) == len(found)
    assert Counter(e["status_code"] for e in detections) == Counter(f["verdict"] for f in found)
    assert {(e["class_uid"], e["type_uid"], e["category_uid"], e["activity_id"]) for e in detections} == {
        (2004, 200401, 2, 1)
    }
    assert len({e["finding_info"]["uid"] for e in detections}) == len(found)
    assert len({e["metadata"]["uid"] for e in detections}) == len(found)


def test_a_fail_finding_keeps_verdict_severity_and_resource(demo_scan: Path, detections: list[dict[str, Any]]) -> None:
    fail = next(f for f in findings(demo_scan) if f["verdict"] == "FAIL" and f["severity"] == "high")
    event = next(
        e
        for e in detections
        if e["metadata"]["event_code"] == fail["check_id"] and e["resources"][0]["uid"] == fail["resource"]["id"]
    )
    assert (event["status_code"], event["status_detail"]) == ("FAIL", fail["reason"])
    assert (event["severity_id"], event["severity"]) == (4, "High")
    assert (event["status_id"], event["status"]) == (1, "New")
    assert event["finding_info"]["title"] == fail["title"]
    assert event["resources"][0]["name"] == fail["resource"]["name"]
    assert event["cloud"]["account"]["uid"] == fail["resource"]["account"]
    assert event["cloud"]["region"] == fail["resource"]["region"]
    assert event["unmapped"]["control_ids"] == fail["control_ids"]
    assert event["metadata"]["product"]["name"] == "clearance"


def test_one_compliance_finding_per_requirement_result(demo_scan: Path, compliance: list[dict[str, Any]]) -> None:
    with open_results(demo_scan) as results:
        ctx = build_context(results)
    expected = [(fw.framework.id, r.requirement.id, r.status.value) for fw in ctx.frameworks for r in fw.results]
    assert expected
    got = [(e["compliance"]["standards"][0], e["compliance"]["requirements"][0], e["status_code"]) for e in compliance]
    assert got == expected
    assert {(e["class_uid"], e["type_uid"]) for e in compliance} == {(2003, 200301)}


def test_requirement_status_maps_to_the_ocsf_compliance_status(compliance: list[dict[str, Any]]) -> None:
    expected = {
        "satisfied": (1, "Pass"),
        "not_satisfied": (3, "Fail"),
        "partly": (2, "Warning"),
        "manual_pending": (2, "Warning"),
        "not_evaluated": (2, "Warning"),
        "not_applicable": (99, "Not Applicable"),
    }
    seen = set()
    for event in compliance:
        status = event["compliance"]["status_code"]
        seen.add(status)
        assert (event["compliance"]["status_id"], event["compliance"]["status"]) == expected[status]
        if status == "not_satisfied":
            assert event["severity_id"] >= 2
            assert event["resources"]
    assert {"satisfied", "not_satisfied"} <= seen


def test_every_verdict_validates_and_maps(varied: tuple[Path, Path]) -> None:
    scan, out = varied
    events = list(jsonl(out / FINDINGS_FILE))
    for event in events:
        assert problems(event, "detection_finding") == []
    for event in jsonl(out / COMPLIANCE_FILE):
        assert problems(event, "compliance_finding") == []
    by_verdict = {e["status_code"]: e for e in events}
    assert {"MUTED", "ERROR", "NEEDS_CONTEXT", "MANUAL", "FAIL", "PASS"} <= set(by_verdict)
    muted = by_verdict["MUTED"]
    assert (muted["status_id"], muted["status"]) == (3, "Suppressed")
    assert muted["unmapped"]["underlying_verdict"] == "FAIL"
    assert muted["unmapped"]["exception"]["id"] == "EXC-7"
    assert by_verdict["ERROR"]["unmapped"]["error"]["permission"] == "thing:Get"
    muted_count = sum(f["verdict"] == "MUTED" for f in findings(scan))
    assert Counter(e["status_id"] for e in events) == {1: len(events) - muted_count, 3: muted_count}


def test_two_writes_are_byte_identical(demo_scan: Path, written: Path, tmp_path: Path) -> None:
    render(OcsfReport(), demo_scan, tmp_path)
    for name in CLASSES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_evidence_files_are_entries_of_the_signed_package(
    demo_scan: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    package = signed_package(demo_scan, tmp_path_factory.mktemp("ocsf-pkg") / "scan")
    with zipfile.ZipFile(package) as box:
        names = set(box.namelist())
        packaged = {name: box.read(f"evidence/report/{name}") for name in CLASSES}
    render(OcsfReport(), package, tmp_path)
    for name, data in packaged.items():
        assert (tmp_path / name).read_bytes() == data, f"{name}: a package must give the same bytes as its scan"
    events = [json.loads(line) for line in packaged[FINDINGS_FILE].splitlines()]
    sources = [e["data"].get("source") for event in events for e in event.get("evidences", [])]
    files = {source["file"] for source in sources if source}
    assert files
    assert all(f.startswith("evidence/raw/") for f in files)
    assert files <= names, sorted(files - names)
