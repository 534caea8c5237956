"""Scheduled runs: chain a new package to the newest one of its filing in the store, then file it under a lock.

``--chain`` finds the newest package of the same filing id in the store, downloads it, checks that it is what its
name says (filing id and statement digest), and builds the new package with ``supersedes`` = that statement's
digest, so ``clearance verify NEW --previous OLD`` proves the link. ``--publish`` then adds the new package to the
store, locked for ``--retain-days`` (default: the longest record-keeping period in the package's own profile).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError
from .. import layout
from .interface import COMPLIANCE, LOCK_MODES, Lock, PackageInfo, Store, StoredPackage, StoreError

if TYPE_CHECKING:
    from ..builder import BuildResult
    from ..commands import PackageArgs

_ENVELOPE_MAX = 256 * 1024 * 1024
_PROFILE_MAX = 16 * 1024 * 1024


@dataclass(frozen=True)
class PublishArgs:
    """``--publish URL [--chain] [--retain-days N] [--lock-mode MODE]``."""

    url: str
    chain: bool = False
    retain_days: int | None = None
    lock_mode: str = COMPLIANCE
    option: str = "--publish"
    """How the URL was given, for error messages (``--publish``, or ``URL`` for ``clearance publish``)."""


@dataclass(frozen=True)
class Described:
    """A package as the store sees it, plus the retention its own profile asks for."""

    info: PackageInfo
    profile_id: str
    retention: tuple[int, str] | None
    """(days, parameter name): the longest ``*_retention_days`` parameter of the package's profile."""


@dataclass(frozen=True)
class Published:
    stored: StoredPackage
    lock: Lock
    reason: str
    """Why this retention: ``--retain-days``, or the profile parameter it came from (and the bucket default)."""
    supersedes: str | None
    previous: StoredPackage | None
    """The newest package of the filing that was in the store before this one."""

    @property
    def warning(self) -> str | None:
        """Set when the package does not continue the store's chain for its filing (a gap an auditor will see)."""
        prev = self.previous
        if prev is None or self.supersedes == prev.statement_sha256:
            return None
        what = f"supersedes {self.supersedes[:16]}…" if self.supersedes else "supersedes nothing"
        return f"this package {what}, but the newest package of its filing in the store was {prev.url}"

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.stored.url,
            "version_id": self.stored.version_id,
            "statement_sha256": self.stored.statement_sha256,
            "lock": {"mode": self.lock.mode, "until": self.lock.until.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "retention_reason": self.reason,
            "supersedes": self.supersedes,
            "previous": self.previous.url if self.previous else None,
            "warning": self.warning,
        }


def describe(path: Path) -> Described:
    """Read the statement (and the profile it signs) of a package file; no signature check (that is ``verify``)."""
    from ..container import ContainerError, open_container
    from ..dsse import EnvelopeError, parse_envelope
    from ..statement import StatementError, parse_statement

    try:
        with open_container(path) as package:
            statement = parse_statement(parse_envelope(package.read(layout.ENVELOPE, _ENVELOPE_MAX)).payload)
            profile_bytes = package.read(layout.PROFILE, _PROFILE_MAX) if layout.PROFILE in package.files else b""
    except (ContainerError, EnvelopeError, StatementError, KeyError) as exc:
        raise UsageError(f"{path}: not a readable evidence package: {exc}") from None
    signed = {s.name: s.sha256 for s in statement.subjects}.get(layout.PROFILE)
    if signed is None or hashlib.sha256(profile_bytes).hexdigest() != signed:
        raise UsageError(f"{path}: {layout.PROFILE} is missing or differs from its signed digest")
    profile = json.loads(profile_bytes)
    info = PackageInfo(
        filing_id=str(statement.filing["id"]),
        finished=str(statement.scan["finishedOn"]),
        statement_sha256=statement.digest,
        supersedes=statement.package.get("supersedes"),
    )
    return Described(info, str(profile.get("profile", "")), _longest_retention(profile))


def _longest_retention(profile: dict[str, Any]) -> tuple[int, str] | None:
    """The longest ``*_retention_days`` value (or elevated value) among the profile's parameters."""
    best: tuple[int, str] | None = None
    for name, param in sorted(profile.get("parameters", {}).items()):
        if not name.endswith("_retention_days") or not isinstance(param, dict):
            continue
        for value in (param.get("value"), param.get("elevated")):
            if isinstance(value, int) and not isinstance(value, bool) and (best is None or value > best[0]):
                best = (value, name)
    return best


class Publisher:
    """One store, checked once before any work, then used to chain and to publish."""

    def __init__(self, args: PublishArgs, store: Store, now: dt.datetime | None = None):
        if args.lock_mode not in LOCK_MODES:
            raise UsageError(f"--lock-mode {args.lock_mode!r}: expected one of {', '.join(LOCK_MODES)}")
        if args.retain_days is not None and args.retain_days < 1:
            raise UsageError(f"--retain-days {args.retain_days}: must be at least 1")
        self.args = args
        self.store = store
        self.now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
        self.bucket_default = store.check(self.now)
        self.previous: StoredPackage | None = None

    @classmethod
    def open(cls, args: PublishArgs, package_args: PackageArgs | None = None) -> Publisher:
        """Check the arguments and the store (Object Lock enabled) before a scan spends any time."""
        from . import open_store

        if args.chain and package_args is not None and package_args.supersedes is not None:
            raise UsageError("--chain and --supersedes: give one (--chain takes the newest package from the store)")
        return cls(args, open_store(args.url, args.option))

    def build(self, scan_dir: Path, out: Path, package_args: PackageArgs) -> BuildResult:
        """Build the package; with ``--chain``, superseding the newest package of the filing in the store."""
        from ..commands import package

        if not self.args.chain:
            return package(scan_dir, out, package_args)
        self.previous = self.store.latest(package_args.filing_id)
        if self.previous is None:
            return package(scan_dir, out, package_args)
        with tempfile.TemporaryDirectory(prefix="clearance-previous-") as scratch:
            path = self.store.get(self.previous, Path(scratch) / "previous.evidence.zip")
            got = describe(path).info
            if got.filing_id != package_args.filing_id or got.statement_sha256 != self.previous.statement_sha256:
                raise StoreError(
                    f"{self.previous.url}: holds statement {got.statement_sha256[:16]}… of filing {got.filing_id!r}, "
                    "not what its name says; refusing to chain to it"
                )
            return package(scan_dir, out, replace(package_args, supersedes=path))

    def publish(self, path: Path) -> Published:
        """File ``path`` in the store under its lock; note whether it continues the store's chain."""
        described = describe(path)
        lock, reason = self._lock(described)
        previous = self.store.latest(described.info.filing_id)
        stored = self.store.put(path, described.info, lock)
        return Published(stored, stored.lock or lock, reason, described.info.supersedes, previous)

    def _lock(self, described: Described) -> tuple[Lock, str]:
        if self.args.retain_days is not None:
            days, reason = self.args.retain_days, "--retain-days"
        elif described.retention is not None:
            days, name = described.retention
            reason = f"profile {described.profile_id} {name}"
        else:
            raise UsageError(
                f"--retain-days: required, because profile {described.profile_id!r} of the package names no "
                "*_retention_days record-keeping period"
            )
        asked = Lock(self.args.lock_mode, self.now + dt.timedelta(days=days))
        lock = asked.stronger(self.bucket_default)
        reason = f"{days} days ({reason})"
        if lock != asked and self.bucket_default is not None:
            reason += f"; raised to the bucket's default retention {self.bucket_default.describe()}"
        return lock, reason
