"""Client-side rate limits: one token bucket per (account, region, service, operation), shared by a scan's threads.

Clouds throttle per account and region, per API. EC2 documents it exactly: each API is evaluated individually,
with a token bucket that holds 100 requests and refills at 20 per second for describe calls. A scan fanning out
over dozens of threads exceeds such limits within a second and then spends its time in back-off (and crowds out
the firm's own automation, which shares the same limits). Pacing each API of each (account, region) below a
ceiling costs nothing while the scan is slower than the ceiling anyway and avoids the throttles when it is not;
other accounts, regions and APIs have their own limits, so they are not paced against each other.

The bucket adapts when the cloud throttles anyway (a lower quota, other callers on the same account): each
throttled answer halves the bucket's rate (down to a tenth of the ceiling) and empties its burst; each
successful answer gives back a twentieth of the ceiling (AIMD, as TCP does). The throttled request itself is
retried by the SDK after a jittered exponential delay. botocore's own ``adaptive`` mode is not used: after one
throttle it caps a client at twice the rate it measured, which for a client sending a few requests a second
serialises the rest of its unit (with a fifth of the requests throttled, the demo scan took 25 s in that mode
and 7 s with this bucket; 2.5 s unthrottled).
Every attempt, retries included, takes a token.

Configuration: ``CLEARANCE_AWS_RATE_LIMITS``, comma-separated ``KEY=RATE[/BURST]`` entries (requests per
second; burst is the bucket size, default twice the rate). ``KEY`` is ``SERVICE.Operation`` for one API,
``SERVICE`` for each API of a service, ``*`` for every other API; or the whole value is ``off``. Entries
override the defaults in :data:`AWS_DEFAULT_RATES`; for example
``CLEARANCE_AWS_RATE_LIMITS="logs.ListTagsForResource=5,*=10/20"``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import UsageError

AWS_RATE_LIMITS_ENV = "CLEARANCE_AWS_RATE_LIMITS"


@dataclass(frozen=True)
class Rate:
    """A sustained rate (requests per second) and a burst (the bucket size, in requests)."""

    per_second: float
    burst: float

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"a rate needs requests per second > 0 and a burst >= 1, not {self}")


AWS_DEFAULT_RATES: Mapping[str, Rate] = {
    "*": Rate(25, 50),
    "ec2": Rate(20, 100),
    "s3": Rate(100, 200),
    "sts": Rate(50, 100),
}
"""Ceilings per API, keyed by botocore client name. EC2's is its documented describe-call bucket (100, refilled at
20/s). S3 serves thousands of requests per second per bucket prefix, so the bucket-configuration reads get a
higher ceiling. Every other API gets 25/s with bursts of 50, a modest pace for one API of one (account, region)
that still reads 1,500 resources a minute; lower it where a quota (or a shared account) needs it."""


class TokenBucket:
    """A reservation-based token bucket whose rate backs off on throttles and recovers on successes."""

    DECREASE = 0.5
    """Rate factor applied on each throttled answer."""
    INCREASE = 0.05
    """Share of the ceiling given back on each successful answer."""
    FLOOR = 0.1
    """The lowest rate, as a share of the ceiling."""

    def __init__(self, ceiling: Rate, clock: Callable[[], float] = time.monotonic):
        self.ceiling = ceiling
        self.rate = ceiling.per_second
        self._clock = clock
        self._tokens = ceiling.burst
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.ceiling.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def reserve(self) -> float:
        """Take one token; return how long (seconds) to wait before sending."""
        with self._lock:
            self._refill()
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def throttled(self) -> None:
        """The cloud throttled a request: halve the rate (not below the floor) and drop the burst."""
        with self._lock:
            self._refill()
            self.rate = max(self.ceiling.per_second * self.FLOOR, self.rate * self.DECREASE)
            self._tokens = min(self._tokens, 0.0)

    def succeeded(self) -> None:
        """A request got through: raise the rate back towards the ceiling."""
        with self._lock:
            if self.rate < self.ceiling.per_second:
                self._refill()
                self.rate = min(self.ceiling.per_second, self.rate + self.ceiling.per_second * self.INCREASE)


class RateLimiter:
    """Token buckets per (account, region, service, operation), created on first use from ``rates``.

    ``rates`` keys: ``service.Operation``, ``service`` or ``*`` (the first that exists applies).
    """

    def __init__(
        self,
        rates: Mapping[str, Rate],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rates = dict(rates)
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def rate(self, service: str, operation: str) -> Rate | None:
        """The limit of one API; None when it is not limited."""
        return self.rates.get(f"{service}.{operation}") or self.rates.get(service) or self.rates.get("*")

    def bucket(self, account: str, region: str, service: str, operation: str) -> TokenBucket | None:
        """The bucket of one API in (account, region), created on first use; None when the API is not limited."""
        rate = self.rate(service, operation)
        if rate is None:
            return None
        key = (account, region, service, operation)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate, self._clock)
            return bucket

    def install(self, client: Any, account: str, region: str, service: str, is_throttle: Callable[..., bool]) -> None:
        """Pace every attempt of ``client`` (a botocore client), retries included, and adapt to its answers.

        The operation is the last part of botocore's event name (``before-send.kms.ListKeys``);
        ``is_throttle(**kwargs)`` tells from the ``needs-retry`` event arguments whether an attempt was throttled.
        """
        if not self.rates:
            return

        def bucket_of(event_name: str) -> TokenBucket | None:
            return self.bucket(account, region, service, event_name.rsplit(".", 1)[-1])

        def before_send(event_name: str, **_: Any) -> None:  # returning None lets botocore send the request
            bucket = bucket_of(event_name)
            delay = bucket.reserve() if bucket is not None else 0.0
            if delay > 0:
                self._sleep(delay)

        def after_attempt(event_name: str, **kwargs: Any) -> None:  # returning None leaves botocore its decision
            bucket = bucket_of(event_name)
            if bucket is None:
                return
            if is_throttle(**kwargs):
                bucket.throttled()
            elif kwargs.get("response") is not None:
                bucket.succeeded()

        client.meta.events.register("before-send", before_send)
        client.meta.events.register("needs-retry", after_attempt)


def parse_rates(text: str, defaults: Mapping[str, Rate], *, source: str = AWS_RATE_LIMITS_ENV) -> dict[str, Rate]:
    """``defaults`` overridden by ``text`` (``KEY=RATE[/BURST],...`` or ``off``); errors name ``source``."""
    text = text.strip()
    if text.lower() == "off":
        return {}
    rates = dict(defaults)
    for entry in filter(None, (e.strip() for e in text.split(","))):
        service, sep, spec = entry.partition("=")
        per_second, _, burst = spec.partition("/")
        try:
            if not sep or not service.strip():
                raise ValueError("expected KEY=RATE[/BURST]")
            rate = float(per_second)
            rates[service.strip()] = Rate(rate, float(burst) if burst else max(1.0, 2 * rate))
        except ValueError as exc:
            raise UsageError(f"{source}: bad entry {entry!r} ({exc}); e.g. 'ec2=20/100,*=25' or 'off'") from None
    return rates


@lru_cache(maxsize=8)
def _aws_limiter(text: str) -> RateLimiter:
    return RateLimiter(parse_rates(text, AWS_DEFAULT_RATES))


def aws_limiter() -> RateLimiter:
    """The process-wide AWS limiter for the current ``CLEARANCE_AWS_RATE_LIMITS`` (one set of buckets per value).

    Process-wide because the limits it models are per account and region, not per scan.
    """
    return _aws_limiter(os.environ.get(AWS_RATE_LIMITS_ENV, ""))
