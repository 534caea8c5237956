"""App Service checks through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

WEB = ("web",)


def app(fake: FakeArm, name: str, config: dict[str, Any] | None = None, **props: Any) -> None:
    fake.add(b.web_app(name, **props), b.web_app_config(name, **(config or {})))


def test_https_only(arm: FakeArm, azure_scan: Any) -> None:
    app(arm, "app-secure")
    app(arm, "app-http", httpsOnly=False)
    result = azure_scan(checks=["azure-web-site-https-only"], services=WEB)
    assert result.verdicts("azure-web-site-https-only") == {"app-secure": "PASS", "app-http": "FAIL"}


def test_minimum_tls_is_read_from_the_site_configuration(arm: FakeArm, azure_scan: Any) -> None:
    app(arm, "app-tls12")
    app(arm, "app-tls13", {"minTlsVersion": "1.3"})
    app(arm, "app-tls10", {"minTlsVersion": "1.0"})
    result = azure_scan(checks=["azure-web-site-min-tls"], services=WEB)
    # The list response's siteConfig.minTlsVersion is null for every app; the check must not read it.
    assert result.verdicts("azure-web-site-min-tls") == {"app-tls12": "PASS", "app-tls13": "PASS", "app-tls10": "FAIL"}


def test_ftps_state(arm: FakeArm, azure_scan: Any) -> None:
    app(arm, "app-noftp")
    app(arm, "app-ftps", {"ftpsState": "FtpsOnly"})
    app(arm, "app-ftp", {"ftpsState": "AllAllowed"})
    result = azure_scan(checks=["azure-web-site-ftps-only"], services=WEB)
    assert result.verdicts("azure-web-site-ftps-only") == {"app-noftp": "PASS", "app-ftps": "PASS", "app-ftp": "FAIL"}


def test_denied_configuration_read_is_error(arm: FakeArm, azure_scan: Any) -> None:
    app(arm, "app-denied")
    arm.fail("*/sites/app-denied/config/web", status=403)
    finding = azure_scan(checks=["azure-web-site-min-tls"], services=WEB).finding(
        "azure-web-site-min-tls", "app-denied"
    )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.Web/sites/config/read"
