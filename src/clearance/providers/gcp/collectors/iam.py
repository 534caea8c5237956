"""Service accounts and their user-managed keys (long-lived credentials a workload should not hold).

Only ``USER_MANAGED`` keys are listed: Google-managed keys rotate automatically and cannot be
downloaded. The keys are stored on the account (``Keys_List``, an array of the answer's items),
with ``Keys_ListTime``, the UTC time the list was answered: key ages count back from it, so
re-evaluating a stored inventory years later gives the same verdicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import GcpUnit
from .base import GcpCollector

ACCOUNT = "gcp.iam.service-account"


class IamCollector(GcpCollector):
    service = "iam"
    resource_types = (
        ResourceType(ACCOUNT, "iam", "ServiceAccounts_List", "Service account with its user-managed keys"),
    )
    operations = (
        gcp_op("iam", "iam.projects.serviceAccounts.list", "iam.serviceAccounts.list", items="accounts"),
        gcp_op("iam", "iam.projects.serviceAccounts.keys.list", "iam.serviceAccountKeys.list", items="keys"),
    )

    def collect(self, unit: GcpUnit) -> None:
        found = unit.list_all(
            ACCOUNT,
            "iam",
            "ServiceAccounts_List",
            lambda _: ids.GLOBAL_REGION,
            regional=False,
            name=f"projects/{unit.account}",
        )
        unit.parallel(lambda item: self._account(unit, item), [i for i in found or [] if i.get("name")])

    def _account(self, unit: GcpUnit, item: dict[str, Any]) -> None:
        name = str(item["name"])
        label = ids.text(item.get("email")) or ids.last(name)
        builder = unit.builder(ACCOUNT, ids.full_name(ids.IAM_HOST, name), label, ids.GLOBAL_REGION)
        builder.data["ServiceAccounts_List"] = item
        keys = builder.attach(unit.fetch("iam", "Keys_List", name=name, keyTypes="USER_MANAGED"))
        if keys.error is None:
            builder.data["Keys_ListTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        unit.emit(builder)


COLLECTORS = (IamCollector,)
