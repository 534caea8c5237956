"""Cloud KMS keys (rotation, protection level, IAM) with their key ring and its IAM policy.

KMS has no cross-location list, so key rings are listed in every location the API reports for
the project; a location whose list fails makes the key listing FAILED in that region only.
Key-ring IAM is inherited by every key in the ring, so each key record carries both policies.
"""

from __future__ import annotations

from typing import Any

from ....model import CollectionError
from ...interface import ResourceType
from .. import ids
from ..operations import gcp_op
from ..unit import Fetched, GcpUnit, ResourceBuilder
from .base import GcpCollector

KEY = "gcp.kms.key"


class KmsCollector(GcpCollector):
    service = "kms"
    resource_types = (
        ResourceType(KEY, "kms", "CryptoKeys_List", "Cloud KMS key with its key ring and both IAM policies"),
    )
    operations = (
        gcp_op("cloudkms", "cloudkms.projects.locations.list", "cloudkms.locations.list", items="locations"),
        gcp_op("cloudkms", "cloudkms.projects.locations.keyRings.list", "cloudkms.keyRings.list", items="keyRings"),
        gcp_op(
            "cloudkms",
            "cloudkms.projects.locations.keyRings.cryptoKeys.list",
            "cloudkms.cryptoKeys.list",
            items="cryptoKeys",
        ),
        gcp_op("cloudkms", "cloudkms.projects.locations.keyRings.getIamPolicy", "cloudkms.keyRings.getIamPolicy"),
        gcp_op(
            "cloudkms",
            "cloudkms.projects.locations.keyRings.cryptoKeys.getIamPolicy",
            "cloudkms.cryptoKeys.getIamPolicy",
        ),
    )

    def collect(self, unit: GcpUnit) -> None:
        # Three flat phases on the shared pool (never nested: a pool waiting on itself can deadlock).
        locations = unit.locations((KEY,), "cloudkms", "Locations_List")
        if locations is None:
            return
        parents = [f"projects/{unit.account}/locations/{loc}" for loc in locations]
        failures: dict[str, CollectionError] = {}
        rings: list[dict[str, Any]] = []
        for fetched, parent in zip(
            unit.parallel(lambda p: unit.fetch("cloudkms", "KeyRings_List", parent=p), parents), parents, strict=True
        ):
            if fetched.error is not None:
                failures[ids.location(parent)] = fetched.error
            rings.extend(r for r in fetched.value or [] if isinstance(r, dict) and r.get("name"))
        keys: list[tuple[dict[str, Any], Fetched, dict[str, Any]]] = []
        for ring, policy, listed in unit.parallel(lambda ring: self._ring(unit, ring), rings):
            if listed.error is not None:
                failures.setdefault(ids.location(ring["name"]), listed.error)
            keys.extend((ring, policy, k) for k in listed.value or [] if isinstance(k, dict) and k.get("name"))
        built = unit.parallel(lambda job: self._key(unit, *job), keys)
        for builder in built:
            unit.emit(builder)
        unit.listed(KEY, "CryptoKeys_List", [b.region for b in built], failures)

    def _ring(self, unit: GcpUnit, ring: dict[str, Any]) -> tuple[dict[str, Any], Fetched, Fetched]:
        """The ring's IAM policy and its key list."""
        name = str(ring["name"])
        policy = unit.fetch("cloudkms", "KeyRings_GetIamPolicy", resource=name, options_requestedPolicyVersion=3)
        return ring, policy, unit.fetch("cloudkms", "CryptoKeys_List", parent=name)

    def _key(self, unit: GcpUnit, ring: dict[str, Any], ring_policy: Fetched, item: dict[str, Any]) -> ResourceBuilder:
        name = str(item["name"])
        builder = unit.builder(KEY, str(ids.kms_key_id(name)), ids.last(name), ids.location(name), item.get("labels"))
        builder.data["CryptoKeys_List"] = item
        builder.data["KeyRings_List"] = ring
        builder.attach(ring_policy)
        builder.attach(
            unit.fetch("cloudkms", "CryptoKeys_GetIamPolicy", resource=name, options_requestedPolicyVersion=3)
        )
        return builder


COLLECTORS = (KmsCollector,)
