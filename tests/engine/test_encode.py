"""Findings are assembled from encoded parts; the bytes must be those of ``dumps`` on the finding dict."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from clearance.engine.conditions import EvalContext, Located
from clearance.engine.encode import FindingTemplate, encode, encode_observations
from clearance.engine.runner import _sentence, evaluate_check, judge, resource_block
from clearance.inventory import dumps
from clearance.model import CollectionError, Verdict
from clearance.profile import load_profile

from .helpers import make_check, record

_NOTHING: dict[str, Located] = {}
"""No related resources."""

VALUES: list[Any] = [
    "plain",
    "한글 and emoji 🙂",
    'quote " backslash \\ newline \n tab \t nul \x00 del \x7f sep \u2028',
    "",
    None,
    True,
    False,
    0,
    -17,
    2**70,
    1.5,
    1e-7,
    1e22,
    -0.0,
    float("inf"),
    [],
    {},
    [1, "a", None, [True, {"z": 1, "a": 2}]],
    {"b": 1, "a": {"d": [], "c": "x"}, "A": None},
    dt.date(2026, 11, 25),
    dt.datetime(2026, 11, 25, 1, 2, 3),
    {"when": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "raw": b"\x00\xff"},
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_encode_is_dumps(value: Any) -> None:
    assert encode(value) == dumps(value)


def test_observations_encode_as_their_json() -> None:
    target = Located(record({"Op": {"A": 1}}), "raw/aws/한/x.jsonl", 3)
    other = Located(record(id="arn:other"), "raw/aws/y.jsonl", 9)
    ctx = EvalContext(target, load_profile(), _NOTHING.get)
    for value in VALUES:
        ctx.observe("Op.A", value, value, "eq", "/data/Op/A")
    ctx.observe("@data_class.regulated", ["personal-credit"], "regulated", "data_class", None)
    ctx.current = other
    ctx.observe("Op.B", "x" * 600, {"in": ["a", "b"]}, "in", "/data/Op/B/~1")  # clipped, read through a link
    ctx.observe("Op.B", "y", {"in": ["a", "b"]}, "in", "/data/Op/B/~1")
    assert encode_observations(ctx.observed) == dumps([o.to_json() for o in ctx.observations])
    assert ctx.observations[-2].value.endswith("... (600 chars)") and ctx.observations[-1].resource_id == "arn:other"


ERROR = CollectionError("Op", "AccessDenied", "denied 한", "svc:Op", denied=True)


@pytest.mark.parametrize(
    ("condition", "data", "errors"),
    [
        ({"path": "Op.A", "in": [1, 2], "describe": "first"}, {"Op": {"A": 3}}, {}),
        ({"path": "Op.A", "gte": {"param": "access_log_retention_days"}}, {"Op": {"A": 400}}, {}),
        ({"path": "Op.A", "eq": 1}, {}, {"Op": ERROR.to_json()}),
        ({"each": "Op.L", "require": "any", "where": {"path": "K", "eq": "v"}}, {"Op": {"L": [{"K": "w"}]}}, {}),
    ],
)
def test_finding_line_is_dumps_of_the_finding(
    condition: dict[str, Any], data: dict[str, Any], errors: dict[str, Any]
) -> None:
    check = make_check(condition=condition)
    rec = record(data, errors=errors, tags={"env": "프로덕션", "data-class": "public"})
    target = Located(rec, "raw/aws/x.jsonl", 5)
    expected = dumps(evaluate_check(check, target, EvalContext(target, load_profile(), _NOTHING.get)))
    ctx = EvalContext(target, load_profile(), _NOTHING.get)
    verdict, reason, error = judge(check, ctx)
    template = FindingTemplate(check.id, check.controls, check.severity.value, check.title["en"])
    line = template.line(verdict, reason, error, ctx.observed, encode(resource_block(rec)), ",\n")
    assert line == expected + ",\n"
    assert json.loads(expected)["verdict"] in {v.value for v in Verdict}


@pytest.mark.parametrize(
    "text",
    ["plain reason", "two  spaces", " edge ", "tab\there", "nbsp\xa0here", "line\u2028sep", "x" * 700, "", "한국 어"],
)
def test_reasons_are_one_line_with_single_spaces(text: str) -> None:
    words = " ".join(text.split())
    words = words[:597] + "..." if len(words) > 600 else words
    assert _sentence(text) == (words[:1].upper() + words[1:])
