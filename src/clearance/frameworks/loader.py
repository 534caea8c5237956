"""Read framework files and validate them against the schema and the content pack.

Errors name the file, line and field: a compliance engineer adding the firm's own framework
must be able to fix it without reading code. Beyond the schema, a framework is checked for
duplicate requirement ids, unknown controls and checks, and honesty: a requirement classed
``automated`` or ``partial`` on a cloud must select at least one check of that cloud, and a
manual part must say what a person has to attest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engine.checks import CheckSet
from ..errors import InputFileError, UsageError
from ..yamlfile import LoadedYaml, PathKey, load_yaml_file, validate
from .model import Framework, Provenance, Requirement, RequirementClass

FRAMEWORKS_DIR = "frameworks"
_NEEDS_CHECKS = (RequirementClass.AUTOMATED, RequirementClass.PARTIAL)
_NEEDS_ATTESTATION = (RequirementClass.MANUAL, RequirementClass.PARTIAL)


def builtin_frameworks(checks: CheckSet) -> dict[str, Path]:
    """Framework id -> file, for the frameworks shipped in the content pack."""
    folder = checks.root / FRAMEWORKS_DIR
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def load_framework(ref: str | Path, checks: CheckSet) -> Framework:
    """Load a built-in framework by id, or a user's framework file by path."""
    builtin = builtin_frameworks(checks)
    if isinstance(ref, str) and ref in builtin:
        return load_framework_file(builtin[ref], checks, display=f"checks/{FRAMEWORKS_DIR}/{ref}.yaml", builtin=True)
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise UsageError(f"framework file {path}: no such file")
        return load_framework_file(path, checks)
    known = ", ".join(builtin) or "none"
    raise UsageError(f"unknown framework {str(ref)!r} (built-in: {known}; or give a path to a framework YAML file)")


def load_frameworks(checks: CheckSet, provider: str | None = None) -> list[Framework]:
    """Every built-in framework (that covers ``provider``, when given)."""
    out = [load_framework(fid, checks) for fid in builtin_frameworks(checks)]
    return [f for f in out if provider is None or provider in f.providers]


def load_framework_file(
    path: Path, checks: CheckSet, *, display: str | None = None, builtin: bool = False
) -> Framework:
    doc = load_yaml_file(path, display=display)
    validate(doc, "framework.schema.json")
    data = doc.data
    if builtin and data["framework"] != path.stem:
        raise InputFileError(
            doc.file, f"framework id {data['framework']!r} must match the file name", field="framework"
        )
    providers = tuple(data["providers"])
    requirements: list[Requirement] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(data["requirements"]):
        where: PathKey = ("requirements", i)
        if item["id"] in seen:
            raise InputFileError(
                doc.file,
                f"duplicate requirement id {item['id']!r} (first at line {seen[item['id']]})",
                line=doc.line_of((*where, "id")),
                field=f"requirements[{i}].id",
            )
        seen[item["id"]] = doc.line_of(where)
        requirements.append(_requirement(doc, where, item, providers, checks))
    return Framework(
        id=data["framework"],
        version=str(data["version"]),
        title=data["title"],
        publisher=data["publisher"],
        kind=data["kind"],
        source=data["source"],
        providers=providers,
        requirements=tuple(requirements),
        file=doc.file,
        jurisdiction=data.get("jurisdiction"),
        description=data.get("description"),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def _fail(doc: LoadedYaml, where: PathKey, key: str, message: str) -> InputFileError:
    return InputFileError(doc.file, message, line=doc.line_of((*where, key)), field=f"requirements[{where[1]}].{key}")


def _classes(doc: LoadedYaml, where: PathKey, raw: Any, providers: tuple[str, ...]) -> dict[str, RequirementClass]:
    if isinstance(raw, str):
        return {p: RequirementClass(raw) for p in providers}
    extra = sorted(set(raw) - set(providers))
    if extra:
        raise _fail(doc, where, "class", f"class given for {extra[0]!r}, which is not in the framework's providers")
    missing = [p for p in providers if p not in raw]
    if missing:
        raise _fail(doc, where, "class", f"no class for provider {missing[0]!r}")
    return {p: RequirementClass(raw[p]) for p in providers}


def _requirement(
    doc: LoadedYaml, where: PathKey, item: Mapping[str, Any], providers: tuple[str, ...], checks: CheckSet
) -> Requirement:
    classes = _classes(doc, where, item["class"], providers)
    controls = tuple(item.get("controls", ()))
    for control in controls:
        if control not in checks.controls:
            raise _fail(doc, where, "controls", f"unknown control id {control!r}")
    by_id = {c.id: c for c in checks.checks}
    explicit = tuple(item.get("checks", ()))
    for check_id in explicit:
        if check_id not in by_id:
            raise _fail(doc, where, "checks", f"unknown check id {check_id!r}")
    for provider, klass in classes.items():
        if klass in _NEEDS_CHECKS and not select_checks(explicit, controls, checks, provider):
            raise _fail(
                doc,
                where,
                "class",
                f"{item['id']} is {klass.value} on {provider}, but no {provider} check is selected by "
                f"{'its checks' if explicit else 'controls ' + (', '.join(controls) or '(none)')}: "
                "class it manual there, or map it to controls that have checks",
            )
        if klass in _NEEDS_ATTESTATION and "attestation" not in item:
            raise _fail(doc, where, "attestation", f"{item['id']} is {klass.value} on {provider}: say what to attest")
        if klass is RequirementClass.NOT_APPLICABLE and "note" not in item:
            raise _fail(doc, where, "note", f"{item['id']} is not_applicable on {provider}: the note must say why")
    prov = item.get("provenance")
    return Requirement(
        id=item["id"],
        title=item["title"],
        classes=classes,
        controls=controls,
        checks=explicit,
        section=item.get("section"),
        text=item.get("text"),
        provenance=Provenance(prov["confidence"], prov["source"]) if prov else None,
        attestation=item.get("attestation"),
        note=item.get("note"),
    )


def select_checks(explicit: tuple[str, ...], controls: tuple[str, ...], checks: CheckSet, provider: str) -> list[str]:
    """The checks of ``provider`` that decide a requirement: the explicit list, else those of its controls."""
    if explicit:
        wanted = set(explicit)
        return [c.id for c in checks.checks if c.provider == provider and c.id in wanted]
    mapped = set(controls)
    return [c.id for c in checks.checks if c.provider == provider and mapped.intersection(c.controls)]
