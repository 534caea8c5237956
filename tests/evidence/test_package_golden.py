"""Golden packages (tests/evidence/golden, made by make_golden.py): old packages keep verifying, and the format
does not drift. A failure here means a library upgrade broke verification of existing filings, or a code change
altered the package format; the latter needs a deliberate format decision and ``python -m tests.evidence.make_golden``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from cryptography import x509

from clearance.evidence import layout
from clearance.evidence.signers.file import FileSigner
from clearance.evidence.verifier import VerifyOptions, verify

from .make_golden import GOLDEN, LEAVES, T, build_options, golden_pki
from .scandir import SECRETS
from .tsa import TestTsa

EXPECTED = json.loads((GOLDEN / "expected.json").read_text("utf-8"))


def options(**overrides: object) -> VerifyOptions:
    base = {
        "trust": tuple(x509.load_pem_x509_certificates((GOLDEN / "trust.pem").read_bytes())),
        "tsa_trust": tuple(x509.load_pem_x509_certificates((GOLDEN / "tsa-trust.pem").read_bytes())),
        "filing_id": EXPECTED["filing_id"],
        "nonce": EXPECTED["nonce"],
    }
    base.update(overrides)
    return VerifyOptions(**base)


@pytest.mark.parametrize("name", sorted(LEAVES))
def test_golden_package_verifies(name: str) -> None:
    report = verify(GOLDEN / f"package-{name}.zip", options())
    assert report.valid, "\n".join(report.summary_lines())
    expected = EXPECTED["packages"][name]
    assert report.statement_sha256 == expected["statement_sha256"]
    assert report.time is not None and report.time == T and report.time_source == "timestamp"
    assert report.signers[0].subject == expected["subject"]


def test_golden_package_fails_for_another_filing() -> None:
    report = verify(GOLDEN / "package-p256.zip", options(filing_id="FSS-2026-000124"))
    assert report.failure is not None and report.failure.step == "binding"


def test_golden_scan_carries_the_planted_secrets_and_the_packages_do_not() -> None:
    raw = b"".join(p.read_bytes() for p in (GOLDEN / "scan" / "raw").rglob("*.jsonl"))
    with zipfile.ZipFile(GOLDEN / "package-p256.zip") as zf:
        packed = b"".join(zf.read(n) for n in zf.namelist())
    for secret in SECRETS.values():
        assert secret.encode() in raw and secret.encode() not in packed


def test_rebuilding_the_golden_scan_reproduces_the_format(tmp_path: Path) -> None:
    """Same scan, same content pack, same inputs: the evidence files and statement must be byte-identical."""
    golden = GOLDEN / "package-p256.zip"
    with zipfile.ZipFile(golden) as zf:
        names = [n for n in zf.namelist() if n.startswith(layout.CONTENT)]
        zf.extractall(tmp_path / "pack", names)
        evidence = {n: zf.read(n) for n in zf.namelist() if n.startswith(layout.EVIDENCE)}
        payload = zf.read(layout.ENVELOPE)
    pki = golden_pki()  # fresh keys: signatures differ, the signed content must not
    from .pki import issue, new_key

    leaf = issue("rebuild signer", new_key("p256"), pki.ica)
    opts = build_options(FileSigner(leaf.key, [leaf.cert, pki.ica.cert]), TestTsa(signer=pki.tsa, gen_time=T), pki.crls)
    from dataclasses import replace

    from clearance.evidence.builder import build_package

    opts = replace(opts, checks_root=tmp_path / "pack" / layout.CONTENT)
    rebuilt = build_package(GOLDEN / "scan", tmp_path / "rebuilt.zip", opts)
    with zipfile.ZipFile(rebuilt.path) as zf:
        again = {n: zf.read(n) for n in zf.namelist() if n.startswith(layout.EVIDENCE)}
        new_payload = json.loads(zf.read(layout.ENVELOPE))["payload"]
    assert sorted(again) == sorted(evidence)
    changed = [n for n in evidence if evidence[n] != again[n]]
    assert not changed, f"evidence files changed: {changed}"
    assert new_payload == json.loads(payload)["payload"]
    assert rebuilt.statement_sha256 == EXPECTED["packages"]["p256"]["statement_sha256"]
