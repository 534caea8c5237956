"""Compute Engine: firewall rules, VPC networks, subnetworks (flow logs, Private Google Access),
VM instances (external IPs, disk CMEK, service accounts), SSL policies and TLS-terminating proxies.

Every kind is one list call (``aggregatedList`` for zonal/regional kinds, which answers every
region at once); the items carry all that the checks read, so there are no per-resource calls.
References between them are ``selfLink`` URLs, linked as compute ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import GcpOperation, gcp_op
from ..unit import GcpUnit, ResourceBuilder
from .base import GcpCollector, link

FIREWALL = "gcp.compute.firewall"
NETWORK = "gcp.compute.network"
SUBNETWORK = "gcp.compute.subnetwork"
INSTANCE = "gcp.compute.instance"
SSL_POLICY = "gcp.compute.ssl-policy"
HTTPS_PROXY = "gcp.compute.target-https-proxy"
SSL_PROXY = "gcp.compute.target-ssl-proxy"


def _network(builder: ResourceBuilder, item: dict[str, Any]) -> None:
    link(builder, "network", ids.compute_id(item.get("network")))


def _subnetworks(builder: ResourceBuilder, item: dict[str, Any]) -> None:
    link(builder, "subnetworks", *(ids.compute_id(s) for s in item.get("subnetworks") or []))


def _instance(builder: ResourceBuilder, item: dict[str, Any]) -> None:
    nics = [n for n in item.get("networkInterfaces") or [] if isinstance(n, dict)]
    disks = [d for d in item.get("disks") or [] if isinstance(d, dict)]
    accounts = [a for a in item.get("serviceAccounts") or [] if isinstance(a, dict)]
    link(builder, "network", *(ids.compute_id(n.get("network")) for n in nics))
    link(builder, "subnetworks", *(ids.compute_id(n.get("subnetwork")) for n in nics))
    link(builder, "kms_key", *(ids.kms_key_id((d.get("diskEncryptionKey") or {}).get("kmsKeyName")) for d in disks))
    link(builder, "service_accounts", *(ids.text(a.get("email")) for a in accounts))


def _ssl_policy(builder: ResourceBuilder, item: dict[str, Any]) -> None:
    link(builder, "ssl_policy", ids.compute_id(item.get("sslPolicy")))


def _no_links(builder: ResourceBuilder, item: dict[str, Any]) -> None:
    """SSL policies refer to nothing."""


@dataclass(frozen=True)
class _Kind:
    rtype: str
    op: GcpOperation
    description: str
    links: Callable[[ResourceBuilder, dict[str, Any]], None]

    @property
    def regional(self) -> bool:
        return self.op.aggregated


def _list(resource: str, items: str, permission: str, aggregated: bool) -> GcpOperation:
    method = "aggregatedList" if aggregated else "list"
    return gcp_op("compute", f"compute.{resource}.{method}", permission, items=items)


KINDS = (
    _Kind(FIREWALL, _list("firewalls", "items", "compute.firewalls.list", False), "VPC firewall rule", _network),
    _Kind(NETWORK, _list("networks", "items", "compute.networks.list", False), "VPC network", _subnetworks),
    _Kind(
        SUBNETWORK,
        _list("subnetworks", "subnetworks", "compute.subnetworks.list", True),
        "VPC subnetwork (flow logs, Private Google Access)",
        _network,
    ),
    _Kind(INSTANCE, _list("instances", "instances", "compute.instances.list", True), "VM instance", _instance),
    _Kind(SSL_POLICY, _list("sslPolicies", "sslPolicies", "compute.sslPolicies.list", True), "SSL policy", _no_links),
    _Kind(
        HTTPS_PROXY,
        _list("targetHttpsProxies", "targetHttpsProxies", "compute.targetHttpsProxies.list", True),
        "Target HTTPS proxy (load balancer TLS front end)",
        _ssl_policy,
    ),
    _Kind(
        SSL_PROXY,
        _list("targetSslProxies", "items", "compute.targetSslProxies.list", False),
        "Target SSL proxy",
        _ssl_policy,
    ),
)


def item_region(item: dict[str, Any]) -> str:
    """Zonal items -> the zone's region; regional -> the region; global -> ``global``."""
    if ids.text(item.get("zone")):
        return ids.zone_region(item["zone"])
    if ids.text(item.get("region")):
        return ids.last(item["region"]).lower()
    return ids.GLOBAL_REGION


def _fallback_id(project: str, kind: _Kind, item: dict[str, Any]) -> str:
    """The id of an item without a ``selfLink`` (compute always sends one), built the way selfLinks are."""
    if ids.text(item.get("zone")):
        scope = f"zones/{ids.last(item['zone'])}"
    elif ids.text(item.get("region")):
        scope = f"regions/{ids.last(item['region'])}"
    else:
        scope = "global"
    collection = kind.op.method.split(".")[1]
    return ids.full_name(ids.COMPUTE_HOST, f"projects/{project}/{scope}/{collection}/{item.get('name')}")


class ComputeCollector(GcpCollector):
    service = "compute"
    resource_types = tuple(ResourceType(k.rtype, "compute", k.op.name, k.description) for k in KINDS)
    operations = tuple(k.op for k in KINDS)

    def collect(self, unit: GcpUnit) -> None:
        unit.parallel(lambda kind: self._kind(unit, kind), KINDS)

    def _kind(self, unit: GcpUnit, kind: _Kind) -> None:
        found = unit.list_all(
            kind.rtype, "compute", kind.op.name, item_region, regional=kind.regional, project=unit.account
        )
        for item in found or []:
            name = str(item.get("name"))
            rid = ids.compute_id(item.get("selfLink")) or _fallback_id(unit.account, kind, item)
            builder = unit.builder(kind.rtype, rid, name, item_region(item), item.get("labels"))
            builder.data[kind.op.name] = item
            kind.links(builder, item)
            unit.emit(builder)


COLLECTORS = (ComputeCollector,)
