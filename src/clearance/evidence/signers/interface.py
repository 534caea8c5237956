"""The signer contract, and the one place that maps a public key to its signature scheme.

The verifier never reads the scheme from the envelope (an attacker controls it): the scheme is implied by the
key type of the certificate alone, so a signature made for one scheme can never be checked under another.
Every signer (file key, cloud KMS, HSM) implements :class:`EvidenceSigner`; the package builder needs nothing else.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ...errors import UsageError

ECDSA_P256 = "ecdsa-sha2-nistp256"
ECDSA_P384 = "ecdsa-sha2-nistp384"
RSA_PSS = "rsassa-pss-sha256"
RSA_PKCS1V15 = "rsa-pkcs1v15-sha256"
ED25519 = "ed25519"

MIN_RSA_BITS = 2048
PSS_SALT_LENGTH = 32
"""Salt = digest length: what AWS KMS, GCP KMS, Azure Key Vault (PS256) and PKCS#11 HSMs produce for SHA-256."""


class SignerError(UsageError):
    """A signer cannot be set up or used (bad spec, unreadable key, key/certificate mismatch, KMS refusal)."""


class KeyPasswordError(SignerError):
    """An encrypted private key could not be decrypted (missing or wrong password)."""


class UnsupportedKeyError(UsageError):
    """A key type outside the supported schemes (e.g. a 1024-bit RSA or a secp256k1 key)."""


@runtime_checkable
class EvidenceSigner(Protocol):
    """Something that signs evidence: a private key we never need to see, plus the certificate that names it."""

    def public_key(self) -> PublicKeyTypes:
        """The public key of the leaf certificate (the one the verifier checks the signature with)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (the DSSE PAE bytes) with the scheme :func:`scheme_for` implies for the key."""
        ...

    def certificate_chain(self) -> list[x509.Certificate]:
        """The leaf certificate first, then intermediates; never the root (the verifier brings its own anchors)."""
        ...


def scheme_for(public_key: PublicKeyTypes) -> str:
    """The signature scheme a key of this type signs with (RSA keys sign RSA-PSS; PKCS#1 v1.5 is verify-only)."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if isinstance(public_key.curve, ec.SECP256R1):
            return ECDSA_P256
        if isinstance(public_key.curve, ec.SECP384R1):
            return ECDSA_P384
        raise UnsupportedKeyError(f"unsupported elliptic curve {public_key.curve.name} (use P-256 or P-384)")
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise UnsupportedKeyError(f"RSA key of {public_key.key_size} bits is too small (minimum {MIN_RSA_BITS})")
        return RSA_PSS
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return ED25519
    raise UnsupportedKeyError(f"unsupported key type {type(public_key).__name__}")


def hash_for(scheme: str) -> hashes.HashAlgorithm:
    """The message digest a scheme signs (what a remote signer must be handed)."""
    return hashes.SHA384() if scheme == ECDSA_P384 else hashes.SHA256()


def pss_padding() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_LENGTH)


def verify_signature(
    public_key: PublicKeyTypes, signature: bytes, data: bytes, *, allow_pkcs1v15: bool = False
) -> None:
    """Check ``signature`` over ``data``; raise :class:`InvalidSignature` if it does not verify.

    RSA signatures are tried as PSS (salt 32) first; PKCS#1 v1.5 only when the caller allows it, which it does
    for Korean licensed-CA certificates whose keys live in tokens that cannot sign PSS.
    """
    scheme = scheme_for(public_key)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hash_for(scheme)))
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
    elif isinstance(public_key, rsa.RSAPublicKey):
        try:
            public_key.verify(signature, data, pss_padding(), hashes.SHA256())
        except InvalidSignature:
            if not allow_pkcs1v15:
                raise
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def keyid(cert: x509.Certificate) -> str:
    """DSSE keyid: hex SHA-256 of the leaf's SubjectPublicKeyInfo DER (stable across certificate renewals)."""
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def describe(cert: x509.Certificate) -> str:
    """A short, precise name for a certificate in error messages: subject and serial."""
    return f"'{cert.subject.rfc4514_string()}' (serial {cert.serial_number:x})"
