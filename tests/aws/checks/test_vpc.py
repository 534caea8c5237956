"""VPC checks (network ACLs, subnets and routes, endpoints, flow logs, Bedrock endpoints) on moto."""

from __future__ import annotations

import json
from typing import Any

import boto3

from ..conftest import REGION
from ..fakes import deny

NACL = "aws-vpc-nacl-no-internet-admin-ports"
AUTO_IP = "aws-vpc-subnet-no-auto-public-ip"
ROUTE = "aws-vpc-subnet-no-internet-route"
S3_ENDPOINT = "aws-vpc-s3-private-endpoint"
DDB_ENDPOINT = "aws-vpc-dynamodb-private-endpoint"
PRIVATE_DNS = "aws-vpc-endpoint-private-dns"
POLICY = "aws-vpc-endpoint-policy-restricted"
FLOW_LOGS = "aws-vpc-flow-logs-all-traffic"
BEDROCK = "aws-vpc-bedrock-private-endpoints"


def tags(kind: str, name: str, **extra: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in {"Name": name, **extra}.items()]}]


def vpc(name: str, cidr: str = "10.0.0.0/16", **extra: str) -> str:
    return str(
        boto3.client("ec2").create_vpc(CidrBlock=cidr, TagSpecifications=tags("vpc", name, **extra))["Vpc"]["VpcId"]
    )


def subnet(
    vpc_id: str, cidr: str, name: str, *, route_table: str | None = None, public_ip: bool = False, **extra: str
) -> str:
    ec2 = boto3.client("ec2")
    sid = str(
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, TagSpecifications=tags("subnet", name, **extra))["Subnet"][
            "SubnetId"
        ]
    )
    if route_table:
        ec2.associate_route_table(RouteTableId=route_table, SubnetId=sid)
    if public_ip:
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    return sid


def route_table(vpc_id: str, name: str, **target: str) -> str:
    ec2 = boto3.client("ec2")
    rtb = str(
        ec2.create_route_table(VpcId=vpc_id, TagSpecifications=tags("route-table", name))["RouteTable"]["RouteTableId"]
    )
    if target:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", **target)
    return rtb


def endpoint(vpc_id: str, service: str, kind: str = "Interface", **params: Any) -> str:
    service_name = service if service.startswith("com.") else f"com.amazonaws.{REGION}.{service}"
    return str(
        boto3.client("ec2").create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=service_name,
            VpcEndpointType=kind,
            TagSpecifications=tags("vpc-endpoint", params.pop("name", service)),
            **params,
        )["VpcEndpoint"]["VpcEndpointId"]
    )


# -- ISO-01 network ACLs ----------------------------------------------------------------------------


def nacl(vpc_id: str, subnet_id: str | None, name: str, *entries: dict[str, Any]) -> str:
    ec2 = boto3.client("ec2")
    acl = str(
        ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=tags("network-acl", name))["NetworkAcl"]["NetworkAclId"]
    )
    for entry in entries:
        ec2.create_network_acl_entry(NetworkAclId=acl, Egress=False, **entry)
    if subnet_id:
        current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
        assoc = next(
            a["NetworkAclAssociationId"]
            for a in current["NetworkAcls"][0]["Associations"]
            if a["SubnetId"] == subnet_id
        )
        ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    return acl


def test_nacl_allowing_admin_ports_from_internet_fails_per_address_family(aws: Any, scan: Any) -> None:
    vid = vpc("net")
    nacl(
        vid,
        subnet(vid, "10.0.1.0/24", "a"),
        "web-only",
        {
            "RuleNumber": 100,
            "Protocol": "6",
            "RuleAction": "allow",
            "CidrBlock": "0.0.0.0/0",
            "PortRange": {"From": 443, "To": 443},
        },
    )
    nacl(
        vid,
        subnet(vid, "10.0.2.0/24", "b"),
        "deny-first",
        {
            "RuleNumber": 90,
            "Protocol": "6",
            "RuleAction": "deny",
            "CidrBlock": "0.0.0.0/0",
            "PortRange": {"From": 0, "To": 65535},
        },
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
    )
    nacl(
        vid,
        subnet(vid, "10.0.3.0/24", "c"),
        "v4-deny-v6-allow",
        {"RuleNumber": 90, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Ipv6CidrBlock": "::/0"},
    )
    nacl(
        vid,
        subnet(vid, "10.0.4.0/24", "d"),
        "rdp-range",
        {
            "RuleNumber": 100,
            "Protocol": "6",
            "RuleAction": "allow",
            "CidrBlock": "0.0.0.0/0",
            "PortRange": {"From": 3000, "To": 4000},
        },
    )
    nacl(
        vid, None, "unattached", {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}
    )
    result = scan(checks=[NACL], services=("ec2",))
    verdicts = result.verdicts(NACL)
    assert {k: verdicts[k] for k in ("web-only", "deny-first", "v4-deny-v6-allow", "rdp-range", "unattached")} == {
        "web-only": "PASS",
        "deny-first": "PASS",
        "v4-deny-v6-allow": "FAIL",
        "rdp-range": "FAIL",
        "unattached": "NOT_APPLICABLE",
    }
    assert "::/0" in result.finding(NACL, "v4-deny-v6-allow")["reason"]
    assert "[3389]" in result.finding(NACL, "rdp-range")["reason"]


# -- ISO-03 / ISO-05 subnets by tier ---------------------------------------------------------------------


def test_subnet_tiers_decide_internet_routes_and_public_ip_assignment(aws: Any, scan: Any) -> None:
    ec2 = boto3.client("ec2")
    vid = vpc("tiers")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    public_rt = route_table(vid, "public-rt", GatewayId=igw)
    pub = subnet(vid, "10.0.0.0/24", "pub-a", route_table=public_rt, public_ip=True, tier="public")
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=pub, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
    nat_rt = route_table(vid, "nat-rt", NatGatewayId=nat)
    clean_rt = route_table(vid, "clean-rt")
    appliance_rt = route_table(vid, "appliance-rt")
    subnet(vid, "10.0.1.0/24", "db-igw", route_table=public_rt, public_ip=True, tier="db")
    subnet(vid, "10.0.2.0/24", "app-nat", route_table=nat_rt, tier="app")
    subnet(vid, "10.0.3.0/24", "app-clean", route_table=clean_rt, tier="App")
    inspected = subnet(vid, "10.0.4.0/24", "app-inspected", route_table=appliance_rt, tier="app")
    eni = ec2.create_network_interface(SubnetId=inspected)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=appliance_rt, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    subnet(vid, "10.0.5.0/24", "untagged-igw", route_table=public_rt, public_ip=True)
    subnet(vid, "10.0.6.0/24", "untagged-main")
    result = scan(checks=[ROUTE, AUTO_IP], services=("ec2",))
    routes = result.verdicts(ROUTE)
    assert {k: routes[k] for k in ("pub-a", "db-igw", "app-nat", "app-clean", "app-inspected")} == {
        "pub-a": "NOT_APPLICABLE",
        "db-igw": "FAIL",
        "app-nat": "FAIL",
        "app-clean": "PASS",
        "app-inspected": "PASS",
    }
    assert routes["untagged-igw"] == "NEEDS_CONTEXT"
    assert routes["untagged-main"] == "PASS"  # the main table has only the local route: private by definition
    assert f"0.0.0.0/0 -> {igw}" in result.finding(ROUTE, "db-igw")["reason"]
    assert "NAT gateway" in result.finding(ROUTE, "app-nat")["reason"]
    auto = result.verdicts(AUTO_IP)
    assert {k: auto[k] for k in ("pub-a", "db-igw", "app-clean", "untagged-igw", "untagged-main")} == {
        "pub-a": "NOT_APPLICABLE",
        "db-igw": "FAIL",
        "app-clean": "PASS",
        "untagged-igw": "NEEDS_CONTEXT",
        "untagged-main": "PASS",
    }


# -- ISO-04 endpoints ---------------------------------------------------------------------------------------


def test_vpc_with_available_s3_and_dynamodb_endpoints_passes_without_fails(aws: Any, scan: Any) -> None:
    served = vpc("served")
    endpoint(served, "s3", "Gateway")
    endpoint(served, "dynamodb", "Gateway")
    half = vpc("half", "10.1.0.0/16")
    endpoint(half, "s3", "Interface")
    vpc("bare", "10.2.0.0/16")
    result = scan(checks=[S3_ENDPOINT, DDB_ENDPOINT], services=("ec2",))
    s3 = result.verdicts(S3_ENDPOINT)
    ddb = result.verdicts(DDB_ENDPOINT)
    assert (s3["served"], s3["half"], s3["bare"]) == ("PASS", "PASS", "FAIL")
    assert (ddb["served"], ddb["half"], ddb["bare"]) == ("PASS", "FAIL", "FAIL")
    assert result.finding(S3_ENDPOINT, "bare")["reason"].startswith("No available S3 endpoint")


def test_denied_listings_make_subnet_and_vpc_checks_error_not_fail(aws: Any, scan: Any) -> None:
    vid = vpc("bare")
    subnet(vid, "10.0.1.0/24", "app-a", tier="app")
    with deny("ec2", "DescribeVpcEndpoints"), deny("ec2", "DescribeRouteTables"):
        result = scan(checks=[S3_ENDPOINT, ROUTE], services=("ec2",))
    finding = result.finding(S3_ENDPOINT, "bare")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "ec2:DescribeVpcEndpoints"
    assert result.verdicts(ROUTE)["app-a"] == "ERROR"


def test_interface_endpoint_needs_private_dns_and_availability(aws: Any, scan: Any) -> None:
    vid = vpc("endpoints")
    endpoint(vid, "kms", PrivateDnsEnabled=True, name="kms-private")
    endpoint(vid, "logs", PrivateDnsEnabled=False, name="logs-public-dns")
    endpoint(vid, "s3", "Gateway", name="s3-gateway")
    endpoint(vid, f"com.amazonaws.vpce.{REGION}.vpce-svc-0123456789abcdef0", PrivateDnsEnabled=False, name="saas")
    result = scan(checks=[PRIVATE_DNS], services=("ec2",))
    assert result.verdicts(PRIVATE_DNS) == {
        "kms-private": "PASS",
        "logs-public-dns": "FAIL",
        "s3-gateway": "NOT_APPLICABLE",
        "saas": "NOT_APPLICABLE",
    }
    assert "private dns" in result.finding(PRIVATE_DNS, "logs-public-dns")["reason"].lower()


def test_endpoint_policy_full_access_fails_confined_policies_pass(aws: Any, scan: Any) -> None:
    vid = vpc("policies")
    endpoint(vid, "s3", "Gateway", name="default-policy")
    org_only = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            }
        ]
    }
    endpoint(vid, "s3", "Gateway", name="org-only", PolicyDocument=json.dumps(org_only))
    named = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::crm-data/*"}
        ]
    }
    endpoint(vid, "s3", "Gateway", name="named-bucket", PolicyDocument=json.dumps(named))
    service_wide = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}]}
    endpoint(vid, "s3", "Gateway", name="service-wide", PolicyDocument=json.dumps(service_wide))
    result = scan(checks=[POLICY], services=("ec2",))
    assert result.verdicts(POLICY) == {
        "default-policy": "FAIL",
        "org-only": "PASS",
        "named-bucket": "PASS",
        "service-wide": "FAIL",
    }
    assert "every action on every resource" in result.finding(POLICY, "default-policy")["reason"]


# -- LOG-03 flow logs ---------------------------------------------------------------------------------------


def flow_log(vpc_id: str, traffic: str, bucket: str) -> None:
    boto3.client("ec2").create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType=traffic,
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{bucket}",
    )


def test_flow_log_of_all_traffic_passes_reject_only_failed_delivery_or_none_fails(aws: Any, scan: Any) -> None:
    boto3.client("s3").create_bucket(Bucket="flow-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    flow_log(vpc("all-traffic"), "ALL", "flow-logs")
    flow_log(vpc("reject-only", "10.1.0.0/16"), "REJECT", "flow-logs")
    vpc("no-logs", "10.2.0.0/16")
    boto3.client("ec2").create_flow_logs(
        ResourceIds=[vpc("broken-delivery", "10.3.0.0/16")],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="flow",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/missing",  # moto: delivery FAILED
    )
    result = scan(checks=[FLOW_LOGS], services=("ec2",))
    verdicts = result.verdicts(FLOW_LOGS)
    assert {k: verdicts[k] for k in ("all-traffic", "reject-only", "no-logs", "broken-delivery")} == {
        "all-traffic": "PASS",
        "reject-only": "FAIL",
        "no-logs": "FAIL",
        "broken-delivery": "FAIL",
    }
    reason = result.finding(FLOW_LOGS, "reject-only")["reason"]
    assert "'REJECT'" in reason and "'ALL'" in reason
    assert "'FAILED'" in result.finding(FLOW_LOGS, "broken-delivery")["reason"]


# -- AI-01 Bedrock endpoints ------------------------------------------------------------------------------


def test_bedrock_endpoints_required_unless_declared_without_gen_ai(aws: Any, scan: Any) -> None:
    ready = vpc("ai-ready", "10.0.0.0/16", genai="true")
    endpoint(ready, "bedrock-runtime", PrivateDnsEnabled=True)
    endpoint(ready, "bedrock", PrivateDnsEnabled=True)
    runtime_only = vpc("ai-runtime-only", "10.1.0.0/16", genai="true")
    endpoint(runtime_only, "bedrock-runtime", PrivateDnsEnabled=True)
    no_dns = vpc("ai-no-dns", "10.2.0.0/16", genai="true")
    endpoint(no_dns, "bedrock-runtime", PrivateDnsEnabled=False)
    endpoint(no_dns, "bedrock", PrivateDnsEnabled=True)
    vpc("batch", "10.3.0.0/16", genai="false")
    vpc("undeclared", "10.4.0.0/16")
    undeclared_ready = vpc("undeclared-ready", "10.5.0.0/16")
    endpoint(undeclared_ready, "bedrock-runtime", PrivateDnsEnabled=True)
    endpoint(undeclared_ready, "bedrock", PrivateDnsEnabled=True)
    result = scan(checks=[BEDROCK], services=("ec2",))
    verdicts = result.verdicts(BEDROCK)
    assert {k: verdicts[k] for k in verdicts if k.startswith(("ai-", "batch", "undeclared"))} == {
        "ai-ready": "PASS",
        "ai-runtime-only": "FAIL",
        "ai-no-dns": "FAIL",
        "batch": "NOT_APPLICABLE",
        "undeclared": "NEEDS_CONTEXT",
        "undeclared-ready": "PASS",
    }
    assert result.finding(BEDROCK, "ai-runtime-only")["reason"].startswith("Bedrock endpoint: the only one of the")
    assert "genai" in result.finding(BEDROCK, "undeclared")["reason"]
