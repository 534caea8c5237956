"""ELBv2 collector: record shapes, batched tags, paging, listing failures and tag scoping on moto."""

from __future__ import annotations

from typing import Any

import boto3

from clearance.providers.aws.collectors import elbv2 as elbv2_collector

from ..conftest import ACCOUNT, REGION
from ..fakes import deny
from .test_ec2_collector import calls, records

TLS = "aws-elbv2-listener-tls-policy"


def subnets() -> list[str]:
    return [s["SubnetId"] for s in boto3.client("ec2").describe_subnets()["Subnets"]][:2]


def balancer(name: str, **tags: str) -> dict[str, Any]:
    params: dict[str, Any] = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    lb: dict[str, Any] = boto3.client("elbv2").create_load_balancer(
        Name=name, Subnets=subnets(), Scheme="internet-facing", **params
    )["LoadBalancers"][0]
    return lb


def https(lb_arn: str, policy: str) -> str:
    cert = boto3.client("acm").request_certificate(DomainName="crm.example.com")["CertificateArn"]
    return str(
        boto3.client("elbv2").create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTPS",
            Port=443,
            SslPolicy=policy,
            Certificates=[{"CertificateArn": cert}],
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
        )["Listeners"][0]["ListenerArn"]
    )


def http_redirect(lb_arn: str) -> str:
    action = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    return str(
        boto3.client("elbv2").create_listener(
            LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[action]
        )["Listeners"][0]["ListenerArn"]
    )


def test_load_balancer_and_listener_records_carry_policy_rules_attributes_and_links(aws: Any, scan: Any) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    sg = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    lb = balancer("crm-alb", workload="crm")
    boto3.client("elbv2").set_security_groups(LoadBalancerArn=lb["LoadBalancerArn"], SecurityGroups=[sg])
    secure = https(lb["LoadBalancerArn"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
    redirect = http_redirect(lb["LoadBalancerArn"])
    found = records(scan(checks=[TLS], services=("elbv2",)).out)
    rec = found[lb["LoadBalancerArn"]]
    assert rec["type"] == "aws.elbv2.load-balancer" and rec["name"] == "crm-alb"
    assert rec["tags"] == {"workload": "crm"}
    assert rec["data"]["DescribeLoadBalancers"]["LoadBalancerName"] == "crm-alb"
    assert "Attributes" in rec["data"]["DescribeLoadBalancerAttributes"]
    assert sorted(rec["links"]["listeners"]) == sorted([secure, redirect])
    assert rec["links"]["security_groups"] == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{sg}"]
    assert rec["links"]["vpc"] == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"]
    tls = found[secure]
    assert tls["name"] == "crm-alb/HTTPS:443" and tls["links"] == {"load_balancer": [lb["LoadBalancerArn"]]}
    assert tls["data"]["DescribeSSLPolicies"]["Name"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert "DescribeRules" not in tls["data"]
    plain = found[redirect]
    assert plain["data"]["DescribeRules"]["Rules"][0]["Actions"][0]["Type"] == "redirect"
    assert "DescribeSSLPolicies" not in plain["data"]


def test_tags_are_batched_by_20_policies_fetched_once_and_balancers_paged(
    aws: Any, scan: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(elbv2_collector, "PAGE_SIZE", 10)
    arns = [balancer(f"lb-{i:02d}", index=str(i))["LoadBalancerArn"] for i in range(21)]
    https(arns[0], "ELBSecurityPolicy-TLS13-1-2-2021-06")
    https(arns[1], "ELBSecurityPolicy-2016-08")
    out = scan(checks=[TLS], services=("elbv2",)).out
    assert len(calls(out, "DescribeLoadBalancers")) == 3  # 21 balancers, 10 per page
    assert len(calls(out, "DescribeTags")) == 2  # 23 ARNs (21 balancers, 2 listeners)
    assert len(calls(out, "DescribeSSLPolicies")) == 1
    found = records(out)
    assert all(found[arn]["tags"] == {"index": str(i)} for i, arn in enumerate(arns))


def test_denied_listener_listing_is_not_evaluated_and_recorded_on_the_balancer(aws: Any, scan: Any) -> None:
    lb = balancer("web")
    https(lb["LoadBalancerArn"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
    with deny("elbv2", "DescribeListeners", event_prefix="elastic-load-balancing-v2"):
        result = scan(checks=[TLS, "aws-elbv2-access-logs-enabled"], services=("elbv2",))
    coverage = {c["check_id"]: c for c in result.coverage}
    assert coverage[TLS]["status"] == "not_evaluated"
    assert coverage[TLS]["error"]["permission"] == "elasticloadbalancing:DescribeListeners"
    assert coverage["aws-elbv2-access-logs-enabled"]["status"] == "evaluated"
    rec = records(result.out)[lb["LoadBalancerArn"]]
    assert rec["errors"]["DescribeListeners"]["denied"] is True


def test_denied_balancer_listing_leaves_both_types_not_evaluated(aws: Any, scan: Any) -> None:
    balancer("web")
    with deny("elbv2", "DescribeLoadBalancers", event_prefix="elastic-load-balancing-v2"):
        result = scan(checks=[TLS, "aws-elbv2-access-logs-enabled"], services=("elbv2",))
    statuses = {c["check_id"]: (c["status"], c["error"]["permission"]) for c in result.coverage}
    assert statuses == {
        TLS: ("not_evaluated", "elasticloadbalancing:DescribeLoadBalancers"),
        "aws-elbv2-access-logs-enabled": ("not_evaluated", "elasticloadbalancing:DescribeLoadBalancers"),
    }


def test_tag_scope_keeps_the_untagged_listeners_of_a_tagged_balancer(aws: Any, scan: Any) -> None:
    tagged = balancer("crm-alb", workload="crm")
    listener = https(tagged["LoadBalancerArn"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
    other = balancer("other-alb")
    https(other["LoadBalancerArn"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
    result = scan(checks=[TLS], services=("elbv2",), tags=("workload=crm",))
    assert result.verdicts(TLS) == {"crm-alb/HTTPS:443": "PASS"}
    assert records(result.out)[listener]["dependency"] is True
