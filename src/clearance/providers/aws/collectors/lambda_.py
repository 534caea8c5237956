"""AWS Lambda functions (regional): configuration, function URL, resource policy and tags.

ListFunctions carries most of a function's configuration (role, ``KMSKeyArn``, VPC, runtime,
environment). Environment variable VALUES are replaced with ``"<redacted>"`` before anything
is stored: they often hold passwords, tokens and connection strings, and the inventory ends up
in evidence packages. The variable NAMES are kept, because whether a function has environment
variables decides whether their encryption key matters. This is a deliberate, documented
departure from "raw as received" (the evidence package's own redaction policy comes on top).

GetFunctionUrlConfig and GetPolicy are read for the unqualified function; "no URL" and "no
policy" (ResourceNotFoundException) are recorded as not configured. A function links to its
execution ``role``, its ``kms_key``, its ``vpc``, ``subnets`` and ``security_groups``.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit
from .base import AwsCollector

FUNCTION = "aws.lambda.function"
REDACTED = "<redacted>"
NOT_FOUND = ("ResourceNotFoundException",)


def redact_environment(item: dict[str, Any]) -> dict[str, Any]:
    """The ListFunctions item with every environment variable value replaced by ``<redacted>``."""
    environment = item.get("Environment")
    if not isinstance(environment, dict) or not isinstance(environment.get("Variables"), dict):
        return item
    variables = dict.fromkeys(environment["Variables"], REDACTED)
    return {**item, "Environment": {**environment, "Variables": variables}}


class LambdaCollector(AwsCollector):
    service = "lambda"
    resource_types = (
        ResourceType(
            FUNCTION,
            "lambda",
            "ListFunctions",
            "Lambda function (environment variable values redacted) with its URL, policy and tags",
        ),
    )
    operations = (
        Operation("lambda", "ListFunctions", "lambda:ListFunctions"),
        Operation("lambda", "ListTags", "lambda:ListTags"),
        Operation("lambda", "GetFunctionUrlConfig", "lambda:GetFunctionUrlConfig", NOT_FOUND),
        Operation("lambda", "GetPolicy", "lambda:GetPolicy", NOT_FOUND),
    )

    def collect(self, unit: AwsUnit) -> None:
        functions = unit.list_all(FUNCTION, "lambda", "ListFunctions", "Functions")
        if functions is not None:
            unit.parallel(lambda item: self._function(unit, redact_environment(item)), functions)

    def _function(self, unit: AwsUnit, item: dict[str, Any]) -> None:
        arn = str(item["FunctionArn"])
        builder = unit.builder(FUNCTION, arn, str(item.get("FunctionName") or arn))
        builder.data["ListFunctions"] = item
        builder.link("role", item.get("Role"))
        builder.link("kms_key", item.get("KMSKeyArn"))
        vpc = item.get("VpcConfig") or {}
        builder.link("vpc", unit.arn("ec2", f"vpc/{vpc['VpcId']}") if vpc.get("VpcId") else None)
        builder.link("subnets", *(unit.arn("ec2", f"subnet/{s}") for s in vpc.get("SubnetIds") or []))
        builder.link(
            "security_groups", *(unit.arn("ec2", f"security-group/{g}") for g in vpc.get("SecurityGroupIds") or [])
        )
        tags = builder.attach(unit.fetch("lambda", "ListTags", Resource=arn))
        if isinstance(tags.value, dict):
            builder.tags = {str(k): str(v) for k, v in (tags.value.get("Tags") or {}).items()}
        builder.attach(unit.fetch("lambda", "GetFunctionUrlConfig", FunctionName=arn))
        builder.attach(unit.fetch("lambda", "GetPolicy", FunctionName=arn))
        unit.emit(builder)


COLLECTORS = (LambdaCollector,)
