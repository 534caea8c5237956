"""Cloud SQL instances: public IP and authorized networks, TLS mode, CMEK, database flags (pgaudit).

Everything the checks read is on the instance list item (``settings.ipConfiguration``,
``settings.databaseFlags``, ``diskEncryptionConfiguration``), so one paged call per project suffices.
"""

from __future__ import annotations

from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import GcpUnit
from .base import GcpCollector, link

INSTANCE = "gcp.sql.instance"


class SqlCollector(GcpCollector):
    service = "sql"
    resource_types = (ResourceType(INSTANCE, "sql", "Instances_List", "Cloud SQL instance"),)
    operations = (gcp_op("sqladmin", "sql.instances.list", "cloudsql.instances.list", items="items"),)

    def collect(self, unit: GcpUnit) -> None:
        found = unit.list_all(INSTANCE, "sqladmin", "Instances_List", _region, project=unit.account)
        for item in found or []:
            name = str(item.get("name"))
            settings: dict[str, Any] = item["settings"] if isinstance(item.get("settings"), dict) else {}
            rid = ids.full_name(ids.SQL_HOST, f"projects/{unit.account}/instances/{name}")
            builder = unit.builder(INSTANCE, rid, name, _region(item), settings.get("userLabels"))
            builder.data["Instances_List"] = item
            link(builder, "kms_key", ids.kms_key_id((item.get("diskEncryptionConfiguration") or {}).get("kmsKeyName")))
            link(builder, "network", ids.compute_id((settings.get("ipConfiguration") or {}).get("privateNetwork")))
            unit.emit(builder)


def _region(item: dict[str, Any]) -> str:
    return ids.region(item.get("region"))


COLLECTORS = (SqlCollector,)
