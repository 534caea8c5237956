"""Fixture for the Azure check tests: the fake ARM server already serving the subscription."""

from __future__ import annotations

import pytest

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm


@pytest.fixture
def arm(fake_arm: FakeArm) -> FakeArm:
    """``fake_arm`` with the scanned subscription in it (every scan starts with Subscriptions_Get)."""
    fake_arm.put(b.sub_id(), b.subscription())
    return fake_arm
