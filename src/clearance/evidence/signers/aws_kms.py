"""AWS KMS asymmetric keys (ECC_NIST_P256/P384, RSA_3072/4096 with RSASSA-PSS), signing digests.

KMS ``Sign`` takes at most 4096 bytes of message, so the digest is sent (``MessageType=DIGEST``); the DSSE payload
never leaves the machine. Needs ``kms:Sign`` on the key and the ``aws`` extra (boto3).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from .base import DigestSigner, SignerSpec
from .interface import ECDSA_P256, ECDSA_P384, RSA_PSS, SignerError

_ALGORITHMS = {ECDSA_P256: "ECDSA_SHA_256", ECDSA_P384: "ECDSA_SHA_384", RSA_PSS: "RSASSA_PSS_SHA_256"}


class AwsKmsSigner(DigestSigner):
    """``client`` is a boto3 KMS client (tests hand in one whose Sign is answered at the HTTP layer)."""

    def __init__(
        self, key_id: str, chain: list[x509.Certificate], client: Any, sdk_errors: tuple[type[Exception], ...] = ()
    ):
        super().__init__(chain, f"AWS KMS key {key_id}", sdk_errors)
        self._key_id = key_id
        self._client = client

    def _sign_digest(self, digest: bytes) -> bytes:
        answer = self._client.sign(
            KeyId=self._key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=_ALGORITHMS[self.scheme]
        )
        return bytes(answer["Signature"])


def _region(key_id: str, region: str | None) -> str | None:
    """The region of a key ARN (``arn:aws:kms:REGION:ACCOUNT:key/ID``), else the one given or the SDK default."""
    parts = key_id.split(":")
    if key_id.startswith("arn:") and len(parts) >= 6:
        if region and region != parts[3]:
            raise SignerError(f"awskms: region={region} contradicts the key ARN's region {parts[3]}")
        return parts[3]
    return region


def from_spec(spec: SignerSpec) -> AwsKmsSigner:
    spec.check_params(("chain", "region", "profile"))
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise SignerError("awskms: signer needs boto3: pip install 'clearance[aws]'") from None
    session = boto3.Session(profile_name=spec.params.get("profile") or None)
    client = session.client("kms", region_name=_region(spec.location, spec.params.get("region")))
    return AwsKmsSigner(spec.location, spec.chain(), client, (BotoCoreError, ClientError))
