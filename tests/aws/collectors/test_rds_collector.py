"""RDS collector on moto: record shapes and links, parameter groups, denied calls, declared operations."""

from __future__ import annotations

from typing import Any

import boto3

from clearance.providers.aws.collectors.rds import RdsCollector

from ..checks.test_rds import cluster, cluster_parameter_group, instance, parameter_group
from ..conftest import ACCOUNT, REGION
from ..fakes import deny
from .test_ec2_collector import calls, records

ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}"
TLS = "aws-rds-instance-forces-tls"


def test_instances_clusters_and_the_parameter_groups_they_use(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    parameter_group("pg-tls", "postgres16", {"rds.force_ssl": "1"})
    cluster_parameter_group("ams", "aurora-mysql8.0", {"require_secure_transport": "ON"})
    instance(
        "ledger",
        DBParameterGroupName="pg-tls",
        StorageEncrypted=True,
        KmsKeyId=key,
        Tags=[{"Key": "data-class", "Value": "personal-credit"}],
    )
    cluster("orders", "aurora-mysql", DBClusterParameterGroupName="ams", Tags=[{"Key": "workload", "Value": "crm"}])
    instance("orders-1", "aurora-mysql", DBClusterIdentifier="orders")
    out = scan(checks=[TLS], services=("rds",)).out
    found = records(out)
    ledger = found[f"{ARN}:db:ledger"]
    assert ledger["type"] == "aws.rds.instance" and ledger["tags"] == {"data-class": "personal-credit"}
    assert set(ledger["data"]) == {"DescribeDBInstances"}
    sg = ledger["data"]["DescribeDBInstances"]["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    assert {relation: targets for relation, targets in ledger["links"].items() if targets} == {
        "kms_key": [key],
        "security_groups": [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{sg}"],
        "parameter_group": [f"{ARN}:pg:pg-tls"],
    }
    assert found[f"{ARN}:db:orders-1"]["links"]["cluster"] == [f"{ARN}:cluster:orders"]
    orders = found[f"{ARN}:cluster:orders"]
    assert orders["tags"] == {"workload": "crm"} and orders["links"]["parameter_group"] == [f"{ARN}:cluster-pg:ams"]
    group = found[f"{ARN}:pg:pg-tls"]
    assert group["type"] == "aws.rds.parameter-group"
    assert group["data"]["DescribeDBParameters"]["Parameters"][0]["ParameterName"] == "rds.force_ssl"
    assert (
        found[f"{ARN}:cluster-pg:ams"]["data"]["DescribeDBClusterParameters"]["Parameters"][0]["ParameterValue"] == "ON"
    )
    # Tags come from the describe answers: no per-resource tag call, and each group is read once.
    assert calls(out, "ListTagsForResource") == []
    assert len(calls(out, "DescribeDBClusterParameters")) == 1


def test_denied_parameter_call_makes_the_tls_check_error_naming_the_permission(aws: Any, scan: Any) -> None:
    parameter_group("pg-tls", "postgres16", {"rds.force_ssl": "1"})
    instance("ledger", DBParameterGroupName="pg-tls")
    with deny("rds", "DescribeDBParameters"):
        result = scan(checks=[TLS], services=("rds",))
    finding = result.finding(TLS, "ledger")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "rds:DescribeDBParameters" and finding["error"]["denied"] is True


def test_denied_instance_listing_leaves_instance_checks_not_evaluated(aws: Any, scan: Any) -> None:
    instance("ledger")
    with deny("rds", "DescribeDBInstances"):
        result = scan(checks=[TLS], services=("rds",))
    assert result.findings == []
    [entry] = result.coverage
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "rds:DescribeDBInstances"


def test_declared_operations_are_the_exact_read_only_rds_actions() -> None:
    assert {(op.name, op.permission) for op in RdsCollector.operations} == {
        ("DescribeDBInstances", "rds:DescribeDBInstances"),
        ("DescribeDBClusters", "rds:DescribeDBClusters"),
        ("DescribeDBParameters", "rds:DescribeDBParameters"),
        ("DescribeDBClusterParameters", "rds:DescribeDBClusterParameters"),
    }
