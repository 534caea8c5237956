"""Azure SQL logical servers (TLS, public access, firewall, TDE protector, auditing) and their databases.

The encryption protector links the server to its Key Vault key (``key_vault_key``) when it is
customer-managed. Databases include the system ``master`` database, exactly as ARM lists them.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from .. import ids
from ..unit import AzureUnit, ResourceBuilder
from .base import AzureCollector, emit_with_children, link_common, link_key, properties

SERVER = "azure.sql.server"
DATABASE = "azure.sql.database"


class SqlCollector(AzureCollector):
    service = "sql"
    resource_types = (
        ResourceType(SERVER, "sql", "Servers_List", "Azure SQL logical server"),
        ResourceType(DATABASE, "sql", "Databases_ListByServer", "Azure SQL database with its TDE state"),
    )
    operations = (
        Operation("sql", "Servers_List", "Microsoft.Sql/servers/read"),
        Operation("sql", "EncryptionProtectors_Get", "Microsoft.Sql/servers/encryptionProtector/read"),
        Operation("sql", "ServerBlobAuditingPolicies_Get", "Microsoft.Sql/servers/auditingSettings/read"),
        Operation("sql", "FirewallRules_ListByServer", "Microsoft.Sql/servers/firewallRules/read"),
        Operation("sql", "Databases_ListByServer", "Microsoft.Sql/servers/databases/read"),
        Operation(
            "sql",
            "TransparentDataEncryptions_Get",
            "Microsoft.Sql/servers/databases/transparentDataEncryption/read",
        ),
    )

    def collect(self, unit: AzureUnit) -> None:
        servers = unit.list_all(SERVER, "sql", "Servers_List", children=(DATABASE,))
        if servers is None:
            return
        builders = unit.parallel(lambda item: self._server(unit, item), servers)
        emit_with_children(
            unit, builders, "Databases_ListByServer", DATABASE, None, lambda s, i: self._database(unit, s, i)
        )

    def _server(self, unit: AzureUnit, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(SERVER, item)
        builder.data["Servers_List"] = item
        link_common(builder, item)
        rg, name = ids.resource_group(builder.id), builder.name
        protector = builder.attach(unit.fetch("sql", "EncryptionProtectors_Get", rg, name, "current"))
        props = properties(protector.value)
        if str(props.get("serverKeyType", "")).lower() == "azurekeyvault":
            link_key(builder, props.get("uri"))
        builder.attach(unit.fetch("sql", "ServerBlobAuditingPolicies_Get", rg, name))
        builder.attach(unit.fetch_list("sql", "FirewallRules_ListByServer", rg, name))
        builder.attach(unit.fetch_list("sql", "Databases_ListByServer", rg, name))
        return builder

    def _database(self, unit: AzureUnit, server: ResourceBuilder, item: dict[str, Any]) -> ResourceBuilder:
        builder = unit.builder(DATABASE, item, region=server.region)
        builder.data["Databases_ListByServer"] = item
        builder.link("server", server.id)
        builder.link("resource_group", ids.resource_group_id(builder.id))
        rg = ids.resource_group(server.id)
        builder.attach(unit.fetch("sql", "TransparentDataEncryptions_Get", rg, server.name, builder.name, "current"))
        return builder


COLLECTORS = (SqlCollector,)
