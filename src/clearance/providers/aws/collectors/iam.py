"""AWS IAM (global): users, roles, groups and customer-managed policies.

One paginated GetAccountAuthorizationDetails call returns every user, group and role with
their inline policies, attached managed policies, tags and (roles) trust policy, and every
customer-managed policy with all its versions: no per-resource call is needed for those. Each
record holds its item of that answer under the operation name.

Users additionally get the two things the call lacks, per user: ListMFADevices and
ListAccessKeys, and the user's row of the IAM credential report (password use, key rotation
and key use dates), under ``GetCredentialReport`` as ``{GeneratedTime, ReportFormat, Rows:
[the user's row]}``. Date checks count back from the report's GeneratedTime, so re-evaluating
an evidence package later gives the same answer. A report that could not be obtained is
recorded as the error on every user, never as "no row".

Links: user -> ``groups``; user, group and role -> the customer-managed ``policies`` attached
to them (AWS-managed policies are not collected; their ARNs stay in the raw data).
"""

from __future__ import annotations

from typing import Any

from ....model import CollectionError
from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, Fetched, ResourceBuilder, tags_from_list
from .account import CREDENTIAL_REPORT_OPERATIONS, credential_report
from .base import AwsCollector
from .kms import fetch_all

USER = "aws.iam.user"
ROLE = "aws.iam.role"
GROUP = "aws.iam.group"
POLICY = "aws.iam.policy"

DETAILS = "GetAccountAuthorizationDetails"
# Response member of each type in GetAccountAuthorizationDetails, with its name and id fields.
LISTS = (
    (USER, "UserDetailList", "UserName"),
    (ROLE, "RoleDetailList", "RoleName"),
    (GROUP, "GroupDetailList", "GroupName"),
    (POLICY, "Policies", "PolicyName"),
)
FILTER = ["User", "Role", "Group", "LocalManagedPolicy"]


def _merge_pages(pages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {key: [item for page in pages for item in page.get(key) or []] for _, key, _ in LISTS}


def _user_report(report: Fetched) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | CollectionError:
    """The report without its rows and each row by user ARN, or why there is no report."""
    if report.error is not None:
        return report.error
    if not isinstance(report.value, dict):
        message = f"the credential report was not ready after waiting ({report.absent})"
        return CollectionError("GetCredentialReport", str(report.absent or "NoReport"), message)
    head = {k: v for k, v in report.value.items() if k != "Rows"}
    return head, {str(row.get("arn")): row for row in report.value.get("Rows") or []}


class IamCollector(AwsCollector):
    service = "iam"
    global_service = True
    resource_types = (
        ResourceType(USER, "iam", DETAILS, "IAM user with policies, groups, MFA devices, access keys, report row"),
        ResourceType(ROLE, "iam", DETAILS, "IAM role with its trust policy and permission policies"),
        ResourceType(GROUP, "iam", DETAILS, "IAM group with its policies"),
        ResourceType(POLICY, "iam", DETAILS, "Customer-managed IAM policy with its versions"),
    )
    operations = (
        Operation("iam", DETAILS, "iam:GetAccountAuthorizationDetails"),
        Operation("iam", "ListMFADevices", "iam:ListMFADevices"),
        Operation("iam", "ListAccessKeys", "iam:ListAccessKeys"),
        *CREDENTIAL_REPORT_OPERATIONS,
    )

    def collect(self, unit: AwsUnit) -> None:
        try:
            details = _merge_pages(list(unit.pages("iam", DETAILS, Filter=FILTER)))
        except CallFailed as failed:
            for rtype, _, _ in LISTS:
                unit.list_failed(rtype, DETAILS, failed.error)
            return
        report = _user_report(credential_report(unit)) if details["UserDetailList"] else None
        groups = {str(g["GroupName"]): str(g["Arn"]) for g in details["GroupDetailList"]}
        for rtype, key, name_key in LISTS:
            items = details[key]
            if rtype == USER:
                builders = unit.parallel(lambda item: self._user(unit, item, groups, report), items)
            else:
                builders = [self._builder(unit, rtype, item, name_key) for item in items]
            for builder in builders:
                unit.emit(builder)
            unit.listed(rtype, DETAILS, len(items))

    def _builder(self, unit: AwsUnit, rtype: str, item: dict[str, Any], name_key: str) -> ResourceBuilder:
        arn = str(item["Arn"])
        name = str(item.get(name_key) or arn.rsplit("/", 1)[-1])
        builder = unit.builder(rtype, arn, name, tags=tags_from_list(item.get("Tags")))
        builder.data[DETAILS] = item
        own = f":iam::{unit.account}:policy/"
        attached = [str(p.get("PolicyArn")) for p in item.get("AttachedManagedPolicies") or []]
        builder.link("policies", *(p for p in attached if own in p))
        return builder

    def _user(
        self,
        unit: AwsUnit,
        item: dict[str, Any],
        groups: dict[str, str],
        report: tuple[dict[str, Any], dict[str, dict[str, Any]]] | CollectionError | None,
    ) -> ResourceBuilder:
        builder = self._builder(unit, USER, item, "UserName")
        name = builder.name
        builder.link("groups", *(groups.get(str(g)) for g in item.get("GroupList") or []))
        builder.attach(fetch_all(unit, "iam", "ListMFADevices", "MFADevices", UserName=name))
        builder.attach(fetch_all(unit, "iam", "ListAccessKeys", "AccessKeyMetadata", UserName=name))
        if isinstance(report, CollectionError):
            builder.errors["GetCredentialReport"] = report
        elif report is not None:
            head, rows = report
            row = rows.get(builder.id)
            builder.data["GetCredentialReport"] = {**head, "Rows": [row] if row else []}
        return builder


COLLECTORS = (IamCollector,)
