"""Azure predicates: NSG exposure by priority, Key Vault rotation periods, Owner counts,
custom admin roles and the content filter behind each Azure OpenAI deployment."""

from __future__ import annotations

from typing import Any

import pytest

from clearance.engine.conditions import State, UnknownKind
from clearance.engine.predicates.azure import duration_days

from .helpers import evaluate, record

NSG = {"predicate": "azure_nsg_no_internet_ingress_to_ports", "args": {"path": "N.rules", "ports": ["admin_ports"]}}
DB = {"predicate": "azure_nsg_no_internet_ingress_to_ports", "args": {"path": "N.rules", "ports": ["database_ports"]}}
ROTATION = {"predicate": "azure_key_rotation_within", "args": {"path": "K.properties", "days": "key_rotation_max_days"}}
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
OWNERS = {"predicate": "azure_role_assignments_at_most", "args": {"path": "RA", "roles": [OWNER], "max": 2}}
ADMIN = {"predicate": "azure_role_not_broad_admin", "args": {"path": "RD.properties"}}
FILTERS = {
    "predicate": "azure_deployments_filter_blocking",
    "args": {"deployments": "D", "policies": "P", "filters": ["Jailbreak"]},
}
SUB = "/subscriptions/00000000-0000-0000-0000-00000000c1ea"


def rule(
    priority: int,
    access: str = "Allow",
    *,
    source: str | list[str] = "*",
    ports: str | list[str] = "22",
    protocol: str = "Tcp",
    direction: str = "Inbound",
) -> dict[str, Any]:
    props: dict[str, Any] = {"priority": priority, "access": access, "protocol": protocol, "direction": direction}
    props["sourceAddressPrefixes" if isinstance(source, list) else "sourceAddressPrefix"] = source
    props["destinationPortRanges" if isinstance(ports, list) else "destinationPortRange"] = ports
    return {"name": f"r{priority}", "properties": props}


def nsg(*rules: dict[str, Any]) -> dict[str, Any]:
    return record({"N": {"rules": list(rules)}}, provider="azure", id=f"{SUB}/resourceGroups/rg/providers/x/nsg")


@pytest.mark.parametrize(
    ("rules", "state"),
    [
        ([rule(100)], State.FALSE),
        ([rule(100, source="Internet")], State.FALSE),
        ([rule(100, source="Any")], State.FALSE),
        ([rule(100, source=["10.0.0.0/8", "0.0.0.0/0"])], State.FALSE),  # plural prefixes
        ([rule(100, source="::/0")], State.FALSE),
        ([rule(100, ports="20-25")], State.FALSE),  # range expanded: covers 22 and 23
        ([rule(100, ports=["80", "3000-4000"])], State.FALSE),  # plural ranges: covers 3389
        ([rule(100, ports="*", protocol="*")], State.FALSE),
        ([rule(100, ports="443")], State.TRUE),
        ([rule(100, source="203.0.113.0/24")], State.TRUE),
        ([rule(100, source="VirtualNetwork")], State.TRUE),
        ([rule(100, protocol="Udp")], State.TRUE),
        ([rule(100, direction="Outbound")], State.TRUE),
        ([rule(100, "Deny")], State.TRUE),
        ([], State.TRUE),
    ],
)
def test_nsg_rule_exposing_admin_ports(rules: list[dict[str, Any]], state: State) -> None:
    out, _ = evaluate(NSG, nsg(*rules))
    assert out.state is state, out.reason


def test_nsg_deny_with_lower_priority_number_wins_over_a_later_allow() -> None:
    out, _ = evaluate(NSG, nsg(rule(200, ports="*", protocol="*"), rule(100, "Deny", ports="0-65535")))
    assert out.state is State.TRUE, out.reason


def test_nsg_allow_before_the_deny_is_exposure_and_names_the_rule() -> None:
    out, ctx = evaluate(NSG, nsg(rule(300, "Deny", ports="*"), rule(110, ports="3389")))
    assert out.state is State.FALSE
    assert "'r110'" in out.reason and "priority 110" in out.reason and "[3389]" in out.reason
    assert ctx.observations[0].source is not None and ctx.observations[0].source.pointer == "/data/N/rules/1"


def test_nsg_deny_of_one_family_leaves_the_other_exposed() -> None:
    out, _ = evaluate(NSG, nsg(rule(100, "Deny", source="0.0.0.0/0", ports="*"), rule(200, source="*")))
    assert out.state is State.FALSE and "ipv6" in out.reason
    closed, _ = evaluate(NSG, nsg(rule(100, "Deny", source="Internet", ports="*"), rule(200, source="*")))
    assert closed.state is State.TRUE


def test_nsg_narrow_deny_does_not_close_the_internet() -> None:
    out, _ = evaluate(NSG, nsg(rule(100, "Deny", source="198.51.100.0/24"), rule(200)))
    assert out.state is State.FALSE


def test_nsg_database_ports_use_their_own_list() -> None:
    assert evaluate(DB, nsg(rule(100, ports="1433")))[0].state is State.FALSE
    assert evaluate(DB, nsg(rule(100, ports="22")))[0].state is State.TRUE


def test_nsg_unreadable_port_range_is_unknown_not_pass() -> None:
    out, _ = evaluate(NSG, nsg(rule(100, ports="ssh")))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING


def test_nsg_rules_that_failed_to_collect_are_errors() -> None:
    rec = nsg()
    rec["data"] = {}
    rec["errors"] = {"N": {"operation": "N", "code": "AuthorizationFailed", "message": "", "denied": True}}
    out, _ = evaluate(NSG, rec)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.ERROR


@pytest.mark.parametrize(
    ("text", "days"),
    [("P90D", 90), ("P1Y", 365), ("P18M", 540), ("P2W", 14), ("P1Y6M", 545), ("p30d", 30)],
)
def test_iso_durations_in_days(text: str, days: int) -> None:
    assert duration_days(text) == days


@pytest.mark.parametrize("text", ["P", "PT12H", "90", "", None, "P-1D"])
def test_unreadable_durations_are_none(text: Any) -> None:
    assert duration_days(text) is None


def policy(*actions: tuple[str, dict[str, str]], expiry: str | None = "P2Y") -> dict[str, Any]:
    out: dict[str, Any] = {"lifetimeActions": [{"trigger": t, "action": {"type": a}} for a, t in actions]}
    if expiry:
        out["attributes"] = {"expiryTime": expiry}
    return out


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (policy(("rotate", {"timeAfterCreate": "P90D"})), State.TRUE),
        (policy(("Rotate", {"timeAfterCreate": "P1Y"})), State.TRUE),  # exactly the limit
        (policy(("rotate", {"timeAfterCreate": "P13M"})), State.FALSE),
        (policy(("rotate", {"timeBeforeExpiry": "P30D"}), expiry="P1Y"), State.TRUE),  # 335 days
        (policy(("rotate", {"timeBeforeExpiry": "P30D"}), expiry="P2Y"), State.FALSE),  # 700 days
        (policy(("notify", {"timeBeforeExpiry": "P30D"})), State.FALSE),
        (policy(), State.FALSE),
        (None, State.FALSE),
        (policy(("rotate", {"timeBeforeExpiry": "P30D"}), expiry=None), State.UNKNOWN),
        (policy(("rotate", {"timeAfterCreate": "PT1H"})), State.UNKNOWN),
    ],
)
def test_key_rotation_period(value: Any, state: State) -> None:
    out, _ = evaluate(ROTATION, record({"K": {"properties": {"rotationPolicy": value}}}, provider="azure"))
    assert out.state is state, out.reason


def test_key_without_a_rotation_policy_fails_but_unreadable_properties_are_unknown() -> None:
    out, _ = evaluate(ROTATION, record({"K": {"properties": {"kty": "RSA"}}}, provider="azure"))
    assert out.state is State.FALSE and "no rotation policy" in out.reason
    out, _ = evaluate(ROTATION, record({"K": {}}, provider="azure"))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING


def test_notify_only_policy_says_the_key_is_never_rotated() -> None:
    out, _ = evaluate(
        ROTATION, record({"K": {"properties": {"rotationPolicy": policy(("notify", {"timeBeforeExpiry": "P30D"}))}}})
    )
    assert "no Rotate action" in out.reason


def assignment(principal: str, role: str = OWNER, scope: str = SUB) -> dict[str, Any]:
    role_id = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    return {"properties": {"principalId": principal, "roleDefinitionId": role_id, "scope": scope}}


def subscription(*items: dict[str, Any]) -> dict[str, Any]:
    return record({"RA": list(items)}, provider="azure", id=SUB)


def test_owner_count_counts_distinct_principals_at_the_subscription_scope_only() -> None:
    items = [
        assignment("a"),
        assignment("b"),
        assignment("b"),  # same principal twice (e.g. a condition variant)
        assignment("c", scope="/"),  # inherited from the root
        assignment("d", scope=f"{SUB}/resourceGroups/rg"),
        assignment("e", role="b24988ac-6180-42a0-ab88-20f7382dd24c"),  # Contributor
    ]
    out, ctx = evaluate(OWNERS, subscription(*items))
    assert out.state is State.TRUE, out.reason
    assert ctx.observations[0].value == ["a", "b"]
    out, _ = evaluate(OWNERS, subscription(*items, assignment("f")))
    assert out.state is State.FALSE and "3 principal(s)" in out.reason


def test_owner_count_scope_comparison_ignores_case() -> None:
    out, _ = evaluate(OWNERS, subscription(*(assignment(p, scope=SUB.upper()) for p in "xyz")))
    assert out.state is State.FALSE


def role(actions: list[str], scopes: list[str]) -> dict[str, Any]:
    props = {"roleName": "r", "assignableScopes": scopes, "permissions": [{"actions": actions, "notActions": ["x"]}]}
    return record({"RD": {"properties": props}}, provider="azure")


@pytest.mark.parametrize(
    ("actions", "scopes", "state"),
    [
        (["*"], [SUB], State.FALSE),
        (["*"], ["/"], State.FALSE),
        (["*"], ["/providers/Microsoft.Management/managementGroups/mg-root"], State.FALSE),
        (["*"], [f"{SUB}/resourceGroups/rg-app"], State.TRUE),
        (["Microsoft.Compute/*/read"], [SUB], State.TRUE),
    ],
)
def test_custom_role_granting_everything_at_broad_scope(actions: list[str], scopes: list[str], state: State) -> None:
    out, _ = evaluate(ADMIN, role(actions, scopes))
    assert out.state is state, out.reason


def deployment(name: str, policy_name: str | None) -> dict[str, Any]:
    props = {"raiPolicyName": policy_name} if policy_name else {}
    return {"name": name, "properties": props}


def rai(name: str, *filters: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "properties": {"contentFilters": list(filters)}}


SHIELD = {"name": "Jailbreak", "enabled": True, "blocking": True, "source": "Prompt"}


@pytest.mark.parametrize(
    ("deployments", "policies", "state"),
    [
        ([deployment("a", "strict")], [rai("strict", SHIELD)], State.TRUE),
        ([deployment("a", "STRICT")], [rai("strict", SHIELD)], State.TRUE),  # names are case-insensitive
        ([deployment("a", "strict")], [rai("strict", {**SHIELD, "blocking": False})], State.FALSE),
        ([deployment("a", "strict")], [rai("strict", {**SHIELD, "enabled": False})], State.FALSE),
        ([deployment("a", "strict")], [rai("strict", {**SHIELD, "name": "Hate"})], State.FALSE),
        ([deployment("a", None)], [rai("strict", SHIELD)], State.FALSE),
        ([deployment("a", "gone")], [rai("strict", SHIELD)], State.UNKNOWN),
        ([deployment("a", "gone"), deployment("b", None)], [], State.FALSE),  # a known failure wins
        ([], [], State.TRUE),
    ],
)
def test_deployments_need_a_blocking_jailbreak_filter(
    deployments: list[dict[str, Any]], policies: list[dict[str, Any]], state: State
) -> None:
    out, _ = evaluate(FILTERS, record({"D": deployments, "P": policies}, provider="azure"))
    assert out.state is state, out.reason
