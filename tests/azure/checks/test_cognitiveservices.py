"""Azure OpenAI / AI Services checks through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.profile import load_profile

AI = ("cognitiveservices",)


def account_id(name: str) -> str:
    return b.arm_id("Microsoft.CognitiveServices/accounts", name)


def openai(fake: FakeArm, name: str, *children: dict[str, Any], **kw: Any) -> None:
    """An account served with its deployments, RAI policies and diagnostic settings (``children``)."""
    fake.add(b.cognitive_account(name, **kw), *children)


def test_public_network_access_and_default_deny(arm: FakeArm, azure_scan: Any) -> None:
    open_acls = {"defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []}
    pending = b.private_endpoint_connection(account_id("oai-pending"), "pe-x", "Pending", actions_key="actionsRequired")
    openai(arm, "oai-private")
    openai(arm, "oai-firewalled", publicNetworkAccess="Enabled")  # default deny with network rules
    openai(arm, "oai-open", publicNetworkAccess="Enabled", networkAcls=open_acls)
    openai(arm, "oai-pending", privateEndpointConnections=[pending])
    openai(arm, "oai-legacy", publicNetworkAccess=b.ABSENT, networkAcls=b.ABSENT)
    checks = [
        "azure-cognitiveservices-account-public-network-disabled",
        "azure-cognitiveservices-account-network-default-deny",
    ]
    result = azure_scan(checks=checks, services=AI)
    assert result.verdicts(checks[0]) == {
        "oai-private": "PASS",
        "oai-firewalled": "FAIL",
        "oai-open": "FAIL",
        "oai-pending": "FAIL",
        "oai-legacy": "FAIL",
    }
    assert result.verdicts(checks[1]) == {
        "oai-private": "PASS",
        "oai-firewalled": "PASS",
        "oai-open": "FAIL",
        "oai-pending": "PASS",
        "oai-legacy": "FAIL",
    }


def test_local_auth_outbound_restriction_and_cmk(arm: FakeArm, azure_scan: Any) -> None:
    openai(arm, "oai-hardened")
    openai(arm, "oai-keys", disableLocalAuth=False, restrictOutboundNetworkAccess=b.ABSENT, encryption=b.ABSENT)
    openai(arm, "oai-wildcard", allowedFqdnList=["*"], encryption={"keySource": "Microsoft.CognitiveServices"})
    openai(arm, "oai-unset", disableLocalAuth=b.ABSENT, allowedFqdnList=b.ABSENT)
    checks = [
        "azure-cognitiveservices-account-local-auth-disabled",
        "azure-cognitiveservices-account-outbound-restricted",
        "azure-cognitiveservices-account-cmk",
    ]
    result = azure_scan(checks=checks, services=AI)
    assert result.verdicts(checks[0]) == {
        "oai-hardened": "PASS",
        "oai-keys": "FAIL",
        "oai-wildcard": "PASS",
        "oai-unset": "FAIL",
    }
    assert result.verdicts(checks[1]) == {
        "oai-hardened": "PASS",
        "oai-keys": "FAIL",
        "oai-wildcard": "FAIL",
        "oai-unset": "PASS",  # restricted with no allow-list: no outbound call is allowed at all
    }
    assert result.verdicts(checks[2]) == {
        "oai-hardened": "PASS",
        "oai-keys": "FAIL",  # no encryption block: Microsoft-managed key
        "oai-wildcard": "FAIL",
        "oai-unset": "PASS",
    }


def capabilities(content_logging: str | None) -> list[dict[str, str]]:
    caps = [{"name": "VirtualNetworks"}, {"name": "CustomerManagedKey"}]
    if content_logging is not None:
        caps.append({"name": "ContentLogging", "value": content_logging})
    return caps


def test_abuse_monitoring_opt_out_is_evidenced_only_by_content_logging_false(arm: FakeArm, azure_scan: Any) -> None:
    openai(arm, "oai-optout")
    openai(arm, "oai-default", capabilities=capabilities(None))
    openai(arm, "oai-true", capabilities=capabilities("true"))
    openai(arm, "lang-text", kind="TextAnalytics", capabilities=capabilities(None))
    check = "azure-cognitiveservices-account-abuse-monitoring-opt-out"
    result = azure_scan(checks=[check], services=AI)
    assert result.verdicts(check) == {
        "oai-optout": "PASS",
        "oai-default": "FAIL",
        "oai-true": "FAIL",
        "lang-text": "NOT_APPLICABLE",
    }
    assert result.finding(check, "oai-default")["reason"].startswith("Abuse-monitoring content logging is on")


def test_abuse_monitoring_not_required_by_the_profile_is_not_applicable(
    arm: FakeArm, azure_scan: Any, tmp_path: Path
) -> None:
    doc = dict(load_profile().document)
    doc["parameters"] = {**doc["parameters"], "ai_zero_retention_required": {"value": False}}
    path = tmp_path / "no-zdr.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    openai(arm, "oai-default", capabilities=capabilities(None))
    check = "azure-cognitiveservices-account-abuse-monitoring-opt-out"
    result = azure_scan(checks=[check], services=AI, profile=load_profile(path))
    assert result.verdicts(check) == {"oai-default": "NOT_APPLICABLE"}


def test_diagnostic_logs_need_audit_and_request_response(arm: FakeArm, azure_scan: Any) -> None:
    openai(arm, "oai-logged", b.diagnostic_setting(account_id("oai-logged"), categories=("Audit", "RequestResponse")))
    openai(arm, "oai-all", b.diagnostic_setting(account_id("oai-all"), category_groups=("allLogs",)))
    openai(arm, "oai-audit-only", b.diagnostic_setting(account_id("oai-audit-only"), category_groups=("audit",)))
    openai(arm, "oai-silent")
    check = "azure-cognitiveservices-account-diagnostic-logs"
    result = azure_scan(checks=[check], services=AI)
    assert result.verdicts(check) == {
        "oai-logged": "PASS",
        "oai-all": "PASS",
        "oai-audit-only": "FAIL",
        "oai-silent": "FAIL",
    }


def test_account_data_residency(arm: FakeArm, azure_scan: Any) -> None:
    openai(arm, "oai-kr", tags={"data-class": "personal-credit"})
    openai(arm, "oai-us", location="eastus", tags={"data-class": "personal-credit"})
    openai(arm, "oai-us-open", location="eastus", tags={"data-class": "none"})
    check = "azure-cognitiveservices-account-data-residency"
    result = azure_scan(checks=[check], services=AI)
    assert result.verdicts(check) == {"oai-kr": "PASS", "oai-us": "FAIL", "oai-us-open": "NOT_APPLICABLE"}


def test_processing_location_of_deployments(arm: FakeArm, azure_scan: Any) -> None:
    credit = {"data-class": "personal-credit"}
    openai(
        arm,
        "oai-regional",
        b.deployment("oai-regional", "chat"),
        b.deployment("oai-regional", "ptu", sku="ProvisionedManaged"),
        tags=credit,
    )
    openai(
        arm,
        "oai-global",
        b.deployment("oai-global", "chat"),
        b.deployment("oai-global", "cheap", sku="GlobalStandard"),
        tags=credit,
    )
    openai(arm, "oai-datazone", b.deployment("oai-datazone", "chat", sku="DataZoneStandard"), tags=credit)
    openai(arm, "oai-unknown-kr", b.deployment("oai-unknown-kr", "chat"))
    openai(arm, "oai-unknown-global", b.deployment("oai-unknown-global", "chat", sku="GlobalBatch"))
    openai(arm, "oai-elsewhere", b.deployment("oai-elsewhere", "chat"), location="swedencentral", tags=credit)
    check = "azure-cognitiveservices-account-regional-processing"
    result = azure_scan(checks=[check], services=AI)
    assert result.verdicts(check) == {
        "oai-regional": "PASS",
        "oai-global": "FAIL",
        "oai-datazone": "FAIL",
        "oai-unknown-kr": "PASS",
        "oai-unknown-global": "NEEDS_CONTEXT",
        "oai-elsewhere": "FAIL",
    }
    reason = result.finding(check, "oai-global")["reason"]
    assert reason.startswith("Prompts may be processed outside Korea") and "'GlobalStandard'" in reason


def system_policies(account: str) -> list[dict[str, Any]]:
    """The two system content filters ARM lists on every account: only DefaultV2 has a prompt shield."""
    harm = [
        b.content_filter(c, s) for s in ("Prompt", "Completion") for c in ("Hate", "Sexual", "Violence", "Selfharm")
    ]
    return [
        b.rai_policy(account, "Microsoft.DefaultV2", [*harm, b.content_filter("Jailbreak")], type="SystemManaged"),
        b.rai_policy(account, "Microsoft.Default", harm, type="SystemManaged", basePolicyName=b.ABSENT),
    ]


def test_deployments_need_a_blocking_jailbreak_filter(arm: FakeArm, azure_scan: Any) -> None:
    weak = [b.content_filter("Hate"), b.content_filter("Jailbreak", enabled=True, blocking=False, threshold=None)]
    openai(arm, "oai-shielded", b.deployment("oai-shielded", "chat"), b.rai_policy("oai-shielded"))
    openai(arm, "oai-annotate", b.deployment("oai-annotate", "chat"), b.rai_policy("oai-annotate", filters=weak))
    openai(arm, "oai-nofilter", b.deployment("oai-nofilter", "chat", rai_policy=None), b.rai_policy("oai-nofilter"))
    openai(arm, "oai-missing", b.deployment("oai-missing", "chat", rai_policy="Microsoft.DefaultV2"))
    for name, policy in (("oai-system", "Microsoft.DefaultV2"), ("oai-system-v1", "Microsoft.Default")):
        openai(arm, name, b.deployment(name, "chat", rai_policy=policy), *system_policies(name))
    openai(arm, "oai-empty")
    openai(arm, "vision", kind="ComputerVision")
    check = "azure-cognitiveservices-account-prompt-shield"
    result = azure_scan(checks=[check], services=AI)
    assert result.verdicts(check) == {
        "oai-shielded": "PASS",
        "oai-annotate": "FAIL",
        "oai-nofilter": "FAIL",
        "oai-missing": "ERROR",  # the named policy was not among the collected ones: never assumed to filter
        "oai-system": "PASS",  # the system policy Microsoft.DefaultV2 blocks jailbreak attempts
        "oai-system-v1": "FAIL",  # Microsoft.Default has no prompt shield
        "oai-empty": "PASS",
        "vision": "NOT_APPLICABLE",
    }
    assert "'clearance-strict'" in result.finding(check, "oai-annotate")["reason"]


def test_denied_deployment_listing_is_error(arm: FakeArm, azure_scan: Any) -> None:
    openai(arm, "oai-denied", b.deployment("oai-denied", "chat"), tags={"data-class": "personal-credit"})
    arm.fail("*/accounts/oai-denied/deployments", status=403)
    check = "azure-cognitiveservices-account-regional-processing"
    finding = azure_scan(checks=[check], services=AI).finding(check, "oai-denied")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.CognitiveServices/accounts/deployments/read"
