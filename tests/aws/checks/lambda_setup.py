"""Lambda functions on moto for the check and collector tests (moto creates them without docker)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def execution_role(name: str = "function-role") -> str:
    iam = boto3.client("iam")
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"])


def function(name: str, **params: Any) -> str:
    """A Python function named ``name``; returns its ARN."""
    created = boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=execution_role(),
        Handler="handler.handler",
        Code={"ZipFile": _code()},
        **params,
    )
    return str(created["FunctionArn"])
