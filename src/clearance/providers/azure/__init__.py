"""Azure provider. The Azure SDKs are imported only when a scan runs."""

from __future__ import annotations

from .provider import AzureProvider

__all__ = ["AzureProvider"]
