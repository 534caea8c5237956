"""OSCAL report: both documents validate against NIST's published JSON schema (vendored), say what the scan said."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regex

from clearance.content import schema_path
from clearance.reports import jsonstream
from clearance.reports.context import build_context
from clearance.reports.oscal import (
    NS,
    PLAN_FILE,
    RESULTS_FILE,
    OscalReport,
    package_path,
    requirement_token,
)
from clearance.scanresults import open_results

from .interchange_support import findings, render, signed_package, vary_verdicts

VENDORED = {
    # file -> (sha256 of the file as shipped, $id). Provenance: schemas/vendor/oscal/1.2.3/README.md
    "oscal_assessment-plan_schema.json": (
        "14523e784c027c2110ee56a54f3377bccddf64bc30e9ad168edc4c6a959e3c60",
        "http://csrc.nist.gov/ns/oscal/1.2.3/oscal-ap-schema.json",
    ),
    "oscal_assessment-results_schema.json": (
        "37f41f6813c78e6d2c272b27030e17e93d7f92fee519c72e7531574fa0ecbb05",
        "http://csrc.nist.gov/ns/oscal/1.2.3/oscal-ar-schema.json",
    ),
}


@functools.cache
def _compiled(pattern: str) -> Any:
    return regex.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema ``pattern`` with the ``regex`` engine: NIST's patterns use ``\\p{L}`` and ``\\p{N}``."""
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


@functools.cache
def nist_validator(name: str) -> Any:
    schema = json.loads(schema_path(f"vendor/oscal/1.2.3/{name}").read_text("utf-8"))
    return _Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def problems(doc: dict[str, Any], schema: str) -> list[str]:
    errors = nist_validator(schema).iter_errors(doc)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors]


def plan_problems(doc: dict[str, Any]) -> list[str]:
    return problems(doc, "oscal_assessment-plan_schema.json")


def results_problems(doc: dict[str, Any]) -> list[str]:
    return problems(doc, "oscal_assessment-results_schema.json")


def load(out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = json.loads((out / PLAN_FILE).read_text("utf-8"))
    results = json.loads((out / RESULTS_FILE).read_text("utf-8"))
    return plan, results


def props(item: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("props", []) if p["name"] == name and p.get("ns") == NS]


@pytest.fixture(scope="module")
def written(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("oscal")
    paths = render(OscalReport(), demo_scan, out)
    assert paths == [out / PLAN_FILE, out / RESULTS_FILE]
    return out


@pytest.fixture(scope="module")
def docs(written: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    return load(written)


@pytest.fixture(scope="module")
def result(docs: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = docs[1]["assessment-results"]["results"][0]
    return out


@pytest.fixture(scope="module")
def varied(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    scan = vary_verdicts(demo_scan, tmp_path_factory.mktemp("oscal-varied") / "scan")
    out = scan.parent / "out"
    render(OscalReport(), scan, out)
    return scan, out


def test_vendored_schemas_are_nists_unchanged() -> None:
    for name, (digest, schema_id) in VENDORED.items():
        data = schema_path(f"vendor/oscal/1.2.3/{name}").read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        assert json.loads(data)["$id"] == schema_id


def test_plan_and_results_validate_against_the_nist_schema(docs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    plan, results = docs
    assert plan_problems(plan) == []
    assert results_problems(results) == []
    assert results["assessment-results"]["metadata"]["oscal-version"] == "1.2.3"


def _drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return mutate


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


AR = ("assessment-results",)
RESULT = (*AR, "results", 0)
BROKEN = {
    "no import-ap": _drop((*AR, "import-ap")),
    "random-version uuid": _set((*AR, "uuid"), "2b0e6f3c-6d7e-11ee-b962-0242ac120002"),
    "objective state partly": _set((*RESULT, "findings", 0, "target", "status", "state"), "partly"),
    "token starting with a digit": _set((*RESULT, "findings", 0, "target", "target-id"), "14-2.1"),
    "token with a space": _set(
        (*RESULT, "reviewed-controls", "control-selections", 0, "include-controls", 0), {"control-id": "ENC 01"}
    ),
    "prop value with a newline": _set((*RESULT, "observations", 0, "props", 0, "value"), "FAIL\nPASS"),
    "time without zone": _set((*RESULT, "start"), "2026-11-25T04:37:27"),
    "unknown member": _set((*RESULT, "verdict"), "PASS"),
    "empty observations": _set((*RESULT, "observations"), []),
    "observation without method": _drop((*RESULT, "observations", 0, "methods")),
}


@pytest.fixture(scope="module")
def small_results(docs: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    """The results document with three items per list: still valid, quicker to validate many times."""
    small = copy.deepcopy(docs[1])
    result = small["assessment-results"]["results"][0]
    for key in ("observations", "risks", "findings"):
        result[key] = result[key][:3]
    result["local-definitions"]["inventory-items"] = result["local-definitions"]["inventory-items"][:3]
    assert results_problems(small) == []
    return small


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_results_fail_the_nist_schema(small_results: dict[str, Any], mutate: Any) -> None:
    broken = copy.deepcopy(small_results)
    mutate(broken)
    assert results_problems(broken)


def test_broken_plan_fails_the_nist_schema(docs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    plan = copy.deepcopy(docs[0])
    del plan["assessment-plan"]["import-ssp"]
    assert plan_problems(plan)
    plan = copy.deepcopy(docs[0])
    plan["assessment-plan"]["assessment-assets"]["components"][0]["status"]["state"] = "running"
    assert plan_problems(plan)


def test_result_spans_the_scan_and_counts_match(demo_scan: Path, result: dict[str, Any]) -> None:
    scan = json.loads((demo_scan / "scan.json").read_text("utf-8"))
    found = findings(demo_scan)
    assert (result["start"], result["end"]) == (scan["started"], scan["finished"])
    assert len(result["observations"]) == len(found)
    resources = {(f["resource"]["account"], f["resource"]["region"], f["resource"]["id"]) for f in found}
    assert len(result["local-definitions"]["inventory-items"]) == len(resources)
    assert len(result["risks"]) == sum(f["verdict"] == "FAIL" for f in found) > 0
    assert Counter(props(o, "verdict")[0] for o in result["observations"]) == Counter(f["verdict"] for f in found)


def test_one_finding_per_framework_requirement_result(demo_scan: Path, result: dict[str, Any]) -> None:
    with open_results(demo_scan) as results:
        ctx = build_context(results)
    expected = [(fw.framework.id, r.requirement.id, r.status.value) for fw in ctx.frameworks for r in fw.results]
    assert expected, "the demo scan should be covered by at least one built-in framework"
    got = [(props(f, "framework")[0], props(f, "requirement-id")[0], props(f, "status")[0]) for f in result["findings"]]
    assert got == expected
    selected = {
        s["include-controls"][0]["control-id"].split("_")[0]
        for s in result["reviewed-controls"]["control-selections"]
        if props(s, "framework")
    }
    assert selected == {fw.framework.id for fw in ctx.frameworks}


def test_only_satisfied_becomes_satisfied(result: dict[str, Any]) -> None:
    expected = {
        "satisfied": {"state": "satisfied", "reason": "pass"},
        "not_satisfied": {"state": "not-satisfied", "reason": "fail"},
    }
    seen = set()
    for finding in result["findings"]:
        status = props(finding, "status")[0]
        seen.add(status)
        want = expected.get(status, {"state": "not-satisfied", "reason": "other"})
        assert finding["target"]["status"] == want, status
    assert {"satisfied", "not_satisfied"} <= seen


def test_a_fail_finding_becomes_an_open_risk_linked_to_its_observation(demo_scan: Path, result: dict[str, Any]) -> None:
    fail = next(f for f in findings(demo_scan) if f["verdict"] == "FAIL")
    observation = next(
        o
        for o in result["observations"]
        if props(o, "check-id") == [fail["check_id"]] and o["title"].endswith(f": {fail['resource']['name']}")
    )
    assert props(observation, "verdict") == ["FAIL"]
    assert props(observation, "severity") == [fail["severity"]]
    assert props(observation, "control-id") == fail["control_ids"]
    assert "finding" in observation["types"]
    assert observation["description"] == fail["reason"]
    risk = next(r for r in result["risks"] if r["related-observations"][0]["observation-uuid"] == observation["uuid"])
    assert risk["status"] == "open"
    assert props(risk, "severity") == [fail["severity"]]
    failing = [f for f in result["findings"] if props(f, "status") == ["not_satisfied"]]
    assert any(risk["uuid"] in [r["risk-uuid"] for r in f.get("related-risks", [])] for f in failing)


def test_references_inside_the_documents_resolve(docs: tuple[dict[str, Any], dict[str, Any]], written: Path) -> None:
    plan, results = docs
    ar = results["assessment-results"]
    result = ar["results"][0]
    assert (written / ar["import-ap"]["href"]).is_file()
    assert ar["import-ap"]["href"] == PLAN_FILE
    ap = plan["assessment-plan"]
    resources = {r["uuid"] for r in ap["back-matter"]["resources"]}
    assert ap["import-ssp"]["href"].removeprefix("#") in resources
    tool = ap["assessment-assets"]["components"][0]["uuid"]
    accounts = {c["uuid"] for c in ap["local-definitions"]["components"]}
    assert {s["subject-uuid"] for s in ap["assessment-subjects"][0]["include-subjects"]} == accounts
    observations = {o["uuid"] for o in result["observations"]}
    risks = {r["uuid"] for r in result["risks"]}
    inventory = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
    assert len(observations) == len(result["observations"])
    for o in result["observations"]:
        assert {s["subject-uuid"] for s in o["subjects"]} <= inventory
        assert o["origins"][0]["actors"][0]["actor-uuid"] == tool
    for r in result["risks"]:
        assert {x["observation-uuid"] for x in r["related-observations"]} <= observations
    linked = 0
    for f in result["findings"]:
        assert {x["observation-uuid"] for x in f.get("related-observations", [])} <= observations
        assert {x["risk-uuid"] for x in f.get("related-risks", [])} <= risks
        linked += len(f.get("related-observations", []))
    assert linked > 0


def test_two_writes_are_byte_identical(demo_scan: Path, written: Path, tmp_path: Path) -> None:
    render(OscalReport(), demo_scan, tmp_path)
    for name in (PLAN_FILE, RESULTS_FILE):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_every_verdict_validates_and_maps(varied: tuple[Path, Path]) -> None:
    scan, out = varied
    plan, results = load(out)
    assert plan_problems(plan) == []
    assert results_problems(results) == []
    result = results["assessment-results"]["results"][0]
    found = findings(scan)
    assert {"MUTED", "ERROR", "NEEDS_CONTEXT", "MANUAL", "FAIL", "PASS"} <= {f["verdict"] for f in found}
    by_verdict = {props(o, "verdict")[0]: o for o in result["observations"]}
    assert by_verdict["ERROR"]["remarks"] == "GetThing was denied (AccessDenied); missing permission thing:Get"
    assert props(by_verdict["MUTED"], "underlying-verdict") == ["FAIL"]
    assert props(by_verdict["MUTED"], "exception-id") == ["EXC-7"]
    statuses = Counter(r["status"] for r in result["risks"])
    assert statuses == {
        "open": sum(f["verdict"] == "FAIL" for f in found),
        "deviation-approved": sum(f["verdict"] == "MUTED" for f in found),
    }


def test_evidence_links_name_files_of_the_signed_package(
    demo_scan: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    package = signed_package(demo_scan, tmp_path_factory.mktemp("oscal-pkg") / "scan")
    with zipfile.ZipFile(package) as box:
        names = set(box.namelist())
        packaged = box.read(f"evidence/report/{RESULTS_FILE}")
    render(OscalReport(), package, tmp_path)
    assert (tmp_path / RESULTS_FILE).read_bytes() == packaged, "a package must give the same bytes as its scan"
    results = json.loads(packaged)
    assert results_problems(results) == []
    ar = results["assessment-results"]
    assert package_path(ar["import-ap"]["href"]) == f"evidence/report/{PLAN_FILE}" in names
    hrefs = {e["href"] for o in ar["results"][0]["observations"] for e in o["relevant-evidence"]}
    resolved = {package_path(h) for h in hrefs}
    assert "evidence/report/findings.json" in resolved
    assert any(p.startswith("evidence/raw/") for p in resolved)
    assert resolved <= names, sorted(resolved - names)


def test_requirement_tokens_are_oscal_tokens_and_distinct() -> None:
    token = regex.compile(r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$")
    ids = ["14-2.1", "DR2-2.1", "A 1", "A(1)", "A/1", "a:b", "A_1", "x"]
    tokens = [requirement_token("kr-efsr-cloud", i) for i in ids] + [requirement_token("27001", "A.5.1")]
    assert all(token.match(t) for t in tokens), tokens
    assert len(set(tokens)) == len(tokens)
    assert requirement_token("kr-efsr-cloud", "14-2.1") == "kr-efsr-cloud_14-2.1"


def test_jsonstream_writes_each_placeholder_in_place(tmp_path: Path) -> None:
    assert jsonstream.placeholder("none", iter([])) is None
    doc = {
        "a": jsonstream.placeholder("a", iter([{"n": 1}, {"n": 2}])),
        "b": [1, {"c": jsonstream.placeholder("c", iter(["x"]))}],
    }
    with open(tmp_path / "doc.json", "w", encoding="utf-8") as fh:
        jsonstream.write(fh, doc)
    text = (tmp_path / "doc.json").read_text("utf-8")
    assert json.loads(text) == {"a": [{"n": 1}, {"n": 2}], "b": [1, {"c": ["x"]}]}
    assert '\n{"n":1},\n{"n":2}\n' in text
    twice = jsonstream.placeholder("a", iter([1]))
    with open(tmp_path / "bad.json", "w", encoding="utf-8") as fh, pytest.raises(ValueError, match="not unique"):
        jsonstream.write(fh, {"a": twice, "b": str(twice)})
