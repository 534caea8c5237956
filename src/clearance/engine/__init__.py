"""The check engine: load declarative checks, evaluate them over a stored inventory."""

from __future__ import annotations

from .checks import Check, CheckSet, load_checks
from .runner import Evaluator, Results, Summary

__all__ = ["Check", "CheckSet", "Evaluator", "Results", "Summary", "load_checks"]
