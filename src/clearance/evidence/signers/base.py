"""What every signer shares: the spec string, the certificate chain file, and remote digest signing.

Remote signers (cloud KMS, PKCS#11) are handed a digest, never the message, so packages of any size can be
signed with keys that refuse messages over a few KiB. Each answer is verified against the certificate before it is
used: a KMS key that does not belong to the certificate fails at signing time, not later at the regulator.
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ...errors import InputFileError
from .interface import ED25519, SignerError, describe, hash_for, scheme_for, verify_signature


@dataclass(frozen=True)
class SignerSpec:
    """``KIND:LOCATION?key=value&...`` split into its parts (values URL-decoded)."""

    kind: str
    location: str
    params: dict[str, str] = field(default_factory=dict)

    def check_params(self, allowed: Collection[str], required: Collection[str] = ("chain",)) -> None:
        unknown = sorted(set(self.params) - set(allowed))
        if unknown:
            raise SignerError(
                f"signer '{self.kind}:': unknown parameter(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})"
            )
        missing = [name for name in required if not self.params.get(name)]
        if missing:
            raise SignerError(f"signer '{self.kind}:': missing required parameter(s) {', '.join(missing)}")

    def chain(self) -> list[x509.Certificate]:
        """The certificate chain named by ``?chain=``."""
        return load_chain(Path(self.params["chain"]))


def parse_spec(spec: str) -> SignerSpec:
    """Split ``KIND:LOCATION?name=value&...``; values may be %-encoded (``%26`` for '&' in a path)."""
    kind, sep, rest = spec.partition(":")
    location, _, query = rest.partition("?")
    if not sep or not kind or not location:
        raise SignerError(f"signer spec {spec!r}: expected KIND:LOCATION?chain=CHAIN.pem (e.g. file:key.pem?chain=...)")
    params: dict[str, str] = {}
    for pair in query.split("&") if query else ():
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise SignerError(f"signer spec {spec!r}: malformed parameter {pair!r} (expected NAME=VALUE)")
        if key in params:
            raise SignerError(f"signer spec {spec!r}: parameter '{key}' given twice")
        params[key] = urllib.parse.unquote(value)  # not unquote_plus: '+' is common in file paths
    return SignerSpec(kind, location, params)


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def load_chain(path: Path) -> list[x509.Certificate]:
    """Read ``chain.pem`` (leaf first). A trailing self-signed root is dropped: the verifier brings its own."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read certificate chain: {exc.strerror or exc}") from exc
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InputFileError(str(path), f"not a PEM certificate chain: {exc}") from exc
    while len(certs) > 1 and _is_self_signed(certs[-1]):
        certs.pop()
    if _is_self_signed(certs[0]):
        raise InputFileError(str(path), f"the leaf {describe(certs[0])} is self-signed; a CA-issued leaf is required")
    return certs


def spki(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def check_leaf_matches(chain: list[x509.Certificate], public_key: PublicKeyTypes, key_name: str) -> None:
    if spki(chain[0].public_key()) != spki(public_key):
        raise SignerError(f"{key_name} is not the key of the leaf certificate {describe(chain[0])}")


def secret_from_env(variable: str, purpose: str) -> str:
    """A secret named by the user: only ever read from the environment, never from an argument."""
    value = os.environ.get(variable)
    if value is None:
        raise SignerError(f"environment variable {variable} (the {purpose}) is not set")
    return value


def der_from_raw_ecdsa(raw: bytes) -> bytes:
    """ECDSA ``r || s`` (JOSE, PKCS#11) to the DER form DSSE and OpenSSL use."""
    half = len(raw) // 2
    if not raw or len(raw) % 2:
        raise SignerError(f"malformed raw ECDSA signature of {len(raw)} bytes")
    return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))


class DigestSigner(ABC):
    """A signer whose private key is elsewhere and signs a digest; subclasses implement :meth:`_sign_digest`.

    ``sdk_errors`` are the client library's exception types, reported as :class:`SignerError` naming the key; they
    are passed in because the SDK is imported only where the production client is built.
    """

    def __init__(self, chain: list[x509.Certificate], name: str, sdk_errors: tuple[type[Exception], ...] = ()):
        if not chain:
            raise SignerError(f"{name}: empty certificate chain")
        self._chain = list(chain)
        self._name = name
        self._sdk_errors = sdk_errors
        self._scheme = scheme_for(chain[0].public_key())
        if self._scheme == ED25519:
            raise SignerError(f"{name}: Ed25519 is supported for file keys only (KMS/HSM sign digests, not messages)")

    @property
    def scheme(self) -> str:
        return self._scheme

    def public_key(self) -> PublicKeyTypes:
        return self._chain[0].public_key()

    def certificate_chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def sign(self, data: bytes) -> bytes:
        digest = hashlib.new(hash_for(self._scheme).name, data).digest()
        try:
            signature = self._sign_digest(digest)
        except self._sdk_errors as exc:
            raise SignerError(f"{self._name}: signing failed: {exc}") from exc
        try:
            verify_signature(self.public_key(), signature, data)
        except InvalidSignature:
            raise SignerError(
                f"{self._name} returned a signature that does not verify with the leaf certificate "
                f"{describe(self._chain[0])}: the key and the certificate chain do not belong together"
            ) from None
        return signature

    @abstractmethod
    def _sign_digest(self, digest: bytes) -> bytes:
        """Sign a precomputed digest with :attr:`scheme`; return the DER (ECDSA) or raw (RSA-PSS) signature."""
