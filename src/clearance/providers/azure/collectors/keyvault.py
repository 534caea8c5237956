"""Key Vaults (purge protection, RBAC mode, network rules, private endpoints, diagnostics) and their keys.

Keys are read through ARM (``Microsoft.KeyVault/vaults/keys``), never the data plane: ``Keys_Get``
carries ``attributes.exp`` and the ``rotationPolicy``, and needs no key permission inside the vault.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit, ResourceBuilder
from .base import DIAGNOSTIC_SETTINGS, AzureCollector, attach_diagnostics, emit_with_children, link_common

VAULT = "azure.keyvault.vault"
KEY = "azure.keyvault.key"


class KeyVaultCollector(AzureCollector):
    service = "keyvault"
    resource_types = (
        ResourceType(VAULT, "keyvault", "Vaults_ListBySubscription", "Key Vault"),
        ResourceType(KEY, "keyvault", "Keys_List", "Key Vault key with its rotation policy"),
    )
    operations = (
        Operation("keyvault", "Vaults_ListBySubscription", "Microsoft.KeyVault/vaults/read"),
        Operation("keyvault", "Keys_List", "Microsoft.KeyVault/vaults/keys/read"),
        Operation("keyvault", "Keys_Get", "Microsoft.KeyVault/vaults/keys/read"),
        DIAGNOSTIC_SETTINGS,
    )

    def collect(self, unit: AzureUnit) -> None:
        vaults = unit.list_all(VAULT, "keyvault", "Vaults_ListBySubscription", children=(KEY,))
        if vaults is None:
            return
        builders = unit.parallel(lambda item: self._vault(unit, item), vaults)
        emit_with_children(unit, builders, "Keys_List", KEY, None, lambda vault, item: self._key(unit, vault, item))

    def _vault(self, unit: AzureUnit, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(VAULT, item)
        builder.data["Vaults_ListBySubscription"] = item
        link_common(builder, item)
        attach_diagnostics(unit, builder, builder.id)
        builder.attach(unit.fetch_list("keyvault", "Keys_List", ids.resource_group(builder.id), builder.name))
        return builder

    def _key(self, unit: AzureUnit, vault: ResourceBuilder, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(KEY, item, region=vault.region)
        builder.data["Keys_List"] = item
        builder.link("vault", vault.id)
        builder.attach(unit.fetch("keyvault", "Keys_Get", ids.resource_group(vault.id), vault.name, builder.name))
        return builder


COLLECTORS = (KeyVaultCollector,)
