"""Network collectors (NSGs, VNets, subnets, route tables, private endpoints, watchers, flow logs)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

NSG_ID = b.arm_id("Microsoft.Network/networkSecurityGroups", "nsg-app")
RT_ID = b.arm_id("Microsoft.Network/routeTables", "rt-app")
VNET_ID = b.arm_id("Microsoft.Network/virtualNetworks", "vnet-app")


def _network(fake: FakeArm) -> None:
    # Subnets name their NSG and route table in different casing than the NSG's own id (as ARM does).
    snet = b.subnet(
        "vnet-app",
        "snet-app",
        nsg_id=NSG_ID.lower(),
        route_table_id=RT_ID.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
    )
    fake.add(
        b.subscription(),
        b.nsg("nsg-app", [b.security_rule("allow-https", 100, source="Internet")], subnets=[{"id": snet["id"]}]),
        b.route_table("rt-app"),
        b.vnet("vnet-app", [snet]),
        snet,
        b.subnet("vnet-app", "snet-pe"),
        b.private_endpoint("pe-kv", b.arm_id("Microsoft.KeyVault/vaults", "kv-clearance"), ["vault"]),
    )


def test_nsg_vnet_subnets_route_tables_and_private_endpoints(fake_arm: FakeArm, azure_collect: Any) -> None:
    _network(fake_arm)

    got = azure_collect(services=("network",))

    nsg = got.record("azure.network.nsg", "nsg-app")
    rules = nsg["data"]["NetworkSecurityGroups_ListAll"]["properties"]["securityRules"]
    assert rules[0]["properties"]["sourceAddressPrefix"] == "Internet"
    snet = got.record("azure.network.subnet", "snet-app")
    assert snet["data"]["Subnets_List"]["properties"]["addressPrefix"] == "10.10.1.0/24"
    assert snet["region"] == "koreacentral"  # subnets have no location: the VNet's
    # Links are matched case-insensitively and rewritten to the collected resource's own id.
    assert snet["links"]["nsg"] == [NSG_ID]
    assert snet["links"]["route_table"] == [RT_ID]
    assert snet["links"]["vnet"] == [VNET_ID]
    assert nsg["links"]["subnets"] == [snet["id"]]
    vnet = got.record("azure.network.vnet", "vnet-app")
    assert sorted(vnet["links"]["subnets"]) == sorted(r["id"] for r in got.records("azure.network.subnet").values())
    pe = got.record("azure.network.private-endpoint", "pe-kv")
    assert pe["links"]["targets"] == [b.arm_id("Microsoft.KeyVault/vaults", "kv-clearance")]
    assert pe["links"]["subnet"] == [b.arm_id("Microsoft.Network/virtualNetworks/subnets", "vnet-app", "snet-pe")]
    assert got.record("azure.network.route-table", "rt-app")["data"]["RouteTables_ListAll"]["properties"]["routes"]


def test_flow_logs_link_watchers_and_targets_both_ways(fake_arm: FakeArm, azure_collect: Any) -> None:
    _network(fake_arm)
    watcher = b.network_watcher()
    fake_arm.add(
        watcher,
        b.flow_log("fl-vnet", VNET_ID),
        b.flow_log("fl-nsg", NSG_ID.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")),
    )

    got = azure_collect(services=("network", "resources"))

    fl_vnet = got.record("azure.network.flow-log", "fl-vnet")
    fl_nsg = got.record("azure.network.flow-log", "fl-nsg")
    assert fl_vnet["data"]["FlowLogs_List"]["properties"]["retentionPolicy"] == {"days": 365, "enabled": True}
    assert fl_vnet["links"]["target"] == [VNET_ID]
    assert fl_vnet["links"]["watcher"] == [watcher["id"]]
    assert fl_vnet["links"]["workspace"] == [b.arm_id("Microsoft.OperationalInsights/workspaces", "law-security")]
    assert got.record("azure.network.vnet", "vnet-app")["links"]["flow_logs"] == [fl_vnet["id"]]
    assert got.record("azure.network.subnet", "snet-app")["links"]["flow_logs"] == [fl_vnet["id"]]  # via its VNet
    assert got.record("azure.network.nsg", "nsg-app")["links"]["flow_logs"] == [fl_nsg["id"]]
    assert sorted(got.record("azure.network.watcher", watcher["name"])["links"]["flow_logs"]) == sorted(
        [fl_vnet["id"], fl_nsg["id"]]
    )
    subscription = got.record("azure.resources.subscription", "clearance-prod")
    assert subscription["links"]["network_watchers"] == [watcher["id"]]


def test_no_network_resources_is_a_proved_empty_listing(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())

    got = azure_collect(services=("network",), regions=("koreacentral",))

    for rtype in ("azure.network.nsg", "azure.network.vnet", "azure.network.subnet", "azure.network.flow-log"):
        assert [(x.region, x.status, x.listed) for x in got.listings(rtype)] == [("koreacentral", TypeStatus.LISTED, 0)]


def test_denied_subnet_listing(fake_arm: FakeArm, azure_collect: Any) -> None:
    _network(fake_arm)
    fake_arm.fail("*/virtualnetworks/vnet-app/subnets")

    got = azure_collect(services=("network",))

    (listing,) = got.listings("azure.network.subnet")
    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "Microsoft.Network/virtualNetworks/subnets/read"
    assert got.record("azure.network.vnet", "vnet-app")["errors"]["Subnets_List"]["denied"] is True


def test_vnets_link_the_watcher_of_their_region(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(
        b.subscription(),
        b.network_watcher(),
        b.network_watcher("japaneast"),
        b.vnet("vnet-kr"),
        b.vnet("vnet-us", location="eastus"),
    )

    got = azure_collect(services=("network",))

    kr_watcher = got.record("azure.network.watcher", "NetworkWatcher_koreacentral")
    assert got.record("azure.network.vnet", "vnet-kr")["links"]["network_watcher"] == [kr_watcher["id"]]
    assert got.record("azure.network.vnet", "vnet-us")["links"]["network_watcher"] == []


def test_unlisted_watchers_make_the_relation_unknown_not_empty(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.network_watcher(), b.vnet("vnet-kr"))
    fake_arm.fail("*/microsoft.network/networkwatchers")

    got = azure_collect(services=("network", "resources"))

    unknown = ["uncollected:azure.network.watcher"]
    assert got.record("azure.network.vnet", "vnet-kr")["links"]["network_watcher"] == unknown
    assert got.record("azure.resources.subscription", "clearance-prod")["links"]["network_watchers"] == unknown
