"""Google Cloud KMS asymmetric-signing key versions (EC_SIGN_P256/P384_SHA256/384, RSA_SIGN_PSS_*_SHA256).

The key version's algorithm fixes the padding (PSS with salt = digest length for the RSA PSS algorithms), so only
the digest is sent. The answer is verified against the certificate before use, which also covers the integrity the
CRC32C fields would give. Needs the ``kms-gcp`` extra and ``cloudkms.cryptoKeyVersions.useToSign``.
"""

from __future__ import annotations

import re
from typing import Any

from cryptography import x509

from .base import DigestSigner, SignerSpec
from .interface import ECDSA_P384, SignerError

_VERSION_NAME = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+/cryptoKeyVersions/\d+$")


class GcpKmsSigner(DigestSigner):
    """``client`` is a ``google.cloud.kms.KeyManagementServiceClient`` (or a test double)."""

    def __init__(
        self, version: str, chain: list[x509.Certificate], client: Any, sdk_errors: tuple[type[Exception], ...] = ()
    ):
        super().__init__(chain, f"Cloud KMS key version {version}", sdk_errors)
        self._version = version
        self._client = client

    def _sign_digest(self, digest: bytes) -> bytes:
        field = "sha384" if self.scheme == ECDSA_P384 else "sha256"
        response = self._client.asymmetric_sign(request={"name": self._version, "digest": {field: digest}})
        if response.name and response.name != self._version:
            raise SignerError(f"Cloud KMS answered for {response.name}, not for {self._version}")
        return bytes(response.signature)


def from_spec(spec: SignerSpec) -> GcpKmsSigner:
    spec.check_params(("chain",))
    if not _VERSION_NAME.match(spec.location):
        raise SignerError(
            "gcpkms: expected projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N, "
            f"got {spec.location!r}"
        )
    try:
        from google.api_core.exceptions import GoogleAPIError
        from google.cloud import kms
    except ImportError:
        raise SignerError("gcpkms: signer needs google-cloud-kms: pip install 'clearance[kms-gcp]'") from None
    return GcpKmsSigner(spec.location, spec.chain(), kms.KeyManagementServiceClient(), (GoogleAPIError,))
