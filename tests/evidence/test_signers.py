"""File signer, spec parsing and the key-type -> scheme mapping, with real keys from the test PKI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from clearance.errors import InputFileError, UsageError
from clearance.evidence.signers import (
    ECDSA_P256,
    ECDSA_P384,
    ED25519,
    RSA_PSS,
    EvidenceSigner,
    KeyPasswordError,
    SignerError,
    UnsupportedKeyError,
    keyid,
    load_signer,
    scheme_for,
    verify_signature,
)
from clearance.evidence.signers.file import FileSigner

from .pki import Pki, issue, new_key, pem

PAE = b"DSSEv1 28 application/vnd.in-toto+json 2 {}"


@pytest.mark.parametrize(
    ("leaf", "scheme"),
    [("leaf_p256", ECDSA_P256), ("leaf_p384", ECDSA_P384), ("leaf_rsa", RSA_PSS), ("leaf_ed25519", ED25519)],
)
def test_file_signer_signs_what_verify_accepts(pki: Pki, tmp_path: Path, leaf: str, scheme: str) -> None:
    key_path, chain_path = pki.write(tmp_path, getattr(pki, leaf))
    signer = load_signer(f"file:{key_path}?chain={chain_path}")
    assert isinstance(signer, EvidenceSigner)
    assert scheme_for(signer.public_key()) == scheme
    signature = signer.sign(PAE)
    verify_signature(signer.public_key(), signature, PAE)
    with pytest.raises(InvalidSignature):
        verify_signature(signer.public_key(), signature, PAE + b" ")
    chain = signer.certificate_chain()
    assert [c.subject for c in chain] == [getattr(pki, leaf).cert.subject, pki.ica.cert.subject]
    assert keyid(chain[0]) == keyid(getattr(pki, leaf).cert)
    assert len(keyid(chain[0])) == 64


def test_rsa_signatures_are_pss_with_32_byte_salt(pki: Pki) -> None:
    signer = FileSigner(pki.leaf_rsa.key, pki.chain(pki.leaf_rsa))
    public = signer.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        signer.sign(PAE), PAE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )


def test_pkcs1v15_is_accepted_only_when_allowed(pki: Pki) -> None:
    key = pki.kr_leaf.key
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(PAE, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        verify_signature(key.public_key(), signature, PAE)
    verify_signature(key.public_key(), signature, PAE, allow_pkcs1v15=True)


def test_unsupported_keys_are_rejected_by_name() -> None:
    with pytest.raises(UnsupportedKeyError, match=r"secp256k1"):
        scheme_for(ec.generate_private_key(ec.SECP256K1()).public_key())
    with pytest.raises(UnsupportedKeyError, match=r"1024 bits"):
        scheme_for(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())


def test_encrypted_key_with_password_from_named_env(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256, password=b"s3cret pass")
    monkeypatch.setenv("MY_KEY_PASS", "s3cret pass")
    monkeypatch.delenv("CLEARANCE_KEY_PASSWORD", raising=False)
    signer = load_signer(f"file:{key_path}?chain={chain_path}&password-env=MY_KEY_PASS")
    verify_signature(signer.public_key(), signer.sign(PAE), PAE)


def test_encrypted_key_with_default_env(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_ed25519, password=b"pw")
    monkeypatch.setenv("CLEARANCE_KEY_PASSWORD", "pw")
    signer = load_signer(f"file:{key_path}?chain={chain_path}")
    verify_signature(signer.public_key(), signer.sign(PAE), PAE)


def test_wrong_password_names_the_file(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256, password=b"right")
    monkeypatch.setenv("CLEARANCE_KEY_PASSWORD", "wrong")
    with pytest.raises(KeyPasswordError, match=rf"{key_path}.*wrong password") as info:
        load_signer(f"file:{key_path}?chain={chain_path}")
    assert isinstance(info.value, UsageError)


def test_missing_password_without_tty(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256, password=b"right")
    monkeypatch.delenv("CLEARANCE_KEY_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 (closed by pytest's monkeypatch teardown)
    with pytest.raises(KeyPasswordError, match=r"CLEARANCE_KEY_PASSWORD"):
        load_signer(f"file:{key_path}?chain={chain_path}")


def test_named_password_variable_must_exist(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256, password=b"right")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(SignerError, match=r"NOT_SET_ANYWHERE"):
        load_signer(f"file:{key_path}?chain={chain_path}&password-env=NOT_SET_ANYWHERE")


def test_key_must_match_leaf(pki: Pki, tmp_path: Path) -> None:
    key_path, _ = pki.write(tmp_path / "a", pki.leaf_p256)
    _, other_chain = pki.write(tmp_path / "b", pki.leaf_eku)
    with pytest.raises(SignerError, match=r"not the key of the leaf certificate 'CN=evidence signer eku"):
        load_signer(f"file:{key_path}?chain={other_chain}")


def test_chain_root_is_dropped_and_self_signed_leaf_refused(pki: Pki, tmp_path: Path) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256)
    chain_path.write_bytes(pem(pki.leaf_p256.cert, pki.ica.cert, pki.root.cert))
    signer = load_signer(f"file:{key_path}?chain={chain_path}")
    assert [c.subject for c in signer.certificate_chain()] == [pki.leaf_p256.cert.subject, pki.ica.cert.subject]
    self_signed = issue("self", new_key("p256"), None)
    key_path.write_bytes(self_signed.key_pem())
    chain_path.write_bytes(pem(self_signed.cert))
    with pytest.raises(InputFileError, match=r"self-signed"):
        load_signer(f"file:{key_path}?chain={chain_path}")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("key.pem", "expected KIND:LOCATION"),
        ("nope:key.pem?chain=c.pem", "unknown kind 'nope'"),
        ("file:key.pem", "missing required parameter.*chain"),
        ("file:key.pem?chain=c.pem&password=hunter2", "unknown parameter.*password"),
        ("file:key.pem?chain=a.pem&chain=b.pem", "given twice"),
        ("file:key.pem?chain", "malformed parameter"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(SignerError, match=message):
        load_signer(spec)


def test_unreadable_files_are_named(pki: Pki, tmp_path: Path) -> None:
    key_path, chain_path = pki.write(tmp_path, pki.leaf_p256)
    with pytest.raises(InputFileError, match=r"missing\.pem.*cannot read private key"):
        load_signer(f"file:{tmp_path / 'missing.pem'}?chain={chain_path}")
    chain_path.write_text("not a certificate")
    with pytest.raises(InputFileError, match=rf"{chain_path}.*not a PEM certificate chain"):
        load_signer(f"file:{key_path}?chain={chain_path}")
