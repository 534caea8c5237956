"""Vertex AI checks (endpoints, models, datasets) through the real scan path."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

VERTEX = ("aiplatform",)


def endpoint(fake: FakeGcp, endpoint_id: str, **fields: Any) -> None:
    fake.add_vertex("endpoints", b.vertex_endpoint(endpoint_id, displayName=endpoint_id, **fields))


def test_private_endpoints(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    endpoint(fake_gcp, "ep-psc")
    endpoint(
        fake_gcp,
        "ep-peered",
        privateServiceConnectConfig=b.ABSENT,
        network=f"projects/{b.PROJECT_NUMBER}/global/networks/vpc-prod",
    )
    endpoint(fake_gcp, "ep-public", privateServiceConnectConfig=b.ABSENT)
    endpoint(fake_gcp, "ep-psc-off", privateServiceConnectConfig={"enablePrivateServiceConnect": False})
    check = "gcp-aiplatform-endpoint-private"
    result = gcp_scan(checks=[check], services=VERTEX)
    assert result.verdicts(check) == {
        "ep-psc": "PASS",
        "ep-peered": "PASS",
        "ep-public": "FAIL",
        "ep-psc-off": "FAIL",
    }
    assert result.finding(check, "ep-public")["reason"].startswith("The endpoint is public")


def test_request_response_logging(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    endpoint(fake_gcp, "ep-logged")
    endpoint(fake_gcp, "ep-unlogged", predictRequestResponseLoggingConfig=b.ABSENT)
    endpoint(fake_gcp, "ep-disabled", predictRequestResponseLoggingConfig={"enabled": False})
    endpoint(fake_gcp, "ep-zero-rate", predictRequestResponseLoggingConfig={"samplingRate": b.ABSENT})
    endpoint(fake_gcp, "ep-nowhere", predictRequestResponseLoggingConfig={"bigqueryDestination": b.ABSENT})
    check = "gcp-aiplatform-endpoint-request-response-logging"
    result = gcp_scan(checks=[check], services=VERTEX)
    assert result.verdicts(check) == {
        "ep-logged": "PASS",
        "ep-unlogged": "FAIL",
        "ep-disabled": "FAIL",
        "ep-zero-rate": "FAIL",  # proto3 JSON omits 0: nothing is sampled
        "ep-nowhere": "FAIL",
    }


def test_cmek_on_endpoints_models_and_datasets(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    endpoint(fake_gcp, "ep-cmek")
    endpoint(fake_gcp, "ep-google", encryptionSpec=b.ABSENT)
    fake_gcp.add_vertex("models", b.vertex_model("model-cmek"))
    fake_gcp.add_vertex("models", b.vertex_model("model-google", encryptionSpec=b.ABSENT))
    fake_gcp.add_vertex("datasets", b.vertex_dataset("ds-cmek", displayName="ds-cmek"))
    fake_gcp.add_vertex("datasets", b.vertex_dataset("ds-google", displayName="ds-google", encryptionSpec=b.ABSENT))
    checks = ["gcp-aiplatform-endpoint-cmek", "gcp-aiplatform-model-cmek", "gcp-aiplatform-dataset-cmek"]
    result = gcp_scan(checks=checks, services=VERTEX)
    assert result.verdicts(checks[0]) == {"ep-cmek": "PASS", "ep-google": "FAIL"}
    assert result.verdicts(checks[1]) == {"model-cmek": "PASS", "model-google": "FAIL"}
    assert result.verdicts(checks[2]) == {"ds-cmek": "PASS", "ds-google": "FAIL"}


def test_endpoint_location_by_data_class(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    credit = {"data-class": "personal-credit"}
    endpoint(fake_gcp, "ep-seoul-credit", labels=credit)
    endpoint(fake_gcp, "ep-us-credit", location="us-central1", labels=credit)
    endpoint(fake_gcp, "ep-us-public", location="us-central1", labels={"data-class": "public"})
    endpoint(fake_gcp, "ep-us-unknown", location="us-central1", labels=b.ABSENT)
    check = "gcp-aiplatform-endpoint-location"
    result = gcp_scan(checks=[check], services=VERTEX)
    assert result.verdicts(check) == {
        "ep-seoul-credit": "PASS",
        "ep-us-credit": "FAIL",
        "ep-us-public": "NOT_APPLICABLE",
        "ep-us-unknown": "NEEDS_CONTEXT",
    }


def test_denied_endpoint_listing_is_not_evaluated(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    endpoint(fake_gcp, "ep-hidden")
    fake_gcp.fail("*/locations/asia-northeast3/endpoints", status=403)
    check = "gcp-aiplatform-endpoint-private"
    result = gcp_scan(checks=[check], services=VERTEX)
    assert result.verdicts(check) == {}
    gaps = [c for c in result.coverage if c["check_id"] == check and c["status"] == "not_evaluated"]
    assert gaps and "aiplatform.endpoints.list" in str(gaps)
