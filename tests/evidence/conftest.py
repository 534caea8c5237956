"""Fixtures for the evidence tests: one throwaway PKI per session and an in-process RFC 3161 TSA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clearance.evidence.devpki import DevKeys, init_dev_keys

from .pki import Pki, build_pki, pem
from .tsa import TestTsa


@pytest.fixture(scope="session")
def pki() -> Pki:
    """Firm root + issuing CA, leaves of every key type, expired/revoked/evil certificates, TSA and Korean CA."""
    return build_pki()


@pytest.fixture
def tsa(pki: Pki) -> TestTsa:
    """A fresh TSA (genTime = now) signing with ``pki.tsa``; ``tsa.serve()`` gives an HTTP URL."""
    return TestTsa(signer=pki.tsa)


@pytest.fixture
def tsa_url(tsa: TestTsa) -> Iterator[str]:
    """``http://127.0.0.1:PORT/tsa`` served by ``tsa`` for the duration of the test (for ``--tsa URL``)."""
    with tsa.serve() as url:
        yield url


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> DevKeys:
    """A development PKI from ``clearance keys init`` (signing key, chain, CRLs), one per test module."""
    return init_dev_keys(tmp_path_factory.mktemp("keys") / "pki")


@pytest.fixture
def tsa_anchor(pki: Pki, tmp_path: Path) -> Path:
    """The TSA root as a PEM file (for ``--tsa-trust``)."""
    path = tmp_path / "tsa-root.pem"
    path.write_bytes(pem(pki.tsa_root.cert))
    return path
