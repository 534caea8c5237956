"""Compute collector: firewalls, networks, subnetworks, instances, SSL policies and TLS proxies."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT, own_links

COMPUTE = "//compute.googleapis.com/projects/clearance-prod"


def _network(name: str = "vpc-prod") -> dict[str, Any]:
    return {
        "kind": "compute#network",
        "name": name,
        "selfLink": b.network_url(name),
        "autoCreateSubnetworks": False,
        "subnetworks": [b.subnetwork_url("snet-app")],
        "routingConfig": {"routingMode": "REGIONAL"},
    }


def _seed(fake: FakeGcp) -> None:
    fake.add_compute(PROJECT, "firewalls", b.firewall("allow-https"))
    fake.add_compute(PROJECT, "networks", _network())
    fake.add_compute(PROJECT, "subnetworks", b.subnetwork("snet-app"))
    fake.add_compute(PROJECT, "instances", b.instance("vm-app"))
    fake.add_compute(PROJECT, "instances", b.instance("vm-us", zone="us-central1-b", labels={"tier": "batch"}))
    fake.add_compute(PROJECT, "sslPolicies", b.ssl_policy())
    fake.add_compute(PROJECT, "targetHttpsProxies", b.target_https_proxy("lb-crm"))
    fake.add_compute(PROJECT, "targetHttpsProxies", b.target_https_proxy("lb-default", sslPolicy=b.ABSENT))
    fake.add_compute(PROJECT, "targetSslProxies", b.target_ssl_proxy("tcp-crm"))


def test_every_kind_is_collected_with_regions_and_links(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.add_service_account(PROJECT, b.service_account("app-runtime"))

    got = gcp_collect(services=("compute", "iam"))

    firewall = got.record("gcp.compute.firewall", "allow-https")
    assert firewall["id"] == f"{COMPUTE}/global/firewalls/allow-https"
    assert firewall["data"]["Firewalls_List"]["allowed"] == [{"IPProtocol": "tcp", "ports": ["443"]}]
    assert (firewall["region"], own_links(firewall)) == ("global", {"network": [f"{COMPUTE}/global/networks/vpc-prod"]})
    network = got.record("gcp.compute.network", "vpc-prod")
    assert own_links(network) == {
        "subnetworks": [f"{COMPUTE}/regions/asia-northeast3/subnetworks/snet-app"],
        "firewalls": [firewall["id"]],  # so a labelled workload's network brings its (unlabelled) rules
    }
    subnet = got.record("gcp.compute.subnetwork", "snet-app")
    assert subnet["region"] == "asia-northeast3"
    assert subnet["data"]["Subnetworks_AggregatedList"]["logConfig"]["enable"] is True
    vm = got.record("gcp.compute.instance", "vm-app")
    assert (vm["region"], vm["tags"]) == ("asia-northeast3", {"tier": "app", "environment": "prod"})
    assert vm["links"]["kms_key"] == [f"//cloudkms.googleapis.com/{b.kms_key_name('cmek-disk')}"]  # version stripped
    assert vm["links"]["subnetworks"] == [f"{COMPUTE}/regions/asia-northeast3/subnetworks/snet-app"]
    app = got.record("gcp.iam.service-account", b.service_account_email("app-runtime"))
    assert vm["links"]["service_accounts"] == [app["id"]]  # e-mail resolved to the collected account
    assert got.record("gcp.compute.instance", "vm-us")["region"] == "us-central1"
    assert got.record("gcp.compute.ssl-policy", "ssl-modern")["data"]["SslPolicies_AggregatedList"]["minTlsVersion"]
    proxy = got.record("gcp.compute.target-https-proxy", "lb-crm")
    assert own_links(proxy) == {"ssl_policy": [f"{COMPUTE}/global/sslPolicies/ssl-modern"]}
    assert own_links(got.record("gcp.compute.target-https-proxy", "lb-default")) == {}  # Google's default policy
    assert got.record("gcp.compute.target-ssl-proxy", "tcp-crm")["links"]["ssl_policy"]
    instances = {(x.region, x.count) for x in got.listings("gcp.compute.instance")}
    assert instances == {("asia-northeast3", 1), ("us-central1", 1)}
    assert [(x.region, x.count) for x in got.listings("gcp.compute.firewall")] == [("global", 1)]


def test_aggregated_lists_are_paged_and_empty_scopes_ignored(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.page_size = 1
    for name in ("vm-1", "vm-2", "vm-3"):
        fake_gcp.add_compute(PROJECT, "instances", b.instance(name))

    got = gcp_collect(services=("compute",))

    assert sorted(got.records("gcp.compute.instance")) == ["vm-1", "vm-2", "vm-3"]
    assert len(fake_gcp.calls("/aggregated/instances")) == 3


def test_a_service_account_outside_the_inventory_stays_an_email(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_compute(PROJECT, "instances", b.instance("vm-app"))

    vm = gcp_collect(services=("compute",)).record("gcp.compute.instance", "vm-app")

    assert vm["links"]["service_accounts"] == [b.instance("vm-app")["serviceAccounts"][0]["email"]]


def test_disabled_compute_api_fails_every_kind_without_claiming_a_denial(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("/compute.googleapis.com/*", code="SERVICE_DISABLED")

    got = gcp_collect(services=("compute",))

    for rtype in ("gcp.compute.firewall", "gcp.compute.instance", "gcp.compute.target-ssl-proxy"):
        (listing,) = got.listings(rtype)
        assert listing.status is TypeStatus.FAILED and listing.error is not None
        assert (listing.error.code, listing.error.denied) == ("SERVICE_DISABLED", False)


def test_items_without_self_link_get_the_id_their_self_link_would_give(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_compute(PROJECT, "firewalls", b.firewall("fw-bare", selfLink=b.ABSENT))
    fake_gcp.add_compute(PROJECT, "instances", b.instance("vm-bare", selfLink=b.ABSENT))

    got = gcp_collect(services=("compute",))

    assert got.record("gcp.compute.firewall", "fw-bare")["id"] == f"{COMPUTE}/global/firewalls/fw-bare"
    assert got.record("gcp.compute.instance", "vm-bare")["id"] == f"{COMPUTE}/zones/asia-northeast3-a/instances/vm-bare"
