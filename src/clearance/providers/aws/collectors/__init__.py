"""AWS collectors, one module per service. Imported lazily; none imports boto3 at import time."""

from __future__ import annotations

from importlib import import_module

from .base import AwsCollector

MODULES = (
    "account",
    "iam",
    "organizations",
    "s3",
    "kms",
    "ec2",
    "elbv2",
    "rds",
    "dynamodb",
    "lambda_",
    "secretsmanager",
    "cloudtrail",
    "logs",
    "bedrock",
)


def all_collectors() -> list[AwsCollector]:
    out: list[AwsCollector] = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        out.extend(cls() for cls in module.COLLECTORS)
    return out
