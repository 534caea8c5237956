"""PKCS#11 hardware security modules (on-prem HSMs, smart cards, SoftHSM): EC P-256/P-384 and RSA-PSS keys.

The token signs a digest with the raw mechanism (``CKM_ECDSA``, ``CKM_RSA_PKCS_PSS``), so hashing stays here and
no HSM needs to support a hash-and-sign mechanism. A session is opened per signature and closed at once: packages
are signed rarely, and a long-lived login would outlive the command. The PIN is read from an environment variable
(``?pin-env=VAR``, default ``CLEARANCE_PKCS11_PIN``). Needs the ``hsm`` extra (python-pkcs11).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from .base import DigestSigner, SignerSpec, der_from_raw_ecdsa, secret_from_env
from .interface import PSS_SALT_LENGTH, RSA_PSS, SignerError

PIN_ENV = "CLEARANCE_PKCS11_PIN"


class Pkcs11Signer(DigestSigner):
    """``token`` is a ``pkcs11.Token``; the private key is found by ``label`` on each signature."""

    def __init__(
        self,
        token: Any,
        label: str,
        pin: str,
        chain: list[x509.Certificate],
        sdk_errors: tuple[type[Exception], ...] = (),
    ):
        super().__init__(chain, f"PKCS#11 key '{label}' on token '{token.label}'", sdk_errors)
        self._token = token
        self._label = label
        self._pin = pin

    def _sign_digest(self, digest: bytes) -> bytes:
        from pkcs11 import MGF, Mechanism, ObjectClass

        with self._token.open(user_pin=self._pin) as session:
            key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=self._label)
            if self.scheme == RSA_PSS:
                params = (Mechanism.SHA256, MGF.SHA256, PSS_SALT_LENGTH)
                return bytes(key.sign(digest, mechanism=Mechanism.RSA_PKCS_PSS, mechanism_param=params))
            return der_from_raw_ecdsa(bytes(key.sign(digest, mechanism=Mechanism.ECDSA)))


def from_spec(spec: SignerSpec) -> Pkcs11Signer:
    spec.check_params(("chain", "token", "label", "pin-env"), required=("chain", "token", "label"))
    try:
        import pkcs11
        from pkcs11.exceptions import PKCS11Error
    except ImportError:
        raise SignerError("pkcs11: signer needs python-pkcs11: pip install 'clearance[hsm]'") from None
    pin = secret_from_env(spec.params.get("pin-env") or PIN_ENV, "PKCS#11 user PIN")
    try:
        token = pkcs11.lib(spec.location).get_token(token_label=spec.params["token"])
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise SignerError(f"pkcs11: cannot open token '{spec.params['token']}' in {spec.location}: {exc!r}") from None
    return Pkcs11Signer(token, spec.params["label"], pin, spec.chain(), (PKCS11Error,))
