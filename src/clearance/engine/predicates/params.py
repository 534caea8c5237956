"""Provider-neutral predicates on a resource's declared context: profile choices (e.g. "zero data
retention required") and declared tags (e.g. a subnet's network tier)."""

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


@predicate("tag_in", key="str", values="list")
def tag_in(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the resource's tag KEY has one of VALUES (case-insensitive), FALSE for another value.

    An absent tag is UNKNOWN (needs context): used for declared facts such as a subnet's network
    tier, so an undeclared resource is never silently treated as either kind. KEY and VALUES are
    usually profile parameters (``{param: network_tier_tag}``).
    """
    key = resolve_expected(ctx, args["key"])
    values = resolve_expected(ctx, args["values"])
    if not isinstance(key, str) or not isinstance(values, list):
        return unknown("tag key or values are not a string and a list in the profile", UnknownKind.CONTEXT)
    wanted = [str(v).lower() for v in values]
    tags = ctx.current.record.get("tags") or {}
    value = tags.get(key)
    ctx.observe(f"@tags.{key}", value, {"in": values}, "tag_in", "/tags/" + key.replace("~", "~0").replace("/", "~1"))
    if value is None:
        return unknown(f"no {key!r} tag on {ctx.current.record['name']}", UnknownKind.CONTEXT)
    if value.strip().lower() in wanted:
        return true(f"tag {key}={value!r} is one of {values}")
    return false(f"tag {key}={value!r} is not one of {values}")
