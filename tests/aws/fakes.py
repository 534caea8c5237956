"""HTTP-level answers injected in front of moto, for what moto cannot do.

botocore still builds, signs and sends the request through its normal pipeline and parses
our HTTP response with the service's real protocol parser, so error mapping and
deserialisation are exercised exactly as against AWS. Used for: denied calls (moto does
not enforce IAM by default) and operations moto has not implemented (e.g. Bedrock guardrails).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.handlers import BUILTIN_HANDLERS


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        data = self.read()
        while data:
            yield data
            data = self.read()


def _protocol(service: str) -> str:
    import botocore.session

    return str(botocore.session.get_session().get_service_model(service).protocol)


def error_body(service: str, code: str, message: str) -> tuple[bytes, dict[str, str]]:
    protocol = _protocol(service)
    if protocol in ("json", "rest-json"):
        return json.dumps({"__type": code, "message": message}).encode(), {
            "content-type": "application/x-amz-json-1.1",
            "x-amzn-errortype": code,
        }
    if protocol == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
        return body.encode(), {"content-type": "text/xml"}
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fake-request</RequestId></ErrorResponse>"
        )
        return body.encode(), {"content-type": "text/xml"}
    body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fake</RequestId></Error>"
    return body.encode(), {"content-type": "application/xml"}


Responder = Callable[[Any], tuple[int, bytes, dict[str, str]] | None]


@contextmanager
def intercept(service_prefix: str, operation: str, responder: Responder) -> Iterator[list[Any]]:
    """Answer ``operation`` (event ``before-send.<prefix>.<operation>``) with ``responder(request)``.

    Returns the list of intercepted requests. ``service_prefix`` is the botocore event name
    of the service (its ``hyphenize``d service id, e.g. ``s3``, ``bedrock``, ``elastic-load-balancing-v2``).
    """
    seen: list[Any] = []
    event = f"before-send.{service_prefix}.{operation}"

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        answer = responder(request)
        if answer is None:
            return None
        seen.append(request)
        status, body, headers = answer
        return AWSResponse(request.url, status, headers, _Raw(body))

    # botocore runs every before-send handler; moto's would still dispatch (and raise
    # NotImplementedError for operations it lacks), so it skips the requests answered here.
    from moto.core.botocore_stubber import BotocoreStubber

    moto_call = BotocoreStubber.__call__

    def moto_unless_answered(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if any(r is request for r in seen):
            return None
        return moto_call(stubber, event_name, request, **kwargs)

    entry = (event, handler)
    BUILTIN_HANDLERS.insert(0, entry)
    BotocoreStubber.__call__ = moto_unless_answered  # type: ignore[method-assign,assignment]
    try:
        yield seen
    finally:
        BotocoreStubber.__call__ = moto_call  # type: ignore[method-assign]
        BUILTIN_HANDLERS.remove(entry)


@contextmanager
def deny(
    service: str, operation: str, *, event_prefix: str | None = None, code: str | None = None
) -> Iterator[list[Any]]:
    """Make ``service:operation`` answer 403 with the protocol's AccessDenied error."""
    protocol = _protocol(service)
    err = code or (
        "UnauthorizedOperation"
        if protocol == "ec2"
        else "AccessDeniedException"
        if protocol in ("json", "rest-json")
        else "AccessDenied"
    )
    body, headers = error_body(service, err, f"User is not authorized to perform: {operation}")
    with intercept(event_prefix or service, operation, lambda _req: (403, body, headers)) as seen:
        yield seen


@contextmanager
def respond_json(event_prefix: str, operation: str, payload: Any, status: int = 200) -> Iterator[list[Any]]:
    """Answer a JSON-protocol operation (one moto lacks) with ``payload``."""
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    with intercept(event_prefix, operation, lambda _req: (status, body, headers)) as seen:
        yield seen
