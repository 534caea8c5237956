"""AWS provider. boto3 is imported only when a scan runs."""

from __future__ import annotations

from .provider import AwsProvider

__all__ = ["AwsProvider"]
