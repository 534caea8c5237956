"""``clearance keys init``: a throwaway development PKI so packages can be built and verified on day one.

It writes a root CA (the trust anchor a test verifier is given), an issuing CA, a signing key and its certificate,
and current CRLs for both CAs (their distribution points are ``file://`` URLs to these files, so CRL collection
works offline). The CA private keys are discarded: nothing else can ever be issued under this root, and a leaked
development directory cannot mint new identities. Certificates say "development" in their names; a regulator's
anchors will never include this root.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from ..errors import UsageError

_SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
_KEY_MAKERS: dict[str, Callable[[], _SigningKey]] = {
    "ecdsa-p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "rsa-pss-3072": lambda: rsa.generate_private_key(public_exponent=65537, key_size=3072),
    "ed25519": ed25519.Ed25519PrivateKey.generate,
}
ALGORITHMS = tuple(_KEY_MAKERS)
ORGANIZATION = "clearance development PKI (not for filing)"
LEAF_DAYS = 2 * 365
CRL_DAYS = 365
_FILES = ("root.pem", "chain.pem", "key.pem", "root.crl", "issuing-ca.crl")


@dataclass(frozen=True)
class DevKeys:
    directory: Path
    key: Path
    """The signing key, PKCS#8 PEM (encrypted when a password was given)."""
    chain: Path
    """Leaf certificate, then the issuing CA."""
    root: Path
    """The trust anchor to give the verifier."""
    crls: tuple[Path, ...]
    """DER CRLs: issuing CA (covers the leaf), root (covers the issuing CA)."""
    algorithm: str

    @property
    def signer_spec(self) -> str:
        """``file:KEY?chain=CHAIN`` for :func:`clearance.evidence.signers.load_signer`."""
        return f"file:{self.key}?chain={urllib.parse.quote(str(self.chain))}"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Name | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    now: dt.datetime,
    days: int,
    crl_url: str | None,
) -> x509.Certificate:
    name = _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca and issuer else None), critical=True)
        .add_extension(
            key_usage(ca=ca, content_commitment=not ca),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier("urn:clearance:dev-signer")]), critical=False
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _crl(issuer: x509.Certificate, key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> bytes:
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(1), critical=False)
        .sign(key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    fd = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def init_dev_keys(directory: Path, *, algorithm: str = "ecdsa-p256", password: bytes | None = None) -> DevKeys:
    """Create the development PKI in ``directory``; refuses to overwrite an existing one."""
    make_key = _KEY_MAKERS.get(algorithm)
    if make_key is None:
        raise UsageError(f"unknown key algorithm '{algorithm}' (choose from {', '.join(ALGORITHMS)})")
    directory = directory.resolve()
    existing = [name for name in _FILES if (directory / name).exists()]
    if existing:
        raise UsageError(f"{directory} already holds {', '.join(existing)}; choose an empty directory")
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_crl, ica_crl = directory / "root.crl", directory / "issuing-ca.crl"

    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate(
        "clearance dev root CA", root_key.public_key(), None, root_key, ca=True, now=now, days=10 * 365, crl_url=None
    )
    ica_key = ec.generate_private_key(ec.SECP256R1())
    ica = _certificate(
        "clearance dev issuing CA",
        ica_key.public_key(),
        root.subject,
        root_key,
        ca=True,
        now=now,
        days=5 * 365,
        crl_url=root_crl.as_uri(),
    )
    leaf_key = make_key()
    leaf = _certificate(
        f"clearance dev evidence signer ({algorithm})",
        leaf_key.public_key(),
        ica.subject,
        ica_key,
        ca=False,
        now=now,
        days=LEAF_DAYS,
        crl_url=ica_crl.as_uri(),
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    pem = serialization.Encoding.PEM
    _write(
        directory / "key.pem", leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, encryption), private=True
    )
    _write(directory / "chain.pem", leaf.public_bytes(pem) + ica.public_bytes(pem))
    _write(directory / "root.pem", root.public_bytes(pem))
    _write(ica_crl, _crl(ica, ica_key, now))
    _write(root_crl, _crl(root, root_key, now))
    return DevKeys(
        directory=directory,
        key=directory / "key.pem",
        chain=directory / "chain.pem",
        root=directory / "root.pem",
        crls=(ica_crl, root_crl),
        algorithm=algorithm,
    )


def key_usage(*, ca: bool, content_commitment: bool = False) -> x509.KeyUsage:
    """KeyUsage of a development certificate: a CA signs certificates and CRLs, a leaf signs data
    (``content_commitment`` for evidence signers, which vouch for what they sign)."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
