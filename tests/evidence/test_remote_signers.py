"""Cloud KMS and PKCS#11 signers, signing real digests with real keys.

AWS: a real boto3 client built by ``load_signer``; KMS ``Sign`` (``MessageType=DIGEST``, which moto does not
implement) is answered at the HTTP layer by tests/aws/fakes.py, so botocore's real serialisation and parsing run.
Azure and GCP: their SDKs are optional extras, so the signers get client doubles that sign with a local key exactly
as the services document (Azure: JOSE r||s; GCP: DER). PKCS#11: SoftHSM2 when it and python-pkcs11 are installed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils

from clearance.evidence.signers import SignerError, load_signer, verify_signature
from clearance.evidence.signers.azure_kv import AzureKeyVaultSigner
from clearance.evidence.signers.gcp_kms import GcpKmsSigner
from clearance.evidence.signers.interface import pss_padding
from tests.aws.fakes import deny, intercept

from .pki import Issued, Pki, pem

PAE = b"DSSEv1 28 application/vnd.in-toto+json 7 payload"
KEY_ARN = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _sign_digest(key: Any, digest: bytes) -> bytes:
    """What a KMS does with a digest: ECDSA (DER) or RSA-PSS (salt = digest length) over the prehashed value."""
    algorithm = hashes.SHA384() if len(digest) == 48 else hashes.SHA256()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(utils.Prehashed(algorithm)))
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.sign(digest, pss_padding(), utils.Prehashed(algorithm))


@pytest.fixture
def chain_file(pki: Pki, tmp_path: Path) -> Any:
    def write(leaf: Issued) -> Path:
        path = tmp_path / f"{leaf.cert.serial_number}.pem"
        path.write_bytes(pem(*pki.chain(leaf)))
        return path

    return write


@pytest.mark.parametrize(
    ("leaf", "algorithm"),
    [("leaf_p256", "ECDSA_SHA_256"), ("leaf_p384", "ECDSA_SHA_384"), ("leaf_rsa", "RSASSA_PSS_SHA_256")],
)
def test_aws_kms_signs_the_digest(pki: Pki, chain_file: Any, leaf: str, algorithm: str) -> None:
    issued: Issued = getattr(pki, leaf)
    sent: list[dict[str, Any]] = []

    def kms_sign(request: Any) -> tuple[int, bytes, dict[str, str]]:
        body = json.loads(request.body)
        sent.append(body)
        signature = _sign_digest(issued.key, base64.b64decode(body["Message"]))
        answer = {
            "KeyId": body["KeyId"],
            "Signature": base64.b64encode(signature).decode(),
            "SigningAlgorithm": algorithm,
        }
        return 200, json.dumps(answer).encode(), {"content-type": "application/x-amz-json-1.1"}

    with intercept("kms", "Sign", kms_sign):  # before the client is built: botocore reads handlers then
        signer = load_signer(f"awskms:{KEY_ARN}?chain={chain_file(issued)}")
        signature = signer.sign(PAE)
    verify_signature(signer.public_key(), signature, PAE)
    assert sent == [
        {
            "KeyId": KEY_ARN,
            "Message": sent[0]["Message"],
            "MessageType": "DIGEST",
            "SigningAlgorithm": algorithm,
        }
    ]
    digest_name = "sha384" if algorithm.endswith("384") else "sha256"
    assert base64.b64decode(sent[0]["Message"]) == hashlib.new(digest_name, PAE).digest()


def test_aws_kms_denied_and_mismatched_keys(pki: Pki, chain_file: Any) -> None:
    spec = f"awskms:{KEY_ARN}?chain={chain_file(pki.leaf_p256)}"
    with (
        deny("kms", "Sign"),
        pytest.raises(SignerError, match=rf"AWS KMS key {KEY_ARN}: signing failed: .*AccessDenied"),
    ):
        load_signer(spec).sign(PAE)

    def wrong_key(request: Any) -> tuple[int, bytes, dict[str, str]]:
        signature = _sign_digest(pki.leaf_eku.key, base64.b64decode(json.loads(request.body)["Message"]))
        return 200, json.dumps({"Signature": base64.b64encode(signature).decode()}).encode(), {}

    with intercept("kms", "Sign", wrong_key), pytest.raises(SignerError, match=r"do not belong together"):
        load_signer(spec).sign(PAE)


def test_aws_region_comes_from_the_arn(pki: Pki, chain_file: Any) -> None:
    with pytest.raises(SignerError, match=r"contradicts the key ARN's region ap-northeast-2"):
        load_signer(f"awskms:{KEY_ARN}?chain={chain_file(pki.leaf_p256)}&region=us-east-1")


@dataclass
class _AzureResult:
    signature: bytes


class FakeAzureCryptographyClient:
    """Answers ``sign(algorithm, digest)`` as Key Vault does: ES* as raw r||s, PS256 as RSA-PSS."""

    def __init__(self, key: Any):
        self.key = key
        self.calls: list[tuple[str, bytes]] = []

    def sign(self, algorithm: str, digest: bytes) -> _AzureResult:
        self.calls.append((algorithm, digest))
        signature = _sign_digest(self.key, digest)
        if algorithm.startswith("ES"):
            r, s = utils.decode_dss_signature(signature)
            size = (self.key.curve.key_size + 7) // 8
            signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return _AzureResult(signature)


@pytest.mark.parametrize(("leaf", "algorithm"), [("leaf_p256", "ES256"), ("leaf_p384", "ES384"), ("leaf_rsa", "PS256")])
def test_azure_key_vault_signer(pki: Pki, leaf: str, algorithm: str) -> None:
    issued: Issued = getattr(pki, leaf)
    client = FakeAzureCryptographyClient(issued.key)
    signer = AzureKeyVaultSigner("https://v.vault.azure.net/keys/evidence/1", pki.chain(issued), client)
    verify_signature(signer.public_key(), signer.sign(PAE), PAE)
    assert [a for a, _ in client.calls] == [algorithm]


def test_azure_sdk_errors_are_reported_with_the_key(pki: Pki) -> None:
    class HttpResponseError(Exception):
        pass

    class Refusing:
        def sign(self, algorithm: str, digest: bytes) -> _AzureResult:
            raise HttpResponseError("(Forbidden) does not have keys sign permission")

    signer = AzureKeyVaultSigner(
        "https://v.vault.azure.net/keys/k", pki.chain(pki.leaf_p256), Refusing(), (HttpResponseError,)
    )
    with pytest.raises(SignerError, match=r"Azure Key Vault key https://v.vault.azure.net/keys/k: .*Forbidden"):
        signer.sign(PAE)


@dataclass
class _GcpResponse:
    name: str
    signature: bytes


class FakeGcpKmsClient:
    def __init__(self, key: Any, answer_name: str | None = None):
        self.key = key
        self.answer_name = answer_name
        self.requests: list[dict[str, Any]] = []

    def asymmetric_sign(self, request: dict[str, Any]) -> _GcpResponse:
        self.requests.append(request)
        (digest,) = request["digest"].values()
        return _GcpResponse(self.answer_name or request["name"], _sign_digest(self.key, digest))


GCP_VERSION = "projects/p/locations/asia-northeast3/keyRings/r/cryptoKeys/evidence/cryptoKeyVersions/1"


@pytest.mark.parametrize(("leaf", "field"), [("leaf_p256", "sha256"), ("leaf_p384", "sha384"), ("leaf_rsa", "sha256")])
def test_gcp_kms_signer(pki: Pki, leaf: str, field: str) -> None:
    issued: Issued = getattr(pki, leaf)
    client = FakeGcpKmsClient(issued.key)
    signer = GcpKmsSigner(GCP_VERSION, pki.chain(issued), client)
    verify_signature(signer.public_key(), signer.sign(PAE), PAE)
    assert client.requests == [{"name": GCP_VERSION, "digest": {field: hashlib.new(field, PAE).digest()}}]


def test_gcp_answer_for_another_key_is_refused(pki: Pki) -> None:
    signer = GcpKmsSigner(GCP_VERSION, pki.chain(pki.leaf_p256), FakeGcpKmsClient(pki.leaf_p256.key, "projects/x"))
    with pytest.raises(SignerError, match=r"answered for projects/x"):
        signer.sign(PAE)


def test_remote_signers_refuse_ed25519_and_bad_locations(pki: Pki, chain_file: Any) -> None:
    with pytest.raises(SignerError, match=r"Ed25519 is supported for file keys only"):
        GcpKmsSigner(GCP_VERSION, pki.chain(pki.leaf_ed25519), FakeGcpKmsClient(pki.leaf_ed25519.key))
    chain = chain_file(pki.leaf_p256)
    with pytest.raises(SignerError, match=r"expected projects/P/locations"):
        load_signer(f"gcpkms:projects/p/keys/k?chain={chain}")
    with pytest.raises(SignerError, match=r"expected a key id URL"):
        load_signer(f"azurekv:v.vault.azure.net/k?chain={chain}")
    with pytest.raises(SignerError, match=r"missing required parameter.*label"):
        load_signer(f"pkcs11:/usr/lib/softhsm/libsofthsm2.so?token=t&chain={chain}")


_ID_AND_PIN = {"p256": ["--id", "01", "--pin", "1234"], "rsa": ["--id", "02", "--pin", "1234"]}
SOFTHSM_LIBS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SoftHSM2 token 'clearance-test' (user PIN 1234); skipped when SoftHSM2 or python-pkcs11 is missing."""
    pytest.importorskip("pkcs11", reason="python-pkcs11 (the 'hsm' extra) is not installed")
    module = next((lib for lib in SOFTHSM_LIBS if os.path.exists(lib)), None)
    if module is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                "clearance-test",
                "--pin",
                "1234",
                "--so-pin",
                "5678",
            ],
            check=True,
            capture_output=True,
        )
        yield module


@pytest.mark.parametrize(("leaf", "label"), [("leaf_p256", "p256"), ("leaf_rsa", "rsa")])
def test_pkcs11_signer_on_softhsm(
    pki: Pki, softhsm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leaf: str, label: str
) -> None:
    issued: Issued = getattr(pki, leaf)
    key_path, chain_path = pki.write(tmp_path, issued)
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key_path),
            "--token",
            "clearance-test",
            "--label",
            label,
            *_ID_AND_PIN[label],
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("HSM_PIN", "1234")
    signer = load_signer(f"pkcs11:{softhsm}?token=clearance-test&label={label}&pin-env=HSM_PIN&chain={chain_path}")
    verify_signature(signer.public_key(), signer.sign(PAE), PAE)
    monkeypatch.setenv("HSM_PIN", "0000")
    with pytest.raises(SignerError, match=rf"PKCS#11 key '{label}' on token 'clearance-test': signing failed"):
        load_signer(f"pkcs11:{softhsm}?token=clearance-test&label={label}&pin-env=HSM_PIN&chain={chain_path}").sign(PAE)


def test_pkcs11_unknown_token(softhsm: str, pki: Pki, chain_file: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARANCE_PKCS11_PIN", "1234")
    with pytest.raises(SignerError, match=r"cannot open token 'nope'"):
        load_signer(f"pkcs11:{softhsm}?token=nope&label=x&chain={chain_file(pki.leaf_p256)}")
