"""Lambda collector on moto: redacted environment, links, not-configured answers, denied calls."""

from __future__ import annotations

from typing import Any

import boto3

from clearance.providers.aws.collectors.lambda_ import LambdaCollector

from ..checks.lambda_setup import function
from ..fakes import deny
from .test_ec2_collector import records

NOT_PUBLIC = "aws-lambda-function-not-public"
PLANTED = "pl4nted-db-passw0rd-7f3a9c"


def test_environment_values_never_reach_the_scan_output(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    env = {"Variables": {"DB_PASSWORD": PLANTED, "DB_HOST": "ledger.internal"}}
    arn = function("payments", Environment=env, KMSKeyArn=key, Tags={"workload": "payments"})
    out = scan(checks=["aws-lambda-function-env-cmk-encryption", NOT_PUBLIC], services=("lambda", "kms")).out
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and not [p for p in files if PLANTED.encode() in p.read_bytes()]
    rec = records(out)[arn]
    assert rec["data"]["ListFunctions"]["Environment"]["Variables"] == {
        "DB_PASSWORD": "<redacted>",
        "DB_HOST": "<redacted>",
    }
    assert rec["tags"] == {"workload": "payments"}
    assert rec["links"]["kms_key"] == [key]
    assert rec["links"]["role"] == [rec["data"]["ListFunctions"]["Role"]]
    assert rec["absent"] == {
        "GetFunctionUrlConfig": "ResourceNotFoundException",
        "GetPolicy": "ResourceNotFoundException",
    }


def test_denied_policy_read_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    function("payments")
    with deny("lambda", "GetPolicy"):
        finding = scan(checks=[NOT_PUBLIC], services=("lambda",)).finding(NOT_PUBLIC, "payments")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "lambda:GetPolicy"


def test_denied_function_listing_leaves_the_checks_not_evaluated(aws: Any, scan: Any) -> None:
    function("payments")
    with deny("lambda", "ListFunctions"):
        result = scan(checks=[NOT_PUBLIC], services=("lambda",))
    assert result.findings == []
    [entry] = result.coverage
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "lambda:ListFunctions"


def test_declared_operations_are_the_exact_read_only_lambda_actions() -> None:
    assert {(op.name, op.permission) for op in LambdaCollector.operations} == {
        ("ListFunctions", "lambda:ListFunctions"),
        ("ListTags", "lambda:ListTags"),
        ("GetFunctionUrlConfig", "lambda:GetFunctionUrlConfig"),
        ("GetPolicy", "lambda:GetPolicy"),
    }
