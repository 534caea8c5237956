"""A development time-stamping authority, in process: for the demo and for trying packages without a real TSA.

It answers exactly what an RFC 3161 TSA answers (a granted TimeStampResp whose CMS SignedData carries a TSTInfo
over SHA-256 of the signature, signed attributes contentType, messageDigest and signingCertificateV2, and the TSA
certificate with a critical timeStamping EKU), so the verifier checks it like any other token. Its root is written
as ``tsa-root.pem``; the private keys never touch the disk. Certificates say "development": a regulator's TSA
anchors will never include this root. Needs ``asn1crypto`` (the ``demo`` extra).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .devpki import key_usage

POLICY_OID = "1.3.6.1.4.1.57264.99.3"
"""A private-arc policy OID that marks development tokens."""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "clearance development TSA (not for filing)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


class DevTsa:
    """A TSA root and TSA certificate made on the spot; :meth:`timestamp` is a package builder ``Timestamper``."""

    def __init__(self, directory: Path):
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        root_key = ec.generate_private_key(ec.SECP256R1())
        self._key = ec.generate_private_key(ec.SECP256R1())
        root_name, tsa_name = _name("clearance dev TSA root"), _name("clearance dev TSA")
        self.root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=10 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(tsa_name)
            .issuer_name(root_name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        self.root_path = directory / "tsa-root.pem"
        directory.mkdir(parents=True, exist_ok=True)
        self.root_path.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        self._serials = itertools.count(1)

    def timestamp(self, signature: bytes) -> bytes:
        """A granted TimeStampResp (DER) over SHA-256 of ``signature``, genTime now."""
        from asn1crypto import algos, cms, core, tsp  # type: ignore[import-untyped]
        from asn1crypto import x509 as asn1_x509

        cert = asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))
        sha256 = algos.DigestAlgorithm({"algorithm": "sha256"})
        info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": POLICY_OID,
                "message_imprint": {"hash_algorithm": sha256, "hashed_message": hashlib.sha256(signature).digest()},
                "serial_number": next(self._serials),
                "gen_time": dt.datetime.now(dt.UTC).replace(microsecond=0),
                "tsa": asn1_x509.GeneralName(name="directory_name", value=cert.subject),
            }
        ).dump()
        attributes = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(info).digest()]}),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [
                            {"certs": [{"hash_algorithm": sha256, "cert_hash": hashlib.sha256(cert.dump()).digest()}]}
                        ],
                    }
                ),
            ]
        )
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": cert.issuer, "serial_number": cert.serial_number},
                ),
                "digest_algorithm": sha256,
                "signed_attrs": attributes,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                "signature": self._key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256())),
            }
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [sha256],
                "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(info)},
                "certificates": [cert],
                "signer_infos": [signer],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return bytes(tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump())
