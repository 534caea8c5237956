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
from ..model import CollectionError, Observation, Verdict

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


def encode_observation(o: Observation) -> str:
    """``dumps(o.to_json())``: keys expected, operator, path, [resource_id], source, value."""
    source = o.source
    where = (
        "null"
        if source is None
        else f'{{"file":{encode(source.file)},"line":{encode(source.line)},"pointer":{encode(source.pointer)}}}'
    )
    related = "" if o.resource_id is None else f',"resource_id":{encode(o.resource_id)}'
    return (
        f'{{"expected":{encode(o.expected)},"operator":{encode(o.operator)},"path":{encode(o.path)}{related}'
        f',"source":{where},"value":{encode(o.value)}}}'
    )


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
        observations: Sequence[Observation],
        resource: str,
    ) -> str:
        """``dumps(finding)`` for the finding these values make; ``resource`` is the encoded resource block."""
        err = "null" if error is None else encode(error.to_json())
        observed = ",".join([encode_observation(o) for o in observations])
        return (
            f'{self._head}{err},"observed":[{observed}],"reason":{encode(reason)},"resource":{resource}'
            f"{self._tail}{_VERDICTS[verdict]}}}"
        )
