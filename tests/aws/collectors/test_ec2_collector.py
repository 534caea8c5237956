"""EC2/VPC collector: record shapes, links, listing failures, paging and tag scoping on moto."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import boto3

from clearance.providers.aws.collectors import ec2 as ec2_collector

from ..checks.ec2_answers import answer_ebs_default_key
from ..conftest import ACCOUNT, REGION
from ..fakes import deny

ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}"


def records(out: Path) -> dict[str, dict[str, Any]]:
    """Every stored resource record of a scan, by id."""
    found: dict[str, dict[str, Any]] = {}
    for path in (out / "raw" / "aws").rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            found[rec["id"]] = rec
    return found


def calls(out: Path, operation: str) -> list[dict[str, Any]]:
    lines = (out / "logs" / "api-calls.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["operation"] == operation]


def tag(name: str, kind: str, **extra: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in {"Name": name, **extra}.items()]}]


def network() -> dict[str, str]:
    """A VPC with an explicitly routed subnet, a main-table subnet, a group, an instance and its volume."""
    ec2 = boto3.client("ec2")
    kms = boto3.client("kms")
    ids: dict[str, str] = {"key": kms.create_key()["KeyMetadata"]["Arn"]}
    ids["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag("crm", "vpc"))["Vpc"]["VpcId"]
    ids["routed"] = ec2.create_subnet(VpcId=ids["vpc"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ids["main-only"] = ec2.create_subnet(VpcId=ids["vpc"], CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    ids["rtb"] = ec2.create_route_table(VpcId=ids["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=ids["rtb"], SubnetId=ids["routed"])
    ids["main"] = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    ids["sg"] = ec2.create_security_group(GroupName="app", Description="app", VpcId=ids["vpc"])["GroupId"]
    ids["endpoint"] = ec2.create_vpc_endpoint(VpcId=ids["vpc"], ServiceName=f"com.amazonaws.{REGION}.s3")[
        "VpcEndpoint"
    ]["VpcEndpointId"]
    instance = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        SubnetId=ids["routed"],
        SecurityGroupIds=[ids["sg"]],
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True, "KmsKeyId": ids["key"]}}
        ],
        TagSpecifications=tag("app-1", "instance", workload="crm"),
    )["Instances"][0]
    ids["instance"] = instance["InstanceId"]
    ids["volume"] = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    return ids


def test_records_are_arns_with_raw_items_and_dependency_links(aws: Any, scan: Any, monkeypatch: Any) -> None:
    answer_ebs_default_key(monkeypatch)
    ids = network()
    boto3.client("ec2").modify_ebs_default_kms_key_id(KmsKeyId=ids["key"])
    out = scan(checks=["aws-ec2-volume-cmk-encryption"], services=("ec2", "kms")).out
    found = records(out)
    vpc = found[f"{ARN}:vpc/{ids['vpc']}"]
    assert vpc["type"] == "aws.ec2.vpc" and vpc["name"] == "crm"
    assert vpc["data"]["DescribeVpcs"]["CidrBlock"] == "10.0.0.0/16"
    assert vpc["links"]["vpc_endpoints"] == [f"{ARN}:vpc-endpoint/{ids['endpoint']}"]
    assert [e["VpcEndpointId"] for e in vpc["data"]["DescribeVpcEndpoints"]["VpcEndpoints"]] == [ids["endpoint"]]
    assert vpc["data"]["DescribeFlowLogs"] == {"FlowLogs": []}
    assert "security_groups" not in vpc["links"]  # a VPC never pulls in what merely lives in it
    instance = found[f"{ARN}:instance/{ids['instance']}"]
    assert instance["data"]["DescribeInstances"]["InstanceId"] == ids["instance"]
    assert instance["tags"] == {"Name": "app-1", "workload": "crm"}
    assert instance["links"] == {
        "vpc": [f"{ARN}:vpc/{ids['vpc']}"],
        "subnet": [f"{ARN}:subnet/{ids['routed']}"],
        "security_groups": [f"{ARN}:security-group/{ids['sg']}"],
        "volumes": [f"{ARN}:volume/{ids['volume']}"],
    }
    assert found[f"{ARN}:volume/{ids['volume']}"]["links"] == {"kms_key": [ids["key"]]}
    routed = found[f"{ARN}:subnet/{ids['routed']}"]
    assert routed["links"]["route_table"] == [f"{ARN}:route-table/{ids['rtb']}"]
    assert len(routed["links"]["network_acl"]) == 1
    assert found[f"{ARN}:subnet/{ids['main-only']}"]["links"]["route_table"] == [f"{ARN}:route-table/{ids['main']}"]
    assert found[f"{ARN}:security-group/{ids['sg']}"]["links"] == {"vpc": [f"{ARN}:vpc/{ids['vpc']}"]}
    settings = found[f"{ARN}:region-settings"]
    assert settings["type"] == "aws.ec2.region-settings" and settings["name"] == REGION
    assert settings["data"]["GetEbsDefaultKmsKeyId"] == {"KmsKeyId": ids["key"]}
    assert settings["links"] == {"kms_key": [ids["key"]]}


def test_denied_security_group_listing_leaves_sg_checks_not_evaluated(aws: Any, scan: Any) -> None:
    boto3.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")
    with deny("ec2", "DescribeSecurityGroups"):
        result = scan(checks=["aws-ec2-sg-no-internet-admin-ports", "aws-vpc-flow-logs-all-traffic"], services=("ec2",))
    coverage = {c["check_id"]: c for c in result.coverage}
    sg = coverage["aws-ec2-sg-no-internet-admin-ports"]
    assert sg["status"] == "not_evaluated"
    assert sg["error"]["permission"] == "ec2:DescribeSecurityGroups" and sg["error"]["denied"]
    assert coverage["aws-vpc-flow-logs-all-traffic"]["status"] == "evaluated"
    assert not any(r["type"] == "aws.ec2.security-group" for r in records(result.out).values())


def test_instances_are_paged_and_terminated_ones_dropped(aws: Any, scan: Any, monkeypatch: Any) -> None:
    small = tuple(
        dataclasses.replace(spec, page_size=5) if spec.operation == "DescribeInstances" else spec
        for spec in ec2_collector.LISTINGS
    )
    monkeypatch.setattr(ec2_collector, "LISTINGS", small)
    ec2 = boto3.client("ec2")
    launched = [
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        for _ in range(8)
    ]
    ec2.terminate_instances(InstanceIds=launched[:1])
    out = scan(checks=["aws-ec2-instance-no-public-ip-internal-tier"], services=("ec2",)).out
    pages = calls(out, "DescribeInstances")
    assert len(pages) == 2  # 8 reservations, 5 per page
    instances = {r["name"] for r in records(out).values() if r["type"] == "aws.ec2.instance"}
    assert instances == set(launched[1:])


def test_tag_scope_pulls_in_what_a_tagged_instance_depends_on_and_nothing_else(aws: Any, scan: Any) -> None:
    ids = network()
    ec2 = boto3.client("ec2")
    other_sg = ec2.create_security_group(GroupName="other", Description="other", VpcId=ids["vpc"])["GroupId"]
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=ids["main-only"])
    out = scan(checks=["aws-ec2-sg-no-internet-admin-ports"], services=("ec2",), tags=("workload=crm",)).out
    kept = records(out)
    by_kind = {rid.split(":", 5)[5].split("/")[0]: rec for rid, rec in kept.items()}
    assert kept[f"{ARN}:instance/{ids['instance']}"]["dependency"] is False
    for rid in (
        f"vpc/{ids['vpc']}",
        f"subnet/{ids['routed']}",
        f"security-group/{ids['sg']}",
        f"volume/{ids['volume']}",
    ):
        assert kept[f"{ARN}:{rid}"]["dependency"] is True, rid
    assert f"{ARN}:route-table/{ids['rtb']}" in kept  # via the subnet
    assert f"{ARN}:security-group/{other_sg}" not in kept
    assert f"{ARN}:subnet/{ids['main-only']}" not in kept
    assert sum(1 for r in kept.values() if r["type"] == "aws.ec2.instance") == 1
    assert "region-settings" in by_kind  # account-level: always in scope
