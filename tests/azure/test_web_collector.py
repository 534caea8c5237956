"""App Service web apps and their site configuration."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

SITE = "azure.web.site"


def test_site_with_configuration(fake_arm: FakeArm, azure_collect: Any) -> None:
    app = b.web_app("app-crm", location="Korea Central", httpsOnly=False)
    fake_arm.add(b.subscription(), app, b.web_app_config("app-crm", minTlsVersion="1.0"))

    got = azure_collect(services=("web",)).record(SITE, "app-crm")

    assert got["region"] == "koreacentral"
    assert got["data"]["WebApps_List"]["properties"]["httpsOnly"] is False
    assert got["data"]["WebApps_GetConfiguration"]["properties"]["minTlsVersion"] == "1.0"
    assert got["data"]["DiagnosticSettings_List"] == []
    (config_call,) = fake_arm.calls("/config/web")
    assert config_call.method == "GET"


def test_denied_configuration(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.web_app("app-crm"))
    fake_arm.fail("*/sites/app-crm/config/web")

    got = azure_collect(services=("web",)).record(SITE, "app-crm")

    assert got["errors"]["WebApps_GetConfiguration"]["permission"] == "Microsoft.Web/sites/config/read"
