"""Regulatory profile: the numbers a check compares against, and how data classes raise them.

A profile is a schema-validated YAML file. The built-in ``kr-fss`` profile carries the
Korean defaults of ../shared/controls.md §3; a user's profile ``extends`` it and overrides
any value. Parameters that depend on the data a resource holds (access-record retention is
1 year, or 2 years with >= 50,000 data subjects or unique-ID/sensitive data) resolve per
resource from its data-class tags, falling back to the workload declaration. When neither
says, the value is a :class:`ContextRange` and comparisons that it cannot decide become
NEEDS_CONTEXT, never PASS.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content import checks_dir
from .errors import InputFileError, UsageError
from .yamlfile import load_yaml_file, validate

BUILTIN_DEFAULT = "kr-fss"


@dataclass(frozen=True, slots=True)
class ContextRange:
    """A parameter whose value depends on a data class nobody declared."""

    base: Any
    elevated: Any
    reason: str


@dataclass(frozen=True, slots=True)
class DataContext:
    """What is known of the data a resource holds."""

    classes: frozenset[str] | None
    subjects: int | None
    source: str
    """``tags``, ``workload`` or ``unknown``: where the information came from."""


@dataclass(frozen=True)
class Profile:
    """A resolved profile (after ``extends``), ready for parameter look-ups."""

    id: str
    version: str
    description: str
    parameters: dict[str, dict[str, Any]]
    data_classes: dict[str, Any]
    workload: dict[str, Any]
    source: str
    document: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.document, sort_keys=True).encode()).hexdigest()

    def has(self, name: str) -> bool:
        return name in self.parameters

    # -- data classes -------------------------------------------------------------------
    def data_context(self, tags: dict[str, str]) -> DataContext:
        dc = self.data_classes
        raw_classes = tags.get(dc["class_tag"])
        raw_subjects = tags.get(dc["subjects_tag"])
        if raw_classes is not None or raw_subjects is not None:
            classes = None
            if raw_classes is not None:
                classes = frozenset(p.strip().lower() for p in raw_classes.replace(",", " ").split() if p.strip())
            return DataContext(classes, _parse_subjects(raw_subjects), "tags")
        wl_classes = self.workload.get("data_classes")
        wl_subjects = self.workload.get("pi_subjects")
        if wl_classes is not None or wl_subjects is not None:
            classes = frozenset(c.lower() for c in wl_classes) if wl_classes is not None else None
            return DataContext(classes, wl_subjects, "workload")
        return DataContext(None, None, "unknown")

    def is_elevated(self, ctx: DataContext) -> bool | None:
        """True/False when decidable; None when the data class or subject count is unknown."""
        dc = self.data_classes
        if ctx.classes is not None and ctx.classes & set(dc["elevated_classes"]):
            return True
        if ctx.subjects is not None and ctx.subjects >= dc["elevated_subjects"]:
            return True
        if ctx.classes is not None and ctx.subjects is not None:
            return False
        if ctx.classes is not None and "none" in ctx.classes:
            return False
        return None

    def is_regulated(self, ctx: DataContext) -> bool | None:
        """Whether the resource holds data subject to residency rules (None: unknown)."""
        if ctx.classes is None:
            return None
        return bool(ctx.classes & set(self.data_classes["regulated_classes"]))

    # -- parameters ----------------------------------------------------------------------
    def value(self, name: str, *, provider: str | None = None, tags: dict[str, str] | None = None) -> Any:
        """The parameter for a resource: a plain value, or a :class:`ContextRange`."""
        try:
            spec = self.parameters[name]
        except KeyError:
            raise UsageError(f"profile {self.id!r} has no parameter {name!r}") from None
        base = self._by_provider(spec, spec["value"], provider)
        if "elevated" not in spec:
            return base
        elevated = self._by_provider(spec, spec["elevated"], provider)
        ctx = self.data_context(tags or {})
        decision = self.is_elevated(ctx)
        if decision is True:
            return elevated
        if decision is False:
            return base
        keys = f"{self.data_classes['class_tag']!r}/{self.data_classes['subjects_tag']!r}"
        return ContextRange(
            base,
            elevated,
            f"{name} is {base} or {elevated} depending on the data class; no {keys} tag on the resource "
            "and no workload data class in the profile",
        )

    def _by_provider(self, spec: dict[str, Any], value: Any, provider: str | None) -> Any:
        if not spec.get("by_provider"):
            return value
        if provider is None or provider not in value:
            raise UsageError(f"profile {self.id!r} parameter has no value for provider {provider!r}")
        return value[provider]


def _parse_subjects(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw.replace(",", "").replace("_", "").strip())
    except ValueError:
        return None


def builtin_profiles() -> dict[str, Path]:
    return {p.stem: p for p in sorted((checks_dir() / "profiles").glob("*.yaml"))}


def _load_document(path: Path, display: str) -> dict[str, Any]:
    doc = load_yaml_file(path, display=display)
    validate(doc, "profile.schema.json")
    data: dict[str, Any] = doc.data
    return data


def load_profile(ref: str | Path | None = None) -> Profile:
    """Load a built-in profile by id, or a user's file (which may extend a built-in)."""
    builtins = builtin_profiles()
    if ref is None:
        ref = BUILTIN_DEFAULT
    if isinstance(ref, str) and ref in builtins:
        path, display = builtins[ref], f"profile:{ref}"
    else:
        path = Path(ref)
        display = str(ref)
        if not path.is_file():
            known = ", ".join(sorted(builtins))
            raise InputFileError(display, f"no such profile file, and not a built-in profile (built-in: {known})")
    doc = _load_document(path, display)
    chain = [doc]
    seen = {doc["profile"]}
    while "extends" in chain[-1]:
        parent_id = chain[-1]["extends"]
        if parent_id not in builtins:
            raise InputFileError(display, f"extends unknown profile {parent_id!r}", field="extends")
        if parent_id in seen:
            raise InputFileError(display, f"profile inheritance cycle at {parent_id!r}", field="extends")
        seen.add(parent_id)
        chain.append(_load_document(builtins[parent_id], f"profile:{parent_id}"))
    merged: dict[str, Any] = {}
    for layer in reversed(chain):
        merged = _merge(merged, layer)
    merged.pop("extends", None)
    return profile_from_document(merged, display)


def profile_from_document(document: dict[str, Any], source: str) -> Profile:
    """A Profile from a resolved document (after ``extends``): what ``load_profile`` builds, and what a scan
    records as ``profile.json`` (an evidence package re-evaluates its findings with exactly that document)."""
    if not isinstance(document, dict) or not isinstance(document.get("profile"), str):
        raise InputFileError(source, "not a resolved profile (no 'profile' id)")
    for key in ("data_classes",):
        if key not in document:
            raise InputFileError(source, f"profile (with what it extends) defines no {key!r}")
    for name, spec in document.get("parameters", {}).items():
        if "value" not in spec:
            raise InputFileError(source, f"parameter {name!r} has no 'value' after merging", field=name)
    return Profile(
        id=document["profile"],
        version=str(document.get("version", "")),
        description=document.get("description", ""),
        parameters=document.get("parameters", {}),
        data_classes=document["data_classes"],
        workload=document.get("workload") or {},
        source=source,
        document=document,
    )


def _merge(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
