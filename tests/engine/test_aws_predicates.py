"""AWS predicates: security-group and network-ACL exposure, internet routes, tags, endpoint policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clearance.engine.conditions import State, UnknownKind

from .helpers import evaluate, record

SG = {"predicate": "aws_sg_no_internet_ingress_to_ports", "args": {"path": "D.Rules", "ports": ["admin_ports"]}}
NACL = {"predicate": "aws_nacl_no_internet_ingress_to_ports", "args": {"path": "D.Entries", "ports": ["admin_ports"]}}
ROUTES = {"predicate": "aws_routes_no_internet_egress", "args": {"path": "D.Routes"}}
TIER = {
    "predicate": "tag_in",
    "args": {"key": {"param": "network_tier_tag"}, "values": {"param": "public_network_tiers"}},
}
POLICY = {"predicate": "aws_endpoint_policy_restricted", "args": {"path": "D.PolicyDocument"}}


def sg_rule(proto: str, low: int | None = None, high: int | None = None, **sources: list[dict[str, str]]) -> dict:
    rule: dict[str, Any] = {"IpProtocol": proto, "IpRanges": [], "Ipv6Ranges": [], **sources}
    if low is not None:
        rule.update(FromPort=low, ToPort=high if high is not None else low)
    return rule


WORLD = {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
WORLD6 = {"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (sg_rule("tcp", 22, **WORLD), State.FALSE),
        (sg_rule("tcp", 3000, 4000, **WORLD), State.FALSE),  # range contains 3389
        (sg_rule("-1", **WORLD6), State.FALSE),  # all protocols, all ports, IPv6
        (sg_rule("6", 0, 65535, **WORLD), State.FALSE),  # protocol number
        (sg_rule("tcp", 443, **WORLD), State.TRUE),
        (sg_rule("tcp", 22, IpRanges=[{"CidrIp": "203.0.113.0/24"}]), State.TRUE),
        (sg_rule("udp", 0, 65535, **WORLD), State.TRUE),
        (sg_rule("tcp", 22, UserIdGroupPairs=[{"GroupId": "sg-1"}]), State.TRUE),
    ],
)
def test_security_group_rules_exposing_admin_ports(rule: dict, state: State) -> None:
    out, _ = evaluate(SG, record({"D": {"Rules": [rule]}}))
    assert out.state is state, out.reason


def test_security_group_failure_names_the_rule_span_and_source() -> None:
    rules = [sg_rule("tcp", 443, **WORLD), sg_rule("tcp", 20, 25, **WORLD)]
    out, ctx = evaluate(SG, record({"D": {"Rules": rules}}))
    assert out.state is State.FALSE
    assert "rule 1" in out.reason and "tcp 20-25" in out.reason and "[22, 23]" in out.reason
    assert ctx.observations[0].source is not None and ctx.observations[0].source.pointer == "/data/D/Rules/1"


def test_security_group_rules_that_failed_to_collect_are_unknown() -> None:
    rec = record({})
    rec["errors"] = {
        "D": {"operation": "D", "code": "UnauthorizedOperation", "message": "", "permission": "ec2:D", "denied": True}
    }
    out, _ = evaluate(SG, rec)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.ERROR


def entry(number: int, action: str, proto: str = "-1", ports: tuple[int, int] | None = None, **source: str) -> dict:
    item: dict[str, Any] = {"RuleNumber": number, "RuleAction": action, "Protocol": proto, "Egress": False, **source}
    if ports:
        item["PortRange"] = {"From": ports[0], "To": ports[1]}
    return item


ANY4 = {"CidrBlock": "0.0.0.0/0"}
ANY6 = {"Ipv6CidrBlock": "::/0"}
DEFAULT_DENY = [entry(32767, "deny", **ANY4), entry(32767, "deny", **ANY6)]


@pytest.mark.parametrize(
    ("entries", "state"),
    [
        ([entry(100, "allow", **ANY4)], State.FALSE),
        ([entry(90, "deny", "6", (0, 65535), **ANY4), entry(100, "allow", **ANY4)], State.TRUE),
        ([entry(100, "allow", **ANY4), entry(90, "deny", **ANY4)], State.TRUE),  # order is by number, not position
        ([entry(90, "deny", **ANY4), entry(100, "allow", **ANY6)], State.FALSE),  # IPv4 deny does not stop IPv6
        ([entry(90, "deny", "17", (0, 65535), **ANY4), entry(100, "allow", **ANY4)], State.FALSE),  # UDP deny
        ([entry(90, "deny", **{"CidrBlock": "198.51.100.0/24"}), entry(100, "allow", **ANY4)], State.FALSE),
        ([entry(100, "allow", "6", (443, 443), **ANY4)], State.TRUE),
        ([entry(100, "allow", **{"CidrBlock": "10.0.0.0/8"})], State.TRUE),
        ([{**entry(100, "allow", **ANY4), "Egress": True}], State.TRUE),
    ],
)
def test_network_acl_first_matching_internet_entry_decides(entries: list[dict], state: State) -> None:
    out, _ = evaluate(NACL, record({"D": {"Entries": entries + DEFAULT_DENY}}))
    assert out.state is state, out.reason


def test_network_acl_failure_names_entry_ports_and_source() -> None:
    out, _ = evaluate(NACL, record({"D": {"Entries": [entry(120, "allow", "6", (3000, 4000), **ANY6)]}}))
    assert out.state is State.FALSE
    assert "entry 120" in out.reason and "[3389]" in out.reason and "::/0" in out.reason


@pytest.mark.parametrize(
    ("route", "state", "words"),
    [
        (
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
            State.FALSE,
            "internet gateway",
        ),
        ({"DestinationCidrBlock": "8.8.8.0/24", "GatewayId": "igw-1"}, State.FALSE, "8.8.8.0/24 -> igw-1"),
        ({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}, State.FALSE, "NAT gateway"),
        ({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}, State.FALSE, "egress-only"),
        ({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "blackhole"}, State.TRUE, ""),
        ({"DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": "eni-1"}, State.TRUE, ""),
        ({"DestinationCidrBlock": "0.0.0.0/0", "VpcEndpointId": "vpce-1"}, State.TRUE, ""),
        ({"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"}, State.TRUE, ""),
        ({"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-2"}, State.TRUE, ""),
    ],
)
def test_routes_to_internet_nat_and_egress_only_gateways_are_internet_egress(
    route: dict, state: State, words: str
) -> None:
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
    out, _ = evaluate(ROUTES, record({"D": {"Routes": [local, route]}}))
    assert out.state is state, out.reason
    assert words in out.reason


def test_routes_that_are_not_a_list_are_unknown() -> None:
    out, _ = evaluate(ROUTES, record({"D": {"Routes": "igw-1"}}))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING


@pytest.mark.parametrize(
    ("tags", "state"),
    [
        ({"tier": "public"}, State.TRUE),
        ({"tier": " DMZ "}, State.TRUE),
        ({"tier": "db"}, State.FALSE),
        ({}, State.UNKNOWN),
    ],
)
def test_tag_in_reads_tag_key_and_values_from_the_profile(tags: dict[str, str], state: State) -> None:
    out, ctx = evaluate(TIER, record({}, tags=tags))
    assert out.state is state, out.reason
    assert ctx.observations[0].path == "@tags.tier"
    if state is State.UNKNOWN:
        assert out.kind is UnknownKind.CONTEXT and "'tier' tag" in out.reason


def test_tag_in_with_literal_key_and_values() -> None:
    cond = {"predicate": "tag_in", "args": {"key": "genai", "values": ["false", "none"]}}
    out, _ = evaluate(cond, record({}, tags={"genai": "False"}))
    assert out.state is State.TRUE


FULL = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("policy", "state"),
    [
        (json.dumps(FULL), State.FALSE),
        (FULL, State.FALSE),
        (
            {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}]},
            State.FALSE,
        ),
        (
            {"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "s3:Delete*", "Resource": "*"}]},
            State.FALSE,
        ),
        (None, State.FALSE),
        (
            {
                "Statement": [
                    {**FULL["Statement"][0], "Condition": {"StringEquals": {"aws:ResourceOrgID": "o-1"}}},
                ]
            },
            State.TRUE,
        ),
        ({"Statement": [{**FULL["Statement"][0], "Resource": "arn:aws:s3:::crm/*"}]}, State.TRUE),
        ({"Statement": [{**FULL["Statement"][0], "Action": "bedrock:InvokeModel"}]}, State.TRUE),
        ({"Statement": [{**FULL["Statement"][0], "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}, State.TRUE),
        ({"Statement": [{**FULL["Statement"][0], "Effect": "Deny"}]}, State.TRUE),
    ],
)
def test_endpoint_policy_full_access_is_not_restricted(policy: Any, state: State) -> None:
    out, _ = evaluate(POLICY, record({"D": {"PolicyDocument": policy}}))
    assert out.state is state, out.reason


def test_endpoint_policy_that_is_not_json_is_unknown() -> None:
    out, _ = evaluate(POLICY, record({"D": {"PolicyDocument": "{not json"}}))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING
