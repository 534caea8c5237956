"""The library API: ``collect``, ``evaluate`` and ``scan``. The CLI is a thin layer over these."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .content import pack_digest
from .engine.checks import CheckSet, load_checks
from .engine.runner import Evaluator, Results
from .errors import UsageError
from .inventory import InventoryWriter, atomic_write_text
from .profile import Profile, load_profile
from .providers import get_provider, provider_names
from .providers.interface import CollectSummary, ProgressFn, Provider
from .register.overlay import AttestationsArg, ExceptionsArg, Overlay, load_registers
from .scope import Scope

SCAN_META = "scan.json"
PROFILE_FILE = "profile.json"


@dataclass(frozen=True)
class Inventory:
    """A collected inventory on disk."""

    directory: Path
    scope: Scope
    summary: CollectSummary
    started: str
    finished: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def prepare_out(out_dir: Path) -> None:
    """Create ``out_dir``, or clear a previous scan in it; refuse any other non-empty directory."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        marker = out_dir / SCAN_META
        if not marker.exists():
            raise UsageError(f"--out {out_dir}: directory is not empty and is not a previous clearance scan")
        for child in ("raw", "logs", "reports"):
            shutil.rmtree(out_dir / child, ignore_errors=True)
        for name in (SCAN_META, PROFILE_FILE, "findings.json", "coverage.json"):
            (out_dir / name).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def collect(
    scope: Scope, out_dir: Path | str, *, progress: ProgressFn | None = None, provider: Provider | None = None
) -> Inventory:
    """Collect ``scope`` into ``out_dir/raw`` (raw API responses) and ``out_dir/logs`` (call log).

    ``provider`` replaces the registered adapter for ``scope.provider`` (the demo passes one pointed at an emulator).
    """
    if provider is None:
        provider = get_provider(scope.provider)
    elif provider.name != scope.provider:
        raise UsageError(f"provider {provider.name!r} cannot collect a {scope.provider!r} scope")
    out = Path(out_dir)
    prepare_out(out)
    started = _now()
    writer = InventoryWriter(out)
    try:
        summary = provider.collect(scope, writer, progress)
    finally:
        writer.close()
    inventory = Inventory(out, scope, summary, started, _now())
    _write_meta(out, inventory)
    return inventory


def default_checks(profile: Profile, ids: tuple[str, ...] = ()) -> CheckSet:
    """The installed content pack, cross-checked against provider resource types and the profile."""
    types = {name: frozenset(t.name for t in get_provider(name).resource_types()) for name in provider_names()}
    return load_checks(ids=ids, resource_types=types, profile_params=frozenset(profile.parameters))


def evaluate(
    inventory: Inventory | Path | str,
    *,
    profile: Profile | str | Path | None = None,
    checks: CheckSet | None = None,
    out_dir: Path | str | None = None,
    exceptions: ExceptionsArg = None,
    attestations: AttestationsArg = None,
    as_of: date | None = None,
) -> Results:
    """Evaluate checks over a stored inventory; writes findings.json and coverage.json.

    ``exceptions`` / ``attestations``: a register file (or one already loaded), judged at ``as_of``
    (default: today, UTC); its results and a copy of it are written next to the findings (docs/exceptions.md).
    """
    directory = inventory.directory if isinstance(inventory, Inventory) else Path(inventory)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    checkset = checks or default_checks(prof)
    overlay = Overlay.prepare(checkset, exceptions, attestations, as_of)
    out = Path(out_dir) if out_dir is not None else directory
    meta = _read_meta(directory)
    meta.update(
        {
            "profile": {"id": prof.id, "version": prof.version, "sha256": prof.digest, "source": prof.source},
            "content_pack": {"sha256": pack_digest(checkset.root), "checks": len(checkset.checks)},
        }
    )
    atomic_write_text(
        out / PROFILE_FILE, json.dumps(prof.document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )
    results = Evaluator(checkset, prof).run(directory, out, scan_meta=_public_meta(meta), annotate=overlay.hooks)
    overlay.write(out)
    if out == directory:
        atomic_write_text(out / SCAN_META, json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return results


def scan(
    scope: Scope,
    out_dir: Path | str,
    *,
    profile: Profile | str | Path | None = None,
    checks: CheckSet | None = None,
    progress: ProgressFn | None = None,
    provider: Provider | None = None,
    exceptions: ExceptionsArg = None,
    attestations: AttestationsArg = None,
    as_of: date | None = None,
) -> Results:
    """Collect then evaluate: the whole job, writing everything into ``out_dir`` (``provider``: see :func:`collect`;
    ``exceptions``, ``attestations``, ``as_of``: see :func:`evaluate`)."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    checkset = checks or default_checks(prof)  # validate content before touching the cloud
    exc, att = load_registers(checkset, exceptions, attestations, as_of)  # likewise the registers
    inventory = collect(scope, out_dir, progress=progress, provider=provider)
    return evaluate(inventory, profile=prof, checks=checkset, exceptions=exc, attestations=att, as_of=as_of)


def _write_meta(out: Path, inv: Inventory) -> None:
    meta: dict[str, Any] = {
        "tool": {"name": "clearance", "version": __version__},
        "provider": inv.scope.provider,
        "scope": inv.scope.to_json(),
        "started": inv.started,
        "finished": inv.finished,
        "accounts": list(inv.summary.accounts),
        "regions": list(inv.summary.regions),
        "units": inv.summary.units,
        "failed_units": inv.summary.failed_units,
        "api_calls": inv.summary.calls,
    }
    atomic_write_text(out / SCAN_META, json.dumps(meta, indent=1, sort_keys=True) + "\n")


def _read_meta(directory: Path) -> dict[str, Any]:
    path = directory / SCAN_META
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "tool",
        "provider",
        "scope",
        "started",
        "finished",
        "accounts",
        "regions",
        "profile",
        "content_pack",
    )
    return {k: meta[k] for k in keys if k in meta}
