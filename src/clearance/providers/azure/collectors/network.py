"""Network isolation: NSGs and their rules, VNets and subnets (NSG, route table), route tables, private endpoints.

Subnets are read with ``Subnets_List`` per VNet (not taken from the VNet's inline copy) so each
subnet record names the call it came from. Flow logs are linked to their targets by the linker.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit, ResourceBuilder
from .base import AzureCollector, emit_with_children, link_common, properties

NSG = "azure.network.nsg"
VNET = "azure.network.vnet"
SUBNET = "azure.network.subnet"
ROUTE_TABLE = "azure.network.route-table"
PRIVATE_ENDPOINT = "azure.network.private-endpoint"

# Simple listings: type -> (list operation, RBAC action, description)
_SIMPLE = {
    NSG: ("NetworkSecurityGroups_ListAll", "Microsoft.Network/networkSecurityGroups/read", "Network security group"),
    ROUTE_TABLE: ("RouteTables_ListAll", "Microsoft.Network/routeTables/read", "Route table"),
    PRIVATE_ENDPOINT: (
        "PrivateEndpoints_ListBySubscription",
        "Microsoft.Network/privateEndpoints/read",
        "Private endpoint",
    ),
}


def _sub_ids(values: Any) -> list[str]:
    return [i for i in (ids.ref_id(v) for v in values or []) if i]


class NetworkCollector(AzureCollector):
    service = "network"
    resource_types = (
        *(ResourceType(t, "network", op, desc) for t, (op, _, desc) in _SIMPLE.items()),
        ResourceType(VNET, "network", "VirtualNetworks_ListAll", "Virtual network"),
        ResourceType(SUBNET, "network", "Subnets_List", "Subnet with its NSG and route table"),
    )
    operations = (
        *(Operation("network", op, action) for op, action, _ in _SIMPLE.values()),
        Operation("network", "VirtualNetworks_ListAll", "Microsoft.Network/virtualNetworks/read"),
        Operation("network", "Subnets_List", "Microsoft.Network/virtualNetworks/subnets/read"),
    )

    def collect(self, unit: AzureUnit) -> None:
        for rtype, (op, _, _) in _SIMPLE.items():
            for item in unit.list_all(rtype, "network", op) or []:
                builder = unit.builder(rtype, item)
                builder.data[op] = item
                link_common(builder, item)
                self._links(builder, rtype, properties(item))
                unit.emit(builder)
        vnets = unit.list_all(VNET, "network", "VirtualNetworks_ListAll", children=(SUBNET,))
        if vnets is None:
            return
        builders = unit.parallel(lambda item: self._vnet(unit, item), vnets)
        emit_with_children(unit, builders, "Subnets_List", SUBNET, "subnets", lambda v, i: self._subnet(unit, v, i))

    @staticmethod
    def _links(builder: ResourceBuilder, rtype: str, props: dict[str, Any]) -> None:
        if rtype in (NSG, ROUTE_TABLE):
            builder.link("subnets", *_sub_ids(props.get("subnets")))
        elif rtype == PRIVATE_ENDPOINT:
            builder.link("subnet", ids.ref_id(props.get("subnet")))
            for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
                for conn in props.get(key) or []:
                    builder.link("targets", ((conn or {}).get("properties") or {}).get("privateLinkServiceId"))

    def _vnet(self, unit: AzureUnit, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(VNET, item)
        builder.data["VirtualNetworks_ListAll"] = item
        link_common(builder, item)
        builder.attach(unit.fetch_list("network", "Subnets_List", ids.resource_group(builder.id), builder.name))
        return builder

    def _subnet(self, unit: AzureUnit, vnet: ResourceBuilder, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(SUBNET, item, region=vnet.region)
        builder.data["Subnets_List"] = item
        props = properties(item)
        builder.link("vnet", vnet.id)
        builder.link("nsg", ids.ref_id(props.get("networkSecurityGroup")))
        builder.link("route_table", ids.ref_id(props.get("routeTable")))
        return builder


COLLECTORS = (NetworkCollector,)
