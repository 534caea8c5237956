"""AWS Secrets Manager secrets (regional): metadata only, never a secret value.

ListSecrets gives everything the checks need in one paginated call: the encryption key
(``KmsKeyId``; absent means the AWS-managed ``aws/secretsmanager`` key), rotation settings,
replication regions and tags. No per-secret call is made, and GetSecretValue is never
declared, so the read-only guard refuses it even by mistake.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, ResourceBuilder, tags_from_list
from .base import AwsCollector

SECRET = "aws.secretsmanager.secret"


class SecretsManagerCollector(AwsCollector):
    service = "secretsmanager"
    resource_types = (
        ResourceType(SECRET, "secretsmanager", "ListSecrets", "Secrets Manager secret (metadata, no value)"),
    )
    operations = (Operation("secretsmanager", "ListSecrets", "secretsmanager:ListSecrets"),)

    def collect(self, unit: AwsUnit) -> None:
        for item in unit.list_all(SECRET, "secretsmanager", "ListSecrets", "SecretList") or []:
            unit.emit(self._secret(unit, item))

    def _secret(self, unit: AwsUnit, item: dict[str, Any]) -> ResourceBuilder:
        arn = str(item["ARN"])
        builder = unit.builder(SECRET, arn, str(item.get("Name") or arn), tags=tags_from_list(item.get("Tags")))
        builder.data["ListSecrets"] = item
        builder.link("kms_key", item.get("KmsKeyId"))
        return builder


COLLECTORS = (SecretsManagerCollector,)
