"""A package verifies with OpenSSL, jq and coreutils alone: the recipe its own README gives (and docs/evidence.md).

Skipped only where openssl is missing. jq is required (.ci/run installs it): without it these tests fail loudly
instead of silently not proving the offline recipe.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from clearance.evidence import layout

from .packages import FILING_ID, NONCE, Kit, unpack
from .pki import Pki, pem
from .scandir import make_scan, secret_resources
from .tsa import TestTsa

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "evidence.md"


def recipe(markdown: str) -> str:
    """The shell block under 'Verify without clearance'."""
    section = markdown[markdown.index("## Verify without clearance") :]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def kit(pki: Pki) -> Kit:
    return Kit(pki, TestTsa(signer=pki.tsa))


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_scan(tmp_path_factory.mktemp("scan") / "scan", resources=secret_resources())


def run_recipe(kit: Kit, root: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("jq"), "jq is required for the offline recipe (apt-get install -y jq)"
    (tmp_path / "anchors.pem").write_bytes(pem(kit.pki.root.cert))
    (tmp_path / "tsa.pem").write_bytes(pem(kit.pki.tsa_root.cert))
    script = tmp_path / "verify.sh"
    script.write_text(recipe((root / layout.README).read_text("utf-8")))
    variables = {
        "PATH": os.environ["PATH"],
        "SIGNER_ANCHORS": str(tmp_path / "anchors.pem"),
        "TSA_ANCHORS": str(tmp_path / "tsa.pem"),
        "FILING_ID": FILING_ID,
        "NONCE": NONCE,
        **env,
    }
    return subprocess.run(
        ["bash", str(script)], check=False, cwd=root, env=variables, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("leaf", ["leaf_p256", "leaf_ed25519", "leaf_rsa", "leaf_p384"])
def test_recipe_verifies_every_key_type(kit: Kit, scan_dir: Path, tmp_path: Path, leaf: str) -> None:
    root = unpack(kit.build(scan_dir, tmp_path / "p.zip", getattr(kit.pki, leaf)), tmp_path / "pkg")
    done = run_recipe(kit, root, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"VERIFIED: filing {FILING_ID}" in done.stdout


def test_recipe_rejects_tampering_revocation_and_replay(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    root = unpack(kit.build(scan_dir, tmp_path / "p.zip"), tmp_path / "pkg")
    assert run_recipe(kit, root, tmp_path, FILING_ID="FSS-OTHER").returncode != 0
    target = next(root.glob("evidence/raw/aws/*/*/lambda/*.jsonl"))
    data = target.read_bytes()
    target.write_bytes(data.replace(b"crm-sync", b"crm-SYNC", 1))
    assert target.read_bytes() != data
    done = run_recipe(kit, root, tmp_path)
    assert done.returncode != 0 and "FAILED" in done.stdout + done.stderr
    revoked = unpack(kit.build(scan_dir, tmp_path / "r.zip", kit.pki.leaf_revoked), tmp_path / "revoked")
    done = run_recipe(kit, revoked, tmp_path)
    assert done.returncode != 0 and "certificate revoked" in done.stdout + done.stderr


def test_docs_carry_the_same_recipe(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    root = unpack(kit.build(scan_dir, tmp_path / "p.zip"), tmp_path / "pkg")
    assert recipe(DOCS.read_text("utf-8")) == recipe((root / layout.README).read_text("utf-8"))
