"""The project record: the project itself, its IAM policy (with audit configs), org policies, Vertex AI caching.

The project is an account-level resource: it is always in scope and carries what governs every
workload in it. Org policies are read as *effective* policies (inherited from folders and the
organization and merged), one data key per constraint: ``EffectivePolicy_<constraint, . -> _>``.
"""

from __future__ import annotations

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import GcpUnit
from .base import GcpCollector

PROJECT = "gcp.resourcemanager.project"
CONSTRAINTS = (
    "gcp.resourceLocations",
    "storage.publicAccessPrevention",
    "iam.allowedPolicyMemberDomains",
    "gcp.restrictNonCmekServices",
)
PROJECTS_GET = gcp_op("cloudresourcemanager", "cloudresourcemanager.projects.get", "resourcemanager.projects.get")


def policy_key(constraint: str) -> str:
    """``gcp.resourceLocations`` -> ``EffectivePolicy_gcp_resourceLocations`` (a path-friendly data key)."""
    return "EffectivePolicy_" + constraint.replace(".", "_")


class ResourceManagerCollector(GcpCollector):
    service = "resourcemanager"
    resource_types = (
        ResourceType(
            PROJECT,
            "resourcemanager",
            PROJECTS_GET.name,
            "Project with its IAM policy, audit configs, effective org policies and Vertex AI cache config",
            account_level=True,
        ),
    )
    operations = (
        PROJECTS_GET,
        gcp_op(
            "cloudresourcemanager",
            "cloudresourcemanager.projects.getIamPolicy",
            "resourcemanager.projects.getIamPolicy",
            read_only_post="returns the project's IAM policy; Resource Manager exposes this read as a POST",
        ),
        gcp_op("orgpolicy", "orgpolicy.projects.policies.getEffectivePolicy", "orgpolicy.policy.get"),
        gcp_op(
            "aiplatform",
            "aiplatform.projects.getCacheConfig",
            "aiplatform.cacheConfigs.get",
            absent_codes=("SERVICE_DISABLED",),  # Vertex AI off in the project: nothing to cache
        ),
    )

    def collect(self, unit: GcpUnit) -> None:
        name = f"projects/{unit.account}"
        fetched = unit.fetch("cloudresourcemanager", PROJECTS_GET.name, name=name)
        if fetched.error is not None:
            unit.list_failed(PROJECT, PROJECTS_GET.name, fetched.error)
            return
        body = fetched.value if isinstance(fetched.value, dict) else {}
        rid = ids.project_id(body.get("name")) or ids.full_name(ids.PROJECT_HOST, name)
        builder = unit.builder(PROJECT, rid, unit.account, ids.GLOBAL_REGION, body.get("labels"))
        builder.attach(fetched)
        policy = {"options": {"requestedPolicyVersion": 3}}
        builder.attach(unit.fetch("cloudresourcemanager", "Projects_GetIamPolicy", resource=name, body=policy))
        for constraint in CONSTRAINTS:
            builder.attach(
                unit.fetch(
                    "orgpolicy",
                    "Policies_GetEffectivePolicy",
                    key=policy_key(constraint),
                    name=f"{name}/policies/{constraint}",
                )
            )
        builder.attach(unit.fetch("aiplatform", "Projects_GetCacheConfig", name=f"{name}/cacheConfig"))
        unit.emit(builder)
        unit.listed(PROJECT, PROJECTS_GET.name, [builder.region], regional=False)


COLLECTORS = (ResourceManagerCollector,)
