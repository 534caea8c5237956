"""Find the content pack (``checks/``) and the JSON Schemas (``schemas/``).

In a wheel both ship inside the package as ``clearance/_content``; in a source checkout
(editable install) they are read from the repository root.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def content_root() -> Path:
    """Directory holding ``checks/`` and ``schemas/``."""
    bundled = _PACKAGE_DIR / "_content"
    if (bundled / "checks").is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "checks").is_dir() and (checkout / "schemas").is_dir():
        return checkout
    raise RuntimeError(f"clearance content pack not found (looked in {bundled} and {checkout})")


def checks_dir() -> Path:
    return content_root() / "checks"


def schema_path(name: str) -> Path:
    return content_root() / "schemas" / name


def pack_files(root: Path | None = None) -> list[Path]:
    """Every file of the content pack, sorted by relative POSIX path."""
    base = root or checks_dir()
    files = [p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files, key=lambda p: p.relative_to(base).as_posix())


def pack_digest(root: Path | None = None) -> str:
    """SHA-256 over (relative path, file digest) of every content file: the ruleset digest."""
    base = root or checks_dir()
    outer = hashlib.sha256()
    for path in pack_files(base):
        rel = path.relative_to(base).as_posix()
        outer.update(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n".encode())
    return outer.hexdigest()
