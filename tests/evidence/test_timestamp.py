"""RFC 3161 tokens from the in-process test TSA: request over HTTP on loopback, verify against TSA anchors."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from clearance.evidence.timestamp import (
    TimestampError,
    TimestampRequestError,
    request_timestamp,
    verify_timestamp,
)

from .pki import NOW, YEAR, Issued, Pki, new_key, pem
from .tsa import TSA_POLICY, TestTsa

SIGNATURE = bytes.fromhex("3045022100") + b"\x11" * 32 + bytes.fromhex("0220") + b"\x22" * 32


def test_request_and_verify_over_http(pki: Pki, tsa: TestTsa, tsa_url: str) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tsr = request_timestamp(tsa_url, SIGNATURE, timeout=5)
    info = verify_timestamp(tsr, SIGNATURE, [pki.tsa_root.cert])
    assert before <= info.gen_time <= dt.datetime.now(dt.UTC)
    assert info.tsa_name == pki.tsa.cert.subject.rfc4514_string()
    assert info.policy == TSA_POLICY
    assert info.serial >= 1000
    assert info.chain == [pki.tsa.cert, pki.tsa_root.cert]
    assert len(tsa.requests) == 1


def test_token_over_another_signature_is_an_imprint_mismatch(pki: Pki, tsa: TestTsa) -> None:
    other = tsa.token_for(SIGNATURE[:-1] + b"\x23")
    with pytest.raises(TimestampError, match=r"imprint mismatch"):
        verify_timestamp(other, SIGNATURE, [pki.tsa_root.cert])


def test_wrong_tsa_root(pki: Pki, tsa: TestTsa) -> None:
    with pytest.raises(TimestampError, match=r"TSA certificate: .*no certificate for issuer 'CN=Test TSA Root"):
        verify_timestamp(tsa.token_for(SIGNATURE), SIGNATURE, [pki.root.cert])


def test_tsa_certificate_without_timestamping_eku(pki: Pki) -> None:
    token = TestTsa(signer=pki.tsa_no_eku).token_for(SIGNATURE)
    with pytest.raises(TimestampError, match=r"has no ExtendedKeyUsage"):
        verify_timestamp(token, SIGNATURE, [pki.tsa_root.cert])


def test_forged_cms_signature(pki: Pki) -> None:
    impostor = TestTsa(signer=Issued(pki.tsa.cert, new_key("p256")))
    with pytest.raises(TimestampError, match=r"signature \(CMS\) does not verify"):
        verify_timestamp(impostor.token_for(SIGNATURE), SIGNATURE, [pki.tsa_root.cert])


def test_tsa_certificate_must_be_valid_at_gen_time(pki: Pki) -> None:
    late = TestTsa(signer=pki.tsa, gen_time=NOW + 6 * YEAR)
    with pytest.raises(TimestampError, match=r"TSA certificate: .*not valid at validation time"):
        verify_timestamp(late.token_for(SIGNATURE), SIGNATURE, [pki.tsa_root.cert])


def test_token_must_embed_the_tsa_certificate(pki: Pki, tsa: TestTsa) -> None:
    with pytest.raises(TimestampError, match=r"does not embed the TSA certificate"):
        verify_timestamp(tsa.token_for(SIGNATURE, include_certs=False), SIGNATURE, [pki.tsa_root.cert])


def test_garbage_is_not_a_token(pki: Pki) -> None:
    with pytest.raises(TimestampError, match=r"not an RFC 3161 TimeStampResp"):
        verify_timestamp(b"\x30\x03\x02\x01\x00garbage", SIGNATURE, [pki.tsa_root.cert])


def test_broken_tsa_answers_are_refused(tsa: TestTsa) -> None:
    with tsa.serve(nonce_delta=1) as url, pytest.raises(TimestampRequestError, match=r"nonce"):
        request_timestamp(url, SIGNATURE, timeout=5)
    with tsa.serve(status=503) as url, pytest.raises(TimestampRequestError, match=r"HTTP 503"):
        request_timestamp(url, SIGNATURE, timeout=5)


def test_unreachable_tsa_and_bad_scheme() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TimestampRequestError, match=rf"127.0.0.1:{port}/tsa: cannot connect"):
        request_timestamp(f"http://127.0.0.1:{port}/tsa", SIGNATURE, timeout=5)
    with pytest.raises(TimestampRequestError, match=r"only http"):
        request_timestamp("file:///etc/passwd", SIGNATURE)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_openssl_accepts_the_test_tsa_tokens(pki: Pki, tsa: TestTsa, tmp_path: Path) -> None:
    """Interoperability: the token format is what `openssl ts -verify` (the spec's manual check) expects."""
    (tmp_path / "sig.der").write_bytes(SIGNATURE)
    (tmp_path / "ts.tsr").write_bytes(tsa.token_for(SIGNATURE))
    (tmp_path / "root.pem").write_bytes(pem(pki.tsa_root.cert))
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "sig.der", "-in", "ts.tsr", "-CAfile", "root.pem"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Verification: OK" in result.stdout, result.stdout + result.stderr


def test_tstinfo_changed_after_signing_is_refused(pki: Pki, tsa: TestTsa) -> None:
    """A genTime moved after the TSA signed (messageDigest no longer matches TSTInfo) must not verify."""
    from asn1crypto import core, tsp

    response = tsp.TimeStampResp.load(tsa.token_for(SIGNATURE))
    signed_data = response["time_stamp_token"]["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    info["gen_time"] = NOW - dt.timedelta(days=1)
    signed_data["encap_content_info"]["content"] = core.ParsableOctetString(info.dump(force=True))
    with pytest.raises(TimestampError, match=r"signature \(CMS\) does not verify"):
        verify_timestamp(response.dump(force=True), SIGNATURE, [pki.tsa_root.cert])
