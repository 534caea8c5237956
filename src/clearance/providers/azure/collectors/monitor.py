"""Log Analytics workspaces: where activity, resource and flow logs land, and how long they are kept."""

from __future__ import annotations

from ...interface import Operation, ResourceType
from ..unit import AzureUnit
from .base import AzureCollector, link_common

WORKSPACE = "azure.monitor.log-analytics-workspace"


class MonitorCollector(AzureCollector):
    service = "monitor"
    resource_types = (ResourceType(WORKSPACE, "monitor", "Workspaces_List", "Log Analytics workspace"),)
    operations = (Operation("loganalytics", "Workspaces_List", "Microsoft.OperationalInsights/workspaces/read"),)

    def collect(self, unit: AzureUnit) -> None:
        for item in unit.list_all(WORKSPACE, "loganalytics", "Workspaces_List") or []:
            builder = unit.builder(WORKSPACE, item)
            builder.data["Workspaces_List"] = item
            link_common(builder, item)
            unit.emit(builder)


COLLECTORS = (MonitorCollector,)
