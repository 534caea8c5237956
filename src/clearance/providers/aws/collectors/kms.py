"""AWS KMS keys: metadata, rotation status, key policy, tags and aliases (regional).

Every key ListKeys returns is collected, AWS-managed ones included: a bucket encrypted with
``aws/s3`` must resolve to a key record that says ``KeyManager: AWS``, or the encryption
check could not tell the firm's keys from AWS's. Each key record carries, under
``ListAliases``, only the aliases that point at it (the linker resolves alias references
to the key from them).
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, Fetched, tags_from_list
from .base import AwsCollector

KEY = "aws.kms.key"

# AWS refuses rotation status for asymmetric, HMAC, imported-material and custom-key-store
# keys with this code: recorded as that answer (data null + absent code), not as a failure.
ROTATION_UNSUPPORTED = "UnsupportedOperationException"


def fetch_all(unit: AwsUnit, service: str, op: str, key: str, **params: Any) -> Fetched:
    """A paginated per-resource call as one response ``{key: [every item]}``, or its error."""
    try:
        return Fetched(op, value={key: unit.items(service, op, key, **params)})
    except CallFailed as failed:
        return Fetched(op, error=failed.error)


def aliases_by_key(aliases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """ListAliases entries grouped by the key id they target (aliases with no target are dropped)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for alias in aliases:
        target = alias.get("TargetKeyId")
        if target:
            out.setdefault(str(target), []).append(alias)
    return out


class KmsCollector(AwsCollector):
    service = "kms"
    resource_types = (
        ResourceType(KEY, "kms", "ListKeys", "KMS key (customer and AWS managed) with rotation, policy and aliases"),
    )
    operations = (
        Operation("kms", "ListKeys", "kms:ListKeys"),
        Operation("kms", "ListAliases", "kms:ListAliases"),
        Operation("kms", "DescribeKey", "kms:DescribeKey"),
        Operation("kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus", (ROTATION_UNSUPPORTED,)),
        Operation("kms", "GetKeyPolicy", "kms:GetKeyPolicy"),
        Operation("kms", "ListResourceTags", "kms:ListResourceTags"),
    )

    def collect(self, unit: AwsUnit) -> None:
        keys = unit.list_all(KEY, "kms", "ListKeys", "Keys")
        if keys is None:
            return
        aliases = fetch_all(unit, "kms", "ListAliases", "Aliases")
        grouped = aliases_by_key(aliases.value["Aliases"]) if isinstance(aliases.value, dict) else {}
        unit.parallel(lambda item: self._key(unit, item, aliases, grouped.get(str(item["KeyId"]), [])), keys)

    def _key(self, unit: AwsUnit, item: dict[str, Any], aliases: Fetched, mine: list[dict[str, Any]]) -> None:
        key_id = str(item["KeyId"])
        arn = str(item.get("KeyArn") or unit.arn("kms", f"key/{key_id}"))
        names = sorted(str(a["AliasName"]) for a in mine if a.get("AliasName"))
        builder = unit.builder(KEY, arn, names[0] if names else key_id)
        builder.data["ListKeys"] = item
        if aliases.error is not None:
            builder.attach(aliases)
        else:
            builder.data["ListAliases"] = mine
        builder.attach(unit.fetch("kms", "DescribeKey", KeyId=key_id))
        builder.attach(unit.fetch("kms", "GetKeyRotationStatus", KeyId=key_id))
        builder.attach(unit.fetch("kms", "GetKeyPolicy", KeyId=key_id, PolicyName="default"))
        tags = builder.attach(fetch_all(unit, "kms", "ListResourceTags", "Tags", KeyId=key_id))
        if isinstance(tags.value, dict):
            builder.tags = tags_from_list(tags.value["Tags"], "TagKey", "TagValue")
        unit.emit(builder)


COLLECTORS = (KmsCollector,)
