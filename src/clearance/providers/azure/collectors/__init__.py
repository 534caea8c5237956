"""Azure collectors, one module per service. None imports an Azure SDK at import time."""

from __future__ import annotations

from importlib import import_module

from .base import AzureCollector

MODULES = (
    "resources",
    "authorization",
    "storage",
    "keyvault",
    "sql",
    "network",
    "network_watcher",
    "monitor",
    "cognitiveservices",
    "web",
    "compute",
)


def all_collectors() -> list[AzureCollector]:
    out: list[AzureCollector] = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        out.extend(cls() for cls in module.COLLECTORS)
    return out
