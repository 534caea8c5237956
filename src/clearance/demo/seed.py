"""Build the demo workload inside an (already started) moto account, with plain boto3 calls.

The workload is what a Korean card company would put on AWS for a front-office CRM with a
gen-AI assistant: a customer database, document and export buckets, KMS keys, a VPC with
public, application and database subnets, a load balancer, Lambda functions, secrets, IAM
roles, CloudTrail, log groups and Bedrock invocation logging. Workload resources carry
``workload=crm`` and data-class tags; shared dependencies (KMS keys, the VPC and its
security groups, the trail) carry none, so a ``workload=crm`` scan must pull them in.

Everything is configured the compliant way except a handful of deliberate gaps, listed in
:data:`GAPS` with the finding that reports each. Seeding is deterministic: the same
calls in the same order, and moto's identifier generator is seeded by the caller.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOME = "ap-northeast-2"
"""The workload's region (Seoul)."""
ABROAD = "us-east-1"
"""Where one analytics bucket was created by mistake: a residency gap."""
ZONES = ("ap-northeast-2a", "ap-northeast-2c")
VPC_CIDR = "10.20.0.0/16"
ACCESS_LOGS = "crm-s3-access-logs"
"""The bucket receiving S3 server access logs of every bucket in Seoul."""
TRAIL = "org-audit-trail"
TRAIL_BUCKET = "audit-cloudtrail-logs"
TRAIL_LOG_GROUP = "/aws/cloudtrail/org-audit-trail"
BEDROCK_LOG_GROUP = "/aws/bedrock/model-invocations"

WORKLOAD = {"workload": "crm"}
CREDIT = {**WORKLOAD, "data-class": "personal-credit,unique-id", "pi-subjects": "1200000"}
"""The CRM's customer data: personal credit information with resident registration numbers."""
PSEUDONYMIZED = {**WORKLOAD, "data-class": "pseudonymized", "pi-subjects": "1200000"}
"""What the gen-AI assistant may see under the FSC sandbox: pseudonymized credit data."""


@dataclass(frozen=True)
class Gap:
    """A deliberate gap in the demo workload and the finding that must report it."""

    check: str
    resource: str
    what: str


GAPS = (
    Gap(
        "aws-ec2-sg-no-internet-admin-ports",
        "crm-admin-sg",
        "SSH (22) open to 0.0.0.0/0 on the bastion's security group",
    ),
    Gap("aws-s3-bucket-cmk-encryption", "crm-exports", "export bucket encrypted with the AWS-managed key aws/s3"),
    Gap("aws-s3-bucket-data-residency", "crm-analytics-us", "personal-credit data in a bucket in us-east-1"),
    Gap("aws-kms-key-rotation-enabled", "alias/crm-logs", "automatic rotation off on the logs key"),
    Gap("aws-logs-log-group-retention", "/crm/app", "unique-ID access records kept 90 days (731 required)"),
    Gap("aws-cloudtrail-log-file-validation", TRAIL, "trail without log file validation"),
    Gap("aws-bedrock-invocation-logging", HOME, "Bedrock invocation logs without prompt and response text"),
    Gap("aws-rds-instance-forces-tls", "crm-db", "the CRM database's parameter group sets rds.force_ssl=0"),
)
"""What the demo's scan must find; the README's table lists the same."""

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
"""The foundation model the gen-AI assistant may invoke (and nothing else)."""
_LOG_WRITE = ["logs:CreateLogStream", "logs:PutLogEvents"]

_ASSUME = {
    "ec2": "ec2.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
    "flowlogs": "vpc-flow-logs.amazonaws.com",
    "trail": "cloudtrail.amazonaws.com",
    "bedrock": "bedrock.amazonaws.com",
}


def _tags(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in mapping.items()]


def _trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _bucket_policy(bucket: str, *extra: dict[str, Any]) -> str:
    """Deny plain-HTTP access, plus any service grants (log delivery)."""
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return _policy(deny, *extra)


def _log_delivery(bucket: str, service: str, account: str) -> dict[str, Any]:
    return {
        "Sid": f"AllowLogDelivery-{service.split('.', maxsplit=1)[0]}",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["s3:PutObject"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }


def _lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0))
        zf.writestr(info, "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


@dataclass
class World:
    """Clients and the identifiers created so far (later steps refer to earlier ones)."""

    account: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    """alias name (without ``alias/``) -> key ARN."""
    roles: dict[str, str] = field(default_factory=dict)
    subnets: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    instances: list[str] = field(default_factory=list)
    log_groups: dict[str, str] = field(default_factory=dict)
    route_tables: dict[str, str] = field(default_factory=dict)
    vpc: str = ""
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            import boto3

            self._clients[key] = boto3.client(service, region_name=region)  # type: ignore[call-overload]
        return self._clients[key]


def seed_iam(w: World) -> None:
    """Roles trusted by one service each, with narrow inline policies; an instance profile; a strong password policy."""
    iam = w.client("iam")
    w.account = w.client("sts").get_caller_identity()["Account"]
    log_group = f"arn:aws:logs:{HOME}:{w.account}:log-group:"
    roles: tuple[tuple[str, str, list[str], list[str]], ...] = (
        ("crm-app-role", "ec2", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::crm-customer-documents/*"]),
        ("crm-export-lambda-role", "lambda", ["s3:PutObject"], ["arn:aws:s3:::crm-exports/*"]),
        (
            "crm-genai-lambda-role",
            "lambda",
            ["bedrock:InvokeModel"],
            [f"arn:aws:bedrock:{HOME}::foundation-model/{MODEL}"],
        ),
        ("crm-flow-logs-role", "flowlogs", _LOG_WRITE, [f"{log_group}/aws/vpc/crm-flow-logs:*"]),
        ("audit-trail-logs-role", "trail", _LOG_WRITE, [f"{log_group}{TRAIL_LOG_GROUP}:*"]),
        (
            "crm-bedrock-logging-role",
            "bedrock",
            _LOG_WRITE,
            [f"arn:aws:logs:*:{w.account}:log-group:{BEDROCK_LOG_GROUP}:*"],
        ),
    )
    for name, principal, actions, resources in roles:
        tags = _tags(WORKLOAD) if name.startswith("crm-") else []
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(_ASSUME[principal]), Tags=tags)
        statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}-access", PolicyDocument=_policy(statement))
        w.roles[name] = role["Role"]["Arn"]
    iam.create_instance_profile(InstanceProfileName="crm-app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="crm-app-profile", RoleName="crm-app-role")
    _root_mfa(w)
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )


def _root_mfa(w: World) -> None:
    """The root user has MFA. No AWS API can enable it (it is done at sign-in with the device), and
    moto hard-codes ``AccountMFAEnabled: 0``, so this one fact is set on the emulator's state directly."""
    from moto.iam.models import iam_backends

    iam_backends[w.account]["aws"].account_summary._account_mfa_enabled = 1


def seed_kms(w: World) -> None:
    """Customer-managed keys (untagged: shared dependencies); crm-logs has rotation off (a gap)."""
    for alias, region, rotate in (
        ("crm-data", HOME, True),
        ("crm-logs", HOME, False),
        ("crm-genai", HOME, True),
        ("crm-us-east-1", ABROAD, True),
    ):
        kms = w.client("kms", region)
        key = kms.create_key(Description=f"{alias} customer-managed key", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
        if rotate:
            kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=365)
        w.keys[alias] = key["Arn"]


def _bucket(
    w: World,
    name: str,
    *,
    region: str = HOME,
    tags: dict[str, str],
    key: str | None,
    logs_to: str | None = ACCESS_LOGS,
    grants: tuple[str, ...] = (),
    locked_days: int = 0,
) -> None:
    """A bucket configured the compliant way; ``key=None`` means SSE-S3, ``logs_to=None`` no access logs,
    ``grants`` are services allowed to deliver logs into it, ``locked_days`` a COMPLIANCE-mode object lock."""
    s3 = w.client("s3", region)
    params: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if locked_days:
        params["ObjectLockEnabledForBucket"] = True
    s3.create_bucket(**params)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(tags)})
    default: dict[str, str] = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": key is not None}]
        },
    )
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    policy = _bucket_policy(name, *(_log_delivery(name, service, w.account) for service in grants))
    s3.put_bucket_policy(Bucket=name, Policy=policy)
    if locked_days:
        s3.put_object_lock_configuration(
            Bucket=name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": locked_days}},
            },
        )
    if logs_to:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs_to, "TargetPrefix": f"{name}/"}},
        )


def seed_s3(w: World) -> None:
    """Customer documents, exports (AWS-managed key: a gap), log buckets, and a stray US copy.

    Server access logs of every bucket go to crm-s3-access-logs, which is the end of the chain
    (a log bucket logging to itself would loop). The load balancer's log bucket uses SSE-S3,
    the only encryption ALB log delivery accepts. The US bucket, created by mistake, has no
    access logging either.
    """
    _bucket(w, ACCESS_LOGS, tags={}, key=w.keys["crm-logs"], logs_to=None, grants=("logging.s3.amazonaws.com",))
    _bucket(w, "crm-customer-documents", tags=CREDIT, key=w.keys["crm-data"])
    _bucket(w, "crm-exports", tags=CREDIT, key="alias/aws/s3")
    _bucket(
        w, "crm-genai-invocation-logs", tags=PSEUDONYMIZED, key=w.keys["crm-genai"], grants=("bedrock.amazonaws.com",)
    )
    _bucket(w, TRAIL_BUCKET, tags={}, key=w.keys["crm-logs"], grants=("cloudtrail.amazonaws.com",), locked_days=731)
    _bucket(w, "crm-lb-access-logs", tags={}, key=None, grants=("logdelivery.elasticloadbalancing.amazonaws.com",))
    _bucket(
        w,
        "crm-analytics-us",
        region=ABROAD,
        tags={**WORKLOAD, "data-class": "personal-credit", "pi-subjects": "1200000"},
        key=w.keys["crm-us-east-1"],
        logs_to=None,
    )


def seed_logs(w: World) -> None:
    """Log groups with customer-managed keys; /crm/app keeps 90 days (a gap for unique-id data)."""
    groups: tuple[tuple[str, int, str, dict[str, str]], ...] = (
        ("/crm/app", 90, "crm-logs", CREDIT),
        ("/aws/rds/instance/crm-db/postgresql", 731, "crm-logs", CREDIT),
        ("/aws/lambda/crm-export-job", 731, "crm-logs", CREDIT),
        ("/aws/lambda/crm-genai-assistant", 400, "crm-logs", WORKLOAD),
        (BEDROCK_LOG_GROUP, 731, "crm-genai", PSEUDONYMIZED),
        ("/aws/vpc/crm-flow-logs", 400, "crm-logs", {}),
        (TRAIL_LOG_GROUP, 1096, "crm-logs", {}),
        (BEDROCK_LOG_GROUP, 731, "crm-us-east-1", {}),  # the baseline of a region the workload does not use
    )
    for name, days, key, tags in groups:
        region = ABROAD if key == "crm-us-east-1" else HOME
        logs = w.client("logs", region)
        params: dict[str, Any] = {"logGroupName": name, "kmsKeyId": w.keys[key]}
        if tags:
            params["tags"] = tags
        logs.create_log_group(**params)
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
        w.log_groups[f"{region}|{name}"] = arn.removesuffix(":*")


def seed_region_defaults(w: World) -> None:
    """EBS encryption by default (with the CMK at home) in both regions; the account's S3 public access block."""
    for region in (HOME, ABROAD):
        w.client("ec2", region).enable_ebs_encryption_by_default()
    w.client("ec2").modify_ebs_default_kms_key_id(KmsKeyId=w.keys["crm-data"])
    w.client("s3control").put_public_access_block(
        AccountId=w.account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def seed_network(w: World) -> None:
    """VPC with public, app and database subnets; only the public tier routes to the internet."""
    ec2 = w.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock=VPC_CIDR,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags({"Name": "crm-vpc", "genai": "true"})}],
    )["Vpc"]["VpcId"]
    w.vpc = vpc
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    for tier, base in (("public", 0), ("app", 10), ("db", 20)):
        for i, zone in enumerate(ZONES):
            name = f"crm-{tier}-{zone[-1]}"
            w.subnets[name] = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"10.20.{base + i}.0/24",
                AvailabilityZone=zone,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags({"Name": name, "tier": tier})}],
            )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for tier in ("public", "app", "db"):
        w.route_tables[tier] = ec2.create_route_table(
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "route-table", "Tags": _tags({"Name": f"crm-{tier}-rt"})}],
        )["RouteTable"]["RouteTableId"]
        for zone in ZONES:
            ec2.associate_route_table(RouteTableId=w.route_tables[tier], SubnetId=w.subnets[f"crm-{tier}-{zone[-1]}"])
    ec2.create_route(RouteTableId=w.route_tables["public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    _network_acls(w, ec2, vpc)
    _security_groups(w, ec2, vpc)


def _network_acls(w: World, ec2: Any, vpc: str) -> None:
    """The default ACL denies everything; the public tier admits web traffic, the others only the VPC."""
    default = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]
    for entry in default["Entries"]:
        if entry["RuleNumber"] < 32767:
            ec2.delete_network_acl_entry(
                NetworkAclId=default["NetworkAclId"], RuleNumber=entry["RuleNumber"], Egress=entry["Egress"]
            )
    associations = {a["SubnetId"]: a["NetworkAclAssociationId"] for a in default["Associations"]}
    web = {"public": ((100, 443, 443, "0.0.0.0/0"), (110, 80, 80, "0.0.0.0/0"), (120, 1024, 65535, VPC_CIDR))}
    for tier in ("public", "app", "db"):
        acl = ec2.create_network_acl(
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "network-acl", "Tags": _tags({"Name": f"crm-{tier}-nacl"})}],
        )["NetworkAcl"]["NetworkAclId"]
        inbound = web.get(tier, ((100, 0, 65535, VPC_CIDR),))
        for rule, low, high, cidr in inbound:
            ec2.create_network_acl_entry(
                NetworkAclId=acl,
                RuleNumber=rule,
                Protocol="6",
                RuleAction="allow",
                Egress=False,
                CidrBlock=cidr,
                PortRange={"From": low, "To": high},
            )
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=True,
            CidrBlock="0.0.0.0/0" if tier == "public" else VPC_CIDR,
        )
        for zone in ZONES:
            subnet = w.subnets[f"crm-{tier}-{zone[-1]}"]
            ec2.replace_network_acl_association(AssociationId=associations[subnet], NetworkAclId=acl)


def seed_endpoints(w: World) -> None:
    """Private paths to S3, DynamoDB, Bedrock, KMS, Logs and Secrets Manager, confined to this account; flow logs."""
    ec2 = w.client("ec2")
    confined = _policy(
        {
            "Sid": "ThisAccountOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": w.account, "aws:ResourceAccount": w.account}},
        }
    )
    for service in ("s3", "dynamodb"):
        ec2.create_vpc_endpoint(
            VpcId=w.vpc,
            VpcEndpointType="Gateway",
            ServiceName=f"com.amazonaws.{HOME}.{service}",
            RouteTableIds=[w.route_tables["app"], w.route_tables["db"]],
            PolicyDocument=confined,
        )
    for service in ("bedrock", "bedrock-runtime", "kms", "logs", "secretsmanager"):
        ec2.create_vpc_endpoint(
            VpcId=w.vpc,
            VpcEndpointType="Interface",
            ServiceName=f"com.amazonaws.{HOME}.{service}",
            SubnetIds=[w.subnets["crm-app-a"], w.subnets["crm-app-c"]],
            SecurityGroupIds=[w.groups["crm-endpoints-sg"]],
            PrivateDnsEnabled=True,
            PolicyDocument=confined,
        )
    ec2.create_flow_logs(
        ResourceIds=[w.vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/aws/vpc/crm-flow-logs",
        DeliverLogsPermissionArn=w.roles["crm-flow-logs-role"],
    )


def _security_groups(w: World, ec2: Any, vpc: str) -> None:
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    if default["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    if default["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    for name, description in (
        ("crm-alb-sg", "CRM load balancer: HTTPS from the internet"),
        ("crm-app-sg", "CRM application servers"),
        ("crm-db-sg", "CRM database"),
        ("crm-endpoints-sg", "Interface VPC endpoints"),
        ("crm-admin-sg", "Operations bastion"),
    ):
        w.groups[name] = ec2.create_security_group(
            GroupName=name,
            Description=description,
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags({"Name": name})}],
        )["GroupId"]

    def allow(group: str, port: int, *, cidr: str | None = None, source: str | None = None) -> None:
        rule: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if cidr:
            rule["IpRanges"] = [{"CidrIp": cidr}]
        if source:
            rule["UserIdGroupPairs"] = [{"GroupId": w.groups[source]}]
        ec2.authorize_security_group_ingress(GroupId=w.groups[group], IpPermissions=[rule])

    allow("crm-alb-sg", 443, cidr="0.0.0.0/0")
    allow("crm-alb-sg", 80, cidr="0.0.0.0/0")
    allow("crm-app-sg", 8443, source="crm-alb-sg")
    allow("crm-db-sg", 5432, source="crm-app-sg")
    allow("crm-endpoints-sg", 443, cidr=VPC_CIDR)
    allow("crm-admin-sg", 22, cidr="0.0.0.0/0")  # the gap: SSH from anywhere


def seed_instances(w: World) -> None:
    """Two app servers in private subnets and a bastion; IMDSv2 required, encrypted volumes."""
    ec2 = w.client("ec2")
    for name, subnet, group, public in (
        ("crm-app-1", "crm-app-a", "crm-app-sg", False),
        ("crm-app-2", "crm-app-c", "crm-app-sg", False),
        ("crm-ops-bastion", "crm-public-a", "crm-admin-sg", True),
    ):
        reservation = ec2.run_instances(
            ImageId="ami-0c9c942bd7bf113a2",
            InstanceType="m6i.large",
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[
                {
                    "DeviceIndex": 0,
                    "SubnetId": w.subnets[subnet],
                    "Groups": [w.groups[group]],
                    "AssociatePublicIpAddress": public,
                }
            ],
            IamInstanceProfile={"Name": "crm-app-profile"},
            MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            BlockDeviceMappings=[
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {"VolumeSize": 50, "VolumeType": "gp3", "Encrypted": True, "KmsKeyId": w.keys["crm-data"]},
                }
            ],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": _tags({**CREDIT, "Name": name})},
                {"ResourceType": "volume", "Tags": _tags({**CREDIT, "Name": name})},
            ],
        )
        w.instances.append(reservation["Instances"][0]["InstanceId"])


def seed_load_balancer(w: World) -> None:
    """Internet-facing ALB: TLS 1.2+ policy on HTTPS, HTTP redirected, access logs on."""
    acm = w.client("acm")
    cert = acm.request_certificate(DomainName="crm.example.co.kr", ValidationMethod="DNS")["CertificateArn"]
    elb = w.client("elbv2")
    lb = elb.create_load_balancer(
        Name="crm-web",
        Subnets=[w.subnets["crm-public-a"], w.subnets["crm-public-c"]],
        SecurityGroups=[w.groups["crm-alb-sg"]],
        Scheme="internet-facing",
        Type="application",
        Tags=_tags(WORKLOAD),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "crm-lb-access-logs"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        ],
    )
    tg = elb.create_target_group(
        Name="crm-app-tg",
        Protocol="HTTPS",
        Port=8443,
        VpcId=w.vpc,
        TargetType="instance",
        Tags=_tags(WORKLOAD),
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i, "Port": 8443} for i in w.instances[:2]])
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    )


def seed_data_stores(w: World) -> None:
    """The CRM database (TLS not forced: a gap), the sessions table and the database secret."""
    rds = w.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="crm-db-subnets",
        DBSubnetGroupDescription="CRM database subnets",
        SubnetIds=[w.subnets["crm-db-a"], w.subnets["crm-db-c"]],
    )
    rds.create_db_parameter_group(
        DBParameterGroupName="crm-postgres16",
        DBParameterGroupFamily="postgres16",
        Description="CRM PostgreSQL parameters",
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="crm-postgres16",
        Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "pending-reboot"},
            {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "pending-reboot"},
        ],
    )
    rds.create_db_instance(
        DBInstanceIdentifier="crm-db",
        DBInstanceClass="db.r6g.large",
        Engine="postgres",
        EngineVersion="16.3",
        MasterUsername="crm_admin",
        MasterUserPassword="demo-only-not-a-secret",
        AllocatedStorage=200,
        DBSubnetGroupName="crm-db-subnets",
        VpcSecurityGroupIds=[w.groups["crm-db-sg"]],
        DBParameterGroupName="crm-postgres16",
        PubliclyAccessible=False,
        StorageEncrypted=True,
        KmsKeyId=w.keys["crm-data"],
        MultiAZ=True,
        BackupRetentionPeriod=14,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=["postgresql"],
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        Tags=_tags(CREDIT),
    )
    ddb = w.client("dynamodb")
    ddb.create_table(
        TableName="crm-sessions",
        AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": w.keys["crm-data"]},
        DeletionProtectionEnabled=True,
        Tags=_tags(CREDIT),
    )
    ddb.update_continuous_backups(
        TableName="crm-sessions", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    sm = w.client("secretsmanager")
    sm.create_secret(
        Name="crm/db-credentials",
        KmsKeyId=w.keys["crm-data"],
        SecretString=json.dumps({"username": "crm_admin", "password": "demo-only-not-a-secret"}),
        Tags=_tags(WORKLOAD),
    )
    sm.rotate_secret(
        SecretId="crm/db-credentials", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False
    )


def seed_functions(w: World) -> None:
    """The nightly export job and the gen-AI assistant, both inside the VPC's app subnets."""
    lam = w.client("lambda")
    code = _lambda_zip()
    for name, role, tags in (
        ("crm-export-job", "crm-export-lambda-role", CREDIT),
        ("crm-genai-assistant", "crm-genai-lambda-role", PSEUDONYMIZED),
    ):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=w.roles[role],
            Handler="handler.handler",
            Code={"ZipFile": code},
            Timeout=60,
            MemorySize=512,
            VpcConfig={
                "SubnetIds": [w.subnets["crm-app-a"], w.subnets["crm-app-c"]],
                "SecurityGroupIds": [w.groups["crm-app-sg"]],
            },
            KMSKeyArn=w.keys["crm-data"],
            Environment={"Variables": {"STAGE": "prod"}},
            TracingConfig={"Mode": "Active"},
            Tags=tags,
        )


def seed_trail(w: World) -> None:
    """A multi-region trail with S3 data events, CMK-encrypted, to an object-locked bucket and to
    CloudWatch Logs; log file validation is off (a gap)."""
    trail = w.client("cloudtrail")
    trail.create_trail(
        Name=TRAIL,
        S3BucketName=TRAIL_BUCKET,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=False,
        KmsKeyId=w.keys["crm-logs"],
        CloudWatchLogsLogGroupArn=w.log_groups[f"{HOME}|{TRAIL_LOG_GROUP}"] + ":*",
        CloudWatchLogsRoleArn=w.roles["audit-trail-logs-role"],
    )
    trail.put_event_selectors(
        TrailName=TRAIL,
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],  # every bucket
            }
        ],
    )
    trail.start_logging(Name=TRAIL)


_ALARMS = {
    "root-usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "cloudtrail-changes": ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    "iam-policy-changes": (
        *(
            f"{verb}{kind}Policy"
            for kind in ("Group", "Role", "User")
            for verb in ("Delete", "Put", "Attach", "Detach")
        ),
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
    ),
    "kms-key-disable-deletion": "{ ($.eventSource = kms.amazonaws.com) && "
    "(($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    "security-group-changes": (
        *(f"{verb}SecurityGroup{way}" for verb in ("Authorize", "Revoke") for way in ("Ingress", "Egress")),
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
    ),
}
"""CIS-style metric filters on the trail's log group: a pattern, or event names ORed into one."""


def seed_alarms(w: World) -> None:
    """Metric filters and alarms on security-relevant API activity, notifying an encrypted SNS topic."""
    topic = w.client("sns").create_topic(
        Name="crm-security-alerts", Attributes={"KmsMasterKeyId": w.keys["crm-logs"]}, Tags=_tags(WORKLOAD)
    )["TopicArn"]
    logs, cloudwatch = w.client("logs"), w.client("cloudwatch")
    for name, spec in _ALARMS.items():
        pattern = spec if isinstance(spec, str) else "{ " + " || ".join(f"($.eventName = {e})" for e in spec) + " }"
        logs.put_metric_filter(
            logGroupName=TRAIL_LOG_GROUP,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{name}",
            MetricName=name,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic],
        )


def seed_ai_governance(w: World) -> None:
    """An organisation-wide AI-services opt-out; Bedrock invocation logging without prompt text (a gap)."""
    org = w.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="AISERVICES_OPT_OUT_POLICY")
    opt_out = {
        "services": {
            "default": {"opt_out_policy": {"@@assign": "optOut"}, "@@operators_allowed_for_child_policies": ["@@none"]}
        }
    }
    policy = org.create_policy(
        Name="ai-services-opt-out",
        Description="Opt out of AI service data use for every account",
        Type="AISERVICES_OPT_OUT_POLICY",
        Content=json.dumps(opt_out),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=root)
    for region, text in ((HOME, False), (ABROAD, True)):  # the gap: Seoul keeps no prompts and responses
        config: dict[str, Any] = {
            "cloudWatchConfig": {"logGroupName": BEDROCK_LOG_GROUP, "roleArn": w.roles["crm-bedrock-logging-role"]},
            "textDataDeliveryEnabled": text,
            "imageDataDeliveryEnabled": False,
            "embeddingDataDeliveryEnabled": False,
        }
        if region == HOME:
            config["s3Config"] = {"bucketName": "crm-genai-invocation-logs", "keyPrefix": "invocations/"}
        w.client("bedrock", region).put_model_invocation_logging_configuration(loggingConfig=config)


STEPS: tuple[tuple[str, Callable[[World], None]], ...] = (
    ("iam", seed_iam),
    ("kms", seed_kms),
    ("s3", seed_s3),
    ("logs", seed_logs),
    ("region defaults", seed_region_defaults),
    ("network", seed_network),
    ("endpoints", seed_endpoints),
    ("instances", seed_instances),
    ("load balancer", seed_load_balancer),
    ("data stores", seed_data_stores),
    ("functions", seed_functions),
    ("trail", seed_trail),
    ("alarms", seed_alarms),
    ("ai governance", seed_ai_governance),
)
"""Seeding steps in dependency order (label, function)."""


def seed(step_done: Callable[[int, int, str], None] | None = None) -> World:
    """Create the whole workload; ``step_done(done, total, label)`` after each step."""
    world = World()
    for done, (label, step) in enumerate(STEPS, start=1):
        step(world)
        if step_done:
            step_done(done, len(STEPS), label)
    return world
