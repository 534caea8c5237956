"""What to scan, and which collected resources are in scope.

A workload is usually selected by tag (``workload=crm``). Resources the workload depends on
but that carry no workload tag (the KMS key of a tagged bucket, the VPC and security groups
of a tagged instance, the trail that logs the account) are kept and marked as dependencies,
because a control on the workload is only as good as the controls on what it relies on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .errors import UsageError
from .model import Resource

if TYPE_CHECKING:
    from .executors import Executor


@dataclass(frozen=True, slots=True)
class TagFilter:
    """Match resources whose tag ``key`` has one of ``values`` (any value when empty)."""

    key: str
    values: tuple[str, ...] = ()

    def matches(self, tags: dict[str, str]) -> bool:
        if self.key not in tags:
            return False
        return not self.values or tags[self.key] in self.values


def parse_tag_filters(specs: Iterable[str]) -> tuple[TagFilter, ...]:
    """``KEY=VALUE`` (repeat a key for alternatives) or ``KEY`` (any value); keys are ANDed."""
    merged: dict[str, list[str]] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not key.strip():
            raise UsageError(f"--tag {spec!r}: expected KEY=VALUE or KEY")
        values = merged.setdefault(key.strip(), [])
        if sep:
            values.append(value)
    return tuple(TagFilter(k, tuple(v)) for k, v in merged.items())


@dataclass(frozen=True, slots=True)
class Scope:
    """Inputs of a scan. Empty tuples mean "discover": the current account, all enabled regions."""

    provider: str = "aws"
    accounts: tuple[str, ...] = ()
    """Explicit account ids (Azure: subscription ids); empty = the account of the current identity
    (Azure: every subscription the credential sees, unless management groups are given)."""
    management_groups: tuple[str, ...] = ()
    """Azure: scan every subscription under these management groups (in addition to ``accounts``).
    GCP: ``organizations/ID`` or ``folders/ID``, to scan every active project below them.
    AWS: organizational unit (``ou-…``) or root (``r-…``) ids: discover the accounts below them (nested OUs too)."""
    role_name: str | None = None
    """Role assumed in each account (``arn:<partition>:iam::<account>:role/<role_name>``)."""
    external_id: str | None = None
    regions: tuple[str, ...] = ()
    """Explicit regions; empty = every region enabled for the account."""
    tags: tuple[TagFilter, ...] = ()
    exclude: tuple[str, ...] = ()
    """Glob patterns matched against resource ids and names."""
    exclude_regions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    """Restrict collection to these services (empty = all)."""
    endpoint_url: str | None = None
    """Point every client at a local emulator (moto server); also read from AWS_ENDPOINT_URL."""
    max_workers: int = 16
    """Upper bound on concurrent API requests across the whole scan."""
    organization: bool = False
    """AWS: discover the accounts to scan from AWS Organizations (every account, or those under
    ``management_groups``), in addition to ``accounts``; each is read through ``role_name``."""
    exclude_accounts: tuple[str, ...] = ()
    """AWS: account ids never scanned, whether given or discovered."""
    executor: str | Executor = "local"
    """Where collection units run: ``local`` (this process), ``dask://HOST:PORT`` (an existing Dask cluster; then
    ``max_workers`` bounds each worker process), or an executor the caller opened. AWS only for now."""

    def __post_init__(self) -> None:
        if self.max_workers < 1:
            raise UsageError("max_workers must be at least 1")
        if self.role_name is None and self.external_id is not None:
            raise UsageError("an external id needs a role name to assume")
        if self.provider != "aws" and (self.organization or self.exclude_accounts):
            raise UsageError("organization and exclude_accounts apply to the aws provider only")
        if self.executor != "local":
            from .executors import parse_spec

            if isinstance(self.executor, str):
                parse_spec(self.executor)
            if self.provider != "aws":
                raise UsageError(f"executor: distributed collection supports the aws provider, not {self.provider}")

    def to_json(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "accounts": list(self.accounts),
            "management_groups": list(self.management_groups),
            # Only when used, so scans without them keep the scope they always had (scan diffs stay quiet).
            **({"organization": True} if self.organization else {}),
            **({"exclude_accounts": list(self.exclude_accounts)} if self.exclude_accounts else {}),
            "role_name": self.role_name,
            "regions": list(self.regions),
            "tags": [{"key": t.key, "values": list(t.values)} for t in self.tags],
            "exclude": list(self.exclude),
            "exclude_regions": list(self.exclude_regions),
            "services": list(self.services),
            "endpoint_url": self.endpoint_url,
        }

    def excluded(self, resource: Resource) -> bool:
        return any(fnmatch.fnmatchcase(resource.id, p) or fnmatch.fnmatchcase(resource.name, p) for p in self.exclude)

    def matches(self, resource: Resource) -> bool:
        return all(f.matches(resource.tags) for f in self.tags)


def apply_scope(resources: list[Resource], scope: Scope, account_level_types: frozenset[str]) -> list[Resource]:
    """Keep matching resources and, transitively, what they link to (marked as dependencies).

    Without a tag filter every non-excluded resource is in scope. Account-level singletons
    (account settings, trails, password policy) are always kept: they govern every workload.
    """
    candidates = [r for r in resources if not scope.excluded(r)]
    if not scope.tags:
        return candidates
    by_id = {r.id: r for r in candidates}
    selected = {r.id for r in candidates if scope.matches(r)}
    dependencies: set[str] = set()
    frontier = list(selected) + [r.id for r in candidates if r.type in account_level_types and r.id not in selected]
    dependencies.update(r.id for r in candidates if r.type in account_level_types and r.id not in selected)
    while frontier:
        rid = frontier.pop()
        res = by_id.get(rid)
        if res is None:
            continue
        for targets in res.links.values():
            for target in targets:
                if target in by_id and target not in selected and target not in dependencies:
                    dependencies.add(target)
                    frontier.append(target)
    out = []
    for r in candidates:
        if r.id in selected:
            out.append(r)
        elif r.id in dependencies:
            out.append(replace(r, dependency=True))
    return out
