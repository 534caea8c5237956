"""The subscription record (activity-log export, role assignments) and its resource groups.

The subscription is an account-level resource: it is always in scope and carries what governs
every workload in it: where the activity log is exported (``SubscriptionDiagnosticSettings_List``)
and every role assignment visible at it (``RoleAssignments_ListForSubscription``, so a check can
count owners on one record).
"""

from __future__ import annotations

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit
from .base import AzureCollector, link_common, properties

SUBSCRIPTION = "azure.resources.subscription"
RESOURCE_GROUP = "azure.resources.resource-group"


class ResourcesCollector(AzureCollector):
    service = "resources"
    resource_types = (
        ResourceType(
            SUBSCRIPTION,
            "resources",
            "Subscriptions_Get",
            "Subscription with its activity-log export and role assignments",
            account_level=True,
        ),
        ResourceType(RESOURCE_GROUP, "resources", "ResourceGroups_List", "Resource group"),
    )
    operations = (
        Operation("subscriptions", "Subscriptions_Get", "Microsoft.Resources/subscriptions/read"),
        Operation("monitor", "SubscriptionDiagnosticSettings_List", "Microsoft.Insights/diagnosticSettings/read"),
        Operation(
            "authorization", "RoleAssignments_ListForSubscription", "Microsoft.Authorization/roleAssignments/read"
        ),
        Operation("resources", "ResourceGroups_List", "Microsoft.Resources/subscriptions/resourceGroups/read"),
    )

    def collect(self, unit: AzureUnit) -> None:
        self._subscription(unit)
        for item in unit.list_all(RESOURCE_GROUP, "resources", "ResourceGroups_List") or []:
            builder = unit.builder(RESOURCE_GROUP, item)
            builder.data["ResourceGroups_List"] = item
            link_common(builder, item)
            unit.emit(builder)

    def _subscription(self, unit: AzureUnit) -> None:
        fetched = unit.fetch("subscriptions", "Subscriptions_Get", unit.account)
        if fetched.error is not None:
            unit.list_failed(SUBSCRIPTION, "Subscriptions_Get", fetched.error)
            return
        item = dict(fetched.value)
        item.setdefault("id", f"/subscriptions/{unit.account}")
        builder = unit.builder(SUBSCRIPTION, item, region=ids.GLOBAL_REGION)
        builder.name = str(item.get("displayName") or unit.account)
        builder.attach(fetched)
        settings = builder.attach(unit.fetch_list("monitor", "SubscriptionDiagnosticSettings_List"))
        for setting in settings.value or []:
            props = properties(setting)
            builder.link("workspaces", props.get("workspaceId"))
            builder.link("storage_accounts", props.get("storageAccountId"))
        builder.attach(unit.fetch_list("authorization", "RoleAssignments_ListForSubscription"))
        unit.emit(builder)
        unit.listed(SUBSCRIPTION, "Subscriptions_Get", [builder.region], regional=False)


COLLECTORS = (ResourcesCollector,)
