"""What the interchange formats (OSCAL, OCSF) share: stable identifiers and the scan's times.

Ids are UUID version 5 over a key of stable values, never random, so writing a report twice gives
the same bytes and a consumer can tell "the same finding again" from "a new finding". Keys that
include ``scan_key`` change with every scan (documents, observations, events); keys without it
stay the same across scans (a resource, a check on a resource), as OSCAL asks of per-subject ids.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import InputFileError
from ..frameworks.model import FindingRef
from .interface import ReportContext

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearance.dev/ns/reports")


def stable_uuid(*parts: str) -> str:
    """A version-5 UUID naming ``parts`` (joined with a separator no part contains)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def scan_key(ctx: ReportContext) -> str:
    """What makes one report unique: the scan (scope, times, content pack, profile) and the frameworks rendered."""
    scan = ctx.scan
    return json.dumps(
        [
            scan.get("provider"),
            scan.get("accounts"),
            scan.get("started"),
            scan.get("finished"),
            (scan.get("content_pack") or {}).get("sha256"),
            (scan.get("profile") or {}).get("sha256"),
            [[fw.framework.id, fw.framework.version, fw.framework.sha256] for fw in ctx.frameworks],
        ],
        sort_keys=True,
    )


def finding_key(finding: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """One check on one resource: (check, provider, account, region, resource id)."""
    res = finding["resource"]
    return (finding["check_id"], res["provider"], res["account"], res["region"], res["id"])


def ref_key(provider: str, ref: FindingRef) -> tuple[str, str, str, str, str]:
    """``finding_key`` of the finding a framework result points at."""
    return (ref.check_id, provider, ref.account, ref.region, ref.resource_id)


def scan_time(ctx: ReportContext, key: str) -> str:
    """``started`` or ``finished`` of the scan, checked to be an RFC 3339 UTC time (both formats require one)."""
    value = ctx.scan.get(key)
    try:
        datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise InputFileError(
            "scan.json", f"not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ): {value!r}", field=key
        ) from None
    return str(value)


def epoch_millis(timestamp: str) -> int:
    """Milliseconds since the Unix epoch of a ``scan_time`` value (OCSF ``timestamp_t``)."""
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1000
