"""Build the GCP demo workload on the project's fake Google APIs (:class:`~clearance.fakes.gcp.FakeGcp`).

The workload is the GCP twin of the AWS and Azure demos: a Korean card company's front-office CRM
with a gen-AI assistant in Seoul (asia-northeast3), in its own project ``clearance-prod`` under the
organization's production folder. The project holds the CRM's Cloud SQL for PostgreSQL database
(private IP, encrypted connections only, CMEK, pgAudit), its Cloud Storage buckets (exports,
documents, a partner drop, Vertex AI training data, usage logs and the locked audit archive), the
Cloud KMS key ring, a custom-mode VPC with flow logs and Private Google Access, firewall rules, a
batch VM and an IAP-only bastion, the staff portal's HTTPS load balancer and the card gateway's
SSL proxy with TLS 1.2 policies, log buckets and sinks, the assistant's Vertex AI endpoint, model
and dataset (CMEK, Private Service Connect, request-response logging), service accounts without
user-managed keys, and sits in a VPC Service Controls perimeter. Data Access audit logs and the
organization policies (resource locations, public access prevention, domain-restricted sharing,
CMEK required) are set on the project and above it.

GCP's unit of isolation is the project, so the demo scans the whole project, as ``clearance scan
--provider gcp --project clearance-prod`` would. Workload resources carry ``workload=crm`` and
``data-class`` / ``pi-subjects`` labels (one class per label: GCP label values cannot hold commas);
a developer's sandbox project next to it is visible to the same credentials but not scanned.

Everything is configured the compliant way except the deliberate gaps in :data:`GAPS`. The bodies
are what the Google APIs return (built by :mod:`clearance.fakes.gcp_builders`), so the real
discovery clients and collectors read them exactly as they would read Google.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..fakes import gcp_builders as b
from .seed import WORKLOAD, Gap

if TYPE_CHECKING:
    from ..fakes.gcp import FakeGcp

PROJECT = b.PROJECT
NUMBER = b.PROJECT_NUMBER
REGION = b.REGION
ORG = f"organizations/{b.ORG_ID}"
PROD_FOLDER = "folders/246813579024"
DEV_FOLDER = "folders/135792468013"
SANDBOX = "crm-sandbox-dev"
SANDBOX_NUMBER = "210987654321"
RING = "crm-keyring"
VPC = "vpc-crm-prod"
PARTNER_DROP = "crm-prod-partner-drop"
ACCESS_LOGS = "crm-prod-access-logs"
AUDIT_ARCHIVE = "crm-prod-audit-archive"
AUDIT_LOG_BUCKET = "crm-audit"
ARCHIVE_KEY = "crm-archive"
VENDOR_SSH = "fw-crm-allow-vendor-ssh"
DOMAIN = "cardco.example"

PROD = {**WORKLOAD, "environment": "prod"}
CREDIT = {**PROD, "data-class": "personal-credit", "pi-subjects": "1200000"}
"""Customer data: personal credit information of 1.2 million card holders (elevated by subject count)."""
PSEUDONYMIZED = {**PROD, "data-class": "pseudonymized", "pi-subjects": "1200000"}
"""What the assistant is trained on under the FSC sandbox: pseudonymized consultation notes."""
LOG_DATA = {**PROD, "data-class": "personal"}
"""Usage logs: IP addresses and user ids of staff and partners."""
PUBLIC = {**PROD, "data-class": "public"}

GAPS = (
    Gap(
        "gcp-compute-firewall-no-internet-admin-ports",
        VENDOR_SSH,
        "SSH (22) open to 0.0.0.0/0 on the management VMs for vendor support (IAP is the approved path)",
    ),
    Gap(
        "gcp-storage-bucket-iam-no-public-members",
        PARTNER_DROP,
        "allUsers granted Storage Object Viewer on the partner drop bucket (blocked by public access prevention)",
    ),
    Gap(
        "gcp-resourcemanager-project-audit-logs-all-services",
        PROJECT,
        "Data Access audit logs without DATA_READ for allServices: reads of customer data are not recorded",
    ),
    Gap("gcp-logging-bucket-retention", "_Default", "the _Default log bucket keeps Data Access logs 30 days"),
    Gap("gcp-logging-bucket-locked", "_Default", "the _Default log bucket is not locked: its logs can be shortened"),
    Gap(
        "gcp-resourcemanager-project-vertex-cache-disabled",
        PROJECT,
        "Vertex AI caching of prompts left on (disableCache not set) although zero retention is required",
    ),
    Gap("gcp-kms-key-rotation", ARCHIVE_KEY, "the audit archive's key rotates every 730 days (365 at most)"),
)
"""What the GCP demo's scan must find; the README's table lists the same."""

Step = Callable[["FakeGcp"], None]


def _numeric_id(name: str, digits: int = 19) -> str:
    """A stable numeric id for ``name`` (compute and IAM bodies carry one; each must differ)."""
    low = 10 ** (digits - 1)
    return str(low + int(hashlib.sha256(name.encode()).hexdigest(), 16) % (9 * low))


def _agent(service: str) -> str:
    """The e-mail of a Google service agent of the project (``gcp-sa-aiplatform``, ``gs-project-accounts``)."""
    return f"service-{NUMBER}@{service}.iam.gserviceaccount.com"


def _sa(account_id: str) -> str:
    return b.service_account_email(account_id)


def _key(name: str) -> str:
    return b.kms_key_name(name, RING)


def _log_bucket_name(bucket: str) -> str:
    return f"projects/{PROJECT}/locations/{REGION}/buckets/{bucket}"


# -- resource hierarchy, IAM, org policies --------------------------------------------------------


def _project_policy() -> dict[str, Any]:
    """Named owners, KMS administration separated from key use, service accounts with narrow roles;
    Data Access audit logs record writes for every service but reads only for Vertex AI (a gap)."""
    group = f"group:{{}}@{DOMAIN}"
    bindings = [
        b.binding("roles/owner", group.format("gcp-platform-admins"), f"user:breakglass@{DOMAIN}"),
        b.binding("roles/viewer", group.format("internal-audit")),
        b.binding("roles/iam.securityReviewer", group.format("internal-audit")),
        b.binding("roles/logging.privateLogViewer", group.format("internal-audit"), group.format("security-ops")),
        b.binding("roles/cloudkms.admin", group.format("key-admins")),
        b.binding("roles/cloudsql.client", f"serviceAccount:{_sa('crm-app')}"),
        b.binding("roles/aiplatform.user", f"serviceAccount:{_sa('crm-assistant')}"),
        b.binding("roles/iap.tunnelResourceAccessor", group.format("crm-operators")),
        b.binding("roles/compute.osLogin", group.format("crm-operators")),
        b.binding("roles/aiplatform.serviceAgent", f"serviceAccount:{_agent('gcp-sa-aiplatform')}"),
        b.binding("roles/cloudsql.serviceAgent", f"serviceAccount:{_agent('gcp-sa-cloud-sql')}"),
    ]
    audit = [
        b.audit_config("allServices", ("ADMIN_READ", "DATA_WRITE")),
        b.audit_config("aiplatform.googleapis.com"),
    ]
    return b.project_iam_policy(bindings=bindings, auditConfigs=audit, version=3, etag="BwYrT1x0aZc=")


def _org_policies() -> dict[str, dict[str, Any]]:
    """The effective organization policies inherited from the organization: all compliant."""
    return {
        "gcp.resourceLocations": b.org_policy(
            "gcp.resourceLocations", {"values": {"allowedValues": [f"in:{REGION}-locations"]}}
        ),
        "storage.publicAccessPrevention": b.org_policy("storage.publicAccessPrevention", {"enforce": True}),
        "iam.allowedPolicyMemberDomains": b.org_policy(
            "iam.allowedPolicyMemberDomains", {"values": {"allowedValues": ["C03k8q2vd"]}}
        ),
        "gcp.restrictNonCmekServices": b.org_policy(
            "gcp.restrictNonCmekServices",
            {
                "values": {
                    "deniedValues": [
                        "storage.googleapis.com",
                        "sqladmin.googleapis.com",
                        "compute.googleapis.com",
                        "aiplatform.googleapis.com",
                        "logging.googleapis.com",
                    ]
                }
            },
        ),
    }


def _folder(name: str, display: str) -> dict[str, Any]:
    return {
        "name": name,
        "parent": ORG,
        "displayName": display,
        "state": "ACTIVE",
        "createTime": b.CREATED,
        "etag": f'W/"{hashlib.sha256(name.encode()).hexdigest()[:12]}"',
    }


def seed_projects(fake: FakeGcp) -> None:
    """The CRM project under the production folder, and a sandbox project the scan leaves alone."""
    fake.add_folder(_folder(PROD_FOLDER, "production"))
    fake.add_folder(_folder(DEV_FOLDER, "development"))
    fake.add_project(
        b.project(parent=PROD_FOLDER, displayName="CRM production", labels=PROD),
        iam_policy=_project_policy(),
        effective_policies=_org_policies(),
        cache_config=b.cache_config(disable_cache=False),
    )
    fake.add_project(
        b.project(
            SANDBOX,
            number=SANDBOX_NUMBER,
            parent=DEV_FOLDER,
            displayName="CRM sandbox",
            labels={"environment": "dev"},
        )
    )
    # Out of scope: a developer's scratch bucket in the sandbox, Google-managed key, no usage logs.
    fake.add_bucket(
        SANDBOX,
        b.bucket(
            "crm-sandbox-scratch",
            projectNumber=SANDBOX_NUMBER,
            encryption=b.ABSENT,
            logging=b.ABSENT,
            labels={"environment": "dev"},
        ),
    )


def seed_service_accounts(fake: FakeGcp) -> None:
    """Runtime identities without user-managed keys; the deployer's old key is disabled (it uses
    workload identity federation now)."""
    retired = b.service_account_key(
        "crm-deployer", "9d2c41f07be35a68c0e1d4f2a7b90c3e5d16f8a2", validAfterTime="2025-02-03T00:00:00Z", disabled=True
    )
    for account_id, display in (
        ("crm-app", "CRM application runtime"),
        ("crm-assistant", "CRM gen-AI assistant"),
        ("crm-ops", "CRM bastion"),
        ("crm-deployer", "CRM CI/CD deployer"),
    ):
        unique = _numeric_id(account_id, 21)
        body = b.service_account(
            account_id, displayName=display, description=display, uniqueId=unique, oauth2ClientId=unique
        )
        fake.add_service_account(PROJECT, body, keys=[retired] if account_id == "crm-deployer" else [])


# -- Cloud KMS -------------------------------------------------------------------------------------


KEYS: dict[str, tuple[str, int]] = {
    "crm-storage": ("gs-project-accounts", 90),
    "crm-sql": ("gcp-sa-cloud-sql", 90),
    "crm-disk": ("compute-system", 90),
    "crm-vertex": ("gcp-sa-aiplatform", 90),
    "crm-logs": ("gcp-sa-logging", 90),
    ARCHIVE_KEY: ("gs-project-accounts", 730),
}
"""Customer-managed keys: key -> (the service agent that uses it, rotation period in days)."""


def seed_kms(fake: FakeGcp) -> None:
    """The CRM key ring: HSM keys rotating every 90 days (the archive key every 730: a gap) and a signing key."""
    auditors = b.binding("roles/cloudkms.viewer", f"group:internal-audit@{DOMAIN}")
    fake.add_key_ring(b.key_ring(RING), iam_policy=b.resource_iam_policy(auditors))
    for name, (agent, days) in KEYS.items():
        user = b.binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"serviceAccount:{_agent(agent)}")
        fake.add_crypto_key(
            b.crypto_key(name, ring=RING, rotation_days=days, labels={"environment": "prod"}),
            iam_policy=b.resource_iam_policy(user),
        )
    signer = b.binding("roles/cloudkms.signerVerifier", f"serviceAccount:{_sa('crm-app')}")
    fake.add_crypto_key(b.signing_key("crm-doc-signing", ring=RING), iam_policy=b.resource_iam_policy(signer))


# -- Cloud Storage ---------------------------------------------------------------------------------


def _bucket(fake: FakeGcp, name: str, labels: dict[str, str], *bindings: dict[str, Any], **fields: Any) -> None:
    """A bucket in Seoul with the CRM storage key, uniform access, public access prevention, usage logs."""
    defaults = {
        "encryption": {"defaultKmsKeyName": _key("crm-storage")},
        "logging": {"logBucket": ACCESS_LOGS, "logObjectPrefix": name},
        "labels": labels,
    }
    body = b.bucket(name, **(defaults | fields))
    fake.add_bucket(PROJECT, body, iam_policy=b.bucket_iam_policy(name, *bindings) if bindings else None)


def seed_storage(fake: FakeGcp) -> None:
    """Exports, documents, partner drop (allUsers binding: a gap), training data, usage logs, audit archive."""
    owners = b.binding("roles/storage.legacyBucketOwner", f"projectOwner:{PROJECT}", f"projectEditor:{PROJECT}")
    app = b.binding("roles/storage.objectAdmin", f"serviceAccount:{_sa('crm-app')}")
    _bucket(fake, "crm-prod-exports", CREDIT, owners, app)
    _bucket(fake, "crm-prod-documents", CREDIT, owners, app)
    _bucket(
        fake,
        PARTNER_DROP,
        PUBLIC,
        owners,
        b.binding("roles/storage.objectCreator", f"serviceAccount:{_sa('crm-app')}"),
        b.binding("roles/storage.objectViewer", "allUsers"),
    )
    _bucket(
        fake,
        "crm-prod-vertex-training",
        PSEUDONYMIZED,
        owners,
        b.binding("roles/storage.objectViewer", f"serviceAccount:{_sa('crm-assistant')}"),
    )
    analytics = b.binding("roles/storage.objectCreator", "group:cloud-storage-analytics@google.com")
    _bucket(fake, ACCESS_LOGS, LOG_DATA, owners, analytics, logging={"logBucket": AUDIT_ARCHIVE})
    writer = b.binding("roles/storage.objectCreator", f"serviceAccount:{_agent('gcp-sa-logging')}")
    _bucket(
        fake,
        AUDIT_ARCHIVE,
        LOG_DATA,
        owners,
        writer,
        encryption={"defaultKmsKeyName": _key(ARCHIVE_KEY)},
        retentionPolicy=b.retention_policy(1095),
        storageClass="ARCHIVE",
    )


# -- Cloud SQL -------------------------------------------------------------------------------------


def seed_sql(fake: FakeGcp) -> None:
    """The CRM database: PostgreSQL 16, private IP only, ENCRYPTED_ONLY, CMEK, pgAudit on reads and writes."""
    flags = [
        {"name": "cloudsql.enable_pgaudit", "value": "on"},
        {"name": "pgaudit.log", "value": "read,write,ddl,role"},
        {"name": "log_connections", "value": "on"},
        {"name": "log_disconnections", "value": "on"},
    ]
    fake.add_sql_instance(
        PROJECT,
        b.sql_instance(
            "crm-db-prod",
            settings={
                "userLabels": CREDIT,
                "databaseFlags": flags,
                "ipConfiguration": {"privateNetwork": f"projects/{PROJECT}/global/networks/{VPC}"},
            },
            ipAddresses=[{"type": "PRIVATE", "ipAddress": "10.60.0.3"}],
            diskEncryptionConfiguration={"kmsKeyName": _key("crm-sql")},
            diskEncryptionStatus={"kmsKeyVersionName": _key("crm-sql") + "/cryptoKeyVersions/4"},
        ),
    )


# -- Compute Engine --------------------------------------------------------------------------------

SUBNETS = {
    "snet-crm-app": ("10.40.1.0/24", "PRIVATE"),
    "snet-crm-mgmt": ("10.40.4.0/26", "PRIVATE"),
    "snet-crm-proxy": ("10.40.8.0/23", "REGIONAL_MANAGED_PROXY"),
}


def _subnet(name: str, cidr: str, purpose: str) -> dict[str, Any]:
    body = b.subnetwork(
        name,
        id=_numeric_id(name),
        network=b.network_url(VPC),
        ipCidrRange=cidr,
        gatewayAddress=str(ipaddress.ip_network(cidr)[1]),
        purpose=purpose,
    )
    if purpose == "REGIONAL_MANAGED_PROXY":  # Envoy proxies of the regional load balancers: no VMs, no flow logs
        return b.merge(
            body,
            {"role": "ACTIVE", "privateIpGoogleAccess": False, "enableFlowLogs": b.ABSENT, "logConfig": b.ABSENT},
        )
    return body


def _firewall(name: str, ports: list[str], sources: list[str], tags: list[str], **fields: Any) -> dict[str, Any]:
    """An INGRESS rule of the CRM VPC allowing TCP ``ports`` from ``sources`` to VMs tagged ``tags``."""
    defaults = {
        "id": _numeric_id(name),
        "network": b.network_url(VPC),
        "allowed": [{"IPProtocol": "tcp", "ports": ports}],
        "sourceRanges": sources,
        "targetTags": tags,
    }
    return b.firewall(name, **(defaults | fields))


def _vm(name: str, zone: str, subnet: str, ip: str, account: str, labels: dict[str, str]) -> dict[str, Any]:
    """A VM without external address whose boot and data disks use the CRM disk key."""
    disks = []
    for index, suffix in enumerate(("", "-data")):
        disks.append(
            {
                "kind": "compute#attachedDisk",
                "type": "PERSISTENT",
                "mode": "READ_WRITE",
                "source": f"{b.COMPUTE}/projects/{PROJECT}/zones/{zone}/disks/{name}{suffix}",
                "deviceName": f"persistent-disk-{index}",
                "index": index,
                "boot": index == 0,
                "autoDelete": index == 0,
                "interface": "SCSI",
                "diskSizeGb": "50" if index == 0 else "500",
                "diskEncryptionKey": {"kmsKeyName": _key("crm-disk") + "/cryptoKeyVersions/2"},
            }
        )
    nic = {
        "kind": "compute#networkInterface",
        "network": b.network_url(VPC),
        "subnetwork": b.subnetwork_url(subnet),
        "networkIP": ip,
        "name": "nic0",
        "fingerprint": "a1B2c3D4e5F=",
        "stackType": "IPV4_ONLY",
    }
    return b.instance(
        name,
        zone=zone,
        subnet=subnet,
        id=_numeric_id(name),
        networkInterfaces=[nic],
        disks=disks,
        serviceAccounts=[{"email": _sa(account), "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
        labels=labels,
        tags={"items": [labels["tier"]], "fingerprint": "6smc4R4d39I="},
    )


def seed_network(fake: FakeGcp) -> None:
    """The CRM VPC, its subnets and firewall rules (one opens SSH to the internet: a gap), and the VMs."""
    fake.add_compute(
        PROJECT,
        "networks",
        b.network(
            VPC,
            id=_numeric_id(VPC),
            selfLinkWithId=f"{b.COMPUTE}/projects/{PROJECT}/global/networks/{_numeric_id(VPC)}",
            subnetworks=[b.subnetwork_url(name) for name in SUBNETS],
        ),
    )
    for name, (cidr, purpose) in SUBNETS.items():
        fake.add_compute(PROJECT, "subnetworks", _subnet(name, cidr, purpose))
    rules = (
        _firewall("fw-crm-allow-iap-ssh", ["22"], ["35.235.240.0/20"], ["mgmt"]),
        _firewall("fw-crm-allow-health-checks", ["8443"], ["130.211.0.0/22", "35.191.0.0/16"], ["app"]),
        _firewall("fw-crm-allow-proxy-to-app", ["8443"], ["10.40.8.0/23"], ["app"]),
        _firewall(
            "fw-crm-deny-all-ingress",
            [],
            ["0.0.0.0/0"],
            [],
            priority=65000,
            allowed=b.ABSENT,
            denied=[{"IPProtocol": "all"}],
            targetTags=b.ABSENT,
        ),
        _firewall(
            VENDOR_SSH, ["22"], ["0.0.0.0/0"], ["mgmt"], priority=900, description="vendor support, ticket CHG-4471"
        ),
    )
    for rule in rules:
        fake.add_compute(PROJECT, "firewalls", rule)
    batch = _vm("vm-crm-batch-01", b.ZONE, "snet-crm-app", "10.40.1.12", "crm-app", {**CREDIT, "tier": "app"})
    bastion = _vm("vm-crm-bastion", f"{REGION}-b", "snet-crm-mgmt", "10.40.4.5", "crm-ops", {**PROD, "tier": "mgmt"})
    for vm in (batch, bastion):
        fake.add_compute(PROJECT, "instances", vm)


def seed_load_balancers(fake: FakeGcp) -> None:
    """The staff portal's HTTPS load balancer and the card gateway's SSL proxy, both with TLS 1.2 policies."""
    modern = b.ssl_policy("ssl-crm-modern", id=_numeric_id("ssl-crm-modern"))
    restricted = b.ssl_policy(
        "ssl-crm-restricted",
        id=_numeric_id("ssl-crm-restricted"),
        profile="RESTRICTED",
        enabledFeatures=[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        ],
    )
    fake.add_compute(PROJECT, "sslPolicies", modern)
    fake.add_compute(PROJECT, "sslPolicies", restricted)
    fake.add_compute(
        PROJECT,
        "targetHttpsProxies",
        b.target_https_proxy("tp-crm-portal", id=_numeric_id("tp-crm-portal"), sslPolicy=modern["selfLink"]),
    )
    fake.add_compute(
        PROJECT,
        "targetSslProxies",
        b.target_ssl_proxy(
            "tsp-crm-card-gateway", id=_numeric_id("tsp-crm-card-gateway"), sslPolicy=restricted["selfLink"]
        ),
    )


# -- Cloud Logging ---------------------------------------------------------------------------------

_SYSTEM_LOGS = (
    "cloudaudit.googleapis.com/activity",
    "externalaudit.googleapis.com/activity",
    "cloudaudit.googleapis.com/system_event",
    "externalaudit.googleapis.com/system_event",
    "cloudaudit.googleapis.com/access_transparency",
    "externalaudit.googleapis.com/access_transparency",
)


def _destination(bucket: str) -> str:
    return f"logging.googleapis.com/{_log_bucket_name(bucket)}"


def seed_logging(fake: FakeGcp) -> None:
    """Log buckets in Seoul (the organization's default storage location and CMEK key), and the sinks.

    ``_Default`` receives the Data Access logs and is left at its factory retention, unlocked (gaps);
    a locked two-year CMEK bucket and the locked Cloud Storage archive receive the audit logs too.
    """
    cmek = {
        "name": f"projects/{PROJECT}/locations/{REGION}/cmekSettings",
        "kmsKeyName": _key("crm-logs"),
        "kmsKeyVersionName": _key("crm-logs") + "/cryptoKeyVersions/2",
        "serviceAccountId": _agent("gcp-sa-logging"),
    }
    system = {"createTime": b.ABSENT, "updateTime": b.ABSENT}
    fake.add_log_bucket(b.log_bucket("_Required", location=REGION, **system))
    fake.add_log_bucket(
        b.log_bucket(
            "_Default",
            location=REGION,
            retentionDays=30,
            locked=b.ABSENT,
            cmekSettings=cmek,
            description="Default bucket",
            **system,
        )
    )
    fake.add_log_bucket(
        b.log_bucket(
            AUDIT_LOG_BUCKET, location=REGION, cmekSettings=cmek, description="CRM audit logs, 2 years, locked"
        )
    )
    system_sink = {"writerIdentity": b.ABSENT, "createTime": b.ABSENT, "updateTime": b.ABSENT}
    fake.add_sink(
        PROJECT,
        b.log_sink(
            "_Required",
            destination=_destination("_Required"),
            filter=" OR ".join(f'LOG_ID("{log}")' for log in _SYSTEM_LOGS),
            **system_sink,
        ),
    )
    fake.add_sink(
        PROJECT,
        b.log_sink(
            "_Default",
            destination=_destination("_Default"),
            filter=" AND ".join(f'NOT LOG_ID("{log}")' for log in _SYSTEM_LOGS),
            **system_sink,
        ),
    )
    audit_logs = ("activity", "data_access", "policy")
    fake.add_sink(
        PROJECT,
        b.log_sink(
            "crm-audit-to-log-bucket",
            destination=_destination(AUDIT_LOG_BUCKET),
            filter=" OR ".join(f'LOG_ID("cloudaudit.googleapis.com/{log}")' for log in audit_logs),
            writerIdentity=b.ABSENT,  # a log bucket in the same project needs no writer identity
        ),
    )
    fake.add_sink(
        PROJECT,
        b.log_sink(
            "crm-audit-archive",
            destination=f"storage.googleapis.com/{AUDIT_ARCHIVE}",
            filter='logName:"cloudaudit.googleapis.com"',
            writerIdentity=f"serviceAccount:{_agent('gcp-sa-logging')}",
        ),
    )


# -- Vertex AI and VPC Service Controls ------------------------------------------------------------

ENDPOINT_ID = "5310427791045632000"
MODEL_ID = "2783104619027456000"
DATASET_ID = "8391076452189184000"


def seed_vertex(fake: FakeGcp) -> None:
    """The assistant: a private (PSC) endpoint logging every request and response, its model and dataset (CMEK)."""
    encryption = {"kmsKeyName": _key("crm-vertex")}
    model = b.vertex_model(
        MODEL_ID,
        displayName="crm-consult-summarizer",
        artifactUri=f"gs://crm-prod-vertex-training/models/{MODEL_ID}/1",
        encryptionSpec=encryption,
        labels=PSEUDONYMIZED,
    )
    fake.add_vertex("models", model)
    fake.add_vertex(
        "datasets",
        b.vertex_dataset(
            DATASET_ID, displayName="crm-consult-notes-pseudonymized", encryptionSpec=encryption, labels=PSEUDONYMIZED
        ),
    )
    endpoint = b.vertex_endpoint(ENDPOINT_ID, displayName="crm-assistant", encryptionSpec=encryption, labels=CREDIT)
    deployed = {**endpoint["deployedModels"][0], "model": model["name"], "displayName": "crm-consult-summarizer-v1"}
    deployed["serviceAccount"] = _sa("crm-assistant")
    logging = {"bigqueryDestination": {"outputUri": f"bq://{PROJECT}.crm_vertex_logs.request_response"}}
    fake.add_vertex(
        "endpoints",
        b.merge(endpoint, {"deployedModels": [deployed], "predictRequestResponseLoggingConfig": logging}),
    )


def seed_perimeter(fake: FakeGcp) -> None:
    """The organization's access policy: the CRM project in an enforced perimeter; another perimeter
    (the payments projects) does not contain it and is not part of the scan."""
    fake.add_access_policy({"name": b.ACCESS_POLICY, "parent": ORG, "title": "cardco", "etag": "c4a9e01f7b2d"})
    fake.add_perimeter(b.service_perimeter("crm_prod", title="crm_prod"))
    fake.add_perimeter(
        b.service_perimeter(
            "payments_prod",
            title="payments_prod",
            status={"resources": ["projects/310987654321"], "restrictedServices": ["storage.googleapis.com"]},
        )
    )


STEPS: tuple[tuple[str, Step], ...] = (
    ("projects", seed_projects),
    ("service accounts", seed_service_accounts),
    ("kms", seed_kms),
    ("storage", seed_storage),
    ("cloud sql", seed_sql),
    ("network", seed_network),
    ("load balancers", seed_load_balancers),
    ("logging", seed_logging),
    ("vertex ai", seed_vertex),
    ("vpc service controls", seed_perimeter),
)
"""Seeding steps (label, function); the fake holds bodies, so the order only mirrors how it would be built."""


def seed(fake: FakeGcp, step_done: Callable[[int, int, str], None] | None = None) -> None:
    """Put the whole workload on ``fake``; ``step_done(done, total, label)`` after each step."""
    for done, (label, step) in enumerate(STEPS, start=1):
        step(fake)
        if step_done:
            step_done(done, len(STEPS), label)
