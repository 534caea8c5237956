"""Predicates on profile parameters, for checks that apply only under a profile's policy choice
(e.g. "zero data retention required")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...profile import ContextRange
from ..conditions import EvalContext, Outcome, UnknownKind, false, resolve_expected, true, unknown
from . import predicate


@predicate("profile_flag", parameter="param")
def profile_flag(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the boolean profile parameter ``parameter`` is true for the resource, FALSE when false.

    A value that depends on an undeclared data class (and differs between the two) is UNKNOWN
    (needs context); a value that is not a boolean is UNKNOWN too, never taken as false.
    """
    param = args["parameter"]
    value = resolve_expected(ctx, param)
    if isinstance(value, ContextRange):
        if value.base != value.elevated:
            return unknown(value.reason, UnknownKind.CONTEXT)
        value = value.base
    ctx.observe(f"@profile.{param.name}", value, True, "profile_flag", None)
    if not isinstance(value, bool):
        return unknown(f"profile parameter {param.name} is {value!r}, not true or false", UnknownKind.CONTEXT)
    return true(f"profile sets {param.name}") if value else false(f"profile does not set {param.name}")
