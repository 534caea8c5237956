"""OCSF 1.8.0 events for SIEMs and security data lakes: one JSON object a line.

- ``findings.ocsf.jsonl``: one Detection Finding (class 2004) per finding, every verdict included.
  ``status_code`` is the verdict (PASS, FAIL, ERROR, ...), ``status_detail`` the reason;
  ``severity_id`` is the check's severity, so a consumer filters on ``status_code``, as with other
  posture tools' OCSF output. A finding an exception muted (``status_code`` MUTED, the underlying
  verdict in ``unmapped``) gets ``status_id`` Suppressed; every other finding is New.
- ``compliance.ocsf.jsonl``: one Compliance Finding (class 2003) per framework requirement result.
  ``compliance.status_id``: satisfied -> Pass, not_satisfied -> Fail, partly / manual_pending /
  not_evaluated -> Warning ("no result due to missing information"), not_applicable -> Other;
  ``compliance.status_code`` is clearance's status.

Events use the ``cloud`` profile. ``finding_info.uid`` stays the same across scans (the same check
on the same resource, the same requirement), so a consumer can follow a finding over time;
``metadata.uid`` is new for every scan. Evidence paths are package entry names (``evidence/raw/...``).
Schema: generated from the official OCSF 1.8.0 export, vendored in ``schemas/vendor/ocsf/1.8.0``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..evidence import layout
from ..frameworks.model import FrameworkResult, RequirementResult, RequirementStatus
from .interchange import epoch_millis, finding_key, scan_key, scan_time, stable_uuid
from .interface import ReportContext, ReportFormat
from .output import atomic_open

OCSF_VERSION = "1.8.0"
PROFILES = ("cloud",)
FINDINGS_FILE = "findings.ocsf.jsonl"
COMPLIANCE_FILE = "compliance.ocsf.jsonl"

_CREATE = {"activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings"}
_DETECTION = {"class_uid": 2004, "class_name": "Detection Finding", "type_uid": 200401}
_COMPLIANCE = {"class_uid": 2003, "class_name": "Compliance Finding", "type_uid": 200301}
_SEVERITY = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
_SEVERITY_NAME = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
_COMPLIANCE_STATUS = {
    RequirementStatus.SATISFIED: (1, "Pass"),
    RequirementStatus.NOT_SATISFIED: (3, "Fail"),
    RequirementStatus.PARTLY: (2, "Warning"),
    RequirementStatus.MANUAL_PENDING: (2, "Warning"),
    RequirementStatus.NOT_EVALUATED: (2, "Warning"),
    RequirementStatus.NOT_APPLICABLE: (99, "Not Applicable"),
}
_PROVIDER = {"aws": "AWS", "azure": "Azure", "gcp": "GCP"}
_ACCOUNT_TYPE = {"aws": (10, "AWS Account"), "gcp": (11, "GCP Project"), "azure": (13, "Azure Subscription")}


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values and empty lists and objects (OCSF omits what it does not know)."""
    return {k: v for k, v in obj.items() if v is not None and v not in ([], {})}


def _en(text: Mapping[str, str] | None) -> str | None:
    return text.get("en") if text else None


class _Events:
    """What every event of one report shares: time, metadata, cloud."""

    def __init__(self, ctx: ReportContext):
        self.ctx = ctx
        self.key = scan_key(ctx)
        self.time = epoch_millis(scan_time(ctx, "finished"))
        self.provider = str(ctx.scan.get("provider") or ctx.results.provider)
        self.product = {
            "name": "clearance",
            "vendor_name": "clearance",
            "version": str((ctx.scan.get("tool") or {}).get("version", "unknown")),
        }

    def metadata(self, uid: str, event_code: str) -> dict[str, Any]:
        return {
            "version": OCSF_VERSION,
            "profiles": list(PROFILES),
            "product": self.product,
            "uid": uid,
            "event_code": event_code,
        }

    def cloud(self, account: str | None, region: str | None = None) -> dict[str, Any]:
        type_id, type_name = _ACCOUNT_TYPE.get(self.provider, (99, "Other"))
        return _compact(
            {
                "provider": _PROVIDER.get(self.provider, self.provider),
                "account": {"uid": account, "type_id": type_id, "type": type_name} if account else None,
                "region": region,
            }
        )


def _evidences(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the check read, each as evidence ``data``; the source file as its package entry name."""
    out = []
    for seen in f.get("observed") or []:
        data = dict(seen)
        source = seen.get("source")
        if source and source.get("file"):
            data["source"] = {**source, "file": layout.EVIDENCE + source["file"]}
        out.append(_compact({"name": seen.get("path"), "data": data}))
    return out


def detection_finding(ev: _Events, f: Mapping[str, Any]) -> dict[str, Any]:
    """The Detection Finding (2004) for one finding."""
    res = f["resource"]
    key = finding_key(f)
    check = ev.ctx.checks.get(f["check_id"])
    muted = f["verdict"] == "MUTED"
    severity_id = _SEVERITY.get(f["severity"], 0)
    controls = ev.ctx.controls
    return _compact(
        {
            **_CREATE,
            **_DETECTION,
            "type_name": "Detection Finding: Create",
            "time": ev.time,
            "severity_id": severity_id,
            "severity": _SEVERITY_NAME[severity_id],
            "status_id": 3 if muted else 1,
            "status": "Suppressed" if muted else "New",
            "status_code": f["verdict"],
            "status_detail": f["reason"],
            "message": f["reason"],
            "metadata": ev.metadata(stable_uuid("ocsf-detection", ev.key, *key), f["check_id"]),
            "finding_info": _compact(
                {
                    "uid": stable_uuid("finding", *key),
                    "title": f.get("title") or f["check_id"],
                    "desc": _en(check.rationale) if check else None,
                    "types": sorted({controls[c].family for c in f["control_ids"] if c in controls}),
                    "created_time": ev.time,
                }
            ),
            "cloud": ev.cloud(res["account"], res["region"]),
            "resources": [
                _compact(
                    {
                        "uid": res["id"],
                        "name": res["name"],
                        "type": res["type"],
                        "region": res["region"],
                        "tags": [{"name": k, "value": str(v)} for k, v in sorted((res.get("tags") or {}).items())],
                    }
                )
            ],
            "evidences": _evidences(f),
            "remediation": {"desc": _en(check.remediation)} if check and _en(check.remediation) else None,
            "unmapped": _compact(
                {
                    "control_ids": list(f["control_ids"]),
                    "underlying_verdict": f.get("underlying_verdict"),
                    "exception": f.get("exception"),
                    "attestation": f.get("attestation"),
                    "error": f.get("error"),
                }
            ),
        }
    )


def _requirement_severity(ev: _Events, r: RequirementResult) -> int:
    """The worst severity among the failing checks; Informational when nothing failed, Unknown when not evaluated."""
    if r.status is RequirementStatus.NOT_EVALUATED:
        return 0
    failing = [
        ev.ctx.checks[ref.check_id].severity.value
        for ref in r.findings
        if ref.verdict == "FAIL" and ref.check_id in ev.ctx.checks
    ]
    return max((_SEVERITY[s] for s in failing), default=1)


def compliance_finding(ev: _Events, fw: FrameworkResult, r: RequirementResult) -> dict[str, Any]:
    """The Compliance Finding (2003) for one framework requirement result."""
    framework, req = fw.framework, r.requirement
    status_id, status = _COMPLIANCE_STATUS[r.status]
    severity_id = _requirement_severity(ev, r)
    accounts = ev.ctx.scan.get("accounts") or []
    checks = ev.ctx.checks
    pending = r.status in (RequirementStatus.MANUAL_PENDING, RequirementStatus.PARTLY)
    return _compact(
        {
            **_CREATE,
            **_COMPLIANCE,
            "type_name": "Compliance Finding: Create",
            "time": ev.time,
            "severity_id": severity_id,
            "severity": _SEVERITY_NAME[severity_id],
            "status_id": 1,
            "status": "New",
            "status_code": r.status.value,
            "status_detail": r.reason["en"],
            "message": r.reason["en"],
            "metadata": ev.metadata(stable_uuid("ocsf-compliance", ev.key, framework.id, req.id), framework.id),
            "finding_info": _compact(
                {
                    "uid": stable_uuid("requirement", framework.id, req.id),
                    "title": req.title["en"],
                    "desc": _en(req.text),
                    "types": [framework.kind],
                    "created_time": ev.time,
                }
            ),
            "compliance": _compact(
                {
                    "standards": [framework.id],
                    "requirements": [req.id],
                    "control": req.id,
                    "category": _en(req.section),
                    "desc": _en(req.text),
                    "status_id": status_id,
                    "status": status,
                    "status_code": r.status.value,
                    "status_details": [r.reason["en"]],
                    "checks": [
                        _compact({"uid": c, "name": _en(checks[c].title) if c in checks else None}) for c in r.checks
                    ],
                }
            ),
            "cloud": ev.cloud(str(accounts[0]) if len(accounts) == 1 else None),
            "resources": [{"uid": ref.resource_id, "region": ref.region} for ref in r.findings],
            "remediation": {"desc": req.attestation["en"]} if pending and req.attestation else None,
            "unmapped": _compact(
                {
                    "framework": framework.summary_json(),
                    "requirement_class": r.klass.value,
                    "controls": list(req.controls),
                    "verdicts": dict(sorted(r.verdicts.items())),
                    "coverage": dict(sorted(r.coverage.items())),
                    "findings": [ref.to_json() for ref in r.findings],
                    "findings_total": r.findings_total,
                    "uncovered_controls": list(r.uncovered_controls),
                    "attestations": list(r.attestations),
                    "expired_attestations": list(r.expired_attestations),
                    "exceptions": list(r.exceptions),
                    "title_ko": req.title.get("ko"),
                    "reason_ko": r.reason.get("ko"),
                }
            ),
        }
    )


def _write_lines(path: Path, events: Iterable[dict[str, Any]]) -> Path:
    with atomic_open(path) as fh:
        for event in events:
            fh.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
    return path


def _detections(ev: _Events) -> Iterator[dict[str, Any]]:
    return (detection_finding(ev, f) for f in ev.ctx.iter_findings())


class OcsfReport(ReportFormat):
    name: ClassVar[str] = "ocsf"
    description: ClassVar[str] = (
        f"OCSF {OCSF_VERSION} Detection and Compliance Findings ({FINDINGS_FILE}, {COMPLIANCE_FILE})"
    )

    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        ev = _Events(ctx)
        compliance = (compliance_finding(ev, fw, r) for fw in ctx.frameworks for r in fw.results)
        return [
            _write_lines(out_dir / FINDINGS_FILE, _detections(ev)),
            _write_lines(out_dir / COMPLIANCE_FILE, compliance),
        ]
