"""ARM resource ids and locations: parsing and normalisation.

ARM ids are case-insensitive (``resourceGroups`` / ``resourcegroups``, ``Microsoft.Insights`` /
``microsoft.insights``), so ids are compared through :func:`norm`, while the id ARM returned is
kept as the resource's id. Locations come back as ``koreacentral`` from most providers and as
``Korea Central`` from some (App Service); :func:`region` gives the short form.
"""

from __future__ import annotations

from typing import Any

GLOBAL_REGION = "global"


def norm(resource_id: str) -> str:
    """The comparison key of an ARM id."""
    return resource_id.strip().rstrip("/").lower()


def segment(resource_id: str, kind: str) -> str | None:
    """The name following the first ``kind`` segment (case-insensitive), e.g. ``resourceGroups`` -> rg."""
    parts = resource_id.strip("/").split("/")
    low = kind.lower()
    for i, part in enumerate(parts[:-1]):
        if part.lower() == low:
            return parts[i + 1]
    return None


def resource_group(resource_id: str) -> str:
    """Resource group name of an id; raises ValueError for ids outside a resource group."""
    name = segment(resource_id, "resourceGroups")
    if not name:
        raise ValueError(f"not a resource-group scoped ARM id: {resource_id}")
    return name


def resource_group_id(resource_id: str) -> str | None:
    sub = segment(resource_id, "subscriptions")
    rg = segment(resource_id, "resourceGroups")
    return f"/subscriptions/{sub}/resourceGroups/{rg}" if sub and rg else None


def region(location: Any) -> str:
    """``Korea Central`` -> ``koreacentral``; missing or ``global`` -> ``global``."""
    if not isinstance(location, str) or not location.strip():
        return GLOBAL_REGION
    return location.replace(" ", "").lower()


def ref_id(value: Any) -> str | None:
    """The ``id`` of an ARM sub-resource reference (``{"id": ...}``), or None."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return str(value["id"])
    return None


def private_endpoint_ids(properties: Any) -> list[str]:
    """Private endpoint ids from a resource's ``privateEndpointConnections``."""
    if not isinstance(properties, dict):
        return []
    out: list[str] = []
    for conn in properties.get("privateEndpointConnections") or []:
        pe = ref_id(((conn or {}).get("properties") or {}).get("privateEndpoint"))
        if pe:
            out.append(pe)
    return out
