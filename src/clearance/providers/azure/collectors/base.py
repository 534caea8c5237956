"""Base class of Azure collectors (one module per Azure service) and the helpers they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ....model import CollectionError
from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit, ResourceBuilder

DIAGNOSTIC_SETTINGS = Operation("monitor", "DiagnosticSettings_List", "Microsoft.Insights/diagnosticSettings/read")
"""Resource-level diagnostic settings (``{resource}/providers/Microsoft.Insights/diagnosticSettings``)."""


class AzureCollector(ABC):
    """Collects one Azure service for one subscription."""

    service: ClassVar[str]
    """Unit label and the ``service`` field of emitted resources (e.g. ``storage``)."""
    resource_types: ClassVar[tuple[ResourceType, ...]]
    operations: ClassVar[tuple[Operation, ...]]
    """Every operation :meth:`collect` may call; the read-only allow-list and the custom role derive from it."""

    @abstractmethod
    def collect(self, unit: AzureUnit) -> None:
        """Emit resources and record a listing (or a listing failure) for every resource type."""


def properties(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """An ARM resource's ``properties`` object ({} when absent or malformed)."""
    props = (item or {}).get("properties")
    return props if isinstance(props, dict) else {}


def link_common(builder: ResourceBuilder, item: Mapping[str, Any]) -> None:
    """Links every resource-group scoped resource has: its resource group and its private endpoints."""
    builder.link("resource_group", ids.resource_group_id(str(item.get("id") or "")))
    builder.link("private_endpoints", *ids.private_endpoint_ids(properties(item)))


def attach_diagnostics(unit: AzureUnit, builder: ResourceBuilder, resource_uri: str, key: str | None = None) -> None:
    """Store the diagnostic settings of ``resource_uri`` and link their Log Analytics workspaces."""
    fetched = builder.attach(unit.fetch_list("monitor", DIAGNOSTIC_SETTINGS.name, resource_uri, key=key))
    for setting in fetched.value or []:
        builder.link("workspaces", properties(setting).get("workspaceId"))


def key_uri(vault_uri: Any, key_name: Any) -> str | None:
    """A Key Vault key URI (``https://v.vault.azure.net/keys/name``) from its parts."""
    if not (isinstance(vault_uri, str) and vault_uri and isinstance(key_name, str) and key_name):
        return None
    return f"{vault_uri.rstrip('/')}/keys/{key_name}"


def link_key(builder: ResourceBuilder, uri: Any) -> None:
    """Link a customer-managed key by URI (the linker resolves it to the key's ARM id).

    Without a URI nothing is linked: an empty ``key_vault_key`` relation would read as "no key".
    """
    if isinstance(uri, str) and uri:
        builder.link("key_vault_key", uri)


def emit_with_children(
    unit: AzureUnit,
    parents: list[ResourceBuilder],
    list_op: str,
    child_type: str,
    relation: str | None,
    build: Callable[[ResourceBuilder, dict[str, Any]], ResourceBuilder],
) -> None:
    """Emit parents and the child resources each one listed under ``data[list_op]``.

    The parent's list answer is moved from its data to the children (each child keeps its own
    item). A child without tags of its own takes its parent's, so a tag-scoped workload includes
    the keys of its vault and the subnets of its VNet; a parent-to-child link (``relation``) is
    kept only where the children belong to every user of the parent (a VNet's subnets), since
    scoping follows links transitively (a shared vault must not pull in every key it holds).
    A parent whose list failed keeps the error, and the child type's listing is FAILED in its region.
    """
    pending: list[tuple[ResourceBuilder, dict[str, Any]]] = []
    failures: dict[str, CollectionError] = {}
    for parent in parents:
        error = parent.errors.get(list_op)
        if error is not None:
            failures[parent.region] = error
        items = parent.data.pop(list_op, None) or []
        pending.extend((parent, i) for i in items if isinstance(i, dict) and i.get("id"))
    children = unit.parallel(lambda pair: build(*pair), pending)
    for (parent, _), child in zip(pending, children, strict=True):
        child.tags = child.tags or dict(parent.tags)
        if relation:
            parent.link(relation, child.id)
    for builder in (*parents, *children):
        unit.emit(builder)
    unit.listed(child_type, list_op, [c.region for c in children], failures)
