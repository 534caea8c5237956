"""The IAM policy a scan needs: exactly the actions behind the operations collectors declare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..interface import Operation


def iam_policy(operations: Iterable[Operation]) -> dict[str, Any]:
    actions = sorted({op.permission for op in operations})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ClearanceReadOnlyScan",
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            }
        ],
    }
