"""Write a large JSON document without building it: arrays given as iterators are written item by item.

A document is built as usual, except that its big arrays are ``placeholder`` strings carrying an
iterator. ``write`` serialises the document, then writes each placeholder's items in its place,
one compact item a line, so memory holds one item at a time however many there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO, Any

_MARK = "\x00jsonstream:"


class Placeholder(str):
    """Stands for a JSON array in a document; ``items`` is consumed once, by ``write``."""

    items: Iterator[Any]


def placeholder(name: str, items: Iterator[Any]) -> Placeholder | None:
    """A placeholder for ``items``, or None when there are none (so a schema's "at least one item" holds)."""
    first = next(items, None)
    if first is None:
        return None
    mark = Placeholder(_MARK + name)
    mark.items = chain([first], items)
    return mark


def _placeholders(obj: Any) -> Iterable[Placeholder]:
    if isinstance(obj, Placeholder):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _placeholders(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _placeholders(value)


def write(fh: IO[str], doc: Any) -> None:
    """Write ``doc`` as JSON (indented), each placeholder replaced by its items, one item a line."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    placed = []
    for mark in _placeholders(doc):
        quoted = json.dumps(str(mark), ensure_ascii=False)
        if text.count(quoted) != 1:
            raise ValueError(f"placeholder {str(mark)!r} is not unique in the document")
        placed.append((text.index(quoted), quoted, mark))
    pos = 0
    for at, quoted, mark in sorted(placed, key=lambda p: p[0]):
        fh.write(text[pos:at])
        fh.write("[\n")
        for i, item in enumerate(mark.items):
            if i:
                fh.write(",\n")
            fh.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n]")
        pos = at + len(quoted)
    fh.write(text[pos:])
    fh.write("\n")
