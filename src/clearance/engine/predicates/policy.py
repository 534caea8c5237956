"""Resource and identity policy analysis (AWS IAM policy language).

Policies arrive as JSON strings (S3, KMS, URL-decoded IAM) or parsed objects; both work.
Unparseable policies are UNKNOWN, never compliant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..conditions import EvalContext, Outcome, UnknownKind, false, true, unknown
from ..paths import Path
from . import predicate

# Condition keys that confine a wildcard principal to known callers.
RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOrgID",
        "aws:userid",
        "aws:username",
        "kms:CallerAccount",
        "kms:ViaService",
    )
)


def load_policy(value: Any) -> dict[str, Any] | None:
    """Policy document as a dict; raises ValueError when it is not one."""
    if value is None:
        return None
    if isinstance(value, dict):
        if "Policy" in value and "Statement" not in value:
            return load_policy(value["Policy"])
        return value
    if isinstance(value, str):
        doc = json.loads(value)
        if not isinstance(doc, dict):
            raise ValueError("policy is not a JSON object")
        return doc
    raise ValueError(f"policy has unexpected type {type(value).__name__}")


def statements(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = doc.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(p == "*" for p in as_list(principal.get("AWS")))
    return False


def condition_keys(stmt: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    for block in (stmt.get("Condition") or {}).values():
        if isinstance(block, dict):
            keys.update(k.lower() for k in block)
    return keys


def action_matches(actions: Any, wanted: str) -> bool:
    """Whether an Action value grants ``wanted`` (``service:Op``), honouring ``*`` wildcards."""
    import fnmatch

    return any(fnmatch.fnmatchcase(wanted.lower(), str(a).lower()) for a in as_list(actions))


def _read_policy(ctx: EvalContext, path: Path) -> tuple[dict[str, Any] | None, Outcome | None]:
    value, why = ctx.read(path)
    if why is not None:
        return None, why
    try:
        return load_policy(value), None
    except (ValueError, json.JSONDecodeError) as exc:
        return None, unknown(f"{path.text} is not a valid policy document: {exc}", UnknownKind.MISSING)


def _pointer(path: Path) -> str:
    return path.pointer("" if path.meta else "/data")


@predicate("policy_denies_insecure_transport", path="path")
def denies_insecure_transport(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the policy denies every principal any request with aws:SecureTransport=false."""
    path: Path = args["path"]
    doc, why = _read_policy(ctx, path)
    if why is not None:
        return why
    expected = "Deny * when aws:SecureTransport=false"
    if doc is None:
        ctx.observe(path.text, None, expected, "policy", _pointer(path))
        return false(f"{path.text}: no policy, so plain-HTTP requests are not refused")
    for i, stmt in enumerate(statements(doc)):
        if stmt.get("Effect") != "Deny" or not is_wildcard_principal(stmt.get("Principal")):
            continue
        for block in (stmt.get("Condition") or {}).values():
            if not isinstance(block, dict):
                continue
            for key, val in block.items():
                if key.lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in as_list(val)):
                    ctx.observe(f"{path.text}.Statement[{i}]", stmt, expected, "policy", _pointer(path))
                    return true(f"statement {stmt.get('Sid', i)!r} denies requests without TLS")
    ctx.observe(path.text, doc, expected, "policy", _pointer(path))
    return false(f"{path.text} has no statement denying requests with aws:SecureTransport=false")


@predicate("policy_not_public", path="path")
def not_public(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no Allow statement grants a wildcard principal without a confining condition."""
    path: Path = args["path"]
    doc, why = _read_policy(ctx, path)
    if why is not None:
        return why
    expected = "no Allow to Principal * without aws:PrincipalOrgID/SourceVpce/SourceAccount-style condition"
    if doc is None:
        ctx.observe(path.text, None, expected, "policy", _pointer(path))
        return true(f"{path.text}: no policy, so nothing is granted to the public")
    for i, stmt in enumerate(statements(doc)):
        if stmt.get("Effect") != "Allow" or not is_wildcard_principal(stmt.get("Principal")):
            continue
        if condition_keys(stmt) & RESTRICTING_KEYS:
            continue
        ctx.observe(f"{path.text}.Statement[{i}]", stmt, expected, "policy", _pointer(path))
        return false(f"statement {stmt.get('Sid', i)!r} allows {as_list(stmt.get('Action'))} to any principal")
    ctx.observe(path.text, doc, expected, "policy", _pointer(path))
    return true(f"{path.text} grants nothing to an unconfined wildcard principal")


@predicate("policy_no_full_admin", path="path")
def no_full_admin(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no Allow statement grants Action "*" on Resource "*"."""
    path: Path = args["path"]
    doc, why = _read_policy(ctx, path)
    if why is not None:
        return why
    if doc is None:
        return true(f"{path.text}: no policy document")
    for i, stmt in enumerate(statements(doc)):
        if stmt.get("Effect") != "Allow":
            continue
        if "*" in as_list(stmt.get("Action")) and "*" in as_list(stmt.get("Resource")):
            ctx.observe(
                f"{path.text}.Statement[{i}]",
                stmt,
                "no Allow of Action * on Resource *",
                "policy",
                _pointer(path),
            )
            return false(f"statement {stmt.get('Sid', i)!r} allows every action on every resource")
    return true(f"{path.text} grants no full administrative access")
