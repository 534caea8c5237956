"""Cloud Storage buckets: CMEK, public access prevention, uniform access, retention lock, access logging, IAM.

The bucket list (projection ``noAcl``) carries every setting but the IAM policy, which is read per
bucket (``Buckets_GetIamPolicy``, policy version 3 so conditional bindings are returned whole).
"""

from __future__ import annotations

from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import GcpUnit
from .base import GcpCollector, link

BUCKET = "gcp.storage.bucket"


class StorageCollector(GcpCollector):
    service = "storage"
    resource_types = (ResourceType(BUCKET, "storage", "Buckets_List", "Cloud Storage bucket with its IAM policy"),)
    operations = (
        gcp_op("storage", "storage.buckets.list", "storage.buckets.list", items="items"),
        gcp_op("storage", "storage.buckets.getIamPolicy", "storage.buckets.getIamPolicy"),
    )

    def collect(self, unit: GcpUnit) -> None:
        buckets = unit.list_all(
            BUCKET, "storage", "Buckets_List", lambda b: ids.region(b.get("location")), project=unit.account
        )
        unit.parallel(lambda item: self._bucket(unit, item), buckets or [])

    def _bucket(self, unit: GcpUnit, item: dict[str, Any]) -> None:
        name = str(item.get("name") or item.get("id"))
        builder = unit.builder(
            BUCKET, str(ids.bucket_id(name)), name, ids.region(item.get("location")), item.get("labels")
        )
        builder.data["Buckets_List"] = item
        link(builder, "kms_key", ids.kms_key_id((item.get("encryption") or {}).get("defaultKmsKeyName")))
        link(builder, "log_bucket", ids.bucket_id((item.get("logging") or {}).get("logBucket")))
        builder.attach(unit.fetch("storage", "Buckets_GetIamPolicy", bucket=name, optionsRequestedPolicyVersion=3))
        unit.emit(builder)


COLLECTORS = (StorageCollector,)
