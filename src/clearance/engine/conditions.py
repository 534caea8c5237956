"""Safe, declarative check conditions compiled to closures.

A condition is data (YAML): boolean ``all``/``any``/``not``, comparisons on paths, iteration
over lists (``each``), references to related resources (``ref``), data-class tests and calls
to named predicates. Nothing is ever ``eval``-ed. Evaluation is three-valued (Kleene logic):
TRUE, FALSE or UNKNOWN, and an UNKNOWN carries why (a failed API call, an absent field, or
missing data-class context) so the runner can say ERROR or NEEDS_CONTEXT instead of PASS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple

from ..model import CollectionError, Observation, SourcePointer
from ..profile import ContextRange, Profile
from .paths import MISSING, Path, PathSyntaxError, parse_path


class State(IntEnum):
    FALSE = 0
    TRUE = 1
    UNKNOWN = 2


class UnknownKind(StrEnum):
    ERROR = "error"
    """An API call the value depends on failed."""
    MISSING = "missing"
    """The value is absent from what the provider returned, or a related resource was not collected."""
    CONTEXT = "needs_context"
    """A data-class tag or profile value is missing and the answer depends on it."""


_KIND_PRIORITY = {UnknownKind.ERROR: 3, UnknownKind.MISSING: 2, UnknownKind.CONTEXT: 1}


class Outcome(NamedTuple):
    """A condition's three-valued result, why, and for UNKNOWN of which kind (a tuple: made per comparison)."""

    state: State
    reason: str
    kind: UnknownKind | None = None
    error: CollectionError | None = None


def true(reason: str) -> Outcome:
    return Outcome(State.TRUE, reason)


def false(reason: str) -> Outcome:
    return Outcome(State.FALSE, reason)


def unknown(reason: str, kind: UnknownKind, error: CollectionError | None = None) -> Outcome:
    return Outcome(State.UNKNOWN, reason, kind, error)


class ConditionError(ValueError):
    """A condition is malformed; ``where`` is a dotted location inside the condition."""

    def __init__(self, where: str, message: str):
        self.where = where
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class Located:
    """A resource record with where it is stored, for source pointers."""

    record: dict[str, Any]
    file: str
    line: int


RawObservation = tuple[str, Any, Any, str, str, int, str | None, str | None]
"""An observation as recorded: path, value, expected, operator, file, line, pointer, related resource id."""


class EvalContext:
    """Everything a condition may read while evaluating one check on one resource."""

    __slots__ = ("_observed", "current", "lookup", "profile", "target")

    def __init__(self, target: Located, profile: Profile, lookup: Callable[[str], Located | None]):
        self.target = target
        self.profile = profile
        self.lookup = lookup
        """Resolve a resource id to its record (for ``ref``)."""
        self.current = target
        """The resource being read: the target, or a related resource inside ``ref``."""
        self._observed: list[RawObservation] = []

    @property
    def observations(self) -> list[Observation]:
        """What the verdict relied on, in the order it was read."""
        return [
            Observation(path, value, expected, op, SourcePointer(file, line, ptr) if ptr is not None else None, rid)
            for path, value, expected, op, file, line, ptr, rid in self._observed
        ]

    @property
    def observed(self) -> list[RawObservation]:
        """The observations as recorded (what the findings encoder reads)."""
        return self._observed

    def param(self, name: str) -> Any:
        rec = self.current.record
        return self.profile.value(name, provider=rec["provider"], tags=rec.get("tags") or {})

    def read(self, path: Path, element: Any = MISSING, prefix: str = "") -> tuple[Any, Outcome | None]:
        """Resolve ``path``; returns (value, None) or (MISSING, an UNKNOWN outcome saying why)."""
        rec = self.current.record
        if path.meta:
            value = path.resolve(rec)
            if value is MISSING:
                return MISSING, unknown(f"{path.text} is not set on {rec['id']}", UnknownKind.MISSING)
            return value, None
        if element is not MISSING:
            value = path.resolve(element)
            if value is MISSING:
                return MISSING, unknown(f"{path.text} is absent in {prefix or 'the item'}", UnknownKind.MISSING)
            return value, None
        op = path.operation
        errors = rec.get("errors")
        if errors and op in errors:
            err = CollectionError.from_json(errors[op])
            return MISSING, unknown(err.describe(), UnknownKind.ERROR, err)
        data = rec.get("data")
        if not data or op not in data:
            return MISSING, unknown(f"{op} was not collected for {rec['id']}", UnknownKind.MISSING)
        value = path.resolve(data)
        if value is MISSING:
            return MISSING, unknown(f"{path.text} is absent from the {op} response", UnknownKind.MISSING)
        return value, None

    def observe(self, path: str, value: Any, expected: Any, operator: str, pointer: str | None = None) -> None:
        cur = self.current
        if isinstance(value, str) and len(value) > _CLIP:
            value = _clip(value)
        rid = None if cur is self.target else cur.record["id"]
        self._observed.append((path, value, expected, operator, cur.file, cur.line, pointer, rid))


_CLIP = 512


def _clip(value: str) -> str:
    return value[:_CLIP] + f"... ({len(value)} chars)"


Node = Callable[[EvalContext, Any, str], Outcome]
"""Compiled condition: (context, current list element or MISSING, pointer of that element)."""

PredicateFn = Callable[[EvalContext, Mapping[str, Any]], Outcome]


@dataclass(frozen=True)
class PredicateSpec:
    name: str
    fn: PredicateFn
    args: Mapping[str, str]
    """Argument name -> kind: ``path``, ``param``, ``params``, ``int``, ``str``, ``list``, ``bool``, ``any``;
    a '?' suffix marks it optional."""
    doc: str


# -- comparison operators ------------------------------------------------------------------


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _ordered(cmp: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def op(value: Any, expected: Any) -> bool:
        if _num(value) and _num(expected):
            return cmp(value, expected)
        if isinstance(value, str) and isinstance(expected, str):
            return cmp(_version_key(value), _version_key(expected))
        return False

    return op


def _version_key(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-_]", text))


def _contains(value: Any, expected: Any) -> bool:
    if isinstance(value, list | tuple):
        return expected in value
    if isinstance(value, str) and isinstance(expected, str):
        return expected in value
    if isinstance(value, dict):
        return expected in value
    return False


def _seq(value: Any) -> list[Any] | None:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return None


def _eq(v: Any, e: Any) -> bool:
    """Equality without Python's cross-type surprises (True == 1, 1 == 1.0 only for numbers)."""
    if type(v) is type(e):
        return bool(v == e)
    return _num(v) and _num(e) and bool(v == e)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _eq,
    "ne": lambda v, e: not _eq(v, e),
    "in": lambda v, e: isinstance(e, list) and any(_eq(v, x) for x in e),
    "not_in": lambda v, e: isinstance(e, list) and not any(_eq(v, x) for x in e),
    "gt": _ordered(lambda a, b: a > b),
    "gte": _ordered(lambda a, b: a >= b),
    "lt": _ordered(lambda a, b: a < b),
    "lte": _ordered(lambda a, b: a <= b),
    "contains": _contains,
    "not_contains": lambda v, e: not _contains(v, e),
    "matches": lambda v, e: isinstance(v, str) and re.search(e, v) is not None,
    "not_matches": lambda v, e: not (isinstance(v, str) and re.search(e, v) is not None),
    "exists": lambda v, e: (v is not None) == bool(e),
    "empty": lambda v, e: (v in (None, "", [], {})) == bool(e),
    "subset_of": lambda v, e: (s := _seq(v)) is not None and all(x in e for x in s),
    "disjoint_from": lambda v, e: (s := _seq(v)) is not None and not any(x in e for x in s),
    "min_length": lambda v, e: isinstance(v, list | dict | str) and len(v) >= e,
    "max_length": lambda v, e: v is None or (isinstance(v, list | dict | str) and len(v) <= e),
}

_OP_TEXT = {
    "eq": "==",
    "ne": "!=",
    "in": "in",
    "not_in": "not in",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches",
    "not_matches": "does not match",
    "subset_of": "only values in",
    "disjoint_from": "no value in",
    "min_length": "length >=",
    "max_length": "length <=",
}

# Operators that can be answered when the path is absent from the response.
_ABSENCE_AWARE = {"exists", "empty"}

_LEAF_KEYS = {"path", "default", "describe", *OPERATORS}
_QUANTIFIERS = ("all", "any", "none")


def _fmt(v: Any) -> str:
    text = repr(v) if not isinstance(v, str) else f"'{v}'"
    return text if len(text) <= 120 else text[:117] + "..."


# -- compiler ---------------------------------------------------------------------------------


class Compiler:
    """Compiles condition documents, validating them with precise locations."""

    def __init__(self, predicates: Mapping[str, PredicateSpec], profile_params: frozenset[str] | None = None):
        self.predicates = predicates
        self.profile_params = profile_params
        self.params_used: set[str] = set()
        self.links_used: set[str] = set()
        self.operations_used: set[str] = set()

    def compile(self, doc: Any, where: str) -> Node:
        if not isinstance(doc, dict) or not doc:
            raise ConditionError(where, "a condition must be a non-empty mapping")
        if "all" in doc and not ({"each", "ref"} & doc.keys()):
            return self._bool(doc, "all", where)
        if "any" in doc and not ({"each", "ref"} & doc.keys()):
            return self._bool(doc, "any", where)
        if "not" in doc:
            self._only(doc, {"not"}, where)
            inner = self.compile(doc["not"], f"{where}.not")
            return _not(inner)
        if "each" in doc:
            return self._each(doc, where)
        if "ref" in doc:
            return self._ref(doc, where)
        if "predicate" in doc:
            return self._predicate(doc, where)
        if "data_class" in doc:
            self._only(doc, {"data_class"}, where)
            if doc["data_class"] not in ("elevated", "regulated"):
                raise ConditionError(where, "data_class must be 'elevated' or 'regulated'")
            return _data_class(doc["data_class"])
        if "path" in doc:
            return self._leaf(doc, where)
        raise ConditionError(where, f"unknown condition keys {sorted(doc)}")

    def _only(self, doc: dict[str, Any], allowed: set[str], where: str) -> None:
        extra = set(doc) - allowed
        if extra:
            raise ConditionError(where, f"unexpected keys {sorted(extra)} (allowed: {sorted(allowed)})")

    def _bool(self, doc: dict[str, Any], kind: str, where: str) -> Node:
        self._only(doc, {kind, "describe"}, where)
        items = doc[kind]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"{where}.{kind}", "must be a non-empty list of conditions")
        children = tuple(self.compile(c, f"{where}.{kind}[{i}]") for i, c in enumerate(items))
        node = _all(children) if kind == "all" else _any(children)
        return _described(node, doc["describe"]) if "describe" in doc else node

    def _path(self, text: Any, where: str) -> Path:
        try:
            path = parse_path(text)
        except PathSyntaxError as exc:
            raise ConditionError(where, str(exc)) from None
        if path.operation:
            self.operations_used.add(path.operation)
        return path

    def _expected(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            if set(value) != {"param"} or not isinstance(value["param"], str):
                raise ConditionError(where, "an expected value that is a mapping must be {param: NAME}")
            name = value["param"]
            if self.profile_params is not None and name not in self.profile_params:
                raise ConditionError(where, f"unknown profile parameter {name!r}")
            self.params_used.add(name)
            return _Param(name)
        return value

    def _leaf(self, doc: dict[str, Any], where: str) -> Node:
        self._only(doc, _LEAF_KEYS, where)
        ops = [k for k in doc if k in OPERATORS]
        if len(ops) != 1:
            raise ConditionError(where, f"a comparison needs exactly one operator of {sorted(OPERATORS)}")
        op = ops[0]
        path = self._path(doc["path"], f"{where}.path")
        expected = self._expected(doc[op], f"{where}.{op}")
        if op in ("matches", "not_matches"):
            try:
                re.compile(expected)
            except (re.error, TypeError) as exc:
                raise ConditionError(f"{where}.{op}", f"invalid regular expression: {exc}") from None
        if op in ("in", "not_in", "subset_of", "disjoint_from") and not isinstance(expected, list | _Param):
            raise ConditionError(f"{where}.{op}", "expects a list")
        has_default = "default" in doc
        return _compare(path, op, expected, doc.get("default"), has_default, doc.get("describe"))

    def _quantified(self, doc: dict[str, Any], where: str, head: str) -> tuple[str, Node]:
        allowed = {head, "require", "where", "if_none", "default", "describe"}
        self._only(doc, allowed, where)
        require = doc.get("require", "all")
        if require not in _QUANTIFIERS:
            raise ConditionError(f"{where}.require", f"must be one of {_QUANTIFIERS}")
        if "where" not in doc:
            raise ConditionError(where, f"'{head}' needs a 'where' condition")
        if "if_none" in doc and doc["if_none"] not in ("pass", "fail", "unknown"):
            raise ConditionError(f"{where}.if_none", "must be pass, fail or unknown")
        return require, self.compile(doc["where"], f"{where}.where")

    def _each(self, doc: dict[str, Any], where: str) -> Node:
        require, inner = self._quantified(doc, where, "each")
        path = self._path(doc["each"], f"{where}.each")
        return _each(path, require, inner, doc.get("if_none"), doc.get("default", MISSING), doc.get("describe"))

    def _ref(self, doc: dict[str, Any], where: str) -> Node:
        require, inner = self._quantified(doc, where, "ref")
        link = doc["ref"]
        if not isinstance(link, str) or not link:
            raise ConditionError(f"{where}.ref", "must be a link name")
        self.links_used.add(link)
        return _ref(link, require, inner, doc.get("if_none"), doc.get("describe"))

    def _predicate(self, doc: dict[str, Any], where: str) -> Node:
        self._only(doc, {"predicate", "args", "describe"}, where)
        name = doc["predicate"]
        spec = self.predicates.get(name)
        if spec is None:
            raise ConditionError(f"{where}.predicate", f"unknown predicate {name!r} (known: {sorted(self.predicates)})")
        args = doc.get("args") or {}
        if not isinstance(args, dict):
            raise ConditionError(f"{where}.args", "must be a mapping")
        compiled: dict[str, Any] = {}
        for arg, declared in spec.args.items():
            optional = declared.endswith("?")
            kind = declared.rstrip("?")
            if arg not in args:
                if not optional:
                    raise ConditionError(f"{where}.args", f"predicate {name!r} needs argument {arg!r}")
                continue
            compiled[arg] = self._arg(args[arg], kind, f"{where}.args.{arg}")
        extra = set(args) - set(spec.args)
        if extra:
            raise ConditionError(f"{where}.args", f"predicate {name!r} has no arguments {sorted(extra)}")
        fn = spec.fn
        frozen = dict(compiled)

        def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
            return fn(ctx, frozen)

        return _described(node, doc["describe"]) if "describe" in doc else node

    def _arg(self, value: Any, kind: str, where: str) -> Any:
        if kind == "path":
            return self._path(value, where)
        if kind == "param":
            if not isinstance(value, str):
                raise ConditionError(where, "expects a profile parameter name")
            return self._expected({"param": value}, where)
        if kind == "params":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise ConditionError(where, "expects a list of profile parameter names")
            return [self._expected({"param": v}, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict) and "param" in value:
            return self._expected(value, where)
        checks: dict[str, Callable[[Any], bool]] = {
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "str": lambda v: isinstance(v, str),
            "list": lambda v: isinstance(v, list),
            "bool": lambda v: isinstance(v, bool),
            "any": lambda v: True,
        }
        if not checks[kind](value):
            raise ConditionError(where, f"expects a value of kind {kind}")
        return value


@dataclass(frozen=True, slots=True)
class _Param:
    name: str


def resolve_expected(ctx: EvalContext, expected: Any) -> Any:
    """A literal, or the profile value for the current resource (possibly a ContextRange)."""
    return ctx.param(expected.name) if isinstance(expected, _Param) else expected


def decide(op: Callable[[Any, Any], bool], value: Any, expected: Any) -> bool | ContextRange:
    """Apply ``op``; with a ContextRange, decide only when both candidate values agree."""
    if isinstance(expected, ContextRange):
        low, high = op(value, expected.base), op(value, expected.elevated)
        return low if low == high else expected
    return op(value, expected)


def _compare(path: Path, op: str, expected: Any, default: Any, has_default: bool, describe: str | None) -> Node:
    fn = OPERATORS[op]
    text = _OP_TEXT.get(op, op)
    absence_ok = op in _ABSENCE_AWARE
    param = expected.name if isinstance(expected, _Param) else None
    as_written = expected_repr(expected)
    label, meta, operation = path.text, path.meta, path.operation
    lead = f"{describe}: " if describe else ""

    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        value, why = ctx.read(path, element, prefix)
        rec = ctx.current.record
        in_item = element is not MISSING
        if in_item:
            pointer = path.pointer(prefix, element)
        elif meta:
            pointer = path.pointer("", rec)
        else:
            pointer = path.pointer("/data", rec.get("data"))
        if why is not None:
            if has_default and why.kind is UnknownKind.MISSING:  # a default fills absent fields, never failed calls
                value = default
            elif absence_ok and why.kind is UnknownKind.MISSING:
                value = None
            else:
                ctx.observe(label, None, as_written, op, pointer)
                return why
        exp = expected if param is None else ctx.param(param)
        if isinstance(exp, ContextRange):
            result = decide(fn, value, exp)
            shown: Any = {"base": exp.base, "elevated": exp.elevated}
        else:
            result, shown = fn(value, exp), exp
        ctx.observe(label, value, shown, op, pointer)
        if isinstance(result, ContextRange):
            return Outcome(State.UNKNOWN, result.reason, UnknownKind.CONTEXT)
        absent = None if (value is not None or in_item or meta) else (rec.get("absent") or {}).get(operation or "")
        if absent:
            msg = f"{lead}{operation} answered {absent} (not configured)"
        elif op == "exists":
            msg = f"{lead}{label} is {'present' if value is not None else 'absent'}"
        elif op == "empty":
            msg = f"{lead}{label} is {'empty' if fn(value, True) else 'not empty'}"
        else:
            msg = f"{lead}{label} is {_fmt(value)} (expected {text} {_fmt(shown)})"
        return Outcome(State.TRUE if result else State.FALSE, msg)

    return node


def expected_repr(expected: Any) -> Any:
    return {"param": expected.name} if isinstance(expected, _Param) else expected


def _all(children: tuple[Node, ...]) -> Node:
    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        pending: Outcome | None = None
        reasons: list[str] = []
        for child in children:
            out = child(ctx, element, prefix)
            if out.state is State.FALSE:
                return out
            if out.state is State.UNKNOWN:
                pending = _worse(pending, out)
            else:
                reasons.append(out.reason)
        if pending is not None:
            return pending
        return true("; ".join(reasons))

    return node


def _any(children: tuple[Node, ...]) -> Node:
    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        pending: Outcome | None = None
        reasons: list[str] = []
        for child in children:
            out = child(ctx, element, prefix)
            if out.state is State.TRUE:
                return out
            if out.state is State.UNKNOWN:
                pending = _worse(pending, out)
            else:
                reasons.append(out.reason)
        if pending is not None:
            return pending
        return false("; ".join(reasons))

    return node


def _described(inner: Node, describe: str) -> Node:
    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        out = inner(ctx, element, prefix)
        return Outcome(out.state, f"{describe}: {out.reason}", out.kind, out.error)

    return node


def _worse(a: Outcome | None, b: Outcome) -> Outcome:
    if a is None:
        return b
    assert a.kind is not None and b.kind is not None
    return b if _KIND_PRIORITY[b.kind] > _KIND_PRIORITY[a.kind] else a


def _not(inner: Node) -> Node:
    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        out = inner(ctx, element, prefix)
        if out.state is State.UNKNOWN:
            return out
        return Outcome(State.FALSE if out.state is State.TRUE else State.TRUE, f"not ({out.reason})")

    return node


def _data_class(which: str) -> Node:
    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        rec = ctx.current.record
        dctx = ctx.profile.data_context(rec.get("tags") or {})
        decision = ctx.profile.is_elevated(dctx) if which == "elevated" else ctx.profile.is_regulated(dctx)
        shown = sorted(dctx.classes) if dctx.classes is not None else None
        ctx.observe(f"@data_class.{which}", shown, which, "data_class", None)
        if decision is None:
            tag = ctx.profile.data_classes["class_tag"]
            return unknown(
                f"data class unknown: no {tag!r} tag on the resource and no workload data class in the profile",
                UnknownKind.CONTEXT,
            )
        desc = f"data classes {shown} (from {dctx.source}, subjects {dctx.subjects})"
        return true(f"{desc} are {which}") if decision else false(f"{desc} are not {which}")

    return node


def _quantify(
    outcomes: list[Outcome], label: Callable[[int], str], require: str, if_none: str | None, what: str
) -> Outcome:
    """Combine per-item outcomes; ``label(i)`` names item ``i`` in the reason (built only for the item quoted)."""
    if not outcomes:
        policy = if_none or ("fail" if require == "any" else "pass")
        msg = f"no {what}"
        if policy == "pass":
            return true(msg)
        if policy == "fail":
            return false(msg)
        return unknown(msg, UnknownKind.MISSING)
    first_true = first_false = -1
    pending: Outcome | None = None
    for i, o in enumerate(outcomes):
        if o.state is State.TRUE:
            if first_true < 0:
                first_true = i
        elif o.state is State.FALSE:
            if first_false < 0:
                first_false = i
        else:
            pending = _worse(pending, o)
    if require == "all":
        if first_false >= 0:
            return false(f"{label(first_false)}: {outcomes[first_false].reason}")
        return pending or true(f"all {len(outcomes)} {what} satisfy: {outcomes[0].reason}")
    if require == "any":
        if first_true >= 0:
            return true(f"{label(first_true)}: {outcomes[first_true].reason}")
        if pending is not None:
            return pending
        if len(outcomes) == 1:
            return false(f"the only one of the {what} does not satisfy it: {outcomes[0].reason}")
        # Quoting one arbitrary item would mislead: the observations list every item's values.
        return false(f"none of the {len(outcomes)} {what} satisfies the condition")
    # none
    if first_true >= 0:
        return false(f"{label(first_true)}: {outcomes[first_true].reason}")
    return pending or true(f"none of {len(outcomes)} {what} matches")


def _each(path: Path, require: str, inner: Node, if_none: str | None, default: Any, describe: str | None) -> Node:
    what = f"items of {path.text}"

    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        value, why = ctx.read(path, element, prefix)
        if why is not None:
            if default is MISSING or why.kind is not UnknownKind.MISSING:
                return why
            value = default
        base = path.pointer(prefix if element is not MISSING else "/data")
        if value is None:
            value = []
        if not isinstance(value, list):
            return unknown(f"{path.text} is not a list", UnknownKind.MISSING)
        results = [inner(ctx, item, f"{base}/{i}") for i, item in enumerate(value)]
        return _quantify(results, lambda i: f"{path.text}[{i}]", require, if_none, what)

    return _described(node, describe) if describe else node


def _ref(link: str, require: str, inner: Node, if_none: str | None, describe: str | None) -> Node:
    what = f"related {link}"

    def node(ctx: EvalContext, element: Any, prefix: str) -> Outcome:
        links = ctx.current.record.get("links")
        ids = (links.get(link) if links else None) or []
        results: list[Outcome] = []
        saved = ctx.current
        try:
            for rid in ids:
                target = ctx.lookup(rid)
                if target is None:
                    results.append(unknown(f"related {link} {rid} is not in the inventory", UnknownKind.MISSING))
                    continue
                ctx.current = target
                results.append(inner(ctx, MISSING, ""))
        finally:
            ctx.current = saved
        return _quantify(results, ids.__getitem__, require, if_none, what)

    return _described(node, describe) if describe else node
