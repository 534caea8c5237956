"""Azure-specific predicates: NSG exposure in rule-priority order, Key Vault rotation periods,
subscription Owner counts, and the content filter behind each Azure OpenAI deployment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..conditions import EvalContext, Outcome, UnknownKind, false, resolve_expected, true, unknown
from ..paths import Path
from . import predicate
from .network import covered, is_internet, parse_port_range, profile_ports

# Address families an NSG source prefix stands for, when it is internet-wide. Service tag
# "Internet" and the wildcards match both families; a /0 prefix only its own.
_BOTH = frozenset({"ipv4", "ipv6"})


def _families(prefix: str) -> frozenset[str]:
    if not is_internet(prefix):
        return frozenset()
    text = prefix.strip()
    if ":" in text:
        return frozenset({"ipv6"})
    if "." in text:
        return frozenset({"ipv4"})
    return _BOTH


def _props(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    props = rule.get("properties")
    return props if isinstance(props, Mapping) else rule


def _plural(props: Mapping[str, Any], single: str, plural: str) -> list[str]:
    values = [str(v) for v in props.get(plural) or []]
    one = props.get(single)
    if one not in (None, ""):
        values.append(str(one))
    return values


def _internet_families(props: Mapping[str, Any]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for prefix in _plural(props, "sourceAddressPrefix", "sourceAddressPrefixes"):
        out |= _families(prefix)
    return out


def _port_ranges(props: Mapping[str, Any]) -> list[tuple[int, int]] | None:
    """Destination port ranges of a rule; None when one is unparseable."""
    out = []
    for spec in _plural(props, "destinationPortRange", "destinationPortRanges"):
        parsed = parse_port_range(spec)
        if parsed is None:
            return None
        out.append(parsed)
    return out


@predicate("azure_nsg_no_internet_ingress_to_ports", path="path", ports="params")
def nsg_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when, for every port of the profile's lists and each address family, the first inbound
    rule (lowest priority number) that matches TCP traffic from the whole internet to that port denies it.

    A rule matches internet traffic when a source prefix (``sourceAddressPrefix`` or
    ``sourceAddressPrefixes``) is ``*``, ``Any``, ``Internet``, ``0.0.0.0/0`` or ``::/0``; the
    wildcards and the Internet tag cover IPv4 and IPv6, a /0 prefix only its family. Destination
    ports come from ``destinationPortRange`` and ``destinationPortRanges`` with ranges such as
    ``20-25`` expanded; protocol ``Tcp`` or ``*``. A Deny with a lower priority number wins over a
    later Allow; rules with narrower sources (an IP range, VirtualNetwork, an application security
    group) let in or keep out only part of the internet and do not decide. Azure's default rules
    end with DenyAllInBound, so a port no rule allows is closed.
    """
    path: Path = args["path"]
    rules, why = ctx.read(path)
    if why is not None:
        return why
    if rules is not None and not isinstance(rules, list):
        return unknown(f"{path.text} is not a list of rules", UnknownKind.MISSING)
    ports = profile_ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    deciding: list[tuple[int, int, Mapping[str, Any], frozenset[str], list[tuple[int, int]]]] = []
    for i, rule in enumerate(rules or []):
        props = _props(rule)
        if str(props.get("direction", "")).lower() != "inbound":
            continue
        families = _internet_families(props)
        if not families or str(props.get("protocol", "")).lower() not in ("tcp", "*"):
            continue
        ranges = _port_ranges(props)
        priority = props.get("priority")
        if ranges is None or not isinstance(priority, int):
            return unknown(f"{path.text}[{i}] has an unreadable port range or priority", UnknownKind.MISSING)
        deciding.append((priority, i, props, families, ranges))
    deciding.sort(key=lambda d: d[0])
    exposed: dict[int, tuple[int, Mapping[str, Any], str]] = {}
    for family in ("ipv4", "ipv6"):
        for port in ports:
            for _, i, props, families, ranges in deciding:
                if family in families and any(covered([port], lo, hi) for lo, hi in ranges):
                    if str(props.get("access", "")).lower() == "allow":
                        exposed.setdefault(port, (i, props, family))
                    break
    pointer = path.pointer("/data")
    if exposed:
        i, props, family = min(exposed.values(), key=lambda e: e[0])
        hit = sorted(p for p, e in exposed.items() if e[0] == i)
        rule = (rules or [])[i]
        ctx.observe(f"{path.text}[{i}]", rule, {"no internet ingress to": ports}, "ports", f"{pointer}/{i}")
        sources = ", ".join(p for p in _plural(props, "sourceAddressPrefix", "sourceAddressPrefixes") if is_internet(p))
        name = rule.get("name", i) if isinstance(rule, Mapping) else i
        return false(
            f"inbound rule {name!r} (priority {props.get('priority')}) allows port(s) {hit} from {sources} "
            f"({family} internet) and no higher-priority rule denies it"
        )
    ctx.observe(path.text, len(rules or []), {"no internet ingress to": ports}, "ports", pointer)
    return true(f"no inbound rule lets the internet reach {ports}")


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def duration_days(text: Any) -> int | None:
    """Days in an ISO 8601 date duration (``P90D``, ``P1Y``, ``P18M``, ``P2W``); Y = 365, M = 30.

    None for anything else (time parts, negative or empty durations), never a guess.
    """
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip().upper())
    if not m or not any(m.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in m.groups())
    return years * 365 + months * 30 + weeks * 7 + days


def _rotation_days(action: Mapping[str, Any], expiry: int | None) -> tuple[int | None, str]:
    trigger = action.get("trigger") or {}
    after = trigger.get("timeAfterCreate")
    if after:
        return duration_days(after), f"timeAfterCreate {after}"
    before = trigger.get("timeBeforeExpiry")
    if before and expiry is not None:
        left = duration_days(before)
        return (None if left is None else expiry - left), f"timeBeforeExpiry {before} of expiry {expiry} days"
    return None, f"trigger {dict(trigger)!r}"


@predicate("azure_key_rotation_within", path="path", days="param")
def key_rotation_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the rotation policy of the Key Vault key whose ``properties`` are at ``path`` has a
    ``rotate`` lifetime action that fires within ``days`` of the key version's creation.

    The period is ``timeAfterCreate``, or the policy's ``expiryTime`` minus ``timeBeforeExpiry``.
    Durations are ISO 8601 (a year counts 365 days, a month 30). A key whose properties carry no
    ``rotationPolicy`` (ARM omits it when none is set), or only ``notify`` actions, is FALSE; a
    trigger that cannot be read is UNKNOWN, never taken as compliant.
    """
    path: Path = args["path"]
    props, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(props, Mapping):
        return unknown(f"{path.text} is not the key's properties", UnknownKind.MISSING)
    policy = props.get("rotationPolicy")
    limit = resolve_expected(ctx, args["days"])
    if not isinstance(limit, int):
        return unknown(f"profile parameter {args['days'].name} is not a number of days", UnknownKind.CONTEXT)
    pointer = path.pointer("/data") + "/rotationPolicy"
    expected = {"rotate within days": limit}
    ctx.observe(f"{path.text}.rotationPolicy", policy, expected, "rotation", pointer)
    if not isinstance(policy, Mapping) or not policy:
        return false("the key has no rotation policy")
    expiry = duration_days((policy.get("attributes") or {}).get("expiryTime"))
    rotations = [
        a
        for a in policy.get("lifetimeActions") or []
        if isinstance(a, Mapping) and str((a.get("action") or {}).get("type", "")).lower() == "rotate"
    ]
    if not rotations:
        return false("the rotation policy has no Rotate action (notify-only or empty): the key is never rotated")
    unreadable = None
    for action in rotations:
        days, text = _rotation_days(action, expiry)
        if days is None:
            unreadable = text
            continue
        if days <= limit:
            return true(f"the key is rotated automatically after {days} days ({text}), within {limit}")
        shown = f"{days} days ({text})"
    if unreadable is not None:
        return unknown(f"cannot compute the rotation period from {unreadable}", UnknownKind.MISSING)
    return false(f"the key is rotated only after {shown}, more than {limit} days")


@predicate("azure_role_assignments_at_most", path="path", roles="list", max="int")
def role_assignments_at_most(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when at most ``max`` distinct principals hold one of ``roles`` (role definition GUIDs)
    by an assignment whose scope is exactly this resource (e.g. the subscription).

    Inherited assignments (management group, root ``/``) and assignments on resource groups or
    resources below are listed by ARM too but are not counted: they are other scopes.
    """
    path: Path = args["path"]
    items, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(items, list):
        return unknown(f"{path.text} is not a list of role assignments", UnknownKind.MISSING)
    roles = {str(r).lower() for r in args["roles"]}
    scope = str(ctx.current.record["id"]).rstrip("/").lower()
    holders: set[str] = set()
    for item in items:
        props = _props(item)
        role = str(props.get("roleDefinitionId", "")).rstrip("/").rsplit("/", 1)[-1].lower()
        if role in roles and str(props.get("scope", "")).rstrip("/").lower() == scope:
            holders.add(str(props.get("principalId")))
    limit = args["max"]
    ctx.observe(path.text, sorted(holders), {"at most": limit}, "count", path.pointer("/data"))
    text = f"{len(holders)} principal(s) hold the role at {ctx.current.record['id']}"
    return true(f"{text}, at most {limit}") if len(holders) <= limit else false(f"{text}, more than {limit}")


def _blocking_filter(policy: Mapping[str, Any], names: set[str]) -> Mapping[str, Any] | None:
    for flt in _props(policy).get("contentFilters") or []:
        if (
            isinstance(flt, Mapping)
            and str(flt.get("name", "")).lower() in names
            and flt.get("enabled") is True
            and flt.get("blocking") is True
        ):
            return flt
    return None


@predicate("azure_deployments_filter_blocking", deployments="path", policies="path", filters="list")
def deployments_filter_blocking(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when every model deployment names a content filter (``raiPolicyName``) whose RAI policy,
    looked up by name in the account's policies, has one of ``filters`` enabled and blocking.

    A deployment without ``raiPolicyName`` is FALSE. A policy name missing from the collected
    policies is UNKNOWN (the policy was not read), never assumed to filter. No deployments is TRUE.
    """
    deps_path: Path = args["deployments"]
    deployments, why = ctx.read(deps_path)
    if why is not None:
        return why
    pol_path: Path = args["policies"]
    policies, why = ctx.read(pol_path)
    if why is not None:
        return why
    by_name = {str(p.get("name", "")).lower(): p for p in policies or [] if isinstance(p, Mapping)}
    wanted = {str(f).lower() for f in args["filters"]}
    expected = {"enabled and blocking filter": args["filters"]}
    pending: Outcome | None = None
    for i, dep in enumerate(deployments or []):
        name = dep.get("name", i)
        policy_name = _props(dep).get("raiPolicyName")
        pointer = f"{deps_path.pointer('/data')}/{i}/properties/raiPolicyName"
        ctx.observe(f"{deps_path.text}[{i}].properties.raiPolicyName", policy_name, expected, "rai_policy", pointer)
        if not policy_name:
            return false(f"deployment {name!r} has no content filter (raiPolicyName)")
        policy = by_name.get(str(policy_name).lower())
        if policy is None:
            pending = pending or unknown(
                f"deployment {name!r} uses content filter {policy_name!r}, which is not in {pol_path.text}",
                UnknownKind.MISSING,
            )
            continue
        if _blocking_filter(policy, wanted) is None:
            return false(
                f"deployment {name!r} uses content filter {policy_name!r}, which has no enabled, blocking "
                f"{'/'.join(args['filters'])} filter"
            )
    if pending is not None:
        return pending
    count = len(deployments or [])
    return true(f"all {count} deployment(s) use a content filter with a blocking {'/'.join(args['filters'])} filter")


_BROAD_SCOPE = re.compile(r"^/$|^/subscriptions/[^/]+$|^/providers/microsoft\.management/managementgroups/[^/]+$", re.I)


@predicate("azure_role_not_broad_admin", path="path")
def role_not_broad_admin(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE unless the role definition at ``path`` grants every action (``*`` in ``actions``) and is
    assignable at the root, a management group or a whole subscription (CIS Azure "no custom
    subscription administrator roles"). ``notActions`` do not help: they are not deny rules.
    """
    path: Path = args["path"]
    props, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(props, Mapping):
        return unknown(f"{path.text} is not a role definition", UnknownKind.MISSING)
    pointer = path.pointer("/data")
    scopes = [str(s).rstrip("/") or "/" for s in props.get("assignableScopes") or []]
    broad = [s for s in scopes if _BROAD_SCOPE.match(s)]
    wildcard = any("*" in (p.get("actions") or []) for p in props.get("permissions") or [] if isinstance(p, Mapping))
    ctx.observe(
        path.text, {"assignableScopes": scopes, "all_actions": wildcard}, "not (* and broad scope)", "role", pointer
    )
    name = props.get("roleName", "the role")
    if wildcard and broad:
        return false(f"custom role {name!r} grants every action (*) and is assignable at {', '.join(broad)}")
    if wildcard:
        return true(f"custom role {name!r} grants * but only at narrower scopes {scopes}")
    return true(f"custom role {name!r} does not grant every action")
