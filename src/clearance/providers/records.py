"""Provider-neutral pieces every adapter's collection unit uses: call results and resource builders."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import JSON, CollectionError, Resource


class CallFailed(Exception):
    """Raised by a unit's ``call`` for errors that are not "not configured" answers."""

    def __init__(self, error: CollectionError):
        self.error = error
        super().__init__(error.describe())


@dataclass(frozen=True, slots=True)
class Fetched:
    """Result of a per-resource call: a value, an explicit "not configured", or an error."""

    operation: str
    value: JSON = None
    absent: str | None = None
    error: CollectionError | None = None


@dataclass
class ResourceBuilder:
    """Accumulates one resource's raw responses, absences, errors and links."""

    provider: str
    account: str
    region: str
    service: str
    type: str
    id: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, JSON] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    errors: dict[str, CollectionError] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)

    def attach(self, fetched: Fetched) -> Fetched:
        op = fetched.operation
        if fetched.error is not None:
            self.errors[op] = fetched.error
        elif fetched.absent is not None:
            self.absent[op] = fetched.absent
            self.data[op] = None
        else:
            self.data[op] = fetched.value
        return fetched

    def link(self, relation: str, *targets: str | None) -> None:
        bucket = self.links.setdefault(relation, [])
        for target in targets:
            if target and target not in bucket:
                bucket.append(target)

    def build(self) -> Resource:
        return Resource(
            provider=self.provider,
            account=self.account,
            region=self.region,
            service=self.service,
            type=self.type,
            id=self.id,
            name=self.name,
            tags=dict(self.tags),
            data=dict(self.data),
            absent=dict(self.absent),
            errors=dict(self.errors),
            links={k: tuple(v) for k, v in self.links.items()},
        )
