"""Load the content pack: controls catalogue and one YAML file per check.

Every problem is reported with the file, line and field: a schema violation, an unknown
control id or resource type, a malformed condition, an unknown predicate or profile parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content import checks_dir
from ..errors import InputFileError, UsageError
from ..model import Severity, Verdict
from ..yamlfile import LoadedYaml, PathKey, load_yaml_file, validate
from .conditions import Compiler, ConditionError, Node
from .predicates import registry


@dataclass(frozen=True, slots=True)
class Precondition:
    when: Node
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class Check:
    """A compiled check, ready to evaluate."""

    id: str
    provider: str
    resource_type: str
    title: Mapping[str, str]
    severity: Severity
    controls: tuple[str, ...]
    rationale: Mapping[str, str]
    remediation: Mapping[str, str]
    preconditions: tuple[Precondition, ...]
    condition: Node | None
    manual: str | None
    file: str
    """Path relative to the content pack root."""
    references: tuple[str, ...] = ()
    operations: frozenset[str] = frozenset()
    """API operations whose responses the check reads (from its paths)."""
    parameters: frozenset[str] = frozenset()
    pass_reason: str | None = None
    fail_reason: str | None = None

    def summary_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "resource_type": self.resource_type,
            "title": dict(self.title),
            "severity": self.severity.value,
            "controls": list(self.controls),
            "manual": self.manual is not None,
            "parameters": sorted(self.parameters),
            "file": self.file,
        }


@dataclass(frozen=True)
class Control:
    """A control of the catalogue (checks/controls.yaml): what checks evidence and frameworks map to.

    Texts are keyed by language (``en``, ``ko``). Catalogue 2026.11, which old evidence packages may
    embed, has titles only: there ``objective`` and ``tests`` are empty.
    """

    id: str
    """Catalogue id, e.g. ``ENC-01``."""
    family: str
    """``encryption``, ``isolation``, ``logging`` or ``gen-ai``."""
    title: Mapping[str, str]
    """Short name of the control."""
    objective: Mapping[str, str] = field(default_factory=dict)
    """What the control achieves, in one or two sentences."""
    tests: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per cloud (``aws``, ``azure``, ``gcp``): what is tested there, naming the API fields."""
    legal: Mapping[str, str] = field(default_factory=dict)
    """Korean-law basis with its confidence tag ([C], [P], [U]); empty when none is known."""


def load_controls(root: Path | None = None) -> dict[str, Control]:
    base = root or checks_dir()
    doc = load_yaml_file(base / "controls.yaml", display="checks/controls.yaml")
    validate(doc, "controls.schema.json")
    out: dict[str, Control] = {}
    for i, item in enumerate(doc.data["controls"]):
        if item["id"] in out:
            raise InputFileError(doc.file, f"duplicate control id {item['id']!r}", line=doc.line_of(("controls", i)))
        out[item["id"]] = Control(
            item["id"],
            item["family"],
            item["title"],
            objective=item.get("objective", {}),
            tests=item.get("tests", {}),
            legal=item.get("legal", {}),
        )
    return out


_WHERE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _where_to_path(where: str) -> PathKey:
    return tuple(int(i) if i else name for name, i in _WHERE.findall(where))


def compile_check(
    doc: LoadedYaml,
    rel: str,
    *,
    controls: Mapping[str, Control],
    resource_types: frozenset[str] | None,
    profile_params: frozenset[str] | None,
) -> Check:
    validate(doc, "check.schema.json")
    data: dict[str, Any] = doc.data
    stem = Path(rel).stem
    if stem != data["id"]:
        raise InputFileError(doc.file, f"file name must equal the check id ({data['id']}.yaml)", line=1, field="id")
    for i, cid in enumerate(data["controls"]):
        if cid not in controls:
            raise InputFileError(
                doc.file,
                f"unknown control id {cid!r}",
                line=doc.line_of(("controls", i)),
                field=f"controls[{i}]",
            )
    if not data["resource_type"].startswith(data["provider"] + "."):
        raise InputFileError(
            doc.file,
            "resource_type must start with the provider",
            line=doc.line_of(("resource_type",)),
            field="resource_type",
        )
    if resource_types is not None and data["resource_type"] not in resource_types:
        raise InputFileError(
            doc.file,
            f"unknown resource type {data['resource_type']!r} for provider {data['provider']}",
            line=doc.line_of(("resource_type",)),
            field="resource_type",
        )
    compiler = Compiler(registry(), profile_params)
    try:
        pre = tuple(
            Precondition(compiler.compile(p["when"], f"preconditions[{i}].when"), Verdict(p["verdict"]), p["reason"])
            for i, p in enumerate(data.get("preconditions", []))
        )
        condition = compiler.compile(data["condition"], "condition") if "condition" in data else None
    except ConditionError as exc:
        path = _where_to_path(exc.where)
        raise InputFileError(doc.file, str(exc).split(": ", 1)[-1], line=doc.line_of(path), field=exc.where) from None
    return Check(
        id=data["id"],
        provider=data["provider"],
        resource_type=data["resource_type"],
        title=data["title"],
        severity=Severity(data["severity"]),
        controls=tuple(data["controls"]),
        rationale=data["rationale"],
        remediation=data["remediation"],
        preconditions=pre,
        condition=condition,
        manual=data.get("manual"),
        file=rel,
        references=tuple(data.get("references", [])),
        operations=frozenset(compiler.operations_used),
        parameters=frozenset(compiler.params_used),
        pass_reason=data.get("pass_reason"),
        fail_reason=data.get("fail_reason"),
    )


@dataclass(frozen=True)
class CheckSet:
    checks: tuple[Check, ...]
    controls: Mapping[str, Control]
    root: Path

    def by_type(self) -> dict[tuple[str, str], list[Check]]:
        out: dict[tuple[str, str], list[Check]] = {}
        for check in self.checks:
            out.setdefault((check.provider, check.resource_type), []).append(check)
        return out

    def get(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise UsageError(f"unknown check id {check_id!r}")


def load_checks(
    root: Path | None = None,
    *,
    providers: Sequence[str] = (),
    ids: Iterable[str] = (),
    resource_types: Mapping[str, frozenset[str]] | None = None,
    profile_params: frozenset[str] | None = None,
) -> CheckSet:
    """Load and compile every check under ``root`` (default: the installed content pack).

    ``resource_types`` (provider -> known types) and ``profile_params`` enable cross-checks
    against what providers produce and what the profile defines.
    """
    base = root or checks_dir()
    controls = load_controls(base)
    wanted = set(ids)
    checks: list[Check] = []
    seen: dict[str, str] = {}
    for provider_dir in sorted(p for p in base.iterdir() if p.is_dir() and p.name in ("aws", "azure", "gcp")):
        if providers and provider_dir.name not in providers:
            continue
        for path in sorted(provider_dir.rglob("*.yaml")):
            rel = path.relative_to(base).as_posix()
            doc = load_yaml_file(path, display=f"checks/{rel}")
            types = resource_types.get(provider_dir.name) if resource_types is not None else None
            check = compile_check(doc, rel, controls=controls, resource_types=types, profile_params=profile_params)
            if check.provider != provider_dir.name:
                raise InputFileError(
                    doc.file,
                    f"provider {check.provider!r} does not match folder {provider_dir.name!r}",
                    field="provider",
                )
            if check.id in seen:
                raise InputFileError(
                    doc.file, f"duplicate check id {check.id!r} (also in {seen[check.id]})", field="id"
                )
            seen[check.id] = doc.file
            if not wanted or check.id in wanted:
                checks.append(check)
    missing = wanted - {c.id for c in checks}
    if missing:
        raise UsageError(f"unknown check id(s): {', '.join(sorted(missing))}")
    checks.sort(key=lambda c: c.id)
    return CheckSet(tuple(checks), controls, base)
