"""Evidence stores: object storage with retention locks where scheduled runs file their signed packages.

``s3://BUCKET[/PREFIX/][?region=REGION&profile=PROFILE]`` is implemented (S3 Object Lock). ``azblob://`` (Azure Blob
immutability policies) and ``gs://`` (GCS bucket retention / object holds) are recognised and refused with a usage
error until implemented; docs/scheduled.md describes how they would work. Publishing is the only write clearance
ever makes, with its own credentials, to the firm's evidence store; it never passes the collectors' read-only
guard and never touches a scanned resource.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from .interface import (
    COMPLIANCE,
    GOVERNANCE,
    LOCK_MODES,
    Lock,
    PackageInfo,
    Store,
    StoredPackage,
    StoreError,
)

__all__ = [
    "COMPLIANCE",
    "GOVERNANCE",
    "LOCK_MODES",
    "Lock",
    "PackageInfo",
    "Store",
    "StoreError",
    "StoreUrl",
    "StoredPackage",
    "open_store",
    "parse_url",
]

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_S3_PARAMS = ("region", "profile")
_NOT_IMPLEMENTED = {
    "azblob": "Azure Blob Storage immutability policies",
    "gs": "Google Cloud Storage retention policies",
}


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL: ``s3://bucket/prefix/`` -> ("s3", "bucket", "prefix/")."""

    scheme: str
    bucket: str
    prefix: str
    params: dict[str, str] = field(default_factory=dict)

    def object_url(self, key: str) -> str:
        return f"{self.scheme}://{self.bucket}/{key}"

    def __str__(self) -> str:
        return self.object_url(self.prefix)


def parse_url(url: str, option: str = "--publish") -> StoreUrl:
    """Check a store URL without contacting anything; every problem is a usage error naming ``option``."""
    where = f"{option} {url!r}"
    scheme, sep, rest = url.partition("://")
    if scheme in _NOT_IMPLEMENTED:
        raise StoreError(
            f"{where}: {scheme}:// ({_NOT_IMPLEMENTED[scheme]}) is not implemented yet; use s3:// "
            "(docs/scheduled.md explains how to mirror packages to Azure or GCS with their own immutability)"
        )
    if not sep or scheme != "s3":
        raise StoreError(f"{where}: expected s3://BUCKET/PREFIX/ (an S3 bucket with Object Lock enabled)")
    path, _, query = rest.partition("?")
    bucket, _, prefix = path.partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise StoreError(f"{where}: {bucket!r} is not a valid S3 bucket name (3-63 of a-z 0-9 . -)")
    segments = prefix.split("/")
    if prefix and (any(s in ("", ".", "..") for s in segments[:-1]) or segments[-1] in (".", "..")):
        raise StoreError(f"{where}: the prefix {prefix!r} has an empty, '.' or '..' segment")
    if any(ord(c) < 0x20 or c in "\\\x7f" for c in prefix):
        raise StoreError(f"{where}: the prefix has a control character or backslash")
    params = _params(query, where)
    return StoreUrl("s3", bucket, prefix if not prefix or prefix.endswith("/") else prefix + "/", params)


def _params(query: str, where: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in query.split("&") if query else ():
        key, eq, value = pair.partition("=")
        if key not in _S3_PARAMS or not eq or not value:
            raise StoreError(
                f"{where}: bad parameter {pair!r} (allowed: {', '.join(f'{p}=VALUE' for p in _S3_PARAMS)})"
            )
        if key in params:
            raise StoreError(f"{where}: parameter {key!r} given twice")
        params[key] = urllib.parse.unquote(value)
    return params


def open_store(url: str, option: str = "--publish") -> Store:
    """The store a URL names (the SDK is imported here, not before)."""
    parsed = parse_url(url, option)
    from .s3 import S3Store

    return S3Store.connect(parsed)
