"""Redaction before hashing: planted secrets never reach any file of a package; everything else is kept exactly."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from clearance.errors import InputFileError
from clearance.evidence import layout
from clearance.evidence.redaction import DEFAULT_POLICY, Outcome, Policy, load_policy
from clearance.evidence.redactor import looks_random
from clearance.evidence.verifier import verify

from .packages import Kit, statement_of
from .pki import Pki
from .scandir import SECRETS, bucket, make_scan, secret_resources
from .tsa import TestTsa


def redact(text: str, *, known: dict[str, str] | None = None, document: bool = False) -> tuple[str, Outcome]:
    out = io.BytesIO()
    outcome = load_policy(None).redactor(known).copy(io.BytesIO(text.encode()), out, document=document)
    return out.getvalue().decode(), outcome


def line(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def test_planted_secrets_never_reach_the_package(pki: Pki, tmp_path: Path) -> None:
    kit = Kit(pki, TestTsa(signer=pki.tsa))
    scan = make_scan(tmp_path / "scan", resources=[bucket("plain"), *secret_resources()])
    raw_text = "".join(p.read_text() for p in (scan / "raw").rglob("*.jsonl"))
    assert all(secret in raw_text for secret in SECRETS.values())  # planted for real
    package = kit.build(scan, tmp_path / "p.zip")
    with zipfile.ZipFile(package) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    for secret in SECRETS.values():
        leaks = [name for name, data in contents.items() if secret.encode() in data or secret in name]
        assert not leaks, f"{secret} leaked into {leaks}"
    record = json.loads(contents[layout.REDACTION])
    assert record["policy"] == DEFAULT_POLICY and record["source"] == "built-in default"
    lambda_file = next(n for n in record["redactions"] if "/lambda/" in n)
    assert record["redactions"][lambda_file] == {"aws-access-key-id": 1, "environment-variable": 3, "private-key": 1}
    total = sum(sum(v.values()) for v in record["redactions"].values())
    assert statement_of(package)["predicate"]["package"]["redaction"]["redactions"] == total
    assert b'"LOG_LEVEL":"info"' in contents[lambda_file] and b'"DataClass":"personal"' in b"".join(contents.values())
    report = verify(package, kit.verify_options(re_evaluate=True))
    assert report.valid, "\n".join(report.summary_lines())


def test_environment_maps_and_pairs() -> None:
    text, outcome = redact(
        line(
            {
                "Environment": {
                    "Variables": {"DB_PASSWORD": "p", "REGION": "ap-northeast-2", "X": "k9Zq2Lm8Vb4Xc7Kj3Hg5"}
                }
            }
        )
        + line({"environment": [{"value": "s3cr3t", "name": "SESSION_TOKEN"}, {"name": "MODE", "value": "prod"}]})
    )
    first, second = (json.loads(x) for x in text.splitlines())
    assert first["Environment"]["Variables"] == {
        "DB_PASSWORD": "[REDACTED:environment-variable]",
        "REGION": "ap-northeast-2",
        "X": "[REDACTED:environment-variable]",
    }
    assert second["environment"] == [
        {"value": "[REDACTED:environment-variable]", "name": "SESSION_TOKEN"},
        {"name": "MODE", "value": "prod"},
    ]
    assert outcome.counts == {"environment-variable": 3}
    assert outcome.secrets == {
        "k9Zq2Lm8Vb4Xc7Kj3Hg5": "[REDACTED:environment-variable]",
        "s3cr3t": "[REDACTED:environment-variable]",
    }


def test_tags_only_secret_names_and_api_fields_untouched() -> None:
    record = {
        "tags": {"db_password": "hunter22", "Owner": "crm", "DataClass": "personal"},
        "data": {
            "TagSet": [{"Key": "api-key", "Value": "abc123"}, {"Key": "env", "Value": "prod"}],
            "GetAccountPasswordPolicy": {"PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordLastUsed": "2026"}},
            "SecretArn": "arn:aws:secretsmanager:ap-northeast-2:1:secret:x",
        },
    }
    text, outcome = redact(line(record))
    out = json.loads(text)
    assert out["tags"] == {"db_password": "[REDACTED:secret-tag]", "Owner": "crm", "DataClass": "personal"}
    assert out["data"]["TagSet"][0]["Value"] == "[REDACTED:secret-tag]" and out["data"]["TagSet"][1]["Value"] == "prod"
    assert out["data"]["GetAccountPasswordPolicy"] == record["data"]["GetAccountPasswordPolicy"]  # type: ignore[index]
    assert out["data"]["SecretArn"] == record["data"]["SecretArn"]  # type: ignore[index]
    assert outcome.counts == {"secret-tag": 2}


@pytest.mark.parametrize(
    ("value", "expected", "rule"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED:aws-access-key-id] here", "aws-access-key-id"),
        ("AKIAIOSFODNN7EXAMPLEX", "AKIAIOSFODNN7EXAMPLEX", None),
        ("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----", "[REDACTED:private-key]", "private-key"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEv (truncated", "[REDACTED:private-key]", "private-key"),
        (
            "Server=db;Password=S3cr3t!;Database=x",
            "Server=db;Password=[REDACTED:connection-string-secret];Database=x",
            "connection-string-secret",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc+/==;",
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=[REDACTED:connection-string-secret];",
            "connection-string-secret",
        ),
        ("mysql://app:pw@db:3306/x", "mysql://app:[REDACTED:url-credentials]@db:3306/x", "url-credentials"),
        ("https://example.com/path@v2", "https://example.com/path@v2", None),
        (
            "https://a.blob.core.windows.net/c?sv=1&sig=ab%2Fcd&se=2",
            "https://a.blob.core.windows.net/c?sv=1&sig=[REDACTED:sas-token]&se=2",
            "sas-token",
        ),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [REDACTED:aws-secret-access-key]",
            "aws-secret-access-key",
        ),
    ],
)
def test_value_patterns(value: str, expected: str, rule: str | None) -> None:
    text, outcome = redact(line({"Description": value}))
    assert json.loads(text)["Description"] == expected
    assert outcome.counts == ({rule: 1} if rule else {})


def test_patterns_in_keys_and_embedded_json() -> None:
    policy = json.dumps({"Statement": [{"Condition": {"StringEquals": {"aws:Referer": "ASIAIOSFODNN7EXAMPLE"}}}]})
    text, outcome = redact(line({"AKIAIOSFODNN7EXAMPLE": 1, "Policy": policy, "Name": "x"}))
    out = json.loads(text)
    assert "[REDACTED:aws-access-key-id]" in out and out["Name"] == "x"
    assert json.loads(out["Policy"])["Statement"][0]["Condition"]["StringEquals"]["aws:Referer"] == (
        "[REDACTED:aws-access-key-id]"
    )
    assert out["Policy"].startswith('{"Statement": [{"Condition"')  # the embedded document keeps its layout
    assert outcome.counts == {"aws-access-key-id": 2}


def test_layouts_are_kept_and_unreproducible_text_fails_closed() -> None:
    from clearance.evidence.redactor import RedactionError

    spaced = json.dumps({"tags": {"token": "t"}, "Name": "Tëst", "z": [1, 2]}, ensure_ascii=True)
    quiet = '{"b": 1,  "a":"x"}\n  not json at all  \n'
    text, outcome = redact(quiet + spaced + "\n")
    lines = text.splitlines(keepends=True)
    assert "".join(lines[:2]) == quiet  # no trigger: kept byte for byte, JSON or not
    assert lines[2] == '{"tags": {"token": "[REDACTED:secret-tag]"}, "Name": "T\\u00ebst", "z": [1, 2]}\n'
    assert outcome.counts == {"secret-tag": 1}
    assert redact(text)[0] == text and redact(text)[1].total == 0  # idempotent
    with pytest.raises(RedactionError, match="line 2: a trigger word occurs here, but the text is not JSON"):
        redact('{"a": 1}\n{"tags":{"pass\\u0077ord":"x1"}}\n')  # an escape could hide a trigger: never guess
    with pytest.raises(RedactionError, match="line 1"):
        redact('{"tags":  {"token": "t"}}\n')


def test_known_secrets_scrubbed_from_derived_files() -> None:
    known = {"hunter2-long-secret": "[REDACTED:environment-variable]", "pin1": "[REDACTED:environment-variable]"}
    doc = json.dumps(
        {"observed": [{"value": "pin1"}, {"value": "pin12"}], "reason": "uses hunter2-long-secret"}, indent=1
    )
    text, outcome = redact(doc, known=known, document=True)
    out = json.loads(text)
    assert out["observed"] == [{"value": "[REDACTED:environment-variable]"}, {"value": "pin12"}]
    assert out["reason"] == "uses [REDACTED:environment-variable]"
    assert outcome.counts == {"known-secret": 2}


def test_both_trigger_engines_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    data = "".join(line(r.to_json()) for r in secret_resources()) + line({"quiet": "nothing"}) * 50
    fast = redact(data)[0]
    monkeypatch.setitem(sys.modules, "ahocorasick_rs", None)
    slow = redact(data)[0]
    assert fast == slow and fast != data


def test_looks_random() -> None:
    assert looks_random("Zx9qL2mN8vB4cX7kJ3hG5fD1sA6pO0iU")
    for value in (
        "production",
        "arn:aws:kms:ap-northeast-2:1:key/1234abcd-12ab",
        "a b c d e f g h i j k 1 2 3",
        "x" * 40,
    ):
        assert not looks_random(value)


def test_custom_policy_file(tmp_path: Path) -> None:
    doc: dict[str, Any] = {
        "version": "1",
        "marker": "<removed {rule}>",
        "files": ["evidence/raw/*"],
        "maps": [],
        "patterns": [{"rule": "employee-id", "regex": "EMP-[0-9]{6}", "triggers": ["emp-"]}],
    }
    path = tmp_path / "policy.yaml"
    path.write_text(json.dumps(doc))
    policy = load_policy(path)
    assert policy.applies("evidence/raw/aws/x.jsonl") and not policy.applies("evidence/report/findings.json")
    out = io.BytesIO()
    policy.redactor().copy(io.BytesIO(b'{"a":"EMP-123456 AKIAIOSFODNN7EXAMPLE"}\n'), out, document=False)
    assert out.getvalue() == b'{"a":"<removed employee-id> AKIAIOSFODNN7EXAMPLE"}\n'
    doc["patterns"] = [{"rule": "bad", "regex": "(unclosed"}]
    path.write_text(json.dumps(doc))
    with pytest.raises(InputFileError, match=r"policy.yaml: invalid regular expression '\(unclosed'"):
        load_policy(path)
    doc["marker"] = 5
    path.write_text(json.dumps(doc))
    with pytest.raises(InputFileError, match="marker"):
        load_policy(path)


def test_policy_without_triggers_examines_every_line() -> None:
    policy = Policy({**DEFAULT_POLICY, "patterns": [{"rule": "word", "regex": "banana"}], "maps": []})
    out = io.BytesIO()
    policy.redactor().copy(io.BytesIO(b'{"a":"banana"}\n'), out, document=False)
    assert out.getvalue() == b'{"a":"[REDACTED:word]"}\n'
