"""ELBv2 checks (TLS policies, plain-HTTP listeners, access logs) through the real scan path on moto."""

from __future__ import annotations

from typing import Any

import boto3

TLS = "aws-elbv2-listener-tls-policy"
HTTP = "aws-elbv2-http-redirects-to-https"
ACCESS_LOGS = "aws-elbv2-access-logs-enabled"

TO_HTTPS = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
FIXED = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}


def balancer(name: str, *, scheme: str = "internet-facing", kind: str = "application", logs: str | None = None) -> str:
    """A load balancer in two default subnets (moto omits Scheme unless it is given, AWS always reports it)."""
    subnets = [s["SubnetId"] for s in boto3.client("ec2").describe_subnets()["Subnets"]][:2]
    elb = boto3.client("elbv2")
    arn = str(
        elb.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme, Type=kind)["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
    )
    if logs is not None:
        attrs = [{"Key": "access_logs.s3.enabled", "Value": logs}, {"Key": "access_logs.s3.bucket", "Value": "lb-logs"}]
        elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attrs)
    return arn


def listener(lb: str, protocol: str, port: int, action: dict[str, Any], policy: str | None = None) -> str:
    params: dict[str, Any] = {}
    if policy:
        cert = boto3.client("acm").request_certificate(DomainName="crm.example.com")["CertificateArn"]
        params = {"SslPolicy": policy, "Certificates": [{"CertificateArn": cert}]}
    return str(
        boto3.client("elbv2").create_listener(
            LoadBalancerArn=lb, Protocol=protocol, Port=port, DefaultActions=[action], **params
        )["Listeners"][0]["ListenerArn"]
    )


def test_tls_listener_policy_without_weak_protocols_passes(aws: Any, scan: Any) -> None:
    modern = balancer("modern")
    listener(modern, "HTTPS", 443, FIXED, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    legacy = balancer("legacy")
    listener(legacy, "HTTPS", 443, FIXED, "ELBSecurityPolicy-2016-08")
    listener(legacy, "HTTP", 80, TO_HTTPS)
    network = balancer("network", kind="network")
    listener(network, "TLS", 443, FIXED, "ELBSecurityPolicy-TLS-1-1-2017-01")
    result = scan(checks=[TLS], services=("elbv2",))
    assert result.verdicts(TLS) == {
        "modern/HTTPS:443": "PASS",
        "legacy/HTTPS:443": "FAIL",
        "legacy/HTTP:80": "NOT_APPLICABLE",
        "network/TLS:443": "FAIL",
    }
    reason = result.finding(TLS, "legacy/HTTPS:443")["reason"]
    assert "'TLSv1'" in reason and reason.startswith("Protocols of the SSL policy")


def test_internet_facing_http_listener_must_only_redirect_to_https(aws: Any, scan: Any) -> None:
    elb = boto3.client("elbv2")
    web = balancer("web")
    listener(web, "HTTP", 80, TO_HTTPS)
    plain = balancer("plain")
    target_group = elb.create_target_group(Name="app", Protocol="HTTP", Port=8080, VpcId=_default_vpc())
    forward = {"Type": "forward", "TargetGroupArn": target_group["TargetGroups"][0]["TargetGroupArn"]}
    listener(plain, "HTTP", 80, forward)
    sneaky = balancer("sneaky")
    sneaky_listener = listener(sneaky, "HTTP", 80, TO_HTTPS)
    elb.create_rule(
        ListenerArn=sneaky_listener,
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
        Actions=[forward],
    )
    keeps_http = balancer("keeps-http")  # Protocol omitted: AWS's default "#{protocol}" keeps HTTP
    listener(
        keeps_http,
        "HTTP",
        80,
        {"Type": "redirect", "RedirectConfig": {"Host": "www.example.com", "StatusCode": "HTTP_302"}},
    )
    inside = balancer("inside", scheme="internal")
    listener(inside, "HTTP", 80, forward)
    result = scan(checks=[HTTP], services=("elbv2",))
    assert result.verdicts(HTTP) == {
        "web/HTTP:80": "PASS",
        "plain/HTTP:80": "FAIL",
        "sneaky/HTTP:80": "FAIL",
        "keeps-http/HTTP:80": "FAIL",
        "inside/HTTP:80": "NOT_APPLICABLE",
    }
    assert "forward" in result.finding(HTTP, "sneaky/HTTP:80")["reason"]


def _default_vpc() -> str:
    vpcs = boto3.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def test_access_logs_enabled_passes_disabled_fails_gateway_not_applicable(aws: Any, scan: Any) -> None:
    balancer("logged", logs="true")
    balancer("unlogged", logs="false")
    balancer("unreported")  # moto omits the attribute until it is set; AWS always reports it
    balancer("gwlb", kind="gateway")
    result = scan(checks=[ACCESS_LOGS], services=("elbv2",))
    assert result.verdicts(ACCESS_LOGS) == {
        "logged": "PASS",
        "unlogged": "FAIL",
        "unreported": "ERROR",
        "gwlb": "NOT_APPLICABLE",
    }
    assert "absent" in result.finding(ACCESS_LOGS, "unreported")["reason"]
