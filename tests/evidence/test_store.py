"""Publishing packages to S3 with Object Lock, and chaining scheduled runs through the store (moto in-process).

Packages are real: built by ``clearance package`` / ``clearance scan --package`` with a development PKI from
``clearance keys init`` and the in-process RFC 3161 TSA served on loopback; the chain is proven with
``clearance verify --previous``. Denied calls and a store that drops the lock are answered at the HTTP layer
(tests/aws/fakes.py), so botocore's real parsing runs.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from clearance.errors import ExitCode
from clearance.evidence.devpki import DevKeys
from clearance.evidence.store import Lock, parse_url
from clearance.evidence.store.publish import Described, PublishArgs, Publisher, _longest_retention
from clearance.evidence.store.s3 import S3Store

from ..aws.fakes import deny, intercept
from ..test_cli import run_cli
from .packages import statement_of
from .scandir import make_scan

REGION: Final = "ap-northeast-2"
BUCKET: Final = "firm-evidence"
URL: Final = f"s3://{BUCKET}/clearance/"
FILING: Final = "SAAS-SELFCHECK-crm"
DAY: Final = dt.timedelta(days=1)


@pytest.fixture
def s3() -> Iterator[Any]:
    """In-process moto with the firm's evidence bucket (Object Lock on) and an ordinary bucket."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        client: Any = boto3.client("s3", region_name=REGION)
        where = {"LocationConstraint": REGION}
        client.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True, CreateBucketConfiguration=where)
        client.create_bucket(Bucket="plain-bucket", CreateBucketConfiguration=where)
        yield client


def sign(keys: DevKeys, tsa_url: str) -> list[str]:
    return ["--filing-id", FILING, "--signer", keys.signer_spec, "--tsa", tsa_url, "--no-reports"]


def package(scan: Path, out: Path, keys: DevKeys, tsa_url: str, *extra: str) -> tuple[int, str, str]:
    return run_cli("package", str(scan), "--out", str(out), *sign(keys, tsa_url), *extra)


def verify(path: Path, keys: DevKeys, tsa_anchor: Path, *extra: str) -> tuple[int, str, str]:
    anchors = ["--trust", str(keys.root), "--tsa-trust", str(tsa_anchor)]
    return run_cli("verify", str(path), *anchors, "--filing-id", FILING, *extra)


def objects(s3: Any) -> list[dict[str, Any]]:
    return list(s3.list_object_versions(Bucket=BUCKET).get("Versions", []))


def json_docs(text: str) -> list[Any]:
    """The JSON documents printed one after another (``--json``: the package, then the publication)."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
        at += len(text[at:]) - len(text[at:].lstrip())
    return docs


def lock_of(s3: Any, **where: Any) -> tuple[str, dt.datetime]:
    """(mode, retain-until) as S3 reports them on the object."""
    head = s3.head_object(**where)
    return head["ObjectLockMode"], head["ObjectLockRetainUntilDate"].astimezone(dt.UTC)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- publish ----------------------------------------------------------------------------------------
def test_publish_locks_the_package_in_compliance_mode(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan")
    target = tmp_path / "p.zip"
    assert package(scan, target, keys, tsa_url)[0] == 0
    before = now()
    code, out, err = run_cli("publish", str(target), URL, "--json")
    assert code == 0, err
    published = json.loads(out)
    digest = published["statement_sha256"]
    stamp = dt.datetime.fromisoformat(json.loads((scan / "scan.json").read_text())["finished"])
    key = f"clearance/{FILING}/{stamp.strftime('%Y%m%dT%H%M%SZ')}_{digest}.evidence.zip"
    assert published["url"] == f"s3://{BUCKET}/{key}" and published["previous"] is None
    assert published["retention_reason"] == "1095 days (profile kr-fss access_rights_log_retention_days)"

    retention = lock_of(s3, Bucket=BUCKET, Key=key)
    assert retention[0] == "COMPLIANCE"
    until = retention[1]
    assert before + 1095 * DAY <= until <= now() + 1095 * DAY
    assert published["lock"] == {"mode": "COMPLIANCE", "until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(target.read_bytes()).digest()).decode()
    assert head["Metadata"]["clearance-statement-sha256"] == digest
    assert head["Metadata"]["clearance-supersedes"] == "none"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == target.read_bytes()
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):  # the lock holds
        s3.delete_object(Bucket=BUCKET, Key=key, VersionId=head["VersionId"])


def test_retain_days_and_governance_mode(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    code, out, err = run_cli("publish", str(target), URL, "--retain-days", "30", "--lock-mode", "GOVERNANCE")
    assert code == 0, err
    assert "locked GOVERNANCE until" in out and ": 30 days (--retain-days)" in out
    (version,) = objects(s3)
    retention = lock_of(s3, Bucket=BUCKET, Key=version["Key"])
    assert retention[0] == "GOVERNANCE"
    assert abs(retention[1] - (now() + 30 * DAY)) < dt.timedelta(minutes=1)


def test_the_bucket_default_retention_is_never_weakened(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    s3.put_object_lock_configuration(
        Bucket=BUCKET,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 5}},
        },
    )
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    code, out, err = run_cli("publish", str(target), URL, "--retain-days", "30", "--lock-mode", "GOVERNANCE")
    assert code == 0, err
    assert "raised to the bucket's default retention COMPLIANCE until" in out, out
    retention = lock_of(s3, Bucket=BUCKET, Key=objects(s3)[0]["Key"])
    assert retention[0] == "COMPLIANCE"
    assert retention[1] >= now() + 5 * 365 * DAY, out


def test_refuses_a_bucket_without_object_lock(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    code, _, err = run_cli("publish", str(target), "s3://plain-bucket/evidence/")
    assert code == ExitCode.USAGE
    assert "bucket 'plain-bucket' does not have S3 Object Lock enabled; refusing to publish" in err
    assert "Traceback" not in err
    assert s3.list_objects_v2(Bucket="plain-bucket").get("KeyCount") == 0
    code, _, err = run_cli("publish", str(target), "s3://no-such-bucket/x/")
    assert code == ExitCode.USAGE and "bucket 'no-such-bucket' does not exist" in err


def test_scan_refuses_before_scanning_when_the_store_cannot_lock(
    s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "scan"
    publish = ["--publish", "s3://plain-bucket/evidence/", "--chain"]
    code, _, err = run_cli(
        "scan", "--region", REGION, "--service", "s3", "--out", str(out), "--no-progress",
        "--package", str(tmp_path / "p.zip"), *sign(keys, tsa_url), *publish,
    )  # fmt: skip
    assert code == ExitCode.USAGE and "does not have S3 Object Lock enabled" in err
    assert not out.exists()


def test_never_overwrites(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    assert run_cli("publish", str(target), URL)[0] == 0
    code, _, err = run_cli("publish", str(target), URL)
    assert code == ExitCode.USAGE and "already exists; clearance never overwrites a stored package" in err
    # Without s3:GetObject the HEAD is denied; the conditional PUT (If-None-Match: *) still refuses.
    with deny("s3", "HeadObject"):
        code, _, err = run_cli("publish", str(target), URL)
    assert code == ExitCode.USAGE and "already exists (PreconditionFailed)" in err
    assert len(objects(s3)) == 1


def test_a_store_that_drops_the_lock_is_an_error(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    headers = {"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "2027-01-01T00:00:00Z"}

    def weak_lock(request: Any) -> tuple[int, bytes, dict[str, str]] | None:
        return (200, b"", headers) if "versionId=" in request.url else None  # only the HEAD after the PUT

    with intercept("s3", "HeadObject", weak_lock):
        code, _, err = run_cli("publish", str(target), URL)
    assert code == ExitCode.USAGE
    assert "S3 reports the lock GOVERNANCE until 2027-01-01T00:00:00Z, not COMPLIANCE until" in err
    assert "not protected as required" in err


def test_denied_calls_name_the_permission(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    assert package(make_scan(tmp_path / "scan"), target, keys, tsa_url)[0] == 0
    with deny("s3", "GetObjectLockConfiguration"):
        code, _, err = run_cli("publish", str(target), URL)
    assert code == ExitCode.CREDENTIALS
    assert "needs s3:GetBucketObjectLockConfiguration on bucket firm-evidence" in err
    with deny("s3", "PutObject"):
        code, _, err = run_cli("publish", str(target), URL)
    assert code == ExitCode.CREDENTIALS and "needs s3:PutObject and s3:PutObjectRetention" in err
    assert objects(s3) == []


# -- chaining ---------------------------------------------------------------------------------------
def test_scheduled_runs_chain_through_the_store(
    s3: Any, keys: DevKeys, tsa_url: str, tsa_anchor: Path, tmp_path: Path
) -> None:
    publish = ["--publish", URL, "--chain", "--json"]
    runs = []
    for hours_ago in (3, 2, 1):
        scan = make_scan(tmp_path / f"scan-{hours_ago}", finished=now() - hours_ago * dt.timedelta(hours=1))
        target = tmp_path / f"run-{hours_ago}.zip"
        code, out, err = package(scan, target, keys, tsa_url, *publish)
        assert code == 0, err
        built, published = json_docs(out)
        assert published["statement_sha256"] == built["statement_sha256"] and published["warning"] is None
        runs.append((target, published))
    (_, p1), (_, p2), (third, p3) = runs
    assert p1["supersedes"] is None and p1["previous"] is None
    assert p2["supersedes"] == p1["statement_sha256"] and p2["previous"] == p1["url"]
    assert p3["supersedes"] == p2["statement_sha256"] and p3["previous"] == p2["url"]  # the newest, not the first
    assert statement_of(third)["predicate"]["package"]["supersedes"] == p2["statement_sha256"]
    assert len(objects(s3)) == 3

    # The chain verifies link by link, from the packages as stored.
    stored = {}
    for name, doc in (("1", p1), ("2", p2), ("3", p3)):
        stored[name] = tmp_path / f"stored-{name}.zip"
        key = doc["url"].removeprefix(f"s3://{BUCKET}/")
        stored[name].write_bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    code, out, _ = verify(stored["3"], keys, tsa_anchor, "--previous", str(stored["2"]), "--json")
    assert code == ExitCode.OK, out
    assert next(s["reason"] for s in json.loads(out)["steps"] if s["step"] == "history").startswith("supersedes")
    assert verify(stored["2"], keys, tsa_anchor, "--previous", str(stored["1"]))[0] == ExitCode.OK
    code, out, _ = verify(stored["3"], keys, tsa_anchor, "--previous", str(stored["1"]))
    assert code == ExitCode.VERIFY_FAILED and "failed at step 'history'" in out


def test_scan_package_publish_chain_end_to_end(
    s3: Any, keys: DevKeys, tsa_url: str, tsa_anchor: Path, tmp_path: Path
) -> None:
    """``scan --package --publish --chain`` twice, as a nightly job would; the scan itself stays read-only."""
    urls = []
    for night in (1, 2):
        out = tmp_path / f"scan-{night}"
        target = tmp_path / f"night-{night}.zip"
        code, stdout, err = run_cli(
            "scan", "--region", REGION, "--service", "s3", "--out", str(out), "--no-progress",
            "--package", str(target), *sign(keys, tsa_url), "--publish", URL, "--chain",
        )  # fmt: skip
        assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err
        assert f"evidence package: {target}" in stdout and f"published: s3://{BUCKET}/clearance/{FILING}/" in stdout
        assert "locked COMPLIANCE until" in stdout
        urls.append(stdout.split("published: ", 1)[1].split(" ", 1)[0])
        calls = [json.loads(line) for line in (out / "logs" / "api-calls.jsonl").read_text().splitlines()]
        assert calls and not any(c["operation"].startswith(("Put", "Delete", "Create")) for c in calls)
    assert statement_of(tmp_path / "night-2.zip")["predicate"]["package"]["supersedes"] == urls[0].split("_")[-1][:64]
    code, report, _ = verify(tmp_path / "night-2.zip", keys, tsa_anchor, "--previous", str(tmp_path / "night-1.zip"))
    assert code == ExitCode.OK, report


def test_chain_refuses_an_object_that_is_not_what_its_name_says(
    s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "first.zip"
    assert package(make_scan(tmp_path / "a", finished=now() - 2 * dt.timedelta(hours=1)), first, keys, tsa_url)[0] == 0
    fake = f"clearance/{FILING}/29990101T000000Z_{'0' * 64}.evidence.zip"
    s3.put_object(
        Bucket=BUCKET, Key=fake, Body=first.read_bytes(), ChecksumAlgorithm="SHA256",
        ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=now() + DAY,
    )  # fmt: skip
    code, _, err = package(
        make_scan(tmp_path / "b"), tmp_path / "second.zip", keys, tsa_url, "--publish", URL, "--chain"
    )
    assert code == ExitCode.USAGE
    assert f"s3://{BUCKET}/{fake}: holds statement" in err and "not what its name says; refusing to chain" in err


# -- arguments --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gs://evidence/clearance/", "gs:// (Google Cloud Storage retention policies) is not implemented yet"),
        ("azblob://account/container/", "azblob:// (Azure Blob Storage immutability policies) is not implemented yet"),
        ("/tmp/evidence", "expected s3://BUCKET/PREFIX/"),
        ("https://firm-evidence.s3.amazonaws.com/x", "expected s3://BUCKET/PREFIX/"),
        ("s3://Firm_Evidence/x/", "'Firm_Evidence' is not a valid S3 bucket name"),
        ("s3://ab/x/", "'ab' is not a valid S3 bucket name"),
        ("s3://firm-evidence/a//b/", "the prefix 'a//b/' has an empty, '.' or '..' segment"),
        ("s3://firm-evidence/a/../b/", "has an empty, '.' or '..' segment"),
        ("s3://firm-evidence/x/?endpoint=http://evil", "bad parameter 'endpoint=http://evil' (allowed: region=VALUE"),
        ("s3://firm-evidence/x/?region=a&region=b", "parameter 'region' given twice"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "p.zip").write_bytes(b"PK")
    code, _, err = run_cli("publish", str(tmp_path / "p.zip"), url)
    assert code == ExitCode.USAGE and f"URL {url!r}: " in err and message in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chain"], "--chain, --retain-days and --lock-mode: only with --publish"),
        (["--retain-days", "30"], "only with --publish s3://BUCKET/PREFIX/"),
        (["--publish", "gs://x/y/"], "--publish 'gs://x/y/': gs:// (Google Cloud Storage"),
        (["--publish", URL, "--retain-days", "0"], "Invalid value for '--retain-days'"),
        (["--publish", URL, "--lock-mode", "LEGAL"], "Invalid value for '--lock-mode'"),
    ],
)
def test_package_publish_usage_errors(args: list[str], message: str, keys: DevKeys, tmp_path: Path) -> None:
    code, _, err = run_cli("package", str(tmp_path), "--out", str(tmp_path / "p.zip"), *sign(keys, "http://x"), *args)
    assert code == ExitCode.USAGE and message in err, err


def test_chain_and_supersedes_exclude_each_other(s3: Any, keys: DevKeys, tsa_url: str, tmp_path: Path) -> None:
    old = tmp_path / "old.zip"
    scan = make_scan(tmp_path / "scan")
    assert package(scan, old, keys, tsa_url)[0] == 0
    code, _, err = package(
        scan, tmp_path / "new.zip", keys, tsa_url, "--supersedes", str(old), "--publish", URL, "--chain"
    )
    assert code == ExitCode.USAGE and "--chain and --supersedes: give one" in err


def test_scan_publish_needs_package(tmp_path: Path) -> None:
    code, _, err = run_cli("scan", "--out", str(tmp_path / "s"), "--publish", URL)
    assert code == ExitCode.USAGE and "--publish: only with --package FILE.zip" in err
    assert not (tmp_path / "s").exists()


def test_not_a_package(s3: Any, tmp_path: Path) -> None:
    (tmp_path / "p.zip").write_bytes(b"not a zip")
    code, _, err = run_cli("publish", str(tmp_path / "p.zip"), URL)
    assert code == ExitCode.USAGE and "p.zip: not a readable evidence package" in err


# -- retention from the profile -----------------------------------------------------------------------
def test_longest_retention_of_the_profile() -> None:
    from clearance.profile import load_profile

    assert _longest_retention({"parameters": load_profile(None).parameters}) == (
        1095,
        "access_rights_log_retention_days",
    )
    assert _longest_retention({"parameters": {"x_retention_days": {"value": 10, "elevated": 800}}}) == (
        800,
        "x_retention_days",
    )
    assert _longest_retention({"parameters": {"key_rotation_max_days": {"value": 365}}}) is None


def test_a_profile_without_retention_needs_retain_days(s3: Any) -> None:
    from clearance.errors import UsageError
    from clearance.evidence.store import PackageInfo

    publisher = Publisher(PublishArgs(URL), S3Store(parse_url(URL), s3))
    info = PackageInfo(FILING, "2026-11-24T01:30:05Z", "a" * 64, None)
    with pytest.raises(UsageError, match=r"--retain-days: required, because profile 'bare' of the package names no"):
        publisher._lock(Described(info, "bare", None))
    lock, reason = Publisher(PublishArgs(URL, retain_days=7), S3Store(parse_url(URL), s3))._lock(
        Described(info, "bare", None)
    )
    assert lock.mode == "COMPLIANCE" and reason == "7 days (--retain-days)"
    assert Lock("GOVERNANCE", lock.until).stronger(lock) == lock
