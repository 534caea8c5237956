"""GCP provider. The Google client libraries are imported only when a scan runs."""

from __future__ import annotations

from .provider import GcpProvider

__all__ = ["GcpProvider"]
