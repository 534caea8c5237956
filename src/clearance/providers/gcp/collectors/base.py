"""Base class of GCP collectors (one module per Google service) and the helpers they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ...interface import Operation, ResourceType
from ..unit import GcpUnit, ResourceBuilder


class GcpCollector(ABC):
    """Collects one Google service for one project."""

    service: ClassVar[str]
    """Unit label and the ``service`` field of emitted resources (e.g. ``storage``)."""
    resource_types: ClassVar[tuple[ResourceType, ...]]
    operations: ClassVar[tuple[Operation, ...]]
    """Every operation :meth:`collect` may call; the read-only allow-list and the custom role derive from it."""

    @abstractmethod
    def collect(self, unit: GcpUnit) -> None:
        """Emit resources and record a listing (or a listing failure) for every resource type."""


def link(builder: ResourceBuilder, relation: str, *targets: str | None) -> None:
    """Link the targets that are known; no relation at all when none is (an empty one would read as "none")."""
    found = [t for t in targets if t]
    if found:
        builder.link(relation, *found)
