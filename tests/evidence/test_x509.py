"""Certificate path validation at T against trust anchors, with real certificates from the test PKI."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from clearance.errors import ExitCode
from clearance.evidence.x509 import ChainError, ChainPolicy, verify_chain

from .pki import EVIDENCE_SIGNING_EKU, KOREAN_POLICY_OID, NOW, YEAR, Issued, Pki, issue, new_key

DEFAULT = ChainPolicy()


@pytest.mark.parametrize("leaf", ["leaf_p256", "leaf_ed25519", "leaf_rsa", "leaf_p384"])
def test_valid_chain_gives_path_to_anchor(pki: Pki, leaf: str) -> None:
    issued: Issued = getattr(pki, leaf)
    verified = verify_chain(pki.chain(issued), [pki.evil_root.cert, pki.root.cert], NOW, DEFAULT)
    assert verified.leaf == issued.cert
    assert verified.path == [issued.cert, pki.ica.cert, pki.root.cert]
    assert verified.anchor == pki.root.cert


def test_untrusted_root_is_rejected_with_reason(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"signature does not verify with that anchor's key") as info:
        verify_chain(pki.chain(pki.evil_leaf), [pki.root.cert], NOW, DEFAULT)
    assert info.value.exit_code == ExitCode.VERIFY_FAILED
    with pytest.raises(ChainError, match=r"untrusted CA"):
        verify_chain(pki.chain(pki.leaf_p256), [pki.evil_root.cert], NOW, DEFAULT)


def test_unrelated_anchor_names_the_missing_issuer(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"no certificate for issuer 'CN=Example Bank Evidence Root CA"):
        verify_chain(pki.chain(pki.leaf_p256), [pki.tsa_root.cert], NOW, DEFAULT)


def test_missing_intermediate(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"no certificate for issuer 'CN=Example Bank Evidence Issuing CA.*missing"):
        verify_chain([pki.leaf_p256.cert], [pki.root.cert], NOW, DEFAULT)


def test_expired_at_t_is_rejected_but_valid_at_an_earlier_t(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"not valid at validation time"):
        verify_chain(pki.chain(pki.leaf_expired), [pki.root.cert], NOW, DEFAULT)
    signed_while_valid = NOW - dt.timedelta(days=800)
    assert verify_chain(pki.chain(pki.leaf_expired), [pki.root.cert], signed_while_valid, DEFAULT).leaf


def test_not_yet_valid(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"not valid at validation time"):
        verify_chain(pki.chain(pki.leaf_future), [pki.root.cert], NOW, DEFAULT)


def test_required_eku(pki: Pki) -> None:
    policy = ChainPolicy(required_ekus=(EVIDENCE_SIGNING_EKU.dotted_string,))
    assert verify_chain(pki.chain(pki.leaf_eku), [pki.root.cert], NOW, policy).leaf == pki.leaf_eku.cert
    with pytest.raises(
        ChainError, match=rf"evidence signer p256.*lacks required ExtendedKeyUsage {EVIDENCE_SIGNING_EKU.dotted_string}"
    ):
        verify_chain(pki.chain(pki.leaf_p256), [pki.root.cert], NOW, policy)


def test_a_ca_certificate_cannot_be_the_signer(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"basicConstraints\.cA"):
        verify_chain([pki.ica.cert], [pki.root.cert], NOW, DEFAULT)


def test_korean_licensed_ca_leaf_is_accepted_when_anchored(pki: Pki) -> None:
    chain = pki.chain(pki.kr_leaf)
    verified = verify_chain(chain, [pki.root.cert, pki.kr_root.cert], NOW, DEFAULT)
    assert verified.path == [pki.kr_leaf.cert, pki.kr_ica.cert, pki.kr_root.cert]
    policy = ChainPolicy(required_policies=(KOREAN_POLICY_OID.dotted_string, "1.2.410.200004.5.2.1.1"))
    assert verify_chain(chain, [pki.kr_root.cert], NOW, policy).leaf == pki.kr_leaf.cert


def test_korean_leaf_policy_san_and_anchor_requirements(pki: Pki) -> None:
    chain = pki.chain(pki.kr_leaf)
    with pytest.raises(ChainError, match=r"asserts none of the accepted CertificatePolicies 1.2.410.200004.5.4.1.1"):
        verify_chain(chain, [pki.kr_root.cert], NOW, ChainPolicy(required_policies=("1.2.410.200004.5.4.1.1",)))
    with pytest.raises(ChainError, match=r"no SubjectAlternativeName"):
        verify_chain(chain, [pki.kr_root.cert], NOW, ChainPolicy(allow_no_san=False))
    with pytest.raises(ChainError, match=r"no certificate for issuer 'CN=KISA RootCA 4"):
        verify_chain(chain, [pki.root.cert], NOW, DEFAULT)
    with pytest.raises(ChainError, match=r"no certificate for issuer 'CN=yessignCA Class 3"):
        verify_chain([pki.kr_leaf.cert], [pki.kr_root.cert], NOW, DEFAULT)
    with pytest.raises(ChainError, match=r"is not valid at"):
        verify_chain(chain, [pki.kr_root.cert], NOW + 6 * YEAR, DEFAULT)


def test_korean_style_leaf_directly_under_anchor(pki: Pki) -> None:
    leaf = issue(
        "direct", new_key("rsa2048"), pki.kr_root, san=False, policies=[KOREAN_POLICY_OID], policies_critical=True
    )
    assert verify_chain([leaf.cert], [pki.kr_root.cert], NOW, DEFAULT).path == [leaf.cert, pki.kr_root.cert]


def test_path_length_is_enforced_for_korean_style_leaves(pki: Pki) -> None:
    root = issue("Constrained Root", new_key("p256"), None, ca=True, path_length=0)
    ica = issue("Constrained ICA", new_key("p256"), root, ca=True)
    leaf = issue("leaf", new_key("p256"), ica, san=False, policies=[KOREAN_POLICY_OID], policies_critical=True)
    with pytest.raises(ChainError, match=r"allows 0 intermediate CA"):
        verify_chain([leaf.cert, ica.cert], [root.cert], NOW, DEFAULT)


def test_issuer_of_korean_style_leaf_must_be_a_ca(pki: Pki) -> None:
    not_ca = issue("not a CA", new_key("p256"), pki.kr_ica, san=False)
    leaf = issue("leaf", new_key("p256"), not_ca, san=False, policies=[KOREAN_POLICY_OID], policies_critical=True)
    with pytest.raises(ChainError, match=r"is not a CA certificate"):
        verify_chain([leaf.cert, not_ca.cert, pki.kr_ica.cert], [pki.kr_root.cert], NOW, DEFAULT)


def test_empty_inputs_are_errors(pki: Pki) -> None:
    with pytest.raises(ChainError, match=r"empty certificate chain"):
        verify_chain([], [pki.root.cert], NOW, DEFAULT)
    with pytest.raises(ChainError, match=r"no trust anchors"):
        verify_chain(pki.chain(pki.leaf_p256), [], NOW, DEFAULT)


def test_korean_style_leaf_with_weak_digest_or_unknown_critical_extension(pki: Pki) -> None:
    korean = {"san": False, "policies": [KOREAN_POLICY_OID], "policies_critical": True}
    sha224 = issue("sha224 leaf", new_key("rsa2048"), pki.kr_ica, digest=hashes.SHA224(), **korean)  # type: ignore[arg-type]
    with pytest.raises(ChainError, match=r"sha224 leaf.*weak or unknown digest"):
        verify_chain([sha224.cert, pki.kr_ica.cert], [pki.kr_root.cert], NOW, DEFAULT)
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.410.200004.10.1.1"), b"\x05\x00")
    odd = issue("odd leaf", new_key("rsa2048"), pki.kr_ica, extra=[unknown], **korean)  # type: ignore[arg-type]
    with pytest.raises(ChainError, match=r"unsupported critical extension\(s\) 1.2.410.200004.10.1.1"):
        verify_chain([odd.cert, pki.kr_ica.cert], [pki.kr_root.cert], NOW, DEFAULT)
