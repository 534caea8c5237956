"""Storage accounts: encryption, TLS, public access, network rules, blob service, containers, blob logging.

The blob service details are read only for account kinds that have a blob service (not
``FileStorage``); for those the keys are absent and a check reading them must say so.
A customer-managed key is linked as ``key_vault_key`` (its key URI; the linker resolves it to
the collected Key Vault key).
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit
from .base import DIAGNOSTIC_SETTINGS, AzureCollector, attach_diagnostics, key_uri, link_common, link_key, properties

ACCOUNT = "azure.storage.account"
NO_BLOB_SERVICE = frozenset({"filestorage"})


class StorageCollector(AzureCollector):
    service = "storage"
    resource_types = (
        ResourceType(ACCOUNT, "storage", "StorageAccounts_List", "Storage account with its blob service"),
    )
    operations = (
        Operation("storage", "StorageAccounts_List", "Microsoft.Storage/storageAccounts/read"),
        Operation(
            "storage", "BlobServices_GetServiceProperties", "Microsoft.Storage/storageAccounts/blobServices/read"
        ),
        Operation("storage", "BlobContainers_List", "Microsoft.Storage/storageAccounts/blobServices/containers/read"),
        DIAGNOSTIC_SETTINGS,
    )

    def collect(self, unit: AzureUnit) -> None:
        accounts = unit.list_all(ACCOUNT, "storage", "StorageAccounts_List")
        unit.parallel(lambda item: self._account(unit, item), accounts or [])

    def _account(self, unit: AzureUnit, item: dict[str, Any]) -> None:
        builder = unit.builder(ACCOUNT, item)
        builder.data["StorageAccounts_List"] = item
        link_common(builder, item)
        encryption = properties(item).get("encryption") or {}
        if str(encryption.get("keySource", "")).lower() == "microsoft.keyvault":
            kv = encryption.get("keyvaultproperties") or {}
            link_key(builder, key_uri(kv.get("keyvaulturi"), kv.get("keyname")))
        if str(item.get("kind", "")).lower() not in NO_BLOB_SERVICE:
            rg, name = ids.resource_group(builder.id), builder.name
            builder.attach(unit.fetch("storage", "BlobServices_GetServiceProperties", rg, name))
            builder.attach(unit.fetch_list("storage", "BlobContainers_List", rg, name))
            attach_diagnostics(unit, builder, f"{builder.id}/blobServices/default", key="BlobDiagnosticSettings_List")
        unit.emit(builder)


COLLECTORS = (StorageCollector,)
