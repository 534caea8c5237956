"""One account's stored records, read with memory bounded by buffers, not by the account's size.

The engine evaluates an account type by type, each type's records in (region, id) order, and a
``ref:`` may follow a link to any record of the account. Holding the account in memory would make
memory grow with it, so this store keeps only a compact index: for every record the hash of its id
and where it is stored (24 bytes per record), built in one pass that reads each record's
envelope without decoding its data. Records are decoded while they stream past, and linked records
are read back by offset on demand through a small LRU cache.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from ..inventory import InventoryReader, decode_record, record_envelope
from .conditions import Located

CACHE_SIZE = 1024
CACHE_BYTES = 4 << 20
"""Linked records kept decoded (an account record, its trails and keys are linked from many resources): at
most CACHE_SIZE of them, and no more than CACHE_BYTES of their stored JSON (decoded, about five times that)."""
OPEN_FILES = 16
"""Inventory files kept open for reading linked records by offset."""


@dataclass
class _Group:
    """The records of one (type, region): where they are, and whether one file already holds them in order."""

    files: list[int] = field(default_factory=list)
    ordered: bool = True


class AccountStore:
    """The records of one (provider, account) of an inventory: streamed by type and region, looked up by id."""

    def __init__(self, reader: InventoryReader, provider: str, account: str):
        self.reader = reader
        self.files = reader.files(provider, account)
        self.count = 0
        self._groups: dict[tuple[str, str], _Group] = {}
        self._cache: OrderedDict[str, tuple[Located, int]] = OrderedDict()
        self._cached_bytes = 0
        self._handles: dict[int, BinaryIO] = {}
        self._target: Located | None = None
        self._target_id = ""
        self._index()

    def _index(self) -> None:
        hashes = array("q")
        offsets = array("q")
        places = array("q")
        for file_no, rel in enumerate(self.files):
            previous: tuple[str, str, str] | None = None
            for offset, lineno, line in self.reader.lines(rel):
                rid, rtype, region = record_envelope(line, rel, lineno)
                hashes.append(hash(rid))
                offsets.append(offset)
                places.append(file_no << 32 | lineno)
                group = self._groups.get((rtype, region))
                if group is None:
                    group = self._groups[(rtype, region)] = _Group()
                if not group.files or group.files[-1] != file_no:
                    group.files.append(file_no)
                if previous is not None and (previous[1:] != (rtype, region) or previous[0] > rid):
                    group.ordered = False
                    self._groups[(previous[1], previous[2])].ordered = False
                previous = (rid, rtype, region)
        self.count = len(hashes)
        order = sorted(range(self.count), key=hashes.__getitem__)  # stable: file order among equal hashes
        self._hashes = array("q", (hashes[i] for i in order))
        self._offsets = array("q", (offsets[i] for i in order))
        self._places = array("q", (places[i] for i in order))
        self.duplicates = self._duplicate_ids()

    def _duplicate_ids(self) -> frozenset[str]:
        """Ids stored more than once (a lookup answers the last one, as a dict keyed by id would)."""
        found: set[str] = set()
        for i in range(1, self.count):
            if self._hashes[i] == self._hashes[i - 1]:
                a, b = self._entry(i - 1)[0].record["id"], self._entry(i)[0].record["id"]
                if a == b:
                    found.add(a)
        return frozenset(found)

    def types(self) -> list[str]:
        return sorted({rtype for rtype, _ in self._groups})

    def regions(self, rtype: str) -> list[str]:
        return sorted(region for t, region in self._groups if t == rtype)

    def group(self, rtype: str, region: str) -> Iterator[Located]:
        """The decoded records of one type and region, by id (ties in file order)."""
        group = self._groups[(rtype, region)]
        if group.ordered and len(group.files) == 1:
            rel = self.files[group.files[0]]
            for _, lineno, line in self.reader.lines(rel):
                yield Located(decode_record(line, rel, lineno), rel, lineno)
            return
        yield from self._merged(rtype, region, group.files)

    def _merged(self, rtype: str, region: str, files: list[int]) -> Iterator[Located]:
        """A group spread over files or out of order: sort its entries (memory grows with this group only)."""
        entries: list[tuple[str, int, int, int]] = []
        for file_no in files:
            rel = self.files[file_no]
            for offset, lineno, line in self.reader.lines(rel):
                rid, t, r = record_envelope(line, rel, lineno)
                if (t, r) == (rtype, region):
                    entries.append((rid, file_no, lineno, offset))
        entries.sort()
        for _, file_no, lineno, offset in entries:
            yield self._read(file_no, lineno, offset)[0]

    def _read(self, file_no: int, lineno: int, offset: int) -> tuple[Located, int]:
        """The record stored at ``offset``, and the size of its line."""
        handle = self._handles.pop(file_no, None)
        if handle is None:
            handle = open(self.reader.root / self.files[file_no], "rb")  # noqa: SIM115 (kept open, closed in close())
            if len(self._handles) >= OPEN_FILES:
                self._handles.pop(next(iter(self._handles))).close()
        self._handles[file_no] = handle  # most recently used last
        handle.seek(offset)
        line = handle.readline()
        rel = self.files[file_no]
        return Located(decode_record(line, rel, lineno), rel, lineno), len(line)

    def _entry(self, i: int) -> tuple[Located, int]:
        place = self._places[i]
        return self._read(place >> 32, place & 0xFFFFFFFF, self._offsets[i])

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        self._cache.clear()
        self._cached_bytes = 0

    def __enter__(self) -> AccountStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluating(self, target: Located) -> Located:
        """Declare the record being evaluated; returns what the checks see for it.

        A ``ref:`` back to it answers the same object (so its observations carry no ``resource_id``); an id
        stored twice evaluates as its last copy, as lookups do.
        """
        rid = target.record["id"]
        self._target, self._target_id = None, ""
        if rid in self.duplicates:
            last = self.lookup(rid)
            assert last is not None
            target = last
        self._target, self._target_id = target, rid
        return target

    def lookup(self, rid: str) -> Located | None:
        """The record stored under ``rid`` (the last one if stored twice), or None."""
        if rid == self._target_id and self._target is not None:
            return self._target
        cache = self._cache
        hit = cache.get(rid)
        if hit is not None:
            cache.move_to_end(rid)
            return hit[0]
        found = self._find(rid)
        if found is not None:
            cache[rid] = found
            self._cached_bytes += found[1]
            while len(cache) > CACHE_SIZE or (self._cached_bytes > CACHE_BYTES and len(cache) > 1):
                self._cached_bytes -= cache.popitem(last=False)[1][1]
            return found[0]
        return None

    def _find(self, rid: str) -> tuple[Located, int] | None:
        h = hash(rid)
        i = bisect_left(self._hashes, h)
        found = None
        while i < self.count and self._hashes[i] == h:
            candidate = self._entry(i)
            if candidate[0].record["id"] == rid:
                found = candidate
            i += 1
        return found
