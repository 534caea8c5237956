"""The emulator seam: how the GCP provider's discovery clients are pointed at :class:`~clearance.fakes.gcp.FakeGcp`.

The credential is a fixed OAuth token instead of Application Default Credentials (which would read
``GOOGLE_APPLICATION_CREDENTIALS``, the gcloud configuration or the metadata server), and the
client options turn off retries (an emulator never recovers on retry) and proxy settings from the
environment (loopback traffic must not be sent to a proxy). Only ``clearance demo --provider gcp``
and the tests use this module; ``clearance scan`` has no way to reach it (it builds
``GcpProvider()`` with no credentials, endpoint or client options). google-auth is imported at
module level, so import this module only where GCP is about to be used.
"""

from __future__ import annotations

from typing import Any

from google.oauth2.credentials import Credentials

TOKEN = "fake-gcp-emulator-token"


def emulator_credentials() -> Any:
    """OAuth credentials holding a fixed token with no expiry: sent as is, never refreshed."""
    return Credentials(token=TOKEN)  # type: ignore[no-untyped-call]


def emulator_client_options() -> dict[str, Any]:
    """Client options for the emulator: no retries, no proxy settings from the environment."""
    return {"num_retries": 0, "trust_env": False}
