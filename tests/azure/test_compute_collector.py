"""Managed disks."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

DISK = "azure.compute.disk"


def test_disks_with_platform_and_customer_keys(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(
        b.subscription(),
        b.managed_disk("disk-cmk"),
        b.managed_disk("disk-pmk", encryption_type="EncryptionAtRestWithPlatformKey"),
    )

    got = azure_collect(services=("compute",))

    cmk = got.record(DISK, "disk-cmk")
    assert cmk["data"]["Disks_List"]["properties"]["encryption"]["type"] == "EncryptionAtRestWithCustomerKey"
    assert cmk["links"]["disk_encryption_set"] == [b.arm_id("Microsoft.Compute/diskEncryptionSets", "des-clearance")]
    assert not got.record(DISK, "disk-pmk")["links"].get("disk_encryption_set")


def test_server_error_is_recorded_without_retrying(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail("*/microsoft.compute/disks", status=500, code="InternalServerError")

    (listing,) = azure_collect(services=("compute",)).listings(DISK)

    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert (listing.error.code, listing.error.denied) == ("InternalServerError", False)
    assert len(fake_arm.calls("/microsoft.compute/disks")) == 1  # retry_total=0 in tests
