"""The AWS provider: plan units from the scope, run them concurrently, finalise each account."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial

from ...errors import CredentialsError, ReadOnlyViolation, UsageError
from ...executors import open_executor
from ...inventory import InventoryWriter
from ...model import CollectionError
from ...scope import Scope, apply_scope
from ..interface import CollectorProvider, CollectSummary, Operation, ProgressFn
from ..orchestration import (
    AccountPlan,
    Job,
    UnitOutcome,
    bounded_pools,
    record_account_failure,
    run_collector,
    run_jobs,
)
from .collectors import all_collectors
from .collectors.base import AwsCollector
from .linker import link_account
from .organization import ORGANIZATION_OPERATIONS, Target, check_scope, scan_targets
from .remote import AwsRemote
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
    *ORGANIZATION_OPERATIONS,
)

DEFAULT_REGION = "us-east-1"


@cache
def _collectors() -> tuple[AwsCollector, ...]:
    return tuple(all_collectors())


@dataclass
class _AccountPlan(AccountPlan[AccountSession]):
    regions: tuple[str, ...] = ()
    """The regions this account's regional collectors run in."""


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
        check_scope(scope)
        ops = {(o.service, o.name): o for o in self.operations()}
        guard = self.guard()
        collectors = self.collectors(scope.services)
        limiter = threading.BoundedSemaphore(scope.max_workers)
        identity_session = self._identity_session(scope, guard, endpoint, default_region)

        with (
            bounded_pools(scope.max_workers) as (unit_pool, detail_pool),
            open_executor(scope.executor, unit_pool) as units,
        ):
            bootstrap = AwsUnit(identity_session, GLOBAL_REGION, "sts", ops, writer, limiter, detail_pool, ())
            remote = AwsRemote(scope, identity_session, endpoint, default_region, writer)
            plan_target = partial(
                self._plan_account,
                scope=scope,
                bootstrap=bootstrap,
                guard=guard,
                endpoint=endpoint,
                region=default_region,
            )
            plans = list(unit_pool.map(plan_target, scan_targets(scope, bootstrap)))  # AssumeRole calls overlap
            jobs: list[Job[_AccountPlan]] = []
            for plan in plans:
                if plan.session is None:
                    record_account_failure("aws", plan.account, plan.error, collectors, writer)
                    continue
                for collector in collectors:
                    regions = (GLOBAL_REGION,) if collector.global_service else plan.regions
                    jobs.extend(
                        Job(
                            plan,
                            f"{plan.account}/{region}/{collector.service}",
                            partial(self._run_unit, plan, collector, region, ops, writer, limiter, detail_pool),
                            remote.unit(plan.session, collector, region, plan.regions),
                        )
                        for region in regions
                    )
                plan.remaining = sum(1 for j in jobs if j.plan is plan)
                if plan.remaining == 0:
                    self._finalize(plan, scope, writer)
            tally = run_jobs(units, jobs, partial(self._finalize, scope=scope, writer=writer), progress)
        all_regions = tuple(sorted({r for p in plans for r in p.regions}))
        return CollectSummary(
            tuple(p.account for p in plans), all_regions, len(jobs), tally.failed, bootstrap.calls + tally.calls
        )

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
        target: Target,
        scope: Scope,
        bootstrap: AwsUnit,
        guard: ReadOnlyGuard,
        endpoint: str | None,
        region: str,
    ) -> _AccountPlan:
        account, identity = target.account, bootstrap.session
        if target.error is not None:
            return _AccountPlan(account, error=target.error, regions=scope.regions)
        if account == identity.account:
            acct_session = identity  # the caller's own account is read with the caller's own credentials
        elif scope.role_name:
            try:
                session = assume_role_session(identity, account, scope.role_name, scope.external_id)
            except CredentialsError as exc:
                err = CollectionError("AssumeRole", "AssumeRoleFailed", str(exc), "sts:AssumeRole", True)
                return _AccountPlan(account, error=err, regions=scope.regions)
            acct_session = AccountSession(
                session,
                account,
                identity.partition,
                guard,
                endpoint_url=endpoint,
                max_pool=scope.max_workers,
                default_region=region,
            )
        else:
            msg = f"account {account} is not the current identity's account ({identity.account}) and no role was given"
            err = CollectionError("AssumeRole", "NoRoleToAssume", msg, "sts:AssumeRole", False)
            return _AccountPlan(account, error=err, regions=scope.regions)
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
                return _AccountPlan(account, error=failed.error)
            regions = tuple(sorted(str(r["RegionName"]) for r in found))
        regions = tuple(r for r in regions if r not in scope.exclude_regions)
        return _AccountPlan(account, acct_session, regions=regions)

    def _run_unit(
        self,
        plan: _AccountPlan,
        collector: AwsCollector,
        region: str,
        ops: dict[tuple[str, str], Operation],
        writer: InventoryWriter,
        limiter: threading.BoundedSemaphore,
        detail_pool: ThreadPoolExecutor,
    ) -> UnitOutcome:
        assert plan.session is not None
        unit = AwsUnit(plan.session, region, collector.service, ops, writer, limiter, detail_pool, plan.regions)
        ok = run_collector(collector, unit, partial(collector.collect, unit), lambda: {t for t, _ in unit.listed_types})
        return UnitOutcome(ok, calls=unit.calls)

    def _finalize(self, plan: _AccountPlan, scope: Scope, writer: InventoryWriter) -> None:
        linked = link_account(list(writer.staged("aws", plan.account)))
        writer.finalize_account("aws", plan.account, apply_scope(linked, scope, self.account_level_types()))
