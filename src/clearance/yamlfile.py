"""Load YAML content files with line numbers, and validate them against our JSON Schemas.

Errors always name the file, the line and the field, so a compliance engineer editing a
profile or a check can fix it without reading a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .content import schema_path
from .errors import InputFileError

PathKey = tuple[str | int, ...]

_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document and where each of its nodes started."""

    data: Any
    file: str
    lines: dict[PathKey, int]

    def line_of(self, path: PathKey) -> int | None:
        """Line of the deepest known node on ``path`` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _convert(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputFileError(file, "mapping keys must be plain scalars", line=line)
            key = key_node.value
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputFileError(file, "YAML merge keys ('<<') are not supported", line=line)
            if key in out:
                raise InputFileError(file, f"duplicate key '{key}'", line=line, field=_dotted((*path, key)))
            out[key] = _convert(value_node, (*path, key), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), lines, file) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode):
        try:
            value = _construct_scalar(node)
        except ValueError as exc:  # a plain scalar that looks like a date but is not one, e.g. 2026-02-30
            raise InputFileError(
                file, f"invalid value {node.value!r}: {exc}", line=lines[path], field=_dotted(path)
            ) from None
        if isinstance(value, float) and math.isnan(value):
            raise InputFileError(file, "NaN is not allowed", line=lines[path], field=_dotted(path))
        return value
    raise InputFileError(file, f"unsupported YAML node {type(node).__name__}", line=lines[path])


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def parse_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document, rejecting aliases, merge keys and duplicate keys."""
    if len(text) > _MAX_BYTES:
        raise InputFileError(file, f"file is larger than {_MAX_BYTES} bytes")
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputFileError(file, f"invalid YAML: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputFileError(file, f"invalid YAML: {exc}") from None
    if len(nodes) != 1:
        raise InputFileError(file, f"expected exactly one YAML document, found {len(nodes)}")
    _reject_aliases(nodes[0], file)
    lines: dict[PathKey, int] = {}
    return LoadedYaml(_convert(nodes[0], (), lines, file), file, lines)


def _reject_aliases(root: yaml.Node, file: str) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise InputFileError(file, "YAML anchors/aliases are not supported", line=node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_yaml_file(path: Path, *, display: str | None = None) -> LoadedYaml:
    name = display or str(path)
    return parse_yaml_bytes(read_bytes(path, name), name)


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes, or an InputFileError naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(name, f"cannot read file: {exc.strerror or exc}") from None


def parse_yaml_bytes(raw: bytes, name: str) -> LoadedYaml:
    """Parse bytes already read (so a caller can hash exactly what was parsed)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(name, f"not valid UTF-8 (byte {exc.start})") from None
    return parse_yaml(text, name)


@cache
def _validator(schema_name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_path(schema_name).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate(doc: LoadedYaml, schema_name: str) -> None:
    """Validate against ``schemas/<schema_name>``; raise on the first (deepest-first) error."""
    errors = sorted(_validator(schema_name).iter_errors(doc.data), key=lambda e: (-len(e.absolute_path), e.message))
    if not errors:
        return
    best = _most_specific(errors[0])
    path = tuple(best.absolute_path)
    message = str(best.message)
    if best.validator == "additionalProperties" and isinstance(best.instance, dict):
        allowed = set(best.schema.get("properties", {}))
        extra = sorted(k for k in best.instance if k not in allowed)
        if extra:
            path = (*path, extra[0])
            message = f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
    raise InputFileError(doc.file, message, line=doc.line_of(path), field=_dotted(path))


def _most_specific(error: Any) -> Any:
    while error.context:
        error = min(error.context, key=lambda e: (-len(e.absolute_path), len(e.message)))
    return error
