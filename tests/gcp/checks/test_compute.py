"""Compute Engine checks (firewalls, networks, subnets, VMs, TLS policies of proxies) through the real scan path."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

COMPUTE = ("compute",)
ADMIN = "gcp-compute-firewall-no-internet-admin-ports"
DATABASE = "gcp-compute-firewall-no-internet-database-ports"


def add(fake: FakeGcp, collection: str, body: dict[str, Any]) -> None:
    fake.add_compute(b.PROJECT, collection, body)


def tcp(*ports: str) -> list[dict[str, Any]]:
    return [{"IPProtocol": "tcp", "ports": list(ports)}]


def test_firewall_exposure_of_admin_and_database_ports(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    world = ["0.0.0.0/0"]
    rules = {
        "fw-internal-ssh": b.firewall("fw-internal-ssh", allowed=tcp("22")),
        "fw-https": b.firewall("fw-https", sourceRanges=world, allowed=tcp("443")),
        "fw-ssh": b.firewall("fw-ssh", sourceRanges=world, allowed=tcp("22")),
        "fw-range": b.firewall("fw-range", sourceRanges=world, allowed=tcp("20-25")),  # covers 22, 23
        "fw-ipv6-rdp": b.firewall("fw-ipv6-rdp", sourceRanges=["::/0"], allowed=tcp("3389")),
        "fw-all": b.firewall("fw-all", sourceRanges=world, allowed=[{"IPProtocol": "all"}]),
        "fw-tcp-any-port": b.firewall("fw-tcp-any-port", sourceRanges=world, allowed=[{"IPProtocol": "tcp"}]),
        "fw-postgres": b.firewall("fw-postgres", sourceRanges=["10.0.0.0/8", "0.0.0.0/0"], allowed=tcp("5432")),
        "fw-disabled": b.firewall("fw-disabled", sourceRanges=world, allowed=tcp("22", "5432"), disabled=True),
        "fw-deny": b.firewall("fw-deny", sourceRanges=world, allowed=b.ABSENT, denied=tcp("22")),
        "fw-egress": b.firewall(
            "fw-egress", direction="EGRESS", sourceRanges=b.ABSENT, destinationRanges=world, allowed=tcp("22")
        ),
        "fw-udp": b.firewall("fw-udp", sourceRanges=world, allowed=[{"IPProtocol": "udp", "ports": ["3389"]}]),
        "fw-tagged": b.firewall("fw-tagged", sourceRanges=b.ABSENT, sourceTags=["bastion"], allowed=tcp("22")),
        "fw-no-source": b.firewall("fw-no-source", sourceRanges=b.ABSENT, allowed=tcp("3306")),
    }
    for body in rules.values():
        add(fake_gcp, "firewalls", body)
    result = gcp_scan(checks=[ADMIN, DATABASE], services=COMPUTE)
    exposed_admin = {"fw-ssh", "fw-range", "fw-ipv6-rdp", "fw-all", "fw-tcp-any-port"}
    exposed_db = {"fw-all", "fw-tcp-any-port", "fw-postgres", "fw-no-source"}
    assert result.verdicts(ADMIN) == {n: "FAIL" if n in exposed_admin else "PASS" for n in rules}
    assert result.verdicts(DATABASE) == {n: "FAIL" if n in exposed_db else "PASS" for n in rules}
    assert result.finding(ADMIN, "fw-range")["reason"] == (
        "Firewall rule 'fw-range' allows port(s) [22, 23] from 0.0.0.0/0"
    )
    assert "disabled" in result.finding(ADMIN, "fw-disabled")["reason"]


def test_denied_firewall_listing_names_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    add(fake_gcp, "firewalls", b.firewall("fw-any"))
    fake_gcp.fail("*/global/firewalls", status=403)
    result = gcp_scan(checks=[ADMIN], services=COMPUTE)
    assert result.verdicts(ADMIN) == {}
    assert "compute.firewalls.list" in str([c for c in result.coverage if c["check_id"] == ADMIN])


def test_network_is_custom_mode_and_not_default(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    add(fake_gcp, "networks", b.network("vpc-prod"))
    add(fake_gcp, "networks", b.network("default", autoCreateSubnetworks=True))
    add(fake_gcp, "networks", b.network("vpc-auto", autoCreateSubnetworks=True))
    add(
        fake_gcp,
        "networks",
        b.network("vpc-legacy", autoCreateSubnetworks=b.ABSENT, subnetworks=b.ABSENT, IPv4Range="10.240.0.0/16"),
    )
    check = "gcp-compute-network-not-default"
    result = gcp_scan(checks=[check], services=COMPUTE)
    assert result.verdicts(check) == {
        "vpc-prod": "PASS",
        "default": "FAIL",
        "vpc-auto": "FAIL",
        "vpc-legacy": "FAIL",
    }


def test_subnet_flow_logs_and_private_google_access(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    add(fake_gcp, "subnetworks", b.subnetwork("snet-app"))
    add(fake_gcp, "subnetworks", b.subnetwork("snet-legacy-flag", logConfig=b.ABSENT))  # enableFlowLogs only
    add(
        fake_gcp,
        "subnetworks",
        b.subnetwork("snet-dark", logConfig={"enable": False}, enableFlowLogs=b.ABSENT, privateIpGoogleAccess=False),
    )
    add(
        fake_gcp,
        "subnetworks",
        b.subnetwork("snet-proxy", purpose="REGIONAL_MANAGED_PROXY", logConfig=b.ABSENT, enableFlowLogs=b.ABSENT),
    )
    checks = ["gcp-compute-subnetwork-flow-logs", "gcp-compute-subnetwork-private-google-access"]
    result = gcp_scan(checks=checks, services=COMPUTE)
    assert result.verdicts(checks[0]) == {
        "snet-app": "PASS",
        "snet-legacy-flag": "PASS",
        "snet-dark": "FAIL",
        "snet-proxy": "NOT_APPLICABLE",
    }
    assert result.verdicts(checks[1]) == {
        "snet-app": "PASS",
        "snet-legacy-flag": "PASS",
        "snet-dark": "FAIL",
        "snet-proxy": "NOT_APPLICABLE",
    }


def nic(*access: dict[str, Any], ipv6: bool = False) -> list[dict[str, Any]]:
    one: dict[str, Any] = {"name": "nic0", "network": b.network_url(), "networkIP": "10.10.0.20"}
    if access:
        one["accessConfigs"] = list(access)
    if ipv6:
        one["ipv6AccessConfigs"] = [{"type": "DIRECT_IPV6", "name": "external-ipv6", "externalIpv6": "2600:1900::1"}]
    return [one]


def test_external_ip_on_internal_tiers(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    add(fake_gcp, "instances", b.instance("vm-app"))
    add(fake_gcp, "instances", b.instance("vm-app-public", networkInterfaces=nic(b.external_access_config())))
    add(fake_gcp, "instances", b.instance("vm-db-ipv6", labels={"tier": "db"}, networkInterfaces=nic(ipv6=True)))
    add(
        fake_gcp,
        "instances",
        b.instance("vm-web", labels={"tier": "dmz"}, networkInterfaces=nic(b.external_access_config())),
    )
    add(
        fake_gcp,
        "instances",
        b.instance("vm-untiered", labels=b.ABSENT, networkInterfaces=nic(b.external_access_config())),
    )
    add(fake_gcp, "instances", b.instance("vm-untiered-private", labels=b.ABSENT))
    check = "gcp-compute-instance-no-external-ip-internal-tier"
    result = gcp_scan(checks=[check], services=COMPUTE)
    assert result.verdicts(check) == {
        "vm-app": "PASS",
        "vm-app-public": "FAIL",
        "vm-db-ipv6": "FAIL",
        "vm-web": "NOT_APPLICABLE",
        "vm-untiered": "NEEDS_CONTEXT",
        "vm-untiered-private": "PASS",
    }


def test_vm_disks_need_customer_keys(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    disk = b.instance("x")["disks"][0]
    google = {k: v for k, v in disk.items() if k != "diskEncryptionKey"} | {"boot": False, "index": 1}
    csek = {**disk, "diskEncryptionKey": {"sha256": "8LlrO0XrR3Tlq+7Ok1dgJcF5eZW9w3n3cH0DjkT0Nkg="}}
    scratch = {"type": "SCRATCH", "mode": "READ_WRITE", "deviceName": "local-ssd-0", "interface": "NVME", "index": 1}
    add(fake_gcp, "instances", b.instance("vm-cmek"))
    add(fake_gcp, "instances", b.instance("vm-csek", disks=[csek]))
    add(fake_gcp, "instances", b.instance("vm-local-ssd", disks=[disk, scratch]))
    add(fake_gcp, "instances", b.instance("vm-google", disks=[disk, google]))
    check = "gcp-compute-instance-disk-cmek"
    result = gcp_scan(checks=[check], services=COMPUTE)
    assert result.verdicts(check) == {
        "vm-cmek": "PASS",
        "vm-csek": "PASS",
        "vm-local-ssd": "PASS",
        "vm-google": "FAIL",
    }


def test_proxies_need_a_modern_tls_policy(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    weak = "TLS_RSA_WITH_AES_128_GCM_SHA256"
    strong = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    policies = [
        b.ssl_policy("ssl-modern"),
        b.ssl_policy("ssl-restricted", profile="RESTRICTED"),
        b.ssl_policy("ssl-modern-tls10", minTlsVersion="TLS_1_0"),
        b.ssl_policy("ssl-compatible", profile="COMPATIBLE"),
        b.ssl_policy("ssl-custom-ok", profile="CUSTOM", customFeatures=[strong]),
        b.ssl_policy("ssl-custom-weak", profile="CUSTOM", customFeatures=[strong, weak]),
    ]
    for policy in policies:
        add(fake_gcp, "sslPolicies", policy)
    for policy in policies:
        name = policy["name"].removeprefix("ssl-")
        add(
            fake_gcp,
            "targetHttpsProxies",
            b.target_https_proxy(f"web-{name}", sslPolicy=b.ssl_policy_url(policy["name"])),
        )
    add(fake_gcp, "targetHttpsProxies", b.target_https_proxy("web-default", sslPolicy=b.ABSENT))
    add(fake_gcp, "targetSslProxies", b.target_ssl_proxy("tcp-modern"))
    add(fake_gcp, "targetSslProxies", b.target_ssl_proxy("tcp-weak", sslPolicy=b.ssl_policy_url("ssl-compatible")))
    add(fake_gcp, "targetSslProxies", b.target_ssl_proxy("tcp-default", sslPolicy=b.ABSENT))
    https, ssl = "gcp-compute-target-https-proxy-tls-policy", "gcp-compute-target-ssl-proxy-tls-policy"
    result = gcp_scan(checks=[https, ssl], services=COMPUTE)
    assert result.verdicts(https) == {
        "web-modern": "PASS",
        "web-restricted": "PASS",
        "web-modern-tls10": "FAIL",
        "web-compatible": "FAIL",
        "web-custom-ok": "PASS",
        "web-custom-weak": "FAIL",
        "web-default": "FAIL",
    }
    assert result.verdicts(ssl) == {"tcp-modern": "PASS", "tcp-weak": "FAIL", "tcp-default": "FAIL"}
    assert "Google's default allows TLS 1.0" in result.finding(https, "web-default")["reason"]
