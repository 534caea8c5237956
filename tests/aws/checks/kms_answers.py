"""Per-key KMS answers injected at the HTTP layer (botocore's JSON parser still runs).

moto answers every key the same way where AWS does not: it never reports RotationPeriodInDays,
never refuses rotation status for asymmetric or imported keys, and lists no AWS-managed keys.
These helpers give one key AWS's real answer and leave every other key to moto.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3

from ..fakes import error_body, intercept

_JSON = {"content-type": "application/x-amz-json-1.1"}


def _key_of(request: Any) -> str:
    raw = request.body or b"{}"
    return str(json.loads(raw.decode() if isinstance(raw, bytes) else raw).get("KeyId", ""))


@contextmanager
def _per_key(operation: str, answer: Callable[[str], tuple[int, bytes, dict[str, str]] | None]) -> Iterator[list[Any]]:
    with intercept("kms", operation, lambda request: answer(_key_of(request))) as seen:
        yield seen


@contextmanager
def answer_for_keys(operation: str, payloads: Mapping[str, dict[str, Any]]) -> Iterator[list[Any]]:
    """``operation`` on a key id in ``payloads`` answers 200 with that JSON payload."""

    def answer(key_id: str) -> tuple[int, bytes, dict[str, str]] | None:
        payload = payloads.get(key_id)
        return None if payload is None else (200, json.dumps(payload).encode(), _JSON)

    with _per_key(operation, answer) as seen:
        yield seen


@contextmanager
def refuse_for_keys(operation: str, code: str, key_ids: set[str], status: int = 400) -> Iterator[list[Any]]:
    """``operation`` on one of ``key_ids`` answers with AWS's error ``code``."""
    body, headers = error_body("kms", code, f"{operation} is not supported for this KMS key")

    def answer(key_id: str) -> tuple[int, bytes, dict[str, str]] | None:
        return (status, body, headers) if key_id in key_ids else None

    with _per_key(operation, answer) as seen:
        yield seen


def aws_managed(key_id: str) -> dict[str, Any]:
    """DescribeKey of ``key_id`` as AWS answers it for an AWS-managed key (KeyManager AWS)."""
    meta = boto3.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
    meta["KeyManager"] = "AWS"
    meta["CreationDate"] = meta["CreationDate"].timestamp()
    meta["Description"] = "Default key that protects my S3 objects when no other key is defined"
    return {"KeyMetadata": meta}
