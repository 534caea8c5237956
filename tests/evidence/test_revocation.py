"""CRL collection and revocation at T with long-term semantics, using real CRLs from the test PKI."""

from __future__ import annotations

import datetime as dt
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from clearance.evidence.revocation import RevocationError, check_revocation, collect_crls
from clearance.evidence.x509 import ChainPolicy, VerifiedChain, verify_chain

from .pki import CRL_BASE, NOW, Issued, Pki, issue, make_crl, new_key
from .tsa import serve_http

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def _path(pki: Pki, leaf: Issued, at: dt.datetime) -> VerifiedChain:
    return verify_chain(pki.chain(leaf), [pki.root.cert], at, ChainPolicy())


def _crls(pki: Pki, leaf: Issued, revoked_at: dt.datetime | None, *, this_update: dt.datetime = NOW) -> list[bytes]:
    """A fresh issuing-CA CRL (listing ``leaf`` if ``revoked_at``) and a root CRL, both issued ``this_update``."""
    revoked = {leaf.cert.serial_number: revoked_at} if revoked_at else {}
    return [make_crl(pki.ica, revoked, this_update=this_update), make_crl(pki.root, this_update=this_update)]


def test_collects_crls_from_distribution_points(pki: Pki) -> None:
    crls = collect_crls(pki.chain(pki.leaf_p256), fetch=pki.fetch)
    issuers = {x509.load_der_x509_crl(c).issuer for c in crls}
    assert issuers == {pki.ica.cert.subject, pki.root.cert.subject}


def test_collects_over_http_and_file_urls_and_extra(pki: Pki, tmp_path: Path) -> None:
    served = {"/ica.crl": pki.crls[f"{CRL_BASE}/issuing-ca.crl"]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    root_crl = tmp_path / "root.crl"
    root_crl.write_bytes(pki.crls[f"{CRL_BASE}/root.crl"])
    with serve_http(Handler) as base:
        leaf = issue("http leaf", new_key("p256"), pki.ica, crl_url=f"{base}/ica.crl")
        crls = collect_crls([leaf.cert], extra=[root_crl.read_bytes()])
        assert len(crls) == 2
        missing = issue("404 leaf", new_key("p256"), pki.ica, crl_url=f"{base}/missing.crl")
        with pytest.raises(RevocationError, match=rf"cannot fetch a CRL for 'CN=404 leaf.*{base}/missing.crl"):
            collect_crls([missing.cert])
    file_leaf = issue("file leaf", new_key("p256"), pki.ica, crl_url=root_crl.as_uri())
    assert collect_crls([file_leaf.cert]) == [pki.crls[f"{CRL_BASE}/root.crl"]]


def test_supplied_pem_crl_is_normalised_to_der(pki: Pki) -> None:
    der = pki.crls[f"{CRL_BASE}/root.crl"]
    as_pem = x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)
    assert collect_crls([], extra=[as_pem, der]) == [der]
    with pytest.raises(RevocationError, match=r"supplied CRL #1: not a CRL"):
        collect_crls([], extra=[b"junk"])


def test_not_revoked(pki: Pki) -> None:
    t = NOW - DAY
    notes = check_revocation(_path(pki, pki.leaf_p256, t), _crls(pki, pki.leaf_p256, None), t)
    assert len(notes) == 2
    assert all("not revoked at" in n for n in notes)


def test_revoked_before_t_is_rejected(pki: Pki) -> None:
    t = NOW - DAY
    with pytest.raises(RevocationError, match=r"evidence signer p256.*revoked at .* at or before the signing time"):
        check_revocation(_path(pki, pki.leaf_p256, t), _crls(pki, pki.leaf_p256, t - 10 * DAY), t)


def test_revoked_one_minute_before_t_is_rejected(pki: Pki) -> None:
    t = NOW - DAY
    with pytest.raises(RevocationError, match=r"at or before the signing time"):
        check_revocation(_path(pki, pki.leaf_p256, t), _crls(pki, pki.leaf_p256, t - MINUTE), t)


def test_revoked_after_t_is_valid_long_term(pki: Pki) -> None:
    t = NOW - DAY
    notes = check_revocation(_path(pki, pki.leaf_p256, t), _crls(pki, pki.leaf_p256, t + MINUTE), t)
    assert any("after the signing time" in n for n in notes)


def test_the_pki_revoked_leaf_against_its_published_crl(pki: Pki) -> None:
    crls = collect_crls(pki.chain(pki.leaf_revoked), fetch=pki.fetch)
    before = pki.revoked_at - DAY
    assert check_revocation(_path(pki, pki.leaf_revoked, before), crls, before)
    with pytest.raises(RevocationError, match=r"revoked signer"):
        check_revocation(_path(pki, pki.leaf_revoked, NOW), crls, NOW)


def test_missing_crl_rejects_by_default_and_is_noted_when_optional(pki: Pki) -> None:
    path = _path(pki, pki.leaf_p256, NOW)
    with pytest.raises(RevocationError, match=r"no valid CRL from issuer 'CN=Example Bank Evidence Issuing CA"):
        check_revocation(path, [], NOW)
    only_leaf_crl = [make_crl(pki.ica)]
    with pytest.raises(RevocationError, match=r"from issuer 'CN=Example Bank Evidence Root CA.*Issuing CA"):
        check_revocation(path, only_leaf_crl, NOW)
    notes = check_revocation(path, [], NOW, required=False)
    assert len(notes) == 2
    assert all("revocation not checked" in n for n in notes)


def test_forged_crl_does_not_count(pki: Pki) -> None:
    path = _path(pki, pki.leaf_p256, NOW)
    forged = [make_crl(pki.ica, signer=pki.evil_ica), make_crl(pki.root)]
    with pytest.raises(RevocationError, match=r"no valid CRL from issuer 'CN=Example Bank Evidence Issuing CA"):
        check_revocation(path, forged, NOW)


def test_crl_must_speak_about_t(pki: Pki) -> None:
    t = NOW - DAY
    path = _path(pki, pki.leaf_p256, t)
    stale = _crls(pki, pki.leaf_p256, None, this_update=t - 30 * DAY)  # nextUpdate 7 days later: expired at T
    with pytest.raises(RevocationError, match=r"no valid CRL"):
        check_revocation(path, stale, t)
    current_at_t = _crls(pki, pki.leaf_p256, None, this_update=t - 2 * DAY)
    assert check_revocation(path, current_at_t, t)


def test_crl_scoped_to_ca_certificates_does_not_cover_a_leaf(pki: Pki) -> None:
    scoped = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.ica.cert.subject)
        .last_update(NOW)
        .next_update(NOW + DAY)
        .add_extension(x509.IssuingDistributionPoint(None, None, False, True, None, False, False), critical=True)
        .sign(pki.ica.key, hashes.SHA256())  # type: ignore[arg-type]
        .public_bytes(serialization.Encoding.DER)
    )
    with pytest.raises(RevocationError, match=r"no valid CRL"):
        check_revocation(_path(pki, pki.leaf_p256, NOW), [scoped, make_crl(pki.root)], NOW)
