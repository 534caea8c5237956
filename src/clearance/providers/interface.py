"""The provider adapter contract.

A provider declares the resource types it produces and the API operations it calls (so
``clearance permissions`` can print an exact least-privilege policy, and the read-only guard
can allow exactly those), and collects a scope into an :class:`~clearance.inventory.InventoryWriter`.
Every failed call becomes a :class:`~clearance.model.CollectionError` on the resource or on
the type listing; nothing is swallowed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, TypeVar

from ..errors import UsageError
from ..inventory import InventoryWriter
from ..scope import Scope


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation a collector may call."""

    service: str
    """SDK service name (boto3 client name, e.g. ``s3``, ``elbv2``)."""
    name: str
    """Operation name as the SDK model spells it, e.g. ``GetBucketEncryption``."""
    permission: str
    """The IAM action (or role permission) it needs, e.g. ``s3:GetEncryptionConfiguration``."""
    absent_codes: tuple[str, ...] = ()
    """Error codes that mean "not configured" rather than failure (e.g. ``NoSuchBucketPolicy``)."""
    non_read_reason: str | None = None
    """Set only for the few allowed calls whose name is not a read verb, saying why each is harmless."""


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type a provider produces."""

    name: str
    """Dotted id used by checks, e.g. ``aws.s3.bucket``."""
    service: str
    list_call: str
    """The call that enumerates it; proves "no resources" in coverage."""
    description: str
    account_level: bool = False
    """An account-wide singleton or governance resource, kept in scope whatever the tag filter."""


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event: ``done`` of ``total`` units, with a label of the unit just finished."""

    done: int
    total: int
    label: str


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class CollectSummary:
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    units: int
    failed_units: int
    calls: int


class Provider(ABC):
    """A cloud adapter."""

    name: str

    @abstractmethod
    def resource_types(self) -> Sequence[ResourceType]: ...

    @abstractmethod
    def operations(self) -> Sequence[Operation]: ...

    @abstractmethod
    def collect(self, scope: Scope, writer: InventoryWriter, progress: ProgressFn | None = None) -> CollectSummary:
        """Collect ``scope`` into ``writer``. Raises CredentialsError if no identity can be established."""

    def account_level_types(self) -> frozenset[str]:
        return frozenset(t.name for t in self.resource_types() if t.account_level)


class CollectorSpec(Protocol):
    """What every provider's collector class declares."""

    service: ClassVar[str]
    resource_types: ClassVar[tuple[ResourceType, ...]]
    operations: ClassVar[tuple[Operation, ...]]


C = TypeVar("C", bound=CollectorSpec)


class CollectorProvider(Provider, Generic[C]):
    """A provider built from per-service collectors: types, operations and service filtering derive from them."""

    display_name: ClassVar[str] = ""
    """How messages name the cloud (``AWS``, ``Azure``)."""
    core_operations: ClassVar[tuple[Operation, ...]] = ()
    """Calls the provider itself makes outside any collector (identity, discovery)."""

    @abstractmethod
    def all_collectors(self) -> tuple[C, ...]: ...

    def collectors(self, services: Sequence[str] = ()) -> tuple[C, ...]:
        found = self.all_collectors()
        if not services:
            return found
        known = {c.service for c in found}
        unknown = sorted(set(services) - known)
        if unknown:
            raise UsageError(f"unknown {self.display_name or self.name} service(s) {unknown}; known: {sorted(known)}")
        return tuple(c for c in found if c.service in services)

    def resource_types(self) -> Sequence[ResourceType]:
        return [t for c in self.collectors() for t in c.resource_types]

    def operations(self) -> Sequence[Operation]:
        seen: dict[tuple[str, str], Operation] = {(o.service, o.name): o for o in self.core_operations}
        for collector in self.collectors():
            for op in collector.operations:
                seen.setdefault((op.service, op.name), op)
        return sorted(seen.values(), key=lambda o: (o.service, o.name))
