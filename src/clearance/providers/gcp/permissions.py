"""The custom GCP role a scan needs: exactly the IAM permissions behind the operations collectors declare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..interface import Operation

ROLE_TITLE = "clearance read-only scanner"


def custom_role(operations: Iterable[Operation]) -> dict[str, Any]:
    """A custom role in the shape ``gcloud iam roles create ROLE_ID --project=P --file=role.json`` reads.

    Grant it on each project to scan (or on the folder/organization above them); listing the
    projects of an organization or folder also needs it there. Reading VPC Service Controls
    perimeters needs it on the organization (access policies live there).
    """
    return {
        "title": ROLE_TITLE,
        "description": "Read-only access for clearance scans (generated from the collectors' declared operations).",
        "stage": "GA",
        "includedPermissions": sorted({op.permission for op in operations}),
    }
