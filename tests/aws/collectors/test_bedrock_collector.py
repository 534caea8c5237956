"""The Bedrock collector on moto: region settings with their links, guardrails, custom models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from ..checks.bedrock_answers import guardrail, guardrail_arn, guardrails
from ..conftest import ACCOUNT, REGION

GUARDRAIL_CMK = "aws-bedrock-guardrail-cmk"


def records(out: Path, rtype: str) -> list[dict[str, Any]]:
    path = out / "raw" / "aws" / ACCOUNT / REGION / "bedrock" / f"{rtype}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_region_settings_link_the_log_destinations_and_record_what_moto_lacks(aws: Any, scan: Any) -> None:
    boto3.client("bedrock").put_model_invocation_logging_configuration(
        loggingConfig={
            "textDataDeliveryEnabled": True,
            "s3Config": {"bucketName": "invocation-logs"},
            "cloudWatchConfig": {
                "logGroupName": "bedrock/invocations",
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/bedrock-logs",
                "largeDataDeliveryS3Config": {"bucketName": "invocation-large"},
            },
        }
    )
    result = scan(checks=[GUARDRAIL_CMK], services=("bedrock",))
    [settings] = records(result.out, "aws.bedrock.region-settings")
    assert settings["id"] == f"arn:aws:bedrock:{REGION}:{ACCOUNT}:region-settings" and settings["name"] == REGION
    assert settings["links"] == {
        "log_bucket": ["arn:aws:s3:::invocation-logs", "arn:aws:s3:::invocation-large"],
        "log_group": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:bedrock/invocations"],
    }
    assert settings["data"]["GetModelInvocationLoggingConfiguration"]["loggingConfig"]["textDataDeliveryEnabled"]
    # moto has neither guardrails nor data retention: recorded as errors, so checks say ERROR
    assert {op: e["code"] for op, e in settings["errors"].items()} == {
        "GetAccountDataRetention": "NotImplemented",
        "ListGuardrails": "NotImplemented",
    }
    [entry] = [c for c in result.coverage if c["check_id"] == GUARDRAIL_CMK]
    assert entry["status"] == "not_evaluated"


def test_guardrails_are_listed_on_the_region_and_collected_with_their_key(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    with guardrails({"strict": guardrail("strict", kmsKeyArn=key), "basic": guardrail("basic")}):
        out = scan(checks=[GUARDRAIL_CMK], services=("bedrock",)).out
    [settings] = records(out, "aws.bedrock.region-settings")
    assert settings["links"]["guardrails"] == [guardrail_arn("strict"), guardrail_arn("basic")]
    found = {r["name"]: r for r in records(out, "aws.bedrock.guardrail")}
    assert found["strict"]["links"] == {"kms_key": [key]} and found["basic"]["links"] == {"kms_key": []}
    assert found["strict"]["data"]["GetGuardrail"]["contentPolicy"]["filters"][1]["type"] == "PROMPT_ATTACK"
    assert found["strict"]["data"]["ListGuardrails"]["id"] == "strict"


def test_custom_models_are_collected_with_get_custom_model(aws: Any, scan: Any) -> None:
    boto3.client("bedrock").create_model_customization_job(
        jobName="tune",
        customModelName="tuned",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/bedrock-tuning",
        baseModelIdentifier="anthropic.claude-3-haiku-20240307-v1:0",
        trainingDataConfig={"s3Uri": "s3://tuning-data/train.jsonl"},
        outputDataConfig={"s3Uri": "s3://tuning-data/output/"},
        hyperParameters={"epochCount": "1"},
        customModelTags=[{"key": "workload", "value": "advisor"}],
    )
    [model] = records(scan(checks=[GUARDRAIL_CMK], services=("bedrock",)).out, "aws.bedrock.custom-model")
    assert model["id"] == f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/tuned"
    assert model["data"]["GetCustomModel"]["jobName"] == "tune"
    assert model["tags"] == {"workload": "advisor"}
