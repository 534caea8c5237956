"""OSCAL 1.2.3 assessment plan and assessment results, for GRC tools and regulators that read NIST OSCAL.

Two files, because an assessment-results document must import a plan (``import-ap``) and clearance
has no separate planning step: ``assessment-plan.oscal.json`` is generated from the scan's own scope
(accounts, regions, filters, the tool, the controls and framework requirements reviewed), and
``assessment-results.oscal.json`` holds one result for the scan:

- one observation per finding (method TEST, subject = the resource as an inventory item, evidence =
  the finding in ``findings.json`` and the raw API responses the check read);
- one risk per FAIL finding (status ``open``), or per finding an exception muted (``deviation-approved``);
- one OSCAL finding per framework requirement result. OSCAL knows only ``satisfied`` and
  ``not-satisfied``; only clearance's ``satisfied`` becomes ``satisfied``. Every other status (partly,
  manual_pending, not_evaluated, not_applicable) is ``not-satisfied`` with reason ``other``, and the
  exact clearance status is in the ``status`` property: a consumer never reads a claim we did not make.

Links are RFC 3986 references relative to the document, which sits in ``evidence/report/`` of the
package next to ``findings.json``: ``findings.json``, ``../raw/<provider>/...`` and
``assessment-plan.oscal.json``. ``package_path`` resolves one to its package entry name.

The inventory, observations and risks are streamed from ``findings.json`` (one pass each, one item
a line, see ``jsonstream``), so 50,000 findings never exist as OSCAL objects at once; only the
framework results and one small tuple per resource are held in memory.

Schema: NIST's OSCAL 1.2.3 JSON schemas, vendored in ``schemas/vendor/oscal/1.2.3``.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from ..errors import UsageError
from ..evidence import layout
from ..frameworks.model import FrameworkResult, RequirementResult, RequirementStatus
from ..model import CollectionError
from . import jsonstream
from .interchange import finding_key, ref_key, scan_key, scan_time, stable_uuid
from .interface import ReportContext, ReportFormat
from .output import atomic_open

OSCAL_VERSION = "1.2.3"
NS = "https://clearance.dev/ns/oscal"
"""Namespace of every property clearance defines (OSCAL reserves the default one for its own names)."""
PLAN_FILE = "assessment-plan.oscal.json"
RESULTS_FILE = "assessment-results.oscal.json"
FINDINGS_HREF = "findings.json"
RAW_PREFIX = "../"
"""From ``evidence/report/`` to the package's ``evidence/`` (scan-directory paths such as ``raw/...`` follow)."""

_RISKY = {"FAIL"}
_UNSAFE_TOKEN_CHAR = re.compile(r"[^A-Za-z0-9.-]")


def package_path(href: str) -> str:
    """The package entry an href of these documents names (they live in ``evidence/report/``)."""
    return posixpath.normpath(posixpath.join(layout.REPORT, unquote(href)))


def requirement_token(framework: str, requirement: str) -> str:
    """An OSCAL token for a framework requirement: ``<framework>_<requirement>``.

    Tokens allow letters, digits, ``.``, ``-`` and ``_`` only and start with a letter or ``_``;
    other characters of a requirement id become ``_`` plus two hex digits. Framework and
    requirement ids never contain ``_``, so the token names exactly one requirement.
    """
    quoted = _UNSAFE_TOKEN_CHAR.sub(lambda m: f"_{ord(m.group()):02x}", requirement)
    token = f"{framework}_{quoted}"
    return token if token[0].isalpha() else f"_{token}"


def _line(text: object) -> str:
    """One line of text without surrounding space (OSCAL strings and markup-line forbid more)."""
    return " ".join(str(text).split())


def _props(*pairs: tuple[str, object]) -> list[dict[str, str]]:
    """clearance properties for the non-empty values (a value may be a list: one property each)."""
    out = []
    for name, value in pairs:
        for item in value if isinstance(value, list | tuple) else [value]:
            text = "" if item is None else _line(item)
            if text:
                out.append({"name": name, "ns": NS, "value": text})
    return out


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values and empty lists: OSCAL arrays must have at least one item."""
    return {k: v for k, v in obj.items() if v is not None and v != []}


def _en(text: Mapping[str, str] | None) -> str | None:
    return text.get("en") if text else None


def _risk_status(verdict: str, underlying: str | None) -> str | None:
    """OSCAL risk status of a finding, or None when it bears no risk."""
    if verdict in _RISKY:
        return "open"
    if verdict == "MUTED" and underlying in _RISKY:
        return "deviation-approved"
    return None


def _target_status(status: RequirementStatus) -> dict[str, str]:
    if status is RequirementStatus.SATISFIED:
        return {"state": "satisfied", "reason": "pass"}
    reason = "fail" if status is RequirementStatus.NOT_SATISFIED else "other"
    return {"state": "not-satisfied", "reason": reason}


class _Assessment:
    """Ids, times and shared parts of the two documents for one report context."""

    def __init__(self, ctx: ReportContext):
        self.ctx = ctx
        self.key = scan_key(ctx)
        self.started = scan_time(ctx, "started")
        self.finished = scan_time(ctx, "finished")
        scan = ctx.scan
        self.provider = str(scan.get("provider") or ctx.results.provider)
        self.accounts = [str(a) for a in scan.get("accounts") or []]
        self.version = str((scan.get("tool") or {}).get("version", "unknown"))
        self.tool_uuid = stable_uuid("tool", "clearance", self.version)
        self.origins = [{"actors": [{"type": "tool", "actor-uuid": self.tool_uuid}]}]
        self.doc_version = "scan-" + re.sub(r"[^0-9TZ]", "", self.finished)
        profile = scan.get("profile") or {}
        pack = scan.get("content_pack") or {}
        self.scan_props = _props(
            ("provider", self.provider),
            ("account", self.accounts),
            ("tool-version", self.version),
            ("profile", profile.get("id")),
            ("profile-version", profile.get("version")),
            ("profile-sha256", profile.get("sha256")),
            ("content-pack-sha256", pack.get("sha256")),
        )

    def uuid(self, kind: str, *parts: str) -> str:
        """A per-report id (changes with the scan)."""
        return stable_uuid(kind, self.key, *parts)

    def metadata(self, title: str) -> dict[str, Any]:
        return {
            "title": f"{title}: {self.provider} {' '.join(self.accounts)}".strip(),
            "last-modified": self.finished,
            "version": self.doc_version,
            "oscal-version": OSCAL_VERSION,
            "props": self.scan_props,
        }

    @cached_property
    def reviewed_controls(self) -> dict[str, Any]:
        """The clearance controls the scan's checks evaluate, and every framework requirement rendered."""
        checks = self.ctx.checks
        in_scope = {e["check_id"] for e in self.ctx.coverage()}
        controls = sorted({c for check_id in in_scope if check_id in checks for c in checks[check_id].controls})
        selections = []
        if controls:
            selections.append(
                {
                    "description": "clearance controls (checks/controls.yaml) that the scan's checks evaluate.",
                    "props": _props(("catalog", "clearance-controls")),
                    "include-controls": [{"control-id": c} for c in controls],
                }
            )
        for fw in self.ctx.frameworks:
            if fw.results:
                selections.append(_framework_selection(fw))
        if not selections:
            raise UsageError("an OSCAL assessment needs at least one reviewed control, and this scan evaluated none")
        return {
            "description": "Controls and framework requirements this scan assessed.",
            "control-selections": selections,
        }


def _framework_selection(fw: FrameworkResult) -> dict[str, Any]:
    framework = fw.framework
    return {
        "description": f"{_line(framework.title['en'])} ({framework.id} {framework.version}).",
        "props": _props(("framework", framework.id), ("framework-version", framework.version)),
        "include-controls": [{"control-id": requirement_token(framework.id, r.requirement.id)} for r in fw.results],
    }


# --- assessment plan ---------------------------------------------------------------------------


def plan_document(a: _Assessment) -> dict[str, Any]:
    """The minimal plan the results import: scope, tool, reviewed controls; the SSP is a placeholder."""
    scan = a.ctx.scan
    scope = scan.get("scope") or {}
    no_ssp = a.uuid("no-ssp")
    accounts = [
        {
            "uuid": stable_uuid("account", a.provider, account),
            "type": "resource-container",
            "title": f"{a.provider} account {account}",
            "description": f"Cloud account, subscription or project `{account}` in the scan's scope.",
            "props": _props(("provider", a.provider), ("account", account)),
            "status": {"state": "operational"},
        }
        for account in a.accounts
    ]
    if accounts:
        subject: dict[str, Any] = {
            "include-subjects": [{"subject-uuid": c["uuid"], "type": "component"} for c in accounts]
        }
    else:
        subject = {"include-all": {}, "remarks": "The scan recorded no account; every resource it found is in scope."}
    pack = scan.get("content_pack") or {}
    profile = scan.get("profile") or {}
    activity = {
        "uuid": a.uuid("activity"),
        "title": "Automated cloud configuration scan",
        "description": (
            "Read-only API calls list and describe the resources in scope; the checks of the content pack "
            f"(sha256 {pack.get('sha256', 'unknown')}) evaluate them with profile {profile.get('id', 'unknown')} "
            f"{profile.get('version', '')}. Missing or denied data gives ERROR or NEEDS_CONTEXT, never PASS."
        ),
        "props": _props(("method", "TEST")),
    }
    return {
        "assessment-plan": _compact(
            {
                "uuid": a.uuid("assessment-plan"),
                "metadata": a.metadata("clearance assessment plan"),
                "import-ssp": {
                    "href": f"#{no_ssp}",
                    "remarks": (
                        "Placeholder required by OSCAL: there is no system security plan. The back-matter "
                        "resource it points to says so; the scope is in local-definitions and assessment-subjects."
                    ),
                },
                "local-definitions": _compact({"components": accounts, "activities": [activity]}),
                "reviewed-controls": a.reviewed_controls,
                "assessment-subjects": [
                    _compact(
                        {
                            "type": "component",
                            "description": "The cloud accounts (subscriptions, projects) the scan covered.",
                            "props": _props(
                                ("provider", a.provider),
                                ("region", scan.get("regions") or []),
                                ("scope-service", scope.get("services") or []),
                                ("scope-tag", scope.get("tags") or []),
                                ("scope-exclude", scope.get("exclude") or []),
                                ("scope-exclude-region", scope.get("exclude_regions") or []),
                            ),
                            **subject,
                        }
                    )
                ],
                "assessment-assets": {
                    "components": [
                        {
                            "uuid": a.tool_uuid,
                            "type": "software",
                            "title": f"clearance {a.version}",
                            "description": "clearance: read-only cloud posture scanner and evidence packager.",
                            "props": _props(("tool-version", a.version)),
                            "status": {"state": "operational"},
                        }
                    ],
                    "assessment-platforms": [
                        {
                            "uuid": stable_uuid("platform", "clearance", a.version),
                            "title": "clearance",
                            "uses-components": [{"component-uuid": a.tool_uuid}],
                        }
                    ],
                },
                "back-matter": {
                    "resources": [
                        {
                            "uuid": no_ssp,
                            "title": "No system security plan",
                            "description": (
                                "clearance assesses cloud configuration directly; it does not import an OSCAL "
                                "system security plan. The assessment plan's local definitions describe the scope."
                            ),
                        }
                    ]
                },
            }
        )
    }


# --- assessment results ------------------------------------------------------------------------


def _inventory(a: _Assessment) -> Iterator[dict[str, Any]]:
    """One inventory item per resource with a finding, by id (ids stay the same across scans)."""
    resources: dict[str, tuple[str, ...]] = {}
    for f in a.ctx.iter_findings():
        res = f["resource"]
        resources.setdefault(
            _resource_uuid(f), (res["provider"], res["account"], res["region"], res["type"], res["id"], res["name"])
        )
    for item_uuid in sorted(resources):
        provider, account, region, kind, resource_id, name = resources[item_uuid]
        yield {
            "uuid": item_uuid,
            "description": f"{kind} `{name}` ({resource_id})",
            "props": _props(
                ("provider", provider),
                ("account", account),
                ("region", region),
                ("resource-type", kind),
                ("resource-id", resource_id),
                ("resource-name", name),
            ),
        }


def _resource_uuid(finding: Mapping[str, Any]) -> str:
    return stable_uuid("resource", *finding_key(finding)[1:])


def _evidence(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The finding itself, then each raw API response (file and line) the check read, once each."""
    out: list[dict[str, Any]] = [
        {
            "href": FINDINGS_HREF,
            "description": "The finding as recorded: its entry in findings.json (this check, this resource).",
        }
    ]
    pointers: dict[tuple[str, int | None], list[str]] = {}
    for seen in f.get("observed") or []:
        source = seen.get("source")
        if source and source.get("file"):
            pointers.setdefault((source["file"], source.get("line")), []).append(source.get("pointer") or "")
    for (file, line), where in pointers.items():
        out.append(
            {
                "href": RAW_PREFIX + quote(file),
                "description": "Raw API response the check evaluated (the line and JSON pointers say where).",
                "props": _props(("line", line), ("json-pointer", sorted(set(where)))),
            }
        )
    return out


def _observation(a: _Assessment, f: Mapping[str, Any]) -> dict[str, Any]:
    res = f["resource"]
    exception = f.get("exception") or {}
    error = f.get("error")
    return _compact(
        {
            "uuid": a.uuid("observation", *finding_key(f)),
            "title": _line(f"{f.get('title') or f['check_id']}: {res['name']}"),
            "description": f["reason"],
            "props": _props(
                ("check-id", f["check_id"]),
                ("verdict", f["verdict"]),
                ("underlying-verdict", f.get("underlying_verdict")),
                ("severity", f["severity"]),
                ("control-id", f["control_ids"]),
                ("exception-id", exception.get("id")),
                ("exception-status", exception.get("status")),
            ),
            "methods": ["TEST"],
            "types": ["control-objective", "finding"] if f["verdict"] in _RISKY else ["control-objective"],
            "origins": a.origins,
            "subjects": [{"subject-uuid": _resource_uuid(f), "type": "inventory-item"}],
            "relevant-evidence": _evidence(f),
            "collected": a.finished,
            "remarks": CollectionError.from_json(error).describe() if error else None,
        }
    )


def _risk(a: _Assessment, f: Mapping[str, Any], status: str) -> dict[str, Any]:
    check = a.ctx.checks.get(f["check_id"])
    key = finding_key(f)
    remediation = _en(check.remediation) if check else None
    exception = f.get("exception") or {}
    return _compact(
        {
            "uuid": a.uuid("risk", *key),
            "title": _line(f"{f.get('title') or f['check_id']}: {f['resource']['name']}"),
            "description": f["reason"],
            "statement": (_en(check.rationale) if check else None) or f["reason"],
            "props": _props(
                ("check-id", f["check_id"]),
                ("severity", f["severity"]),
                ("resource-id", f["resource"]["id"]),
                ("exception-id", exception.get("id")),
                ("exception-status", exception.get("status")),
            ),
            "status": status,
            "origins": a.origins,
            "remediations": [
                {
                    "uuid": a.uuid("remediation", *key),
                    "lifecycle": "recommendation",
                    "title": "Recommended remediation",
                    "description": remediation,
                }
            ]
            if remediation
            else None,
            "related-observations": [{"observation-uuid": a.uuid("observation", *key)}],
        }
    )


def _observations(a: _Assessment) -> Iterator[dict[str, Any]]:
    return (_observation(a, f) for f in a.ctx.iter_findings())


def _risks(a: _Assessment) -> Iterator[dict[str, Any]]:
    for f in a.ctx.iter_findings():
        status = _risk_status(f["verdict"], f.get("underlying_verdict"))
        if status:
            yield _risk(a, f, status)


def _finding(a: _Assessment, fw: FrameworkResult, r: RequirementResult) -> dict[str, Any]:
    framework, req = fw.framework, r.requirement
    keys = [ref_key(fw.provider, ref) for ref in r.findings]
    risky = [ref_key(fw.provider, ref) for ref in r.findings if _risk_status(ref.verdict, ref.underlying_verdict)]
    title_ko, reason_ko = req.title.get("ko"), r.reason.get("ko")
    return _compact(
        {
            "uuid": a.uuid("finding", framework.id, req.id),
            "title": _line(req.title["en"]),
            "description": r.reason["en"],
            "props": _props(
                ("framework", framework.id),
                ("framework-version", framework.version),
                ("requirement-id", req.id),
                ("status", r.status.value),
                ("class", r.klass.value),
                ("confidence", req.provenance.confidence if req.provenance else None),
                ("check-id", list(r.checks)),
                *((f"verdict-{verdict.lower()}", count) for verdict, count in sorted(r.verdicts.items())),
                ("findings-total", r.findings_total),
                ("attestation-id", list(r.attestations)),
                ("exception-id", list(r.exceptions)),
                ("uncovered-control", list(r.uncovered_controls)),
            ),
            "origins": a.origins,
            "target": {
                "type": "objective-id",
                "target-id": requirement_token(framework.id, req.id),
                "status": _target_status(r.status),
            },
            "related-observations": [{"observation-uuid": a.uuid("observation", *k)} for k in keys],
            "related-risks": [{"risk-uuid": a.uuid("risk", *k)} for k in risky],
            "remarks": f"{title_ko}\n\n{reason_ko}" if title_ko and reason_ko else None,
        }
    )


def _result(a: _Assessment) -> dict[str, Any]:
    summary = a.ctx.summary
    verdicts = summary.get("verdicts") or {}
    complete = summary.get("complete")
    findings = [_finding(a, fw, r) for fw in a.ctx.frameworks for r in fw.results]
    return _compact(
        {
            "uuid": a.uuid("result"),
            "title": f"clearance scan of {a.provider} {' '.join(a.accounts)}".strip(),
            "description": (
                f"{summary.get('findings', 0)} findings on {summary.get('resources', 0)} resources from "
                f"{summary.get('checks', 0)} checks; coverage {'complete' if complete else 'INCOMPLETE'}."
            ),
            "start": a.started,
            "end": a.finished,
            "props": _props(
                ("coverage-complete", "true" if complete else "false"),
                *((f"verdict-{v.lower()}", n) for v, n in sorted(verdicts.items())),
            ),
            "local-definitions": _compact({"inventory-items": jsonstream.placeholder("inventory-items", _inventory(a))})
            or None,
            "reviewed-controls": a.reviewed_controls,
            "observations": jsonstream.placeholder("observations", _observations(a)),
            "risks": jsonstream.placeholder("risks", _risks(a)),
            "findings": findings,
            "remarks": None
            if complete
            else "Coverage is incomplete: some checks could not be evaluated (see coverage.json).",
        }
    )


def results_document(a: _Assessment) -> dict[str, Any]:
    """The assessment results; inventory, observations and risks are placeholders ``jsonstream.write`` fills."""
    return {
        "assessment-results": {
            "uuid": a.uuid("assessment-results"),
            "metadata": a.metadata("clearance assessment results"),
            "import-ap": {
                "href": PLAN_FILE,
                "remarks": "The plan generated with these results from the same scan (same directory).",
            },
            "results": [_result(a)],
        }
    }


class OscalReport(ReportFormat):
    name: ClassVar[str] = "oscal"
    description: ClassVar[str] = f"OSCAL {OSCAL_VERSION} assessment plan and results ({PLAN_FILE}, {RESULTS_FILE})"

    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        assessment = _Assessment(ctx)
        plan, results = out_dir / PLAN_FILE, out_dir / RESULTS_FILE
        with atomic_open(plan) as fh:
            json.dump(plan_document(assessment), fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        with atomic_open(results) as fh:
            jsonstream.write(fh, results_document(assessment))
        return [plan, results]
