"""Run the demo: seed the CRM workload on an emulator, then scan it like ``clearance scan``.

AWS runs on an in-process moto account; Azure on the project's fake ARM server and GCP on the
project's fake Google APIs, both on loopback. The scan goes through :func:`clearance.api.scan`
(AWS and Azure with a ``workload=crm`` tag filter, GCP on the workload's project), so the output
directory has exactly the files a real scan writes. For AWS, fake credentials and moto's settings
are set for the duration of the demo only; the caller's environment is restored afterwards,
whatever happens. For Azure and GCP nothing in the environment is read or changed: the provider
gets the emulator seam (fake credential, plain http, no proxies from the environment) explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .seed import ABROAD, HOME, seed

if TYPE_CHECKING:
    from ..engine.checks import CheckSet
    from ..engine.runner import Results
    from ..profile import Profile
    from ..providers.interface import ProgressFn, Provider
    from ..scope import Scope

RANDOM_SEED = 20260420
"""Seeds moto's identifier generator, so every run creates the same VPC, key and instance ids."""

_ENV = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": HOME,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    # An emulator never recovers on retry; retrying would only slow the demo down.
    "CLEARANCE_AWS_MAX_ATTEMPTS": "1",
}
_CLEARED_PREFIXES = ("AWS_", "MOTO_", "TEST_SERVER_MODE")
"""The user's AWS profile, endpoint or region and any moto setting must not leak into the demo."""


@contextmanager
def demo_environment() -> Iterator[None]:
    """Fake credentials and moto settings inside; the exact previous ``os.environ`` after."""
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.startswith(_CLEARED_PREFIXES)]:
            del os.environ[name]
        os.environ.update(_ENV)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _seeding(progress: ProgressFn | None) -> Callable[[int, int, str], None]:
    """The seeders' ``step_done`` callback, reported as progress events labelled ``seeding ...``."""
    from ..providers.interface import Progress

    def step_done(done: int, total: int, label: str) -> None:
        if progress:
            progress(Progress(done, total, f"seeding {label}"))

    return step_done


REGISTERS = Path(__file__).parent / "registers"
EXCEPTIONS = REGISTERS / "exceptions.yaml"
"""The demo's exceptions register: one exception, expired (its finding stays FAIL, flagged)."""
ATTESTATIONS = REGISTERS / "attestations.yaml"
"""The demo's attestations, with evidence files hashed into the package."""


@dataclass(frozen=True)
class _Prepared:
    """A demo scan made ready before seeding: ``--out`` checked, the built-in profile and content loaded."""

    out: Path
    profile: Profile
    checks: CheckSet

    @classmethod
    def of(cls, out: Path) -> _Prepared:
        from ..api import default_checks, prepare_out
        from ..profile import load_profile

        prepare_out(Path(out))  # refuse a bad --out before spending time on seeding
        profile = load_profile(None)
        return cls(Path(out), profile, default_checks(profile))

    def scan(self, scope: Scope, progress: ProgressFn | None, provider: Provider | None = None) -> Results:
        """The same scan as ``clearance scan``, with the kr-fss profile and the demo's registers."""
        from ..api import scan

        return scan(
            scope,
            self.out,
            profile=self.profile,
            checks=self.checks,
            progress=progress,
            provider=provider,
            exceptions=EXCEPTIONS,
            attestations=ATTESTATIONS,
        )


def run(out: Path, *, progress: ProgressFn | None = None) -> Results:
    """Seed the workload, scan it with the built-in kr-fss profile, write results into ``out``."""
    from ..scope import Scope, TagFilter

    try:
        from moto import mock_aws
        from moto.moto_api._internal import mock_random
    except ImportError as exc:
        raise UsageError(f"the demo needs the 'demo' extra: pip install 'clearance[demo]' ({exc})") from None

    prepared = _Prepared.of(out)
    scope = Scope(regions=(HOME, ABROAD), tags=(TagFilter("workload", ("crm",)),))
    with demo_environment(), mock_aws():
        mock_random.seed(RANDOM_SEED)
        seed(_seeding(progress))
        return prepared.scan(scope, progress)


def run_azure(out: Path, *, progress: ProgressFn | None = None) -> Results:
    """Seed the Azure workload on a loopback fake ARM server, scan it with the built-in kr-fss profile."""
    from ..scope import Scope, TagFilter

    try:
        import azure.mgmt.core  # noqa: F401  (the collectors' SDKs: fail before seeding, not after)

        from ..fakes.arm_client import EmulatorCredential, emulator_client_kwargs
    except ImportError as exc:
        raise UsageError(f"the Azure demo needs the 'azure' extra: pip install 'clearance[azure]' ({exc})") from None
    from ..fakes.arm import FakeArm
    from ..providers.azure import AzureProvider
    from . import azure_seed

    prepared = _Prepared.of(out)
    scope = Scope(provider="azure", accounts=(azure_seed.SUBSCRIPTION,), tags=(TagFilter("workload", ("crm",)),))
    with FakeArm() as fake:
        azure_seed.seed(fake, _seeding(progress))
        provider = AzureProvider(
            credential=EmulatorCredential(), base_url=fake.url, client_kwargs=emulator_client_kwargs()
        )
        return prepared.scan(scope, progress, provider)


def run_gcp(out: Path, *, progress: ProgressFn | None = None) -> Results:
    """Seed the GCP workload on a loopback fake of the Google APIs, scan the project with the kr-fss profile."""
    from ..scope import Scope

    try:
        import googleapiclient  # noqa: F401  (the collectors' clients: fail before seeding, not after)

        from ..fakes.gcp_client import emulator_client_options, emulator_credentials
    except ImportError as exc:
        raise UsageError(f"the GCP demo needs the 'gcp' extra: pip install 'clearance[gcp]' ({exc})") from None
    from ..fakes.gcp import FakeGcp
    from ..providers.gcp import GcpProvider
    from . import gcp_seed

    prepared = _Prepared.of(out)
    scope = Scope(provider="gcp", accounts=(gcp_seed.PROJECT,))
    with FakeGcp() as fake:
        gcp_seed.seed(fake, _seeding(progress))
        provider = GcpProvider(
            credentials=emulator_credentials(), api_endpoint=fake.endpoint, client_options=emulator_client_options()
        )
        return prepared.scan(scope, progress, provider)
