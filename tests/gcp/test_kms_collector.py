"""Cloud KMS collector: keys in every reported location, with their key ring and both IAM policies."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT

KEY = "gcp.kms.key"
ADMIN = b.binding("roles/cloudkms.admin", "group:kms-admins@clearance.example")
USER = b.binding(
    "roles/cloudkms.cryptoKeyEncrypterDecrypter", "serviceAccount:app@clearance-prod.iam.gserviceaccount.com"
)


def _seed(fake: FakeGcp) -> None:
    fake.add_key_ring(b.key_ring(), iam_policy=b.resource_iam_policy(ADMIN))
    fake.add_crypto_key(b.crypto_key("cmek-data", rotation_days=90), iam_policy=b.resource_iam_policy(USER))
    fake.add_crypto_key(b.signing_key("evidence-signing"))
    fake.add_key_ring(b.key_ring("global-ring", location="global"))
    fake.add_crypto_key(b.crypto_key("cmek-global", ring="global-ring", location="global"))


def test_keys_carry_ring_and_both_policies(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)

    got = gcp_collect(services=("kms",))

    key = got.record(KEY, "cmek-data")
    assert key["id"] == f"//cloudkms.googleapis.com/{b.kms_key_name('cmek-data')}"
    assert (key["region"], key["tags"], key["errors"]) == ("asia-northeast3", {"environment": "prod"}, {})
    assert key["data"]["CryptoKeys_List"]["rotationPeriod"] == "7776000s"
    assert key["data"]["CryptoKeys_List"]["versionTemplate"]["protectionLevel"] == "HSM"
    assert key["data"]["KeyRings_List"] == b.key_ring()
    assert key["data"]["KeyRings_GetIamPolicy"]["bindings"] == [ADMIN]
    assert key["data"]["CryptoKeys_GetIamPolicy"]["bindings"] == [USER]
    assert "rotationPeriod" not in got.record(KEY, "evidence-signing")["data"]["CryptoKeys_List"]
    assert got.record(KEY, "cmek-global")["region"] == "global"
    assert {(x.region, x.count) for x in got.listings(KEY)} == {("asia-northeast3", 2), ("global", 1)}
    policy_calls = fake_gcp.calls(":getIamPolicy")
    assert {r.query["options.requestedPolicyVersion"] for r in policy_calls} == {"3"}
    assert len([r for r in policy_calls if "/cryptoKeys/" not in r.path]) == 2  # once per ring, not per key


def test_a_failed_location_fails_only_that_region(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.fail("*/locations/global/keyRings")

    got = gcp_collect(services=("kms",))

    listings = {x.region: x for x in got.listings(KEY)}
    assert listings["asia-northeast3"].status is TypeStatus.LISTED
    failed = listings["global"]
    assert failed.status is TypeStatus.FAILED and failed.error is not None
    assert failed.error.permission == "cloudkms.keyRings.list"
    assert set(got.records(KEY)) == {"cmek-data", "evidence-signing"}


def test_a_failed_key_list_fails_the_rings_region(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.fail("*/keyRings/global-ring/cryptoKeys")

    got = gcp_collect(services=("kms",))

    failed = {x.region: x for x in got.listings(KEY)}["global"]
    assert failed.status is TypeStatus.FAILED and failed.error is not None
    assert failed.error.permission == "cloudkms.cryptoKeys.list"


def test_locations_come_from_the_api_and_exclusions_apply(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.locations["cloudkms"] = ["global", "asia-northeast3", "us-east1"]

    got = gcp_collect(services=("kms",), exclude_regions=("global",))

    assert set(got.records(KEY)) == {"cmek-data", "evidence-signing"}
    asked = {r.path.rsplit("/", 2)[-2] for r in fake_gcp.calls("/keyRings") if r.path.endswith("/keyRings")}
    assert asked == {"asia-northeast3", "us-east1"}


def test_denied_location_list_fails_the_type(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail(f"/cloudkms.googleapis.com/v1/projects/{PROJECT}/locations")

    (listing,) = gcp_collect(services=("kms",)).listings(KEY)

    assert (listing.status, listing.region, listing.list_call) == (TypeStatus.FAILED, "*", "Locations_List")
    assert listing.error is not None and listing.error.permission == "cloudkms.locations.list"
