"""The provider-neutral base of the fakes (clearance.fakes.server): routes, faults, paging, request log over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from clearance.fakes.server import FakeError, FakeServer, Recorded, Response


class Items(FakeServer):
    """A minimal provider fake: GET /v1/items pages with pageToken/nextPageToken, as GCP does."""

    def __init__(self, items: list[str]):
        super().__init__(page_size=2)
        self.items = items
        self.route("GET", "/v1/items", self._list)
        self.route("POST", "/v1/items:echo", lambda r: self.json(200, {"echo": json.loads(r.body)}))

    def _list(self, request: Recorded) -> Response:
        page, token = self.paginate(self.items, request.query.get("pageToken"))
        body: dict[str, Any] = {"items": page}
        if token is not None:
            body["nextPageToken"] = token
        return self.json(200, body)


def call(fake: FakeServer, path: str, data: bytes | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(fake.url + path, data=data, method="POST" if data is not None else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def fake() -> Iterator[Items]:
    with Items(["a", "b", "c", "d", "e"]) as server:
        yield server


def test_routes_page_with_opaque_tokens_that_need_percent_encoding(fake: Items) -> None:
    seen: list[str] = []
    status, body = call(fake, "/v1/items")
    while True:
        assert status == 200
        seen += body["items"]
        if "nextPageToken" not in body:
            break
        assert set(body["nextPageToken"]) & set("+/=")
        status, body = call(fake, "/v1/items?" + urllib.parse.urlencode({"pageToken": body["nextPageToken"]}))
    assert seen == ["a", "b", "c", "d", "e"]
    assert [r.query.get("pageToken") is None for r in fake.calls("/v1/items")] == [True, False, False]


def test_a_bad_page_token_is_a_provider_error_not_a_crash(fake: Items) -> None:
    status, body = call(fake, "/v1/items?pageToken=nonsense")
    assert (status, body["error"]["code"]) == (400, "InvalidPageToken")


def test_unrouted_requests_fall_through_to_handle(fake: Items) -> None:
    status, body = call(fake, "/v1/other")
    assert (status, body["error"]["code"]) == (404, "NotFound")


def test_faults_answer_before_routes_and_can_be_limited_to_a_method(fake: Items) -> None:
    fake.fail("/v1/items*", method="POST")
    status, body = call(fake, "/v1/items:echo", b'{"x": 1}')
    assert (status, body["error"]["code"]) == (403, "PermissionDenied")
    assert call(fake, "/v1/items")[0] == 200
    fake.fail("/v1/*", status=503, code="Unavailable", message="down")
    assert call(fake, "/v1/items") == (503, {"error": {"code": "Unavailable", "message": "down"}})


def test_the_request_log_keeps_method_path_query_headers_and_body(fake: Items) -> None:
    assert call(fake, "/v1/items:echo", b'{"x": 1}') == (200, {"echo": {"x": 1}})
    [posted] = fake.calls("items:echo", method="POST")
    assert (posted.path, posted.body, posted.headers["content-length"]) == ("/v1/items:echo", b'{"x": 1}', "8")


def test_a_handler_error_can_be_raised_and_a_bug_is_a_readable_500() -> None:
    def broken(_: Recorded) -> Response:
        raise KeyError("oops")

    def denied(_: Recorded) -> Response:
        raise FakeError(409, "Conflict", "already there")

    with FakeServer() as server:
        server.route("GET", "/broken", broken)
        server.route("GET", "/denied", denied)
        assert call(server, "/denied") == (409, {"error": {"code": "Conflict", "message": "already there"}})
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(server.url + "/broken")
        assert raised.value.code == 500
        assert b"KeyError" in raised.value.read()


def test_a_server_that_never_started_stops_cleanly() -> None:
    server = FakeServer()
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()
