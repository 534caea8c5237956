"""Realistic GCP REST JSON bodies, one builder per resource kind, for the fake GCP server.

Each builder returns the body a Google API returns for a GET (or the item of its list call), in
the REST JSON of the API's discovery document: camelCase field names, int64 values as strings,
resource names in the API's own form (``projects/{number}/locations/...`` where the API uses the
project number). Defaults describe a *hardened* resource in the Seoul region, so a test or the
demo states only what it breaks.

Keyword overrides use the wire names and are merged recursively: a mapping merges into the
default mapping, a list or scalar replaces it, and :data:`ABSENT` deletes the field, which is
how a fixture models a field the API did not return (proto3 JSON omits false, zero and empty
values). The test suite checks every builder's output against the discovery documents shipped
with google-api-python-client, so a misspelled field fails a test instead of testing nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, Final

PROJECT: Final = "clearance-prod"
PROJECT_NUMBER: Final = "123456789012"
ORG_ID: Final = "901234567890"
DOMAIN: Final = "clearance.example"
REGION: Final = "asia-northeast3"
ZONE: Final = "asia-northeast3-a"
ACCESS_POLICY: Final = "accessPolicies/558877001122"
COMPUTE: Final = "https://www.googleapis.com/compute/v1"
CREATED: Final = "2026-03-02T01:12:44.000Z"
UPDATED: Final = "2026-10-14T06:30:12.000Z"
ALL_LOG_TYPES: Final = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")

Json = dict[str, Any]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""Override value that deletes the field: the API did not return it."""


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> Json:
    """``base`` with ``overrides`` applied: mappings merge recursively (so ``{}`` changes nothing),
    :data:`ABSENT` deletes a key, anything else (lists included) replaces. Neither argument is modified."""
    out: Json = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if value is ABSENT:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = _strip(copy.deepcopy(value))
    return out


def _strip(value: Any) -> Any:
    """Drop ABSENT markers from a value that replaces a default wholesale."""
    if isinstance(value, Mapping):
        return {k: _strip(v) for k, v in value.items() if v is not ABSENT}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _days(days: int) -> str:
    """A protobuf Duration in JSON form: ``90`` -> ``"7776000s"``."""
    return f"{days * 86400}s"


# -- names --------------------------------------------------------------------------------------


def network_url(name: str = "vpc-prod", project: str = PROJECT) -> str:
    return f"{COMPUTE}/projects/{project}/global/networks/{name}"


def subnetwork_url(name: str = "snet-app", region: str = REGION, project: str = PROJECT) -> str:
    return f"{COMPUTE}/projects/{project}/regions/{region}/subnetworks/{name}"


def ssl_policy_url(name: str = "ssl-modern", project: str = PROJECT) -> str:
    return f"{COMPUTE}/projects/{project}/global/sslPolicies/{name}"


def kms_key_name(key: str = "cmek-data", ring: str = "clearance-ring", location: str = REGION) -> str:
    """The resource name of a Cloud KMS key, as CMEK fields name it."""
    return f"projects/{PROJECT}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}"


def service_account_email(account_id: str, project: str = PROJECT) -> str:
    return f"{account_id}@{project}.iam.gserviceaccount.com"


# -- Resource Manager: project, IAM policy, audit configuration --------------------------------


def project(project_id: str = PROJECT, *, number: str = PROJECT_NUMBER, **fields: Any) -> Json:
    """``projects.get`` (Resource Manager v3) for an active project under the organisation."""
    base: Json = {
        "name": f"projects/{number}",
        "parent": f"organizations/{ORG_ID}",
        "projectId": project_id,
        "state": "ACTIVE",
        "displayName": project_id,
        "createTime": CREATED,
        "updateTime": UPDATED,
        "etag": 'W/"6a1b2c3d4e5f"',
        "labels": {"environment": "prod"},
    }
    return merge(base, fields)


def binding(role: str, *members: str, condition: Mapping[str, str] | None = None) -> Json:
    """One IAM binding; ``condition`` is a CEL ``Expr`` (``title``, ``expression``)."""
    out: Json = {"role": role, "members": list(members)}
    if condition is not None:
        out["condition"] = dict(condition)
    return out


def audit_config(
    service: str = "allServices",
    log_types: Sequence[str] = ALL_LOG_TYPES,
    *,
    exempted: Mapping[str, Sequence[str]] | None = None,
) -> Json:
    """An ``AuditConfig``: Data Access audit log types for ``service``; ``exempted`` maps a log
    type to the members exempted from it."""
    configs: list[Json] = []
    for log_type in log_types:
        entry: Json = {"logType": log_type}
        if exempted and exempted.get(log_type):
            entry["exemptedMembers"] = list(exempted[log_type])
        configs.append(entry)
    return {"service": service, "auditLogConfigs": configs}


APP_SA: Final = service_account_email("app-runtime")


def project_bindings() -> list[Json]:
    """A least-privilege project policy: one named owner, key administration separated from key use."""
    return [
        binding("roles/owner", f"user:cloud-admin@{DOMAIN}"),
        binding("roles/viewer", f"group:auditors@{DOMAIN}"),
        binding("roles/cloudkms.admin", f"group:key-admins@{DOMAIN}"),
        binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"serviceAccount:{APP_SA}"),
        binding("roles/aiplatform.user", f"serviceAccount:{APP_SA}"),
        binding("roles/logging.viewer", f"group:auditors@{DOMAIN}"),
        binding(
            "roles/aiplatform.serviceAgent",
            f"serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com",
        ),
    ]


def project_iam_policy(**fields: Any) -> Json:
    """``projects.getIamPolicy`` (v3, requested policy version 3): least-privilege bindings and
    Data Access audit logs for every service with no exemptions."""
    base: Json = {
        "version": 1,
        "etag": "BwYkQ3b5Xk0=",
        "bindings": project_bindings(),
        "auditConfigs": [audit_config()],
    }
    return merge(base, fields)


def resource_iam_policy(*bindings: Json, **fields: Any) -> Json:
    """``getIamPolicy`` of a single resource (a KMS key, ...): the given bindings only."""
    return merge({"version": 1, "etag": "BwYkR1d9qZ4=", "bindings": list(bindings)}, fields)


# -- Cloud Storage -------------------------------------------------------------------------------


def bucket(name: str, *, location: str = REGION.upper(), **fields: Any) -> Json:
    """A bucket as ``buckets.list`` returns it (projection=noAcl): CMEK, uniform bucket-level
    access, public access prevention enforced, usage logs delivered to an access-log bucket."""
    base: Json = {
        "kind": "storage#bucket",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "id": name,
        "name": name,
        "projectNumber": PROJECT_NUMBER,
        "generation": "1741223564123456",
        "metageneration": "3",
        "location": location,
        "locationType": "region" if "-" in location else "multi-region",
        "storageClass": "STANDARD",
        "etag": "CAM=",
        "timeCreated": CREATED,
        "updated": UPDATED,
        "rpo": "DEFAULT",
        "encryption": {"defaultKmsKeyName": kms_key_name("cmek-storage")},
        "iamConfiguration": {
            "bucketPolicyOnly": {"enabled": True, "lockedTime": "2026-05-31T01:12:44.000Z"},
            "uniformBucketLevelAccess": {"enabled": True, "lockedTime": "2026-05-31T01:12:44.000Z"},
            "publicAccessPrevention": "enforced",
        },
        "logging": {"logBucket": "clearance-prod-access-logs", "logObjectPrefix": name},
        "versioning": {"enabled": True},
        "softDeletePolicy": {"retentionDurationSeconds": "604800", "effectiveTime": CREATED},
        "labels": {"environment": "prod"},
    }
    return merge(base, fields)


def retention_policy(days: int, *, locked: bool = True) -> Json:
    """A bucket ``retentionPolicy`` (Bucket Lock when ``locked``)."""
    out: Json = {"retentionPeriod": str(days * 86400), "effectiveTime": CREATED}
    if locked:
        out["isLocked"] = True
    return out


def bucket_iam_policy(name: str, *bindings: Json) -> Json:
    """``buckets.getIamPolicy``; without bindings, the project-role defaults of a new bucket."""
    chosen = list(bindings) or [
        binding("roles/storage.legacyBucketOwner", f"projectEditor:{PROJECT}", f"projectOwner:{PROJECT}"),
        binding("roles/storage.legacyBucketReader", f"projectViewer:{PROJECT}"),
    ]
    return {
        "kind": "storage#policy",
        "resourceId": f"projects/_/buckets/{name}",
        "version": 1,
        "etag": "CAM=",
        "bindings": chosen,
    }


# -- Cloud KMS -----------------------------------------------------------------------------------


def key_ring(name: str = "clearance-ring", *, location: str = REGION) -> Json:
    return {"name": f"projects/{PROJECT}/locations/{location}/keyRings/{name}", "createTime": CREATED}


def crypto_key(
    name: str, *, ring: str = "clearance-ring", location: str = REGION, rotation_days: int = 90, **fields: Any
) -> Json:
    """A symmetric ENCRYPT_DECRYPT key (HSM) rotated every ``rotation_days`` days, as ``cryptoKeys.list`` returns it."""
    key = kms_key_name(name, ring, location)
    base: Json = {
        "name": key,
        "primary": {
            "name": f"{key}/cryptoKeyVersions/3",
            "state": "ENABLED",
            "createTime": "2026-09-30T00:00:00.000Z",
            "protectionLevel": "HSM",
            "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
            "generateTime": "2026-09-30T00:00:00.000Z",
        },
        "purpose": "ENCRYPT_DECRYPT",
        "createTime": CREATED,
        "nextRotationTime": "2026-12-29T00:00:00Z",
        "rotationPeriod": _days(rotation_days),
        "versionTemplate": {"protectionLevel": "HSM", "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION"},
        "destroyScheduledDuration": _days(30),
        "labels": {"environment": "prod"},
    }
    return merge(base, fields)


def signing_key(name: str, *, ring: str = "clearance-ring", location: str = REGION, **fields: Any) -> Json:
    """An ASYMMETRIC_SIGN key: Cloud KMS cannot rotate these automatically (no ``rotationPeriod``)."""
    key = kms_key_name(name, ring, location)
    base: Json = {
        "name": key,
        "purpose": "ASYMMETRIC_SIGN",
        "createTime": CREATED,
        "versionTemplate": {"protectionLevel": "HSM", "algorithm": "EC_SIGN_P256_SHA256"},
        "destroyScheduledDuration": _days(30),
    }
    return merge(base, fields)


# -- Cloud SQL -----------------------------------------------------------------------------------


def sql_instance(name: str, *, database_version: str = "POSTGRES_16", region: str = REGION, **fields: Any) -> Json:
    """A Cloud SQL instance (``instances.list`` item): private IP only, encrypted connections only,
    CMEK disk, and for PostgreSQL the pgAudit flags."""
    flags: list[Json] = []
    if database_version.startswith("POSTGRES"):
        flags = [
            {"name": "cloudsql.enable_pgaudit", "value": "on"},
            {"name": "pgaudit.log", "value": "all"},
            {"name": "log_connections", "value": "on"},
        ]
    elif database_version.startswith("MYSQL"):
        flags = [{"name": "local_infile", "value": "off"}]
    base: Json = {
        "kind": "sql#instance",
        "state": "RUNNABLE",
        "databaseVersion": database_version,
        "settings": {
            "kind": "sql#settings",
            "settingsVersion": "12",
            "tier": "db-custom-2-7680",
            "edition": "ENTERPRISE",
            "availabilityType": "REGIONAL",
            "pricingPlan": "PER_USE",
            "activationPolicy": "ALWAYS",
            "dataDiskType": "PD_SSD",
            "dataDiskSizeGb": "100",
            "storageAutoResize": True,
            "deletionProtectionEnabled": True,
            "userLabels": {"environment": "prod"},
            "ipConfiguration": {
                "ipv4Enabled": False,
                "privateNetwork": f"projects/{PROJECT}/global/networks/vpc-prod",
                "requireSsl": False,
                "sslMode": "ENCRYPTED_ONLY",
                "authorizedNetworks": [],
                "serverCaMode": "GOOGLE_MANAGED_INTERNAL_CA",
            },
            "backupConfiguration": {
                "kind": "sql#backupConfiguration",
                "enabled": True,
                "startTime": "18:00",
                "pointInTimeRecoveryEnabled": True,
                "transactionLogRetentionDays": 7,
                "backupRetentionSettings": {"retentionUnit": "COUNT", "retainedBackups": 14},
            },
            "databaseFlags": flags,
            "locationPreference": {"kind": "sql#locationPreference", "zone": ZONE},
        },
        "etag": "4b1f0c2e9d7a",
        "ipAddresses": [{"type": "PRIVATE", "ipAddress": "10.20.0.5"}],
        "instanceType": "CLOUD_SQL_INSTANCE",
        "project": PROJECT,
        "backendType": "SECOND_GEN",
        "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{PROJECT}/instances/{name}",
        "connectionName": f"{PROJECT}:{region}:{name}",
        "name": name,
        "region": region,
        "gceZone": ZONE,
        "createTime": CREATED,
        "diskEncryptionConfiguration": {
            "kmsKeyName": kms_key_name("cmek-sql"),
            "kind": "sql#diskEncryptionConfiguration",
        },
        "diskEncryptionStatus": {
            "kmsKeyVersionName": kms_key_name("cmek-sql") + "/cryptoKeyVersions/1",
            "kind": "sql#diskEncryptionStatus",
        },
    }
    return merge(base, fields)


def authorized_network(value: str, name: str = "office") -> Json:
    """An entry of ``settings.ipConfiguration.authorizedNetworks``."""
    return {"kind": "sql#aclEntry", "name": name, "value": value}


# -- Compute Engine ------------------------------------------------------------------------------


def firewall(name: str, **fields: Any) -> Json:
    """An enabled INGRESS allow rule for HTTPS from an internal range (``firewalls.list`` item)."""
    base: Json = {
        "kind": "compute#firewall",
        "id": "6109876543210987654",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "description": "",
        "network": network_url(),
        "priority": 1000,
        "sourceRanges": ["10.0.0.0/8"],
        "targetTags": ["app"],
        "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}],
        "direction": "INGRESS",
        "logConfig": {"enable": True, "metadata": "INCLUDE_ALL_METADATA"},
        "disabled": False,
        "selfLink": f"{COMPUTE}/projects/{PROJECT}/global/firewalls/{name}",
    }
    return merge(base, fields)


def network(name: str = "vpc-prod", **fields: Any) -> Json:
    """A custom-mode VPC network (``networks.list`` item); a legacy network has ``IPv4Range`` and no subnets."""
    base: Json = {
        "kind": "compute#network",
        "id": "1234567890123456789",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "selfLink": network_url(name),
        "selfLinkWithId": f"{COMPUTE}/projects/{PROJECT}/global/networks/1234567890123456789",
        "autoCreateSubnetworks": False,
        "subnetworks": [subnetwork_url()],
        "routingConfig": {"routingMode": "REGIONAL", "bgpBestPathSelectionMode": "LEGACY"},
        "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
        "mtu": 1460,
    }
    return merge(base, fields)


def subnetwork(name: str, *, region: str = REGION, **fields: Any) -> Json:
    """A subnet with VPC flow logs and Private Google Access on (``subnetworks.aggregatedList`` item)."""
    base: Json = {
        "kind": "compute#subnetwork",
        "id": "3456789012345678901",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "network": network_url(),
        "ipCidrRange": "10.10.0.0/20",
        "gatewayAddress": "10.10.0.1",
        "region": f"{COMPUTE}/projects/{PROJECT}/regions/{region}",
        "selfLink": subnetwork_url(name, region),
        "privateIpGoogleAccess": True,
        "fingerprint": "Xk3hK2nB0aE=",
        "enableFlowLogs": True,
        "purpose": "PRIVATE",
        "stackType": "IPV4_ONLY",
        "logConfig": {
            "enable": True,
            "aggregationInterval": "INTERVAL_5_SEC",
            "flowSampling": 0.5,
            "metadata": "INCLUDE_ALL_METADATA",
        },
    }
    return merge(base, fields)


def external_access_config(nat_ip: str = "34.64.10.20") -> Json:
    """An ``accessConfigs`` entry: an external IPv4 address on a network interface."""
    return {
        "kind": "compute#accessConfig",
        "type": "ONE_TO_ONE_NAT",
        "name": "External NAT",
        "natIP": nat_ip,
        "networkTier": "PREMIUM",
    }


def instance(name: str, *, zone: str = ZONE, subnet: str = "snet-app", **fields: Any) -> Json:
    """A VM with no external address and a CMEK boot disk (``instances.aggregatedList`` item)."""
    region = zone.rsplit("-", 1)[0]
    disk_url = f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/disks/{name}"
    base: Json = {
        "kind": "compute#instance",
        "id": "7890123456789012345",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "tags": {"items": ["app"], "fingerprint": "6smc4R4d39I="},
        "machineType": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/machineTypes/e2-standard-4",
        "status": "RUNNING",
        "zone": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}",
        "canIpForward": False,
        "networkInterfaces": [
            {
                "kind": "compute#networkInterface",
                "network": network_url(),
                "subnetwork": subnetwork_url(subnet, region),
                "networkIP": "10.10.0.12",
                "name": "nic0",
                "fingerprint": "a1B2c3D4e5F=",
                "stackType": "IPV4_ONLY",
            }
        ],
        "disks": [
            {
                "kind": "compute#attachedDisk",
                "type": "PERSISTENT",
                "mode": "READ_WRITE",
                "source": disk_url,
                "deviceName": "persistent-disk-0",
                "index": 0,
                "boot": True,
                "autoDelete": True,
                "interface": "SCSI",
                "diskSizeGb": "50",
                "diskEncryptionKey": {"kmsKeyName": kms_key_name("cmek-disk") + "/cryptoKeyVersions/1"},
            }
        ],
        "serviceAccounts": [
            {"email": APP_SA, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]},
        ],
        "shieldedInstanceConfig": {"enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True},
        "labels": {"tier": "app", "environment": "prod"},
        "labelFingerprint": "42WmSpB8rSM=",
        "deletionProtection": True,
        "selfLink": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/instances/{name}",
    }
    return merge(base, fields)


def disk(name: str, *, zone: str = ZONE, **fields: Any) -> Json:
    """A persistent disk encrypted with a Cloud KMS key (``disks.aggregatedList`` item)."""
    base: Json = {
        "kind": "compute#disk",
        "id": "2345678901234567890",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "sizeGb": "50",
        "zone": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}",
        "status": "READY",
        "selfLink": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/disks/{name}",
        "sourceImage": f"{COMPUTE}/projects/debian-cloud/global/images/debian-12-bookworm-v20261001",
        "type": f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/diskTypes/pd-balanced",
        "users": [f"{COMPUTE}/projects/{PROJECT}/zones/{zone}/instances/{name}"],
        "diskEncryptionKey": {"kmsKeyName": kms_key_name("cmek-disk") + "/cryptoKeyVersions/1"},
        "labels": {"environment": "prod"},
        "physicalBlockSizeBytes": "4096",
    }
    return merge(base, fields)


def ssl_policy(name: str = "ssl-modern", **fields: Any) -> Json:
    """A global SSL policy: MODERN profile with TLS 1.2 minimum (``sslPolicies.list`` item)."""
    base: Json = {
        "kind": "compute#sslPolicy",
        "id": "4567890123456789012",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "selfLink": ssl_policy_url(name),
        "name": name,
        "profile": "MODERN",
        "minTlsVersion": "TLS_1_2",
        "enabledFeatures": [
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
        "fingerprint": "kAmgVUOv0E0=",
    }
    return merge(base, fields)


def target_https_proxy(name: str, **fields: Any) -> Json:
    """A global target HTTPS proxy using the ``ssl-modern`` policy (``targetHttpsProxies.list`` item).
    Pass ``sslPolicy=ABSENT`` for a proxy on Google's default (COMPATIBLE, TLS 1.0) policy."""
    base: Json = {
        "kind": "compute#targetHttpsProxy",
        "id": "5678901234567890123",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "selfLink": f"{COMPUTE}/projects/{PROJECT}/global/targetHttpsProxies/{name}",
        "urlMap": f"{COMPUTE}/projects/{PROJECT}/global/urlMaps/um-{name}",
        "sslCertificates": [f"{COMPUTE}/projects/{PROJECT}/global/sslCertificates/cert-{name}"],
        "quicOverride": "NONE",
        "sslPolicy": ssl_policy_url(),
        "fingerprint": "m0eYhnYvl1E=",
        "tlsEarlyData": "DISABLED",
    }
    return merge(base, fields)


def target_ssl_proxy(name: str, **fields: Any) -> Json:
    """A global target SSL proxy using the ``ssl-modern`` policy (``targetSslProxies.list`` item)."""
    base: Json = {
        "kind": "compute#targetSslProxy",
        "id": "6789012345678901234",
        "creationTimestamp": "2026-03-02T01:12:44.000-08:00",
        "name": name,
        "selfLink": f"{COMPUTE}/projects/{PROJECT}/global/targetSslProxies/{name}",
        "service": f"{COMPUTE}/projects/{PROJECT}/global/backendServices/bs-{name}",
        "sslCertificates": [f"{COMPUTE}/projects/{PROJECT}/global/sslCertificates/cert-{name}"],
        "proxyHeader": "NONE",
        "sslPolicy": ssl_policy_url(),
    }
    return merge(base, fields)


# -- Cloud Logging -------------------------------------------------------------------------------


def log_bucket(bucket_id: str = "_Default", *, location: str = "global", **fields: Any) -> Json:
    """A log bucket (``locations.buckets.list`` item) kept two years, locked and CMEK-encrypted.
    Google's factory ``_Default`` bucket is ``retentionDays=30, locked=ABSENT, cmekSettings=ABSENT``."""
    name = f"projects/{PROJECT}/locations/{location}/buckets/{bucket_id}"
    base: Json = {
        "name": name,
        "createTime": CREATED,
        "updateTime": UPDATED,
        "retentionDays": 730,
        "locked": True,
        "lifecycleState": "ACTIVE",
        "cmekSettings": {
            "name": f"projects/{PROJECT}/locations/{location}/cmekSettings",
            "kmsKeyName": kms_key_name("cmek-logs", location=REGION),
            "kmsKeyVersionName": kms_key_name("cmek-logs", location=REGION) + "/cryptoKeyVersions/1",
            "serviceAccountId": f"service-{PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com",
        },
    }
    if bucket_id == "_Required":
        base.update(retentionDays=400, description="Audit bucket")
        base.pop("cmekSettings")
    return merge(base, fields)


def log_sink(
    name: str, *, destination: str = "storage.googleapis.com/clearance-prod-audit-archive", **fields: Any
) -> Json:
    """A project log sink exporting every entry (empty filter) to ``destination`` (``sinks.list`` item)."""
    base: Json = {
        "name": name,
        "destination": destination,
        "filter": "",
        "writerIdentity": f"serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com",
        "createTime": CREATED,
        "updateTime": UPDATED,
        "resourceName": f"projects/{PROJECT}/sinks/{name}",
    }
    return merge(base, fields)


# -- IAM service accounts ------------------------------------------------------------------------


def service_account(account_id: str, **fields: Any) -> Json:
    """A user-managed service account (``serviceAccounts.list`` item)."""
    email = service_account_email(account_id)
    base: Json = {
        "name": f"projects/{PROJECT}/serviceAccounts/{email}",
        "projectId": PROJECT,
        "uniqueId": "104857600000000000001",
        "email": email,
        "displayName": account_id,
        "etag": "MDEwMjE5MjA=",
        "oauth2ClientId": "104857600000000000001",
    }
    return merge(base, fields)


def service_account_key(
    account_id: str, key_id: str = "3f9c0d2b7a6e5d4c3b2a19f8e7d6c5b4a3928170", **fields: Any
) -> Json:
    """A user-managed key (``serviceAccounts.keys.list`` item) created 2026-10-01; Google-managed
    keys have ``keyType=SYSTEM_MANAGED`` and a validity of about two weeks."""
    email = service_account_email(account_id)
    base: Json = {
        "name": f"projects/{PROJECT}/serviceAccounts/{email}/keys/{key_id}",
        "validAfterTime": "2026-10-01T00:00:00Z",
        "validBeforeTime": "9999-12-31T23:59:59Z",
        "keyAlgorithm": "KEY_ALG_RSA_2048",
        "keyOrigin": "GOOGLE_PROVIDED",
        "keyType": "USER_MANAGED",
    }
    return merge(base, fields)


# -- Organization Policy (v2) --------------------------------------------------------------------


def org_policy(constraint: str, *rules: Json, parent: str = f"projects/{PROJECT_NUMBER}", **fields: Any) -> Json:
    """``policies.getEffectivePolicy`` for ``constraint`` (e.g. ``gcp.resourceLocations``) on ``parent``.
    Rules: ``{"enforce": True}`` for boolean constraints, ``{"values": {"allowedValues": [...]}}``,
    ``{"values": {"deniedValues": [...]}}``, ``{"allowAll": True}`` or ``{"denyAll": True}`` for list ones."""
    base: Json = {
        "name": f"{parent}/policies/{constraint}",
        "spec": {"etag": "CNmR6bkGEJjV1J0D", "updateTime": UPDATED, "rules": list(rules)},
    }
    return merge(base, fields)


# -- Vertex AI -----------------------------------------------------------------------------------


def _vertex_name(collection: str, resource_id: str, location: str) -> str:
    return f"projects/{PROJECT_NUMBER}/locations/{location}/{collection}/{resource_id}"


def vertex_endpoint(endpoint_id: str, *, location: str = REGION, **fields: Any) -> Json:
    """A Vertex AI endpoint (``endpoints.list`` item): Private Service Connect, request-response
    logging of every request to BigQuery, CMEK."""
    base: Json = {
        "name": _vertex_name("endpoints", endpoint_id, location),
        "displayName": f"endpoint-{endpoint_id}",
        "deployedModels": [
            {
                "id": "8123456789012345678",
                "model": _vertex_name("models", "credit-scoring", location),
                "modelVersionId": "1",
                "displayName": "credit-scoring-v1",
                "createTime": CREATED,
                "dedicatedResources": {
                    "machineSpec": {"machineType": "n1-standard-4"},
                    "minReplicaCount": 1,
                    "maxReplicaCount": 2,
                },
                "serviceAccount": APP_SA,
            }
        ],
        "trafficSplit": {"8123456789012345678": 100},
        "etag": "AMEw9yN5kZ0=",
        "labels": {"environment": "prod"},
        "createTime": CREATED,
        "updateTime": UPDATED,
        "encryptionSpec": {"kmsKeyName": kms_key_name("cmek-vertex", location=location)},
        "privateServiceConnectConfig": {"enablePrivateServiceConnect": True, "projectAllowlist": [PROJECT]},
        "predictRequestResponseLoggingConfig": {
            "enabled": True,
            "samplingRate": 1,
            "bigqueryDestination": {"outputUri": f"bq://{PROJECT}.vertex_logs.request_response_logging"},
        },
    }
    return merge(base, fields)


def vertex_model(model_id: str, *, location: str = REGION, **fields: Any) -> Json:
    """A Vertex AI model in the Model Registry (``models.list`` item), CMEK-encrypted."""
    base: Json = {
        "name": _vertex_name("models", model_id, location),
        "displayName": model_id,
        "versionId": "1",
        "versionAliases": ["default"],
        "versionCreateTime": CREATED,
        "versionUpdateTime": UPDATED,
        "artifactUri": f"gs://{PROJECT}-models/{model_id}/1",
        "containerSpec": {"imageUri": "asia-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"},
        "supportedDeploymentResourcesTypes": ["DEDICATED_RESOURCES"],
        "createTime": CREATED,
        "updateTime": UPDATED,
        "etag": "AMEw9yM0eM0=",
        "labels": {"environment": "prod"},
        "encryptionSpec": {"kmsKeyName": kms_key_name("cmek-vertex", location=location)},
    }
    return merge(base, fields)


def vertex_dataset(dataset_id: str, *, location: str = REGION, **fields: Any) -> Json:
    """A Vertex AI managed dataset (``datasets.list`` item), CMEK-encrypted."""
    base: Json = {
        "name": _vertex_name("datasets", dataset_id, location),
        "displayName": f"dataset-{dataset_id}",
        "metadataSchemaUri": "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml",
        "createTime": CREATED,
        "updateTime": UPDATED,
        "etag": "AMEw9yOa1b2=",
        "labels": {"environment": "prod"},
        "metadata": {"dataItemSchemaUri": "gs://google-cloud-aiplatform/schema/dataset/dataitem/text_1.0.0.yaml"},
        "encryptionSpec": {"kmsKeyName": kms_key_name("cmek-vertex", location=location)},
    }
    return merge(base, fields)


def cache_config(*, disable_cache: bool = True) -> Json:
    """``projects.getCacheConfig``: Vertex AI's project-wide in-memory caching of prompts. When caching
    is on the API omits ``disableCache`` (proto3 default false)."""
    out: Json = {"name": f"projects/{PROJECT_NUMBER}/cacheConfig"}
    if disable_cache:
        out["disableCache"] = True
    return out


# -- Access Context Manager (VPC Service Controls) ----------------------------------------------

RESTRICTED_SERVICES: Final = (
    "aiplatform.googleapis.com",
    "storage.googleapis.com",
    "bigquery.googleapis.com",
    "cloudkms.googleapis.com",
    "logging.googleapis.com",
)


def service_perimeter(name: str = "clearance_prod", **fields: Any) -> Json:
    """An enforced regular perimeter around the project restricting Vertex AI, Storage and the
    other data services (``servicePerimeters.list`` item)."""
    base: Json = {
        "name": f"{ACCESS_POLICY}/servicePerimeters/{name}",
        "title": name,
        "perimeterType": "PERIMETER_TYPE_REGULAR",
        "status": {
            "resources": [f"projects/{PROJECT_NUMBER}"],
            "restrictedServices": list(RESTRICTED_SERVICES),
            "vpcAccessibleServices": {"enableRestriction": True, "allowedServices": ["RESTRICTED-SERVICES"]},
        },
        "etag": "e4c1f0d2a9b3",
    }
    return merge(base, fields)
