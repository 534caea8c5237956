"""Which accounts an AWS scan covers: the ones given, plus those AWS Organizations lists.

The management account, or a delegated administrator, lists the organization's accounts: all of
them with ListAccounts, or those under given organizational units (or the root) with
ListAccountsForParent, walking nested OUs with ListOrganizationalUnitsForParent.

Discovery is all or nothing. If a listing fails the scan stops with a :class:`CredentialsError`
(exit 5) naming the call and the permission: scanning the accounts seen so far, or only the
caller's own, would pass a part of the estate off as the organisation. Accounts that are not
ACTIVE (suspended, pending closure) stay in the scan carrying the reason, so coverage shows them
as not evaluated rather than dropping them; ``exclude_accounts`` leaves them out deliberately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import CredentialsError, UsageError
from ...model import CollectionError
from ...scope import Scope
from ..interface import Operation
from .unit import AwsUnit, CallFailed

ORGANIZATION_OPERATIONS = (
    Operation("organizations", "ListAccounts", "organizations:ListAccounts"),
    Operation("organizations", "ListAccountsForParent", "organizations:ListAccountsForParent"),
    Operation("organizations", "ListOrganizationalUnitsForParent", "organizations:ListOrganizationalUnitsForParent"),
)

NOT_IN_USE = "AWSOrganizationsNotInUseException"
# The id patterns of the Organizations API reference (ParentId): a root or an organizational unit.
PARENT_ID = re.compile(r"r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")


@dataclass(frozen=True, slots=True)
class Target:
    """An account to scan, or the reason known before any call in it that it cannot be scanned."""

    account: str
    error: CollectionError | None = None


def discovers(scope: Scope) -> bool:
    """True when the scope asks AWS Organizations for accounts (the whole organization, or some OUs)."""
    return scope.organization or bool(scope.management_groups)


def check_scope(scope: Scope) -> None:
    """Usage errors of an organisation scope, raised before any call is made."""
    for parent in scope.management_groups:
        if not PARENT_ID.fullmatch(parent):
            raise UsageError(f"--ou {parent!r}: expected an organizational unit id (ou-…) or a root id (r-…)")
    if discovers(scope) and not scope.role_name:
        raise UsageError(
            "--organization-accounts and --ou need --role-name: the role clearance assumes in each member account"
        )


def scan_targets(scope: Scope, unit: AwsUnit) -> list[Target]:
    """The accounts to scan, in order: those given, then the discovered ones by id; exclusions removed.

    Without accounts or discovery, the caller's own account. ``unit`` runs in the caller's account.
    """
    found = {account: Target(account) for account in scope.accounts}
    if discovers(scope):
        for target in sorted(_discover(scope, unit), key=lambda t: t.account):
            found.setdefault(target.account, target)
    elif not found:
        found[unit.account] = Target(unit.account)
    targets = [t for account, t in found.items() if account not in scope.exclude_accounts]
    if not targets:
        raise UsageError("every account of the scan is excluded (--exclude-account)")
    return targets


def _discover(scope: Scope, unit: AwsUnit) -> list[Target]:
    if not scope.management_groups:
        accounts = _must(unit, "the organization's accounts", "ListAccounts", "Accounts")
        if not accounts:
            raise UsageError("AWS Organizations listed no account to this identity (--organization-accounts)")
        return [_target(a, "ListAccounts") for a in accounts]
    targets: list[Target] = []
    for root in scope.management_groups:
        under = _under(root, unit)
        if not under:
            raise UsageError(f"--ou {root}: no account under it is visible to this identity")
        targets.extend(under)
    return targets


def _under(root: str, unit: AwsUnit) -> list[Target]:
    """Every account below ``root``, through nested organizational units."""
    targets: list[Target] = []
    pending, seen = [root], set()
    while pending:
        parent = pending.pop()
        if parent in seen:
            continue
        seen.add(parent)
        accounts = _must(unit, f"the accounts in {parent}", "ListAccountsForParent", "Accounts", ParentId=parent)
        targets.extend(_target(a, "ListAccountsForParent") for a in accounts)
        units = _must(
            unit,
            f"the organizational units in {parent}",
            "ListOrganizationalUnitsForParent",
            "OrganizationalUnits",
            ParentId=parent,
        )
        pending.extend(str(u["Id"]) for u in units)
    return targets


def _target(account: dict[str, Any], listed_by: str) -> Target:
    """An ACTIVE account is scanned; any other state is recorded as the reason it is not."""
    account_id = str(account["Id"])
    state = str(account.get("State") or account.get("Status") or "ACTIVE").upper()
    if state == "ACTIVE":
        return Target(account_id)
    name = f" ({account['Name']})" if account.get("Name") else ""
    message = (
        f"account {account_id}{name} is {state} in the organization, so it cannot be read; "
        f"--exclude-account {account_id} leaves it out of the scan"
    )
    code = "Account" + state.title().replace("_", "")
    return Target(account_id, CollectionError(listed_by, code, message, f"organizations:{listed_by}", False))


def _must(unit: AwsUnit, what: str, op: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """A discovery call whose failure stops the scan: without it, what to scan is unknown."""
    try:
        return [dict(item) for item in unit.items("organizations", op, key, **params)]
    except CallFailed as failed:
        error = failed.error
    if error.code == NOT_IN_USE:
        raise UsageError(
            f"account {unit.account} is not in an AWS organization: --organization-accounts and --ou "
            "need the management account or a delegated administrator"
        ) from None
    raise CredentialsError(
        f"cannot list {what} ({error.describe()}): organisation discovery needs the management account or a "
        "delegated administrator allowed organizations:ListAccounts, ListAccountsForParent and "
        "ListOrganizationalUnitsForParent; nothing was scanned"
    ) from None
