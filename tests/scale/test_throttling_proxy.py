"""The latency / counting / fault-injecting proxy: wire shapes botocore understands, counts, determinism."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from clearance.fakes.proxy import THROTTLE, Call, Fault, FaultPlan, LatencyProxy, Request
from clearance.providers.aws.session import throttle_detector, unprefix_host

from .conftest import REGION

ProxyFactory = Callable[..., LatencyProxy]


def _client(service: str, proxy: LatencyProxy, attempts: int = 1) -> Any:
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts}, inject_host_prefix=False)
    client = boto3.client(service, region_name=REGION, endpoint_url=proxy.url, config=config)  # type: ignore[call-overload]
    if service == "s3control":
        client.meta.events.register("before-sign", unprefix_host(proxy.url))
    return client


SHAPES = [
    ("s3", "ListBuckets", {}, "SlowDown", 503),
    ("s3control", "GetPublicAccessBlock", {"AccountId": "123456789012"}, "SlowDown", 503),
    ("kms", "ListKeys", {}, "ThrottlingException", 400),
    ("dynamodb", "ListTables", {}, "ThrottlingException", 400),
    ("logs", "DescribeLogGroups", {}, "ThrottlingException", 400),
    ("ec2", "DescribeVpcs", {}, "RequestLimitExceeded", 503),
    ("iam", "ListUsers", {}, "Throttling", 400),
    ("elbv2", "DescribeLoadBalancers", {}, "Throttling", 400),
    ("lambda", "ListFunctions", {}, "TooManyRequestsException", 429),
    ("bedrock", "ListCustomModels", {}, "ThrottlingException", 429),
    ("cloudwatch", "DescribeAlarms", {}, "ThrottlingException", 400),
]


@pytest.mark.parametrize(("service", "operation", "params", "code", "status"), SHAPES, ids=[s[0] for s in SHAPES])
def test_throttles_come_in_the_wire_shape_botocore_parses_and_retries(
    proxied: ProxyFactory, service: str, operation: str, params: dict[str, Any], code: str, status: int
) -> None:
    proxy = proxied(FaultPlan([Fault(THROTTLE, 1.0)]))
    client = _client(service, proxy)
    seen: list[bool] = []
    detect = throttle_detector()
    client.meta.events.register("needs-retry", lambda **kw: seen.append(detect(**kw)))
    from botocore import xform_name

    with pytest.raises(ClientError) as raised:
        getattr(client, xform_name(operation))(**params)
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert seen == [True]  # botocore's own throttling test recognises it (so it backs off and retries)
    stats = proxy.stats()
    assert stats.requests == {(service, operation): 1}
    assert stats.injected == {(service, operation, THROTTLE): 1}


def test_a_throttled_request_is_retried_and_then_answered_by_the_upstream(proxied: ProxyFactory) -> None:
    proxy = proxied(FaultPlan([Fault(THROTTLE, 1.0)], max_in_a_row=1))
    answer = _client("sqs", proxy, attempts=2).list_queues()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    stats = proxy.stats()
    assert stats.statuses[("sqs", "ListQueues", 200)] == 1
    assert stats.injected[("sqs", "ListQueues", THROTTLE)] == 1


def test_requests_that_are_not_aws_get_a_plain_429_with_retry_after(proxied: ProxyFactory) -> None:
    proxy = proxied(FaultPlan([Fault(THROTTLE, 1.0)]))
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{proxy.url}/some/path", timeout=10)
    assert raised.value.code == 429
    assert raised.value.headers["Retry-After"] == "1"
    assert json.loads(raised.value.read())["error"]["code"] == "TooManyRequests"
    assert proxy.stats().requests == {("unsigned", "GET /some/path"): 1}


def test_moto_500_for_an_unimplemented_operation_becomes_a_501_that_is_not_retried(proxied: ProxyFactory) -> None:
    proxy = proxied()
    with pytest.raises(ClientError) as raised:
        _client("bedrock", proxy, attempts=5).list_guardrails()
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    stats = proxy.stats()
    assert stats.requests == {("bedrock", "ListGuardrails"): 1}  # one attempt, not five
    assert stats.unimplemented == {("bedrock", "ListGuardrails"): 1}


def test_without_the_option_the_upstream_500_passes_through(moto_server: str) -> None:
    with LatencyProxy(moto_server, latency_ms=0) as proxy, pytest.raises(ClientError) as raised:
        _client("bedrock", proxy).list_guardrails()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert proxy.stats().unimplemented == {}


def test_rest_operations_are_told_apart_by_path_and_query(proxied: ProxyFactory) -> None:
    proxy = proxied()
    s3 = _client("s3", proxy)
    s3.create_bucket(Bucket="proxy-routes", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.get_bucket_versioning(Bucket="proxy-routes")
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket="proxy-routes")  # same URI as the deprecated GetBucketLifecycle
    s3.list_objects_v2(Bucket="proxy-routes")
    s3.list_buckets()
    assert proxy.stats().requests == {
        ("s3", "CreateBucket"): 1,
        ("s3", "GetBucketVersioning"): 1,
        ("s3", "GetBucketLifecycleConfiguration"): 1,
        ("s3", "ListObjectsV2"): 1,
        ("s3", "ListBuckets"): 1,
    }


def test_every_request_waits_the_latency(proxied: ProxyFactory) -> None:
    proxy = proxied(latency_ms=150)
    sts = _client("sts", proxy)
    started = time.perf_counter()
    sts.get_caller_identity()
    assert time.perf_counter() - started >= 0.15


def test_counts_are_exact_under_concurrency(proxied: ProxyFactory) -> None:
    proxy = proxied(latency_ms=5)
    sts = _client("sts", proxy)

    def work() -> None:
        for _ in range(20):
            sts.get_caller_identity()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = proxy.stats()
    assert stats.total == 160
    assert stats.by_service() == {"sts": 160}
    assert stats.statuses == {("sts", "GetCallerIdentity", 200): 160}
    proxy.reset_stats()
    assert proxy.stats().total == 0


# -- the fault plan ---------------------------------------------------------------------------------------


def _requests(n: int) -> list[tuple[Request, Call]]:
    return [
        (Request("POST", "/", "", {}, f"Action=Describe&Page={i % 7}".encode()), Call("ec2", "Describe", REGION, "ec2"))
        for i in range(n)
    ]


def _decisions(plan: FaultPlan, requests: list[tuple[Request, Call]]) -> list[bool]:
    return [plan.decide(request, call) is not None for request, call in requests]


def test_fault_decisions_are_a_function_of_the_seed_and_the_request_not_of_timing() -> None:
    requests = _requests(400)
    first = _decisions(FaultPlan([Fault(THROTTLE, 0.2)], seed=1), requests)
    assert first == _decisions(FaultPlan([Fault(THROTTLE, 0.2)], seed=1), requests)
    assert first != _decisions(FaultPlan([Fault(THROTTLE, 0.2)], seed=2), requests)
    assert 40 <= sum(first) <= 120  # about a fifth
    # The n-th arrival of one request gets the same answer whatever came in between.
    alone = _decisions(FaultPlan([Fault(THROTTLE, 0.2)], seed=1), [r for r in requests if r[0].body.endswith(b"=3")])
    assert alone == [d for d, r in zip(first, requests, strict=True) if r[0].body.endswith(b"=3")]


def test_fault_shares_services_and_the_cap_on_consecutive_faults() -> None:
    requests = _requests(50)
    assert not any(_decisions(FaultPlan([Fault(THROTTLE, 0.0)]), requests))
    assert all(_decisions(FaultPlan([Fault(THROTTLE, 1.0)]), requests))
    assert not any(_decisions(FaultPlan([Fault(THROTTLE, 1.0, frozenset({"s3"}))]), requests))
    same = [_requests(1)[0]] * 9
    assert _decisions(FaultPlan([Fault(THROTTLE, 1.0)], max_in_a_row=2), same) == [True, True, False] * 3


def test_bad_faults_are_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        Fault(THROTTLE, 1.5)
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("reset", 0.1)
