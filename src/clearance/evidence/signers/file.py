"""A signer backed by a PKCS#8 PEM key file: for development and for firms without a KMS or HSM.

The password comes from the environment (``?password-env=VAR``, else ``CLEARANCE_KEY_PASSWORD``) or an interactive
prompt, never from a command-line argument, where it would end up in shell history and process listings.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from ...errors import InputFileError
from .base import SignerSpec, check_leaf_matches, secret_from_env
from .interface import ED25519, KeyPasswordError, SignerError, hash_for, pss_padding, scheme_for

PASSWORD_ENV = "CLEARANCE_KEY_PASSWORD"
_ENCRYPTED_MARKERS = (b"-----BEGIN ENCRYPTED PRIVATE KEY-----", b"Proc-Type: 4,ENCRYPTED")


class FileSigner:
    """Signs with an in-memory private key; the leaf certificate must carry the same public key."""

    def __init__(self, private_key: PrivateKeyTypes, chain: list[x509.Certificate], *, name: str = "private key"):
        if not isinstance(private_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
            raise SignerError(f"{name}: unsupported key type {type(private_key).__name__}")
        if not chain:
            raise SignerError(f"{name}: empty certificate chain")
        self._key = private_key
        self._scheme = scheme_for(private_key.public_key())
        check_leaf_matches(chain, private_key.public_key(), name)
        self._chain = list(chain)

    @property
    def scheme(self) -> str:
        return self._scheme

    def public_key(self) -> PublicKeyTypes:
        return self._key.public_key()

    def certificate_chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def sign(self, data: bytes) -> bytes:
        key = self._key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_for(self._scheme)))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, pss_padding(), hash_for(self._scheme))
        assert self._scheme == ED25519
        return key.sign(data)


def _password(path: Path, password_env: str | None) -> bytes:
    if password_env:
        return secret_from_env(password_env, f"password of {path}").encode()
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV].encode()
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {path}: ").encode()
    raise KeyPasswordError(
        f"{path}: the key is encrypted; set {PASSWORD_ENV} or name a variable with ?password-env=VAR"
    )


def load_private_key(path: Path, password_env: str | None = None) -> PrivateKeyTypes:
    """Load a PEM private key, asking for a password only when the key is encrypted."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read private key: {exc.strerror or exc}") from exc
    encrypted = any(marker in data for marker in _ENCRYPTED_MARKERS)
    password = _password(path, password_env) if encrypted else None
    try:
        return serialization.load_pem_private_key(data, password=password)
    except ValueError as exc:
        if encrypted:
            raise KeyPasswordError(f"{path}: cannot decrypt the private key (wrong password?)") from None
        raise InputFileError(str(path), f"not a PEM private key: {exc}") from None
    except (TypeError, UnsupportedAlgorithm) as exc:
        raise InputFileError(str(path), f"unsupported private key: {exc}") from None


def from_spec(spec: SignerSpec) -> FileSigner:
    spec.check_params(("chain", "password-env"))
    path = Path(spec.location)
    key = load_private_key(path, spec.params.get("password-env"))
    return FileSigner(key, spec.chain(), name=f"private key {path}")
