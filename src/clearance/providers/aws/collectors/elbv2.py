"""Elastic Load Balancing v2 (regional): application, network and gateway load balancers and
their listeners.

A listener record carries what its TLS and plain-HTTP checks need: the SSL policy it uses
(the item of one DescribeSSLPolicies call naming every policy in use in the region) and, for
HTTP listeners, its rules (to see whether any forwards plain HTTP instead of redirecting).
A load balancer links to its listeners, because they are part of it: a tag-scoped scan of a
tagged load balancer must evaluate its untagged listeners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, Fetched, ResourceBuilder, tags_from_list
from .base import AwsCollector

LOAD_BALANCER = "aws.elbv2.load-balancer"
LISTENER = "aws.elbv2.listener"

PAGE_SIZE = 400
"""The largest PageSize ELBv2 accepts."""
TAGS_BATCH = 20
"""DescribeTags takes at most 20 resource ARNs per call."""
TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})


@dataclass
class Balancer:
    """One load balancer with what was fetched for it and its listeners."""

    builder: ResourceBuilder
    listeners: list[ResourceBuilder] = field(default_factory=list)


def _all_pages(unit: AwsUnit, op: str, key: str, **params: Any) -> Fetched:
    """A paginated call as one response ``{key: [every item]}``, or its error."""
    try:
        return Fetched(
            op, value={key: unit.items("elbv2", op, key, PaginationConfig={"PageSize": PAGE_SIZE}, **params)}
        )
    except CallFailed as failed:
        return Fetched(op, error=failed.error)


def _balancer(unit: AwsUnit, item: dict[str, Any]) -> Balancer:
    arn = str(item["LoadBalancerArn"])
    builder = unit.builder(LOAD_BALANCER, arn, str(item["LoadBalancerName"]))
    builder.data["DescribeLoadBalancers"] = item
    builder.link("vpc", unit.arn("ec2", f"vpc/{item['VpcId']}") if item.get("VpcId") else None)
    builder.link(
        "security_groups", *(unit.arn("ec2", f"security-group/{sg}") for sg in item.get("SecurityGroups") or [])
    )
    builder.attach(unit.fetch("elbv2", "DescribeLoadBalancerAttributes", LoadBalancerArn=arn))
    balancer = Balancer(builder)
    listeners = builder.attach(_all_pages(unit, "DescribeListeners", "Listeners", LoadBalancerArn=arn))
    if listeners.error is not None:
        return balancer
    for listener in listeners.value["Listeners"]:
        name = f"{item['LoadBalancerName']}/{listener.get('Protocol')}:{listener.get('Port')}"
        child = unit.builder(LISTENER, str(listener["ListenerArn"]), name)
        child.data["DescribeListeners"] = listener
        child.link("load_balancer", arn)
        if listener.get("Protocol") == "HTTP":
            child.attach(_all_pages(unit, "DescribeRules", "Rules", ListenerArn=listener["ListenerArn"]))
        builder.link("listeners", child.id)
        balancer.listeners.append(child)
    return balancer


def _tag(unit: AwsUnit, builders: Sequence[ResourceBuilder]) -> None:
    """Tags for every load balancer and listener, in batches of 20 ARNs."""
    by_arn = {b.id: b for b in builders}
    arns = list(by_arn)
    for start in range(0, len(arns), TAGS_BATCH):
        batch = arns[start : start + TAGS_BATCH]
        answer = unit.fetch("elbv2", "DescribeTags", ResourceArns=batch)
        if answer.error is not None:
            for arn in batch:
                by_arn[arn].errors["DescribeTags"] = answer.error
            continue
        for description in (answer.value or {}).get("TagDescriptions") or []:
            target = by_arn.get(str(description.get("ResourceArn")))
            if target is not None:
                target.tags = tags_from_list(description.get("Tags"))


def _ssl_policies(unit: AwsUnit, listeners: Sequence[ResourceBuilder]) -> None:
    """Attach to each TLS listener the DescribeSSLPolicies item of the policy it uses (one call)."""
    tls = [b for b in listeners if b.data["DescribeListeners"].get("Protocol") in TLS_PROTOCOLS]
    names = sorted(
        {str(b.data["DescribeListeners"]["SslPolicy"]) for b in tls if b.data["DescribeListeners"].get("SslPolicy")}
    )
    if not names:
        return
    answer = _all_pages(unit, "DescribeSSLPolicies", "SslPolicies", Names=names)
    policies = {p.get("Name"): p for p in (answer.value or {}).get("SslPolicies") or []}
    for builder in tls:
        if answer.error is not None:
            builder.errors["DescribeSSLPolicies"] = answer.error
            continue
        policy = policies.get(builder.data["DescribeListeners"].get("SslPolicy"))
        if policy is not None:
            builder.data["DescribeSSLPolicies"] = policy


class Elbv2Collector(AwsCollector):
    service = "elbv2"
    resource_types = (
        ResourceType(LOAD_BALANCER, "elbv2", "DescribeLoadBalancers", "Application, network or gateway load balancer"),
        ResourceType(LISTENER, "elbv2", "DescribeListeners", "Load balancer listener with its SSL policy"),
    )
    operations = (
        Operation("elbv2", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
        Operation("elbv2", "DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancerAttributes"),
        Operation("elbv2", "DescribeListeners", "elasticloadbalancing:DescribeListeners"),
        Operation("elbv2", "DescribeRules", "elasticloadbalancing:DescribeRules"),
        Operation("elbv2", "DescribeSSLPolicies", "elasticloadbalancing:DescribeSSLPolicies"),
        Operation("elbv2", "DescribeTags", "elasticloadbalancing:DescribeTags"),
    )

    def collect(self, unit: AwsUnit) -> None:
        found = _all_pages(unit, "DescribeLoadBalancers", "LoadBalancers")
        if found.error is not None:
            unit.list_failed(LOAD_BALANCER, "DescribeLoadBalancers", found.error)
            unit.list_failed(LISTENER, "DescribeLoadBalancers", found.error)
            return
        balancers = unit.parallel(lambda item: _balancer(unit, item), found.value["LoadBalancers"])
        listeners = [child for b in balancers for child in b.listeners]
        _tag(unit, [b.builder for b in balancers] + listeners)
        _ssl_policies(unit, listeners)
        for builder in [b.builder for b in balancers] + listeners:
            unit.emit(builder)
        unit.listed(LOAD_BALANCER, "DescribeLoadBalancers", len(balancers))
        # One balancer's listeners unknown means the region's listener listing is incomplete.
        failures = [b.builder.errors["DescribeListeners"] for b in balancers if "DescribeListeners" in b.builder.errors]
        if failures:
            unit.list_failed(LISTENER, "DescribeListeners", failures[0])
        else:
            unit.listed(LISTENER, "DescribeListeners", len(listeners))


COLLECTORS = (Elbv2Collector,)
