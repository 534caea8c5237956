"""EC2 checks (security groups, instances, EBS) through the real scan path on moto."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import REGION
from ..fakes import deny
from .ec2_answers import answer_ebs_default_key
from .kms_answers import answer_for_keys, aws_managed

ADMIN = "aws-ec2-sg-no-internet-admin-ports"
DATABASE = "aws-ec2-sg-no-internet-database-ports"
DEFAULT_SG = "aws-ec2-default-sg-no-rules"
PUBLIC_IP = "aws-ec2-instance-no-public-ip-internal-tier"
EBS_DEFAULT = "aws-ec2-ebs-encryption-by-default"
EBS_KEY = "aws-ec2-ebs-default-key-cmk"
VOLUME = "aws-ec2-volume-cmk-encryption"


def name_tag(kind: str, name: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in {"Name": name, **tags}.items()]}]


def vpc(cidr: str = "10.0.0.0/16") -> str:
    return str(boto3.client("ec2").create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])


def group(vpc_id: str, name: str, *rules: dict[str, Any]) -> str:
    ec2 = boto3.client("ec2")
    gid = str(
        ec2.create_security_group(
            GroupName=name, Description=name, VpcId=vpc_id, TagSpecifications=name_tag("security-group", name)
        )["GroupId"]
    )
    if rules:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=list(rules))
    return gid


def tcp(low: int, high: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": high, "IpRanges": [{"CidrIp": cidr}]}


# -- ISO-01 security groups -----------------------------------------------------------------------


def test_admin_and_database_ports_open_to_the_internet_fail_narrow_sources_pass(aws: Any, scan: Any) -> None:
    vid = vpc()
    group(vid, "ssh-world", tcp(22, 22))
    group(vid, "range-world", tcp(3000, 3400))  # contains 3306 and 3389
    group(vid, "all-v6", {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})
    group(vid, "office-ssh", tcp(22, 22, "203.0.113.0/24"), tcp(443, 443))
    group(vid, "udp-only", {"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    result = scan(checks=[ADMIN, DATABASE], services=("ec2",))
    admin = result.verdicts(ADMIN)
    database = result.verdicts(DATABASE)
    assert {k: admin[k] for k in ("ssh-world", "range-world", "all-v6", "office-ssh", "udp-only")} == {
        "ssh-world": "FAIL",
        "range-world": "FAIL",
        "all-v6": "FAIL",
        "office-ssh": "PASS",
        "udp-only": "PASS",
    }
    assert {k: database[k] for k in ("ssh-world", "range-world", "all-v6", "office-ssh")} == {
        "ssh-world": "PASS",
        "range-world": "FAIL",
        "all-v6": "FAIL",
        "office-ssh": "PASS",
    }
    reason = result.finding(ADMIN, "range-world")["reason"]
    assert "tcp 3000-3400" in reason and "3389" in reason and "0.0.0.0/0" in reason
    assert "all ports" in result.finding(DATABASE, "all-v6")["reason"]


def test_default_security_group_with_rules_fails_emptied_one_passes_others_not_applicable(aws: Any, scan: Any) -> None:
    ec2 = boto3.client("ec2")
    emptied = vpc("10.1.0.0/16")
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [emptied]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    ec2.create_tags(Resources=[default["GroupId"]], Tags=[{"Key": "Name", "Value": "emptied-default"}])
    untouched = vpc("10.2.0.0/16")
    kept = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [untouched]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    ec2.create_tags(Resources=[kept["GroupId"]], Tags=[{"Key": "Name", "Value": "kept-default"}])
    group(untouched, "app-sg", tcp(443, 443, "10.0.0.0/8"))
    result = scan(checks=[DEFAULT_SG], services=("ec2",))
    verdicts = result.verdicts(DEFAULT_SG)
    assert verdicts["emptied-default"] == "PASS"
    assert verdicts["kept-default"] == "FAIL"
    assert verdicts["app-sg"] == "NOT_APPLICABLE"
    assert "Outbound rules" in result.finding(DEFAULT_SG, "kept-default")["reason"]


# -- ISO-03 instances in internal tiers --------------------------------------------------------------


def subnet(vpc_id: str, cidr: str, name: str, **tags: str) -> str:
    return str(
        boto3.client("ec2").create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, TagSpecifications=name_tag("subnet", name, **tags)
        )["Subnet"]["SubnetId"]
    )


def instance(subnet_id: str, name: str, *, public: bool) -> None:
    boto3.client("ec2").run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": public}],
        TagSpecifications=name_tag("instance", name),
    )


def test_public_ip_in_internal_tier_fails_public_tier_not_applicable_untagged_needs_context(
    aws: Any, scan: Any
) -> None:
    vid = vpc()
    db = subnet(vid, "10.0.1.0/24", "db-a", tier="db")
    web = subnet(vid, "10.0.2.0/24", "web-a", tier="public")
    untagged = subnet(vid, "10.0.3.0/24", "untagged-a")
    instance(db, "db-private", public=False)
    instance(db, "db-exposed", public=True)
    instance(web, "web-1", public=True)
    instance(untagged, "mystery-exposed", public=True)
    instance(untagged, "mystery-private", public=False)
    result = scan(checks=[PUBLIC_IP], services=("ec2",))
    assert result.verdicts(PUBLIC_IP) == {
        "db-private": "PASS",
        "db-exposed": "FAIL",
        "web-1": "NOT_APPLICABLE",
        "mystery-exposed": "NEEDS_CONTEXT",
        "mystery-private": "PASS",
    }
    assert "public ipv4 address" in result.finding(PUBLIC_IP, "db-exposed")["reason"].lower()
    assert "'tier' tag" in result.finding(PUBLIC_IP, "mystery-exposed")["reason"]


# -- ENC-01 EBS -----------------------------------------------------------------------------------------


def volume(name: str, **params: Any) -> dict[str, Any]:
    return dict(
        boto3.client("ec2").create_volume(
            AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=name_tag("volume", name), **params
        )
    )


def test_ebs_encryption_by_default_per_region(aws: Any, scan: Any) -> None:
    boto3.client("ec2", region_name=REGION).enable_ebs_encryption_by_default()
    result = scan(checks=[EBS_DEFAULT], services=("ec2",), regions=(REGION, "us-east-1"))
    assert result.verdicts(EBS_DEFAULT) == {REGION: "PASS", "us-east-1": "FAIL"}


def test_default_ebs_key_customer_managed_passes_aws_alias_fails(aws: Any, scan: Any, monkeypatch: Any) -> None:
    answer_ebs_default_key(monkeypatch)
    bad = scan(checks=[EBS_KEY], services=("ec2", "kms"))
    assert bad.verdicts(EBS_KEY) == {REGION: "FAIL"}
    assert "alias/aws/ebs" in bad.finding(EBS_KEY, REGION)["reason"]
    key = boto3.client("kms").create_key()["KeyMetadata"]
    boto3.client("ec2").modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])
    good = scan(checks=[EBS_KEY], services=("ec2", "kms"))
    assert good.verdicts(EBS_KEY) == {REGION: "PASS"}


def test_denied_default_key_or_uncollected_volume_key_is_error_not_pass(aws: Any, scan: Any, monkeypatch: Any) -> None:
    answer_ebs_default_key(monkeypatch)
    cmk = boto3.client("kms").create_key()["KeyMetadata"]
    volume("cmk", Encrypted=True, KmsKeyId=cmk["Arn"])
    with deny("ec2", "GetEbsDefaultKmsKeyId"):
        result = scan(checks=[EBS_KEY, EBS_DEFAULT, VOLUME], services=("ec2",))  # KMS not collected
    finding = result.finding(EBS_KEY, REGION)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "ec2:GetEbsDefaultKmsKeyId" and finding["error"]["denied"]
    assert result.verdicts(EBS_DEFAULT) == {REGION: "FAIL"}  # the other setting was still read
    key_missing = result.finding(VOLUME, "cmk")
    assert key_missing["verdict"] == "ERROR" and "not in the inventory" in key_missing["reason"]


def test_volume_with_customer_key_passes_unencrypted_or_aws_managed_fails(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    cmk = kms.create_key()["KeyMetadata"]
    managed = kms.create_key()["KeyMetadata"]
    volume("cmk", Encrypted=True, KmsKeyId=cmk["Arn"])
    volume("plain")
    volume("aws-managed", Encrypted=True, KmsKeyId=managed["Arn"])
    with answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}):
        result = scan(checks=[VOLUME], services=("ec2", "kms"))
    assert result.verdicts(VOLUME) == {"cmk": "PASS", "plain": "FAIL", "aws-managed": "FAIL"}
    assert "AWS" in result.finding(VOLUME, "aws-managed")["reason"]
