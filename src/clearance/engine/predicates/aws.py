"""AWS-specific predicates: security-group and network-ACL exposure, routes to the internet,
VPC endpoint policies, and the tag conventions that say which network tier a resource is in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..conditions import EvalContext, Outcome, UnknownKind, false, resolve_expected, true, unknown
from ..paths import Path
from . import predicate
from .network import covered, is_internet, profile_ports
from .policy import RESTRICTING_KEYS, as_list, condition_keys, is_wildcard_principal, load_policy, statements

_TCP = {"tcp", "6", "-1", "all"}
_ALL_PROTOCOLS = {"-1", "all"}


def _sg_rule_sources(rule: Mapping[str, Any]) -> list[str]:
    out = [r.get("CidrIp", "") for r in rule.get("IpRanges") or []]
    out += [r.get("CidrIpv6", "") for r in rule.get("Ipv6Ranges") or []]
    return [s for s in out if is_internet(s)]


def _port_span(proto: str, low: Any, high: Any) -> tuple[int, int]:
    """Inclusive port range of a rule; protocol "all" (-1) covers every port."""
    if proto in _ALL_PROTOCOLS:
        return 0, 65535
    return int(0 if low is None else low), int(65535 if high is None else high)


@predicate("aws_sg_no_internet_ingress_to_ports", path="path", ports="params")
def sg_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no ingress rule opens any of the profile's ports to 0.0.0.0/0 or ::/0.

    Protocol ``-1`` covers every port; TCP rules cover FromPort..ToPort inclusive. Rules whose
    source is a security group or a managed prefix list are not internet-wide and are not counted.
    """
    path: Path = args["path"]
    rules, why = ctx.read(path)
    if why is not None:
        return why
    ports = profile_ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    pointer = path.pointer("/data")
    for i, rule in enumerate(rules or []):
        sources = _sg_rule_sources(rule)
        proto = str(rule.get("IpProtocol", "")).lower()
        if not sources or proto not in _TCP:
            continue
        low, high = _port_span(proto, rule.get("FromPort"), rule.get("ToPort"))
        hit = covered(ports, low, high)
        if hit:
            ctx.observe(f"{path.text}[{i}]", rule, {"no internet ingress to": ports}, "ports", f"{pointer}/{i}")
            span = "all ports" if proto in _ALL_PROTOCOLS else f"tcp {low}-{high}"
            return false(f"ingress rule {i} allows {span} from {', '.join(sources)}, covering port(s) {hit}")
    ctx.observe(path.text, len(rules or []), {"no internet ingress to": ports}, "ports", pointer)
    return true(f"none of {len(rules or [])} ingress rules opens {ports} to the internet")


def _nacl_family(entry: Mapping[str, Any]) -> str | None:
    """``ipv4``/``ipv6`` for an entry whose source is the whole address family, else None."""
    if is_internet(entry.get("CidrBlock")):
        return "ipv4"
    if is_internet(entry.get("Ipv6CidrBlock")):
        return "ipv6"
    return None


@predicate("aws_nacl_no_internet_ingress_to_ports", path="path", ports="params")
def nacl_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when, for each port and address family, the first inbound entry (by rule number)
    whose source is the whole internet (0.0.0.0/0, ::/0) and that matches TCP on the port denies it.

    IPv4 and IPv6 entries are evaluated separately: a deny of 0.0.0.0/0 does not stop ::/0 traffic.
    Entries with narrower sources only allow or deny part of the internet and do not decide.
    """
    path: Path = args["path"]
    entries, why = ctx.read(path)
    if why is not None:
        return why
    ports = profile_ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    inbound = sorted(
        (e for e in entries or [] if not e.get("Egress") and _nacl_family(e)),
        key=lambda e: int(e.get("RuleNumber", 32767)),
    )
    exposed: dict[int, dict[str, Any]] = {}
    for family in ("ipv4", "ipv6"):
        ordered = [e for e in inbound if _nacl_family(e) == family]
        for port in ports:
            for entry in ordered:
                proto = str(entry.get("Protocol", "")).lower()
                if proto not in _TCP:
                    continue
                rng = entry.get("PortRange") or {}
                low, high = _port_span(proto, rng.get("From"), rng.get("To"))
                if low <= port <= high:
                    if entry.get("RuleAction") == "allow":
                        exposed.setdefault(port, entry)
                    break
    pointer = path.pointer("/data")
    if exposed:
        port, entry = min(exposed.items())
        source = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
        ctx.observe(path.text, entry, {"no internet ingress to": ports}, "ports", pointer)
        return false(
            f"inbound entry {entry.get('RuleNumber')} allows port(s) {sorted(exposed)} from {source} (the internet)"
        )
    ctx.observe(path.text, len(inbound), {"no internet ingress to": ports}, "ports", pointer)
    return true(f"no inbound entry allows {ports} from the internet")


_EGRESS_TARGETS = (
    ("GatewayId", "igw-", "internet gateway"),
    ("EgressOnlyInternetGatewayId", "eigw-", "egress-only internet gateway"),
    ("NatGatewayId", "nat-", "NAT gateway"),
    ("CarrierGatewayId", "cagw-", "carrier gateway"),
)


def _internet_target(route: Mapping[str, Any]) -> tuple[str, str] | None:
    for key, prefix, label in _EGRESS_TARGETS:
        target = route.get(key)
        if isinstance(target, str) and target.startswith(prefix):
            return target, label
    return None


def _destination(route: Mapping[str, Any]) -> str:
    return str(
        route.get("DestinationCidrBlock")
        or route.get("DestinationIpv6CidrBlock")
        or route.get("DestinationPrefixListId")
        or "?"
    )


@predicate("aws_routes_no_internet_egress", path="path")
def routes_no_internet_egress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no active route sends traffic to an internet, egress-only internet, NAT or carrier gateway.

    Any destination counts, not only 0.0.0.0/0 and ::/0: a route to an internet gateway is a direct
    internet path for that range. A NAT gateway is internet egress too (it hides the source, it does
    not inspect). Routes to a firewall or Gateway Load Balancer endpoint (vpce-), a network interface
    (proxy or firewall appliance), a transit gateway or a virtual private gateway are not direct egress.
    Blackhole routes carry no traffic and are ignored.
    """
    path: Path = args["path"]
    routes, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(routes, list):
        return unknown(f"{path.text} is not a list of routes", UnknownKind.MISSING)
    pointer = path.pointer("/data")
    expected = "no route to igw-/eigw-/nat-/cagw-"
    for i, route in enumerate(routes):
        if not isinstance(route, dict) or str(route.get("State", "active")).lower() == "blackhole":
            continue
        found = _internet_target(route)
        if found is not None:
            target, label = found
            ctx.observe(f"{path.text}[{i}]", route, expected, "routes", f"{pointer}/{i}")
            return false(f"route {_destination(route)} -> {target} sends traffic to the internet through a {label}")
    ctx.observe(path.text, len(routes), expected, "routes", pointer)
    return true(f"none of {len(routes)} routes leads to an internet, NAT or carrier gateway")


# Condition keys that confine an endpoint policy to the firm's principals or resources.
ENDPOINT_RESTRICTING_KEYS = RESTRICTING_KEYS | frozenset(
    k.lower() for k in ("aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceAccount", "s3:ResourceAccount")
)


def _all_actions(stmt: Mapping[str, Any]) -> bool:
    if "NotAction" in stmt:
        return True
    return any(a == "*" or (isinstance(a, str) and a.endswith(":*")) for a in as_list(stmt.get("Action")))


def _all_resources(stmt: Mapping[str, Any]) -> bool:
    return "NotResource" in stmt or "*" in as_list(stmt.get("Resource"))


@predicate("aws_endpoint_policy_restricted", path="path")
def endpoint_policy_restricted(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no Allow statement grants any principal every action on every resource unconditionally.

    That is the default VPC endpoint policy (``Principal *``, ``Action *``, ``Resource *``); it lets
    the endpoint reach any account's buckets or models, so data can leave through it. A statement
    is restricted when it names principals, actions (other than ``*``/``service:*``) or resources,
    or carries a condition on the principal's or resource's organisation/account/VPC endpoint.
    No policy document means the default full-access policy.
    """
    path: Path = args["path"]
    value, why = ctx.read(path)
    if why is not None:
        return why
    pointer = path.pointer("/data")
    expected = "no Allow of * on * to any principal without a confining condition"
    try:
        doc = load_policy(value)
    except ValueError as exc:
        return unknown(f"{path.text} is not a valid policy document: {exc}", UnknownKind.MISSING)
    if doc is None:
        ctx.observe(path.text, None, expected, "policy", pointer)
        return false(f"{path.text}: no endpoint policy, so the default full-access policy applies")
    for i, stmt in enumerate(statements(doc)):
        if stmt.get("Effect") != "Allow" or not is_wildcard_principal(stmt.get("Principal", "*")):
            continue
        if _all_actions(stmt) and _all_resources(stmt) and not (condition_keys(stmt) & ENDPOINT_RESTRICTING_KEYS):
            ctx.observe(f"{path.text}.Statement[{i}]", stmt, expected, "policy", pointer)
            return false(f"statement {stmt.get('Sid', i)!r} allows every action on every resource to any principal")
    ctx.observe(path.text, doc, expected, "policy", pointer)
    return true(f"{path.text} confines what the endpoint can reach")


# Credential-report values that mean "no recorded use" (no password/key, or use predating tracking).
_NO_RECORDED_USE = frozenset({"n/a", "no_information", "not_supported"})


def _report_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _ReportRow:
    """A credential-report row with the window the date predicates compare against."""

    row: dict[str, Any]
    path: Path
    pointer: str
    generated: str
    cutoff: datetime
    days: int


def _report_row(ctx: EvalContext, args: Mapping[str, Any]) -> _ReportRow | Outcome:
    """Read the row at ``path``, the report time at ``reference`` and the ``days`` window."""
    path: Path = args["path"]
    row, why = ctx.read(path)
    if why is not None:
        return why
    ref_path: Path = args["reference"]
    ref_value, why = ctx.read(ref_path)
    if why is not None:
        return why
    days = resolve_expected(ctx, args["days"])
    reference = _report_time(ref_value)
    if reference is None or not isinstance(days, int):
        return unknown(f"cannot compare dates: {ref_path.text} is {ref_value!r}, window {days!r}", UnknownKind.MISSING)
    if not isinstance(row, dict):
        return unknown(f"{path.text} is not a credential-report row", UnknownKind.MISSING)
    pointer = path.pointer("/data", ctx.current.record.get("data"))
    return _ReportRow(row, path, pointer, str(ref_value), reference - timedelta(days=days), days)


@predicate("aws_credentials_not_used_within", path="path", fields="list", days="int", reference="path")
def credentials_not_used_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no ``fields`` date of the credential-report row at ``path`` falls within ``days``
    before ``reference`` (the report's GeneratedTime, so a re-evaluation years later gives the same
    answer). ``N/A``, ``no_information`` and ``not_supported`` mean no recorded use; an unreadable
    date or a missing column is UNKNOWN, never "unused".
    """
    report = _report_row(ctx, args)
    if isinstance(report, Outcome):
        return report
    row, path, days, ref_value = report.row, report.path, report.days, report.generated
    expected = f"no use after {report.cutoff.isoformat()}"
    for name in args["fields"]:
        value = row.get(name)
        ctx.observe(f"{path.text}.{name}", value, expected, "not_used_within", f"{report.pointer}/{name}")
        if value is None:
            return unknown(f"{path.text} has no column {name!r}", UnknownKind.MISSING)
        if str(value).lower() in _NO_RECORDED_USE:
            continue
        used = _report_time(value)
        if used is None:
            return unknown(f"{path.text}.{name} is not a date: {value!r}", UnknownKind.MISSING)
        if used > report.cutoff:
            return false(f"{name} is {value}, within {days} days before the report ({ref_value})")
    return true(f"no use of {', '.join(args['fields'])} within {days} days before the report ({ref_value})")


def _flag(report: _ReportRow, column: str) -> bool | Outcome:
    value = report.row.get(column)
    if value is None:
        return unknown(f"{report.path.text} has no column {column!r}", UnknownKind.MISSING)
    return str(value).lower() == "true"


def _date_cell(ctx: EvalContext, report: _ReportRow, column: str, expected: str) -> datetime | Outcome | None:
    """The date in ``column`` (observed), None when it records no use, UNKNOWN when missing or unreadable."""
    value = report.row.get(column)
    ctx.observe(f"{report.path.text}.{column}", value, expected, "within", f"{report.pointer}/{column}")
    if value is None:
        return unknown(f"{report.path.text} has no column {column!r}", UnknownKind.MISSING)
    if str(value).lower() in _NO_RECORDED_USE:
        return None
    moment = _report_time(value)
    if moment is None:
        return unknown(f"{report.path.text}.{column} is not a date: {value!r}", UnknownKind.MISSING)
    return moment


@predicate("aws_access_keys_rotated_within", path="path", days="int", reference="path")
def access_keys_rotated_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when every active access key of the credential-report row at ``path`` was created or
    last rotated within ``days`` before ``reference`` (the report's GeneratedTime). Inactive keys
    do not count; a missing column or an unreadable date is UNKNOWN, never "rotated".
    """
    report = _report_row(ctx, args)
    if isinstance(report, Outcome):
        return report
    expected = f"active keys rotated after {report.cutoff.isoformat()}"
    active = 0
    for n in (1, 2):
        enabled = _flag(report, f"access_key_{n}_active")
        if isinstance(enabled, Outcome):
            return enabled
        if not enabled:
            continue
        active += 1
        column = f"access_key_{n}_last_rotated"
        rotated = _date_cell(ctx, report, column, expected)
        if isinstance(rotated, Outcome):
            return rotated
        if rotated is None:
            return unknown(f"access key {n} is active but {column} is {report.row[column]!r}", UnknownKind.MISSING)
        if rotated < report.cutoff:
            return false(
                f"access key {n} is active and was last rotated {report.row[column]}, "
                f"more than {report.days} days before the report ({report.generated})"
            )
    return true(f"{active} active access key(s), each rotated within {report.days} days before the report")


# Credentials of a report row: (enabled column, last-use column, column saying when it was set, label).
_CREDENTIALS = (
    ("password_enabled", "password_last_used", "password_last_changed", "console password"),
    ("access_key_1_active", "access_key_1_last_used_date", "access_key_1_last_rotated", "access key 1"),
    ("access_key_2_active", "access_key_2_last_used_date", "access_key_2_last_rotated", "access key 2"),
)


@predicate("aws_credentials_used_within", path="path", days="int", reference="path")
def credentials_used_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when every enabled credential of the credential-report row at ``path`` (console
    password, active access keys) was used within ``days`` before ``reference`` (the report's
    GeneratedTime). A credential never used counts from when it was set (password_last_changed,
    access_key_N_last_rotated), so a new one is not stale. Missing columns or unreadable dates
    are UNKNOWN, never "in use".
    """
    report = _report_row(ctx, args)
    if isinstance(report, Outcome):
        return report
    expected = f"used (or set) after {report.cutoff.isoformat()}"
    enabled_labels: list[str] = []
    for enabled_column, used_column, set_column, label in _CREDENTIALS:
        enabled = _flag(report, enabled_column)
        if isinstance(enabled, Outcome):
            return enabled
        if not enabled:
            continue
        enabled_labels.append(label)
        last = _date_cell(ctx, report, used_column, expected)
        what = f"{label} was last used {report.row.get(used_column)}"
        if last is None:
            last = _date_cell(ctx, report, set_column, expected)
            what = f"{label} was never used since it was set ({report.row.get(set_column)})"
            if last is None:
                return unknown(f"{label} has no use and no set date", UnknownKind.MISSING)
        if isinstance(last, Outcome):
            return last
        if last < report.cutoff:
            return false(f"{what}, more than {report.days} days before the report ({report.generated})")
    if not enabled_labels:
        return true("no console password and no active access key")
    return true(f"{', '.join(enabled_labels)} used or set within {report.days} days before the report")


@predicate("aws_db_parameter_in", path="path", parameter="str", values="list")
def db_parameter_in(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when ``parameter`` of the DescribeDBParameters-style list at ``path`` has one of
    ``values`` (case-insensitive). A parameter listed without a ParameterValue runs on the engine
    default, which depends on the engine version: FALSE, since the evidence must show the setting.
    A parameter absent from the list is UNKNOWN (the list is not the one expected).
    """
    path: Path = args["path"]
    name: str = args["parameter"]
    values: list[Any] = args["values"]
    params, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(params, list):
        return unknown(f"{path.text} is not a list of parameters", UnknownKind.MISSING)
    pointer = path.pointer("/data")
    for i, param in enumerate(params):
        if not isinstance(param, dict) or param.get("ParameterName") != name:
            continue
        value = param.get("ParameterValue")
        ctx.observe(f"{path.text}[{i}].ParameterValue", value, {"in": values}, "in", f"{pointer}/{i}")
        if value is None:
            return false(f"{name} has no value set (the engine default applies and is not evidence of {values})")
        if str(value).lower() in {str(v).lower() for v in values}:
            return true(f"{name} is {value!r}")
        return false(f"{name} is {value!r} (expected one of {values})")
    ctx.observe(path.text, len(params), {name: {"in": values}}, "in", pointer)
    return unknown(f"parameter {name} is not among the {len(params)} parameters of {path.text}", UnknownKind.MISSING)


_CHILD_OPERATORS = "@@operators_allowed_for_child_policies"


def _assigned(node: Any) -> str | None:
    value = node.get("@@assign") if isinstance(node, dict) else None
    return None if value is None else str(value)


def _locked(node: Any) -> bool:
    return isinstance(node, dict) and node.get(_CHILD_OPERATORS) == ["@@none"]


@predicate("aws_ai_opt_out_all_services", path="path")
def ai_opt_out_all_services(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the AI services opt-out policy content (JSON) at ``path`` opts every AI service out
    and forbids child policies to change it: ``services.default.opt_out_policy`` assigns optOut,
    no service assigns anything else, and ``@@operators_allowed_for_child_policies`` is
    ``["@@none"]`` on ``services``, ``services.default`` or ``services.default.opt_out_policy``.
    """
    path: Path = args["path"]
    value, why = ctx.read(path)
    if why is not None:
        return why
    try:
        doc = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        return unknown(f"{path.text} is not JSON: {exc}", UnknownKind.MISSING)
    expected = 'services.default.opt_out_policy @@assign optOut, no opt-in, child operators ["@@none"]'
    ctx.observe(path.text, value, expected, "ai_opt_out", path.pointer("/data"))
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        return false("the policy has no services section")
    default = services.get("default")
    default_policy = default.get("opt_out_policy") if isinstance(default, dict) else None
    assign = _assigned(default_policy)
    if assign is None or assign.lower() != "optout":
        return false(f"services.default.opt_out_policy assigns {assign!r}, not optOut")
    for service, node in services.items():
        other = _assigned(node.get("opt_out_policy")) if isinstance(node, dict) and service != "default" else None
        if other is not None and other.lower() != "optout":
            return false(f"service {service!r} assigns {other!r}: it is not opted out")
    if not any(_locked(node) for node in (services, default, default_policy)):
        return false(f'child policies may change the opt-out ({_CHILD_OPERATORS} is not ["@@none"])')
    return true('every AI service is opted out and child policies cannot change it ("@@none")')
