"""Cognitive Services / Azure OpenAI accounts: local auth, network, egress, encryption, deployments, RAI policies.

Deployments and content-filter (RAI) policies exist only on ``OpenAI`` and ``AIServices``
accounts; for other kinds they are not requested, so their data keys are absent.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit
from .base import DIAGNOSTIC_SETTINGS, AzureCollector, attach_diagnostics, key_uri, link_common, link_key, properties

ACCOUNT = "azure.cognitiveservices.account"
GENERATIVE_KINDS = frozenset({"openai", "aiservices"})


class CognitiveServicesCollector(AzureCollector):
    service = "cognitiveservices"
    resource_types = (
        ResourceType(ACCOUNT, "cognitiveservices", "Accounts_List", "Cognitive Services / Azure OpenAI account"),
    )
    operations = (
        Operation("cognitiveservices", "Accounts_List", "Microsoft.CognitiveServices/accounts/read"),
        Operation("cognitiveservices", "Deployments_List", "Microsoft.CognitiveServices/accounts/deployments/read"),
        Operation("cognitiveservices", "RaiPolicies_List", "Microsoft.CognitiveServices/accounts/raiPolicies/read"),
        DIAGNOSTIC_SETTINGS,
    )

    def collect(self, unit: AzureUnit) -> None:
        accounts = unit.list_all(ACCOUNT, "cognitiveservices", "Accounts_List")
        unit.parallel(lambda item: self._account(unit, item), accounts or [])

    def _account(self, unit: AzureUnit, item: dict[str, Any]) -> None:
        builder = unit.builder(ACCOUNT, item)
        builder.data["Accounts_List"] = item
        link_common(builder, item)
        encryption = properties(item).get("encryption") or {}
        if str(encryption.get("keySource", "")).lower() == "microsoft.keyvault":
            kv = encryption.get("keyVaultProperties") or {}
            link_key(builder, key_uri(kv.get("keyVaultUri"), kv.get("keyName")))
        if str(item.get("kind", "")).lower() in GENERATIVE_KINDS:
            rg = ids.resource_group(builder.id)
            builder.attach(unit.fetch_list("cognitiveservices", "Deployments_List", rg, builder.name))
            builder.attach(unit.fetch_list("cognitiveservices", "RaiPolicies_List", rg, builder.name))
        attach_diagnostics(unit, builder, builder.id)
        unit.emit(builder)


COLLECTORS = (CognitiveServicesCollector,)
