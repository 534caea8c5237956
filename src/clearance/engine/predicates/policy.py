"""Resource and identity policy analysis (AWS IAM policy language).

Policies arrive as JSON strings (S3, KMS, URL-decoded IAM) or parsed objects; both work.
Unparseable policies are UNKNOWN, never compliant.
"""

from __future__ import annotations

import json
import re
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


FULL_ADMIN_EXPECTED = "no Allow of Action * on Resource *"


def full_admin_statement(doc: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The first Allow statement granting Action "*" on Resource "*" (with its index), if any."""
    for i, stmt in enumerate(statements(doc)):
        if (
            stmt.get("Effect") == "Allow"
            and "*" in as_list(stmt.get("Action"))
            and "*" in as_list(stmt.get("Resource"))
        ):
            return i, stmt
    return None


@predicate("policy_no_full_admin", path="path")
def no_full_admin(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no Allow statement grants Action "*" on Resource "*"."""
    path: Path = args["path"]
    doc, why = _read_policy(ctx, path)
    if why is not None:
        return why
    if doc is None:
        return true(f"{path.text}: no policy document")
    found = full_admin_statement(doc)
    if found is not None:
        i, stmt = found
        ctx.observe(f"{path.text}.Statement[{i}]", stmt, FULL_ADMIN_EXPECTED, "policy", _pointer(path))
        return false(f"statement {stmt.get('Sid', i)!r} allows every action on every resource")
    return true(f"{path.text} grants no full administrative access")


@predicate("policies_no_full_admin", path="path", document="str")
def policies_no_full_admin(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no policy in the list at ``path`` allows Action "*" on Resource "*".

    Each item holds its document under ``document``: inline policies (``PolicyDocument``) or the
    versions of a managed policy (``Document``). Versions that are not the default one
    (``IsDefaultVersion`` false) are not in force and are skipped. An item without a readable
    document is UNKNOWN, never compliant.
    """
    path: Path = args["path"]
    key: str = args["document"]
    items, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(items, list | None):
        return unknown(f"{path.text} is not a list of policies", UnknownKind.MISSING)
    pointer = _pointer(path)
    checked = 0
    for i, item in enumerate(items or []):
        if not isinstance(item, dict) or item.get("IsDefaultVersion") is False:
            continue
        label = item.get("PolicyName") or item.get("VersionId") or i
        try:
            doc = load_policy(item.get(key))
        except (ValueError, json.JSONDecodeError) as exc:
            return unknown(f"{path.text}[{i}].{key} is not a valid policy document: {exc}", UnknownKind.MISSING)
        if doc is None:
            return unknown(f"{path.text}[{i}] has no {key}", UnknownKind.MISSING)
        checked += 1
        found = full_admin_statement(doc)
        if found is not None:
            n, stmt = found
            where = f"{path.text}[{i}].{key}.Statement[{n}]"
            ctx.observe(where, stmt, FULL_ADMIN_EXPECTED, "policy", f"{pointer}/{i}/{key}")
            return false(f"policy {label!r} statement {stmt.get('Sid', n)!r} allows every action on every resource")
    ctx.observe(path.text, checked, FULL_ADMIN_EXPECTED, "policy", pointer)
    return true(f"none of {checked} policies in {path.text} grants full administrative access")


_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Condition operators that confine a key to the listed values (IfExists and negated forms do not).
_CONFINING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
_ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths"})


def principal_account(value: str) -> str | None:
    """The account an AWS principal names (an account id, or an IAM/STS ARN's account field).

    None for anything else, such as the unique id (AROA..., AIDA...) AWS leaves in a policy
    when the principal it named was deleted: that id can never be assumed again.
    """
    if _ACCOUNT_ID.match(value):
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        return parts[4]
    return None


def _confined_values(stmt: Mapping[str, Any], keys: frozenset[str]) -> list[str] | None:
    """Values a confining condition allows for any of ``keys``; None when no such condition."""
    found: list[str] | None = None
    for operator, block in (stmt.get("Condition") or {}).items():
        if str(operator).lower() not in _CONFINING_OPERATORS or not isinstance(block, dict):
            continue
        for key, value in block.items():
            if key.lower() in keys:
                found = (found or []) + [str(v) for v in as_list(value)]
    return found


def _wildcard_outsiders(stmt: Mapping[str, Any], account: str) -> list[str]:
    """Who a wildcard principal admits from outside ``account`` once the statement's conditions apply."""
    if _confined_values(stmt, _ORG_KEYS) is not None:
        return []  # confined to an organization (its id is not compared with the account's own)
    accounts = _confined_values(stmt, frozenset({"aws:principalaccount"})) or []
    for arn in _confined_values(stmt, frozenset({"aws:principalarn"})) or []:
        accounts.append(principal_account(arn) or arn)
    if not accounts:
        return ["*"]
    return [f"* (account {a})" for a in accounts if a != account]


def _statement_outsiders(stmt: Mapping[str, Any], account: str) -> list[str]:
    principal = stmt.get("Principal")
    names = [str(n) for n in as_list(principal.get("AWS"))] if isinstance(principal, dict) else []
    outsiders = [n for n in names if n != "*" and (principal_account(n) or account) != account]
    if "NotPrincipal" in stmt or is_wildcard_principal(principal):
        outsiders += _wildcard_outsiders(stmt, account)
    return outsiders


@predicate("policy_no_external_principals", path="path")
def no_external_principals(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the (trust) policy at ``path`` allows no principal outside the resource's account.

    Other accounts' principals (account ids, IAM or STS ARNs) are external whatever the
    condition (sts:ExternalId identifies a third party, it does not make it internal). A
    wildcard principal (``*``, ``{"AWS": "*"}`` or ``NotPrincipal``) is external unless a
    StringEquals/StringLike/ArnEquals/ArnLike condition confines it to an organization
    (aws:PrincipalOrgID/OrgPaths) or to principals of this account (aws:PrincipalAccount,
    aws:PrincipalArn). AWS service and federated (identity provider) principals are not
    accounts and are not counted. FALSE lists every external principal.
    """
    path: Path = args["path"]
    doc, why = _read_policy(ctx, path)
    if why is not None:
        return why
    account = str(ctx.current.record.get("account"))
    expected = f"only principals of account {account}, AWS services or identity providers"
    if doc is None:
        ctx.observe(path.text, None, expected, "policy", _pointer(path))
        return unknown(f"{path.text} has no policy document", UnknownKind.MISSING)
    outsiders: list[str] = []
    for i, stmt in enumerate(statements(doc)):
        if stmt.get("Effect") != "Allow":
            continue
        found = _statement_outsiders(stmt, account)
        if found:
            ctx.observe(f"{path.text}.Statement[{i}]", stmt, expected, "policy", _pointer(path))
            outsiders.extend(f"{name} (statement {stmt.get('Sid', i)!r})" for name in found)
    if outsiders:
        return false(f"principals outside account {account}: {', '.join(outsiders)}")
    ctx.observe(path.text, doc, expected, "policy", _pointer(path))
    return true(f"{path.text} admits only account {account}'s principals, AWS services and identity providers")
