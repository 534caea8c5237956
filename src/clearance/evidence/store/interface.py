"""The contract every evidence store implements, and the object names all of them share.

A store holds signed packages under ``<prefix><filing-id>/<scan-end>_<statement-sha256>.evidence.zip``. The name
alone tells which filing a package belongs to, when its scan ended and which statement it carries, so finding the
newest package of a filing (to chain the next one to it) is one listing, and the same package can never be stored
under two names. Stores only ever add objects, each under a retention lock; they never overwrite or delete.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from ...errors import UsageError

COMPLIANCE = "COMPLIANCE"
"""Nobody, not even the account root, can shorten the retention or delete the object before it ends."""
GOVERNANCE = "GOVERNANCE"
"""Identities with a bypass permission (S3: s3:BypassGovernanceRetention) can shorten or delete."""
LOCK_MODES = (COMPLIANCE, GOVERNANCE)

SUFFIX = ".evidence.zip"
_NAME = re.compile(r"(\d{8}T\d{6}Z)_([0-9a-f]{64})" + re.escape(SUFFIX))


class StoreError(UsageError):
    """The store refused, or cannot be used as configured (exit 2); the message names the URL and the operation."""


@dataclass(frozen=True)
class Lock:
    """A retention lock: the object cannot be deleted or overwritten before ``until`` (aware UTC, whole seconds)."""

    mode: str
    until: dt.datetime

    def stronger(self, other: Lock | None) -> Lock:
        """The lock that is at least as strong as both: COMPLIANCE over GOVERNANCE, the later date."""
        if other is None:
            return self
        mode = COMPLIANCE if COMPLIANCE in (self.mode, other.mode) else GOVERNANCE
        return Lock(mode, max(self.until, other.until))

    def describe(self) -> str:
        return f"{self.mode} until {self.until.strftime('%Y-%m-%dT%H:%M:%SZ')}"


@dataclass(frozen=True)
class PackageInfo:
    """What a store needs to know about a package it files (read from the package's own statement)."""

    filing_id: str
    finished: str
    """The scan's end, ``2026-11-24T01:30:05Z``."""
    statement_sha256: str
    supersedes: str | None


@dataclass(frozen=True)
class StoredPackage:
    """One package in a store."""

    url: str
    """Full URL of the object, e.g. ``s3://bucket/prefix/FSS-1/20261124T013005Z_<sha256>.evidence.zip``."""
    key: str
    """The object's name inside the bucket or container."""
    filing_id: str
    stamp: str
    """Scan end as in the name (``20261124T013005Z``)."""
    statement_sha256: str
    version_id: str | None = None
    lock: Lock | None = None


def filing_folder(filing_id: str) -> str:
    """``<filing-id>/``, percent-encoded so that any id maps to one folder and no two ids share one."""
    return urllib.parse.quote(filing_id, safe="") + "/"


def package_name(info: PackageInfo) -> str:
    """``<scan-end>_<statement-sha256>.evidence.zip``: sorts by scan end; unique per statement."""
    from ..statement import parse_time

    stamp = parse_time(info.finished).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}_{info.statement_sha256}{SUFFIX}"


def parse_name(name: str) -> tuple[str, str] | None:
    """``(stamp, statement sha256)`` of a package object name, or None for anything else."""
    match = _NAME.fullmatch(name)
    return (match.group(1), match.group(2)) if match else None


class Store(ABC):
    """An append-only place for packages with retention locks (S3 Object Lock; Azure/GCS: see docs/scheduled.md).

    This is the only thing clearance ever writes to a cloud. It goes to the firm's evidence store with the
    store's own credentials, never through the collectors' read-only guard and never to a scanned resource.
    """

    url: str

    @abstractmethod
    def check(self, now: dt.datetime) -> Lock | None:
        """Refuse (StoreError) unless the store enforces retention locks; its default lock from ``now``, if any."""

    @abstractmethod
    def latest(self, filing_id: str) -> StoredPackage | None:
        """The package of ``filing_id`` with the latest scan end, or None when the store has none."""

    @abstractmethod
    def get(self, stored: StoredPackage, dest: Path) -> Path:
        """Download ``stored`` to the file ``dest``."""

    @abstractmethod
    def put(self, path: Path, info: PackageInfo, lock: Lock) -> StoredPackage:
        """Add the package file under its name with ``lock``; refuse if the name exists (never overwrite)."""
