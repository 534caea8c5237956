"""Realistic ARM JSON bodies for the fake ARM server, one builder per resource kind.

Used by the Azure tests and by ``clearance demo --provider azure`` (which is why they ship in the
package). Each builder returns the body ARM returns for a GET (the ``id``/``name``/``type``/
``location`` envelope around ``properties``), with ids in real ARM form. Defaults describe a
*hardened* resource, so a caller states only the property it breaks. Keyword overrides go into
``properties`` (camelCase, exactly as on the wire); ``ABSENT`` removes a property, which is how a
test models a field ARM did not return. ``rg`` names the resource group (default :data:`RG`).
Bodies are plain dicts: tests/azure/checks/test_builders.py deserializes every builder's output
with the azure-mgmt model class to catch misspelled keys, which the SDKs otherwise ignore silently.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any, Final

SUB: Final = "00000000-0000-0000-0000-00000000c1ea"
TENANT: Final = "72f988bf-86f1-41af-91ab-2d7cd011db47"
FOREIGN_TENANT: Final = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
RG: Final = "rg-clearance-prod"
LOCATION: Final = "koreacentral"
OWNER_ROLE: Final = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR_ROLE: Final = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER_ROLE: Final = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""Override value that deletes the property: ARM did not return it."""


def sub_id(sub: str = SUB) -> str:
    return f"/subscriptions/{sub}"


def rg_id(rg: str = RG, sub: str = SUB) -> str:
    return f"{sub_id(sub)}/resourceGroups/{rg}"


def arm_id(rtype: str, *names: str, rg: str = RG, sub: str = SUB) -> str:
    """``arm_id("Microsoft.Sql/servers/databases", "sql1", "db1")`` -> the full resource id."""
    namespace, *kinds = rtype.split("/")
    if len(kinds) != len(names):
        raise ValueError(f"{rtype} needs {len(kinds)} names, got {names}")
    path = "/".join(f"{k}/{n}" for k, n in zip(kinds, names, strict=True))
    return f"{rg_id(rg, sub)}/providers/{namespace}/{path}"


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is ABSENT:
            out.pop(key, None)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resource(
    rtype: str,
    names: tuple[str, ...],
    properties: dict[str, Any],
    *,
    location: str | None = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **envelope: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": arm_id(rtype, *names, rg=rg), "name": names[-1], "type": rtype}
    if location is not None:
        body["location"] = location
    if tags is not None:
        body["tags"] = dict(tags)
    body.update(envelope)
    body["properties"] = properties
    return body


def resource_group(name: str = RG, *, location: str = LOCATION, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A resource group as ResourceGroups_List returns it."""
    body: dict[str, Any] = {
        "id": rg_id(name),
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags is not None:
        body["tags"] = dict(tags)
    return body


# -- Microsoft.Storage --------------------------------------------------------------------------------


def storage_account(
    name: str,
    *,
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    kind: str = "StorageV2",
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A StorageV2 account: CMK from Key Vault, HTTPS only, TLS 1.2, no public or shared-key access."""
    base = {
        "provisioningState": "Succeeded",
        "creationTime": "2026-03-02T01:12:44.0000000Z",
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "primaryEndpoints": {
            "blob": f"https://{name}.blob.core.windows.net/",
            "dfs": f"https://{name}.dfs.core.windows.net/",
        },
        "accessTier": "Hot",
        "supportsHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
        "allowCrossTenantReplication": False,
        "publicNetworkAccess": "Disabled",
        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
        "encryption": {
            "keySource": "Microsoft.Keyvault",
            "keyvaultproperties": {
                "keyname": "storage-cmk",
                "keyvaulturi": "https://kv-clearance.vault.azure.net/",
                "currentVersionedKeyIdentifier": "https://kv-clearance.vault.azure.net/keys/storage-cmk/4f2b9d",
            },
            "identity": {
                "userAssignedIdentity": arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-st", rg=rg)
            },
            "services": {
                "blob": {"enabled": True, "keyType": "Account"},
                "file": {"enabled": True, "keyType": "Account"},
            },
            "requireInfrastructureEncryption": True,
        },
        "privateEndpointConnections": [
            private_endpoint_connection(arm_id("Microsoft.Storage/storageAccounts", name, rg=rg), "pe-" + name, rg=rg)
        ],
    }
    return _resource(
        "Microsoft.Storage/storageAccounts",
        (name,),
        _merge(base, props),
        location=location,
        tags=tags,
        rg=rg,
        sku={"name": "Standard_ZRS", "tier": "Standard"},
        kind=kind,
    )


def blob_service(account: str, *, rg: str = RG, **props: Any) -> dict[str, Any]:
    """BlobServices_GetServiceProperties (``blobServices/default``): soft delete and versioning on."""
    base = {
        "cors": {"corsRules": []},
        "deleteRetentionPolicy": {"enabled": True, "days": 30, "allowPermanentDelete": False},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 30},
        "isVersioningEnabled": True,
        "changeFeed": {"enabled": True, "retentionInDays": 365},
    }
    body = _resource(
        "Microsoft.Storage/storageAccounts/blobServices",
        (account, "default"),
        _merge(base, props),
        location=None,
        rg=rg,
    )
    body["sku"] = {"name": "Standard_ZRS", "tier": "Standard"}
    return body


def blob_container(
    account: str, name: str, *, public_access: str = "None", rg: str = RG, **props: Any
) -> dict[str, Any]:
    """A container as BlobContainers_List returns it (``publicAccess`` None, Blob or Container)."""
    base = {
        "publicAccess": public_access,
        "leaseStatus": "Unlocked",
        "leaseState": "Available",
        "lastModifiedTime": "2026-03-02T01:20:00.0000000Z",
        "hasImmutabilityPolicy": False,
        "hasLegalHold": False,
        "defaultEncryptionScope": "$account-encryption-key",
        "denyEncryptionScopeOverride": False,
    }
    return _resource(
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        (account, "default", name),
        _merge(base, props),
        location=None,
        rg=rg,
        etag='"0x8DC1A2B3C4D5E6F"',
    )


def private_endpoint_connection(
    resource_id: str,
    endpoint: str,
    status: str = "Approved",
    *,
    actions_key: str = "actionRequired",
    named: bool = True,
    rg: str = RG,
) -> dict[str, Any]:
    """An entry of a PaaS resource's ``privateEndpointConnections``; ``rg`` is the endpoint's resource group.

    The services disagree on the shape: Storage says ``actionRequired``, Key Vault and Cognitive
    Services ``actionsRequired``; Key Vault's entries carry no ``name``.
    """
    conn_name = f"{endpoint}.{status.lower()}"
    entry: dict[str, Any] = {"id": f"{resource_id}/privateEndpointConnections/{conn_name}"}
    if named:
        entry["name"] = conn_name
    entry["properties"] = {
        "privateEndpoint": {"id": arm_id("Microsoft.Network/privateEndpoints", endpoint, rg=rg)},
        "privateLinkServiceConnectionState": {"status": status, "description": "", actions_key: "None"},
        "provisioningState": "Succeeded",
    }
    return entry


# -- Microsoft.KeyVault -------------------------------------------------------------------------------


def key_vault(
    name: str, *, location: str = LOCATION, tags: dict[str, str] | None = None, rg: str = RG, **props: Any
) -> dict[str, Any]:
    """A vault with purge protection, soft delete, RBAC authorization and no public network access."""
    base = {
        "tenantId": TENANT,
        "sku": {"family": "A", "name": "premium"},
        "accessPolicies": [],
        "vaultUri": f"https://{name}.vault.azure.net/",
        "enabledForDeployment": False,
        "enabledForDiskEncryption": False,
        "enabledForTemplateDeployment": False,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": 90,
        "enableRbacAuthorization": True,
        "enablePurgeProtection": True,
        "publicNetworkAccess": "Disabled",
        "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
        "privateEndpointConnections": [
            private_endpoint_connection(
                arm_id("Microsoft.KeyVault/vaults", name, rg=rg),
                "pe-" + name,
                actions_key="actionsRequired",
                named=False,
                rg=rg,
            )
        ],
        "provisioningState": "Succeeded",
    }
    return _resource("Microsoft.KeyVault/vaults", (name,), _merge(base, props), location=location, tags=tags, rg=rg)


def rotation_policy(
    after_create: str | None = "P90D",
    before_expiry: str | None = None,
    expiry: str | None = "P1Y",
    action: str = "rotate",
) -> dict[str, Any]:
    """A key ``rotationPolicy`` with one lifetime action (ARM spells the action type in lower case)."""
    trigger: dict[str, Any] = {}
    if after_create is not None:
        trigger["timeAfterCreate"] = after_create
    if before_expiry is not None:
        trigger["timeBeforeExpiry"] = before_expiry
    policy: dict[str, Any] = {"lifetimeActions": [{"trigger": trigger, "action": {"type": action}}]}
    if expiry is not None:
        policy["attributes"] = {"expiryTime": expiry, "created": 1772413964, "updated": 1772413964}
    return policy


def vault_key(vault: str, name: str, *, expires: int | None = 1803949964, rg: str = RG, **props: Any) -> dict[str, Any]:
    """A key as Keys_Get returns it: RSA-HSM, expiry set, rotated every 90 days."""
    attributes: dict[str, Any] = {
        "enabled": True,
        "created": 1772413964,
        "updated": 1772413964,
        "recoveryLevel": "Recoverable",
        "exportable": False,
    }
    if expires is not None:
        attributes["exp"] = expires
    base = {
        "attributes": attributes,
        "kty": "RSA-HSM",
        "keyOps": ["wrapKey", "unwrapKey"],
        "keySize": 3072,
        "keyUri": f"https://{vault}.vault.azure.net/keys/{name}",
        "keyUriWithVersion": f"https://{vault}.vault.azure.net/keys/{name}/9a1b2c3d4e5f",
        "rotationPolicy": rotation_policy(),
    }
    return _resource("Microsoft.KeyVault/vaults/keys", (vault, name), _merge(base, props), location=LOCATION, rg=rg)


# -- Microsoft.Sql --------------------------------------------------------------------------------------


def sql_server(
    name: str, *, location: str = LOCATION, tags: dict[str, str] | None = None, rg: str = RG, **props: Any
) -> dict[str, Any]:
    """A logical server: TLS 1.2, public network access disabled, Entra-only authentication."""
    base = {
        "administratorLogin": "sqladmin",
        "version": "12.0",
        "state": "Ready",
        "fullyQualifiedDomainName": f"{name}.database.windows.net",
        "minimalTlsVersion": "1.2",
        "publicNetworkAccess": "Disabled",
        "restrictOutboundNetworkAccess": "Enabled",
        "privateEndpointConnections": [
            {
                "id": arm_id("Microsoft.Sql/servers/privateEndpointConnections", name, "pe-" + name, rg=rg),
                "properties": {
                    "privateEndpoint": {"id": arm_id("Microsoft.Network/privateEndpoints", "pe-" + name, rg=rg)},
                    "privateLinkServiceConnectionState": {
                        "status": "Approved",
                        "description": "",
                        "actionsRequired": "None",
                    },
                    "provisioningState": "Ready",
                },
            }
        ],
        "administrators": {
            "administratorType": "ActiveDirectory",
            "principalType": "Group",
            "login": "sql-admins",
            "sid": "5b7c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4",
            "tenantId": TENANT,
            "azureADOnlyAuthentication": True,
        },
    }
    return _resource(
        "Microsoft.Sql/servers", (name,), _merge(base, props), location=location, tags=tags, rg=rg, kind="v12.0"
    )


def sql_database(
    server: str, name: str, *, location: str = LOCATION, tags: dict[str, str] | None = None, rg: str = RG, **props: Any
) -> dict[str, Any]:
    base = {
        "collation": "SQL_Latin1_General_CP1_CI_AS",
        "maxSizeBytes": 34359738368,
        "status": "Online",
        "databaseId": "3c9d2e1f-0a4b-4c5d-9e6f-7a8b9c0d1e2f",
        "creationDate": "2026-03-02T02:00:00Z",
        "currentServiceObjectiveName": "GP_Gen5_2",
        "zoneRedundant": True,
    }
    return _resource(
        "Microsoft.Sql/servers/databases",
        (server, name),
        _merge(base, props),
        location=location,
        tags=tags,
        rg=rg,
        sku={"name": "GP_Gen5", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 2},
        kind="v12.0,user,vcore",
    )


def encryption_protector(
    server: str, *, server_key_type: str = "AzureKeyVault", rg: str = RG, **props: Any
) -> dict[str, Any]:
    """EncryptionProtectors_Get: TDE protector from Key Vault (``ServiceManaged`` is the Microsoft key)."""
    if server_key_type == "AzureKeyVault":
        key = {
            "serverKeyName": "kv-clearance_sql-tde_8a7b6c5d",
            "uri": "https://kv-clearance.vault.azure.net/keys/sql-tde/8a7b6c5d",
            "thumbprint": "1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D",
            "autoRotationEnabled": True,
        }
    else:
        key = {"serverKeyName": "ServiceManaged", "autoRotationEnabled": False}
    base = {"serverKeyType": server_key_type, **key}
    return _resource(
        "Microsoft.Sql/servers/encryptionProtector",
        (server, "current"),
        _merge(base, props),
        location=None,
        rg=rg,
        kind="azurekeyvault" if server_key_type == "AzureKeyVault" else "servicemanaged",
    )


def transparent_data_encryption(server: str, database: str, *, state: str = "Enabled", rg: str = RG) -> dict[str, Any]:
    return _resource(
        "Microsoft.Sql/servers/databases/transparentDataEncryption",
        (server, database, "current"),
        {"state": state},
        location=None,
        rg=rg,
    )


def server_auditing(
    server: str, *, state: str = "Enabled", retention_days: int = 0, rg: str = RG, **props: Any
) -> dict[str, Any]:
    """ServerBlobAuditingPolicies_Get: ``retentionDays`` 0 keeps audit records for ever."""
    base = {
        "state": state,
        "retentionDays": retention_days,
        "storageEndpoint": "https://stauditclearance.blob.core.windows.net/",
        "storageAccountSubscriptionId": SUB,
        "auditActionsAndGroups": [
            "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
            "FAILED_DATABASE_AUTHENTICATION_GROUP",
            "BATCH_COMPLETED_GROUP",
        ],
        "isStorageSecondaryKeyInUse": False,
        "isAzureMonitorTargetEnabled": True,
        "isManagedIdentityInUse": True,
        "queueDelayMs": 1000,
    }
    return _resource(
        "Microsoft.Sql/servers/auditingSettings", (server, "default"), _merge(base, props), location=None, rg=rg
    )


def sql_firewall_rule(server: str, name: str, start: str, end: str, *, rg: str = RG) -> dict[str, Any]:
    return _resource(
        "Microsoft.Sql/servers/firewallRules",
        (server, name),
        {"startIpAddress": start, "endIpAddress": end},
        location=None,
        rg=rg,
    )


# -- Microsoft.Network ----------------------------------------------------------------------------------


def security_rule(
    name: str,
    priority: int,
    *,
    source: str | list[str] = "VirtualNetwork",
    ports: str | list[str] = "443",
    access: str = "Allow",
    direction: str = "Inbound",
    protocol: str = "Tcp",
    nsg: str = "nsg-app",
    rg: str = RG,
) -> dict[str, Any]:
    """A custom NSG rule. A list for ``source``/``ports`` fills the plural ARM fields, a string the singular."""
    props: dict[str, Any] = {
        "protocol": protocol,
        "sourcePortRange": "*",
        "destinationAddressPrefix": "*",
        "access": access,
        "priority": priority,
        "direction": direction,
        "sourcePortRanges": [],
        "destinationPortRanges": [],
        "sourceAddressPrefixes": [],
        "destinationAddressPrefixes": [],
        "provisioningState": "Succeeded",
    }
    if isinstance(source, list):
        props["sourceAddressPrefixes"] = source
    else:
        props["sourceAddressPrefix"] = source
    if isinstance(ports, list):
        props["destinationPortRanges"] = ports
    else:
        props["destinationPortRange"] = ports
    return {
        "name": name,
        "id": arm_id("Microsoft.Network/networkSecurityGroups/securityRules", nsg, name, rg=rg),
        "etag": 'W/"5d1a2b3c-0000-0000-0000-000000000000"',
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "properties": props,
    }


_DEFAULT_RULES = (
    ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer"),
    ("DenyAllInBound", 65500, "Inbound", "Deny", "*"),
    ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork"),
    ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*"),
    ("DenyAllOutBound", 65500, "Outbound", "Deny", "*"),
)


def nsg(
    name: str,
    rules: list[dict[str, Any]] | None = None,
    *,
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A network security group with ``rules`` (see :func:`security_rule`) and Azure's six default rules."""
    defaults = []
    for rule_name, priority, direction, access, source in _DEFAULT_RULES:
        rule = security_rule(
            rule_name,
            priority,
            source=source,
            ports="*",
            access=access,
            direction=direction,
            protocol="*",
            nsg=name,
            rg=rg,
        )
        rule["id"] = arm_id("Microsoft.Network/networkSecurityGroups/defaultSecurityRules", name, rule_name, rg=rg)
        rule["type"] = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"
        rule["properties"]["description"] = f"Default rule {rule_name}"
        defaults.append(rule)
    base = {
        "resourceGuid": "0f1e2d3c-4b5a-4968-8776-655443322110",
        "provisioningState": "Succeeded",
        "securityRules": rules or [],
        "defaultSecurityRules": defaults,
        "subnets": [],
    }
    return _resource(
        "Microsoft.Network/networkSecurityGroups", (name,), _merge(base, props), location=location, tags=tags, rg=rg
    )


def subnet(
    vnet: str,
    name: str,
    prefix: str = "10.10.1.0/24",
    *,
    nsg_id: str | None = None,
    route_table_id: str | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "addressPrefix": prefix,
        "provisioningState": "Succeeded",
        "privateEndpointNetworkPolicies": "Enabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
        "delegations": [],
    }
    if nsg_id is not None:
        base["networkSecurityGroup"] = {"id": nsg_id}
    if route_table_id is not None:
        base["routeTable"] = {"id": route_table_id}
    body = _resource(
        "Microsoft.Network/virtualNetworks/subnets", (vnet, name), _merge(base, props), location=None, rg=rg
    )
    body["etag"] = 'W/"7a6b5c4d-0000-0000-0000-000000000000"'
    return body


def vnet(
    name: str,
    subnets: list[dict[str, Any]] | None = None,
    *,
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    base = {
        "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
        "subnets": subnets or [],
        "virtualNetworkPeerings": [],
        "enableDdosProtection": False,
        "provisioningState": "Succeeded",
        "resourceGuid": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    }
    return _resource(
        "Microsoft.Network/virtualNetworks", (name,), _merge(base, props), location=location, tags=tags, rg=rg
    )


def route(
    name: str, prefix: str, next_hop: str, next_hop_ip: str | None = None, *, table: str = "rt-app", rg: str = RG
) -> dict[str, Any]:
    props: dict[str, Any] = {"addressPrefix": prefix, "nextHopType": next_hop, "provisioningState": "Succeeded"}
    if next_hop_ip is not None:
        props["nextHopIpAddress"] = next_hop_ip
    return {
        "name": name,
        "id": arm_id("Microsoft.Network/routeTables/routes", table, name, rg=rg),
        "type": "Microsoft.Network/routeTables/routes",
        "properties": props,
    }


def route_table(
    name: str,
    routes: list[dict[str, Any]] | None = None,
    *,
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A route table; by default its only route sends 0.0.0.0/0 to a firewall (VirtualAppliance)."""
    default = [route("default-to-firewall", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4", table=name, rg=rg)]
    base = {
        "disableBgpRoutePropagation": True,
        "routes": default if routes is None else routes,
        "subnets": [],
        "provisioningState": "Succeeded",
    }
    return _resource("Microsoft.Network/routeTables", (name,), _merge(base, props), location=location, tags=tags, rg=rg)


def private_endpoint(
    name: str,
    target_id: str,
    group_ids: list[str],
    *,
    status: str = "Approved",
    manual: bool = False,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A private endpoint to ``target_id``; ``manual`` puts the connection in the manual-approval list."""
    connection = {
        "name": f"{name}-connection",
        "id": arm_id(
            "Microsoft.Network/privateEndpoints/privateLinkServiceConnections", name, f"{name}-connection", rg=rg
        ),
        "properties": {
            "privateLinkServiceId": target_id,
            "groupIds": group_ids,
            "privateLinkServiceConnectionState": {"status": status, "description": "", "actionsRequired": "None"},
            "provisioningState": "Succeeded",
        },
    }
    base = {
        "subnet": {"id": arm_id("Microsoft.Network/virtualNetworks/subnets", "vnet-app", "snet-pe", rg=rg)},
        "privateLinkServiceConnections": [] if manual else [connection],
        "manualPrivateLinkServiceConnections": [connection] if manual else [],
        "customDnsConfigs": [],
        "provisioningState": "Succeeded",
    }
    return _resource(
        "Microsoft.Network/privateEndpoints", (name,), _merge(base, props), location=LOCATION, tags=tags, rg=rg
    )


def network_watcher(location: str = LOCATION, **props: Any) -> dict[str, Any]:
    """Azure's auto-created watcher (``NetworkWatcher_<region>`` in ``NetworkWatcherRG``)."""
    base = {"provisioningState": "Succeeded"}
    return _resource(
        "Microsoft.Network/networkWatchers",
        (f"NetworkWatcher_{location}",),
        _merge(base, props),
        location=location,
        rg="NetworkWatcherRG",
    )


def flow_log(
    name: str,
    target_id: str,
    *,
    location: str = LOCATION,
    enabled: bool = True,
    retention_days: int = 365,
    **props: Any,
) -> dict[str, Any]:
    """A flow log under the region's network watcher; ``target_id`` is a VNet, subnet, NIC or (legacy) NSG."""
    base = {
        "targetResourceId": target_id,
        "targetResourceGuid": "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901",
        "storageId": arm_id("Microsoft.Storage/storageAccounts", "stflowlogs"),
        "enabled": enabled,
        "retentionPolicy": {"days": retention_days, "enabled": retention_days > 0},
        "format": {"type": "JSON", "version": 2},
        "flowAnalyticsConfiguration": {
            "networkWatcherFlowAnalyticsConfiguration": {
                "enabled": True,
                "workspaceResourceId": arm_id("Microsoft.OperationalInsights/workspaces", "law-security"),
                "trafficAnalyticsInterval": 10,
            }
        },
        "provisioningState": "Succeeded",
    }
    return _resource(
        "Microsoft.Network/networkWatchers/flowLogs",
        (f"NetworkWatcher_{location}", name),
        _merge(base, props),
        location=location,
        rg="NetworkWatcherRG",
    )


# -- Microsoft.Insights / Microsoft.OperationalInsights -------------------------------------------------


def diagnostic_setting(
    resource_id: str,
    name: str = "to-law",
    *,
    categories: tuple[str, ...] = (),
    category_groups: tuple[str, ...] = (),
    disabled: tuple[str, ...] = (),
    workspace: str | None = "law-security",
    storage: str | None = None,
    destination_rg: str = RG,
) -> dict[str, Any]:
    """A diagnostic setting on ``resource_id`` (a resource, or ``/subscriptions/<id>`` for the activity log).

    ``disabled`` lists categories present with ``enabled: false``; the ``workspace`` and ``storage``
    destinations are names in ``destination_rg``.
    """
    logs: list[dict[str, Any]] = [{"category": c, "categoryGroup": None, "enabled": True} for c in categories]
    logs += [{"category": None, "categoryGroup": g, "enabled": True} for g in category_groups]
    logs += [{"category": c, "categoryGroup": None, "enabled": False} for c in disabled]
    is_subscription = resource_id.count("/") == 2
    if not is_subscription:
        for entry in logs:
            entry["retentionPolicy"] = {"enabled": False, "days": 0}
    props: dict[str, Any] = {
        "workspaceId": (
            arm_id("Microsoft.OperationalInsights/workspaces", workspace, rg=destination_rg) if workspace else None
        ),
        "storageAccountId": arm_id("Microsoft.Storage/storageAccounts", storage, rg=destination_rg)
        if storage
        else None,
        "eventHubAuthorizationRuleId": None,
        "eventHubName": None,
        "logs": logs,
        "logAnalyticsDestinationType": None,
    }
    if not is_subscription:
        props["metrics"] = [
            {"category": "AllMetrics", "enabled": False, "retentionPolicy": {"enabled": False, "days": 0}}
        ]
    return {
        "id": f"{resource_id}/providers/microsoft.insights/diagnosticSettings/{name}",
        "name": name,
        "type": "Microsoft.Insights/diagnosticSettings",
        "properties": props,
    }


def log_analytics_workspace(
    name: str,
    *,
    retention_days: int = 730,
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    base = {
        "provisioningState": "Succeeded",
        "customerId": "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4",
        "sku": {"name": "PerGB2018", "lastSkuUpdate": "2026-03-02T01:00:00Z"},
        "retentionInDays": retention_days,
        "features": {"enableLogAccessUsingOnlyResourcePermissions": True},
        "workspaceCapping": {"dailyQuotaGb": -1.0},
        "publicNetworkAccessForIngestion": "Enabled",
        "publicNetworkAccessForQuery": "Enabled",
        "createdDate": "2026-03-02T01:00:00Z",
        "modifiedDate": "2026-03-02T01:00:00Z",
    }
    return _resource(
        "Microsoft.OperationalInsights/workspaces", (name,), _merge(base, props), location=location, tags=tags, rg=rg
    )


def subscription(sub: str = SUB, name: str = "clearance-prod", **fields: Any) -> dict[str, Any]:
    """Subscriptions_Get (resource-subscriptions): the subscription itself."""
    body = {
        "id": sub_id(sub),
        "subscriptionId": sub,
        "tenantId": TENANT,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "EnterpriseAgreement_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": {},
    }
    body.update(fields)
    return body


# -- Microsoft.CognitiveServices -------------------------------------------------------------------------


def cognitive_account(
    name: str,
    *,
    kind: str = "OpenAI",
    location: str = LOCATION,
    tags: dict[str, str] | None = None,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """An Azure OpenAI / AI Services account locked down: private only, Entra ID auth, CMK, egress allow-list."""
    base = {
        "endpoint": f"https://{name}.openai.azure.com/",
        "internalId": "5a4b3c2d1e0f4a9b8c7d6e5f4a3b2c1d",
        "provisioningState": "Succeeded",
        "customSubDomainName": name,
        "capabilities": [
            {"name": "VirtualNetworks"},
            {"name": "CustomerManagedKey"},
            {"name": "MaxFineTuneCount", "value": "100"},
            {"name": "ContentLogging", "value": "false"},
        ],
        "networkAcls": {"defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
        "publicNetworkAccess": "Disabled",
        "disableLocalAuth": True,
        "restrictOutboundNetworkAccess": True,
        "allowedFqdnList": ["kv-clearance.vault.azure.net", "stclearanceai.blob.core.windows.net"],
        "encryption": {
            "keySource": "Microsoft.KeyVault",
            "keyVaultProperties": {
                "keyName": "openai-cmk",
                "keyVersion": "0c1d2e3f4a5b",
                "keyVaultUri": "https://kv-clearance.vault.azure.net/",
                "identityClientId": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
            },
        },
        "privateEndpointConnections": [
            private_endpoint_connection(
                arm_id("Microsoft.CognitiveServices/accounts", name, rg=rg),
                "pe-" + name,
                actions_key="actionsRequired",
                rg=rg,
            )
        ],
        "dateCreated": "2026-03-02T01:30:00.0000000Z",
    }
    return _resource(
        "Microsoft.CognitiveServices/accounts",
        (name,),
        _merge(base, props),
        location=location,
        tags=tags,
        rg=rg,
        kind=kind,
        sku={"name": "S0"},
        identity={"type": "SystemAssigned", "principalId": "6e5d4c3b-2a19-4f8e-9d7c-6b5a49382716", "tenantId": TENANT},
    )


def deployment(
    account: str,
    name: str,
    *,
    sku: str = "Standard",
    model: str = "gpt-4o",
    version: str = "2024-11-20",
    rai_policy: str | None = "clearance-strict",
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A model deployment; ``sku`` Standard processes in the account's region, Global*/DataZone* do not."""
    base: dict[str, Any] = {
        "model": {"format": "OpenAI", "name": model, "version": version},
        "versionUpgradeOption": "NoAutoUpgrade",
        "capabilities": {"chatCompletion": "true"},
        "provisioningState": "Succeeded",
        "currentCapacity": 50,
    }
    if rai_policy is not None:
        base["raiPolicyName"] = rai_policy
    return _resource(
        "Microsoft.CognitiveServices/accounts/deployments",
        (account, name),
        _merge(base, props),
        location=None,
        rg=rg,
        sku={"name": sku, "capacity": 50},
    )


def content_filter(
    name: str, source: str = "Prompt", *, enabled: bool = True, blocking: bool = True, threshold: str | None = "Medium"
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "enabled": enabled, "blocking": blocking, "source": source}
    if threshold is not None:
        entry["severityThreshold"] = threshold
    return entry


def rai_policy(
    account: str,
    name: str = "clearance-strict",
    filters: list[dict[str, Any]] | None = None,
    *,
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A content filter (RAI policy); by default harm filters on both sides plus a blocking jailbreak shield."""
    default = [
        content_filter(c, s) for s in ("Prompt", "Completion") for c in ("Hate", "Sexual", "Violence", "Selfharm")
    ]
    default += [content_filter("Jailbreak", threshold=None), content_filter("Indirect Attack", threshold=None)]
    base = {
        "type": "UserManaged",
        "mode": "Blocking",
        "basePolicyName": "Microsoft.DefaultV2",
        "contentFilters": default if filters is None else filters,
    }
    return _resource(
        "Microsoft.CognitiveServices/accounts/raiPolicies", (account, name), _merge(base, props), location=None, rg=rg
    )


# -- Microsoft.Web -----------------------------------------------------------------------------------------


def web_app(
    name: str, *, location: str = LOCATION, tags: dict[str, str] | None = None, rg: str = RG, **props: Any
) -> dict[str, Any]:
    """WebApps_List item: HTTPS only (``siteConfig`` in a list response is mostly nulls)."""
    base = {
        "state": "Running",
        "hostNames": [f"{name}.azurewebsites.net"],
        "enabled": True,
        "serverFarmId": arm_id("Microsoft.Web/serverfarms", "asp-clearance", rg=rg),
        "httpsOnly": True,
        "clientCertEnabled": False,
        "publicNetworkAccess": "Disabled",
        "defaultHostName": f"{name}.azurewebsites.net",
        "siteConfig": {"numberOfWorkers": 1, "linuxFxVersion": "PYTHON|3.12", "minTlsVersion": None, "ftpsState": None},
    }
    return _resource(
        "Microsoft.Web/sites", (name,), _merge(base, props), location=location, tags=tags, rg=rg, kind="app,linux"
    )


def web_app_config(app: str, *, rg: str = RG, **props: Any) -> dict[str, Any]:
    """WebApps_GetConfiguration (``config/web``): TLS 1.2 minimum, FTPS disabled."""
    base = {
        "numberOfWorkers": 1,
        "linuxFxVersion": "PYTHON|3.12",
        "http20Enabled": True,
        "minTlsVersion": "1.2",
        "scmMinTlsVersion": "1.2",
        "ftpsState": "Disabled",
        "remoteDebuggingEnabled": False,
        "alwaysOn": True,
    }
    return _resource("Microsoft.Web/sites/config", (app, "web"), _merge(base, props), location=None, rg=rg)


# -- Microsoft.Compute --------------------------------------------------------------------------------------


def managed_disk(
    name: str,
    *,
    encryption_type: str = "EncryptionAtRestWithCustomerKey",
    tags: dict[str, str] | None = None,
    vm: str = "vm-app",
    rg: str = RG,
    **props: Any,
) -> dict[str, Any]:
    """A managed disk attached to ``vm``; CMK types name a disk encryption set."""
    encryption: dict[str, Any] = {"type": encryption_type}
    if encryption_type != "EncryptionAtRestWithPlatformKey":
        encryption["diskEncryptionSetId"] = arm_id("Microsoft.Compute/diskEncryptionSets", "des-clearance", rg=rg)
    base = {
        "creationData": {"createOption": "Empty"},
        "diskSizeGB": 128,
        "diskIOPSReadWrite": 500,
        "diskMBpsReadWrite": 100,
        "encryption": encryption,
        "networkAccessPolicy": "DenyAll",
        "publicNetworkAccess": "Disabled",
        "timeCreated": "2026-03-02T01:40:00.0000000+00:00",
        "provisioningState": "Succeeded",
        "diskState": "Attached",
        "diskSizeBytes": 137438953472,
        "uniqueId": "8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5968",
    }
    return _resource(
        "Microsoft.Compute/disks",
        (name,),
        _merge(base, props),
        location=LOCATION,
        tags=tags,
        rg=rg,
        sku={"name": "Premium_ZRS", "tier": "Premium"},
        managedBy=arm_id("Microsoft.Compute/virtualMachines", vm, rg=rg),
    )


# -- Microsoft.Authorization --------------------------------------------------------------------------------


def role_definition_id(role: str, sub: str = SUB) -> str:
    return f"{sub_id(sub)}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def role_assignment(
    principal: str,
    role: str = READER_ROLE,
    *,
    scope: str | None = None,
    principal_type: str = "User",
    name: str | None = None,
    **props: Any,
) -> dict[str, Any]:
    """An assignment of ``role`` (a role definition GUID) to ``principal`` at ``scope`` (default: the subscription)."""
    at = scope or sub_id()
    guid = name or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{at}|{principal}|{role}"))
    base = {
        "roleDefinitionId": role_definition_id(role),
        "principalId": principal,
        "principalType": principal_type,
        "scope": at,
        "condition": None,
        "conditionVersion": None,
        "createdOn": "2026-03-02T01:50:00.0000000Z",
        "updatedOn": "2026-03-02T01:50:00.0000000Z",
        "createdBy": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
        "updatedBy": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
        "delegatedManagedIdentityResourceId": None,
        "description": None,
    }
    return {
        "id": f"{at}/providers/Microsoft.Authorization/roleAssignments/{guid}",
        "name": guid,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": _merge(base, props),
    }


def role_definition(
    name: str,
    actions: list[str],
    *,
    assignable_scopes: list[str] | None = None,
    role_type: str = "CustomRole",
    guid: str = "d1c2b3a4-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    not_actions: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": role_definition_id(guid),
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": role_type,
            "description": f"{name} (test fixture)",
            "assignableScopes": assignable_scopes if assignable_scopes is not None else [sub_id()],
            "permissions": [
                {"actions": actions, "notActions": not_actions or [], "dataActions": [], "notDataActions": []}
            ],
            "createdOn": "2026-03-02T01:55:00.0000000Z",
            "updatedOn": "2026-03-02T01:55:00.0000000Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }
