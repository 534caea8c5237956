"""Amazon EC2 and VPC networking (regional): VPCs, subnets, route tables, gateways, security
groups, network ACLs, instances, volumes, flow logs, VPC endpoints and the EBS region settings.

Every type comes from one paginated Describe call per region (no per-resource calls): the list
items are the raw data. Links say what a resource depends on, so a tag-scoped scan pulls in the
untagged network a tagged instance relies on, never the other way round (a VPC does not link to
its instances or security groups). A VPC record also carries, under ``DescribeFlowLogs`` and
``DescribeVpcEndpoints``, the items of those listings that belong to it (what the call filtered
by the VPC would answer): a VPC check then reads its own record, and a failed listing makes it
ERROR naming the permission instead of FAIL for "no flow log".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ....model import CollectionError
from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, ResourceBuilder, tags_from_list
from .base import AwsCollector

VPC = "aws.ec2.vpc"
SUBNET = "aws.ec2.subnet"
ROUTE_TABLE = "aws.ec2.route-table"
INTERNET_GATEWAY = "aws.ec2.internet-gateway"
NAT_GATEWAY = "aws.ec2.nat-gateway"
SECURITY_GROUP = "aws.ec2.security-group"
NETWORK_ACL = "aws.ec2.network-acl"
INSTANCE = "aws.ec2.instance"
VOLUME = "aws.ec2.volume"
FLOW_LOG = "aws.ec2.flow-log"
VPC_ENDPOINT = "aws.ec2.vpc-endpoint"
REGION_SETTINGS = "aws.ec2.region-settings"

# States of resources that no longer exist but are still listed for a while (terminated instances,
# deleted NAT gateways, volumes and endpoints); failed or rejected ones still exist and are kept.
_GONE = frozenset({"terminated", "deleted"})


@dataclass(frozen=True)
class Listing:
    """One Describe call that enumerates one resource type."""

    type: str
    operation: str
    key: str
    """Response member holding the items."""
    id_key: str
    arn_kind: str
    """Resource part of the ARN: ``vpc``, ``security-group``..."""
    page_size: int
    """The largest MaxResults AWS accepts for the call."""
    description: str


LISTINGS = (
    Listing(VPC, "DescribeVpcs", "Vpcs", "VpcId", "vpc", 1000, "VPC with its flow logs and endpoints"),
    Listing(SUBNET, "DescribeSubnets", "Subnets", "SubnetId", "subnet", 1000, "Subnet"),
    Listing(ROUTE_TABLE, "DescribeRouteTables", "RouteTables", "RouteTableId", "route-table", 100, "Route table"),
    Listing(
        INTERNET_GATEWAY,
        "DescribeInternetGateways",
        "InternetGateways",
        "InternetGatewayId",
        "internet-gateway",
        1000,
        "Internet gateway",
    ),
    Listing(NAT_GATEWAY, "DescribeNatGateways", "NatGateways", "NatGatewayId", "natgateway", 1000, "NAT gateway"),
    Listing(
        SECURITY_GROUP, "DescribeSecurityGroups", "SecurityGroups", "GroupId", "security-group", 1000, "Security group"
    ),
    Listing(NETWORK_ACL, "DescribeNetworkAcls", "NetworkAcls", "NetworkAclId", "network-acl", 1000, "Network ACL"),
    Listing(INSTANCE, "DescribeInstances", "Reservations", "InstanceId", "instance", 1000, "EC2 instance"),
    Listing(VOLUME, "DescribeVolumes", "Volumes", "VolumeId", "volume", 500, "EBS volume"),
    Listing(FLOW_LOG, "DescribeFlowLogs", "FlowLogs", "FlowLogId", "vpc-flow-log", 1000, "VPC flow log"),
    Listing(
        VPC_ENDPOINT, "DescribeVpcEndpoints", "VpcEndpoints", "VpcEndpointId", "vpc-endpoint", 1000, "VPC endpoint"
    ),
)
BY_TYPE = {spec.type: spec for spec in LISTINGS}


def _state(item: dict[str, Any]) -> str:
    state = item.get("State")
    if isinstance(state, dict):  # instances: {"Code": 48, "Name": "terminated"}
        state = state.get("Name")
    return str(state or "").lower()


def _live(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if _state(i) not in _GONE]


class Region:
    """One region's listings, the ARN of every listed resource by its EC2 id, and which route
    table and network ACL each subnet uses."""

    def __init__(self, unit: AwsUnit, found: dict[str, list[dict[str, Any]] | CollectionError]):
        self.unit = unit
        self.found = found
        self.arns: dict[str, str] = {}
        for spec in LISTINGS:
            for item in self.items(spec.type):
                self.arns[str(item[spec.id_key])] = self.arn(spec, item)
        self.subnet_tables: dict[str, str] = {}
        self.main_tables: dict[str, str] = {}
        for table in self.items(ROUTE_TABLE):
            for assoc in table.get("Associations") or []:
                if assoc.get("SubnetId"):
                    self.subnet_tables[str(assoc["SubnetId"])] = str(table["RouteTableId"])
                elif assoc.get("Main"):
                    self.main_tables[str(table.get("VpcId"))] = str(table["RouteTableId"])
        self.subnet_acls = {
            str(assoc.get("SubnetId")): str(acl["NetworkAclId"])
            for acl in self.items(NETWORK_ACL)
            for assoc in acl.get("Associations") or []
        }

    def arn(self, spec: Listing, item: dict[str, Any]) -> str:
        owner = item.get("OwnerId")
        return self.unit.arn("ec2", f"{spec.arn_kind}/{item[spec.id_key]}", account=owner if owner else None)

    def items(self, rtype: str) -> list[dict[str, Any]]:
        found = self.found[rtype]
        return found if isinstance(found, list) else []

    def error(self, rtype: str) -> CollectionError | None:
        found = self.found[rtype]
        return found if isinstance(found, CollectionError) else None

    def ref(self, kind: str, rid: Any) -> str | None:
        """ARN of a related resource named by its EC2 id (listed or not)."""
        if not rid:
            return None
        return self.arns.get(str(rid)) or self.unit.arn("ec2", f"{kind}/{rid}")

    def builder(self, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
        tags = tags_from_list(item.get("Tags"))
        rid = str(item[spec.id_key])
        builder = self.unit.builder(spec.type, self.arn(spec, item), tags.get("Name") or rid, tags=tags)
        builder.data[spec.operation] = item
        if item.get("VpcId") and spec.type != VPC:
            builder.link("vpc", self.ref("vpc", item["VpcId"]))
        return builder

    def embed(self, builder: ResourceBuilder, rtype: str, belongs: Callable[[Any], bool]) -> list[dict[str, Any]]:
        """Put this resource's share of another listing under that listing's operation name."""
        spec = BY_TYPE[rtype]
        if self.error(rtype) is not None:
            self.record_failure(builder, rtype)
            return []
        mine = [i for i in self.items(rtype) if belongs(i)]
        builder.data[spec.operation] = {spec.key: mine}
        return mine

    def record_failure(self, builder: ResourceBuilder, rtype: str) -> None:
        """Note on a resource that a listing its links come from failed (why a link is missing)."""
        error = self.error(rtype)
        if error is not None:
            builder.errors[BY_TYPE[rtype].operation] = error


def _list(unit: AwsUnit, spec: Listing) -> list[dict[str, Any]] | CollectionError:
    try:
        items = unit.items("ec2", spec.operation, spec.key, PaginationConfig={"PageSize": spec.page_size})
    except CallFailed as failed:
        unit.list_failed(spec.type, spec.operation, failed.error)
        return failed.error
    if spec.type == INSTANCE:
        items = [i for reservation in items for i in reservation.get("Instances") or []]
    live = _live(items)
    unit.listed(spec.type, spec.operation, len(live))
    return live


def _vpc(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    vpc_id = item["VpcId"]
    for log in region.embed(builder, FLOW_LOG, lambda i: i.get("ResourceId") == vpc_id):
        builder.link("flow_logs", region.ref("vpc-flow-log", log["FlowLogId"]))
    for endpoint in region.embed(builder, VPC_ENDPOINT, lambda i: i.get("VpcId") == vpc_id):
        builder.link("vpc_endpoints", region.ref("vpc-endpoint", endpoint["VpcEndpointId"]))
    return builder


def _subnet(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    subnet_id = item["SubnetId"]
    # The explicitly associated route table, else the VPC's main one.
    table = region.subnet_tables.get(subnet_id) or region.main_tables.get(item["VpcId"])
    builder.link("route_table", region.ref("route-table", table))
    builder.link("network_acl", region.ref("network-acl", region.subnet_acls.get(subnet_id)))
    region.record_failure(builder, ROUTE_TABLE)
    region.record_failure(builder, NETWORK_ACL)
    return builder


def _internet_gateway(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    for attachment in item.get("Attachments") or []:
        builder.link("vpc", region.ref("vpc", attachment.get("VpcId")))
    return builder


def _nat_gateway(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    builder.link("subnet", region.ref("subnet", item.get("SubnetId")))
    return builder


def _instance(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    builder.link("subnet", region.ref("subnet", item.get("SubnetId")))
    groups = list(item.get("SecurityGroups") or [])
    for eni in item.get("NetworkInterfaces") or []:
        groups.extend(eni.get("Groups") or [])
    builder.link("security_groups", *(region.ref("security-group", g.get("GroupId")) for g in groups))
    volumes = [(m.get("Ebs") or {}).get("VolumeId") for m in item.get("BlockDeviceMappings") or []]
    builder.link("volumes", *(region.ref("volume", v) for v in volumes))
    return builder


def _volume(region: Region, spec: Listing, item: dict[str, Any]) -> ResourceBuilder:
    builder = region.builder(spec, item)
    builder.link("kms_key", item.get("KmsKeyId"))
    return builder


BUILDERS: dict[str, Callable[[Region, Listing, dict[str, Any]], ResourceBuilder]] = {
    VPC: _vpc,
    SUBNET: _subnet,
    INTERNET_GATEWAY: _internet_gateway,
    NAT_GATEWAY: _nat_gateway,
    INSTANCE: _instance,
    VOLUME: _volume,
}


def _region_settings(unit: AwsUnit) -> ResourceBuilder:
    """EBS encryption-by-default and its default key: one account-level record per region."""
    builder = unit.builder(REGION_SETTINGS, unit.arn("ec2", "region-settings"), unit.region)
    builder.attach(unit.fetch("ec2", "GetEbsEncryptionByDefault"))
    key = builder.attach(unit.fetch("ec2", "GetEbsDefaultKmsKeyId"))
    if isinstance(key.value, dict):
        builder.link("kms_key", key.value.get("KmsKeyId"))
    return builder


class Ec2Collector(AwsCollector):
    service = "ec2"
    resource_types = (
        *(ResourceType(spec.type, "ec2", spec.operation, spec.description) for spec in LISTINGS),
        ResourceType(
            REGION_SETTINGS,
            "ec2",
            "GetEbsEncryptionByDefault",
            "EC2 region settings: EBS encryption by default and the default EBS KMS key",
            account_level=True,
        ),
    )
    operations = (
        *(Operation("ec2", spec.operation, f"ec2:{spec.operation}") for spec in LISTINGS),
        Operation("ec2", "GetEbsEncryptionByDefault", "ec2:GetEbsEncryptionByDefault"),
        Operation("ec2", "GetEbsDefaultKmsKeyId", "ec2:GetEbsDefaultKmsKeyId"),
    )

    def collect(self, unit: AwsUnit) -> None:
        found = unit.parallel(lambda spec: _list(unit, spec), LISTINGS)
        region = Region(unit, {spec.type: result for spec, result in zip(LISTINGS, found, strict=True)})
        for spec in LISTINGS:
            build = BUILDERS.get(spec.type, Region.builder)
            for item in region.items(spec.type):
                unit.emit(build(region, spec, item))
        unit.emit(_region_settings(unit))
        unit.listed(REGION_SETTINGS, "GetEbsEncryptionByDefault", 1)


COLLECTORS = (Ec2Collector,)
