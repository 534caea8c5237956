"""Signers for evidence packages, chosen by a spec string so the CLI and the library share one syntax.

``file:KEY.pem?chain=CHAIN.pem[&password-env=VAR]``
``awskms:KEY_ARN?chain=CHAIN.pem``
``azurekv:https://VAULT.vault.azure.net/keys/NAME/VERSION?chain=CHAIN.pem``
``gcpkms:projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N?chain=CHAIN.pem``
``pkcs11:/path/to/module.so?token=LABEL&label=KEY_LABEL&pin-env=VAR&chain=CHAIN.pem``

Each kind lives in its own module, imported only when used, so a cloud SDK is needed only for its own signer.
"""

from __future__ import annotations

import importlib

from .base import parse_spec
from .interface import (
    ECDSA_P256,
    ECDSA_P384,
    ED25519,
    RSA_PKCS1V15,
    RSA_PSS,
    EvidenceSigner,
    KeyPasswordError,
    SignerError,
    UnsupportedKeyError,
    keyid,
    scheme_for,
    verify_signature,
)

_MODULES = {"file": "file", "awskms": "aws_kms", "azurekv": "azure_kv", "gcpkms": "gcp_kms", "pkcs11": "pkcs11"}

__all__ = [
    "ECDSA_P256",
    "ECDSA_P384",
    "ED25519",
    "RSA_PKCS1V15",
    "RSA_PSS",
    "EvidenceSigner",
    "KeyPasswordError",
    "SignerError",
    "UnsupportedKeyError",
    "keyid",
    "load_signer",
    "scheme_for",
    "verify_signature",
]


def load_signer(spec: str) -> EvidenceSigner:
    """Build the signer a spec string describes (see the module docstring for the forms)."""
    parsed = parse_spec(spec)
    module_name = _MODULES.get(parsed.kind)
    if module_name is None:
        raise SignerError(f"signer spec {spec!r}: unknown kind '{parsed.kind}' (known: {', '.join(_MODULES)})")
    module = importlib.import_module(f"{__name__}.{module_name}")
    signer: EvidenceSigner = module.from_spec(parsed)
    return signer
