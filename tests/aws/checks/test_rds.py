"""RDS checks (ENC-01, ENC-05, ISO-03, ISO-07, LOG-02) through the real scan path on moto."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import REGION
from .kms_answers import answer_for_keys, aws_managed

PASSWORD = "clearance-fixture-1"
OTHER_REGION = "us-east-1"
INSTANCE_CMK = "aws-rds-instance-cmk-encryption"
CLUSTER_CMK = "aws-rds-cluster-cmk-encryption"
NOT_PUBLIC = "aws-rds-instance-not-public"
INSTANCE_TLS = "aws-rds-instance-forces-tls"
CLUSTER_TLS = "aws-rds-cluster-forces-tls"
INSTANCE_LOGS = "aws-rds-instance-audit-log-export"
CLUSTER_LOGS = "aws-rds-cluster-audit-log-export"
RESIDENCY = "aws-rds-instance-data-residency"


def rds(region: str = REGION) -> Any:
    return boto3.client("rds", region_name=region)


def instance(name: str, engine: str = "postgres", region: str = REGION, **params: Any) -> None:
    """A moto DB instance; private unless ``PubliclyAccessible`` says otherwise."""
    settings: dict[str, Any] = {
        "DBInstanceIdentifier": name,
        "Engine": engine,
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUsername": "admin",
        "MasterUserPassword": PASSWORD,
        "PubliclyAccessible": False,
    }
    rds(region).create_db_instance(**(settings | params))


def cluster(name: str, engine: str, **params: Any) -> None:
    rds().create_db_cluster(
        DBClusterIdentifier=name, Engine=engine, MasterUsername="admin", MasterUserPassword=PASSWORD, **params
    )


def _values(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterName": k, "ParameterValue": v, "ApplyMethod": "immediate"} for k, v in values.items()]


def parameter_group(name: str, family: str, values: dict[str, str]) -> None:
    rds().create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
    rds().modify_db_parameter_group(DBParameterGroupName=name, Parameters=_values(values))


def cluster_parameter_group(name: str, family: str, values: dict[str, str]) -> None:
    rds().create_db_cluster_parameter_group(
        DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=name
    )
    rds().modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=_values(values))


def customer_key() -> str:
    return str(boto3.client("kms").create_key()["KeyMetadata"]["Arn"])


# -- ENC-01 ------------------------------------------------------------------------------------------


def test_instance_storage_needs_a_customer_managed_key(aws: Any, scan: Any) -> None:
    instance("ledger", StorageEncrypted=True, KmsKeyId=customer_key())
    managed = boto3.client("kms").create_key()["KeyMetadata"]
    instance("aws-key", StorageEncrypted=True, KmsKeyId=managed["Arn"])
    instance("plain")
    cluster("aurora", "aurora-postgresql", StorageEncrypted=True, KmsKeyId=customer_key())
    instance("aurora-1", "aurora-postgresql", DBClusterIdentifier="aurora")
    with answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}):
        result = scan(checks=[INSTANCE_CMK], services=("rds", "kms"))
    assert result.verdicts(INSTANCE_CMK) == {
        "ledger": "PASS",
        "aws-key": "FAIL",
        "plain": "FAIL",
        "aurora-1": "NOT_APPLICABLE",
    }
    assert "'AWS'" in result.finding(INSTANCE_CMK, "aws-key")["reason"]
    # Without the KMS records the key cannot be judged: ERROR, never PASS.
    assert scan(checks=[INSTANCE_CMK], services=("rds",)).verdicts(INSTANCE_CMK)["ledger"] == "ERROR"


def test_cluster_storage_needs_a_customer_managed_key(aws: Any, scan: Any) -> None:
    cluster("vault", "aurora-mysql", StorageEncrypted=True, KmsKeyId=customer_key())
    cluster("open", "aurora-mysql", StorageEncrypted=False)
    result = scan(checks=[CLUSTER_CMK], services=("rds", "kms"))
    assert result.verdicts(CLUSTER_CMK) == {"vault": "PASS", "open": "FAIL"}


# -- ISO-03 ------------------------------------------------------------------------------------------


def test_publicly_accessible_instance_fails(aws: Any, scan: Any) -> None:
    instance("internal")
    instance("exposed", PubliclyAccessible=True)
    result = scan(checks=[NOT_PUBLIC], services=("rds",))
    assert result.verdicts(NOT_PUBLIC) == {"internal": "PASS", "exposed": "FAIL"}


# -- ENC-05 ------------------------------------------------------------------------------------------


def test_instance_tls_is_read_from_the_engine_specific_parameter(aws: Any, scan: Any) -> None:
    parameter_group("pg-forced", "postgres16", {"rds.force_ssl": "1"})
    parameter_group("pg-open", "postgres16", {"rds.force_ssl": "0"})
    parameter_group("mysql-forced", "mysql8.0", {"require_secure_transport": "ON"})
    parameter_group("mysql-unrelated", "mysql8.0", {"max_connections": "100"})
    instance("pg-tls", DBParameterGroupName="pg-forced")
    instance("pg-plain", DBParameterGroupName="pg-open")
    instance("mysql-tls", "mysql", DBParameterGroupName="mysql-forced")
    # The group lacks the parameter altogether: the answer is not the full list AWS gives, so ERROR.
    instance("mysql-unknown", "mysql", DBParameterGroupName="mysql-unrelated")
    instance("oracle", "oracle-ee")
    cluster("aurora", "aurora-postgresql")
    instance("aurora-1", "aurora-postgresql", DBClusterIdentifier="aurora")
    result = scan(checks=[INSTANCE_TLS], services=("rds",))
    assert result.verdicts(INSTANCE_TLS) == {
        "pg-tls": "PASS",
        "pg-plain": "FAIL",
        "mysql-tls": "PASS",
        "mysql-unknown": "ERROR",
        "oracle": "MANUAL",
        "aurora-1": "NOT_APPLICABLE",
    }
    assert "rds.force_ssl is '0'" in result.finding(INSTANCE_TLS, "pg-plain")["reason"]
    assert "require_secure_transport is not among" in result.finding(INSTANCE_TLS, "mysql-unknown")["reason"]


def test_cluster_tls_is_read_from_the_cluster_parameter_group(aws: Any, scan: Any) -> None:
    cluster_parameter_group("apg-forced", "aurora-postgresql16", {"rds.force_ssl": "1"})
    cluster_parameter_group("ams-open", "aurora-mysql8.0", {"require_secure_transport": "OFF"})
    cluster("apg", "aurora-postgresql", DBClusterParameterGroupName="apg-forced")
    cluster("ams", "aurora-mysql", DBClusterParameterGroupName="ams-open")
    result = scan(checks=[CLUSTER_TLS], services=("rds",))
    assert result.verdicts(CLUSTER_TLS) == {"apg": "PASS", "ams": "FAIL"}


# -- LOG-02 ------------------------------------------------------------------------------------------


def test_instance_audit_log_export_by_engine(aws: Any, scan: Any) -> None:
    instance("pg-logged", EnableCloudwatchLogsExports=["postgresql", "upgrade"])
    instance("mysql-silent", "mysql", EnableCloudwatchLogsExports=["error", "slowquery"])
    instance("mssql", "sqlserver-se")
    result = scan(checks=[INSTANCE_LOGS], services=("rds",))
    assert result.verdicts(INSTANCE_LOGS) == {"pg-logged": "PASS", "mysql-silent": "FAIL", "mssql": "MANUAL"}


def test_aurora_mysql_audit_needs_the_export_and_server_audit_logging(aws: Any, scan: Any) -> None:
    cluster_parameter_group("audited", "aurora-mysql8.0", {"server_audit_logging": "1"})
    cluster_parameter_group("unaudited", "aurora-mysql8.0", {"server_audit_logging": "0"})
    cluster("audited", "aurora-mysql", DBClusterParameterGroupName="audited", EnableCloudwatchLogsExports=["audit"])
    cluster(
        "exported-only", "aurora-mysql", DBClusterParameterGroupName="unaudited", EnableCloudwatchLogsExports=["audit"]
    )
    cluster("apg-silent", "aurora-postgresql")
    result = scan(checks=[CLUSTER_LOGS], services=("rds",))
    assert result.verdicts(CLUSTER_LOGS) == {"audited": "PASS", "exported-only": "FAIL", "apg-silent": "FAIL"}
    assert "server_audit_logging is '0'" in result.finding(CLUSTER_LOGS, "exported-only")["reason"]


# -- ISO-07 ------------------------------------------------------------------------------------------


def test_regulated_instance_outside_korea_fails_unknown_class_needs_context(aws: Any, scan: Any) -> None:
    credit = [{"Key": "data-class", "Value": "personal-credit"}]
    instance("seoul-credit", Tags=credit)
    instance("virginia-credit", region=OTHER_REGION, Tags=credit)
    instance("virginia-untagged", region=OTHER_REGION)
    instance("virginia-public", region=OTHER_REGION, Tags=[{"Key": "data-class", "Value": "public"}])
    instance("seoul-untagged")
    result = scan(checks=[RESIDENCY], regions=(REGION, OTHER_REGION), services=("rds",))
    assert result.verdicts(RESIDENCY) == {
        "seoul-credit": "PASS",
        "virginia-credit": "FAIL",
        "virginia-untagged": "NEEDS_CONTEXT",
        "virginia-public": "NOT_APPLICABLE",
        "seoul-untagged": "PASS",
    }
