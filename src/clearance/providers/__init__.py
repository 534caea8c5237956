"""Cloud provider adapters. Each adapter turns a scope into an on-disk inventory."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from ..errors import UsageError
from .interface import Provider

_BUILTIN = {
    "aws": "clearance.providers.aws:AwsProvider",
    "azure": "clearance.providers.azure:AzureProvider",
    "gcp": "clearance.providers.gcp:GcpProvider",
}


def provider_names() -> list[str]:
    names = set(_BUILTIN)
    names.update(ep.name for ep in entry_points(group="clearance.providers"))
    return sorted(names)


def get_provider(name: str) -> Provider:
    """Instantiate a provider by name (built-in, or a third party's entry point)."""
    target = _BUILTIN.get(name)
    if target is None:
        for ep in entry_points(group="clearance.providers"):
            if ep.name == name:
                target = ep.value
                break
    if target is None:
        raise UsageError(f"unknown provider {name!r} (available: {', '.join(provider_names())})")
    module, _, attr = target.partition(":")
    cls = getattr(import_module(module), attr)
    provider: Provider = cls()
    return provider
