"""The streaming evaluator gives exactly what evaluating a whole account in memory gives, with bounded memory.

The specification is :func:`reference`: every record of an account loaded, indexed by id (a later record with
the same id wins), every check evaluated on every record of its type, findings sorted by (check, region,
resource id) and encoded with ``dumps``. The engine instead streams each type's records once, follows links
through an on-disk index and a small cache, and writes findings through per-check spill files; whatever the
inventory's layout (sorted or not, a type spread over files, ids stored twice), the bytes must be the same.

``data/demo-records.jsonl`` holds records of the demo account (buckets, keys, log groups, the account, trails,
subnets, route tables, instances): real shapes with links between them, some to resources not in the file.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clearance.engine import store
from clearance.engine.checks import CheckSet, load_checks
from clearance.engine.conditions import EvalContext, Located
from clearance.engine.runner import Evaluator, evaluate_check
from clearance.errors import InputFileError
from clearance.inventory import (
    InventoryReader,
    InventoryWriter,
    TypeListing,
    TypeStatus,
    decode_record,
    dumps,
    raw_file,
    record_envelope,
)
from clearance.model import Resource
from clearance.profile import Profile, load_profile

DEMO = Path(__file__).parent / "data" / "demo-records.jsonl"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile()


@pytest.fixture(scope="module")
def checks(profile: Profile) -> CheckSet:
    return load_checks(providers=("aws",), profile_params=frozenset(profile.parameters))


def demo_records(copies: int = 1) -> list[dict[str, Any]]:
    """The demo records, ``copies`` times with distinct ids and names (links follow within each copy)."""
    originals = [json.loads(line) for line in DEMO.read_text("utf-8").splitlines()]
    ids = {r["id"] for r in originals}
    out = []
    for i in range(copies):
        for rec in originals:
            copy = json.loads(json.dumps(rec))
            copy["id"], copy["name"] = f"{rec['id']}~{i}", f"{rec['name']}~{i}"
            copy["links"] = {k: [f"{t}~{i}" if t in ids else t for t in v] for k, v in rec["links"].items()}
            out.append(copy)
    return out


def _listings(writer: InventoryWriter, records: list[dict[str, Any]]) -> None:
    for rtype, region in sorted({(r["type"], r["region"]) for r in records}):
        writer.listing(TypeListing("aws", records[0]["account"], region, rtype, TypeStatus.LISTED, "List", 0, 1))


def write_sorted(root: Path, records: list[dict[str, Any]]) -> None:
    """As a scan writes it: one file per (region, service, type), sorted by id."""
    writer = InventoryWriter(root)
    _listings(writer, records)
    writer.finalize_account("aws", records[0]["account"], [Resource.from_json(r) for r in records])
    writer.close()


def write_scrambled(root: Path, records: list[dict[str, Any]]) -> None:
    """Files out of id order, one type spread over two files, and a file holding two types."""
    writer = InventoryWriter(root)
    _listings(writer, records)
    writer.close()
    files: dict[str, list[dict[str, Any]]] = {}
    for n, rec in enumerate(reversed(records)):
        rel = raw_file("aws", rec["account"], rec["region"], rec["service"], rec["type"])
        if rec["type"] == "aws.s3.bucket" and n % 2:
            rel = raw_file("aws", rec["account"], rec["region"], "s3-more", rec["type"])
        if rec["type"] == "aws.kms.key":
            rel = raw_file("aws", rec["account"], "global", "mixed", "keys-and-trails")
        if rec["type"] == "aws.cloudtrail.trail":
            rel = raw_file("aws", rec["account"], "global", "mixed", "keys-and-trails")
        files.setdefault(rel, []).append(rec)
    for rel, items in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(dumps(r) + "\n" for r in items) + "\n", "utf-8")  # a blank line too


def reference(scan_dir: Path, checks: CheckSet, profile: Profile) -> list[str]:
    """Finding lines as evaluating each account in memory gives them (the engine's specification)."""
    reader = InventoryReader(scan_dir)
    by_type = checks.by_type()
    lines: list[str] = []
    for provider, account in reader.accounts():
        records = list(reader.records(provider, account))
        index = {r.record["id"]: Located(r.record, r.file, r.line) for r in records}
        produced = []
        for stored in records:
            rec = stored.record
            target = index[rec["id"]]
            for check in by_type.get((provider, rec["type"]), ()):
                finding = evaluate_check(check, target, EvalContext(target, profile, index.get))
                produced.append(((check.id, rec["region"], rec["id"]), dumps(finding)))
        produced.sort(key=lambda item: item[0])
        lines.extend(line for _, line in produced)
    return lines


def finding_lines(out: Path) -> list[str]:
    text = (out / "findings.json").read_text("utf-8")
    return [line.rstrip(",") for line in text.splitlines() if line.startswith('{"check_id"')]


def run(scan_dir: Path, out: Path, checks: CheckSet, profile: Profile, **kw: Any) -> list[str]:
    Evaluator(checks, profile).run(scan_dir, out, **kw)
    return finding_lines(out)


Layout = Callable[[Path, list[dict[str, Any]]], None]


@pytest.mark.parametrize("layout", [write_sorted, write_scrambled], ids=["sorted", "scrambled"])
def test_findings_are_those_of_the_in_memory_evaluation(
    tmp_path: Path, checks: CheckSet, profile: Profile, layout: Layout
) -> None:
    records = demo_records(copies=3)
    bucket = next(r for r in records if r["type"] == "aws.s3.bucket")
    bucket["links"]["log_bucket"] = [bucket["id"]]  # logs to itself: read through the link, it is the target
    records[1]["errors"] = {
        "GetBucketEncryption": {
            "operation": "GetBucketEncryption",
            "code": "AccessDenied",
            "message": "denied",
            "permission": "s3:GetEncryptionConfiguration",
            "denied": True,
        }
    }
    layout(tmp_path / "scan", records)
    expected = reference(tmp_path / "scan", checks, profile)
    got = run(tmp_path / "scan", tmp_path / "out", checks, profile)
    assert len(got) > 150
    assert got == expected
    verdicts = {json.loads(line)["verdict"] for line in got}
    assert {"PASS", "FAIL", "ERROR"} <= verdicts  # links to resources not in the inventory are ERROR, never PASS
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["coverage.json", "findings.json"]


def test_an_id_stored_twice_reads_as_its_last_copy_like_a_dict(
    tmp_path: Path, checks: CheckSet, profile: Profile
) -> None:
    records = demo_records()
    key = next(r for r in records if r["type"] == "aws.kms.key" and r["links"] == {})
    changed = json.loads(json.dumps(key))
    changed["data"]["GetKeyRotationStatus"] = {"KeyRotationEnabled": False}
    changed["service"] = "kmz"  # another file, read after the first (paths sort: kms/ < kmz/)
    write_sorted(tmp_path / "scan", records)
    rel = raw_file("aws", changed["account"], changed["region"], changed["service"], changed["type"])
    (tmp_path / "scan" / rel).parent.mkdir(parents=True)
    (tmp_path / "scan" / rel).write_text(dumps(changed) + "\n", "utf-8")
    got = run(tmp_path / "scan", tmp_path / "out", checks, profile)
    assert got == reference(tmp_path / "scan", checks, profile)
    rotation = [json.loads(g) for g in got if json.loads(g)["check_id"] == "aws-kms-key-rotation-enabled"]
    mine = [f["verdict"] for f in rotation if f["resource"]["id"] == key["id"]]
    assert mine == ["FAIL", "FAIL"]  # both copies evaluated, each as the last one stored


def test_a_tiny_link_cache_changes_nothing(
    tmp_path: Path, checks: CheckSet, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sorted(tmp_path / "scan", demo_records(copies=4))
    normal = run(tmp_path / "scan", tmp_path / "a", checks, profile)
    monkeypatch.setattr(store, "CACHE_SIZE", 1)
    monkeypatch.setattr(store, "CACHE_BYTES", 1)
    assert run(tmp_path / "scan", tmp_path / "b", checks, profile) == normal


def _peak(scan_dir: Path, out: Path, checks: CheckSet, profile: Profile) -> int:
    evaluator = Evaluator(checks, profile)
    tracemalloc.start()
    try:
        evaluator.run(scan_dir, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_records(
    tmp_path: Path, checks: CheckSet, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "CACHE_SIZE", 16)
    write_sorted(tmp_path / "small", demo_records(copies=1))
    write_sorted(tmp_path / "large", demo_records(copies=60))
    large_json = sum(p.stat().st_size for p in (tmp_path / "large" / "raw").rglob("*.jsonl"))
    small = _peak(tmp_path / "small", tmp_path / "out-small", checks, profile)
    large = _peak(tmp_path / "large", tmp_path / "out-large", checks, profile)
    # Holding the records would add several times their 3 MB of JSON; the index adds ~20 bytes per record.
    assert large_json > 3_000_000
    assert large - small < 1_000_000, (small, large)


def test_hooks_see_findings_in_output_order_and_the_summary_counts_what_they_left(
    tmp_path: Path, checks: CheckSet, profile: Profile
) -> None:
    write_scrambled(tmp_path / "scan", demo_records(copies=2))
    seen: list[tuple[str, str]] = []

    def mute_failures(finding: dict[str, Any]) -> None:
        seen.append((finding["check_id"], finding["resource"]["id"]))
        if finding["verdict"] == "FAIL":
            finding["underlying_verdict"], finding["verdict"] = "FAIL", "MUTED"

    results = Evaluator(checks, profile).run(tmp_path / "scan", tmp_path / "out", annotate=[mute_failures])
    findings = [json.loads(line) for line in finding_lines(tmp_path / "out")]
    assert seen == [(f["check_id"], f["resource"]["id"]) for f in findings]
    plain = [json.loads(line) for line in reference(tmp_path / "scan", checks, profile)]
    failed = sum(f["verdict"] == "FAIL" for f in plain)
    assert failed and results.summary.verdicts["MUTED"] == failed and results.summary.verdicts["FAIL"] == 0
    assert [f["verdict"] for f in findings] == ["MUTED" if f["verdict"] == "FAIL" else f["verdict"] for f in plain]
    header = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    assert header["summary"]["verdicts"]["MUTED"] == failed


def test_a_link_back_to_the_evaluated_resource_is_the_resource_itself(tmp_path: Path) -> None:
    records = demo_records()
    bucket = next(r for r in records if r["type"] == "aws.s3.bucket")
    bucket["links"]["log_bucket"] = [bucket["id"]]
    write_sorted(tmp_path / "scan", records)
    with store.AccountStore(InventoryReader(tmp_path / "scan"), "aws", bucket["account"]) as account:
        streamed = next(r for r in account.group("aws.s3.bucket", bucket["region"]) if r.record["id"] == bucket["id"])
        target = account.evaluating(streamed)
        assert account.lookup(bucket["id"]) is target
        other = next(r for r in records if r["type"] == "aws.kms.key")
        found = account.lookup(other["id"])
        assert found is not None and found.record == other and found.line >= 1
        assert account.lookup("arn:aws:kms:ap-northeast-2:123456789012:key/not-collected") is None
        assert account.count == len(records)


def test_empty_account_directory_gives_no_findings(tmp_path: Path, checks: CheckSet, profile: Profile) -> None:
    write_sorted(tmp_path / "scan", demo_records())
    (tmp_path / "scan" / "raw" / "aws" / "210987654321").mkdir()
    results = Evaluator(checks, profile).run(tmp_path / "scan", tmp_path / "out")
    assert results.summary.resources == 29 and len(finding_lines(tmp_path / "out")) == results.summary.findings


# -- reading records without decoding their data ----------------------------------------------------------


def _line(rec: dict[str, Any]) -> bytes:
    return (dumps(rec) + "\n").encode("utf-8")


ENVELOPE_CASES = {
    "tag named id": {"tags": {"id": "tag", "zz": "x"}},
    "first tag named id": {"tags": {"id": "tag"}},
    "nested id in data": {"data": {"Op": {"id": "inner", "links": {}, "type": "t", "region": "r"}}},
    "quotes and unicode in the id": {"id": 'arn:x,"id":"fake" 한글\\'},
    "link relation named id": {"links": {"id": ["a"]}},
}


@pytest.mark.parametrize("change", ENVELOPE_CASES.values(), ids=ENVELOPE_CASES.keys())
def test_record_envelope_finds_the_records_own_id(change: dict[str, Any]) -> None:
    rec = {**demo_records()[0], **change}
    assert record_envelope(_line(rec), "f.jsonl", 1) == (rec["id"], rec["type"], rec["region"])


def test_record_envelope_reads_records_written_in_another_key_order() -> None:
    line = b'{"id": "a", "type": "t", "region": "r", "data": {"x": {"b": 1, "id": "y"}}}\n'
    assert record_envelope(line, "f.jsonl", 1) == ("a", "t", "r")


@pytest.mark.parametrize(
    ("line", "message"),
    [(b'{"id": "a", "type": "t"', "not a JSON resource record"), (b'{"id": "a"}', "needs string id, type and region")],
)
def test_a_broken_record_names_file_and_line(line: bytes, message: str) -> None:
    with pytest.raises(InputFileError) as err:
        record_envelope(line, "raw/aws/1/r/s/t.jsonl", 7)
    assert err.value.file == "raw/aws/1/r/s/t.jsonl" and err.value.line == 7 and message in str(err.value)
    with pytest.raises(InputFileError):
        decode_record(line, "raw/aws/1/r/s/t.jsonl", 7)
