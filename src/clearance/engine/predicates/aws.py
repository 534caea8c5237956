"""AWS-specific predicates: security-group and network-ACL exposure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..conditions import EvalContext, Outcome, UnknownKind, false, resolve_expected, true, unknown
from ..paths import Path
from . import predicate
from .network import covered, is_internet

_TCP = {"tcp", "6", "-1", "all"}


def _ports(ctx: EvalContext, params: list[Any]) -> list[int] | Outcome:
    ports: list[int] = []
    for p in params:
        value = resolve_expected(ctx, p)
        if not isinstance(value, list) or not all(isinstance(x, int) for x in value):
            return unknown(f"profile parameter {p.name} is not a list of ports", UnknownKind.CONTEXT)
        ports.extend(value)
    return sorted(set(ports))


def _sg_rule_sources(rule: Mapping[str, Any]) -> list[str]:
    out = [r.get("CidrIp", "") for r in rule.get("IpRanges") or []]
    out += [r.get("CidrIpv6", "") for r in rule.get("Ipv6Ranges") or []]
    return [s for s in out if is_internet(s)]


@predicate("aws_sg_no_internet_ingress_to_ports", path="path", ports="params")
def sg_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when no ingress rule opens any of the profile's ports to 0.0.0.0/0 or ::/0.

    Protocol ``-1`` covers every port; TCP rules cover FromPort..ToPort inclusive.
    """
    path: Path = args["path"]
    rules, why = ctx.read(path)
    if why is not None:
        return why
    ports = _ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    pointer = path.pointer("/data")
    for i, rule in enumerate(rules or []):
        sources = _sg_rule_sources(rule)
        proto = str(rule.get("IpProtocol", "")).lower()
        if not sources or proto not in _TCP:
            continue
        if proto in ("-1", "all"):
            low, high = 0, 65535
        else:
            low, high = int(rule.get("FromPort", 0)), int(rule.get("ToPort", 65535))
        hit = covered(ports, low, high)
        if hit:
            ctx.observe(f"{path.text}[{i}]", rule, {"no internet ingress to": ports}, "ports", f"{pointer}/{i}")
            span = "all ports" if proto in ("-1", "all") else f"tcp {low}-{high}"
            return false(f"ingress rule {i} allows {span} from {', '.join(sources)}, covering port(s) {hit}")
    ctx.observe(path.text, len(rules or []), {"no internet ingress to": ports}, "ports", pointer)
    return true(f"none of {len(rules or [])} ingress rules opens {ports} to the internet")


@predicate("aws_nacl_no_internet_ingress_to_ports", path="path", ports="params")
def nacl_no_internet_ingress(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when, for each port, the first inbound entry (by rule number) matching all addresses denies it."""
    path: Path = args["path"]
    entries, why = ctx.read(path)
    if why is not None:
        return why
    ports = _ports(ctx, args["ports"])
    if isinstance(ports, Outcome):
        return ports
    inbound = sorted(
        (e for e in entries or [] if not e.get("Egress") and is_internet(e.get("CidrBlock") or e.get("Ipv6CidrBlock"))),
        key=lambda e: int(e.get("RuleNumber", 32767)),
    )
    exposed: dict[int, dict[str, Any]] = {}
    for port in ports:
        for entry in inbound:
            proto = str(entry.get("Protocol", "")).lower()
            if proto not in _TCP:
                continue
            rng = entry.get("PortRange") or {}
            low, high = (0, 65535) if proto in ("-1", "all") else (int(rng.get("From", 0)), int(rng.get("To", 65535)))
            if low <= port <= high:
                if entry.get("RuleAction") == "allow":
                    exposed[port] = entry
                break
    pointer = path.pointer("/data")
    if exposed:
        port, entry = next(iter(sorted(exposed.items())))
        ctx.observe(path.text, entry, {"no internet ingress to": ports}, "ports", pointer)
        return false(f"inbound entry {entry.get('RuleNumber')} allows port(s) {sorted(exposed)} from the internet")
    ctx.observe(path.text, len(inbound), {"no internet ingress to": ports}, "ports", pointer)
    return true(f"no inbound entry allows {ports} from the internet")
