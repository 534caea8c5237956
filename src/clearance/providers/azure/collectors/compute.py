"""Managed disks: encryption at rest (platform or customer key) and network access."""

from __future__ import annotations

from ...interface import Operation, ResourceType
from ..unit import AzureUnit
from .base import AzureCollector, link_common, properties

DISK = "azure.compute.disk"


class ComputeCollector(AzureCollector):
    service = "compute"
    resource_types = (ResourceType(DISK, "compute", "Disks_List", "Managed disk"),)
    operations = (Operation("compute", "Disks_List", "Microsoft.Compute/disks/read"),)

    def collect(self, unit: AzureUnit) -> None:
        for item in unit.list_all(DISK, "compute", "Disks_List") or []:
            builder = unit.builder(DISK, item)
            builder.data["Disks_List"] = item
            link_common(builder, item)
            encryption = properties(item).get("encryption") or {}
            builder.link("disk_encryption_set", encryption.get("diskEncryptionSetId"))
            unit.emit(builder)


COLLECTORS = (ComputeCollector,)
