"""Vertex AI endpoints, models and datasets: CMEK (encryptionSpec), Private Service Connect, request logging.

Vertex AI has regional endpoints (``{region}-aiplatform.googleapis.com``) and no cross-location
list, so each kind is listed in every location the API reports; a failed location makes that
kind's listing FAILED in that region only. The project's data-cache setting is on the project record.
"""

from __future__ import annotations

from typing import Any

from ....model import CollectionError
from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import Fetched, GcpUnit
from .base import GcpCollector, link

ENDPOINT = "gcp.aiplatform.endpoint"
MODEL = "gcp.aiplatform.model"
DATASET = "gcp.aiplatform.dataset"
# type -> (list operation, response field)
KINDS = {
    ENDPOINT: ("Endpoints_List", "endpoints"),
    MODEL: ("Models_List", "models"),
    DATASET: ("Datasets_List", "datasets"),
}


class AiPlatformCollector(GcpCollector):
    service = "aiplatform"
    resource_types = (
        ResourceType(ENDPOINT, "aiplatform", "Endpoints_List", "Vertex AI endpoint (PSC, request-response logging)"),
        ResourceType(MODEL, "aiplatform", "Models_List", "Vertex AI model"),
        ResourceType(DATASET, "aiplatform", "Datasets_List", "Vertex AI dataset"),
    )
    operations = (
        gcp_op("aiplatform", "aiplatform.projects.locations.list", "aiplatform.locations.list", items="locations"),
        *(
            gcp_op("aiplatform", f"aiplatform.projects.locations.{field}.list", f"aiplatform.{field}.list", items=field)
            for _, field in KINDS.values()
        ),
    )

    def collect(self, unit: GcpUnit) -> None:
        locations = unit.locations(tuple(KINDS), "aiplatform", "Locations_List")
        if locations is None:
            return
        jobs = [(rtype, loc) for rtype in KINDS for loc in locations]
        answers = unit.parallel(lambda job: self._list(unit, *job), jobs)
        for rtype, (op, _) in KINDS.items():
            failures: dict[str, CollectionError] = {}
            regions: list[str] = []
            for (kind, loc), fetched in zip(jobs, answers, strict=True):
                if kind != rtype:
                    continue
                if fetched.error is not None:
                    failures[loc] = fetched.error
                for item in fetched.value or []:
                    if isinstance(item, dict) and item.get("name"):
                        regions.append(self._emit(unit, rtype, op, item))
            unit.listed(rtype, op, regions, failures)

    def _list(self, unit: GcpUnit, rtype: str, location: str) -> Fetched:
        op, _ = KINDS[rtype]
        parent = f"projects/{unit.account}/locations/{location}"
        return unit.fetch("aiplatform", op, endpoint_region=location, parent=parent)

    def _emit(self, unit: GcpUnit, rtype: str, op: str, item: dict[str, Any]) -> str:
        name = str(item["name"])
        region = ids.location(name)
        label = ids.text(item.get("displayName")) or ids.last(name)
        builder = unit.builder(rtype, ids.full_name(ids.AIPLATFORM_HOST, name), label, region, item.get("labels"))
        builder.data[op] = item
        link(builder, "kms_key", ids.kms_key_id((item.get("encryptionSpec") or {}).get("kmsKeyName")))
        deployed = [d for d in item.get("deployedModels") or [] if isinstance(d, dict)]
        link(builder, "models", *(_model_id(d.get("model")) for d in deployed))
        unit.emit(builder)
        return region


def _model_id(model: Any) -> str | None:
    name = ids.text(model)
    return ids.full_name(ids.AIPLATFORM_HOST, name) if name else None


COLLECTORS = (AiPlatformCollector,)
