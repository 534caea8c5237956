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
    """A kind of parameter group: its record type, ARN prefix and the call listing its parameters."""

    type: str
    arn_kind: str
    operation: str
    name_param: str


GROUP_KINDS = (
    GroupKind(PARAMETER_GROUP, "pg", "DescribeDBParameters", "DBParameterGroupName"),
    GroupKind(CLUSTER_PARAMETER_GROUP, "cluster-pg", "DescribeDBClusterParameters", "DBClusterParameterGroupName"),
)


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
        instances = self._list(unit, INSTANCE, PARAMETER_GROUP, "DescribeDBInstances", "DBInstances")
        clusters = self._list(unit, CLUSTER, CLUSTER_PARAMETER_GROUP, "DescribeDBClusters", "DBClusters")
        wanted: dict[GroupKind, set[str]] = {kind: set() for kind in GROUP_KINDS}
        for item in instances or []:
            unit.emit(self._instance(unit, item))
            wanted[GROUP_KINDS[0]].update(
                str(g["DBParameterGroupName"]) for g in item.get("DBParameterGroups") or [] if g.get("DBParameterGroupName")
            )
        for item in clusters or []:
            unit.emit(self._cluster(unit, item))
            if item.get("DBClusterParameterGroup"):
                wanted[GROUP_KINDS[1]].add(str(item["DBClusterParameterGroup"]))
        jobs = [(kind, name) for kind in GROUP_KINDS for name in sorted(wanted[kind])]
        for builder in unit.parallel(lambda job: self._group(unit, *job), jobs):
            unit.emit(builder)
        for kind, listing in zip(GROUP_KINDS, (instances, clusters), strict=True):
            if listing is not None:
                unit.listed(kind.type, "DescribeDBInstances" if kind is GROUP_KINDS[0] else "DescribeDBClusters", len(wanted[kind]))

    def _list(self, unit: AwsUnit, rtype: str, group_type: str, op: str, key: str) -> list[dict[str, Any]] | None:
        """The items of one Describe call; on failure the gap is recorded for it and its parameter groups."""
        try:
            items = unit.items("rds", op, key)
        except CallFailed as failed:
            unit.list_failed(rtype, op, failed.error)
            unit.list_failed(group_type, op, failed.error)
            return None
        unit.listed(rtype, op, len(items))
        return items

    def _instance(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        name = str(item["DBInstanceIdentifier"])
        arn = str(item.get("DBInstanceArn") or unit.arn("rds", f"db:{name}"))
        builder = unit.builder(INSTANCE, arn, name, tags=tags_from_list(item.get("TagList")))
        builder.data["DescribeDBInstances"] = item
        _common_links(unit, builder, item)
        vpc = (item.get("DBSubnetGroup") or {}).get("VpcId")
        builder.link("vpc", unit.arn("ec2", f"vpc/{vpc}") if vpc else None)
        for group in item.get("DBParameterGroups") or []:
            if group.get("DBParameterGroupName"):
                builder.link("parameter_group", unit.arn("rds", f"pg:{group['DBParameterGroupName']}"))
        if item.get("DBClusterIdentifier"):
            builder.link("cluster", unit.arn("rds", f"cluster:{item['DBClusterIdentifier']}"))
        return builder

    def _cluster(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        name = str(item["DBClusterIdentifier"])
        arn = str(item.get("DBClusterArn") or unit.arn("rds", f"cluster:{name}"))
        builder = unit.builder(CLUSTER, arn, name, tags=tags_from_list(item.get("TagList")))
        builder.data["DescribeDBClusters"] = item
        _common_links(unit, builder, item)
        if item.get("DBClusterParameterGroup"):
            builder.link("parameter_group", unit.arn("rds", f"cluster-pg:{item['DBClusterParameterGroup']}"))
        return builder

    def _group(self, unit: AwsUnit, kind: GroupKind, name: str) -> ResourceBuilder:
        builder = unit.builder(kind.type, unit.arn("rds", f"{kind.arn_kind}:{name}"), name)
        builder.attach(fetch_all(unit, "rds", kind.operation, "Parameters", **{kind.name_param: name}))
        return builder


COLLECTORS = (RdsCollector,)
