"""Bedrock checks (AI-02 logging, AI-03 keys, AI-04 guardrails, AI-05 retention) on moto.

moto implements invocation logging and custom models; guardrails and the data-retention mode
are answered at the HTTP layer (bedrock_answers, fakes.respond_json). Where nothing answers,
moto raises NotImplementedError in-process and the checks must say ERROR, never PASS.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3

from ..conftest import ACCOUNT, REGION
from ..fakes import deny, respond_json
from .bedrock_answers import custom_model_keys, guardrail, guardrails
from .trail_setup import bucket

LOGGING = "aws-bedrock-invocation-logging"
LOG_CMK = "aws-bedrock-invocation-log-cmk"
GUARDRAILS = "aws-bedrock-guardrails-configured"
GUARDRAIL_CMK = "aws-bedrock-guardrail-cmk"
MODEL_CMK = "aws-bedrock-custom-model-cmk"
RETENTION = "aws-bedrock-zero-data-retention"
SETTINGS = REGION  # the region-settings record is named after its region


def text_logging_to(bucket: str | None = None, group: str | None = None, text: bool = True) -> None:
    config: dict[str, Any] = {"textDataDeliveryEnabled": text}
    if bucket:
        config["s3Config"] = {"bucketName": bucket}
    if group:
        config["cloudWatchConfig"] = {"logGroupName": group, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/bedrock-logs"}
    boto3.client("bedrock").put_model_invocation_logging_configuration(loggingConfig=config)


def cmk() -> str:
    return str(boto3.client("kms").create_key()["KeyMetadata"]["Arn"])


# -- AI-02 invocation logging -------------------------------------------------------------------------


def test_invocation_logging_off_or_without_text_fails_text_to_s3_passes(aws: Any, scan: Any) -> None:
    assert scan(checks=[LOGGING], services=("bedrock",)).verdicts(LOGGING) == {SETTINGS: "FAIL"}
    text_logging_to(bucket="invocation-logs", text=False)
    assert scan(checks=[LOGGING], services=("bedrock",)).verdicts(LOGGING) == {SETTINGS: "FAIL"}
    text_logging_to(bucket="invocation-logs")
    assert scan(checks=[LOGGING], services=("bedrock",)).verdicts(LOGGING) == {SETTINGS: "PASS"}


def test_denied_logging_configuration_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    with deny("bedrock", "GetModelInvocationLoggingConfiguration"):
        result = scan(checks=[LOGGING, LOG_CMK], services=("bedrock",))
    for check in (LOGGING, LOG_CMK):
        finding = result.finding(check, SETTINGS)
        assert finding["verdict"] == "ERROR"
        assert finding["error"]["permission"] == "bedrock:GetModelInvocationLoggingConfiguration"


# -- AI-03 customer-managed keys ------------------------------------------------------------------------


def test_invocation_log_destinations_encrypted_with_customer_keys(aws: Any, scan: Any) -> None:
    services = ("bedrock", "s3", "kms", "logs")
    assert scan(checks=[LOG_CMK], services=services).verdicts(LOG_CMK) == {SETTINGS: "NOT_APPLICABLE"}

    s3 = boto3.client("s3")
    bucket("invocation-logs")
    boto3.client("logs").create_log_group(logGroupName="bedrock/invocations", kmsKeyId=cmk())
    text_logging_to(bucket="invocation-logs", group="bedrock/invocations")
    sse_s3: Any = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    s3.put_bucket_encryption(Bucket="invocation-logs", ServerSideEncryptionConfiguration=sse_s3)
    failed = scan(checks=[LOG_CMK], services=services)
    assert failed.verdicts(LOG_CMK) == {SETTINGS: "FAIL"}
    assert "AES256" in failed.finding(LOG_CMK, SETTINGS)["reason"]

    rule = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": cmk()}
    sse_kms: Any = {"Rules": [{"ApplyServerSideEncryptionByDefault": rule}]}
    s3.put_bucket_encryption(Bucket="invocation-logs", ServerSideEncryptionConfiguration=sse_kms)
    assert scan(checks=[LOG_CMK], services=services).verdicts(LOG_CMK) == {SETTINGS: "PASS"}


def test_custom_model_with_a_customer_key_passes_without_fails(aws: Any, scan: Any) -> None:
    bedrock = boto3.client("bedrock")
    keys = {"tuned-with-cmk": cmk(), "tuned-default-key": None}
    for name, key in keys.items():
        bedrock.create_model_customization_job(
            jobName=f"{name}-job",
            customModelName=name,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/bedrock-tuning",
            baseModelIdentifier="anthropic.claude-3-haiku-20240307-v1:0",
            trainingDataConfig={"s3Uri": "s3://tuning-data/train.jsonl"},
            outputDataConfig={"s3Uri": "s3://tuning-data/output/"},
            hyperParameters={"epochCount": "1"},
            **({"customModelKmsKeyId": key} if key else {}),
        )
    with custom_model_keys(keys):
        result = scan(checks=[MODEL_CMK], services=("bedrock", "kms"))
    assert result.verdicts(MODEL_CMK) == {"tuned-with-cmk": "PASS", "tuned-default-key": "FAIL"}


# -- AI-04 guardrails (and AI-03 guardrail keys) ----------------------------------------------------------


def test_guardrail_with_prompt_attack_and_pii_filters_passes_and_has_a_customer_key(aws: Any, scan: Any) -> None:
    answers = {
        "strict": guardrail("strict", kmsKeyArn=cmk()),
        "toxicity-only": guardrail("toxicity-only", prompt_attack=None),
    }
    with guardrails(answers):
        result = scan(checks=[GUARDRAILS, GUARDRAIL_CMK], services=("bedrock", "kms"))
    assert result.verdicts(GUARDRAILS) == {SETTINGS: "PASS"}
    assert result.verdicts(GUARDRAIL_CMK) == {"strict": "PASS", "toxicity-only": "FAIL"}


def test_guardrails_without_both_filters_or_none_at_all_fail(aws: Any, scan: Any) -> None:
    weak = {
        "no-prompt-attack": guardrail("no-prompt-attack", prompt_attack=None),
        "pii-detect-only": guardrail("pii-detect-only", pii="NONE"),
        "attack-filter-off": guardrail("attack-filter-off", prompt_attack="NONE"),
    }
    with guardrails(weak):
        assert scan(checks=[GUARDRAILS], services=("bedrock",)).verdicts(GUARDRAILS) == {SETTINGS: "FAIL"}
    with guardrails({}):
        empty = scan(checks=[GUARDRAILS], services=("bedrock",))
    assert empty.verdicts(GUARDRAILS) == {SETTINGS: "FAIL"}
    assert "no related guardrails" in empty.finding(GUARDRAILS, SETTINGS)["reason"]


def test_guardrails_moto_cannot_list_are_error_never_pass(aws: Any, scan: Any) -> None:
    result = scan(checks=[GUARDRAILS], services=("bedrock",))
    finding = result.finding(GUARDRAILS, SETTINGS)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["code"] == "NotImplemented"


# -- AI-05 zero data retention ----------------------------------------------------------------------------


def test_zero_retention_mode_none_passes_inherit_fails_unanswered_is_error(aws: Any, scan: Any) -> None:
    with respond_json("bedrock", "GetAccountDataRetention", {"mode": "none", "updatedAt": "2026-05-01T00:00:00Z"}):
        assert scan(checks=[RETENTION], services=("bedrock",)).verdicts(RETENTION) == {SETTINGS: "PASS"}
    with respond_json("bedrock", "GetAccountDataRetention", {"mode": "inherit"}):
        inherit = scan(checks=[RETENTION], services=("bedrock",))
    assert inherit.verdicts(RETENTION) == {SETTINGS: "FAIL"}
    assert "inherit" in inherit.finding(RETENTION, SETTINGS)["reason"]
    unanswered = scan(checks=[RETENTION], services=("bedrock",)).finding(RETENTION, SETTINGS)
    assert unanswered["verdict"] == "ERROR" and unanswered["error"]["code"] == "NotImplemented"
    with deny("bedrock", "GetAccountDataRetention"):
        denied = scan(checks=[RETENTION], services=("bedrock",)).finding(RETENTION, SETTINGS)
    assert denied["error"]["permission"] == "bedrock:GetAccountDataRetention"


def test_zero_retention_not_required_by_the_profile_is_not_applicable(aws: Any, scan: Any) -> None:
    from clearance.profile import load_profile

    profile = load_profile(None)
    params = dict(profile.parameters)
    params["ai_zero_retention_required"] = {**params["ai_zero_retention_required"], "value": False}
    with respond_json("bedrock", "GetAccountDataRetention", {"mode": "default"}):
        result = scan(checks=[RETENTION], services=("bedrock",), profile=replace(profile, parameters=params))
    assert result.verdicts(RETENTION) == {SETTINGS: "NOT_APPLICABLE"}
