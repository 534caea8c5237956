"""Placeholder: this collector is being written (see the AWS provider work)."""

from __future__ import annotations

COLLECTORS: tuple[type, ...] = ()
