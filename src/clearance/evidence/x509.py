"""Certificate path validation at a point in time T (the timestamp's genTime), against regulator trust anchors.

Path building, signatures, validity periods and CA constraints are cryptography's X.509 verifier. Two things it
cannot do are done here, on the leaf only:

* the leaf's EKU, CertificatePolicies and SAN requirements come from the regulator's :class:`ChainPolicy`, not from
  the web PKI (an evidence signer is neither a TLS client nor a server);
* Korean licensed-CA leaves carry a *critical* CertificatePolicies extension, which cryptography 50 cannot
  account for. For such a leaf the leaf-to-issuer link is checked here (signature, validity at T, issuer is a CA
  that may sign certificates, path length) and cryptography validates the rest of the path from the issuer up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

from ..errors import ClearanceError, ExitCode
from .signers.interface import MIN_RSA_BITS, describe

MAX_CHAIN_DEPTH = 8
ANY_POLICY = x509.ObjectIdentifier("2.5.29.32.0")
_LEAF_HANDLED_CRITICAL = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
}
_ACCEPTED_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


class VerificationFailure(ClearanceError):
    """Evidence does not verify; ``reason`` is the precise cause (which certificate, which time, why)."""

    exit_code = ExitCode.VERIFY_FAILED

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class ChainError(VerificationFailure):
    """The certificate chain does not lead to a trust anchor at the validation time, or breaks the policy."""


@dataclass(frozen=True)
class ChainPolicy:
    """What the regulator requires of a signer's leaf certificate, beyond chaining to an anchor.

    ``required_ekus``: every listed EKU OID (dotted string) must be in the leaf's ExtendedKeyUsage.
    ``required_policies``: the leaf must assert at least one of these CertificatePolicies OIDs (an acceptable set,
    like RFC 5280's user-initial-policy-set); empty means any.
    ``allow_no_san``: accept a leaf without SubjectAlternativeName (Korean licensed-CA certificates have none).
    """

    required_ekus: tuple[str, ...] = ()
    required_policies: tuple[str, ...] = ()
    allow_no_san: bool = True


@dataclass(frozen=True)
class VerifiedChain:
    leaf: x509.Certificate
    path: list[x509.Certificate]
    """Leaf first, the trust anchor last."""

    @property
    def anchor(self) -> x509.Certificate:
        return self.path[-1]


def as_utc(at: dt.datetime) -> dt.datetime:
    """A validation time in UTC; naive datetimes are a programming error (their zone is unknowable)."""
    if at.tzinfo is None:
        raise ValueError("validation time must be timezone-aware")
    return at.astimezone(dt.UTC)


def utc_text(at: dt.datetime) -> str:
    """``2026-11-24T01:20:00Z``: how times appear in error messages."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extension(cert: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    """The value of one extension, or None when the certificate does not carry it."""
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _ee_policy() -> ExtensionPolicy:
    """Web PKI end-entity defaults, minus the TLS assumptions: EKU and SAN are judged by :func:`_check_leaf`."""
    return (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    )


def _check_leaf(leaf: x509.Certificate, policy: ChainPolicy) -> None:
    """The regulator's requirements on the signing certificate."""
    who = f"signing certificate {describe(leaf)}"
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise ChainError(f"{who} is a CA certificate; evidence must be signed by an end-entity key")
    usage = _extension(leaf, x509.KeyUsage)
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise ChainError(f"{who}: KeyUsage allows neither digitalSignature nor nonRepudiation")
    if policy.required_ekus:
        eku = _extension(leaf, x509.ExtendedKeyUsage)
        have = {oid.dotted_string for oid in eku} if eku is not None else set()
        missing = [oid for oid in policy.required_ekus if oid not in have]
        if missing:
            raise ChainError(
                f"{who} lacks required ExtendedKeyUsage {', '.join(missing)} (has: {', '.join(sorted(have)) or 'none'})"
            )
    if policy.required_policies:
        ext = _extension(leaf, x509.CertificatePolicies)
        have = {info.policy_identifier.dotted_string for info in ext} if ext is not None else set()
        if not have & set(policy.required_policies):
            raise ChainError(
                f"{who} asserts none of the accepted CertificatePolicies {', '.join(policy.required_policies)} "
                f"(has: {', '.join(sorted(have)) or 'none'})"
            )
    if not policy.allow_no_san and _extension(leaf, x509.SubjectAlternativeName) is None:
        raise ChainError(f"{who} has no SubjectAlternativeName and the policy requires one")


def _needs_own_leaf_check(leaf: x509.Certificate) -> bool:
    """True for leaves whose critical CertificatePolicies cryptography's verifier cannot account for."""
    return any(ext.critical and ext.oid == ExtensionOID.CERTIFICATE_POLICIES for ext in leaf.extensions)


def _valid_at(cert: x509.Certificate, at: dt.datetime) -> None:
    if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
        raise ChainError(
            f"certificate {describe(cert)} is not valid at {utc_text(at)} (valid "
            f"{utc_text(cert.not_valid_before_utc)} to {utc_text(cert.not_valid_after_utc)})"
        )


def _check_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _check_leaf_link(leaf: x509.Certificate, issuer: x509.Certificate, at: dt.datetime) -> None:
    """RFC 5280 checks for one leaf whose issuer has been found and whose signature verified."""
    _valid_at(leaf, at)
    unhandled = [
        ext.oid.dotted_string for ext in leaf.extensions if ext.critical and ext.oid not in _LEAF_HANDLED_CRITICAL
    ]
    if unhandled:
        raise ChainError(f"certificate {describe(leaf)} has unsupported critical extension(s) {', '.join(unhandled)}")
    issuer_key = issuer.public_key()
    prehashed = not isinstance(issuer_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)
    if prehashed and not isinstance(leaf.signature_hash_algorithm, _ACCEPTED_HASHES):
        raise ChainError(f"certificate {describe(leaf)} is signed with a weak or unknown digest")
    if isinstance(issuer_key, rsa.RSAPublicKey) and issuer_key.key_size < MIN_RSA_BITS:
        raise ChainError(f"issuer {describe(issuer)} has a {issuer_key.key_size}-bit RSA key")
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise ChainError(f"issuer {describe(issuer)} of {describe(leaf)} is not a CA certificate")
    usage = _extension(issuer, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        raise ChainError(f"issuer {describe(issuer)} may not sign certificates (KeyUsage lacks keyCertSign)")


def _check_path_lengths(path: Sequence[x509.Certificate]) -> None:
    """pathLenConstraint over the whole path (cryptography saw it one certificate short)."""
    for index, cert in enumerate(path[1:], start=1):
        constraints = _extension(cert, x509.BasicConstraints)
        limit = constraints.path_length if constraints is not None else None
        below = index - 1  # intermediate CAs between this one and the leaf
        if limit is not None and below > limit:
            raise ChainError(f"CA {describe(cert)} allows {limit} intermediate CA(s) below it, the path has {below}")


def _diagnose(chain: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate]) -> str | None:
    """Which link of the chain is missing or forged, when cryptography only says 'candidates exhausted'.

    None when the names and signatures do reach an anchor (the failure is elsewhere; cryptography's text says where).
    """
    current = chain[0]
    pool = list(chain[1:])
    for _ in range(MAX_CHAIN_DEPTH):
        same_name = [a for a in anchors if a.subject == current.issuer]
        if any(_check_issued_by(current, a) for a in same_name):
            return None
        if same_name:
            return (
                f"{describe(current)} names trust anchor '{current.issuer.rfc4514_string()}' as issuer but its "
                "signature does not verify with that anchor's key (issued by a different, untrusted CA)"
            )
        parents = [c for c in pool if c.subject == current.issuer and _check_issued_by(current, c)]
        if not parents:
            return (
                f"no certificate for issuer '{current.issuer.rfc4514_string()}' of {describe(current)}: an "
                "intermediate is missing from the chain, or the chain ends at a root that is not a trust anchor"
            )
        current = parents[0]
        pool.remove(current)
    return f"the chain from {describe(chain[0])} is longer than {MAX_CHAIN_DEPTH} certificates"


def _cryptography_verify(
    target: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate],
    at: dt.datetime,
    ee_policy: ExtensionPolicy,
    full_chain: Sequence[x509.Certificate],
) -> list[x509.Certificate]:
    verifier = (
        PolicyBuilder()
        .store(Store(anchors))
        .time(at)
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        return list(verifier.verify(target, intermediates).chain)
    except VerificationError as exc:
        detail = str(exc)
        if "candidates exhausted" in detail:
            detail = _diagnose(full_chain, anchors) or detail
        raise ChainError(f"certificate path invalid at {utc_text(at)}: {detail}") from None


def verify_chain(
    chain: list[x509.Certificate], anchors: list[x509.Certificate], at: dt.datetime, policy: ChainPolicy
) -> VerifiedChain:
    """Validate ``chain`` (leaf first, untrusted intermediates after) to one of ``anchors`` at time ``at``.

    Raises :class:`ChainError` naming the certificate and the reason: not valid at T, untrusted root, missing
    intermediate, EKU or policy mismatch.
    """
    if not chain:
        raise ChainError("empty certificate chain")
    if not anchors:
        raise ChainError("no trust anchors configured")
    at = as_utc(at)
    leaf, intermediates = chain[0], list(chain[1:])
    if not _needs_own_leaf_check(leaf):
        path = _cryptography_verify(leaf, intermediates, anchors, at, _ee_policy(), chain)
    else:
        path = [leaf, *_verify_above_leaf(leaf, intermediates, anchors, at, chain)]
    _check_leaf(leaf, policy)
    return VerifiedChain(leaf=leaf, path=path)


def _verify_above_leaf(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate],
    at: dt.datetime,
    chain: Sequence[x509.Certificate],
) -> list[x509.Certificate]:
    """Path from the leaf's issuer to an anchor, for a leaf checked by :func:`_check_leaf_link`."""
    for anchor in anchors:
        if anchor.subject == leaf.issuer and _check_issued_by(leaf, anchor):
            _check_leaf_link(leaf, anchor, at)
            _valid_at(anchor, at)
            return [anchor]
    for issuer in intermediates:
        if issuer.subject == leaf.issuer and _check_issued_by(leaf, issuer):
            _check_leaf_link(leaf, issuer, at)
            others = [c for c in intermediates if c is not issuer]
            upper = _cryptography_verify(issuer, others, anchors, at, ExtensionPolicy.permit_all(), chain)
            _check_path_lengths([leaf, *upper])
            return upper
    detail = _diagnose(chain, anchors) or f"the issuer of {describe(leaf)} is neither in the chain nor an anchor"
    raise ChainError(f"certificate path invalid at {utc_text(at)}: {detail}")
