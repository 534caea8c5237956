"""Lambda checks (ENC-01 environment encryption, ISO-03 public invocation) on moto."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import ACCOUNT
from .lambda_setup import function

ENV_CMK = "aws-lambda-function-env-cmk-encryption"
NOT_PUBLIC = "aws-lambda-function-not-public"


def test_environment_variables_need_a_customer_managed_key(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    env = {"Variables": {"DB_HOST": "ledger.internal"}}
    function("with-cmk", Environment=env, KMSKeyArn=key)
    function("service-key", Environment=env)
    function("no-env")
    result = scan(checks=[ENV_CMK], services=("lambda", "kms"))
    assert result.verdicts(ENV_CMK) == {"with-cmk": "PASS", "service-key": "FAIL", "no-env": "NOT_APPLICABLE"}
    assert "aws/lambda" in result.finding(ENV_CMK, "service-key")["reason"]


def test_public_url_or_open_resource_policy_fails(aws: Any, scan: Any) -> None:
    lam = boto3.client("lambda")
    function("iam-url")
    lam.create_function_url_config(FunctionName="iam-url", AuthType="AWS_IAM")
    function("s3-triggered")
    lam.add_permission(
        FunctionName="s3-triggered",
        StatementId="from-bucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::ledger-uploads",
        SourceAccount=ACCOUNT,
    )
    function("open-url")
    lam.create_function_url_config(FunctionName="open-url", AuthType="NONE")
    function("anyone")
    lam.add_permission(FunctionName="anyone", StatementId="all", Action="lambda:InvokeFunction", Principal="*")
    function("plain")
    result = scan(checks=[NOT_PUBLIC], services=("lambda",))
    assert result.verdicts(NOT_PUBLIC) == {
        "iam-url": "PASS",
        "s3-triggered": "PASS",
        "open-url": "FAIL",
        "anyone": "FAIL",
        "plain": "PASS",
    }
    assert "any principal" in result.finding(NOT_PUBLIC, "anyone")["reason"]
    assert "ResourceNotFoundException (not configured)" in result.finding(NOT_PUBLIC, "plain")["reason"]
