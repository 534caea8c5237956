"""GCP predicates: firewall-rule exposure, Cloud KMS rotation, IAM bindings and separation of duties,
effective Data Access audit configuration, service account key age, org policy rules, periods in seconds."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from clearance.engine.conditions import State, UnknownKind
from clearance.engine.predicates.gcp import duration_seconds, location_region, parse_time
from clearance.fakes import gcp_builders as b
from clearance.profile import load_profile

from .helpers import evaluate, record

ADMIN = {"predicate": "gcp_firewall_no_internet_ingress_to_ports", "args": {"path": "F", "ports": ["admin_ports"]}}
DB = {"predicate": "gcp_firewall_no_internet_ingress_to_ports", "args": {"path": "F", "ports": ["database_ports"]}}
ROTATION = {"predicate": "gcp_kms_rotation_within", "args": {"path": "K", "days": "key_rotation_max_days"}}
PUBLIC = {"predicate": "gcp_iam_no_binding", "args": {"path": "P", "roles": ["."], "members": ["^allUsers$"]}}
SOD = {
    "predicate": "gcp_iam_separation_of_duties",
    "args": {"path": "P", "first": ["roles/cloudkms.admin"], "second": ["roles/cloudkms.cryptoKeyDecrypter"]},
}
AUDIT = {
    "predicate": "gcp_audit_logs_cover",
    "args": {"path": "P", "service": "aiplatform.googleapis.com", "log_types": ["DATA_READ", "DATA_WRITE"]},
}
KEYS = {
    "predicate": "gcp_keys_rotated_within",
    "args": {"path": "Keys", "reference": "Time", "days": "access_key_max_age_days"},
}
RETAINED = {"predicate": "gcp_seconds_at_least", "args": {"path": "B.period", "days": "access_log_retention_days"}}


def gcp(data: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return record(data, provider="gcp", region="asia-northeast3", **envelope)


def rule(**fields: Any) -> dict[str, Any]:
    """An internet-facing SSH rule, changed by ``fields``."""
    return gcp(
        {"F": b.firewall("fw", sourceRanges=["0.0.0.0/0"], allowed=[{"IPProtocol": "tcp", "ports": ["22"]}]) | fields}
    )


def tcp(*ports: str) -> list[dict[str, Any]]:
    return [{"IPProtocol": "tcp", "ports": list(ports)}]


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, State.FALSE),
        ({"sourceRanges": ["::/0"]}, State.FALSE),
        ({"sourceRanges": ["10.0.0.0/8", "0.0.0.0/0"]}, State.FALSE),
        ({"allowed": tcp("20-25")}, State.FALSE),
        ({"allowed": tcp("80", "3000-4000")}, State.FALSE),  # 3389
        ({"allowed": [{"IPProtocol": "tcp"}]}, State.FALSE),  # no ports: every port
        ({"allowed": [{"IPProtocol": "all"}]}, State.FALSE),
        ({"allowed": [{"IPProtocol": "6", "ports": ["22"]}]}, State.FALSE),  # protocol by number
        ({"sourceRanges": None}, State.FALSE),  # no source at all: 0.0.0.0/0
        ({"allowed": tcp("443")}, State.TRUE),
        ({"allowed": [{"IPProtocol": "udp", "ports": ["22"]}]}, State.TRUE),
        ({"allowed": [{"IPProtocol": "icmp"}]}, State.TRUE),
        ({"sourceRanges": ["203.0.113.0/24"]}, State.TRUE),
        ({"sourceRanges": None, "sourceTags": ["bastion"]}, State.TRUE),
        ({"disabled": True}, State.TRUE),
        ({"direction": "EGRESS"}, State.TRUE),
        ({"allowed": None, "denied": tcp("22")}, State.TRUE),
    ],
)
def test_firewall_rule_exposing_admin_ports(fields: dict[str, Any], state: State) -> None:
    rec = rule(**fields)
    rec["data"]["F"] = {k: v for k, v in rec["data"]["F"].items() if v is not None}
    out, _ = evaluate(ADMIN, rec)
    assert out.state is state, out.reason


def test_firewall_reason_lists_the_covered_ports_and_database_ports_use_their_own_list() -> None:
    out, ctx = evaluate(ADMIN, rule(allowed=tcp("20-25", "3389")))
    assert out.reason == "firewall rule 'fw' allows port(s) [22, 23, 3389] from 0.0.0.0/0"
    assert ctx.observations[0].source is not None and ctx.observations[0].source.pointer == "/data/F"
    assert evaluate(DB, rule(allowed=tcp("5432")))[0].state is State.FALSE
    assert evaluate(DB, rule())[0].state is State.TRUE


def test_firewall_unreadable_ports_and_failed_listing_are_unknown() -> None:
    out, _ = evaluate(ADMIN, rule(allowed=tcp("ssh")))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING
    failed = gcp({}, errors={"F": {"operation": "F", "code": "PERMISSION_DENIED", "message": "", "denied": True}})
    out, _ = evaluate(ADMIN, failed)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.ERROR


@pytest.mark.parametrize(
    ("period", "state"),
    [
        ("7776000s", State.TRUE),  # 90 days
        ("31536000s", State.TRUE),  # 365 days: the kr-fss maximum
        ("31536001s", State.FALSE),
        ("63072000s", State.FALSE),
        ("7776000.5s", State.TRUE),
        (None, State.FALSE),  # no rotationPeriod: never rotated
        ("90d", State.UNKNOWN),
        (7776000, State.UNKNOWN),
    ],
)
def test_kms_rotation_period(period: Any, state: State) -> None:
    key = b.crypto_key("k", rotationPeriod=period if period is not None else b.ABSENT)
    out, ctx = evaluate(ROTATION, gcp({"K": key}))
    assert out.state is state, out.reason
    assert ctx.observations[0].path == "K.rotationPeriod"


def test_kms_rotation_against_a_stricter_profile() -> None:
    profile = load_profile()
    strict = {**profile.parameters["key_rotation_max_days"], "value": 90}
    cis = dataclasses.replace(profile, parameters={**profile.parameters, "key_rotation_max_days": strict})
    out, _ = evaluate(ROTATION, gcp({"K": b.crypto_key("k", rotation_days=180)}), profile=cis)
    assert out.state is State.FALSE and out.reason == "the key rotates every 180 days (15552000s), more than 90 days"


@pytest.mark.parametrize(("text", "seconds"), [("7776000s", 7776000), ("1.5s", 1), (" 60s ", 60)])
def test_duration_seconds(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["90d", "", "s", "-5s", None, 5])
def test_unreadable_durations_are_none(text: Any) -> None:
    assert duration_seconds(text) is None


def iam(*bindings: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return gcp({"P": b.resource_iam_policy(*bindings, **fields)})


def test_iam_no_binding_matches_roles_and_members_and_reports_conditions() -> None:
    assert evaluate(PUBLIC, iam(b.binding("roles/viewer", "user:a@b.c")))[0].state is State.TRUE
    assert evaluate(PUBLIC, iam(bindings=b.ABSENT))[0].state is State.TRUE  # empty policy
    cond = {"title": "business hours", "expression": "request.time.getHours('Asia/Seoul') < 18"}
    out, ctx = evaluate(PUBLIC, iam(b.binding("roles/viewer", "user:a@b.c", "allUsers", condition=cond)))
    assert out.state is State.FALSE
    assert out.reason == "the policy grants roles/viewer to allUsers (conditional: business hours)"
    assert ctx.observations[0].source is not None and ctx.observations[0].source.pointer == "/data/P/bindings/0"
    # Member patterns are case-insensitive; allUsersX is not allUsers.
    assert evaluate(PUBLIC, iam(b.binding("roles/viewer", "ALLUSERS")))[0].state is State.FALSE
    assert evaluate(PUBLIC, iam(b.binding("roles/viewer", "allUsersX")))[0].state is State.TRUE


def test_iam_no_binding_exceptions() -> None:
    cond = {
        "predicate": "gcp_iam_no_binding",
        "args": {
            "path": "P",
            "roles": ["admin"],
            "members": ["^serviceAccount:"],
            "except_members": ["@gcp-sa-[a-z-]+\\.iam\\.gserviceaccount\\.com$"],
        },
    }
    agent = "serviceAccount:service-1@gcp-sa-aiplatform.iam.gserviceaccount.com"
    assert evaluate(cond, iam(b.binding("roles/aiplatform.admin", agent)))[0].state is State.TRUE
    out, _ = evaluate(cond, iam(b.binding("roles/storage.admin", agent, f"serviceAccount:{b.APP_SA}")))
    assert out.state is State.FALSE and agent not in out.reason


def test_separation_of_duties_needs_both_roles_on_one_member() -> None:
    admin = b.binding("roles/cloudkms.admin", "group:admins@x.y")
    assert (
        evaluate(SOD, iam(admin, b.binding("roles/cloudkms.cryptoKeyDecrypter", "user:app@x.y")))[0].state is State.TRUE
    )
    out, _ = evaluate(SOD, iam(admin, b.binding("roles/cloudkms.cryptoKeyDecrypter", "group:admins@x.y", "user:z@x.y")))
    assert out.state is State.FALSE
    assert out.reason == "group:admins@x.y holds both roles/cloudkms.admin and roles/cloudkms.cryptoKeyDecrypter"


@pytest.mark.parametrize(
    ("configs", "state"),
    [
        ([b.audit_config()], State.TRUE),
        ([b.audit_config("aiplatform.googleapis.com", ("DATA_READ", "DATA_WRITE"))], State.TRUE),
        (
            [b.audit_config(log_types=("DATA_READ",)), b.audit_config("aiplatform.googleapis.com", ("DATA_WRITE",))],
            State.TRUE,
        ),
        ([b.audit_config("storage.googleapis.com")], State.FALSE),  # another service
        ([b.audit_config(log_types=("ADMIN_READ", "DATA_READ"))], State.FALSE),
        ([b.audit_config(exempted={"DATA_WRITE": ["user:a@b.c"]})], State.FALSE),
        ([b.audit_config(exempted={"ADMIN_READ": ["user:a@b.c"]})], State.TRUE),  # ADMIN_READ is not required here
        (None, State.FALSE),
    ],
)
def test_effective_audit_configuration_of_a_service(configs: list[dict[str, Any]] | None, state: State) -> None:
    policy = b.project_iam_policy(auditConfigs=configs if configs is not None else b.ABSENT)
    out, _ = evaluate(AUDIT, gcp({"P": policy}))
    assert out.state is state, out.reason


def keys(*items: dict[str, Any], time: str = "2026-11-25T00:00:00Z") -> dict[str, Any]:
    return gcp({"Keys": list(items), "Time": time})


def key(created: str, **fields: Any) -> dict[str, Any]:
    return b.service_account_key("sa", validAfterTime=created, **fields)


@pytest.mark.parametrize(
    ("items", "state"),
    [
        ([], State.TRUE),
        ([key("2026-10-01T00:00:00Z")], State.TRUE),  # 55 days
        ([key("2026-08-27T00:00:00Z")], State.TRUE),  # exactly 90 days
        ([key("2026-08-26T23:59:59Z")], State.FALSE),
        ([key("2026-10-01T00:00:00Z"), key("2025-01-01T00:00:00Z")], State.FALSE),
        ([key("2025-01-01T00:00:00Z", disabled=True)], State.TRUE),
        ([key("2025-01-01T00:00:00Z", keyType="SYSTEM_MANAGED")], State.TRUE),
        ([key("yesterday")], State.UNKNOWN),
    ],
)
def test_service_account_key_age_against_the_collection_time(items: list[dict[str, Any]], state: State) -> None:
    out, _ = evaluate(KEYS, keys(*items))
    assert out.state is state, out.reason


def test_key_age_without_a_collection_time_is_unknown() -> None:
    out, _ = evaluate(KEYS, gcp({"Keys": [key("2026-10-01T00:00:00Z")]}))
    assert out.state is State.UNKNOWN


def test_parse_time_accepts_google_timestamps() -> None:
    assert parse_time("2026-10-01T00:00:00.123456Z") == parse_time("2026-10-01T00:00:00.123456+00:00")
    assert parse_time("2026-10-01") is not None
    assert parse_time("soon") is None and parse_time(None) is None


def policy_rec(constraint: str, *rules: dict[str, Any]) -> dict[str, Any]:
    body = b.org_policy(constraint, *rules) if rules else {"name": f"projects/1/policies/{constraint}"}
    return gcp({"E": body})


ENFORCED = {"predicate": "gcp_org_policy_enforced", "args": {"path": "E"}}
RESTRICTS = {"predicate": "gcp_org_policy_restricts", "args": {"path": "E"}}
LOCATIONS = {"predicate": "gcp_org_policy_locations_within", "args": {"path": "E", "regions": "residency_regions"}}
DENIES = {
    "predicate": "gcp_org_policy_denies",
    "args": {"path": "E", "values": ["a.googleapis.com", "b.googleapis.com"]},
}


def test_boolean_org_policy() -> None:
    assert evaluate(ENFORCED, policy_rec("c", {"enforce": True}))[0].state is State.TRUE
    assert evaluate(ENFORCED, policy_rec("c", {"enforce": False}))[0].state is State.FALSE
    out, _ = evaluate(
        ENFORCED, policy_rec("c", {"enforce": True}, {"enforce": False, "condition": {"expression": "t"}})
    )
    assert out.state is State.FALSE and out.reason == "c is not enforced when t"
    out, _ = evaluate(ENFORCED, policy_rec("c"))
    assert out.state is State.FALSE and "not set" in out.reason


def test_list_org_policy_restriction_and_deny_lists() -> None:
    assert evaluate(RESTRICTS, policy_rec("c", {"values": {"allowedValues": ["C01"]}}))[0].state is State.TRUE
    assert evaluate(RESTRICTS, policy_rec("c", {"denyAll": True}))[0].state is State.TRUE
    assert evaluate(RESTRICTS, policy_rec("c", {"values": {"deniedValues": ["C01"]}}))[0].state is State.FALSE
    assert evaluate(RESTRICTS, policy_rec("c", {"allowAll": True}))[0].state is State.FALSE
    assert (
        evaluate(DENIES, policy_rec("c", {"values": {"deniedValues": ["is:a.googleapis.com", "b.googleapis.com"]}}))[
            0
        ].state
        is State.TRUE
    )
    out, _ = evaluate(DENIES, policy_rec("c", {"values": {"deniedValues": ["a.googleapis.com"]}}))
    assert out.state is State.FALSE and out.reason == "c does not deny b.googleapis.com"
    assert evaluate(DENIES, policy_rec("c"))[0].state is State.FALSE


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("in:asia-northeast3-locations", "asia-northeast3"),
        ("asia-northeast3", "asia-northeast3"),
        ("asia-northeast3-c", "asia-northeast3"),
        ("in:asia-locations", "asia"),
        ("IN:US-LOCATIONS", "us"),
    ],
)
def test_location_values_name_regions(value: str, region: str) -> None:
    assert location_region(value) == region


def test_resource_locations_within_the_residency_regions() -> None:
    good = policy_rec("gcp.resourceLocations", {"values": {"allowedValues": ["in:asia-northeast3-locations"]}})
    assert evaluate(LOCATIONS, good)[0].state is State.TRUE
    wide = policy_rec("gcp.resourceLocations", {"values": {"allowedValues": ["asia-northeast3", "in:asia-locations"]}})
    out, _ = evaluate(LOCATIONS, wide)
    assert out.state is State.FALSE and "in:asia-locations" in out.reason
    assert evaluate(LOCATIONS, policy_rec("gcp.resourceLocations"))[0].state is State.FALSE


@pytest.mark.parametrize(
    ("period", "tags", "state"),
    [
        (str(731 * 86400), {}, State.TRUE),
        (str(30 * 86400), {}, State.FALSE),
        (str(400 * 86400), {}, State.UNKNOWN),  # between 365 and 730, data class unknown
        (str(400 * 86400), {"data-class": "personal", "pi-subjects": "100"}, State.TRUE),
        (str(400 * 86400), {"data-class": "unique-id"}, State.FALSE),
        (f"{731 * 86400}s", {}, State.TRUE),
        ("a year", {}, State.UNKNOWN),
    ],
)
def test_period_in_seconds_against_a_data_class_dependent_requirement(
    period: str, tags: dict[str, str], state: State
) -> None:
    out, _ = evaluate(RETAINED, gcp({"B": {"period": period}}, tags=tags))
    assert out.state is state, out.reason
    if period == str(400 * 86400) and not tags:
        assert out.kind is UnknownKind.CONTEXT
