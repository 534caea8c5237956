"""Core value types shared by providers, the engine, outputs and evidence packages.

Everything here is a frozen dataclass or an enum so results can be hashed, compared and
serialised deterministically. JSON shapes are defined in ``schemas/`` and produced by the
``to_json`` methods; nothing else should invent its own serialisation of these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON = Any
"""A JSON-compatible value (dict, list, str, int, float, bool or None)."""


class Verdict(StrEnum):
    """Outcome of one check on one resource. Only PASS says the control holds."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    """Could not evaluate: the API call was denied or failed, or a needed field was absent."""
    NOT_APPLICABLE = "NOT_APPLICABLE"
    MANUAL = "MANUAL"
    """Needs a human attestation; a scanner cannot observe it."""
    NEEDS_CONTEXT = "NEEDS_CONTEXT"
    """A profile value or data-class tag is missing, and the answer depends on it."""
    MUTED = "MUTED"
    """An exception applied; the finding keeps its underlying verdict."""


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for ``--fail-on`` and for sorting."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class CoverageStatus(StrEnum):
    EVALUATED = "evaluated"
    NO_RESOURCES = "no_resources"
    NOT_EVALUATED = "not_evaluated"


@dataclass(frozen=True, slots=True)
class CollectionError:
    """A failed API call, recorded instead of being swallowed."""

    operation: str
    """API operation name as the SDK knows it, e.g. ``GetBucketPolicy``."""
    code: str
    """Provider error code, e.g. ``AccessDenied``; ``Exception`` class name for transport faults."""
    message: str
    """Provider message, truncated; never contains credentials."""
    permission: str | None = None
    """The IAM action (or role permission) the call needs, when the error is a denial."""
    denied: bool = False
    """True when the provider refused the call for lack of permission."""

    def to_json(self) -> dict[str, JSON]:
        return {
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
            "permission": self.permission,
            "denied": self.denied,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> CollectionError:
        return cls(
            operation=str(data["operation"]),
            code=str(data["code"]),
            message=str(data.get("message", "")),
            permission=data.get("permission"),
            denied=bool(data.get("denied", False)),
        )

    def describe(self) -> str:
        if self.denied and self.permission:
            return f"{self.operation} was denied ({self.code}); missing permission {self.permission}"
        return f"{self.operation} failed: {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Resource:
    """One cloud resource as collected: normalised identity plus the raw API responses.

    ``data`` maps an API operation name to its response exactly as received (the item of
    a list call, or the whole response of a per-resource call, without transport metadata).
    ``absent`` names operations whose provider answer meant "not configured" (for example
    ``NoSuchBucketPolicy``); their ``data`` value is ``None``. ``errors`` holds calls that
    failed, so a check that needs them becomes ERROR rather than guessing.
    """

    provider: str
    account: str
    """AWS account id, Azure subscription id or GCP project id."""
    region: str
    """Provider region, or ``global`` for account-wide services."""
    service: str
    type: str
    """Dotted resource type, e.g. ``aws.s3.bucket``."""
    id: str
    """Stable unique id: the ARN wherever AWS has one."""
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, JSON] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    """Operation name -> provider code that meant "not configured"."""
    errors: dict[str, CollectionError] = field(default_factory=dict)
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Relation name -> ids of related resources (bucket -> ``kms_key``, VPC -> ``flow_logs``)."""
    dependency: bool = False
    """Pulled into scope because an in-scope resource depends on it, not because it matched."""

    def to_json(self) -> dict[str, JSON]:
        return {
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "service": self.service,
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "tags": dict(sorted(self.tags.items())),
            "dependency": self.dependency,
            "links": {k: list(v) for k, v in sorted(self.links.items())},
            "absent": dict(sorted(self.absent.items())),
            "errors": {k: v.to_json() for k, v in sorted(self.errors.items())},
            "data": self.data,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> Resource:
        return cls(
            provider=data["provider"],
            account=data["account"],
            region=data["region"],
            service=data["service"],
            type=data["type"],
            id=data["id"],
            name=data["name"],
            tags=dict(data.get("tags") or {}),
            data=dict(data.get("data") or {}),
            absent=dict(data.get("absent") or {}),
            errors={k: CollectionError.from_json(v) for k, v in (data.get("errors") or {}).items()},
            links={k: tuple(v) for k, v in (data.get("links") or {}).items()},
            dependency=bool(data.get("dependency", False)),
        )

    def summary_json(self) -> dict[str, JSON]:
        """The resource identity as it appears inside a finding."""
        return {
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "tags": dict(sorted(self.tags.items())),
            "dependency": self.dependency,
        }


@dataclass(frozen=True, slots=True)
class SourcePointer:
    """Where in the stored raw inventory an observed value came from."""

    file: str
    """Inventory file relative to the scan directory, e.g. ``raw/aws/1234/ap-northeast-2/s3/aws.s3.bucket.jsonl``."""
    line: int
    """1-based line of the resource record in that JSONL file."""
    pointer: str
    """RFC 6901 JSON pointer into the record, e.g. ``/data/GetBucketEncryption/...``."""

    def to_json(self) -> dict[str, JSON]:
        return {"file": self.file, "line": self.line, "pointer": self.pointer}


@dataclass(frozen=True, slots=True)
class Observation:
    """A value the verdict relied on, with what was expected of it."""

    path: str
    value: JSON
    expected: JSON
    operator: str
    source: SourcePointer | None = None
    resource_id: str | None = None
    """Set when the value was read from a related resource rather than the finding's own."""

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "path": self.path,
            "value": self.value,
            "expected": self.expected,
            "operator": self.operator,
            "source": self.source.to_json() if self.source else None,
        }
        if self.resource_id is not None:
            out["resource_id"] = self.resource_id
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One check evaluated on one resource."""

    check_id: str
    control_ids: tuple[str, ...]
    severity: Severity
    verdict: Verdict
    reason: str
    """One sentence saying why this verdict, naming the deciding value."""
    resource: Resource
    observed: tuple[Observation, ...] = ()
    title: str = ""
    underlying_verdict: Verdict | None = None
    """For MUTED findings: the verdict before the exception applied."""

    def to_json(self) -> dict[str, JSON]:
        return {
            "check_id": self.check_id,
            "title": self.title,
            "control_ids": list(self.control_ids),
            "severity": self.severity.value,
            "verdict": self.verdict.value,
            "underlying_verdict": self.underlying_verdict.value if self.underlying_verdict else None,
            "reason": self.reason,
            "observed": [o.to_json() for o in self.observed],
            "resource": self.resource.summary_json(),
        }


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    """Whether one check was evaluated in one account and region, and if not, why."""

    check_id: str
    provider: str
    account: str
    region: str
    status: CoverageStatus
    resources: int = 0
    list_call: str | None = None
    """The call that enumerated the resource type (proves ``no_resources``)."""
    error: CollectionError | None = None
    errors: int = 0
    """Resources of this entry whose finding is ERROR (evaluated, but not fully)."""
    listed: int = 0
    """What the list call returned before scope filtering: "no resources" with ``listed > 0`` means
    the scope (tag filter, exclusions) left them out, not that none exist."""

    def to_json(self) -> dict[str, JSON]:
        return {
            "check_id": self.check_id,
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "status": self.status.value,
            "resources": self.resources,
            "errors": self.errors,
            "list_call": self.list_call,
            "listed": self.listed,
            "error": self.error.to_json() if self.error else None,
        }
