"""The emulator seam: how the real azure-mgmt clients are pointed at :class:`~clearance.fakes.arm.FakeArm`.

The fake serves plain http on loopback, so azure-core's bearer-token policy (which refuses to send
a token over http) must be told that this endpoint is an emulator, and the credential is a fixed
fake token instead of the standard Azure chain (which would probe IMDS and the Azure CLI). Only
``clearance demo --provider azure`` and the tests use this module; ``clearance scan`` has no way to
reach it (it builds ``AzureProvider()`` with no credential, endpoint or policy). azure-core is
imported at module level, so import this module only where Azure is about to be used.
"""

from __future__ import annotations

import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy


class EmulatorCredential:
    """A TokenCredential for the fake ARM only: a fixed token that expires in an hour."""

    token = "fake-arm-emulator-token"

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


class AllowHttpToEmulator(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Per-call policy letting the bearer policy send the fake token to the plain-http loopback emulator."""

    def on_request(self, request: Any) -> None:
        request.context["enforce_https"] = False


def emulator_client_kwargs() -> dict[str, Any]:
    """Client kwargs for the emulator: the http policy, no retries (an emulator never recovers on retry)
    and no proxy settings from the environment (loopback traffic must not be sent to a proxy)."""
    return {"per_call_policies": [AllowHttpToEmulator()], "retry_total": 0, "use_env_settings": False}
