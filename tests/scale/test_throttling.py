"""Throttling: a scan through a proxy that throttles a fifth of the requests ends with the same findings.

Real components throughout: moto's server over HTTP, clearance's proxy answering throttles in each
service's wire shape, botocore's retry logic, and clearance's per-(account, region, service) token buckets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from clearance.errors import UsageError
from clearance.fakes.proxy import THROTTLE, Fault, FaultPlan, LatencyProxy
from clearance.providers.aws.session import AccountSession, ReadOnlyGuard, base_session
from clearance.providers.ratelimit import AWS_DEFAULT_RATES, Rate, RateLimiter, TokenBucket, parse_rates

from .conftest import REGION

ProxyFactory = Callable[..., LatencyProxy]
ACCOUNT = "123456789012"
SHARE = 0.2


def _seed(endpoint: str) -> None:
    """A small workload touching every wire protocol the collectors use, with passing and failing checks."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=endpoint)  # type: ignore[call-overload]

    kms = client("kms")
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotated)
    kms.create_alias(AliasName="alias/scale-data", TargetKeyId=rotated)
    kms.create_key(Description="not rotated")
    s3 = client("s3")
    for name, rule in (
        ("scale-cmk", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": rotated}),
        ("scale-sse", {"SSEAlgorithm": "AES256"}),
    ):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_encryption(
            Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": rule}]}
        )
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="scale-admin", Description="admin", VpcId=vpc)["GroupId"]
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    logs = client("logs")
    logs.create_log_group(logGroupName="/scale/app", tags={"data-class": "personal-credit"})
    logs.put_retention_policy(logGroupName="/scale/app", retentionInDays=90)
    client("dynamodb").create_table(
        TableName="scale-sessions",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client("secretsmanager").create_secret(Name="scale/db", SecretString="x", KmsKeyId=rotated)
    iam = client("iam")
    iam.create_user(UserName="scale-ops")
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(
        RoleName="scale-fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]})
    )["Role"]["Arn"]
    empty_zip = b"PK\x05\x06" + bytes(18)
    client("lambda").create_function(
        FunctionName="scale-fn", Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": empty_zip}
    )


def _scan(proxy: LatencyProxy, out: Path) -> dict[str, Any]:
    import clearance

    results = clearance.scan(clearance.Scope(regions=(REGION,), endpoint_url=proxy.url), out)
    calls = [json.loads(line) for line in (out / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines()]
    findings = json.loads((out / "findings.json").read_text("utf-8"))["findings"]
    return {
        "verdicts": {(f["check_id"], f["resource"]["id"], f["verdict"]) for f in findings},
        "calls": calls,
        "stats": proxy.stats(),
        "summary": results.summary,
    }


def test_a_scan_with_a_fifth_of_requests_throttled_ends_with_identical_findings(
    moto_server: str, proxied: ProxyFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARANCE_AWS_MAX_ATTEMPTS", "8")
    _seed(moto_server)
    clean = _scan(proxied(), tmp_path / "clean")
    throttled = _scan(proxied(FaultPlan([Fault(THROTTLE, SHARE)], seed=7, max_in_a_row=3)), tmp_path / "throttled")

    verdicts = Counter(v for _, _, v in clean["verdicts"])
    assert verdicts["PASS"] and verdicts["FAIL"]  # the comparison below is not between two empty scans
    assert throttled["verdicts"] == clean["verdicts"]

    stats = throttled["stats"]
    injected = sum(stats.injected.values())
    assert SHARE / 2 < injected / stats.total < SHARE * 2
    throttled_services = {service for service, _, _ in stats.injected}
    assert {"s3", "kms", "ec2", "iam", "logs", "lambda"} <= throttled_services  # every wire protocol
    # Every throttle was retried, and the scan's own call log shows it.
    retries: Counter[tuple[str, str]] = Counter()
    for call in throttled["calls"]:
        retries[(call["service"], call["operation"])] += call["retries"]
        assert call["status"] not in ("Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded")
    assert sum(retries.values()) == injected
    assert +retries == Counter({(s, o): n for (s, o, _), n in stats.injected.items()})


def test_the_proxy_counts_exactly_the_calls_the_scan_logged(
    moto_server: str, proxied: ProxyFactory, tmp_path: Path
) -> None:
    _seed(moto_server)
    scan = _scan(proxied(), tmp_path / "scan")
    logged = Counter((c["service"], c["operation"]) for c in scan["calls"])
    counted = scan["stats"].requests
    assert counted - logged == Counter({("sts", "GetCallerIdentity"): 1})  # the identity probe is not a unit's call
    assert logged - counted == Counter()
    # s3control reaches the emulator (its account-prefixed host name is unprefixed for a custom endpoint).
    (account_pab,) = [c for c in scan["calls"] if c["service"] == "s3control"]
    assert account_pab["http_status"] in (200, 404)


# -- the token buckets --------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


def test_a_bucket_paces_after_its_burst_and_refills_with_time() -> None:
    clock = FakeClock()
    bucket = TokenBucket(Rate(10, 2), clock)
    assert [round(bucket.reserve(), 3) for _ in range(5)] == [0.0, 0.0, 0.1, 0.2, 0.3]
    clock.now = 10.0  # long idle: the bucket is full again, never fuller than the burst
    assert [round(bucket.reserve(), 3) for _ in range(3)] == [0.0, 0.0, 0.1]


def test_a_bucket_halves_on_throttles_down_to_a_floor_and_recovers_on_successes() -> None:
    bucket = TokenBucket(Rate(20, 40), FakeClock())
    bucket.throttled()
    assert bucket.rate == 10
    assert bucket.reserve() == pytest.approx(0.1)  # the burst is gone: paced at once
    for _ in range(10):
        bucket.throttled()
    assert bucket.rate == pytest.approx(2.0)  # a tenth of the ceiling
    for _ in range(100):
        bucket.succeeded()
    assert bucket.rate == 20  # back to the ceiling, never above


def test_session_clients_take_a_token_per_attempt_from_their_account_region_api_bucket(
    proxied: ProxyFactory,
) -> None:
    clock = FakeClock()
    limiter = RateLimiter({"sts": Rate(10, 1), "kms.ListAliases": Rate(10, 1)}, clock=clock, sleep=clock.sleep)
    proxy = proxied()
    session = AccountSession(
        base_session(REGION),
        ACCOUNT,
        "aws",
        ReadOnlyGuard({"sts": frozenset({"GetCallerIdentity"}), "kms": frozenset({"ListKeys", "ListAliases"})}),
        endpoint_url=proxy.url,
        max_pool=4,
        default_region=REGION,
        rates=limiter,
    )
    for _ in range(3):
        session.client("sts", REGION).get_caller_identity()
    session.client("sts", "us-east-1").get_caller_identity()  # another region: another bucket, not paced
    kms = session.client("kms", REGION)
    kms.list_keys()  # not limited at all
    kms.list_aliases()
    kms.list_aliases()  # its own bucket (one API), paced after its burst
    assert clock.slept == [0.1, 0.2, 0.1]
    assert limiter.bucket(ACCOUNT, REGION, "kms", "ListKeys") is None


def test_throttled_answers_slow_the_bucket_down(proxied: ProxyFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARANCE_AWS_MAX_ATTEMPTS", "3")
    limiter = RateLimiter({"*": Rate(10, 5)})
    proxy = proxied(FaultPlan([Fault(THROTTLE, 1.0)], max_in_a_row=1))
    guard = ReadOnlyGuard({"sts": frozenset({"GetCallerIdentity"})})
    session = AccountSession(
        base_session(REGION),
        ACCOUNT,
        "aws",
        guard,
        endpoint_url=proxy.url,
        max_pool=4,
        default_region=REGION,
        rates=limiter,
    )
    answer = session.client("sts", REGION).get_caller_identity()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    bucket = limiter.bucket(ACCOUNT, REGION, "sts", "GetCallerIdentity")
    assert bucket is not None
    assert bucket.rate == pytest.approx(10 * 0.5 + 10 * 0.05)  # halved by the throttle, raised by the success


def test_rate_limits_are_configured_from_the_environment_format() -> None:
    rates = parse_rates("logs=5, ec2=40/200, kms.ListKeys=2", AWS_DEFAULT_RATES)
    assert rates["logs"] == Rate(5, 10) and rates["ec2"] == Rate(40, 200)
    limiter = RateLimiter(rates)
    assert limiter.rate("kms", "ListKeys") == Rate(2, 4) and limiter.rate("kms", "DescribeKey") == rates["*"]
    assert rates["s3"] == AWS_DEFAULT_RATES["s3"] and rates["*"] == AWS_DEFAULT_RATES["*"]
    assert parse_rates("off", AWS_DEFAULT_RATES) == {}
    assert RateLimiter(parse_rates("off", AWS_DEFAULT_RATES)).bucket(ACCOUNT, REGION, "ec2", "DescribeVpcs") is None
    for bad in ("logs", "logs=fast", "=5", "logs=0", "logs=5/0.5"):
        with pytest.raises(UsageError, match=r"CLEARANCE_AWS_RATE_LIMITS: bad entry"):
            parse_rates(bad, AWS_DEFAULT_RATES)
