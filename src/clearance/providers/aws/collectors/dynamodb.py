"""Amazon DynamoDB tables (regional): encryption, replicas, point-in-time recovery and tags.

DescribeTable answers ``SSEDescription`` only when the table is encrypted with a KMS key
(AWS-managed ``aws/dynamodb`` or customer-managed, named by ``KMSMasterKeyArn``); a table on
the default AWS-owned key has none. The table links to that key (``kms_key``) so checks can
ask KMS whether the firm manages it. ``Replicas`` (global tables) name every region holding
a copy of the data.
"""

from __future__ import annotations

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, tags_from_list
from .base import AwsCollector
from .kms import fetch_all

TABLE = "aws.dynamodb.table"


class DynamoDbCollector(AwsCollector):
    service = "dynamodb"
    resource_types = (
        ResourceType(TABLE, "dynamodb", "ListTables", "DynamoDB table with encryption, replicas and backups"),
    )
    operations = (
        Operation("dynamodb", "ListTables", "dynamodb:ListTables"),
        Operation("dynamodb", "DescribeTable", "dynamodb:DescribeTable"),
        Operation("dynamodb", "DescribeContinuousBackups", "dynamodb:DescribeContinuousBackups"),
        Operation("dynamodb", "ListTagsOfResource", "dynamodb:ListTagsOfResource"),
    )

    def collect(self, unit: AwsUnit) -> None:
        names = unit.list_all(TABLE, "dynamodb", "ListTables", "TableNames")
        if names is not None:
            unit.parallel(lambda name: self._table(unit, str(name)), names)

    def _table(self, unit: AwsUnit, name: str) -> None:
        described = unit.fetch("dynamodb", "DescribeTable", TableName=name)
        table = (described.value.get("Table") if isinstance(described.value, dict) else None) or {}
        arn = str(table.get("TableArn") or unit.arn("dynamodb", f"table/{name}"))
        builder = unit.builder(TABLE, arn, name)
        builder.attach(described)
        builder.link("kms_key", (table.get("SSEDescription") or {}).get("KMSMasterKeyArn"))
        builder.attach(unit.fetch("dynamodb", "DescribeContinuousBackups", TableName=name))
        tags = builder.attach(fetch_all(unit, "dynamodb", "ListTagsOfResource", "Tags", ResourceArn=arn))
        if isinstance(tags.value, dict):
            builder.tags = tags_from_list(tags.value["Tags"])
        unit.emit(builder)


COLLECTORS = (DynamoDbCollector,)
