"""A throwaway PKI built with real keys for one test session.

Shapes follow what a regulator will meet: a firm root and issuing CA with leaves of each supported key type, an
expired and a revoked leaf, an "evil" root that issues look-alike certificates, CRLs with chosen revocation times,
a TSA root and TSA certificate (critical timeStamping EKU), and a Korean-licensed-CA-style hierarchy (RSA, no SAN,
critical CertificatePolicies, leaf key signing PKCS#1 v1.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from clearance.evidence.devpki import key_usage

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)
YEAR = dt.timedelta(days=365)

EVIDENCE_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.4.1.57264.99.1")
"""A private EKU the tests use as 'evidence signing' (firms would use their own arc)."""
KOREAN_POLICY_OID = x509.ObjectIdentifier("1.2.410.200004.5.2.1.2")
"""Shape of a Korean licensed-CA certificate policy OID (KISA arc 1.2.410.200004)."""
CRL_BASE = "http://crl.example.test"


@dataclass
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: PrivateKeyTypes

    def key_pem(self, password: bytes | None = None) -> bytes:
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def new_key(kind: str) -> PrivateKeyTypes:
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:] or 3072))
    raise ValueError(kind)


def _name(common_name: str, org: str = "Example Bank Co., Ltd.") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _hash_for(key: PrivateKeyTypes) -> hashes.HashAlgorithm | None:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP384R1):
        return hashes.SHA384()
    return hashes.SHA256()


def issue(
    common_name: str,
    key: PrivateKeyTypes,
    issuer: Issued | None,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    ca: bool = False,
    path_length: int | None = None,
    ekus: Iterable[x509.ObjectIdentifier] = (),
    eku_critical: bool = False,
    san: bool = True,
    policies: Iterable[x509.ObjectIdentifier] = (),
    policies_critical: bool = False,
    crl_url: str | None = None,
    org: str = "Example Bank Co., Ltd.",
    digest: hashes.HashAlgorithm | None = None,
    extra: Iterable[x509.ExtensionType] = (),
) -> Issued:
    """One certificate. ``issuer=None`` makes a self-signed root; ``extra`` adds critical extensions."""
    subject = _name(common_name, org)
    sign_key: CertificateIssuerPrivateKeyTypes = issuer.key if issuer else key  # type: ignore[assignment]
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - (10 if ca else 1) * YEAR)
        .not_valid_after(not_after or NOW + (20 if ca else 5) * YEAR)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)  # type: ignore[arg-type]
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    builder = builder.add_extension(key_usage(ca=ca, content_commitment=not ca), critical=True)
    ekus = list(ekus)
    if ekus:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=eku_critical)
    if san and not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(f"urn:example:signer:{common_name}")]),
            critical=False,
        )
    policies = list(policies)
    if policies:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(oid, None) for oid in policies]),
            critical=policies_critical,
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
    for extension in extra:
        builder = builder.add_extension(extension, critical=True)
    cert = builder.sign(sign_key, digest or _hash_for(sign_key))
    return Issued(cert, key)


def make_crl(
    issuer: Issued,
    revoked: dict[int, dt.datetime] | None = None,
    *,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    signer: Issued | None = None,
) -> bytes:
    """A DER CRL from ``issuer`` listing ``{serial: revocation time}``; ``signer`` forges it with another key."""
    this_update = this_update or NOW
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(next_update or this_update + dt.timedelta(days=7))
        .add_extension(x509.CRLNumber(int(this_update.timestamp())), critical=False)
    )
    for serial, when in (revoked or {}).items():
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    key: CertificateIssuerPrivateKeyTypes = (signer or issuer).key  # type: ignore[assignment]
    return builder.sign(key, _hash_for(key)).public_bytes(serialization.Encoding.DER)


@dataclass
class Pki:
    """Every certificate the evidence tests need; built once per session (RSA key generation is slow)."""

    root: Issued
    ica: Issued
    leaf_p256: Issued
    leaf_ed25519: Issued
    leaf_rsa: Issued
    leaf_p384: Issued
    leaf_eku: Issued
    leaf_expired: Issued
    leaf_future: Issued
    leaf_revoked: Issued
    revoked_at: dt.datetime
    evil_root: Issued
    evil_ica: Issued
    evil_leaf: Issued
    tsa_root: Issued
    tsa: Issued
    tsa_no_eku: Issued
    kr_root: Issued
    kr_ica: Issued
    kr_leaf: Issued
    crls: dict[str, bytes] = field(default_factory=dict)
    """CRL URL -> DER, each issued now: the firm CAs' current CRLs (``leaf_revoked`` listed)."""

    def chain(self, leaf: Issued) -> list[x509.Certificate]:
        """Leaf + its intermediate (never the root), as a signer hands it over."""
        for ca in (self.ica, self.evil_ica, self.kr_ica):
            try:
                leaf.cert.verify_directly_issued_by(ca.cert)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return [leaf.cert, ca.cert]
        return [leaf.cert]

    def write(self, directory: Path, leaf: Issued, *, password: bytes | None = None) -> tuple[Path, Path]:
        """Write ``key.pem`` and ``chain.pem`` for ``leaf``; returns their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path, chain_path = directory / "key.pem", directory / "chain.pem"
        key_path.write_bytes(leaf.key_pem(password))
        chain_path.write_bytes(pem(*self.chain(leaf)))
        return key_path, chain_path

    def fetch(self, url: str) -> bytes:
        """A ``fetch`` for :func:`clearance.evidence.revocation.collect_crls` serving :attr:`crls`."""
        if url not in self.crls:
            raise FileNotFoundError(f"no CRL published at {url}")
        return self.crls[url]


def build_pki() -> Pki:
    root = issue("Example Bank Evidence Root CA", new_key("p256"), None, ca=True)
    root_crl_url = f"{CRL_BASE}/root.crl"
    ica_crl_url = f"{CRL_BASE}/issuing-ca.crl"
    ica = issue("Example Bank Evidence Issuing CA", new_key("p256"), root, ca=True, crl_url=root_crl_url)

    def leaf(cn: str, kind: str, **kw: object) -> Issued:
        return issue(cn, new_key(kind), ica, crl_url=ica_crl_url, **kw)  # type: ignore[arg-type]

    leaf_revoked = leaf("revoked signer", "p256")
    revoked_at = NOW - dt.timedelta(days=30)
    evil_root = issue("Example Bank Evidence Root CA", new_key("p256"), None, ca=True)  # a look-alike
    evil_ica = issue("Example Bank Evidence Issuing CA", new_key("p256"), evil_root, ca=True)
    tsa_root = issue("Test TSA Root", new_key("p256"), None, ca=True, org="Test Time Authority")
    kr_root = issue("KISA RootCA 4", new_key("rsa2048"), None, ca=True, org="KISA")
    kr_ica = issue("yessignCA Class 3", new_key("rsa2048"), kr_root, ca=True, org="yessign")
    pki = Pki(
        root=root,
        ica=ica,
        leaf_p256=leaf("evidence signer p256", "p256"),
        leaf_ed25519=leaf("evidence signer ed25519", "ed25519"),
        leaf_rsa=leaf("evidence signer rsa", "rsa3072"),
        leaf_p384=leaf("evidence signer p384", "p384"),
        leaf_eku=leaf("evidence signer eku", "p256", ekus=[EVIDENCE_SIGNING_EKU]),
        leaf_expired=leaf("expired signer", "p256", not_before=NOW - 3 * YEAR, not_after=NOW - 2 * YEAR),
        leaf_future=leaf("future signer", "p256", not_before=NOW + YEAR, not_after=NOW + 2 * YEAR),
        leaf_revoked=leaf_revoked,
        revoked_at=revoked_at,
        evil_root=evil_root,
        evil_ica=evil_ica,
        evil_leaf=issue("evidence signer p256", new_key("p256"), evil_ica),
        tsa_root=tsa_root,
        tsa=issue(
            "Test TSA 1",
            new_key("p256"),
            tsa_root,
            ekus=[ExtendedKeyUsageOID.TIME_STAMPING],
            eku_critical=True,
            san=False,
            org="Test Time Authority",
        ),
        tsa_no_eku=issue("Test TSA without EKU", new_key("p256"), tsa_root, san=False, org="Test Time Authority"),
        kr_root=kr_root,
        kr_ica=kr_ica,
        kr_leaf=issue(
            "홍길동()001104620110101234567",
            new_key("rsa2048"),
            kr_ica,
            san=False,
            policies=[KOREAN_POLICY_OID],
            policies_critical=True,
            org="yessign",
        ),
    )
    pki.crls[root_crl_url] = make_crl(root)
    pki.crls[ica_crl_url] = make_crl(ica, {leaf_revoked.cert.serial_number: revoked_at})
    return pki
