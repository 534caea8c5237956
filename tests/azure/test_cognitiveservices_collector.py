"""Cognitive Services / Azure OpenAI accounts with deployments and content filters."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

ACCOUNT = "azure.cognitiveservices.account"


def test_openai_account_with_deployments_rai_policies_and_diagnostics(fake_arm: FakeArm, azure_collect: Any) -> None:
    acct = b.cognitive_account("oai-crm")
    fake_arm.add(b.subscription(), acct, b.deployment("oai-crm", "gpt4o"), b.rai_policy("oai-crm"))
    fake_arm.add(b.diagnostic_setting(acct["id"], category_groups=("audit",)))

    got = azure_collect(services=("cognitiveservices",)).record(ACCOUNT, "oai-crm")

    props = got["data"]["Accounts_List"]["properties"]
    assert (props["disableLocalAuth"], props["restrictOutboundNetworkAccess"]) == (True, True)
    assert got["data"]["Deployments_List"][0]["properties"]["raiPolicyName"] == "clearance-strict"
    assert got["data"]["RaiPolicies_List"][0]["properties"]["mode"] == "Blocking"
    assert got["data"]["DiagnosticSettings_List"][0]["properties"]["logs"][0]["categoryGroup"] == "audit"
    assert got["links"]["key_vault_key"] == ["https://kv-clearance.vault.azure.net/keys/openai-cmk"]
    assert got["links"]["private_endpoints"] == [b.arm_id("Microsoft.Network/privateEndpoints", "pe-oai-crm")]


def test_non_generative_kinds_skip_deployment_calls(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.cognitive_account("lang-crm", kind="TextAnalytics"))

    got = azure_collect(services=("cognitiveservices",)).record(ACCOUNT, "lang-crm")

    assert "Deployments_List" not in got["data"] and "RaiPolicies_List" not in got["data"]
    assert not fake_arm.calls("/deployments") and not fake_arm.calls("/raiPolicies")


def test_denied_rai_policies(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.cognitive_account("oai-crm"))
    fake_arm.fail("*/accounts/oai-crm/raipolicies")

    got = azure_collect(services=("cognitiveservices",)).record(ACCOUNT, "oai-crm")

    assert got["errors"]["RaiPolicies_List"]["permission"] == "Microsoft.CognitiveServices/accounts/raiPolicies/read"
    assert got["data"]["Deployments_List"] == []
