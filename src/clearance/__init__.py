"""clearance: is this cloud workload ready to go live, and can we prove it to the regulator?

Public API (imports are lazy so ``import clearance`` stays cheap)::

    clearance.collect(scope, out_dir) -> Inventory
    clearance.evaluate(inventory, profile=...) -> Results
    clearance.scan(scope, out_dir, profile=...) -> Results
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Inventory, collect, evaluate, scan
    from .engine.runner import Results
    from .model import Finding, Resource, Severity, Verdict
    from .profile import Profile, load_profile
    from .scope import Scope, TagFilter

__all__ = [
    "Finding",
    "Inventory",
    "Profile",
    "Resource",
    "Results",
    "Scope",
    "Severity",
    "TagFilter",
    "Verdict",
    "__version__",
    "collect",
    "evaluate",
    "load_profile",
    "scan",
]

_LAZY = {
    "collect": "api",
    "evaluate": "api",
    "scan": "api",
    "Inventory": "api",
    "Results": "engine.runner",
    "Finding": "model",
    "Resource": "model",
    "Severity": "model",
    "Verdict": "model",
    "Profile": "profile",
    "load_profile": "profile",
    "Scope": "scope",
    "TagFilter": "scope",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clearance' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
