"""Network checks (NSGs, subnets, routes, private endpoints, Network Watcher, flow logs) through the
real scan path (fake ARM over HTTP -> collect -> link -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

NETWORK = ("network",)
ADMIN = "azure-network-nsg-no-internet-admin-ports"
DATABASE = "azure-network-nsg-no-internet-database-ports"


def nsg_id(name: str) -> str:
    return b.arm_id("Microsoft.Network/networkSecurityGroups", name)


def rt_id(name: str) -> str:
    return b.arm_id("Microsoft.Network/routeTables", name)


def vnet_id(name: str) -> str:
    return b.arm_id("Microsoft.Network/virtualNetworks", name)


def network(fake: FakeArm, name: str, *subnets: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """A VNet and its subnets, each also served at its own id (Subnets_List reads them there)."""
    body = b.vnet(name, list(subnets), **kw)
    fake.add(body, *subnets)
    return body


def test_nsg_admin_and_database_port_exposure(arm: FakeArm, azure_scan: Any) -> None:
    rule = b.security_rule
    arm.add(
        b.nsg("nsg-web", [rule("https", 100, source="Internet", ports="443", nsg="nsg-web")]),
        b.nsg("nsg-ssh", [rule("ssh", 100, source="*", ports="22", nsg="nsg-ssh")]),
        b.nsg("nsg-range", [rule("legacy", 120, source=["10.0.0.0/8", "0.0.0.0/0"], ports="20-25", nsg="nsg-range")]),
        b.nsg("nsg-sql", [rule("db", 130, source="Any", ports=["443", "1400-1500"], nsg="nsg-sql")]),
        b.nsg(
            "nsg-denied",
            [
                rule(
                    "deny-admin", 100, source="Internet", ports="0-65535", access="Deny", protocol="*", nsg="nsg-denied"
                ),
                rule("allow-all", 4000, source="*", ports="*", protocol="*", nsg="nsg-denied"),
            ],
        ),
        b.nsg(
            "nsg-late-deny",
            [
                rule("allow-rdp", 200, source="Internet", ports="3389", nsg="nsg-late-deny"),
                rule("deny-all", 300, source="*", ports="*", access="Deny", protocol="*", nsg="nsg-late-deny"),
            ],
        ),
        b.nsg("nsg-office", [rule("ssh-office", 100, source="203.0.113.0/24", ports="22", nsg="nsg-office")]),
    )
    result = azure_scan(checks=[ADMIN, DATABASE], services=NETWORK)
    assert result.verdicts(ADMIN) == {
        "nsg-web": "PASS",
        "nsg-ssh": "FAIL",
        "nsg-range": "FAIL",
        "nsg-sql": "PASS",
        "nsg-denied": "PASS",
        "nsg-late-deny": "FAIL",
        "nsg-office": "PASS",
    }
    assert result.verdicts(DATABASE) == {
        "nsg-web": "PASS",
        "nsg-ssh": "PASS",
        "nsg-range": "PASS",
        "nsg-sql": "FAIL",
        "nsg-denied": "PASS",
        "nsg-late-deny": "PASS",
        "nsg-office": "PASS",
    }
    ranged = result.finding(ADMIN, "nsg-range")["reason"]
    assert "'legacy'" in ranged and "[22, 23]" in ranged and "0.0.0.0/0" in ranged
    assert "[1433]" in result.finding(DATABASE, "nsg-sql")["reason"]


def test_subnets_need_an_nsg_except_platform_subnets(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.nsg("nsg-app"))
    network(
        arm,
        "vnet-app",
        b.subnet("vnet-app", "snet-app", nsg_id=nsg_id("nsg-app")),
        b.subnet("vnet-app", "snet-bare", "10.10.2.0/24"),
        b.subnet("vnet-app", "GatewaySubnet", "10.10.255.0/27"),
    )
    result = azure_scan(checks=["azure-network-subnet-has-nsg"], services=NETWORK)
    assert result.verdicts("azure-network-subnet-has-nsg") == {
        "snet-app": "PASS",
        "snet-bare": "FAIL",
        "GatewaySubnet": "NOT_APPLICABLE",
    }


def test_internal_subnets_send_internet_traffic_to_a_firewall(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.route_table("rt-firewall"),
        b.route_table("rt-direct", [b.route("to-web", "0.0.0.0/0", "Internet", table="rt-direct")]),
        b.route_table(
            "rt-leaky",
            [
                b.route("default", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4", table="rt-leaky"),
                b.route("saas", "52.0.0.0/8", "Internet", table="rt-leaky"),
            ],
        ),
        b.route_table("rt-onprem", [b.route("corp", "10.0.0.0/8", "VirtualNetworkGateway", table="rt-onprem")]),
        b.route_table("rt-tunnel", [b.route("forced", "0.0.0.0/0", "VirtualNetworkGateway", table="rt-tunnel")]),
        b.route_table("rt-drop", [b.route("blackhole", "0.0.0.0/0", "None", table="rt-drop")]),
    )
    internal = {"tier": "app"}
    network(
        arm,
        "vnet-app",
        b.subnet("vnet-app", "snet-inspected", route_table_id=rt_id("rt-firewall")),
        b.subnet("vnet-app", "snet-direct", "10.10.2.0/24", route_table_id=rt_id("rt-direct")),
        b.subnet("vnet-app", "snet-leaky", "10.10.3.0/24", route_table_id=rt_id("rt-leaky")),
        b.subnet("vnet-app", "snet-onprem", "10.10.4.0/24", route_table_id=rt_id("rt-onprem")),
        b.subnet("vnet-app", "snet-default", "10.10.5.0/24"),
        b.subnet("vnet-app", "snet-tunnelled", "10.10.6.0/24", route_table_id=rt_id("rt-tunnel")),
        b.subnet("vnet-app", "snet-isolated", "10.10.7.0/24", route_table_id=rt_id("rt-drop")),
        b.subnet("vnet-app", "AzureFirewallSubnet", "10.10.254.0/26"),
        tags=internal,
    )
    network(arm, "vnet-dmz", b.subnet("vnet-dmz", "snet-web", "10.20.1.0/24"), tags={"tier": "dmz"})
    network(
        arm,
        "vnet-untagged",
        b.subnet("vnet-untagged", "snet-unknown", "10.30.1.0/24"),
        b.subnet("vnet-untagged", "snet-unknown-ok", "10.30.2.0/24", route_table_id=rt_id("rt-firewall")),
    )
    check = "azure-network-subnet-egress-via-firewall"
    result = azure_scan(checks=[check], services=NETWORK)
    assert result.verdicts(check) == {
        "snet-inspected": "PASS",
        "snet-direct": "FAIL",
        "snet-leaky": "FAIL",
        "snet-onprem": "FAIL",
        "snet-default": "FAIL",
        "snet-tunnelled": "PASS",
        "snet-isolated": "PASS",
        "AzureFirewallSubnet": "NOT_APPLICABLE",
        "snet-web": "NOT_APPLICABLE",
        "snet-unknown": "NEEDS_CONTEXT",
        "snet-unknown-ok": "PASS",
    }
    assert "system route" in result.finding(check, "snet-default")["reason"]
    assert "Internet" in result.finding(check, "snet-leaky")["reason"]


def test_private_endpoint_connections_must_be_approved(arm: FakeArm, azure_scan: Any) -> None:
    target = b.arm_id("Microsoft.Storage/storageAccounts", "stapp")
    arm.add(
        b.private_endpoint("pe-auto", target, ["blob"]),
        b.private_endpoint("pe-manual", target, ["blob"], manual=True),
        b.private_endpoint("pe-pending", target, ["blob"], status="Pending", manual=True),
        b.private_endpoint("pe-rejected", target, ["blob"], status="Rejected"),
        b.private_endpoint("pe-empty", target, ["blob"], privateLinkServiceConnections=[]),
    )
    check = "azure-network-private-endpoint-approved"
    result = azure_scan(checks=[check], services=NETWORK)
    assert result.verdicts(check) == {
        "pe-auto": "PASS",
        "pe-manual": "PASS",
        "pe-pending": "FAIL",
        "pe-rejected": "FAIL",
        "pe-empty": "FAIL",
    }


def test_network_watcher_in_every_region_with_a_vnet(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.network_watcher("koreacentral"))
    network(arm, "vnet-central")
    network(arm, "vnet-south", location="koreasouth")
    result = azure_scan(checks=["azure-network-watcher-enabled"], services=NETWORK)
    assert result.verdicts("azure-network-watcher-enabled") == {"vnet-central": "PASS", "vnet-south": "FAIL"}
    assert "No Network Watcher" in result.finding("azure-network-watcher-enabled", "vnet-south")["reason"]


def test_vnet_flow_logs_count_and_nsg_flow_logs_do_not(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.nsg("nsg-legacy"), b.network_watcher())
    network(arm, "vnet-logged")
    network(arm, "vnet-nsg-only", b.subnet("vnet-nsg-only", "snet-a", nsg_id=nsg_id("nsg-legacy")))
    network(arm, "vnet-disabled")
    network(arm, "vnet-dark")
    arm.add(
        b.flow_log("fl-vnet", vnet_id("vnet-logged")),
        b.flow_log("fl-nsg", nsg_id("nsg-legacy")),
        b.flow_log("fl-off", vnet_id("vnet-disabled"), enabled=False),
    )
    check = "azure-network-vnet-flow-logs"
    result = azure_scan(checks=[check, "azure-network-flow-log-not-nsg"], services=NETWORK)
    assert result.verdicts(check) == {
        "vnet-logged": "PASS",
        "vnet-nsg-only": "FAIL",
        "vnet-disabled": "FAIL",
        "vnet-dark": "FAIL",
    }
    reason = result.finding(check, "vnet-nsg-only")["reason"]
    assert "NSG flow logs are being retired" in reason
    assert result.verdicts("azure-network-flow-log-not-nsg") == {"fl-vnet": "PASS", "fl-nsg": "FAIL", "fl-off": "PASS"}


def test_flow_log_retention(arm: FakeArm, azure_scan: Any) -> None:
    target = vnet_id("vnet-app")
    arm.add(
        b.network_watcher(),
        b.flow_log("fl-1y", target),
        b.flow_log("fl-forever", target, retention_days=0),
        b.flow_log("fl-90d", target, retention_days=90),
    )
    check = "azure-network-flow-log-retention"
    result = azure_scan(checks=[check], services=NETWORK)
    assert result.verdicts(check) == {"fl-1y": "PASS", "fl-forever": "PASS", "fl-90d": "FAIL"}


def test_denied_nsg_listing_leaves_the_check_not_evaluated(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.nsg("nsg-ssh", [b.security_rule("ssh", 100, source="*", ports="22", nsg="nsg-ssh")]))
    arm.fail("*/providers/Microsoft.Network/networkSecurityGroups", status=403)
    result = azure_scan(checks=[ADMIN], services=NETWORK)
    assert result.verdicts(ADMIN) == {}
    entries = [c for c in result.coverage if c["check_id"] == ADMIN]
    assert entries and all(c["status"] == "not_evaluated" for c in entries)
    assert entries[0]["error"]["permission"] == "Microsoft.Network/networkSecurityGroups/read"


def test_failed_watcher_listing_makes_the_watcher_check_error_not_fail(arm: FakeArm, azure_scan: Any) -> None:
    network(arm, "vnet-central")
    arm.fail("*/providers/Microsoft.Network/networkWatchers", status=403)
    finding = azure_scan(checks=["azure-network-watcher-enabled"], services=NETWORK).finding(
        "azure-network-watcher-enabled", "vnet-central"
    )
    assert finding["verdict"] == "ERROR"
    assert "not in the inventory" in finding["reason"]
