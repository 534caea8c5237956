"""Azure Key Vault / Managed HSM keys (EC P-256/P-384, RSA with PS256), signing digests.

Key Vault returns ECDSA signatures as JOSE ``r || s``; they are re-encoded as DER, the form DSSE verifiers and
OpenSSL expect. Needs the ``kms-azure`` extra and the ``keys/sign`` permission; credentials come from
``DefaultAzureCredential`` (environment, workload identity, managed identity, Azure CLI).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from .base import DigestSigner, SignerSpec, der_from_raw_ecdsa
from .interface import ECDSA_P256, ECDSA_P384, RSA_PSS, SignerError

_ALGORITHMS = {ECDSA_P256: "ES256", ECDSA_P384: "ES384", RSA_PSS: "PS256"}


class AzureKeyVaultSigner(DigestSigner):
    """``client`` is an ``azure.keyvault.keys.crypto.CryptographyClient`` for the key (or a test double)."""

    def __init__(
        self, key_id: str, chain: list[x509.Certificate], client: Any, sdk_errors: tuple[type[Exception], ...] = ()
    ):
        super().__init__(chain, f"Azure Key Vault key {key_id}", sdk_errors)
        self._client = client

    def _sign_digest(self, digest: bytes) -> bytes:
        signature = bytes(self._client.sign(_ALGORITHMS[self.scheme], digest).signature)
        return signature if self.scheme == RSA_PSS else der_from_raw_ecdsa(signature)


def from_spec(spec: SignerSpec) -> AzureKeyVaultSigner:
    spec.check_params(("chain",))
    if not spec.location.startswith("https://") or "/keys/" not in spec.location:
        raise SignerError(
            f"azurekv: expected a key id URL https://VAULT.vault.azure.net/keys/NAME[/VERSION], got {spec.location!r}"
        )
    try:
        from azure.core.exceptions import AzureError
        from azure.identity import DefaultAzureCredential
        from azure.keyvault.keys.crypto import CryptographyClient
    except ImportError:
        raise SignerError("azurekv: signer needs the Azure SDK: pip install 'clearance[kms-azure]'") from None
    client = CryptographyClient(spec.location, credential=DefaultAzureCredential())
    return AzureKeyVaultSigner(spec.location, spec.chain(), client, (AzureError,))
