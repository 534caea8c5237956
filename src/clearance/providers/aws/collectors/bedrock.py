"""Amazon Bedrock (regional): invocation logging, data retention, guardrails and custom models.

Invocation logging and the data-retention mode are settings of an account in one region, so
each region gets one ``aws.bedrock.region-settings`` record (account-level) holding the
GetModelInvocationLoggingConfiguration and GetAccountDataRetention answers and the
ListGuardrails listing. It links to the invocation-log destinations (``log_bucket``,
``log_group``) and to the region's ``guardrails``, so a check can ask "does this region have
a guardrail that filters prompt attacks" and get ERROR, not FAIL, when the listing failed.

Guardrails are read with GetGuardrail without a version, i.e. the working draft (what
ListGuardrails lists); custom models with GetCustomModel for ``modelKmsKeyArn``.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, Fetched, ResourceBuilder
from .base import AwsCollector
from .kms import fetch_all

REGION_SETTINGS = "aws.bedrock.region-settings"
GUARDRAIL = "aws.bedrock.guardrail"
CUSTOM_MODEL = "aws.bedrock.custom-model"


class BedrockCollector(AwsCollector):
    service = "bedrock"
    resource_types = (
        ResourceType(
            REGION_SETTINGS,
            "bedrock",
            "GetModelInvocationLoggingConfiguration",
            "Bedrock settings of one region: invocation logging, data retention mode, guardrail listing",
            account_level=True,
        ),
        ResourceType(GUARDRAIL, "bedrock", "ListGuardrails", "Bedrock guardrail (working draft) with its policies"),
        ResourceType(CUSTOM_MODEL, "bedrock", "ListCustomModels", "Bedrock custom (fine-tuned) model"),
    )
    operations = (
        Operation(
            "bedrock", "GetModelInvocationLoggingConfiguration", "bedrock:GetModelInvocationLoggingConfiguration"
        ),
        Operation("bedrock", "GetAccountDataRetention", "bedrock:GetAccountDataRetention"),
        Operation("bedrock", "ListGuardrails", "bedrock:ListGuardrails"),
        Operation("bedrock", "GetGuardrail", "bedrock:GetGuardrail"),
        Operation("bedrock", "ListCustomModels", "bedrock:ListCustomModels"),
        Operation("bedrock", "GetCustomModel", "bedrock:GetCustomModel"),
        Operation("bedrock", "ListTagsForResource", "bedrock:ListTagsForResource"),
    )

    def collect(self, unit: AwsUnit) -> None:
        settings = unit.builder(REGION_SETTINGS, unit.arn("bedrock", "region-settings"), unit.region)
        logging = settings.attach(unit.fetch("bedrock", "GetModelInvocationLoggingConfiguration"))
        self._link_destinations(unit, settings, logging)
        settings.attach(unit.fetch("bedrock", "GetAccountDataRetention"))
        guardrails = settings.attach(fetch_all(unit, "bedrock", "ListGuardrails", "guardrails"))
        if guardrails.error is not None:
            unit.list_failed(GUARDRAIL, "ListGuardrails", guardrails.error)
        else:
            items = guardrails.value["guardrails"] if isinstance(guardrails.value, dict) else []
            settings.link("guardrails", *(str(g["arn"]) for g in items))
            unit.parallel(lambda item: self._guardrail(unit, item), items)
            unit.listed(GUARDRAIL, "ListGuardrails", len(items))
        unit.emit(settings)
        unit.listed(REGION_SETTINGS, "GetModelInvocationLoggingConfiguration", 1)
        models = unit.list_all(CUSTOM_MODEL, "bedrock", "ListCustomModels", "modelSummaries")
        if models is not None:
            unit.parallel(lambda item: self._custom_model(unit, item), models)

    def _link_destinations(self, unit: AwsUnit, settings: ResourceBuilder, logging: Fetched) -> None:
        value = logging.value if isinstance(logging.value, dict) else {}
        config: dict[str, Any] = value.get("loggingConfig") or {}
        cloudwatch = config.get("cloudWatchConfig") or {}
        for s3 in (config.get("s3Config"), cloudwatch.get("largeDataDeliveryS3Config")):
            if s3 and s3.get("bucketName"):
                settings.link("log_bucket", f"arn:{unit.partition}:s3:::{s3['bucketName']}")
        if cloudwatch.get("logGroupName"):
            settings.link("log_group", unit.arn("logs", f"log-group:{cloudwatch['logGroupName']}"))

    def _tags(self, unit: AwsUnit, builder: ResourceBuilder, arn: str) -> None:
        tags = builder.attach(unit.fetch("bedrock", "ListTagsForResource", resourceARN=arn))
        if isinstance(tags.value, dict):
            builder.tags = {str(t["key"]): str(t.get("value", "")) for t in tags.value.get("tags") or []}

    def _guardrail(self, unit: AwsUnit, item: dict[str, Any]) -> None:
        arn = str(item["arn"])
        builder = unit.builder(GUARDRAIL, arn, str(item.get("name") or item.get("id") or arn))
        builder.data["ListGuardrails"] = item
        detail = builder.attach(unit.fetch("bedrock", "GetGuardrail", guardrailIdentifier=str(item.get("id") or arn)))
        if isinstance(detail.value, dict):
            builder.link("kms_key", detail.value.get("kmsKeyArn"))
        self._tags(unit, builder, arn)
        unit.emit(builder)

    def _custom_model(self, unit: AwsUnit, item: dict[str, Any]) -> None:
        arn = str(item["modelArn"])
        builder = unit.builder(CUSTOM_MODEL, arn, str(item.get("modelName") or arn))
        builder.data["ListCustomModels"] = item
        detail = builder.attach(unit.fetch("bedrock", "GetCustomModel", modelIdentifier=arn))
        if isinstance(detail.value, dict):
            builder.link("kms_key", detail.value.get("modelKmsKeyArn"))
        self._tags(unit, builder, arn)
        unit.emit(builder)


COLLECTORS = (BedrockCollector,)
