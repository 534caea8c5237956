"""Build compiled conditions and checks from Python dicts, and evaluate them on synthetic records."""

from __future__ import annotations

from typing import Any

import yaml

from clearance.engine.checks import Check, compile_check, load_controls
from clearance.engine.conditions import Compiler, EvalContext, Located, Outcome
from clearance.engine.paths import MISSING
from clearance.engine.predicates import registry
from clearance.engine.runner import evaluate_check
from clearance.profile import Profile, load_profile
from clearance.yamlfile import parse_yaml


def record(data: dict[str, Any] | None = None, **envelope: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "provider": "aws",
        "account": "123456789012",
        "region": "ap-northeast-2",
        "service": "test",
        "type": "aws.s3.bucket",
        "id": "arn:aws:s3:::thing",
        "name": "thing",
        "tags": {},
        "links": {},
        "absent": {},
        "errors": {},
        "dependency": False,
        "data": data or {},
    }
    rec.update(envelope)
    return rec


def located(rec: dict[str, Any], line: int = 1) -> Located:
    return Located(rec, "raw/aws/x.jsonl", line)


def evaluate(
    condition: dict[str, Any], rec: dict[str, Any], *, others: list[dict[str, Any]] = (), profile: Profile | None = None
) -> tuple[Outcome, EvalContext]:
    prof = profile or load_profile()
    node = Compiler(registry(), frozenset(prof.parameters)).compile(condition, "condition")
    index = {r["id"]: located(r, i + 2) for i, r in enumerate(others)}
    target = located(rec)
    ctx = EvalContext(target, prof, index.get)
    return node(ctx, MISSING, ""), ctx


BASE_CHECK: dict[str, Any] = {
    "id": "aws-s3-test-check",
    "provider": "aws",
    "resource_type": "aws.s3.bucket",
    "title": {"en": "Test", "ko": "테스트"},
    "severity": "high",
    "controls": ["ENC-01"],
    "rationale": {"en": "r", "ko": "r"},
    "remediation": {"en": "m", "ko": "m"},
}


def make_check(**fields: Any) -> Check:
    doc = {**BASE_CHECK, **fields}
    loaded = parse_yaml(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "checks/aws/s3/aws-s3-test-check.yaml"
    )
    return compile_check(
        loaded,
        "aws/s3/aws-s3-test-check.yaml",
        controls=load_controls(),
        resource_types=None,
        profile_params=frozenset(load_profile().parameters),
    )


def run_check(check: Check, rec: dict[str, Any], others: list[dict[str, Any]] = ()) -> dict[str, Any]:
    prof = load_profile()
    index = {r["id"]: located(r, i + 2) for i, r in enumerate(others)}
    target = located(rec)
    return evaluate_check(check, target, EvalContext(target, prof, index.get))
