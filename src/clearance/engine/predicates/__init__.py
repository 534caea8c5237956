"""Named predicates: the few checks that need code, registered and unit-tested.

A check calls one with ``{predicate: NAME, args: {...}}``. Each predicate declares its
arguments (validated when the check loads) and returns a three-valued Outcome that records
the observations it relied on, exactly like a declarative comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module

from ..conditions import PredicateFn, PredicateSpec

_REGISTRY: dict[str, PredicateSpec] = {}
_MODULES = ("network", "policy", "aws", "aws_monitoring", "params", "azure", "gcp")
_loaded = False


def predicate(name: str, **args: str) -> Callable[[PredicateFn], PredicateFn]:
    """Register ``fn`` under ``name``; ``args`` maps argument names to kinds (``path``, ``param``, ``int``...)."""

    def register(fn: PredicateFn) -> PredicateFn:
        if name in _REGISTRY:
            raise ValueError(f"predicate {name!r} registered twice")
        _REGISTRY[name] = PredicateSpec(name, fn, dict(args), (fn.__doc__ or "").strip())
        return fn

    return register


def registry() -> Mapping[str, PredicateSpec]:
    global _loaded
    if not _loaded:
        for module in _MODULES:
            import_module(f"{__name__}.{module}")
        _loaded = True
    return _REGISTRY
