"""Network watchers (one per region) and their flow logs (VNet flow logs and legacy NSG flow logs).

Watchers are account-level: a check on the subscription can tell whether every region in use has
one. Each flow log links to its ``target`` (VNet, subnet or NSG), its ``storage_account`` and its
traffic-analytics ``workspace``; the linker adds the reverse ``flow_logs`` link on the target.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit, ResourceBuilder
from .base import AzureCollector, emit_with_children, link_common, properties

WATCHER = "azure.network.watcher"
FLOW_LOG = "azure.network.flow-log"


class NetworkWatcherCollector(AzureCollector):
    service = "network"
    resource_types = (
        ResourceType(WATCHER, "network", "NetworkWatchers_ListAll", "Network watcher (per region)", account_level=True),
        ResourceType(FLOW_LOG, "network", "FlowLogs_List", "Flow log (VNet or NSG)"),
    )
    operations = (
        Operation("network", "NetworkWatchers_ListAll", "Microsoft.Network/networkWatchers/read"),
        Operation("network", "FlowLogs_List", "Microsoft.Network/networkWatchers/flowLogs/read"),
    )

    def collect(self, unit: AzureUnit) -> None:
        watchers = unit.list_all(WATCHER, "network", "NetworkWatchers_ListAll", children=(FLOW_LOG,))
        if watchers is None:
            return
        builders = unit.parallel(lambda item: self._watcher(unit, item), watchers)
        emit_with_children(
            unit, builders, "FlowLogs_List", FLOW_LOG, "flow_logs", lambda w, i: self._flow_log(unit, w, i)
        )

    def _watcher(self, unit: AzureUnit, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(WATCHER, item)
        builder.data["NetworkWatchers_ListAll"] = item
        link_common(builder, item)
        builder.attach(unit.fetch_list("network", "FlowLogs_List", ids.resource_group(builder.id), builder.name))
        return builder

    def _flow_log(self, unit: AzureUnit, watcher: ResourceBuilder, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(FLOW_LOG, item, region=watcher.region)
        builder.data["FlowLogs_List"] = item
        props = properties(item)
        analytics = (props.get("flowAnalyticsConfiguration") or {}).get("networkWatcherFlowAnalyticsConfiguration")
        builder.link("watcher", watcher.id)
        builder.link("target", props.get("targetResourceId"))
        builder.link("storage_account", props.get("storageId"))
        builder.link("workspace", (analytics or {}).get("workspaceResourceId"))
        return builder


COLLECTORS = (NetworkWatcherCollector,)
