"""Organisation-wide AWS scans on moto: discovery with AWS Organizations, AssumeRole into each member.

The caller is moto's default account, made the organization's management account. Member
accounts are created with organizations:CreateAccount; moto's AssumeRole switches to any
account id, so a member whose role cannot be assumed is refused at the HTTP layer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

import clearance
from clearance.errors import CredentialsError, ReadOnlyViolation, UsageError
from clearance.providers.aws import AwsProvider
from clearance.providers.aws.organization import NOT_IN_USE

from ..test_cli import run_cli
from .conftest import ACCOUNT, REGION
from .fakes import deny, error_body, intercept

ROLE = "ClearanceAudit"
VERSIONING = "aws-s3-bucket-versioning-enabled"


@dataclass
class Org:
    """The organization moto holds: member ids by name, its root, and the AssumeRole requests seen."""

    root: str
    members: dict[str, str] = field(default_factory=dict)
    assumed: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    def add(self, name: str, parent: str | None = None) -> str:
        orgs = boto3.client("organizations")
        status = orgs.create_account(AccountName=name, Email=f"{name}@bank.example")["CreateAccountStatus"]
        account = str(status["AccountId"])
        if parent is not None:
            orgs.move_account(AccountId=account, SourceParentId=self.root, DestinationParentId=parent)
        self.members[name] = account
        return account

    def ou(self, name: str, parent: str | None = None) -> str:
        orgs = boto3.client("organizations")
        return str(orgs.create_organizational_unit(ParentId=parent or self.root, Name=name)["OrganizationalUnit"]["Id"])

    def bucket(self, account: str, name: str, *, versioned: bool) -> None:
        s3: Any = _session_in(account).client("s3") if account != ACCOUNT else boto3.client("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def assume_role(self, request: Any) -> Any:
        """Record each AssumeRole of the scan's role; refuse those into ``refused`` accounts as IAM would (403)."""
        raw = request.body or b""
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        if f"role%2F{ROLE}" not in text:
            return None  # seeding the members
        self.assumed.append(text)
        if any(f"%3A{account}%3Arole" in text for account in self.refused):
            body, headers = error_body("sts", "AccessDenied", f"not authorized to perform sts:AssumeRole on {ROLE}")
            return 403, body, headers
        return None


def _session_in(account: str) -> boto3.Session:
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/Seed", RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


@pytest.fixture
def org(aws: Any) -> Iterator[Org]:
    """An organization managed by the caller's account, with AssumeRole requests recorded (and refusable)."""
    orgs = boto3.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    found = Org(str(orgs.list_roots()["Roots"][0]["Id"]))
    with intercept("sts", "AssumeRole", found.assume_role):
        yield found


def _coverage_of(results: Any, account: str) -> list[dict[str, Any]]:
    return [c for c in results.coverage if c["account"] == account]


def _units(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "raw" / "units.jsonl").read_text().splitlines()]


def test_every_member_is_scanned_through_the_role_and_a_refused_one_is_not_evaluated(org: Org, scan: Any) -> None:
    payments, lending, refused = (org.add(n) for n in ("payments", "lending", "sandbox"))
    org.bucket(ACCOUNT, "mgmt-trail-logs", versioned=True)
    org.bucket(payments, "payments-ledger", versioned=True)
    org.bucket(lending, "lending-docs", versioned=False)
    org.bucket(refused, "sandbox-scratch", versioned=False)
    org.refused.add(refused)

    got = scan(checks=[VERSIONING], services=("s3",), organization=True, role_name=ROLE, external_id="bank-extid-42")

    # Resources of every reachable account land under raw/aws/<account>/, and are evaluated there.
    for account in (ACCOUNT, payments, lending):
        assert list((got.out / "raw" / "aws" / account).rglob("aws.s3.bucket.jsonl")), account
    assert got.verdicts(VERSIONING) == {"mgmt-trail-logs": "PASS", "payments-ledger": "PASS", "lending-docs": "FAIL"}
    by_account = {f["resource"]["name"]: f["resource"]["account"] for f in got.findings}
    assert by_account == {"mgmt-trail-logs": ACCOUNT, "payments-ledger": payments, "lending-docs": lending}

    # The refused member is not evaluated, naming AssumeRole and the permission, and nothing of it was read.
    cov = _coverage_of(got, refused)
    assert cov and all(c["status"] == "not_evaluated" for c in cov)
    assert {c["error"]["operation"] for c in cov} == {"AssumeRole"}
    assert cov[0]["error"]["permission"] == "sts:AssumeRole" and ROLE in cov[0]["error"]["message"]
    assert not list((got.out / "raw" / "aws" / refused).rglob("*.jsonl"))
    for account in (ACCOUNT, payments, lending):
        assert {c["status"] for c in _coverage_of(got, account)} == {"evaluated"}

    # The caller's own account is read with its own credentials: the role is assumed in the members only,
    # each time with the ExternalId.
    targets = sorted(text.split("%3Arole")[0].rsplit("%3A", 1)[1] for text in org.assumed)
    assert targets == sorted([payments, lending, refused])
    assert all("ExternalId=bank-extid-42" in text for text in org.assumed)

    meta = json.loads((got.out / "scan.json").read_text())
    assert meta["accounts"] == sorted([ACCOUNT, payments, lending, refused])
    assert meta["scope"]["organization"] is True
    calls = [json.loads(line) for line in (got.out / "logs" / "api-calls.jsonl").read_text().splitlines()]
    assert [c["operation"] for c in calls if c["service"] == "organizations"] == ["ListAccounts"]


def test_suspended_member_is_recorded_without_any_call_and_can_be_excluded(org: Org, scan: Any) -> None:
    active, closed, skipped = org.add("active"), org.add("closed"), org.add("skipped")
    boto3.client("organizations").close_account(AccountId=closed)

    got = scan(checks=[VERSIONING], services=("s3",), organization=True, role_name=ROLE, exclude_accounts=(skipped,))

    cov = _coverage_of(got, closed)
    assert cov and all(c["status"] == "not_evaluated" for c in cov)
    assert cov[0]["error"]["code"] == "AccountSuspended"
    assert "SUSPENDED" in cov[0]["error"]["message"] and f"--exclude-account {closed}" in cov[0]["error"]["message"]
    assert {c["status"] for c in _coverage_of(got, active)} == {"no_resources"}
    assert not _coverage_of(got, skipped)
    assert not any(closed in t or skipped in t for t in org.assumed)
    meta = json.loads((got.out / "scan.json").read_text())
    assert meta["accounts"] == sorted([ACCOUNT, active, closed])
    assert meta["scope"]["exclude_accounts"] == [skipped]


def test_ou_scope_walks_nested_units_through_every_page_and_leaves_the_rest_out(org: Org, tmp_path: Path) -> None:
    retail = org.ou("retail")
    cards = org.ou("cards", parent=retail)
    direct = org.add("retail-web", parent=retail)
    nested = [org.add(f"cards-{i:02}", parent=cards) for i in range(21)]  # moto pages ListAccountsForParent by 20
    outside = org.add("treasury")

    scope = clearance.Scope(
        management_groups=(retail,), role_name=ROLE, regions=(REGION,), services=("s3",), max_workers=8
    )
    inventory = clearance.collect(scope, tmp_path / "out")

    assert set(inventory.summary.accounts) == {direct, *nested}
    assert outside not in inventory.summary.accounts and ACCOUNT not in inventory.summary.accounts
    calls = [json.loads(line) for line in (tmp_path / "out" / "logs" / "api-calls.jsonl").read_text().splitlines()]
    pages = [c for c in calls if c["operation"] == "ListAccountsForParent"]
    assert len(pages) == 3  # retail: 1 page; cards: 2 pages
    assert {r["account"] for r in _units(tmp_path / "out") if r["status"] == "listed"} == {direct, *nested}


@pytest.mark.parametrize(
    ("operation", "by_ou", "what"),
    [
        ("ListAccounts", False, "the organization's accounts"),
        ("ListAccountsForParent", True, "the accounts in r-"),
        ("ListOrganizationalUnitsForParent", True, "the organizational units in r-"),
    ],
)
def test_denied_discovery_stops_the_scan_naming_the_permission(
    org: Org, tmp_path: Path, operation: str, by_ou: bool, what: str
) -> None:
    org.add("member")
    containers = {"management_groups": (org.root,)} if by_ou else {"organization": True}
    scope = clearance.Scope(role_name=ROLE, regions=(REGION,), services=("s3",), **containers)
    with deny("organizations", operation), pytest.raises(CredentialsError) as raised:
        clearance.collect(scope, tmp_path / "out")
    message = str(raised.value)
    assert what in message and f"organizations:{operation}" in message and "nothing was scanned" in message
    assert not org.assumed
    assert not list((tmp_path / "out" / "raw" / "aws").rglob("*.jsonl"))


def test_denied_discovery_is_exit_5_on_the_command_line(org: Org, tmp_path: Path) -> None:
    args = ("--organization-accounts", "--role-name", ROLE, "--region", REGION, "--service", "s3")
    with deny("organizations", "ListAccounts"):
        code, _, err = run_cli("scan", *args, "--out", str(tmp_path / "out"), "--no-progress")
    assert code == 5, err
    assert err.startswith("error: cannot list the organization's accounts") and "organizations:ListAccounts" in err


def test_caller_outside_any_organization_is_a_usage_error(aws: Any, tmp_path: Path) -> None:
    # AWS answers AWSOrganizationsNotInUseException; moto lists nothing instead, so AWS's answer is played.
    body, headers = error_body("organizations", NOT_IN_USE, "Your account is not a member of an organization.")
    scope = clearance.Scope(organization=True, role_name=ROLE, regions=(REGION,), services=("s3",))
    with (
        intercept("organizations", "ListAccounts", lambda _req: (400, body, headers)),
        pytest.raises(UsageError, match=f"account {ACCOUNT} is not in an AWS organization"),
    ):
        clearance.collect(scope, tmp_path / "out")


def test_an_organization_listing_no_account_is_a_usage_error(aws: Any, tmp_path: Path) -> None:
    scope = clearance.Scope(organization=True, role_name=ROLE, regions=(REGION,), services=("s3",))
    with pytest.raises(UsageError, match="AWS Organizations listed no account"):
        clearance.collect(scope, tmp_path / "out")


def test_empty_ou_is_a_usage_error(org: Org, tmp_path: Path) -> None:
    empty = org.ou("empty")
    scope = clearance.Scope(management_groups=(empty,), role_name=ROLE, regions=(REGION,), services=("s3",))
    with pytest.raises(UsageError, match=f"--ou {empty}: no account under it"):
        clearance.collect(scope, tmp_path / "out")


@pytest.mark.parametrize(
    ("scope_kw", "message"),
    [
        ({"organization": True}, "need --role-name"),
        ({"management_groups": ("mg-finance",), "role_name": ROLE}, "expected an organizational unit id"),
        ({"exclude_accounts": (ACCOUNT,)}, "every account of the scan is excluded"),
    ],
)
def test_organisation_scope_usage_errors(aws: Any, tmp_path: Path, scope_kw: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        clearance.collect(clearance.Scope(regions=(REGION,), services=("s3",), **scope_kw), tmp_path / "out")


def test_organisation_options_belong_to_aws_only() -> None:
    with pytest.raises(UsageError, match="aws provider only"):
        clearance.Scope(provider="azure", organization=True)
    with pytest.raises(UsageError, match="aws provider only"):
        clearance.Scope(provider="gcp", exclude_accounts=("p",))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "azure", "--ou", "ou-ab12-cdef3456"], "apply to --provider aws"),
        (["--provider", "gcp", "--organization-accounts"], "apply to --provider aws"),
        (["--provider", "azure", "--exclude-account", "111111111111"], "apply to --provider aws"),
        (["--management-group", "mg-finance"], "for AWS organizational units: --ou"),
        (["--organization-accounts"], "need --role-name"),
    ],
)
def test_cli_organisation_options_are_checked_before_any_call(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run_cli("scan", *args, "--out", str(tmp_path / "out"), "--no-progress")
    assert code == 2, err
    assert message in err


def test_discovery_operations_are_declared_and_nothing_else_of_organizations_is_allowed(org: Org) -> None:
    provider = AwsProvider()
    policy = provider.operations()
    declared = {o.permission for o in policy}
    assert {
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    } <= declared
    client = boto3.client("organizations")
    provider.guard().install(client, "organizations")
    assert [a["Id"] for a in client.list_accounts()["Accounts"]] == [ACCOUNT]  # declared: sent
    refused: list[Callable[[], object]] = [
        lambda: client.create_account(AccountName="x", Email="x@bank.example"),
        lambda: client.move_account(AccountId="111111111111", SourceParentId="r-ab12", DestinationParentId="r-ab12"),
        lambda: client.close_account(AccountId="111111111111"),
    ]
    for call in refused:
        with pytest.raises(ReadOnlyViolation, match="not in clearance's read-only allow-list"):
            call()
    assert {a["Id"] for a in client.list_accounts()["Accounts"]} == {ACCOUNT}  # nothing was created or moved


def test_permissions_command_prints_the_discovery_actions() -> None:
    code, out, err = run_cli("permissions", "aws")
    assert code == 0, err
    actions = json.loads(out)["Statement"][0]["Action"]
    assert "organizations:ListAccounts" in actions and "organizations:ListOrganizationalUnitsForParent" in actions
    assert not [a for a in actions if a.startswith("organizations:") and a.split(":")[1].startswith(("Create", "Move"))]
