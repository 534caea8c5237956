"""The read-only guarantee: only declared read operations can be called, and a mutating call
raises before anything is sent."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest

from clearance.errors import ReadOnlyViolation
from clearance.providers.aws import AwsProvider

READ_PREFIXES = ("Get", "List", "Describe", "Lookup", "Search", "BatchGet")
# botocore's service name -> IAM action prefix, where the two differ.
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "s3control": "s3", "cloudwatch": "cloudwatch"}


def test_a_mutating_call_raises_before_it_is_sent(aws: Any) -> None:
    guard = AwsProvider().guard()
    client = boto3.client("s3", region_name="us-east-1")
    guard.install(client, "s3")
    with pytest.raises(ReadOnlyViolation, match="CreateBucket"):
        client.create_bucket(Bucket="should-not-exist")
    assert boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"] == []


def test_declared_reads_pass_the_guard(aws: Any) -> None:
    guard = AwsProvider().guard()
    client = boto3.client("s3", region_name="us-east-1")
    guard.install(client, "s3")
    assert client.list_buckets()["Buckets"] == []


def test_every_allowed_operation_exists_is_a_read_and_names_its_iam_action() -> None:
    session = botocore.session.get_session()
    for op in AwsProvider().operations():
        model = session.get_service_model(op.service)
        assert op.name in model.operation_names, f"{op.service}:{op.name} is not an operation of the SDK model"
        if not op.name.startswith(READ_PREFIXES):
            assert op.non_read_reason, f"{op.service}:{op.name} is not a read verb and gives no reason"
        prefix = IAM_PREFIX.get(op.service, model.signing_name or model.endpoint_prefix)
        assert op.permission.startswith(f"{prefix}:"), f"{op.permission} does not belong to {op.service}"


def test_permissions_policy_is_exactly_the_declared_actions() -> None:
    from clearance.providers.aws.permissions import iam_policy

    ops = AwsProvider().operations()
    policy = iam_policy(ops)
    assert policy["Statement"][0]["Action"] == sorted({o.permission for o in ops})
    assert all(not a.endswith("*") for a in policy["Statement"][0]["Action"])
