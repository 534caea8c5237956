"""``clearance keys init``: the development PKI it writes verifies end to end (signature, chain, CRLs, timestamp)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509

from clearance.errors import ExitCode, UsageError
from clearance.evidence.devpki import init_dev_keys
from clearance.evidence.revocation import check_revocation, collect_crls
from clearance.evidence.signers import KeyPasswordError, load_signer, scheme_for, verify_signature
from clearance.evidence.timestamp import verify_timestamp
from clearance.evidence.x509 import ChainError, ChainPolicy, verify_chain
from tests.test_cli import run_cli

from .pki import Pki
from .tsa import TestTsa

PAE = b"DSSEv1 28 application/vnd.in-toto+json 2 {}"


@pytest.mark.parametrize(
    ("algorithm", "scheme"),
    [("ecdsa-p256", "ecdsa-sha2-nistp256"), ("rsa-pss-3072", "rsassa-pss-sha256"), ("ed25519", "ed25519")],
)
def test_dev_keys_verify_end_to_end(pki: Pki, tmp_path: Path, algorithm: str, scheme: str) -> None:
    made = init_dev_keys(tmp_path / "keys", algorithm=algorithm)
    assert stat.S_IMODE(made.key.stat().st_mode) == 0o600
    signer = load_signer(made.signer_spec)
    assert scheme_for(signer.public_key()) == scheme
    signature = signer.sign(PAE)
    verify_signature(signer.public_key(), signature, PAE)

    tsr = TestTsa(signer=pki.tsa).token_for(signature)
    at = verify_timestamp(tsr, signature, [pki.tsa_root.cert]).gen_time
    anchor = x509.load_pem_x509_certificate(made.root.read_bytes())
    path = verify_chain(signer.certificate_chain(), [anchor], at, ChainPolicy(allow_no_san=False))
    assert len(path.path) == 3
    crls = collect_crls(signer.certificate_chain())  # fetched from the file:// distribution points
    assert sorted(crls) == sorted(p.read_bytes() for p in made.crls)
    notes = check_revocation(path, crls, at)
    assert len(notes) == 2


def test_dev_keys_chain_expires_like_a_real_one(tmp_path: Path) -> None:
    made = init_dev_keys(tmp_path)
    chain = x509.load_pem_x509_certificates(made.chain.read_bytes())
    anchor = x509.load_pem_x509_certificate(made.root.read_bytes())
    with pytest.raises(ChainError, match=r"not valid at validation time"):
        verify_chain(chain, [anchor], dt.datetime.now(dt.UTC) + dt.timedelta(days=3 * 365), ChainPolicy())


def test_encrypted_dev_key_needs_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = init_dev_keys(tmp_path, password=b"dev password")
    assert b"ENCRYPTED PRIVATE KEY" in made.key.read_bytes()
    monkeypatch.setenv("CLEARANCE_KEY_PASSWORD", "wrong")
    with pytest.raises(KeyPasswordError):
        load_signer(made.signer_spec)
    monkeypatch.setenv("CLEARANCE_KEY_PASSWORD", "dev password")
    assert load_signer(made.signer_spec).sign(PAE)


def test_refuses_to_overwrite_and_unknown_algorithms(tmp_path: Path) -> None:
    init_dev_keys(tmp_path)
    with pytest.raises(UsageError, match=r"already holds root\.pem, chain\.pem, key\.pem"):
        init_dev_keys(tmp_path)
    with pytest.raises(UsageError, match=r"unknown key algorithm 'dsa'"):
        init_dev_keys(tmp_path / "other", algorithm="dsa")


def test_cli_keys_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli("keys", "init", str(tmp_path / "k"), "--algorithm", "ed25519")
    assert code == ExitCode.OK, err
    spec = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("signer spec:"))
    assert scheme_for(load_signer(spec).public_key()) == "ed25519"

    code, _, err = run_cli("keys", "init", str(tmp_path / "k"))
    assert code == ExitCode.USAGE
    assert "already holds" in err


def test_cli_keys_init_encrypt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARANCE_KEY_PASSWORD", raising=False)
    code, _, err = run_cli("keys", "init", str(tmp_path / "a"), "--encrypt")
    assert code == ExitCode.USAGE
    assert "set CLEARANCE_KEY_PASSWORD" in err
    monkeypatch.setenv("CLEARANCE_KEY_PASSWORD", "pw")
    code, out, _ = run_cli("keys", "init", str(tmp_path / "b"), "--encrypt")
    assert code == ExitCode.OK
    assert "(encrypted)" in out
    assert b"ENCRYPTED PRIVATE KEY" in (tmp_path / "b" / "key.pem").read_bytes()
