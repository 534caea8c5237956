"""The AWS provider: plan units from the scope, run them concurrently, finalise each account."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache

from ...errors import CredentialsError, ReadOnlyViolation, UsageError
from ...inventory import InventoryWriter, TypeListing, TypeStatus
from ...model import CollectionError
from ...scope import Scope, apply_scope
from ..interface import CollectorProvider, CollectSummary, Operation, Progress, ProgressFn
from .collectors import all_collectors
from .collectors.base import AwsCollector
from .linker import link_account
from .session import GLOBAL_REGION, AccountSession, ReadOnlyGuard, assume_role_session, base_session
from .unit import AwsUnit, CallFailed

CORE_OPERATIONS = (
    Operation("sts", "GetCallerIdentity", "sts:GetCallerIdentity"),
    Operation(
        "sts",
        "AssumeRole",
        "sts:AssumeRole",
        non_read_reason="obtains temporary read-only credentials in a member account; changes nothing",
    ),
    Operation("ec2", "DescribeRegions", "ec2:DescribeRegions"),
)

DEFAULT_REGION = "us-east-1"


@cache
def _collectors() -> tuple[AwsCollector, ...]:
    return tuple(all_collectors())


@dataclass
class _AccountPlan:
    account: str
    session: AccountSession | None
    regions: tuple[str, ...]
    error: CollectionError | None = None
    remaining: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class AwsProvider(CollectorProvider[AwsCollector]):
    name = "aws"

    display_name = "AWS"
    core_operations = CORE_OPERATIONS

    def all_collectors(self) -> tuple[AwsCollector, ...]:
        return _collectors()

    def guard(self) -> ReadOnlyGuard:
        allowed: dict[str, set[str]] = {}
        for op in self.operations():
            allowed.setdefault(op.service, set()).add(op.name)
        return ReadOnlyGuard({k: frozenset(v) for k, v in allowed.items()})

    # -- collection ---------------------------------------------------------------------------
    def collect(self, scope: Scope, writer: InventoryWriter, progress: ProgressFn | None = None) -> CollectSummary:
        try:
            import boto3  # noqa: F401
        except ImportError:
            raise UsageError("AWS scanning needs the 'aws' extra: pip install 'clearance[aws]'") from None
        endpoint = scope.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        default_region = (scope.regions[0] if scope.regions else None) or os.environ.get(
            "AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", DEFAULT_REGION)
        )
        ops = {(o.service, o.name): o for o in self.operations()}
        guard = self.guard()
        collectors = self.collectors(scope.services)
        limiter = threading.BoundedSemaphore(scope.max_workers)
        identity_session = self._identity_session(scope, guard, endpoint, default_region)

        detail_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-detail")
        unit_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-unit")
        try:
            bootstrap = AwsUnit(identity_session, GLOBAL_REGION, "sts", ops, writer, limiter, detail_pool, ())
            plans = [
                self._plan_account(acct, scope, bootstrap, guard, endpoint, default_region)
                for acct in (scope.accounts or (identity_session.account,))
            ]
            jobs: list[tuple[_AccountPlan, AwsCollector, str]] = []
            for plan in plans:
                if plan.session is None:
                    self._record_account_failure(plan, collectors, writer)
                    continue
                for collector in collectors:
                    regions = (GLOBAL_REGION,) if collector.global_service else plan.regions
                    jobs.extend((plan, collector, region) for region in regions)
                plan.remaining = sum(1 for j in jobs if j[0] is plan)
                if plan.remaining == 0:
                    self._finalize(plan, scope, writer)
            total = len(jobs)
            failed = 0
            calls = bootstrap.calls
            futures = {
                unit_pool.submit(self._run_unit, plan, collector, region, ops, writer, limiter, detail_pool): (
                    plan,
                    collector,
                    region,
                )
                for plan, collector, region in jobs
            }
            for done, future in enumerate(as_completed(futures), start=1):
                plan, collector, region = futures[future]
                unit_calls, ok = future.result()
                calls += unit_calls
                failed += 0 if ok else 1
                if progress:
                    progress(Progress(done, total, f"{plan.account}/{region}/{collector.service}"))
                with plan.lock:
                    plan.remaining -= 1
                    finished = plan.remaining == 0
                if finished:
                    self._finalize(plan, scope, writer)
        finally:
            unit_pool.shutdown(wait=True, cancel_futures=True)
            detail_pool.shutdown(wait=True, cancel_futures=True)
        all_regions = tuple(sorted({r for p in plans for r in p.regions}))
        return CollectSummary(tuple(p.account for p in plans), all_regions, total, failed, calls)

    def _identity_session(
        self, scope: Scope, guard: ReadOnlyGuard, endpoint: str | None, region: str
    ) -> AccountSession:
        try:
            session = base_session(region)
            probe = AccountSession(
                session,
                "",
                "aws",
                guard,
                endpoint_url=endpoint,
                max_pool=scope.max_workers,
                default_region=region,
            )
            ident = probe.client("sts", region).get_caller_identity()
        except ReadOnlyViolation:
            raise
        except Exception as exc:
            raise CredentialsError(f"cannot establish an AWS identity (sts:GetCallerIdentity): {exc}") from None
        arn = str(ident["Arn"])
        partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
        return AccountSession(
            session,
            str(ident["Account"]),
            partition,
            guard,
            endpoint_url=endpoint,
            max_pool=scope.max_workers,
            default_region=region,
        )

    def _plan_account(
        self,
        account: str,
        scope: Scope,
        bootstrap: AwsUnit,
        guard: ReadOnlyGuard,
        endpoint: str | None,
        region: str,
    ) -> _AccountPlan:
        identity = bootstrap.session
        if scope.role_name:
            try:
                session = assume_role_session(identity, account, scope.role_name, scope.external_id)
            except CredentialsError as exc:
                err = CollectionError("AssumeRole", "AssumeRoleFailed", str(exc), "sts:AssumeRole", True)
                return _AccountPlan(account, None, scope.regions, err)
            acct_session = AccountSession(
                session,
                account,
                identity.partition,
                guard,
                endpoint_url=endpoint,
                max_pool=scope.max_workers,
                default_region=region,
            )
        elif account == identity.account:
            acct_session = identity
        else:
            msg = f"account {account} is not the current identity's account ({identity.account}) and no role was given"
            err = CollectionError("AssumeRole", "NoRoleToAssume", msg, "sts:AssumeRole", False)
            return _AccountPlan(account, None, scope.regions, err)
        regions = scope.regions
        if not regions:
            unit = AwsUnit(
                acct_session,
                region,
                "ec2",
                bootstrap.operations,
                bootstrap.writer,
                bootstrap.limiter,
                bootstrap.detail_pool,
                (),
            )
            try:
                found = unit.items("ec2", "DescribeRegions", "Regions", region=region, AllRegions=False)
            except CallFailed as failed:
                return _AccountPlan(account, None, (), failed.error)
            regions = tuple(sorted(str(r["RegionName"]) for r in found))
        regions = tuple(r for r in regions if r not in scope.exclude_regions)
        return _AccountPlan(account, acct_session, regions)

    def _record_account_failure(
        self, plan: _AccountPlan, collectors: Sequence[AwsCollector], writer: InventoryWriter
    ) -> None:
        for collector in collectors:
            for rtype in collector.resource_types:
                writer.listing(
                    TypeListing(
                        "aws",
                        plan.account,
                        "*",
                        rtype.name,
                        TypeStatus.FAILED,
                        rtype.list_call,
                        0,
                        0,
                        plan.error,
                    )
                )
        writer.finalize_account("aws", plan.account, [])

    def _run_unit(
        self,
        plan: _AccountPlan,
        collector: AwsCollector,
        region: str,
        ops: dict[tuple[str, str], Operation],
        writer: InventoryWriter,
        limiter: threading.BoundedSemaphore,
        detail_pool: ThreadPoolExecutor,
    ) -> tuple[int, bool]:
        assert plan.session is not None
        unit = AwsUnit(plan.session, region, collector.service, ops, writer, limiter, detail_pool, plan.regions)
        ok = True
        try:
            collector.collect(unit)
        except ReadOnlyViolation:
            raise
        except Exception as exc:  # a collector bug or an unexpected answer: record the gap, keep going
            ok = False
            error = CollectionError(f"{collector.service} collector", type(exc).__name__, str(exc)[:500])
            for rtype in collector.resource_types:
                if not any(t == rtype.name for t, _ in unit.listed_types):
                    unit.list_failed(rtype.name, rtype.list_call, error)
        return unit.calls, ok

    def _finalize(self, plan: _AccountPlan, scope: Scope, writer: InventoryWriter) -> None:
        linked = link_account(list(writer.staged("aws", plan.account)))
        writer.finalize_account("aws", plan.account, apply_scope(linked, scope, self.account_level_types()))
