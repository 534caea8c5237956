"""Base class of AWS collectors: one module per AWS service, each declaring what it calls."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ...interface import Operation, ResourceType
from ..unit import AwsUnit


class AwsCollector(ABC):
    """Collects one AWS service in one unit (account x region, or account for global services)."""

    service: ClassVar[str]
    """Unit label and the ``service`` field of emitted resources (e.g. ``s3``)."""
    global_service: ClassVar[bool] = False
    """True when the service is listed once per account (IAM, S3's ListBuckets, Organizations)."""
    resource_types: ClassVar[tuple[ResourceType, ...]]
    operations: ClassVar[tuple[Operation, ...]]
    """Every operation :meth:`collect` may call; the read-only allow-list and the IAM policy derive from it."""

    @abstractmethod
    def collect(self, unit: AwsUnit) -> None:
        """Emit resources and record a listing (or a listing failure) for every resource type."""
