"""App Service web apps (and function apps): HTTPS only, minimum TLS, FTPS, diagnostics.

``WebApps_GetConfiguration`` is ``GET {site}/config/web`` (no secrets); the app settings and
publishing credentials (POST ``list*`` calls that return secrets) are never requested.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit
from .base import DIAGNOSTIC_SETTINGS, AzureCollector, attach_diagnostics, link_common

SITE = "azure.web.site"


class WebCollector(AzureCollector):
    service = "web"
    resource_types = (ResourceType(SITE, "web", "WebApps_List", "App Service web or function app"),)
    operations = (
        Operation("web", "WebApps_List", "Microsoft.Web/sites/read"),
        Operation("web", "WebApps_GetConfiguration", "Microsoft.Web/sites/config/read"),
        DIAGNOSTIC_SETTINGS,
    )

    def collect(self, unit: AzureUnit) -> None:
        sites = unit.list_all(SITE, "web", "WebApps_List")
        unit.parallel(lambda item: self._site(unit, item), sites or [])

    def _site(self, unit: AzureUnit, item: dict[str, Any]) -> None:
        builder = unit.builder(SITE, item)
        builder.data["WebApps_List"] = item
        link_common(builder, item)
        builder.attach(unit.fetch("web", "WebApps_GetConfiguration", ids.resource_group(builder.id), builder.name))
        attach_diagnostics(unit, builder, builder.id)
        unit.emit(builder)


COLLECTORS = (WebCollector,)
