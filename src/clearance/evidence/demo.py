"""The demo's evidence package: signed with a development PKI and TSA made on the spot, then verified.

Everything needed to verify it again is left next to it (``pki/root.pem``, ``pki/tsa-root.pem``), so
``clearance verify`` can be tried by hand with the command :func:`verify_command` prints.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from ..errors import ClearanceError, ExitCode
from .builder import BuildOptions, Filing, Firm, build_package
from .verifier import VerifyOptions, verify

FILING_ID = "DEMO-2026-0001"
NONCE = "demo-nonce-4f1c"
PACKAGE_NAME = "evidence.zip"
PKI_DIR = "pki"


class DemoPackageError(ClearanceError):
    """The freshly built demo package did not verify: a bug, reported with the failing step."""

    exit_code = ExitCode.INTERNAL


def verify_command(scan_dir: Path) -> str:
    """The ``clearance verify`` command line that accepts the demo package."""
    pki = scan_dir / PKI_DIR
    parts = ["clearance", "verify", str(scan_dir / PACKAGE_NAME), "--trust", str(pki / "root.pem")]
    parts += ["--tsa-trust", str(pki / "tsa-root.pem"), "--filing-id", FILING_ID, "--nonce", NONCE]
    return shlex.join(parts)


def build_demo_package(scan_dir: Path) -> Path:
    """Sign ``scan_dir`` into ``scan_dir/evidence.zip`` with a new development PKI, verify it, return its path."""
    from cryptography import x509

    from ..reports.generate import REPORTS_DIR, render_for_package
    from .devpki import init_dev_keys
    from .devtsa import DevTsa
    from .signers import load_signer

    pki_dir = scan_dir / PKI_DIR
    shutil.rmtree(pki_dir, ignore_errors=True)
    keys = init_dev_keys(pki_dir)
    tsa = DevTsa(pki_dir)
    options = BuildOptions(
        filing=Filing(FILING_ID, NONCE, regulator="FSS", purpose="clearance demo (not a filing)"),
        signers=[load_signer(keys.signer_spec)],
        firm=Firm("Demo Bank Co., Ltd.", (("KR-BRN", "000-00-00000"),)),
        timestamper=tsa.timestamp,
        crls=[path.read_bytes() for path in keys.crls],
        offline=True,
        render_reports=render_for_package,
        reports_dir=scan_dir / REPORTS_DIR,
    )
    path = build_package(scan_dir, scan_dir / PACKAGE_NAME, options).path
    report = verify(
        path,
        VerifyOptions(
            trust=tuple(x509.load_pem_x509_certificates(keys.root.read_bytes())),
            tsa_trust=(tsa.root,),
            filing_id=FILING_ID,
            nonce=NONCE,
        ),
    )
    failure = report.failure
    if failure is not None:
        raise DemoPackageError(f"the demo package does not verify: {failure.step}: {failure.reason}")
    return path
