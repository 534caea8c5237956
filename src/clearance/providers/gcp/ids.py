"""GCP resource names: full resource names (the record ids), regions and key references.

A record's id is the Cloud Asset style *full resource name*, ``//<api host>/<relative name>``,
with the relative name exactly as the API returned it. References inside REST bodies come in
other shapes (compute ``selfLink`` URLs, KMS key *version* names, bare bucket names); the helpers
here turn each into the id of the record it names, so links resolve without a lookup table.
"""

from __future__ import annotations

import re
from typing import Any

GLOBAL_REGION = "global"

STORAGE_HOST = "storage.googleapis.com"
KMS_HOST = "cloudkms.googleapis.com"
COMPUTE_HOST = "compute.googleapis.com"
SQL_HOST = "sqladmin.googleapis.com"
LOGGING_HOST = "logging.googleapis.com"
AIPLATFORM_HOST = "aiplatform.googleapis.com"
IAM_HOST = "iam.googleapis.com"
PROJECT_HOST = "cloudresourcemanager.googleapis.com"
ACM_HOST = "accesscontextmanager.googleapis.com"

_COMPUTE_URL = re.compile(r"^https://(?:www|compute)\.googleapis\.com/compute/[^/]+/")
_ZONE = re.compile(r"^(.+)-[a-z]$")


def full_name(host: str, relative: str) -> str:
    return f"//{host}/{relative.strip('/')}"


def text(value: Any) -> str | None:
    """``value`` when it is a non-empty string, else None (REST bodies omit or null unset fields)."""
    return value if isinstance(value, str) and value else None


def compute_id(reference: Any) -> str | None:
    """A compute ``selfLink`` (or ``projects/...`` relative name) -> ``//compute.googleapis.com/projects/...``."""
    ref = text(reference)
    if ref is None:
        return None
    relative = _COMPUTE_URL.sub("", ref)
    if not relative.startswith("projects/"):
        return None
    return full_name(COMPUTE_HOST, relative)


def kms_key_id(reference: Any) -> str | None:
    """A KMS key or key *version* name -> the key's id (versions belong to their key)."""
    ref = text(reference)
    if ref is None or "/cryptoKeys/" not in ref:
        return None
    key = ref.split("/cryptoKeyVersions/", 1)[0]
    return full_name(KMS_HOST, key.removeprefix(f"//{KMS_HOST}/"))


def bucket_id(name: Any) -> str | None:
    bucket = text(name)
    return full_name(STORAGE_HOST, f"projects/_/buckets/{bucket}") if bucket else None


def project_id(name: Any) -> str | None:
    """``projects/NUMBER`` (as the v3 API names a project) -> the project record's id."""
    ref = text(name)
    return full_name(PROJECT_HOST, ref) if ref and ref.startswith("projects/") else None


def last(reference: Any) -> str:
    """The last path segment of a URL or name (``zones/asia-northeast3-a`` -> ``asia-northeast3-a``)."""
    return (text(reference) or "").rstrip("/").rsplit("/", 1)[-1]


def zone_region(zone: Any) -> str:
    """``asia-northeast3-a`` (or its URL) -> ``asia-northeast3``; unknown -> ``global``."""
    name = last(zone)
    match = _ZONE.match(name)
    return match.group(1) if match else (name or GLOBAL_REGION)


def location(name: Any) -> str:
    """The ``locations/<l>`` segment of a resource name, else ``global``."""
    parts = (text(name) or "").split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "locations":
            return parts[i + 1].lower()
    return GLOBAL_REGION


def region(value: Any) -> str:
    """A location or region as the API wrote it -> the record region (``ASIA-NORTHEAST3`` -> ``asia-northeast3``)."""
    return (text(value) or GLOBAL_REGION).lower()


def labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
