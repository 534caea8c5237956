"""Findings as JSON lines, assembled from parts encoded once, byte-identical to ``dumps(finding)``.

Encoding each finding dict whole (sorted keys, nested dicts) was the engine's largest cost. A finding's
keys are fixed, so its line is a template: the check's parts (id, controls, severity, title) are encoded
once per check, the resource block once per resource, and only the verdict, reason, error and
observations per finding. Values go through the same C encoder with the same options as
:func:`clearance.inventory.dumps`, so the bytes cannot differ; tests compare the two on every finding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

from ..inventory import json_default
from ..model import CollectionError, Verdict
from .conditions import RawObservation

_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=json_default)


def _c_encoder() -> Callable[[Any], str] | None:
    try:
        from json.encoder import c_make_encoder  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - CPython always has the accelerator
        return None
    if c_make_encoder is None:  # pragma: no cover
        return None
    # The arguments JSONEncoder.iterencode passes for _JSON's options (no circular-reference markers:
    # values come from JSON records and YAML, a cycle would still fail, with RecursionError).
    make = c_make_encoder(None, json_default, encode_basestring, None, ":", ",", True, False, True)

    def encode(value: Any) -> str:
        return "".join(make(value, 0))

    return encode


_container = _c_encoder() or _JSON.encode


def encode(value: Any) -> str:
    """``dumps(value)``, with the common scalars short-cut."""
    kind = type(value)
    if kind is str:
        text: str = encode_basestring(value)
        return text
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _container(value)


_SCALARS = (str, bool, int)
_heads: dict[tuple[str, str, type, Any], str] = {}
_HEADS_MAX = 4096


def _observation_head(path: str, operator: str, expected: Any) -> str:
    """``{"expected":..,"operator":..,"path":..`` — the same for every resource a comparison reads."""
    kind = type(expected)
    key = (path, operator, kind, expected) if kind in _SCALARS or expected is None else None
    if key is not None:
        head = _heads.get(key)
        if head is not None:
            return head
    head = f'{{"expected":{encode(expected)},"operator":{encode(operator)},"path":{encode(path)}'
    if key is not None:
        if len(_heads) >= _HEADS_MAX:
            _heads.clear()
        _heads[key] = head
    return head


def encode_observations(observed: Sequence[RawObservation]) -> str:
    """``dumps([o.to_json() for o in observations])``: keys expected, operator, path, [resource_id], source, value.

    File, pointer and related id are strings by the recording's type; a value is most often a string.
    """
    items = []
    file_line: tuple[str, int] | None = None
    located = ""
    for path, value, expected, operator, file, line, pointer, related in observed:
        if pointer is None:
            where = "null"
        else:
            if file_line != (file, line):
                file_line = (file, line)
                located = f'{{"file":{encode_basestring(file)},"line":{encode(line)},"pointer":'
            where = f"{located}{encode_basestring(pointer)}}}"
        rid = "" if related is None else f',"resource_id":{encode_basestring(related)}'
        shown = encode_basestring(value) if type(value) is str else encode(value)
        items.append(f'{_observation_head(path, operator, expected)}{rid},"source":{where},"value":{shown}}}')
    return "[" + ",".join(items) + "]"


_VERDICTS = {v: encode(v.value) for v in Verdict}


class FindingTemplate:
    """The encoded parts of one check's findings; :meth:`line` fills in one evaluation."""

    __slots__ = ("_head", "_tail")

    def __init__(self, check_id: str, controls: Sequence[str], severity: str, title: str):
        self._head = f'{{"check_id":{encode(check_id)},"control_ids":{encode(list(controls))},"error":'
        self._tail = f',"severity":{encode(severity)},"title":{encode(title)},"underlying_verdict":null,"verdict":'

    def line(
        self,
        verdict: Verdict,
        reason: str,
        error: CollectionError | None,
        observed: Sequence[RawObservation],
        resource: str,
        end: str = "",
    ) -> str:
        """``dumps(finding) + end`` for the finding these values make; ``resource`` is the encoded resource block."""
        err = "null" if error is None else encode(error.to_json())
        return (
            f'{self._head}{err},"observed":{encode_observations(observed)},"reason":{encode_basestring(reason)}'
            f',"resource":{resource}{self._tail}{_VERDICTS[verdict]}}}{end}'
        )
