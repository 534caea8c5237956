"""A small Azure Resource Manager fake over real HTTP, owned by the project.

No maintained ARM emulator exists, so the real azure-mgmt clients talk to this server on
``127.0.0.1:0`` (see ../shared/offline-testing.md §3); the tests and ``clearance demo --provider
azure`` use it. It behaves like ARM where the SDKs and our adapter are sensitive:

- paths are matched unquoted and case-insensitively (the SDK sends ``Microsoft.Insights``
  where ARM ids often say ``microsoft.insights``; resource groups may hold spaces, parentheses
  and non-ASCII characters);
- lists are paged server-side with ``value``/``nextLink``; the nextLink points at this server
  and carries a percent-encoded ``$skiptoken`` containing ``+``, ``/`` and ``=``;
- errors use ARM's shape ``{"error": {"code", "message"}}``; a missing resource is a 404
  ``ResourceNotFound``, a collection nobody put anything into is an empty list;
- every request is recorded, so tests assert what was called (and that nothing else was).

Resources are added with :meth:`FakeArm.put`; failures with :meth:`FakeArm.fail`. The HTTP,
paging, request log and fault injection come from :class:`clearance.fakes.server.FakeServer`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from clearance.fakes.server import FakeServer, Recorded, Response


def _is_collection(path: str) -> bool:
    """ARM paths alternate ``kind/name``; ``providers/<namespace>`` pairs do not count."""
    parts = [p for p in path.strip("/").split("/") if p]
    kept: list[str] = []
    skip = 0
    for part in parts:
        if skip:
            skip -= 1
            continue
        if part.lower() == "providers":
            skip = 1
            continue
        kept.append(part)
    return len(kept) % 2 == 1


class FakeArm(FakeServer):
    """The fake ARM: start with ``with FakeArm() as fake`` (or the ``fake_arm`` test fixture)."""

    denied_code = "AuthorizationFailed"
    request_id_header = "x-ms-request-id"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._items: dict[str, dict[str, Any]] = {}
        self._collections: dict[str, list[str]] = {}

    # -- fixtures --------------------------------------------------------------------------
    def put(self, resource_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Serve ``body`` at ``resource_id`` and list it in its collections.

        The collections are the id without its last segment (``.../storageAccounts``) and, for a
        top-level resource in a resource group, ``/subscriptions/{s}/providers/{ns}/{type}``
        (the ListAll / ListBySubscription path). ``body`` gets ``id`` and ``name`` if it has none.
        Putting the same id again replaces the body in place.
        """
        item = dict(body or {})
        item.setdefault("id", resource_id)
        item.setdefault("name", resource_id.rstrip("/").rsplit("/", 1)[-1])
        key = self.normalize(resource_id)
        parts = resource_id.strip("/").split("/")
        collections = [resource_id.rstrip("/").rsplit("/", 1)[0] or "/"]
        if len(parts) == 8 and [parts[0].lower(), parts[2].lower(), parts[4].lower()] == [
            "subscriptions",
            "resourcegroups",
            "providers",
        ]:
            collections.append(f"/subscriptions/{parts[1]}/providers/{parts[5]}/{parts[6]}")
        with self.lock:
            self._items[key] = item
            for coll in collections:
                members = self._collections.setdefault(self.normalize(coll), [])
                if key not in members:
                    members.append(key)
        return item

    def add(self, *bodies: dict[str, Any]) -> None:
        """:meth:`put` each ARM body at its own ``id``."""
        for body in bodies:
            self.put(str(body["id"]), body)

    # -- provider hooks --------------------------------------------------------------------
    def normalize(self, path: str) -> str:
        return super().normalize(path).lower()

    def error(self, status: int, code: str, message: str) -> Response:
        answer = super().error(status, code, message)
        if status == 403:
            answer.headers["x-ms-failure-cause"] = "gateway"
        return answer

    def handle(self, request: Recorded) -> Response:
        """GET a put resource, or a (paged) collection; anything else is 404 / 405 as ARM would say."""
        if request.method != "GET":
            return self.error(405, "MethodNotAllowed", f"the fake ARM serves GET only, got {request.method}")
        key = self.normalize(request.path)
        with self.lock:
            item = self._items.get(key)
            members = [self._items[m] for m in self._collections.get(key, ())]
        if item is not None:
            return self.json(200, item)
        if members or _is_collection(request.path):
            return self._page(request, members)
        return self.error(404, "ResourceNotFound", f"The Resource '{request.path}' was not found.")

    def _page(self, request: Recorded, items: list[dict[str, Any]]) -> Response:
        page, token = self.paginate(items, request.query.get("$skiptoken"))
        out: dict[str, Any] = {"value": page}
        if token is not None:
            rest = {k: v for k, v in request.query.items() if k not in ("$skiptoken", "api-version")}
            rest["$skiptoken"] = token
            out["nextLink"] = f"{self.url}{request.path}?{urlencode(rest)}"
        return self.json(200, out)
