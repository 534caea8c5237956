"""Cloud Logging: log buckets (retention, lock, CMEK) and sinks (where logs are routed).

Buckets are listed across every location at once (``locations/-``). Both lists include the
system ``_Required`` and ``_Default`` buckets and sinks, exactly as the API returns them.
A sink whose destination is a log bucket or a Cloud Storage bucket links it as ``destination``.
"""

from __future__ import annotations

from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import GcpUnit
from .base import GcpCollector, link

BUCKET = "gcp.logging.bucket"
SINK = "gcp.logging.sink"
_LOGGING_DESTINATION = "logging.googleapis.com/"
_STORAGE_DESTINATION = "storage.googleapis.com/"


def destination_id(destination: Any) -> str | None:
    """The record id a sink destination names (log bucket or storage bucket); other kinds by full name."""
    text = ids.text(destination)
    if text is None:
        return None
    if text.startswith(_LOGGING_DESTINATION):
        return ids.full_name(ids.LOGGING_HOST, text.removeprefix(_LOGGING_DESTINATION))
    if text.startswith(_STORAGE_DESTINATION):
        return ids.bucket_id(text.removeprefix(_STORAGE_DESTINATION))
    return f"//{text}"


class LoggingCollector(GcpCollector):
    service = "logging"
    resource_types = (
        ResourceType(BUCKET, "logging", "Buckets_List", "Log bucket (retention, lock, CMEK)"),
        ResourceType(SINK, "logging", "Sinks_List", "Log sink (log routing)"),
    )
    operations = (
        gcp_op("logging", "logging.projects.locations.buckets.list", "logging.buckets.list", items="buckets"),
        gcp_op("logging", "logging.projects.sinks.list", "logging.sinks.list", items="sinks"),
    )

    def collect(self, unit: GcpUnit) -> None:
        parent = f"projects/{unit.account}"
        buckets = unit.list_all(
            BUCKET, "logging", "Buckets_List", lambda b: ids.location(b.get("name")), parent=f"{parent}/locations/-"
        )
        for item in buckets or []:
            name = str(item.get("name"))
            builder = unit.builder(BUCKET, ids.full_name(ids.LOGGING_HOST, name), ids.last(name), ids.location(name))
            builder.data["Buckets_List"] = item
            link(builder, "kms_key", ids.kms_key_id((item.get("cmekSettings") or {}).get("kmsKeyName")))
            unit.emit(builder)
        sinks = unit.list_all(SINK, "logging", "Sinks_List", lambda _: ids.GLOBAL_REGION, regional=False, parent=parent)
        for item in sinks or []:
            name = ids.last(item.get("name"))
            rid = ids.full_name(ids.LOGGING_HOST, f"{parent}/sinks/{name}")
            builder = unit.builder(SINK, rid, name, ids.GLOBAL_REGION)
            builder.data["Sinks_List"] = item
            link(builder, "destination", destination_id(item.get("destination")))
            unit.emit(builder)


COLLECTORS = (LoggingCollector,)
