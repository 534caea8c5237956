"""Build, unpack, re-zip and re-sign evidence packages for the tests, with the session's real test PKI and TSA.

Tampering is done the way an attacker (or a careless tool) would: on the unpacked tree or on the ZIP bytes, never
through the builder. ``resign`` stands for a *trusted* producer that signs a changed statement (to test what
the verifier checks after the signature, e.g. weak digests).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clearance.evidence import layout
from clearance.evidence.builder import BuildOptions, Filing, Firm, build_package
from clearance.evidence.dsse import Envelope, Signature, parse_envelope
from clearance.evidence.signers.file import FileSigner
from clearance.evidence.signers.interface import keyid
from clearance.evidence.statement import serialize
from clearance.evidence.verifier import VerifyOptions

from .pki import Issued, Pki, pem
from .tsa import TestTsa

FILING_ID = "FSS-2026-000123"
NONCE = "q7Hn2c0xv9bqz0WcM1kq0w"


@dataclass
class Kit:
    """The session PKI and a TSA: everything a producer and a verifier need."""

    pki: Pki
    tsa: TestTsa

    def signer(self, leaf: Issued | None = None) -> FileSigner:
        issued = leaf or self.pki.leaf_p256
        return FileSigner(issued.key, self.pki.chain(issued))

    def build_options(self, leaf: Issued | None = None, **overrides: Any) -> BuildOptions:
        base = BuildOptions(
            filing=Filing(FILING_ID, NONCE, "2020-01-01T00:00:00Z", "FSS", "saas-network-separation"),
            signers=[self.signer(leaf)],
            firm=Firm("Example Bank Co., Ltd.", (("KR-BRN", "000-00-00000"),)),
            timestamper=self.tsa.token_for,
            fetch_crls=self.pki.fetch,
        )
        return replace(base, **overrides)

    def verify_options(self, **overrides: Any) -> VerifyOptions:
        base = VerifyOptions(
            trust=(self.pki.root.cert,),
            tsa_trust=(self.pki.tsa_root.cert,),
            filing_id=FILING_ID,
            nonce=NONCE,
        )
        return replace(base, **overrides)

    def build(self, scan_dir: Path, out: Path, leaf: Issued | None = None, **overrides: Any) -> Path:
        return build_package(scan_dir, out, self.build_options(leaf, **overrides)).path


def unpack(package: Path, dest: Path) -> Path:
    with zipfile.ZipFile(package) as zf:
        zf.extractall(dest)
    return dest


def zip_tree(root: Path, out: Path, *, extra: Sequence[tuple[str, bytes]] = ()) -> Path:
    """Zip a tree back (sorted, deflated) and append ``extra`` raw entries (names taken literally)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(root).as_posix())
        for name, data in extra:
            zf.writestr(name, data)
    return out


def envelope_doc(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / layout.ENVELOPE).read_text("utf-8"))
    return data


def payload(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(envelope_doc(root)["payload"]))
    return data


def write_envelope(root: Path, doc: dict[str, Any]) -> None:
    (root / layout.ENVELOPE).write_text(json.dumps(doc), "utf-8")


def sig_dir(root: Path) -> Path:
    keyid_ = envelope_doc(root)["signatures"][0]["keyid"]
    return root / layout.sig_dir(keyid_)


@dataclass
class Resigner:
    """A trusted producer re-signing a changed statement (replaces every signature)."""

    kit: Kit
    leaf: Issued | None = None
    crls: list[bytes] = field(default_factory=list)

    def __call__(self, root: Path, mutate: Callable[[dict[str, Any]], None]) -> None:
        statement = payload(root)
        mutate(statement)
        data = serialize(statement)
        signer = self.kit.signer(self.leaf)
        sig = signer.sign(Envelope(layout.PAYLOAD_TYPE, data, ()).pae())
        kid = keyid(signer.certificate_chain()[0])
        shutil.rmtree(root / "attestation")
        folder = root / layout.sig_dir(kid)
        (folder / "revocation").mkdir(parents=True)
        (folder / layout.CHAIN).write_bytes(pem(*signer.certificate_chain()))
        (folder / layout.TIMESTAMP).write_bytes(self.kit.tsa.token_for(sig))
        for index, crl in enumerate(self.crls or list(self.kit.pki.crls.values())):
            (folder / "revocation" / f"{index}.crl").write_bytes(crl)
        (root / layout.ENVELOPE).write_bytes(Envelope(layout.PAYLOAD_TYPE, data, (Signature(kid, sig),)).to_json())


def statement_of(package: Path) -> dict[str, Any]:
    """The statement of a ZIP package (unverified; for assertions)."""
    with zipfile.ZipFile(package) as zf:
        envelope = parse_envelope(zf.read(layout.ENVELOPE))
    data: dict[str, Any] = json.loads(envelope.payload)
    return data


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
