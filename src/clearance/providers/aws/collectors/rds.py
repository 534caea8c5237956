"""Amazon RDS (regional): DB instances, DB clusters, and the parameter groups they use.

Instances and clusters come from DescribeDBInstances and DescribeDBClusters; their tags are the
``TagList`` of those answers (no per-resource tag call). The API also lists DocumentDB and
Neptune instances and clusters; they are kept (they hold data too) and checks decide by engine.

Whether a database forces TLS is a parameter (``rds.force_ssl``, ``require_secure_transport``),
so every parameter group in use is collected once, as its own record holding the complete
DescribeDBParameters / DescribeDBClusterParameters answer (every page; engine defaults
included, since no Source filter can tell a default that forces TLS from one that does not).
An instance links to its group (``parameter_group``), so checks follow the link and a failed
parameter call makes them ERROR naming the permission. Aurora and Multi-AZ DB cluster members
link to their ``cluster``, whose cluster parameter group holds the TLS setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, ResourceBuilder, tags_from_list
from .base import AwsCollector
from .kms import fetch_all

INSTANCE = "aws.rds.instance"
CLUSTER = "aws.rds.cluster"
PARAMETER_GROUP = "aws.rds.parameter-group"
CLUSTER_PARAMETER_GROUP = "aws.rds.cluster-parameter-group"


@dataclass(frozen=True)
class GroupKind:
    """A kind of parameter group: its record type, ARN prefix, the call listing its parameters,
    and the listing of the resources that use it (which is what enumerates the groups)."""

    type: str
    arn_kind: str
    operation: str
    name_param: str
    used_by: str

    def arn(self, unit: AwsUnit, name: str) -> str:
        return unit.arn("rds", f"{self.arn_kind}:{name}")


DB_GROUPS = GroupKind(PARAMETER_GROUP, "pg", "DescribeDBParameters", "DBParameterGroupName", "DescribeDBInstances")
CLUSTER_GROUPS = GroupKind(
    CLUSTER_PARAMETER_GROUP,
    "cluster-pg",
    "DescribeDBClusterParameters",
    "DBClusterParameterGroupName",
    "DescribeDBClusters",
)


def _group_names(item: dict[str, Any]) -> list[str]:
    """Parameter groups an instance (``DBParameterGroups``) or a cluster (``DBClusterParameterGroup``) uses."""
    names = [g.get("DBParameterGroupName") for g in item.get("DBParameterGroups") or []]
    names.append(item.get("DBClusterParameterGroup"))
    return [str(n) for n in names if n]


def _common_links(unit: AwsUnit, builder: ResourceBuilder, item: dict[str, Any]) -> None:
    builder.link("kms_key", item.get("KmsKeyId"))
    groups = [g.get("VpcSecurityGroupId") for g in item.get("VpcSecurityGroups") or []]
    builder.link("security_groups", *(unit.arn("ec2", f"security-group/{g}") for g in groups if g))


class RdsCollector(AwsCollector):
    service = "rds"
    resource_types = (
        ResourceType(INSTANCE, "rds", "DescribeDBInstances", "RDS DB instance (also DocumentDB and Neptune)"),
        ResourceType(CLUSTER, "rds", "DescribeDBClusters", "RDS Aurora or Multi-AZ DB cluster"),
        ResourceType(
            PARAMETER_GROUP, "rds", "DescribeDBInstances", "DB parameter group used by an instance, every parameter"
        ),
        ResourceType(
            CLUSTER_PARAMETER_GROUP,
            "rds",
            "DescribeDBClusters",
            "DB cluster parameter group used by a cluster, every parameter",
        ),
    )
    operations = (
        Operation("rds", "DescribeDBInstances", "rds:DescribeDBInstances"),
        Operation("rds", "DescribeDBClusters", "rds:DescribeDBClusters"),
        Operation("rds", "DescribeDBParameters", "rds:DescribeDBParameters"),
        Operation("rds", "DescribeDBClusterParameters", "rds:DescribeDBClusterParameters"),
    )

    def collect(self, unit: AwsUnit) -> None:
        listings = (
            (INSTANCE, "DBInstances", DB_GROUPS, self._instance),
            (CLUSTER, "DBClusters", CLUSTER_GROUPS, self._cluster),
        )
        jobs: list[tuple[GroupKind, str]] = []
        for rtype, key, kind, build in listings:
            try:
                items = unit.items("rds", kind.used_by, key)
            except CallFailed as failed:
                unit.list_failed(rtype, kind.used_by, failed.error)
                unit.list_failed(kind.type, kind.used_by, failed.error)
                continue
            unit.listed(rtype, kind.used_by, len(items))
            for item in items:
                unit.emit(build(unit, item))
            names = sorted({name for item in items for name in _group_names(item)})
            unit.listed(kind.type, kind.used_by, len(names))
            jobs.extend((kind, name) for name in names)
        for builder in unit.parallel(lambda job: self._group(unit, *job), jobs):
            unit.emit(builder)

    def _instance(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        name = str(item["DBInstanceIdentifier"])
        arn = str(item.get("DBInstanceArn") or unit.arn("rds", f"db:{name}"))
        builder = unit.builder(INSTANCE, arn, name, tags=tags_from_list(item.get("TagList")))
        builder.data["DescribeDBInstances"] = item
        _common_links(unit, builder, item)
        vpc = (item.get("DBSubnetGroup") or {}).get("VpcId")
        builder.link("vpc", unit.arn("ec2", f"vpc/{vpc}") if vpc else None)
        builder.link("parameter_group", *(DB_GROUPS.arn(unit, group) for group in _group_names(item)))
        if item.get("DBClusterIdentifier"):
            builder.link("cluster", unit.arn("rds", f"cluster:{item['DBClusterIdentifier']}"))
        return builder

    def _cluster(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        name = str(item["DBClusterIdentifier"])
        arn = str(item.get("DBClusterArn") or unit.arn("rds", f"cluster:{name}"))
        builder = unit.builder(CLUSTER, arn, name, tags=tags_from_list(item.get("TagList")))
        builder.data["DescribeDBClusters"] = item
        _common_links(unit, builder, item)
        builder.link("parameter_group", *(CLUSTER_GROUPS.arn(unit, group) for group in _group_names(item)))
        return builder

    def _group(self, unit: AwsUnit, kind: GroupKind, name: str) -> ResourceBuilder:
        builder = unit.builder(kind.type, kind.arn(unit, name), name)
        builder.attach(fetch_all(unit, "rds", kind.operation, "Parameters", **{kind.name_param: name}))
        return builder


COLLECTORS = (RdsCollector,)
