"""AWS Organizations (global): the organization the account belongs to, and its AI-services
opt-out and service control policies.

One account-level ``aws.organizations.organization`` record per scanned account holds
DescribeOrganization (``AWSOrganizationsNotInUseException`` = the account is in no
organization: recorded as not configured), ListRoots (which policy types are enabled on the
root) and, under ``ListPolicies``, the AISERVICES_OPT_OUT_POLICY listing. It links to those
policies (``ai_opt_out_policies``) and to the service control policies (``service_control_policies``).

Each policy is an ``aws.organizations.policy`` record with its summary, DescribePolicy (the
content) and ListTargetsForPolicy (where it is attached). Member accounts are refused most of
these calls (only the management account and delegated administrators may make them): the
refusal is recorded on the organization record, so checks answer ERROR naming the permission,
never PASS.
"""

from __future__ import annotations

from typing import Any

from ....model import CollectionError
from ...interface import Operation, ResourceType
from ..unit import AwsUnit, ResourceBuilder
from .base import AwsCollector
from .kms import fetch_all

ORGANIZATION = "aws.organizations.organization"
POLICY = "aws.organizations.policy"
NOT_IN_USE = "AWSOrganizationsNotInUseException"
AI_OPT_OUT = "AISERVICES_OPT_OUT_POLICY"
# Policy types collected, with the organization record's link to them.
POLICY_TYPES = (
    (AI_OPT_OUT, "ai_opt_out_policies"),
    ("SERVICE_CONTROL_POLICY", "service_control_policies"),
)


class OrganizationsCollector(AwsCollector):
    service = "organizations"
    global_service = True
    resource_types = (
        ResourceType(
            ORGANIZATION,
            "organizations",
            "DescribeOrganization",
            "The account's organization (or its absence), root policy types, AI opt-out policy listing",
            account_level=True,
        ),
        ResourceType(POLICY, "organizations", "ListPolicies", "AI services opt-out or service control policy"),
    )
    operations = (
        Operation("organizations", "DescribeOrganization", "organizations:DescribeOrganization", (NOT_IN_USE,)),
        Operation("organizations", "ListRoots", "organizations:ListRoots"),
        Operation("organizations", "ListPolicies", "organizations:ListPolicies"),
        Operation("organizations", "DescribePolicy", "organizations:DescribePolicy"),
        Operation("organizations", "ListTargetsForPolicy", "organizations:ListTargetsForPolicy"),
    )

    def collect(self, unit: AwsUnit) -> None:
        described = unit.fetch("organizations", "DescribeOrganization")
        if described.error is not None:
            unit.list_failed(ORGANIZATION, "DescribeOrganization", described.error)
            unit.list_failed(POLICY, "DescribeOrganization", described.error)
            return
        org = (described.value.get("Organization") if isinstance(described.value, dict) else None) or {}
        arn = str(org.get("Arn") or f"arn:{unit.partition}:organizations::{unit.account}:organization/none")
        builder = unit.builder(ORGANIZATION, arn, str(org.get("Id") or "no organization"))
        builder.attach(described)
        if org:
            builder.attach(fetch_all(unit, "organizations", "ListRoots", "Roots"))
            self._policies(unit, builder)
        else:
            unit.listed(POLICY, "DescribeOrganization", 0)
        unit.emit(builder)
        unit.listed(ORGANIZATION, "DescribeOrganization", 1)

    def _policies(self, unit: AwsUnit, org: ResourceBuilder) -> None:
        found: list[dict[str, Any]] = []
        error: CollectionError | None = None
        for policy_type, relation in POLICY_TYPES:
            listing = fetch_all(unit, "organizations", "ListPolicies", "Policies", Filter=policy_type)
            if policy_type == AI_OPT_OUT:
                org.attach(listing)
            if listing.error is not None:
                error = error or listing.error
                continue
            items = listing.value["Policies"] if isinstance(listing.value, dict) else []
            org.link(relation, *(str(p["Arn"]) for p in items))
            found.extend(items)
        for builder in unit.parallel(lambda item: self._policy(unit, item), found):
            unit.emit(builder)
        if error is not None:
            unit.list_failed(POLICY, "ListPolicies", error)
        else:
            unit.listed(POLICY, "ListPolicies", len(found))

    def _policy(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        arn = str(item["Arn"])
        builder = unit.builder(POLICY, arn, str(item.get("Name") or item.get("Id") or arn))
        builder.data["ListPolicies"] = item
        builder.attach(unit.fetch("organizations", "DescribePolicy", PolicyId=str(item["Id"])))
        builder.attach(fetch_all(unit, "organizations", "ListTargetsForPolicy", "Targets", PolicyId=str(item["Id"])))
        return builder


COLLECTORS = (OrganizationsCollector,)
