"""Read a package from a ZIP file or an unpacked directory, enforcing every rule of the format (§3.1).

Validity is defined over the logical file set, so both containers give the same view: a map of
entry names to sizes, and a way to stream one entry. Before anything is read, the whole listing
is checked: names (UTF-8, NFC, relative, ``/``-separated, no ``.``/``..``/empty segments, no
backslashes or control characters), no symlinks or other special files, no duplicates (ZIP
allows them and ``zipfile`` silently returns the *last* one), no case-insensitive collisions
(they overwrite each other when unpacked on Windows or macOS), no encrypted entries, bounded
entry count, total size and compression ratio (zip bombs), no overlapping ZIP entries, and the
allow-list: ``evidence/**`` plus the named attestation files only.
"""

from __future__ import annotations

import os
import stat
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from . import layout

_MAX_REPORTED = 20
_LOCAL_HEADER = 30


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile package from exhausting the verifier's disk, memory or time."""

    max_total_bytes: int = 16 * 1024**3
    max_entries: int = 1_000_000
    max_ratio: int = 250
    """Uncompressed/compressed size; JSON evidence compresses about 5-30x, zip bombs about 1000x."""
    ratio_floor: int = 64 * 1024
    """Entries up to this size are exempt from the ratio cap (tiny files compress oddly; the total cap bounds them)."""


class ContainerError(ValueError):
    """The package breaks a container rule; ``problems`` lists each offending name and why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(shown + more)


class _Checker:
    """Accumulates problems over a listing, whichever container it came from."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.problems: list[str] = []
        self.files: dict[str, int] = {}
        self._folded: dict[str, str] = {}
        self._dirs: set[str] = set()
        self.total = 0

    def problem(self, name: str, reason: str) -> None:
        if len(self.problems) < _MAX_REPORTED:
            self.problems.append(f"{name!r}: {reason}")

    def name(self, name: str, *, is_dir: bool) -> bool:
        """Record an entry name; False if it is unusable (the reason is recorded)."""
        problem = layout.name_problem(name)
        if problem:
            self.problem(name, problem)
            return False
        key = name.rstrip("/")
        folded = key.casefold()
        other = self._folded.get(folded)
        if other is not None:
            if other == key and is_dir and key in self._dirs:
                return False  # the same directory listed twice (ZIP directory entries): harmless
            self.problem(name, "duplicate entry name" if other == key else f"case-insensitive collision with {other!r}")
            return False
        self._folded[folded] = key
        if is_dir:
            self._dirs.add(key)
            reason = layout.allowed_dir_problem(key)
            if reason:
                self.problem(name, reason)
                return False
        return True

    def file(self, name: str, size: int) -> None:
        if not self.name(name, is_dir=False):
            return
        reason = layout.allowed_problem(name)
        if reason:
            self.problem(name, reason)
            return
        self.files[name] = size
        self.total += size

    def finish(self) -> dict[str, int]:
        if len(self.files) > self.limits.max_entries:
            self.problems.insert(0, f"{len(self.files)} entries exceed the cap of {self.limits.max_entries}")
        if self.total > self.limits.max_total_bytes:
            self.problems.insert(
                0, f"total uncompressed size {self.total} bytes exceeds the cap of {self.limits.max_total_bytes}"
            )
        for name in self.files:
            parent = name.rsplit("/", 1)[0]
            while parent:
                if parent in self.files:
                    self.problem(parent, f"is a file and also the directory of {name!r}")
                parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
        if self.problems:
            raise ContainerError(self.problems)
        return dict(sorted(self.files.items(), key=lambda item: layout.utf8_key(item[0])))


class Container(ABC):
    """A package's logical file set: ``files`` maps each regular file name to its size."""

    kind: str
    path: Path
    files: dict[str, int]

    @abstractmethod
    def open(self, name: str) -> IO[bytes]:
        """Stream one file (a name from ``files``)."""

    def read(self, name: str, max_bytes: int) -> bytes:
        """Read one small file whole, refusing more than ``max_bytes``."""
        size = self.files[name]
        if size > max_bytes:
            raise ContainerError([f"{name!r}: {size} bytes exceeds the limit of {max_bytes} for this file"])
        with self.open(name) as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ContainerError([f"{name!r}: more than {max_bytes} bytes, the limit for this file"])
        return data

    def names_under(self, prefix: str) -> list[str]:
        return [n for n in self.files if n.startswith(prefix)]

    @abstractmethod
    def close(self) -> None:
        """Release the underlying file, if any."""

    def __enter__(self) -> Container:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ZipContainer(Container):
    kind = "zip"

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ContainerError([f"{str(path)!r}: not a readable ZIP file ({exc})"]) from None
        try:
            self._infos: dict[str, zipfile.ZipInfo] = {}
            self.files = self._check(limits)
        except BaseException:
            self._zip.close()
            raise

    def _check(self, limits: Limits) -> dict[str, int]:
        check = _Checker(limits)
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            raise ContainerError([f"{len(infos)} entries exceed the cap of {limits.max_entries}"])
        for info in infos:
            name = info.orig_filename
            if not info.flag_bits & 0x800 and not name.isascii():
                check.problem(name, "non-ASCII name not marked as UTF-8")
                continue
            if info.flag_bits & 0x1:
                check.problem(name, "encrypted entry")
                continue
            mode = info.external_attr >> 16 if info.create_system == 3 else 0
            kind = stat.S_IFMT(mode)
            if kind == stat.S_IFLNK:
                check.problem(name, "symbolic link")
                continue
            is_dir = name.endswith("/")
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                check.problem(name, "not a regular file or directory")
                continue
            if kind and (kind == stat.S_IFDIR) != is_dir:
                check.problem(name, "file type does not match the name (directory names end with '/')")
                continue
            if is_dir:
                if info.file_size:
                    check.problem(name, "directory entry with content")
                else:
                    check.name(name, is_dir=True)
                continue
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                check.problem(name, f"unsupported compression method {info.compress_type}")
                continue
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                check.problem(name, f"compression ratio {ratio}:1 exceeds the cap of {limits.max_ratio}:1")
                continue
            check.file(name, info.file_size)
            self._infos[name] = info
        self._overlaps(infos, check)
        return check.finish()

    def _overlaps(self, infos: list[zipfile.ZipInfo], check: _Checker) -> None:
        """Entries sharing compressed bytes are the 'overlapping' zip bomb; a valid ZIP never has them."""
        ordered = sorted(infos, key=lambda i: i.header_offset)
        end_of_data = getattr(self._zip, "start_dir", None)
        for info, following in zip(ordered, [*ordered[1:], None], strict=True):
            limit = following.header_offset if following is not None else end_of_data
            minimal_end = info.header_offset + _LOCAL_HEADER + len(info.orig_filename.encode()) + info.compress_size
            if limit is not None and minimal_end > limit:
                check.problem(info.orig_filename, "entry overlaps the next one")

    def open(self, name: str) -> IO[bytes]:
        return self._zip.open(self._infos[name])

    def close(self) -> None:
        self._zip.close()


class DirectoryContainer(Container):
    kind = "directory"

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        check = _Checker(limits)
        for name, entry in self._walk(path, ""):
            if entry.is_symlink():
                check.problem(name, "symbolic link")
            elif entry.is_dir(follow_symlinks=False):
                check.name(name + "/", is_dir=True)
            elif entry.is_file(follow_symlinks=False):
                check.file(name, entry.stat(follow_symlinks=False).st_size)
            else:
                check.problem(name, "not a regular file or directory")
            if len(check.files) > limits.max_entries:
                break
        self.files = check.finish()

    def _walk(self, root: Path, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
        with os.scandir(root / prefix if prefix else root) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = f"{prefix}{entry.name}"
            yield name, entry
            if entry.is_dir(follow_symlinks=False) and not entry.is_symlink() and not layout.name_problem(name):
                yield from self._walk(root, name + "/")

    def open(self, name: str) -> IO[bytes]:
        fd = os.open(self.path / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(fd, "rb")

    def close(self) -> None:
        """Nothing is held open between reads of a directory."""


def open_container(path: Path, limits: Limits | None = None) -> Container:
    """Open ``path`` (a ZIP file or a directory) and check its listing; raise ContainerError on any violation."""
    lim = limits or Limits()
    if path.is_dir():
        return DirectoryContainer(path, lim)
    if not path.exists():
        raise ContainerError([f"{str(path)!r}: no such file or directory"])
    return ZipContainer(path, lim)
