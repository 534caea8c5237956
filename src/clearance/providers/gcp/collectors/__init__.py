"""GCP collectors, one module per service. None imports a Google library at import time."""

from __future__ import annotations

from importlib import import_module

from .base import GcpCollector

MODULES = (
    "resourcemanager",
    "storage",
    "kms",
    "sql",
    "compute",
    "cloudlogging",
    "aiplatform",
    "iam",
    "accesscontextmanager",
)


def all_collectors() -> list[GcpCollector]:
    out: list[GcpCollector] = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        out.extend(cls() for cls in module.COLLECTORS)
    return out
