"""Build the Azure demo workload on the project's fake ARM server (:class:`~clearance.fakes.arm.FakeArm`).

The workload is the Azure twin of the AWS demo: a Korean card company's front-office CRM with a
gen-AI assistant in koreacentral. ``rg-crm-prod`` holds the CRM (export storage account with a
customer-managed key, SQL server and database with TDE and auditing, App Service portal, batch VM
disks, key vaults, Log Analytics); ``rg-ai-prod`` holds the Azure OpenAI account with its model
deployments and content filter. The spoke network (VNet, subnets, NSGs, a route table sending
egress to the hub firewall, private endpoints), the shared key vault and Network Watcher with its
VNet flow log carry no workload tag: a ``workload=crm`` scan must pull them in through links,
exactly as the AWS demo's shared KMS keys and VPC. A sandbox account in ``rg-sandbox-dev`` has no
workload tag and nothing links to it, so the scan leaves it out.

Everything is configured the compliant way except the deliberate gaps in :data:`GAPS`. The bodies
are what ARM returns (built by :mod:`clearance.fakes.arm_builders`), so the real azure-mgmt clients
and collectors read them exactly as they would read ARM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..fakes import arm_builders as b
from .seed import CREDIT, WORKLOAD, Gap

if TYPE_CHECKING:
    from ..fakes.arm import FakeArm

SUBSCRIPTION = b.SUB
LOCATION = "koreacentral"
RG_CRM = "rg-crm-prod"
RG_AI = "rg-ai-prod"
RG_SANDBOX = "rg-sandbox-dev"
RG_WATCHER = "NetworkWatcherRG"
VNET = "vnet-crm-prod"
SHARED_VAULT = "kv-crm-prod"
"""Customer-managed keys of the CRM (untagged: a shared dependency, like the AWS demo's KMS keys)."""
APP_VAULT = "kv-crm-app"
WORKSPACE = "law-crm-security"
EXPORTS = "stcrmexports"
LOGS = "stcrmlogs"
SQL = "sql-crm-prod"
OPENAI = "oai-crm-assistant"
PORTAL = "app-crm-portal"
RAI_POLICY = "crm-strict"
FIREWALL_IP = "10.0.1.4"
"""The hub firewall (in the connectivity subscription) that every spoke subnet sends egress to."""

CREDIT_AI = {**WORKLOAD, "data-class": "personal-credit", "pi-subjects": "1200000"}
"""The assistant summarises customer consultation notes, which hold personal credit information."""
LOG_DATA = {**WORKLOAD, "data-class": "personal"}
"""Flow logs and audit records: IP addresses and user ids of staff."""

GAPS = (
    Gap(
        "azure-network-nsg-no-internet-admin-ports",
        "nsg-crm-mgmt",
        "RDP (3389) open to the Internet for vendor support on the management subnet's NSG",
    ),
    Gap(
        "azure-storage-account-blob-public-access-disabled",
        EXPORTS,
        "anonymous blob access allowed on the CRM export account",
    ),
    Gap("azure-storage-account-no-public-containers", EXPORTS, "container partner-drop is publicly readable"),
    Gap(
        "azure-cognitiveservices-account-regional-processing",
        OPENAI,
        "gpt-4o-mini deployed as GlobalStandard: prompts with credit data may be processed outside Korea",
    ),
    Gap(
        "azure-cognitiveservices-account-abuse-monitoring-opt-out",
        OPENAI,
        "no approved abuse-monitoring opt-out (no ContentLogging=false): Microsoft may keep prompts 30 days",
    ),
    Gap(
        "azure-monitor-log-analytics-workspace-retention",
        WORKSPACE,
        "unique-ID access records kept 90 days (730 required)",
    ),
    Gap("azure-keyvault-vault-purge-protection", APP_VAULT, "application secrets vault without purge protection"),
)
"""What the Azure demo's scan must find; the README's table lists the same."""

Step = Callable[["FakeArm"], None]


def _id(rtype: str, *names: str, rg: str = RG_CRM) -> str:
    return b.arm_id(rtype, *names, rg=rg)


def _vault_uri(vault: str) -> str:
    return f"https://{vault}.vault.azure.net/"


def _to_workspace(
    resource_id: str, name: str, *, categories: tuple[str, ...] = (), groups: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A diagnostic setting sending ``resource_id``'s logs to the security workspace."""
    return b.diagnostic_setting(
        resource_id, name, categories=categories, category_groups=groups, workspace=WORKSPACE, destination_rg=RG_CRM
    )


def seed_subscription(fake: FakeArm) -> None:
    """The subscription, its resource groups, activity-log export, role assignments and a custom role."""
    fake.add(
        b.subscription(SUBSCRIPTION, "sub-crm-prod"),
        b.resource_group(RG_CRM, tags=WORKLOAD),
        b.resource_group(RG_AI, tags=WORKLOAD),
        b.resource_group(RG_WATCHER),
        b.resource_group(RG_SANDBOX, tags={"env": "dev"}),
        _to_workspace(
            b.sub_id(SUBSCRIPTION),
            "activity-to-law",
            categories=("Administrative", "Security", "Policy", "Alert", "ServiceHealth"),
        ),
    )
    operator = b.role_definition(
        "CRM Operator",
        [
            "Microsoft.Web/sites/read",
            "Microsoft.Web/sites/restart/action",
            "Microsoft.Sql/servers/databases/read",
            "Microsoft.Insights/metrics/read",
        ],
        assignable_scopes=[b.rg_id(RG_CRM)],
        guid="5f0c7e2a-9d41-4b8e-a3c6-2e7d1f9b0c48",
    )
    fake.add(operator)
    assignments = (
        ("a1f0e6c2-5b7d-4e19-9c3a-0d8e2f4b6a71", b.OWNER_ROLE, "Group", None),  # platform team
        ("c3b2a190-8f7e-4d6c-b5a4-9382716f5e4d", b.OWNER_ROLE, "User", None),  # break-glass account
        ("7d6c5b4a-3928-4176-a5b4-c3d2e1f0a9b8", b.CONTRIBUTOR_ROLE, "ServicePrincipal", None),  # CI/CD
        ("2e4f6a8b-0c1d-4e3f-8a5b-7c9d1e3f5a7b", b.READER_ROLE, "Group", None),  # internal audit
        ("9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d", operator["name"], "Group", b.rg_id(RG_CRM)),  # CRM operations
    )
    for principal, role, principal_type, scope in assignments:
        fake.add(b.role_assignment(principal, role, scope=scope, principal_type=principal_type))


def seed_monitoring(fake: FakeArm) -> None:
    """The security Log Analytics workspace: retention 90 days (a gap), and the log storage account."""
    fake.add(b.log_analytics_workspace(WORKSPACE, retention_days=90, tags=CREDIT, rg=RG_CRM))
    fake.add(
        *_storage(LOGS, "stcrmlogs-cmk", LOG_DATA, containers=("insights-logs-flowlogflowevent", "sqldbauditlogs"))
    )


def seed_key_vaults(fake: FakeArm) -> None:
    """The shared CMK vault (purge protection on, keys rotating every 90 days) and the app secrets vault (a gap)."""
    shared = b.key_vault(SHARED_VAULT, rg=RG_CRM)
    app = b.key_vault(APP_VAULT, tags=WORKLOAD, rg=RG_CRM, enablePurgeProtection=b.ABSENT)
    fake.add(shared, app)
    for vault in (shared, app):
        fake.add(_to_workspace(vault["id"], "audit-to-law", groups=("audit",)))
    for key in ("stcrmexports-cmk", "stcrmlogs-cmk", "sql-crm-tde", "oai-crm-cmk"):
        fake.add(b.vault_key(SHARED_VAULT, key, rg=RG_CRM))


def _storage(
    name: str, key: str, tags: dict[str, str], *, containers: tuple[str, ...], **props: Any
) -> list[dict[str, Any]]:
    """A CMK-encrypted StorageV2 account with its blob service, containers and blob access logs."""
    account = b.storage_account(
        name,
        tags=tags,
        rg=RG_CRM,
        encryption={
            "keySource": "Microsoft.Keyvault",
            "keyvaultproperties": {"keyname": key, "keyvaulturi": _vault_uri(SHARED_VAULT)},
            "identity": {"userAssignedIdentity": _id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-crm-st")},
            "services": {
                "blob": {"enabled": True, "keyType": "Account"},
                "file": {"enabled": True, "keyType": "Account"},
            },
            "requireInfrastructureEncryption": True,
        },
        **props,
    )
    blob = f"{account['id']}/blobServices/default"
    return [
        account,
        b.blob_service(name, rg=RG_CRM),
        *(b.blob_container(name, c, rg=RG_CRM) for c in containers),
        _to_workspace(blob, "blob-to-law", categories=("StorageRead", "StorageWrite", "StorageDelete")),
    ]


def seed_storage(fake: FakeArm) -> None:
    """The CRM export account: anonymous access allowed and a public partner container (gaps)."""
    fake.add(
        *_storage(
            EXPORTS,
            "stcrmexports-cmk",
            CREDIT,
            containers=("monthly-exports",),
            allowBlobPublicAccess=True,
            publicNetworkAccess="Enabled",
            networkAcls={
                "bypass": "AzureServices",
                "defaultAction": "Deny",
                "ipRules": [{"value": "203.0.113.0/28", "action": "Allow"}],
                "virtualNetworkRules": [],
            },
        ),
        b.blob_container(EXPORTS, "partner-drop", public_access="Blob", rg=RG_CRM),
    )
    # Out of scope: a developer's sandbox account, untagged and linked to nothing in the workload.
    fake.add(
        b.storage_account("stsandboxdev01", rg=RG_SANDBOX, allowBlobPublicAccess=True, publicNetworkAccess="Enabled")
    )


def seed_sql(fake: FakeArm) -> None:
    """The CRM database server: TDE protector in Key Vault, auditing to storage for three years, private only."""
    server = b.sql_server(SQL, tags=CREDIT, rg=RG_CRM)
    fake.add(
        server,
        b.encryption_protector(
            SQL,
            rg=RG_CRM,
            serverKeyName=f"{SHARED_VAULT}_sql-crm-tde_8a7b6c5d",
            uri=f"{_vault_uri(SHARED_VAULT)}keys/sql-crm-tde/8a7b6c5d",
        ),
        b.server_auditing(
            SQL, rg=RG_CRM, retention_days=1095, storageEndpoint=f"https://{LOGS}.blob.core.windows.net/"
        ),
    )
    for database in ("master", "crmdb"):
        fake.add(
            b.sql_database(SQL, database, rg=RG_CRM),
            b.transparent_data_encryption(SQL, database, rg=RG_CRM),
        )


def seed_network(fake: FakeArm) -> None:
    """The spoke VNet: app, db, private-endpoint and management subnets, each with an NSG and the firewall route."""
    table = "rt-crm-egress"
    table_id = _id("Microsoft.Network/routeTables", table)
    rules: dict[str, tuple[tuple[str, int, str, str], ...]] = {
        "app": (("allow-https-from-appgw", 100, "10.0.2.0/24", "443"),),
        "db": (("allow-sql-from-app", 100, "10.40.1.0/24", "1433"),),
        "pe": (("allow-https-from-vnet", 100, "VirtualNetwork", "443"),),
        "mgmt": (
            ("allow-rdp-from-bastion", 100, "10.0.3.0/26", "3389"),
            ("allow-rdp-vendor-support", 110, "Internet", "3389"),
        ),
    }
    prefixes = {"app": "10.40.1.0/24", "db": "10.40.2.0/24", "pe": "10.40.3.0/24", "mgmt": "10.40.4.0/26"}
    subnets = []
    for tier, prefix in prefixes.items():
        nsg_name = f"nsg-crm-{tier}"
        subnet = b.subnet(
            VNET,
            f"snet-{tier}",
            prefix,
            nsg_id=_id("Microsoft.Network/networkSecurityGroups", nsg_name),
            route_table_id=table_id,
            rg=RG_CRM,
            privateEndpointNetworkPolicies="Enabled" if tier == "pe" else "Disabled",
        )
        subnets.append(subnet)
        nsg_rules = [
            b.security_rule(name, priority, source=source, ports=port, nsg=nsg_name, rg=RG_CRM)
            for name, priority, source, port in rules[tier]
        ]
        fake.add(b.nsg(nsg_name, nsg_rules, rg=RG_CRM, subnets=[{"id": subnet["id"]}]), subnet)
    firewall = b.route("default-to-hub-firewall", "0.0.0.0/0", "VirtualAppliance", FIREWALL_IP, table=table, rg=RG_CRM)
    fake.add(
        b.route_table(table, [firewall], rg=RG_CRM, subnets=[{"id": s["id"]} for s in subnets]),
        b.vnet(VNET, subnets, rg=RG_CRM, addressSpace={"addressPrefixes": ["10.40.0.0/16"]}),
        b.network_watcher(LOCATION),
        b.flow_log(
            f"fl-{VNET}",
            _id("Microsoft.Network/virtualNetworks", VNET),
            retention_days=365,
            storageId=_id("Microsoft.Storage/storageAccounts", LOGS),
            flowAnalyticsConfiguration={
                "networkWatcherFlowAnalyticsConfiguration": {
                    "enabled": True,
                    "workspaceResourceId": _id("Microsoft.OperationalInsights/workspaces", WORKSPACE),
                    "trafficAnalyticsInterval": 10,
                }
            },
        ),
    )


def seed_private_endpoints(fake: FakeArm) -> None:
    """One approved private endpoint per PaaS resource, all in snet-pe."""
    subnet = {"id": _id("Microsoft.Network/virtualNetworks/subnets", VNET, "snet-pe")}
    targets = (
        (EXPORTS, "Microsoft.Storage/storageAccounts", "blob", RG_CRM),
        (LOGS, "Microsoft.Storage/storageAccounts", "blob", RG_CRM),
        (SHARED_VAULT, "Microsoft.KeyVault/vaults", "vault", RG_CRM),
        (APP_VAULT, "Microsoft.KeyVault/vaults", "vault", RG_CRM),
        (SQL, "Microsoft.Sql/servers", "sqlServer", RG_CRM),
        (OPENAI, "Microsoft.CognitiveServices/accounts", "account", RG_AI),
    )
    for name, rtype, group, rg in targets:
        fake.add(b.private_endpoint(f"pe-{name}", _id(rtype, name, rg=rg), [group], rg=rg, subnet=subnet))


def seed_openai(fake: FakeArm) -> None:
    """The assistant's Azure OpenAI account: private, Entra-only, CMK, strict content filter.

    Gaps: the triage model is a GlobalStandard deployment, and the account has no approved
    abuse-monitoring opt-out (its capabilities lack ContentLogging=false).
    """
    account = b.cognitive_account(
        OPENAI,
        tags=CREDIT_AI,
        rg=RG_AI,
        capabilities=[{"name": "VirtualNetworks"}, {"name": "CustomerManagedKey"}],
        allowedFqdnList=[f"{SHARED_VAULT}.vault.azure.net"],
        encryption={
            "keySource": "Microsoft.KeyVault",
            "keyVaultProperties": {
                "keyName": "oai-crm-cmk",
                "keyVersion": "0c1d2e3f4a5b",
                "keyVaultUri": _vault_uri(SHARED_VAULT),
                "identityClientId": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140",
            },
        },
    )
    fake.add(
        account,
        b.deployment(OPENAI, "gpt-4o-summary", rai_policy=RAI_POLICY, rg=RG_AI),
        b.deployment(
            OPENAI,
            "gpt-4o-mini-triage",
            sku="GlobalStandard",
            model="gpt-4o-mini",
            version="2024-07-18",
            rai_policy=RAI_POLICY,
            rg=RG_AI,
        ),
        b.rai_policy(OPENAI, RAI_POLICY, rg=RG_AI),
        _to_workspace(account["id"], "ai-to-law", categories=("Audit", "RequestResponse")),
    )


def seed_apps(fake: FakeArm) -> None:
    """The staff portal (HTTPS only, TLS 1.2, no FTP) and the batch VM's CMK-encrypted disks."""
    portal = b.web_app(PORTAL, tags=CREDIT, rg=RG_CRM, serverFarmId=_id("Microsoft.Web/serverfarms", "asp-crm-prod"))
    fake.add(
        portal,
        b.web_app_config(PORTAL, rg=RG_CRM),
        _to_workspace(portal["id"], "http-to-law", categories=("AppServiceHTTPLogs", "AppServiceAuditLogs")),
    )
    encryption = {
        "type": "EncryptionAtRestWithCustomerKey",
        "diskEncryptionSetId": _id("Microsoft.Compute/diskEncryptionSets", "des-crm-prod"),
    }
    for disk in ("vm-crm-batch_OsDisk_1", "vm-crm-batch-data01"):
        fake.add(b.managed_disk(disk, tags=CREDIT, vm="vm-crm-batch", rg=RG_CRM, encryption=encryption))


STEPS: tuple[tuple[str, Step], ...] = (
    ("subscription", seed_subscription),
    ("monitoring", seed_monitoring),
    ("key vaults", seed_key_vaults),
    ("storage", seed_storage),
    ("sql", seed_sql),
    ("network", seed_network),
    ("private endpoints", seed_private_endpoints),
    ("azure openai", seed_openai),
    ("apps", seed_apps),
)
"""Seeding steps (label, function); the fake holds bodies, so the order only mirrors how it would be built."""


def seed(fake: FakeArm, step_done: Callable[[int, int, str], None] | None = None) -> None:
    """Put the whole workload on ``fake``; ``step_done(done, total, label)`` after each step."""
    for done, (label, step) in enumerate(STEPS, start=1):
        step(fake)
        if step_done:
            step_done(done, len(STEPS), label)
