"""The GCP fixture builders produce what the Google APIs produce: every field of every body is a
field of the API's discovery schema, with the JSON type and enum value the schema allows.

The REST clients ignore unknown JSON fields and the fake server echoes whatever it is given, so a
misspelled field (``iamconfiguration``, ``rotationperiod``) would otherwise make a fixture test
nothing. The discovery documents are the ones google-api-python-client ships, read offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from clearance.fakes import gcp_builders as b

_INT_FORMATS = {"int64", "uint64", "google-duration", "google-datetime", "google-fieldmask", "byte", "date-time"}


@cache
def discovery(api: str) -> Mapping[str, Any]:
    """The discovery document ``api`` (``storage.v1``) shipped inside google-api-python-client."""
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / f"{api}.json"
    return json.loads(path.read_text("utf-8"))  # type: ignore[no-any-return]


def problems(value: Any, schema: Mapping[str, Any], schemas: Mapping[str, Any], where: str) -> list[str]:
    """Where ``value`` departs from the discovery ``schema``: unknown fields, wrong JSON types and
    values outside an enum, each named by its dotted location."""
    if "$ref" in schema:
        return problems(value, schemas[schema["$ref"]], schemas, where)
    kind = schema.get("type")
    if kind == "any" or (kind is None and "properties" not in schema):
        return []
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {type(value).__name__}"]
        found: list[str] = []
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                found += problems(item, props[key], schemas, f"{where}.{key}")
            elif extra is not None:
                found += problems(item, extra, schemas, f"{where}.{key}")
            else:
                found.append(f"{where}.{key}: not a field of the schema")
        return found
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array, got {type(value).__name__}"]
        return [p for i, item in enumerate(value) for p in problems(item, schema["items"], schemas, f"{where}[{i}]")]
    return _scalar(value, kind, schema, where)


def _scalar(value: Any, kind: str, schema: Mapping[str, Any], where: str) -> list[str]:
    ok = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
    }.get(kind, True)
    if not ok:
        fmt = f" ({schema['format']})" if schema.get("format") in _INT_FORMATS else ""
        return [f"{where}: expected {kind}{fmt}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    return []


def check(api: str, schema: str, body: Any) -> list[str]:
    doc = discovery(api)
    return problems(body, {"$ref": schema}, doc["schemas"], schema)


AI = "aiplatform.v1"
CASES: list[tuple[str, str, Callable[[], Any]]] = [
    ("cloudresourcemanager.v3", "Project", b.project),
    ("cloudresourcemanager.v3", "Policy", b.project_iam_policy),
    (
        "cloudresourcemanager.v3",
        "Policy",
        lambda: b.project_iam_policy(
            auditConfigs=[b.audit_config("allServices", exempted={"DATA_READ": ["user:batch@clearance.example"]})],
            bindings=[
                b.binding("roles/editor", "domain:clearance.example", condition={"title": "t", "expression": "true"})
            ],
        ),
    ),
    ("storage.v1", "Bucket", lambda: b.bucket("clearance-data")),
    (
        "storage.v1",
        "Bucket",
        lambda: b.bucket("clearance-logs", retentionPolicy=b.retention_policy(400), location="ASIA"),
    ),
    ("storage.v1", "Policy", lambda: b.bucket_iam_policy("clearance-data")),
    ("storage.v1", "Policy", lambda: b.bucket_iam_policy("x", b.binding("roles/storage.objectViewer", "allUsers"))),
    ("cloudkms.v1", "KeyRing", b.key_ring),
    ("cloudkms.v1", "CryptoKey", lambda: b.crypto_key("cmek-data")),
    ("cloudkms.v1", "CryptoKey", lambda: b.signing_key("signer")),
    ("cloudkms.v1", "Policy", lambda: b.resource_iam_policy(b.binding("roles/cloudkms.viewer", "allUsers"))),
    ("sqladmin.v1", "DatabaseInstance", lambda: b.sql_instance("pg-main")),
    (
        "sqladmin.v1",
        "DatabaseInstance",
        lambda: b.sql_instance(
            "mysql-main",
            database_version="MYSQL_8_0",
            settings={
                "ipConfiguration": {"ipv4Enabled": True, "authorizedNetworks": [b.authorized_network("0.0.0.0/0")]}
            },
        ),
    ),
    ("compute.v1", "Firewall", lambda: b.firewall("allow-https")),
    (
        "compute.v1",
        "Firewall",
        lambda: b.firewall("deny-ssh", denied=[{"IPProtocol": "tcp", "ports": ["22", "20-25"]}]),
    ),
    ("compute.v1", "Network", b.network),
    ("compute.v1", "Network", lambda: b.network("legacy", IPv4Range="10.240.0.0/16", subnetworks=b.ABSENT)),
    ("compute.v1", "Subnetwork", lambda: b.subnetwork("snet-app")),
    ("compute.v1", "Instance", lambda: b.instance("vm-app")),
    (
        "compute.v1",
        "Instance",
        lambda: b.instance(
            "vm-web", networkInterfaces=[{"name": "nic0", "accessConfigs": [b.external_access_config()]}]
        ),
    ),
    ("compute.v1", "Disk", lambda: b.disk("disk-app")),
    ("compute.v1", "SslPolicy", b.ssl_policy),
    (
        "compute.v1",
        "SslPolicy",
        lambda: b.ssl_policy("ssl-custom", profile="CUSTOM", customFeatures=["TLS_RSA_WITH_AES_128_GCM_SHA256"]),
    ),
    ("compute.v1", "TargetHttpsProxy", lambda: b.target_https_proxy("web")),
    ("compute.v1", "TargetSslProxy", lambda: b.target_ssl_proxy("tcp")),
    ("logging.v2", "LogBucket", b.log_bucket),
    ("logging.v2", "LogBucket", lambda: b.log_bucket("_Required")),
    ("logging.v2", "LogSink", lambda: b.log_sink("audit-archive")),
    ("iam.v1", "ServiceAccount", lambda: b.service_account("app-runtime")),
    ("iam.v1", "ServiceAccountKey", lambda: b.service_account_key("app-runtime")),
    (
        "orgpolicy.v2",
        "GoogleCloudOrgpolicyV2Policy",
        lambda: b.org_policy("storage.publicAccessPrevention", {"enforce": True}),
    ),
    (
        "orgpolicy.v2",
        "GoogleCloudOrgpolicyV2Policy",
        lambda: b.org_policy("gcp.resourceLocations", {"values": {"allowedValues": ["in:asia-northeast3-locations"]}}),
    ),
    (AI, "GoogleCloudAiplatformV1Endpoint", lambda: b.vertex_endpoint("1234567890")),
    (AI, "GoogleCloudAiplatformV1Model", lambda: b.vertex_model("credit-scoring")),
    (AI, "GoogleCloudAiplatformV1Dataset", lambda: b.vertex_dataset("5555")),
    (AI, "GoogleCloudAiplatformV1CacheConfig", b.cache_config),
    ("accesscontextmanager.v1", "ServicePerimeter", b.service_perimeter),
]


@pytest.mark.parametrize(("api", "schema", "build"), CASES, ids=[f"{s}-{i}" for i, (_, s, _) in enumerate(CASES)])
def test_builder_output_matches_the_discovery_schema(api: str, schema: str, build: Callable[[], Any]) -> None:
    assert check(api, schema, build()) == []


def test_the_validator_catches_misspelled_fields_wrong_types_and_enum_values() -> None:
    body = b.bucket("x", iamconfiguration={"publicAccessPrevention": "enforced"})
    assert check("storage.v1", "Bucket", body) == ["Bucket.iamconfiguration: not a field of the schema"]
    key = b.crypto_key("k", rotation_days=30, purpose="ENCRYPT", versionTemplate={"protectionLevel": 1})
    assert check("cloudkms.v1", "CryptoKey", key) == [
        "CryptoKey.purpose: 'ENCRYPT' is not one of "
        + repr(discovery("cloudkms.v1")["schemas"]["CryptoKey"]["properties"]["purpose"]["enum"]),
        "CryptoKey.versionTemplate.protectionLevel: expected string, got 1",
    ]
    sql = b.sql_instance("pg", settings={"ipConfiguration": {"sslmode": "ENCRYPTED_ONLY"}})
    assert check("sqladmin.v1", "DatabaseInstance", sql) == [
        "DatabaseInstance.settings.ipConfiguration.sslmode: not a field of the schema"
    ]


def test_overrides_merge_replace_and_delete() -> None:
    sql = b.sql_instance("pg", settings={"ipConfiguration": {"sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"}})
    ip = sql["settings"]["ipConfiguration"]
    assert ip["sslMode"] == "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
    assert ip["ipv4Enabled"] is False  # merged, not replaced
    key = b.crypto_key("k", rotationPeriod=b.ABSENT)
    assert "rotationPeriod" not in key
    assert key["name"].endswith("/cryptoKeys/k")
    fw = b.firewall("fw", sourceRanges=["0.0.0.0/0"])
    assert fw["sourceRanges"] == ["0.0.0.0/0"]  # lists replace
    assert b.crypto_key("k", rotation_days=90)["rotationPeriod"] == "7776000s"
    assert "disableCache" not in b.cache_config(disable_cache=False)
