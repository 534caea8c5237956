"""Bedrock answers injected at the HTTP layer: guardrails (moto implements no guardrail API) and
custom-model keys (moto reports an invented modelKmsKeyArn for every custom model).

botocore's rest-json parser still reads these bodies, so field names and types are checked
against the real service model exactly as for an AWS answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import unquote, urlparse

from ..conftest import ACCOUNT, REGION
from ..fakes import intercept, respond_json

_JSON = {"content-type": "application/json"}


def guardrail_arn(guardrail_id: str) -> str:
    return f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/{guardrail_id}"


def guardrail(
    guardrail_id: str, *, prompt_attack: str | None = "HIGH", pii: str | None = "ANONYMIZE", **extra: Any
) -> dict[str, Any]:
    """GetGuardrail's answer for a READY draft with an optional prompt-attack filter and PII policy."""
    filters = [{"type": "VIOLENCE", "inputStrength": "HIGH", "outputStrength": "HIGH"}]
    if prompt_attack:
        filters.append({"type": "PROMPT_ATTACK", "inputStrength": prompt_attack, "outputStrength": "NONE"})
    answer: dict[str, Any] = {
        "name": guardrail_id,
        "guardrailId": guardrail_id,
        "guardrailArn": guardrail_arn(guardrail_id),
        "version": "DRAFT",
        "status": "READY",
        "contentPolicy": {"filters": filters},
        "createdAt": "2026-03-02T09:00:00Z",
        "updatedAt": "2026-03-02T09:00:00Z",
        "blockedInputMessaging": "Blocked.",
        "blockedOutputsMessaging": "Blocked.",
        **extra,
    }
    if pii:
        answer["sensitiveInformationPolicy"] = {"piiEntities": [{"type": "PHONE", "action": pii}], "regexes": []}
    return answer


@contextmanager
def guardrails(answers: Mapping[str, dict[str, Any]]) -> Iterator[None]:
    """ListGuardrails lists ``answers`` (id -> GetGuardrail answer); GetGuardrail answers per id."""
    listing = {
        "guardrails": [
            {
                "id": gid,
                "arn": guardrail_arn(gid),
                "status": a["status"],
                "name": a["name"],
                "version": "DRAFT",
                "createdAt": a["createdAt"],
                "updatedAt": a["updatedAt"],
            }
            for gid, a in answers.items()
        ]
    }

    def detail(request: Any) -> tuple[int, bytes, dict[str, str]] | None:
        gid = urlparse(request.url).path.rsplit("/", 1)[-1]
        return (200, json.dumps(answers[gid]).encode(), _JSON) if gid in answers else None

    def no_tags(_request: Any) -> tuple[int, bytes, dict[str, str]]:
        return 200, b'{"tags": []}', _JSON

    with ExitStack() as stack:
        stack.enter_context(respond_json("bedrock", "ListGuardrails", listing))
        stack.enter_context(intercept("bedrock", "GetGuardrail", detail))
        stack.enter_context(intercept("bedrock", "ListTagsForResource", no_tags))
        yield


@contextmanager
def custom_model_keys(keys: Mapping[str, str | None]) -> Iterator[None]:
    """GetCustomModel of model name -> its KMS key ARN (``None``: AWS-owned key, no modelKmsKeyArn)."""

    def detail(request: Any) -> tuple[int, bytes, dict[str, str]] | None:
        name = unquote(urlparse(request.url).path).rsplit("/", 1)[-1]
        if name not in keys:
            return None
        answer: dict[str, Any] = {
            "modelArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/{name}",
            "modelName": name,
            "jobArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-customization-job/{name}-job",
            "baseModelArn": f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "customizationType": "FINE_TUNING",
            "creationTime": "2026-03-02T09:00:00Z",
            "modelStatus": "Active",
            "trainingDataConfig": {"s3Uri": "s3://tuning-data/train.jsonl"},
            "outputDataConfig": {"s3Uri": "s3://tuning-data/output/"},
        }
        if keys[name]:
            answer["modelKmsKeyArn"] = keys[name]
        return 200, json.dumps(answer).encode(), _JSON

    with intercept("bedrock", "GetCustomModel", detail):
        yield
