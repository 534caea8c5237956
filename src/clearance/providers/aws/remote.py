"""AWS units on remote workers: the picklable unit a worker runs, and the driver side that makes one per unit.

A worker receives no credentials and no clients. It builds its own boto3 session from its own environment (IRSA,
workload identity, an instance profile) and, where the driver read the account through a role, assumes that role
itself; its clients carry the read-only guard built from the same declared operations as on the driver. Without a
role the worker proves its identity is the unit's account first, so a misconfigured worker can never file one
account's resources under another. Sessions and pools are shared by the units of one scan on one worker process.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any

from ... import __version__
from ...errors import CredentialsError, ReadOnlyViolation, UsageError
from ...executors import UnitResult
from ...scope import Scope
from ..interface import Operation
from ..orchestration import RecordingSink, RemoteUnit, run_collector
from ..unitbase import UnitSink
from .session import AccountSession, ReadOnlyGuard, assume_role_session, base_session
from .unit import AwsUnit

if TYPE_CHECKING:
    from .collectors.base import AwsCollector


@dataclass(frozen=True, slots=True)
class SessionKey:
    """What a worker needs to open one account's session; units of one scan and account share it."""

    scan: str
    """Identifies the scan, so a long-lived worker opens fresh sessions (and assumes roles afresh) per scan."""
    account: str
    partition: str
    role_name: str | None
    """The role the driver read this account through, assumed by the worker from its own credentials;
    None: the worker's own identity must be this account."""
    external_id: str | None
    endpoint_url: str | None
    default_region: str
    max_workers: int


@dataclass(frozen=True, slots=True)
class AwsWorkUnit:
    """One AWS unit (account, region, service) as picklable inputs."""

    session: SessionKey
    region: str
    service: str
    scan_regions: tuple[str, ...]
    version: str = __version__

    @property
    def provider(self) -> str:
        return "aws"

    @property
    def account(self) -> str:
        return self.session.account

    def run(self) -> UnitResult:
        """Collect on this worker: its own session, guard, limiter and detail pool; results as plain data."""
        collectors, ops, _ = _declarations()
        collector = collectors.get(self.service)
        if collector is None:
            raise UsageError(f"this worker's clearance has no AWS collector {self.service!r}")
        limiter, detail_pool = _worker_pools(self.session.max_workers)
        sink = RecordingSink()
        unit = AwsUnit(
            worker_session(self.session), self.region, self.service, ops, sink, limiter, detail_pool, self.scan_regions
        )
        ok = run_collector(collector, unit, partial(collector.collect, unit), lambda: {t for t, _ in unit.listed_types})
        return sink.result(ok, unit.calls)


@dataclass(frozen=True)
class AwsRemote:
    """The driver side of one scan: turns each planned unit into its :class:`RemoteUnit`."""

    scope: Scope
    identity: AccountSession
    """The driver's own identity: accounts read with it are read with the worker's own identity."""
    endpoint_url: str | None
    default_region: str
    writer: UnitSink
    scan: str = field(default_factory=lambda: uuid.uuid4().hex)

    def unit(
        self, session: AccountSession, collector: AwsCollector, region: str, regions: tuple[str, ...]
    ) -> RemoteUnit:
        """The remote form of the unit ``collector`` in ``region`` of the account ``session`` reads."""
        own = session is self.identity
        key = SessionKey(
            self.scan,
            session.account,
            session.partition,
            None if own else self.scope.role_name,
            None if own else self.scope.external_id,
            self.endpoint_url,
            self.default_region,
            self.scope.max_workers,
        )
        return RemoteUnit(AwsWorkUnit(key, region, collector.service, regions), collector, self.writer)


@cache
def _declarations() -> tuple[dict[str, AwsCollector], dict[tuple[str, str], Operation], ReadOnlyGuard]:
    """This worker's collectors, declared operations and the read-only guard built from them."""
    from .provider import AwsProvider

    provider = AwsProvider()
    ops = {(o.service, o.name): o for o in provider.operations()}
    return {c.service: c for c in provider.all_collectors()}, ops, provider.guard()


@cache
def _worker_pools(max_workers: int) -> tuple[threading.BoundedSemaphore, ThreadPoolExecutor]:
    """One limiter and detail pool per worker process: ``max_workers`` bounds its concurrent API requests."""
    return threading.BoundedSemaphore(max_workers), ThreadPoolExecutor(
        max_workers, thread_name_prefix="clearance-worker-detail"
    )


@lru_cache(maxsize=256)
def worker_session(key: SessionKey) -> AccountSession:
    """The account's session on this worker, every client guarded; raises CredentialsError if it cannot be had."""
    _, _, guard = _declarations()

    def guarded(boto: Any, account: str) -> AccountSession:
        return AccountSession(
            boto,
            account,
            key.partition,
            guard,
            endpoint_url=key.endpoint_url,
            max_pool=key.max_workers,
            default_region=key.default_region,
        )

    base = base_session(key.default_region)
    own = guarded(base, "")
    if key.role_name:
        return guarded(assume_role_session(own, key.account, key.role_name, key.external_id), key.account)
    try:
        account = str(own.client("sts", key.default_region).get_caller_identity()["Account"])
    except ReadOnlyViolation:
        raise
    except Exception as exc:
        raise CredentialsError(f"this worker cannot establish an AWS identity (sts:GetCallerIdentity): {exc}") from None
    if account != key.account:
        raise CredentialsError(
            f"this worker's AWS identity is account {account}, not {key.account}: give the workers credentials "
            "for the account, or scan it through a role (--role-name)"
        )
    return guarded(base, key.account)
