"""Regenerate ``tests/evidence/golden/``: fixed-time packages that must keep verifying, byte for byte.

Run ``python -m tests.evidence.make_golden`` from the repository root only when the format changes on purpose,
then commit the result. Everything is pinned: certificate validity, CRL times, the TSA's genTime (T), the scan
times and the tool digest, so the packages verify forever (no dependence on the current date) and a rebuild from
``golden/scan`` must reproduce the same evidence files and statement payload.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from clearance.evidence.builder import BuildOptions, Filing, Firm, ToolInfo, build_package
from clearance.evidence.signers.file import FileSigner

from .pki import Issued, issue, make_crl, new_key, pem
from .scandir import bucket, make_scan, secret_resources
from .tsa import TestTsa

GOLDEN = Path(__file__).resolve().parent / "golden"
UTC = dt.UTC
FINISHED = dt.datetime(2026, 11, 24, 1, 20, tzinfo=UTC)
T = dt.datetime(2026, 11, 24, 1, 30, 5, tzinfo=UTC)
CRL_TIME = dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
TOOL = ToolInfo("clearance", "0.1.0", "0" * 64)
"""Pinned: the installed tool's digest changes with every code edit, and the statement carries it."""
FILING = Filing("FSS-2026-000123", "q7Hn2c0xv9bqz0WcM1kq0w", "2026-11-23T09:00:00Z", "FSS", "saas-network-separation")
FIRM = Firm("Example Bank Co., Ltd.", (("KR-BRN", "000-00-00000"),))
LEAVES = {"p256": "p256", "ed25519": "ed25519", "rsa": "rsa3072"}
CRL_BASE = "http://crl.golden.example.test"


@dataclass(frozen=True)
class GoldenPki:
    root: Issued
    ica: Issued
    tsa_root: Issued
    tsa: Issued
    crls: tuple[bytes, ...]


def golden_pki() -> GoldenPki:
    start, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2046, 1, 1, tzinfo=UTC)
    root = issue("Golden Evidence Root CA", new_key("p256"), None, ca=True, not_before=start, not_after=end)
    ica = issue(
        "Golden Evidence Issuing CA",
        new_key("p256"),
        root,
        ca=True,
        not_before=start,
        not_after=end,
        crl_url=f"{CRL_BASE}/root.crl",
    )
    tsa_root = issue("Golden TSA Root", new_key("p256"), None, ca=True, not_before=start, not_after=end)
    from cryptography.x509.oid import ExtendedKeyUsageOID

    tsa = issue(
        "Golden TSA",
        new_key("p256"),
        tsa_root,
        not_before=start,
        not_after=end,
        ekus=[ExtendedKeyUsageOID.TIME_STAMPING],
        eku_critical=True,
        san=False,
    )
    until = CRL_TIME + dt.timedelta(days=30)
    crls = (
        make_crl(ica, {}, this_update=CRL_TIME, next_update=until),
        make_crl(root, {}, this_update=CRL_TIME, next_update=until),
    )
    return GoldenPki(root, ica, tsa_root, tsa, crls)


def golden_scan(directory: Path) -> Path:
    resources = [bucket("crm-logs"), bucket("crm-data", versioning=None), *secret_resources()]
    return make_scan(directory, resources=resources, finished=FINISHED)


def build_options(signer: FileSigner, tsa: TestTsa, crls: tuple[bytes, ...]) -> BuildOptions:
    return BuildOptions(
        filing=FILING, signers=[signer], firm=FIRM, timestamper=tsa.token_for, crls=crls, offline=True, tool=TOOL
    )


def main() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    GOLDEN.mkdir(parents=True)
    pki = golden_pki()
    scan = golden_scan(GOLDEN / "scan")
    tsa = TestTsa(signer=pki.tsa, gen_time=T)
    expected = {}
    for name, kind in LEAVES.items():
        leaf = issue(
            f"golden evidence signer {name}",
            new_key(kind),
            pki.ica,
            not_before=dt.datetime(2026, 6, 1, tzinfo=UTC),
            not_after=dt.datetime(2028, 6, 1, tzinfo=UTC),
            crl_url=f"{CRL_BASE}/issuing-ca.crl",
        )
        signer = FileSigner(leaf.key, [leaf.cert, pki.ica.cert])
        result = build_package(scan, GOLDEN / f"package-{name}.zip", build_options(signer, tsa, pki.crls))
        expected[name] = {"statement_sha256": result.statement_sha256, "subject": leaf.cert.subject.rfc4514_string()}
    (GOLDEN / "trust.pem").write_bytes(pem(pki.root.cert))
    (GOLDEN / "tsa-trust.pem").write_bytes(pem(pki.tsa_root.cert))
    meta = {
        "filing_id": FILING.id,
        "nonce": FILING.nonce,
        "time": T.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "packages": expected,
    }
    (GOLDEN / "expected.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
