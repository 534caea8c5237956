"""RFC 3161 timestamps over the raw signature bytes: they fix the time T at which the signer's chain is judged.

The imprint is SHA-256 of the signature (as in CAdES-T and Sigstore), so a token proves the signature existed at
genTime and cannot be moved to another package. Request side: ``certReq=true`` and a random nonce, both checked in
the answer. Verify side: the TSA certificate must chain to the regulator's TSA anchors *at genTime* and carry the
critical timeStamping EKU; the CMS signature (over the signed attributes, with the messageDigest of TSTInfo) is
checked by ``rfc3161-client``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ..errors import UsageError
from .signers.interface import describe
from .x509 import ChainError, ChainPolicy, VerificationFailure, verify_chain

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

SHA256_OID = "2.16.840.1.101.3.4.2.1"
TSQ_CONTENT_TYPE = "application/timestamp-query"
TSR_CONTENT_TYPE = "application/timestamp-reply"
MAX_RESPONSE_BYTES = 1 << 20
_TSA_POLICY = ChainPolicy(required_ekus=(ExtendedKeyUsageOID.TIME_STAMPING.dotted_string,))


class TimestampError(VerificationFailure):
    """A timestamp token does not verify (imprint, CMS signature, TSA certificate, status)."""


class TimestampRequestError(UsageError):
    """The TSA could not be reached or gave an unusable answer while building a package."""


@dataclass(frozen=True)
class TimestampInfo:
    gen_time: dt.datetime
    tsa_name: str
    serial: int
    policy: str
    chain: list[x509.Certificate]
    """The TSA certificate first, its trust anchor last."""


def _parse(tsr: bytes, error: type[Exception], where: str) -> TimeStampResponse:
    from rfc3161_client import PKIStatus, decode_timestamp_response

    try:
        response = decode_timestamp_response(tsr)
    except ValueError as exc:
        raise error(f"{where}: not an RFC 3161 TimeStampResp: {exc}") from None
    if response.status != PKIStatus.GRANTED:
        detail = "; ".join(response.status_string) or "no status text"
        raise error(f"{where}: timestamp not granted (PKIStatus {response.status}: {detail})")
    return response


def _imprint_matches(response: TimeStampResponse, signature: bytes) -> bool:
    imprint = response.tst_info.message_imprint
    return bool(
        imprint.hash_algorithm.dotted_string == SHA256_OID and imprint.message == hashlib.sha256(signature).digest()
    )


def request_timestamp(url: str, signature: bytes, *, timeout: float = 30) -> bytes:
    """Ask the TSA at ``url`` for a token over SHA-256(``signature``); return the TimeStampResp DER.

    The answer is checked for our nonce, our imprint and an embedded TSA certificate; it is not trusted here (the
    verifier judges it against the regulator's TSA anchors).
    """
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    if not url.startswith(("http://", "https://")):
        raise TimestampRequestError(f"TSA URL {url!r}: only http:// and https:// are supported")
    request = (
        TimestampRequestBuilder()
        .data(signature)
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .nonce(nonce=True)
        .build()
    )
    http_request = urllib.request.Request(
        url,
        data=request.as_bytes(),
        headers={"Content-Type": TSQ_CONTENT_TYPE, "Accept": TSR_CONTENT_TYPE},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as answer:
            body: bytes = answer.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampRequestError(f"TSA {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampRequestError(f"TSA {url}: cannot connect: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise TimestampRequestError(f"TSA {url}: answer larger than {MAX_RESPONSE_BYTES} bytes")
    response = _parse(body, TimestampRequestError, f"TSA {url}")
    if response.tst_info.nonce != request.nonce:
        raise TimestampRequestError(f"TSA {url}: the answer does not carry our nonce (replayed or misrouted answer)")
    if not _imprint_matches(response, signature):
        raise TimestampRequestError(f"TSA {url}: the answer is not over SHA-256 of our signature")
    if not response.signed_data.certificates:
        raise TimestampRequestError(f"TSA {url}: the answer carries no TSA certificate although certReq was set")
    return body


def _signer_certificate(response: TimeStampResponse) -> tuple[x509.Certificate, list[x509.Certificate]]:
    signed_data = response.signed_data
    try:
        certs = [x509.load_der_x509_certificate(der) for der in signed_data.certificates]
    except ValueError as exc:
        raise TimestampError(f"timestamp token embeds a malformed certificate: {exc}") from None
    infos = list(signed_data.signer_infos)
    if len(infos) != 1:
        raise TimestampError(f"timestamp token has {len(infos)} SignerInfos; exactly one is required")
    info = infos[0]
    for cert in certs:
        if cert.issuer == info.issuer and cert.serial_number == info.serial_number:
            return cert, [c for c in certs if c is not cert]
    raise TimestampError(
        f"timestamp token does not embed the TSA certificate (issuer '{info.issuer.rfc4514_string()}', "
        f"serial {info.serial_number:x})"
    )


def _check_tsa_eku(cert: x509.Certificate) -> None:
    """RFC 3161 §2.3: the TSA certificate's only EKU is timeStamping, and the extension is critical."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TimestampError(f"TSA certificate {describe(cert)} has no ExtendedKeyUsage (timeStamping)") from None
    if not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TimestampError(
            f"TSA certificate {describe(cert)}: ExtendedKeyUsage must be critical and only timeStamping (RFC 3161)"
        )


def verify_timestamp(tsr: bytes, signature: bytes, tsa_anchors: list[x509.Certificate]) -> TimestampInfo:
    """Verify a TimeStampResp over ``signature`` against ``tsa_anchors``; raise :class:`TimestampError`."""
    from rfc3161_client import VerificationError, VerifierBuilder

    response = _parse(tsr, TimestampError, "timestamp")
    if not _imprint_matches(response, signature):
        raise TimestampError(
            "timestamp imprint mismatch: the token is not over SHA-256 of this signature (copied from another one?)"
        )
    if not tsa_anchors:
        raise TimestampError("no TSA trust anchors configured")
    info = response.tst_info
    gen_time: dt.datetime = info.gen_time
    tsa_cert, others = _signer_certificate(response)
    _check_tsa_eku(tsa_cert)
    try:
        chain = verify_chain([tsa_cert, *others], tsa_anchors, gen_time, _TSA_POLICY)
    except ChainError as exc:
        raise TimestampError(f"TSA certificate: {exc.reason}") from None
    verifier = VerifierBuilder(roots=list(tsa_anchors)).build()
    try:
        verifier.verify(response, hashlib.sha256(signature).digest())
    except VerificationError as exc:
        raise TimestampError(f"timestamp token signature (CMS) does not verify: {exc}") from None
    return TimestampInfo(
        gen_time=gen_time,
        tsa_name=tsa_cert.subject.rfc4514_string(),
        serial=int(info.serial_number),
        policy=info.policy.dotted_string,
        chain=chain.path,
    )
