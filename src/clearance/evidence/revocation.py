"""Revocation at T from CRLs: collect them when building a package, judge them when verifying one.

Long-term semantics (ETSI EN 319 102-1): a certificate revoked *after* T does not invalidate a signature that a
timestamp proves existed at T, so CRLs fetched after T are the right evidence; a revocation at or before T is
fatal. A CRL counts only if it is signed by the certificate's issuer and speaks about T: issued at or after T, or
current at T (thisUpdate <= T < nextUpdate). Without such a CRL for every non-anchor certificate the check fails
closed unless the caller's policy says revocation data is optional.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

from .signers.interface import describe
from .x509 import VerificationFailure, VerifiedChain, as_utc, utc_text

MAX_CRL_BYTES = 32 << 20
_CRL_HANDLED_CRITICAL = {ExtensionOID.ISSUING_DISTRIBUTION_POINT}


class RevocationError(VerificationFailure):
    """A certificate was revoked at or before T, or required revocation data is missing or unusable."""


def load_crl(data: bytes, where: str = "CRL") -> x509.CertificateRevocationList:
    """Parse a DER or PEM CRL; raise :class:`RevocationError` naming ``where`` if it is neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise RevocationError(f"{where}: not a CRL: {exc}") from None


def fetch_url(url: str, *, timeout: float = 30) -> bytes:
    """Default CRL fetcher: ``http(s)://`` (any host: CAs publish CRLs on the internet) and ``file://``."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "file":
        return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path)).read_bytes()
    if scheme not in ("http", "https"):
        raise RevocationError(f"CRL distribution point {url}: unsupported scheme '{scheme}'")
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        data: bytes = answer.read(MAX_CRL_BYTES + 1)
    if len(data) > MAX_CRL_BYTES:
        raise RevocationError(f"CRL {url} is larger than {MAX_CRL_BYTES} bytes")
    return data


def distribution_points(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in ext.value
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier)
    ]


def collect_crls(
    chain: list[x509.Certificate],
    *,
    fetch: Callable[[str], bytes] | None = None,
    extra: Iterable[bytes] = (),
) -> list[bytes]:
    """CRLs (DER, deduplicated) for every certificate in ``chain``: the ``extra`` ones given, then each
    certificate's CRL distribution points. A certificate whose every distribution point fails raises
    :class:`RevocationError` naming the URLs; certificates without distribution points rely on ``extra``.

    ``fetch(url) -> bytes`` replaces the default HTTP/file fetcher; it signals failure with ``OSError``.
    """
    get = fetch or fetch_url
    found: dict[bytes, None] = {}
    for index, data in enumerate(extra):
        found[load_crl(data, f"supplied CRL #{index + 1}").public_bytes(serialization.Encoding.DER)] = None
    for cert in chain:
        urls = distribution_points(cert)
        failures: list[str] = []
        for url in urls:
            try:
                crl = load_crl(get(url), f"CRL {url}")
            except (OSError, ValueError, RevocationError) as exc:
                failures.append(f"{url}: {getattr(exc, 'reason', None) or exc}")
                continue
            found[crl.public_bytes(serialization.Encoding.DER)] = None
            break
        if urls and len(failures) == len(urls):
            raise RevocationError(f"cannot fetch a CRL for {describe(cert)}: {'; '.join(failures)}")
    return list(found)


def _covers(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """The CRL's scope (IssuingDistributionPoint) includes ``cert``; delta and attribute CRLs never do."""
    if any(ext.oid == ExtensionOID.DELTA_CRL_INDICATOR for ext in crl.extensions):
        return False
    if any(ext.critical and ext.oid not in _CRL_HANDLED_CRITICAL for ext in crl.extensions):
        return False
    try:
        idp = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return True
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if idp.only_contains_attribute_certs or idp.indirect_crl or idp.only_some_reasons is not None:
        return False
    if idp.only_contains_ca_certs and not is_ca:
        return False
    return not (idp.only_contains_user_certs and is_ca)


def _issuer_may_sign_crls(issuer: x509.Certificate) -> bool:
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.crl_sign)


def _usable_crls(
    cert: x509.Certificate, issuer: x509.Certificate, crls: list[x509.CertificateRevocationList], at: dt.datetime
) -> list[x509.CertificateRevocationList]:
    usable = []
    for crl in crls:
        if crl.issuer != issuer.subject or not _covers(crl, cert):
            continue
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            continue
        next_update = crl.next_update_utc
        issued_after = crl.last_update_utc >= at
        current_at = crl.last_update_utc <= at and (next_update is None or at < next_update)
        if issued_after or current_at:
            usable.append(crl)
    return usable


def check_revocation(path: VerifiedChain, crls: list[bytes], at: dt.datetime, *, required: bool = True) -> list[str]:
    """Judge every non-anchor certificate of ``path`` at ``at``; return notes on what was checked.

    Raises :class:`RevocationError` if a certificate was revoked at or before ``at``, or (when ``required``) if no
    CRL signed by its issuer speaks about ``at``.
    """
    at = as_utc(at)
    parsed = [load_crl(data, f"embedded CRL #{index + 1}") for index, data in enumerate(crls)]
    notes: list[str] = []
    for cert, issuer in zip(path.path, path.path[1:], strict=False):
        usable = _usable_crls(cert, issuer, parsed, at) if _issuer_may_sign_crls(issuer) else []
        if not usable:
            message = (
                f"no valid CRL from issuer '{issuer.subject.rfc4514_string()}' covering {utc_text(at)} "
                f"for {describe(cert)}"
            )
            if required:
                raise RevocationError(message)
            notes.append(f"{message}; revocation not checked (not required by policy)")
            continue
        revocations = [
            (entry.revocation_date_utc, crl)
            for crl in usable
            if (entry := crl.get_revoked_certificate_by_serial_number(cert.serial_number)) is not None
        ]
        if revocations:
            revoked_on, crl = min(revocations, key=lambda item: item[0])
            if revoked_on <= at:
                raise RevocationError(
                    f"{describe(cert)} was revoked at {utc_text(revoked_on)}, at or before the signing time "
                    f"{utc_text(at)} (CRL issued {utc_text(crl.last_update_utc)})"
                )
            notes.append(
                f"{describe(cert)}: revoked at {utc_text(revoked_on)}, after the signing time {utc_text(at)}, "
                "so valid when signed"
            )
        else:
            newest = max(crl.last_update_utc for crl in usable)
            notes.append(f"{describe(cert)}: not revoked at {utc_text(at)} (CRL issued {utc_text(newest)})")
    return notes
