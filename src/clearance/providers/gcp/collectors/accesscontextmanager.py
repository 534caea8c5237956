"""VPC Service Controls perimeters that protect the scanned project, where the caller can read them.

Perimeters live in the organization's access policies, not in the project: the project's
organization is found by walking its folder ancestry (``Folders_Get``), then every access policy
of the organization is read and the perimeters whose enforced ``status.resources`` name this
project (``projects/NUMBER``) are emitted under it. A project outside any organization cannot be
in a perimeter: its listing is an empty one. Any failure on the way makes the listing FAILED, so a
project whose perimeters could not be read is never reported as unprotected.
"""

from __future__ import annotations

from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import CallFailed, GcpUnit
from .base import GcpCollector, link

PERIMETER = "gcp.accesscontextmanager.perimeter"
LIST_CALL = "ServicePerimeters_List"


class AccessContextManagerCollector(GcpCollector):
    service = "accesscontextmanager"
    resource_types = (
        ResourceType(PERIMETER, "accesscontextmanager", LIST_CALL, "VPC Service Controls perimeter of the project"),
    )
    operations = (
        gcp_op("cloudresourcemanager", "cloudresourcemanager.folders.get", "resourcemanager.folders.get"),
        gcp_op(
            "accesscontextmanager",
            "accesscontextmanager.accessPolicies.list",
            "accesscontextmanager.accessPolicies.list",
            items="accessPolicies",
        ),
        gcp_op(
            "accesscontextmanager",
            "accesscontextmanager.accessPolicies.servicePerimeters.list",
            "accesscontextmanager.servicePerimeters.list",
            items="servicePerimeters",
        ),
    )

    def collect(self, unit: GcpUnit) -> None:
        organization, error = unit.organization()
        if error is not None:
            unit.list_failed(PERIMETER, LIST_CALL, error)
            return
        if organization is None:
            unit.listed(PERIMETER, LIST_CALL, [], regional=False)
            return
        try:
            policies = unit.items("accesscontextmanager", "AccessPolicies_List", parent=organization)
            lists = unit.parallel(
                lambda policy: unit.items("accesscontextmanager", LIST_CALL, parent=str(policy.get("name"))),
                policies,
            )
        except CallFailed as failed:
            unit.list_failed(PERIMETER, LIST_CALL, failed.error)
            return
        member = f"projects/{unit.number}"
        regions: list[str] = []
        for policy, perimeters in zip(policies, lists, strict=True):
            for item in perimeters:
                if member in ((item.get("status") or {}).get("resources") or []) and item.get("name"):
                    self._emit(unit, policy, item)
                    regions.append(ids.GLOBAL_REGION)
        unit.listed(PERIMETER, LIST_CALL, regions, regional=False)

    def _emit(self, unit: GcpUnit, policy: dict[str, Any], item: dict[str, Any]) -> None:
        name = str(item["name"])
        label = ids.text(item.get("title")) or ids.last(name)
        builder = unit.builder(PERIMETER, ids.full_name(ids.ACM_HOST, name), label, ids.GLOBAL_REGION)
        builder.data[LIST_CALL] = item
        builder.data["AccessPolicies_List"] = policy
        link(builder, "projects", *(ids.project_id(r) for r in (item.get("status") or {}).get("resources") or []))
        unit.emit(builder)


COLLECTORS = (AccessContextManagerCollector,)
