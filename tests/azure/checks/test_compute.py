"""Managed disk checks through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm


def test_disks_need_a_customer_managed_key(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.managed_disk("disk-cmk"),
        b.managed_disk("disk-double", encryption_type="EncryptionAtRestWithPlatformAndCustomerKeys"),
        b.managed_disk("disk-platform", encryption_type="EncryptionAtRestWithPlatformKey"),
        b.managed_disk("disk-no-set", encryption={"type": "EncryptionAtRestWithCustomerKey"}),
    )
    result = azure_scan(checks=["azure-compute-disk-cmk"], services=("compute",))
    assert result.verdicts("azure-compute-disk-cmk") == {
        "disk-cmk": "PASS",
        "disk-double": "PASS",
        "disk-platform": "FAIL",
        "disk-no-set": "FAIL",
    }
    assert "'EncryptionAtRestWithPlatformKey'" in result.finding("azure-compute-disk-cmk", "disk-platform")["reason"]
