"""Azure RBAC: role assignments visible at the subscription, and its custom role definitions.

Assignments include those inherited from management groups (``properties.scope`` above the
subscription) and those below it (resource groups, resources). Only ``principalType`` and
``principalId`` are visible through ARM: whether a user is a guest needs Microsoft Graph, which
clearance does not call. Built-in role definitions are not collected (they are Microsoft's).
"""

from __future__ import annotations

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit
from .base import AzureCollector, properties

ROLE_ASSIGNMENT = "azure.authorization.role-assignment"
ROLE_DEFINITION = "azure.authorization.role-definition"
CUSTOM_ROLES = "type eq 'CustomRole'"


class AuthorizationCollector(AzureCollector):
    service = "authorization"
    resource_types = (
        ResourceType(
            ROLE_ASSIGNMENT, "authorization", "RoleAssignments_ListForSubscription", "Role assignment (Azure RBAC)"
        ),
        ResourceType(ROLE_DEFINITION, "authorization", "RoleDefinitions_List", "Custom role definition"),
    )
    operations = (
        Operation(
            "authorization", "RoleAssignments_ListForSubscription", "Microsoft.Authorization/roleAssignments/read"
        ),
        Operation("authorization", "RoleDefinitions_List", "Microsoft.Authorization/roleDefinitions/read"),
    )

    def collect(self, unit: AzureUnit) -> None:
        for rtype, op, args, params in (
            (ROLE_ASSIGNMENT, "RoleAssignments_ListForSubscription", (), {}),
            (ROLE_DEFINITION, "RoleDefinitions_List", (f"/subscriptions/{unit.account}",), {"filter": CUSTOM_ROLES}),
        ):
            fetched = unit.fetch_list("authorization", op, *args, **params)
            if fetched.error is not None:
                unit.list_failed(rtype, op, fetched.error)
                continue
            items = [i for i in fetched.value or [] if isinstance(i, dict) and i.get("id")]
            for item in items:
                builder = unit.builder(rtype, item, region=ids.GLOBAL_REGION)
                builder.data[op] = item
                if rtype == ROLE_ASSIGNMENT:
                    builder.link("role_definition", properties(item).get("roleDefinitionId"))
                unit.emit(builder)
            unit.listed(rtype, op, [ids.GLOBAL_REGION] * len(items), regional=False)


COLLECTORS = (AuthorizationCollector,)
