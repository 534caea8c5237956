"""The custom Azure role a scan needs: exactly the RBAC actions behind the operations collectors declare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..interface import Operation

ROLE_NAME = "clearance read-only scanner"
SCOPE_PLACEHOLDER = "/subscriptions/<subscription-id>"


def role_definition(operations: Iterable[Operation], scopes: Iterable[str] = (SCOPE_PLACEHOLDER,)) -> dict[str, Any]:
    """A custom role definition in the shape ``az role definition create --role-definition`` reads.

    Replace the placeholder scope with the subscriptions (or management group) to scan; listing
    subscriptions under a management group needs the role assigned at that management group.
    """
    return {
        "Name": ROLE_NAME,
        "IsCustom": True,
        "Description": "Read-only access for clearance scans (generated from the collectors' declared operations).",
        "Actions": sorted({op.permission for op in operations}),
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": list(scopes),
    }
