"""An in-process RFC 3161 time-stamping authority for tests: real CMS SignedData, real keys.

The token is assembled with asn1crypto and signed with cryptography exactly as RFC 3161 / RFC 5652 require
(signed attributes contentType, messageDigest and signingCertificateV2; the signature covers the DER SET of
signed attributes). :meth:`TestTsa.serve` exposes it over HTTP on 127.0.0.1 for ``--tsa URL`` tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .pki import Issued

TSA_POLICY = "1.3.6.1.4.1.57264.99.2"
TSQ_CONTENT_TYPE = "application/timestamp-query"
TSR_CONTENT_TYPE = "application/timestamp-reply"


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass
class TestTsa:
    """Answers TimeStampReq DER with a granted TimeStampResp DER signed by ``signer``."""

    __test__ = False

    signer: Issued
    extra_certs: list[x509.Certificate] = field(default_factory=list)
    policy: str = TSA_POLICY
    gen_time: dt.datetime | None = None
    """Fixed genTime; default: the moment of the request."""
    requests: list[bytes] = field(default_factory=list)
    _serials: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    def respond(self, tsq: bytes, *, nonce_delta: int = 0) -> bytes:
        """Answer a DER TimeStampReq (``nonce_delta`` != 0 answers with a wrong nonce, as a broken TSA would)."""
        self.requests.append(tsq)
        request = tsp.TimeStampReq.load(tsq)
        nonce = request["nonce"].native
        return self.token(
            request["message_imprint"]["hashed_message"].native,
            nonce=None if nonce is None else nonce + nonce_delta,
            include_certs=bool(request["cert_req"].native),
            hash_name=request["message_imprint"]["hash_algorithm"]["algorithm"].native,
        )

    def token_for(self, signature: bytes, **kw: object) -> bytes:
        """A TimeStampResp over SHA-256 of ``signature``, as the package builder would obtain."""
        return self.token(hashlib.sha256(signature).digest(), **kw)  # type: ignore[arg-type]

    def token(
        self,
        digest: bytes,
        *,
        nonce: int | None = None,
        include_certs: bool = True,
        hash_name: str = "sha256",
        gen_time: dt.datetime | None = None,
    ) -> bytes:
        when = gen_time or self.gen_time or dt.datetime.now(dt.UTC).replace(microsecond=0)
        tst_info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": self.policy,
                "message_imprint": {"hash_algorithm": {"algorithm": hash_name}, "hashed_message": digest},
                "serial_number": next(self._serials),
                "gen_time": when,
                "accuracy": {"seconds": 1},
                "ordering": False,
                "nonce": nonce,
                "tsa": asn1_x509.GeneralName(name="directory_name", value=_asn1_cert(self.signer.cert).subject),
            }
        )
        tst_der = tst_info.dump()
        signer_cert = _asn1_cert(self.signer.cert)
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [
                            {
                                "certs": [
                                    {
                                        "hash_algorithm": {"algorithm": "sha256"},
                                        "cert_hash": hashlib.sha256(signer_cert.dump()).digest(),
                                    }
                                ]
                            }
                        ],
                    }
                ),
            ]
        )
        key = self.signer.key
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": signer_cert.issuer, "serial_number": signer_cert.serial_number},
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                "signature": signature,
            }
        )
        certs = [signer_cert, *(_asn1_cert(c) for c in self.extra_certs)] if include_certs else []
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(tst_der)},
                "certificates": certs or None,
                "signer_infos": [signer_info],
            }
        )
        response = tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": cms.ContentInfo({"content_type": "signed_data", "content": signed_data}),
            }
        )
        return bytes(response.dump())

    @contextmanager
    def serve(self, *, nonce_delta: int = 0, status: int = 200) -> Iterator[str]:
        """Serve this TSA at ``http://127.0.0.1:PORT/tsa`` until the block ends; yields the URL."""
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Type") != TSQ_CONTENT_TYPE or self.path != "/tsa":
                    self.send_error(415)
                    return
                answer = tsa.respond(body, nonce_delta=nonce_delta) if status == 200 else b"nope"
                self.send_response(status)
                self.send_header("Content-Type", TSR_CONTENT_TYPE)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                pass

        with serve_http(Handler) as base:
            yield f"{base}/tsa"


@contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on 127.0.0.1 with an OS-chosen port in a daemon thread; yields ``http://127.0.0.1:PORT``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
