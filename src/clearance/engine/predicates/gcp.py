"""GCP-specific predicates: firewall-rule exposure, Cloud KMS rotation periods, IAM bindings
(who holds which role, separation of duties), effective Data Access audit configuration, service
account key age, effective Organization Policy rules, and retention periods given in seconds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ...profile import ContextRange
from ..conditions import EvalContext, Outcome, UnknownKind, decide, false, resolve_expected, true, unknown
from ..paths import Path
from . import predicate
from .network import covered, is_internet, parse_port_range, profile_ports

# Firewall protocols that carry TCP services (admin and database ports): by name, number or "all".
_TCP = frozenset({"tcp", "6", "all"})
_DURATION = re.compile(r"^(\d+)(?:\.\d+)?s$")


def _read(ctx: EvalContext, path: Path, what: str) -> tuple[Mapping[str, Any], str] | Outcome:
    """The mapping at ``path`` and its source pointer; UNKNOWN when it failed, is absent or is not a mapping."""
    value, why = ctx.read(path)
    if why is not None:
        return why
    if not isinstance(value, Mapping):
        return unknown(f"{path.text} is not {what}", UnknownKind.MISSING)
    return value, path.pointer("/data", ctx.current.record.get("data"))


# -- firewall rules ------------------------------------------------------------------------------


def _internet_sources(rule: Mapping[str, Any]) -> list[str]:
    """The internet-wide source ranges of an ingress rule. A rule with no source at all (no
    ranges, tags or service accounts) applies to every IPv4 source, as Google Cloud documents."""
    ranges = [str(r) for r in rule.get("sourceRanges") or []]
    if not ranges and not rule.get("sourceTags") and not rule.get("sourceServiceAccounts"):
        return ["0.0.0.0/0 (no source given)"]
    return [r for r in ranges if is_internet(r)]


def _allowed_ports(entry: Mapping[str, Any]) -> list[tuple[int, int]] | None:
    """Port spans of one ``allowed`` entry; no ``ports`` means every port. None when unparseable."""
    specs = entry.get("ports") or ["0-65535"]
    spans = [parse_port_range(s) for s in specs]
    return None if any(s is None for s in spans) else [s for s in spans if s is not None]


@predicate("gcp_firewall_no_internet_ingress_to_ports", path="path", ports="params")
def firewall_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE unless the firewall rule at ``path`` is an enabled INGRESS rule that allows TCP traffic
    from the whole internet (a source range of prefix length 0: ``0.0.0.0/0``, ``::/0``) to one of
    the profile's ports.

    ``allowed[].IPProtocol`` ``tcp``, ``6`` or ``all`` counts; ``ports`` entries such as ``"22"``
    and ``"20-25"`` are expanded and no ``ports`` means every port. A disabled rule, an EGRESS
    rule and a deny rule expose nothing. A rule with no source at all applies to 0.0.0.0/0.
    The rule is judged on its own: that a higher-priority deny rule might shadow it is not
    credited, because the rule itself is the opening CIS GCP 3.6/3.7 flag.
    """
    path: Path = args["path"]
    read = _read(ctx, path, "a firewall rule")
    if isinstance(read, Outcome):
        return read
    rule, pointer = read
    ports = profile_ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    expected = {"no internet ingress to": ports}
    name = rule.get("name", path.text)
    ctx.observe(path.text, _rule_summary(rule), expected, "ports", pointer)
    if rule.get("disabled") is True:
        return true(f"firewall rule {name!r} is disabled")
    if str(rule.get("direction", "INGRESS")).upper() != "INGRESS":
        return true(f"firewall rule {name!r} is an egress rule")
    if not rule.get("allowed"):
        return true(f"firewall rule {name!r} allows nothing (deny rule)")
    sources = _internet_sources(rule)
    if not sources:
        return true(f"firewall rule {name!r} admits no internet-wide source")
    hit: set[int] = set()
    for i, entry in enumerate(rule.get("allowed") or []):
        if str(entry.get("IPProtocol", "")).lower() not in _TCP:
            continue
        spans = _allowed_ports(entry)
        if spans is None:
            return unknown(
                f"{path.text}.allowed[{i}].ports cannot be read: {entry.get('ports')!r}", UnknownKind.MISSING
            )
        for low, high in spans:
            hit.update(covered(ports, low, high))
    if hit:
        return false(f"firewall rule {name!r} allows port(s) {sorted(hit)} from {', '.join(sources)}")
    return true(f"firewall rule {name!r} admits the internet only to ports outside {ports}")


def _rule_summary(rule: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("direction", "disabled", "sourceRanges", "sourceTags", "allowed", "priority")
    return {k: rule[k] for k in keys if k in rule}


# -- Cloud KMS rotation --------------------------------------------------------------------------


def duration_seconds(text: Any) -> int | None:
    """Whole seconds of a protobuf Duration in JSON form (``"7776000s"``); None for anything else."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip())
    return int(m.group(1)) if m else None


@predicate("gcp_kms_rotation_within", path="path", days="param")
def kms_rotation_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the Cloud KMS key at ``path`` rotates automatically at most every ``days`` days.

    ``rotationPeriod`` is a Duration string (``"7776000s"`` = 90 days). A key without
    ``rotationPeriod`` is never rotated automatically: FALSE. An unreadable period is UNKNOWN.
    """
    path: Path = args["path"]
    read = _read(ctx, path, "a Cloud KMS key")
    if isinstance(read, Outcome):
        return read
    key, pointer = read
    limit = resolve_expected(ctx, args["days"])
    if not isinstance(limit, int):
        return unknown(f"profile parameter {args['days'].name} is not a number of days", UnknownKind.CONTEXT)
    period = key.get("rotationPeriod")
    ctx.observe(f"{path.text}.rotationPeriod", period, {"at most days": limit}, "rotation", f"{pointer}/rotationPeriod")
    if period is None:
        return false("the key has no rotationPeriod: it is never rotated automatically")
    seconds = duration_seconds(period)
    if seconds is None:
        return unknown(f"rotationPeriod {period!r} is not a duration in seconds", UnknownKind.MISSING)
    days = seconds / 86400
    shown = f"{days:g} days ({period})"
    if days <= limit:
        return true(f"the key rotates every {shown}, within {limit} days")
    return false(f"the key rotates every {shown}, more than {limit} days")


# -- IAM policies --------------------------------------------------------------------------------


def _bindings(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [b for b in policy.get("bindings") or [] if isinstance(b, Mapping)]


def _matcher(patterns: Iterable[Any]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _conditional(binding: Mapping[str, Any]) -> str:
    cond = binding.get("condition")
    return f" (conditional: {cond.get('title') or cond.get('expression')})" if isinstance(cond, Mapping) else ""


@predicate("gcp_iam_no_binding", path="path", roles="list", members="list", except_members="list?")
def iam_no_binding(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no binding of the IAM policy at ``path`` grants a role matching one of ``roles``
    to a member matching one of ``members`` (and none of ``except_members``).

    Patterns are regular expressions searched case-insensitively (anchor them: ``^allUsers$``,
    ``^roles/(owner|editor)$``). Conditional bindings count too: a condition narrows when the
    grant applies, not who holds it. A policy without bindings grants nothing.
    """
    path: Path = args["path"]
    read = _read(ctx, path, "an IAM policy")
    if isinstance(read, Outcome):
        return read
    policy, pointer = read
    roles, members = _matcher(args["roles"]), _matcher(args["members"])
    excepted = _matcher(args["except_members"]) if args.get("except_members") else None
    expected = {"no role matching": args["roles"], "for members matching": args["members"]}
    for i, binding in enumerate(_bindings(policy)):
        role = str(binding.get("role", ""))
        if not roles.search(role):
            continue
        bad = [
            str(m)
            for m in binding.get("members") or []
            if members.search(str(m)) and not (excepted and excepted.search(str(m)))
        ]
        if bad:
            ctx.observe(f"{path.text}.bindings[{i}]", dict(binding), expected, "iam", f"{pointer}/bindings/{i}")
            return false(f"the policy grants {role} to {', '.join(bad)}{_conditional(binding)}")
    ctx.observe(f"{path.text}.bindings", len(_bindings(policy)), expected, "iam", f"{pointer}/bindings")
    return true(f"none of {len(_bindings(policy))} bindings grants a matching role to a matching member")


@predicate("gcp_iam_separation_of_duties", path="path", first="list", second="list")
def iam_separation_of_duties(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no member of the IAM policy at ``path`` holds both a role of ``first`` and a role
    of ``second`` (exact role names), e.g. Cloud KMS Admin and CryptoKey Encrypter/Decrypter.
    Conditional bindings count, as in :func:`iam_no_binding`.
    """
    path: Path = args["path"]
    read = _read(ctx, path, "an IAM policy")
    if isinstance(read, Outcome):
        return read
    policy, pointer = read
    first, second = set(args["first"]), set(args["second"])
    held: dict[str, set[str]] = {}
    for binding in _bindings(policy):
        for member in binding.get("members") or []:
            held.setdefault(str(member), set()).add(str(binding.get("role", "")))
    ctx.observe(
        f"{path.text}.bindings",
        len(_bindings(policy)),
        {"no member with": [args["first"], args["second"]]},
        "separation_of_duties",
        f"{pointer}/bindings",
    )
    for member, roles in sorted(held.items()):
        a, b = sorted(roles & first), sorted(roles & second)
        if a and b:
            return false(f"{member} holds both {', '.join(a)} and {', '.join(b)}")
    return true(f"no member holds both a role of {sorted(first)} and one of {sorted(second)}")


@predicate("gcp_audit_logs_cover", path="path", service="str", log_types="list")
def audit_logs_cover(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the IAM policy at ``path`` turns on every audit log type of ``log_types`` for
    ``service`` with no exempted members.

    The effective configuration of a service is the union of its own ``auditConfigs`` entry and
    the ``allServices`` entry, exemptions included, as Cloud Audit Logs merges them. A policy
    without ``auditConfigs`` has Data Access audit logs off (the default): FALSE. Configurations
    inherited from a folder or the organisation are not in a project's policy and are not read.
    """
    path: Path = args["path"]
    read = _read(ctx, path, "an IAM policy")
    if isinstance(read, Outcome):
        return read
    policy, pointer = read
    service = str(args["service"])
    relevant = {service, "allServices"}
    configs = [c for c in policy.get("auditConfigs") or [] if isinstance(c, Mapping) and c.get("service") in relevant]
    enabled: set[str] = set()
    exempted: dict[str, list[str]] = {}
    for config in configs:
        for entry in config.get("auditLogConfigs") or []:
            log_type = str(entry.get("logType", ""))
            enabled.add(log_type)
            exempted.setdefault(log_type, []).extend(str(m) for m in entry.get("exemptedMembers") or [])
    wanted = [str(t) for t in args["log_types"]]
    ctx.observe(
        f"{path.text}.auditConfigs",
        configs,
        {"service": service, "log types": wanted, "exempted": []},
        "audit_config",
        f"{pointer}/auditConfigs",
    )
    missing = [t for t in wanted if t not in enabled]
    if missing:
        where = "" if configs else " (no audit configuration for it or allServices)"
        return false(f"audit log type(s) {', '.join(missing)} are off for {service}{where}")
    exempt = {t: sorted(set(exempted[t])) for t in wanted if exempted.get(t)}
    if exempt:
        shown = "; ".join(f"{t}: {', '.join(m)}" for t, m in exempt.items())
        return false(f"members are exempted from {service} audit logs ({shown})")
    return true(f"{', '.join(wanted)} audit logs are on for {service} with no exempted members")


# -- dates ---------------------------------------------------------------------------------------


def parse_time(text: Any) -> datetime | None:
    """An RFC 3339 timestamp as the Google APIs write it (``2026-10-01T00:00:00Z``, fractions allowed)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@predicate("gcp_keys_rotated_within", path="path", days="param", reference="path")
def keys_rotated_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when every enabled user-managed key in the key list at ``path`` was created
    (``validAfterTime``) within ``days`` days before the time at ``reference`` (when the list was
    collected), so a re-evaluation years later gives the same answer. Disabled keys and
    Google-managed (``SYSTEM_MANAGED``) keys do not count. An unreadable date is UNKNOWN.
    """
    path: Path = args["path"]
    keys, why = ctx.read(path)
    if why is not None:
        return why
    ref_path: Path = args["reference"]
    ref_value, why = ctx.read(ref_path)
    if why is not None:
        return why
    days = resolve_expected(ctx, args["days"])
    reference = parse_time(ref_value)
    if not isinstance(keys, list) or reference is None or not isinstance(days, int):
        return unknown(f"cannot read {path.text} against {ref_path.text}={ref_value!r}", UnknownKind.MISSING)
    cutoff = reference - timedelta(days=days)
    pointer = path.pointer("/data", ctx.current.record.get("data"))
    counted = 0
    for i, key in enumerate(keys):
        if not isinstance(key, Mapping) or key.get("disabled") is True or key.get("keyType") == "SYSTEM_MANAGED":
            continue
        counted += 1
        created = key.get("validAfterTime")
        ctx.observe(
            f"{path.text}[{i}].validAfterTime",
            created,
            {"after": cutoff.isoformat()},
            "within",
            f"{pointer}/{i}/validAfterTime",
        )
        moment = parse_time(created)
        key_id = str(key.get("name", i)).rsplit("/", 1)[-1]
        if moment is None:
            return unknown(f"key {key_id} has no readable validAfterTime ({created!r})", UnknownKind.MISSING)
        if moment < cutoff:
            age = (reference - moment).days
            return false(
                f"user-managed key {key_id} was created {created}, {age} days before {ref_value} (more than {days})"
            )
    if not counted:
        ctx.observe(path.text, 0, {"after": cutoff.isoformat()}, "within", pointer)
        return true("no enabled user-managed key")
    return true(f"{counted} enabled user-managed key(s), each created within {days} days before {ref_value}")


# -- Organization Policy (v2 effective policies) ------------------------------------------------


def _rules(ctx: EvalContext, path: Path) -> tuple[list[Mapping[str, Any]], str] | Outcome:
    """The rules of the effective policy at ``path`` (observed). No ``spec`` or no rules: the
    constraint is not set anywhere above the project, so Google's default applies (none restrict)."""
    read = _read(ctx, path, "an effective organization policy")
    if isinstance(read, Outcome):
        return read
    policy, pointer = read
    spec = policy.get("spec")
    rules = [r for r in (spec.get("rules") if isinstance(spec, Mapping) else None) or [] if isinstance(r, Mapping)]
    ctx.observe(f"{path.text}.spec.rules", rules, "restricting rules", "org_policy", f"{pointer}/spec/rules")
    return rules, str(policy.get("name", path.text)).rsplit("/", 1)[-1]


def _values(rule: Mapping[str, Any], key: str) -> list[str]:
    values = rule.get("values")
    return [str(v) for v in (values.get(key) if isinstance(values, Mapping) else None) or []]


def _unset(constraint: str) -> Outcome:
    return false(f"{constraint} is not set on the project or above it (not enforced)")


@predicate("gcp_org_policy_enforced", path="path")
def org_policy_enforced(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the effective boolean policy at ``path`` enforces its constraint in every rule.
    A rule with ``enforce: false`` (typically a tag condition exempting some resources) or no
    rules at all is FALSE: the constraint does not hold everywhere in the project."""
    found = _rules(ctx, args["path"])
    if isinstance(found, Outcome):
        return found
    rules, constraint = found
    if not rules:
        return _unset(constraint)
    loose = [r for r in rules if r.get("enforce") is not True]
    if loose:
        cond = loose[0].get("condition")
        why = f" when {cond.get('expression')}" if isinstance(cond, Mapping) else ""
        return false(f"{constraint} is not enforced{why}")
    return true(f"{constraint} is enforced")


def _restricting(rules: list[Mapping[str, Any]], constraint: str) -> Outcome | None:
    """FALSE unless every rule limits the constraint to an allow list (or denies everything)."""
    if not rules:
        return _unset(constraint)
    for rule in rules:
        if rule.get("allowAll") is True:
            return false(f"{constraint} allows all values")
        if rule.get("denyAll") is not True and not _values(rule, "allowedValues"):
            return false(f"{constraint} has a rule without an allow list ({dict(rule)!r})")
    return None


@predicate("gcp_org_policy_restricts", path="path")
def org_policy_restricts(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the effective list policy at ``path`` limits its constraint to an allow list in
    every rule (``values.allowedValues``, or ``denyAll``); ``allowAll``, a deny list alone or no
    rules are FALSE. Used for ``iam.allowedPolicyMemberDomains``."""
    found = _rules(ctx, args["path"])
    if isinstance(found, Outcome):
        return found
    rules, constraint = found
    problem = _restricting(rules, constraint)
    if problem is not None:
        return problem
    allowed = sorted({v for r in rules for v in _values(r, "allowedValues")})
    return true(f"{constraint} allows only {allowed or 'nothing'}")


def location_region(value: str) -> str:
    """The region a ``gcp.resourceLocations`` value names: ``in:asia-northeast3-locations`` and
    ``asia-northeast3-a`` give ``asia-northeast3``; a multi-region group keeps its name (``asia``)."""
    text = value.strip().lower().removeprefix("in:").removesuffix("-locations")
    return re.sub(r"^([a-z]+-[a-z]+\d+)-[a-z]$", r"\1", text)


@predicate("gcp_org_policy_locations_within", path="path", regions="param")
def org_policy_locations_within(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the effective ``gcp.resourceLocations`` policy at ``path`` allows only locations
    inside the profile's ``regions``: every rule has an allow list, and each value (a region, a
    zone or an ``in:<region>-locations`` group) is in one of them. Multi-region groups such as
    ``in:asia-locations`` reach outside Korea and are FALSE; no policy is FALSE."""
    found = _rules(ctx, args["path"])
    if isinstance(found, Outcome):
        return found
    rules, constraint = found
    regions = resolve_expected(ctx, args["regions"])
    if not isinstance(regions, list):
        return unknown(f"profile parameter {args['regions'].name} is not a list of regions", UnknownKind.CONTEXT)
    problem = _restricting(rules, constraint)
    if problem is not None:
        return problem
    allowed = [v for r in rules for v in _values(r, "allowedValues")]
    outside = [v for v in allowed if location_region(v) not in regions]
    if outside:
        return false(f"{constraint} also allows {', '.join(outside)}, outside {regions}")
    return true(f"{constraint} allows only {allowed or 'nothing'}, inside {regions}")


@predicate("gcp_org_policy_denies", path="path", values="list")
def org_policy_denies(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when every rule of the effective list policy at ``path`` denies all of ``values``
    (``denyAll``, or ``values.deniedValues`` naming each, with or without the ``is:`` prefix).
    Used for ``gcp.restrictNonCmekServices``, whose deny list names the services that must use CMEK."""
    found = _rules(ctx, args["path"])
    if isinstance(found, Outcome):
        return found
    rules, constraint = found
    if not rules:
        return _unset(constraint)
    wanted = [str(v) for v in args["values"]]
    for rule in rules:
        if rule.get("denyAll") is True:
            continue
        denied = {v.removeprefix("is:") for v in _values(rule, "deniedValues")}
        missing = [v for v in wanted if v not in denied]
        if missing:
            return false(f"{constraint} does not deny {', '.join(missing)}")
    return true(f"{constraint} denies {', '.join(wanted)}")


@predicate("gcp_seconds_at_least", path="path", days="param")
def seconds_at_least(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when the period at ``path``, in seconds (an int64 string such as a bucket's
    ``retentionPolicy.retentionPeriod``, or a Duration ``"31536000s"``), is at least ``days`` days.
    A period required only for some data classes gives NEEDS_CONTEXT when the class is unknown and
    the period lies between the two requirements."""
    path: Path = args["path"]
    value, why = ctx.read(path)
    if why is not None:
        return why
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    seconds = duration_seconds(text if text is None or text.endswith("s") else f"{text}s")
    if seconds is None:
        return unknown(f"{path.text} is not a number of seconds: {value!r}", UnknownKind.MISSING)
    days = seconds / 86400
    need = resolve_expected(ctx, args["days"])
    verdict = decide(lambda have, limit: isinstance(limit, int) and have >= limit, days, need)
    shown = {"base": need.base, "elevated": need.elevated} if isinstance(need, ContextRange) else need
    ctx.observe(
        path.text, value, {"at least days": shown}, "gte", path.pointer("/data", ctx.current.record.get("data"))
    )
    if isinstance(verdict, ContextRange):
        return unknown(f"{days:g} days: {verdict.reason}", UnknownKind.CONTEXT)
    if verdict:
        return true(f"{path.text} is {days:g} days, at least {shown}")
    return false(f"{path.text} is {days:g} days, less than {shown}")
