"""A deterministic synthetic AWS organisation served by moto's server (the benchmark's emulator process).

Run by ``org_bench.py`` as a child process, so the emulator's CPU is its own and the scan's peak RSS is the
scan's alone::

    python benchmarks/org_seed.py --accounts 2 --regions ap-northeast-2,us-east-1 --seed 42

It prints one JSON line ``{"event": "ready", "url": ...}``, then reads commands from standard input, one JSON
object per line, and answers each with one JSON line:

- ``{"grow": SCALE}``: add workload blocks until every (account, region) has SCALE of them;
- end of input: stop.

The world is seeded in-process under ``mock_aws`` (no HTTP: about 1.5 ms a call) and then served over HTTP by
``ThreadedMotoServer`` from the same backends. Members are reached as AWS Organizations does: the identity
(moto's default account) assumes ``OrganizationAccountAccessRole`` in each member account, which moto maps to
that account's backends. moto's identifier generator is seeded, so the same commands build the same world.

One *block* is one small regulated workload in one (account, region), about 80 resources, a realistic mix of
compliant and non-compliant configuration across every service the AWS provider collects (see
:func:`seed_block`). With the per-region baseline (default VPC, trail, region settings) a region holds about
100 resources at scale 1.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLE = "OrganizationAccountAccessRole"
"""The role the identity assumes in each member account (what AWS Organizations creates)."""
IDENTITY = "123456789012"
"""moto's default account: the organisation's management account, whose credentials run the scan."""

WORKLOAD = {"workload": "org-bench"}
CREDIT = {**WORKLOAD, "data-class": "personal-credit,unique-id", "pi-subjects": "250000"}
PSEUDONYMIZED = {**WORKLOAD, "data-class": "pseudonymized"}


def member_accounts(count: int) -> list[str]:
    """``111111111111``, ``222222222222``, ... then ``100000000010``... (deterministic, never the identity)."""
    return [str(i) * 12 if i < 10 else f"1{i:011d}" for i in range(1, count + 1)]


def _tags(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in mapping.items()]


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(service: str) -> str:
    return _policy({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def _lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("handler.py", (2026, 1, 1, 0, 0, 0)), "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


@dataclass
class Account:
    """One member account: a boto3 session on its assumed-role credentials, clients per (service, region)."""

    id: str
    session: Any
    calls: int = 0
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    zones: dict[str, list[str]] = field(default_factory=dict)
    regions_done: set[str] = field(default_factory=set)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            from botocore.config import Config

            client = self.session.client(service, region_name=region, config=Config(inject_host_prefix=False))
            client.meta.events.register("before-call", self._count)
            self._clients[key] = client
        return self._clients[key]

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def zone(self, region: str, index: int) -> str:
        if region not in self.zones:
            found = self.client("ec2", region).describe_availability_zones()["AvailabilityZones"]
            self.zones[region] = sorted(z["ZoneName"] for z in found)
        zones = self.zones[region]
        return zones[index % len(zones)]


def assume(account: str) -> Account:
    import boto3

    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="org-bench-seed")[
        "Credentials"
    ]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return Account(account, session)


# -- per account and per region: what every account has once ---------------------------------------------


def seed_account(acct: Account, home: str) -> None:
    """The access role the scan assumes, the functions' execution role, a strong password policy."""
    iam = acct.client("iam", home)
    trust = _policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{IDENTITY}:root"}, "Action": "sts:*"})
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust)
    iam.create_role(RoleName="org-bench-functions", AssumeRolePolicyDocument=_trust("lambda.amazonaws.com"))
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )


def seed_region(acct: Account, region: str) -> None:
    """EBS encryption by default and a region trail (multi-region in the first region, log validation on)."""
    acct.client("ec2", region).enable_ebs_encryption_by_default()
    bucket = f"org-trail-{acct.id}-{region}"
    _bucket(acct, region, bucket, key=None, tags={}, logs_to=None)
    trail = acct.client("cloudtrail", region)
    name = f"org-audit-{region}"
    trail.create_trail(
        Name=name,
        S3BucketName=bucket,
        IsMultiRegionTrail=not acct.regions_done,
        IncludeGlobalServiceEvents=not acct.regions_done,
        EnableLogFileValidation=True,
    )
    trail.start_logging(Name=name)
    acct.regions_done.add(region)


# -- one block ---------------------------------------------------------------------------------------------


def _bucket(
    acct: Account,
    region: str,
    name: str,
    *,
    key: str | None,
    tags: dict[str, str],
    logs_to: str | None,
    open_: bool = False,
    receives_logs: bool = False,
) -> None:
    s3 = acct.client("s3", region)
    params: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**params)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(tags)})
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    s3.put_bucket_encryption(
        Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
    )
    if not open_:
        flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict.fromkeys(flags, True))
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statements = [deny]
    if receives_logs:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": acct.id}},
            }
        )
    s3.put_bucket_policy(Bucket=name, Policy=_policy(*statements))
    if logs_to:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs_to, "TargetPrefix": f"{name}/"}},
        )


def _keys(acct: Account, region: str, p: str, i: int) -> dict[str, str]:
    """Five customer-managed keys; rotation off on the logs key of every odd block (a gap)."""
    kms = acct.client("kms", region)
    keys = {}
    for role in ("data", "logs", "secrets", "tables", "functions"):
        key = kms.create_key(Description=f"{p} {role}", Tags=[{"TagKey": "workload", "TagValue": "org-bench"}])
        arn = key["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=f"alias/{p}-{role}", TargetKeyId=arn)
        if not (role == "logs" and i % 2):
            kms.enable_key_rotation(KeyId=arn)
        keys[role] = arn
    return keys


def _iam(acct: Account, region: str, p: str, i: int) -> None:
    """Three roles, two users (one with an access key), one narrow customer policy; every fifth block's
    policy grants ``*`` (a gap)."""
    iam = acct.client("iam", region)
    for role, service in (
        ("app", "ec2.amazonaws.com"),
        ("batch", "ecs-tasks.amazonaws.com"),
        ("etl", "glue.amazonaws.com"),
    ):
        iam.create_role(RoleName=f"{p}-{role}", AssumeRolePolicyDocument=_trust(service), Tags=_tags(WORKLOAD))
    action = "*" if i % 5 == 0 else "s3:GetObject"
    policy = iam.create_policy(
        PolicyName=f"{p}-read", PolicyDocument=_policy({"Effect": "Allow", "Action": action, "Resource": "*"})
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"{p}-app", PolicyArn=policy)
    for user in ("ops", "ci"):
        iam.create_user(UserName=f"{p}-{user}", Tags=_tags(WORKLOAD))
    iam.create_access_key(UserName=f"{p}-ci")


def _network(acct: Account, region: str, p: str, i: int) -> dict[str, Any]:
    """A VPC with two public and two private subnets, route tables, a private NACL, eight security groups
    (SSH from anywhere on every third block: a gap), an S3 gateway endpoint and, on even blocks, flow logs."""
    ec2 = acct.client("ec2", region)
    cidr = f"10.{i % 250}.0.0/16"
    vpc = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags({"Name": f"{p}-vpc"})}]
    )["Vpc"]["VpcId"]
    subnets: dict[str, str] = {}
    for n, tier in enumerate(("public", "public", "private", "private")):
        name = f"{p}-{tier}-{n}"
        subnets[name] = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.{i % 250}.{n}.0/24",
            AvailabilityZone=acct.zone(region, n),
            TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags({"Name": name, "tier": tier})}],
        )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    tables = {}
    for tier in ("public", "private"):
        tables[tier] = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        for name, subnet in subnets.items():
            if f"-{tier}-" in name:
                ec2.associate_route_table(RouteTableId=tables[tier], SubnetId=subnet)
    ec2.create_route(RouteTableId=tables["public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=cidr
    )
    groups: dict[str, str] = {}
    for name in ("web", "app", "db", "cache", "batch", "endpoints", "admin", "monitoring"):
        groups[name] = ec2.create_security_group(GroupName=f"{p}-{name}", Description=f"{p} {name}", VpcId=vpc)[
            "GroupId"
        ]
    rules: list[tuple[str, int, str | None, str | None]] = [
        ("web", 443, "0.0.0.0/0", None),
        ("app", 8443, None, "web"),
        ("db", 5432, None, "app"),
        ("cache", 6379, None, "app"),
        ("endpoints", 443, cidr, None),
        ("admin", 22, "0.0.0.0/0" if i % 3 == 0 else "10.0.0.0/8", None),
        ("monitoring", 9100, cidr, None),
    ]
    for group, port, source_cidr, source_group in rules:
        rule: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if source_cidr:
            rule["IpRanges"] = [{"CidrIp": source_cidr}]
        if source_group:
            rule["UserIdGroupPairs"] = [{"GroupId": groups[source_group]}]
        ec2.authorize_security_group_ingress(GroupId=groups[group], IpPermissions=[rule])
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{region}.s3",
        RouteTableIds=[tables["private"]],
    )
    return {"vpc": vpc, "subnets": subnets, "groups": groups}


def _instances(acct: Account, region: str, p: str, i: int, net: dict[str, Any], key: str) -> list[str]:
    """Three instances in the private subnets with encrypted volumes; IMDSv1 allowed on the third (a gap)."""
    ec2 = acct.client("ec2", region)
    private = [s for name, s in net["subnets"].items() if "-private-" in name]
    ids = []
    for n in range(3):
        reservation = ec2.run_instances(
            ImageId="ami-0c9c942bd7bf113a2",
            InstanceType="m6i.large",
            MinCount=1,
            MaxCount=1,
            SubnetId=private[n % 2],
            SecurityGroupIds=[net["groups"]["app"]],
            MetadataOptions={"HttpTokens": "optional" if n == 2 else "required", "HttpEndpoint": "enabled"},
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "Encrypted": True, "KmsKeyId": key}}
            ],
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tags({**CREDIT, "Name": f"{p}-app-{n}"})}],
        )
        ids.append(reservation["Instances"][0]["InstanceId"])
    return ids


def _load_balancer(acct: Account, region: str, p: str, i: int, net: dict[str, Any]) -> None:
    """An internet-facing ALB: HTTPS (an outdated TLS policy on odd blocks: a gap) and HTTP (redirected on even
    blocks, forwarded in clear on odd ones: a gap)."""
    cert = acct.client("acm", region).request_certificate(DomainName=f"{p}.example.co.kr")["CertificateArn"]
    elb = acct.client("elbv2", region)
    public = [s for name, s in net["subnets"].items() if "-public-" in name]
    lb = elb.create_load_balancer(
        Name=f"{p}-alb"[-32:],
        Subnets=public,
        SecurityGroups=[net["groups"]["web"]],
        Scheme="internet-facing",
        Tags=_tags(WORKLOAD),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb, Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}]
    )
    tg = elb.create_target_group(Name=f"{p}-tg"[-32:], Protocol="HTTPS", Port=8443, VpcId=net["vpc"])["TargetGroups"][
        0
    ]["TargetGroupArn"]
    policy = "ELBSecurityPolicy-2016-08" if i % 2 else "ELBSecurityPolicy-TLS13-1-2-2021-06"
    forward = [{"Type": "forward", "TargetGroupArn": tg}]
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        SslPolicy=policy,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward,
    )
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward if i % 2 else redirect)


def _database(acct: Account, region: str, p: str, i: int, net: dict[str, Any], key: str) -> None:
    """A PostgreSQL instance with its parameter group (TLS not forced on odd blocks: a gap)."""
    rds = acct.client("rds", region)
    private = [s for name, s in net["subnets"].items() if "-private-" in name]
    rds.create_db_subnet_group(DBSubnetGroupName=f"{p}-db", DBSubnetGroupDescription=p, SubnetIds=private)
    rds.create_db_parameter_group(DBParameterGroupName=f"{p}-pg", DBParameterGroupFamily="postgres16", Description=p)
    rds.modify_db_parameter_group(
        DBParameterGroupName=f"{p}-pg",
        Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": str(1 - i % 2), "ApplyMethod": "pending-reboot"}
        ],
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"{p}-db",
        DBInstanceClass="db.r6g.large",
        Engine="postgres",
        EngineVersion="16.3",
        MasterUsername="app",
        MasterUserPassword="bench-only-not-a-secret",
        AllocatedStorage=100,
        DBSubnetGroupName=f"{p}-db",
        VpcSecurityGroupIds=[net["groups"]["db"]],
        DBParameterGroupName=f"{p}-pg",
        StorageEncrypted=True,
        KmsKeyId=key,
        MultiAZ=True,
        BackupRetentionPeriod=14,
        DeletionProtection=True,
        Tags=_tags(CREDIT),
    )


def seed_block(acct: Account, region: str, i: int) -> None:
    """Block ``i`` of (account, region): about 80 resources; gaps are deterministic functions of ``i``."""
    p = f"b{i:02d}-{region}"
    keys = _keys(acct, region, p, i)
    _iam(acct, region, p, i)
    buckets = f"{acct.id}-{p}"
    logs_bucket = f"{buckets}-access-logs"
    _bucket(acct, region, logs_bucket, key=keys["logs"], tags={}, logs_to=None, receives_logs=True)
    _bucket(acct, region, f"{buckets}-documents", key=keys["data"], tags=CREDIT, logs_to=logs_bucket)
    _bucket(acct, region, f"{buckets}-exports", key=None, tags=CREDIT, logs_to=logs_bucket)  # SSE-S3: a gap
    _bucket(acct, region, f"{buckets}-analytics", key=keys["data"], tags=PSEUDONYMIZED, logs_to=logs_bucket)
    _bucket(acct, region, f"{buckets}-reports", key=keys["data"], tags=WORKLOAD, logs_to=None)
    _bucket(acct, region, f"{buckets}-public", key=None, tags={}, logs_to=None, open_=i % 4 == 0)
    logs = acct.client("logs", region)
    for n in range(12):
        name = f"/org-bench/{p}/app-{n}"
        params: dict[str, Any] = {"logGroupName": name, "tags": CREDIT if n < 4 else WORKLOAD}
        if n % 3:
            params["kmsKeyId"] = keys["logs"]
        logs.create_log_group(**params)
        logs.put_retention_policy(logGroupName=name, retentionInDays=90 if n == 0 else 731)  # 90 days: a gap
    secrets = acct.client("secretsmanager", region)
    for n in range(8):
        extra = {"KmsKeyId": keys["secrets"]} if n % 4 else {}
        secrets.create_secret(Name=f"{p}/secret-{n}", SecretString="bench", Tags=_tags(WORKLOAD), **extra)
    ddb = acct.client("dynamodb", region)
    for n in range(4):
        sse = (
            {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": keys["tables"]} if n % 2 == 0 else {"Enabled": False}
        )
        ddb.create_table(
            TableName=f"{p}-table-{n}",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification=sse,
            Tags=_tags(CREDIT),
        )
        if n < 3:
            ddb.update_continuous_backups(
                TableName=f"{p}-table-{n}", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
    net = _network(acct, region, p, i)
    if i % 2 == 0:
        acct.client("logs", region).create_log_group(logGroupName=f"/org-bench/{p}/flow-logs", kmsKeyId=keys["logs"])
        acct.client("ec2", region).create_flow_logs(
            ResourceIds=[net["vpc"]],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName=f"/org-bench/{p}/flow-logs",
            DeliverLogsPermissionArn=f"arn:aws:iam::{acct.id}:role/org-bench-functions",
        )
    _instances(acct, region, p, i, net, keys["data"])
    lam = acct.client("lambda", region)
    private = [s for name, s in net["subnets"].items() if "-private-" in name]
    for n in range(4):
        vpc = {"SubnetIds": private, "SecurityGroupIds": [net["groups"]["app"]]} if n % 2 == 0 else {}
        lam.create_function(
            FunctionName=f"{p}-fn-{n}",
            Runtime="python3.12",
            Role=f"arn:aws:iam::{acct.id}:role/org-bench-functions",
            Handler="handler.handler",
            Code={"ZipFile": ZIP},
            VpcConfig=vpc,
            KMSKeyArn=keys["functions"],
            Tags=CREDIT if n == 0 else WORKLOAD,
        )
    _load_balancer(acct, region, p, i, net)
    _database(acct, region, p, i, net, keys["data"])


ZIP = _lambda_zip()


# -- the world and the serving loop ------------------------------------------------------------------------


@dataclass
class World:
    accounts: list[Account]
    regions: list[str]
    scale: int = 0

    def grow(self, scale: int, step: Callable[[str], None] | None = None) -> None:
        for acct in self.accounts:
            for region in self.regions:
                if region not in acct.regions_done:
                    seed_region(acct, region)
                for i in range(self.scale, scale):
                    seed_block(acct, region, i)
                if step:
                    step(f"{acct.id}/{region}")
        self.scale = max(self.scale, scale)

    @property
    def calls(self) -> int:
        return sum(a.calls for a in self.accounts)


def _environment() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",  # else ~1,300 public AMIs and their snapshots per region
        }
    )
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # no access log, no NotImplementedError tracebacks


def _say(**event: Any) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--regions", default="ap-northeast-2,us-east-1")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    _environment()
    from moto import mock_aws
    from moto.moto_api._internal import mock_random
    from moto.server import ThreadedMotoServer

    mock = mock_aws()
    mock.start()  # never stopped: stopping resets the backends the server serves
    mock_random.seed(args.seed)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    accounts = [assume(a) for a in member_accounts(args.accounts)]
    for acct in accounts:
        seed_account(acct, regions[0])
    world = World(accounts, regions)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    _say(
        event="ready", url=f"http://{host}:{port}", accounts=[a.id for a in accounts], regions=regions, pid=os.getpid()
    )
    for line in sys.stdin:
        command = json.loads(line)
        started = time.perf_counter()
        before = world.calls
        world.grow(int(command["grow"]))
        _say(
            event="grown",
            scale=world.scale,
            seconds=round(time.perf_counter() - started, 2),
            calls=world.calls - before,
        )
    server.stop()


if __name__ == "__main__":
    main()
