"""A small fake of the Google Cloud REST APIs clearance reads, over real HTTP, owned by the project.

No emulator covers Resource Manager, Compute, KMS, Cloud SQL, Logging, Vertex AI, IAM or Access
Context Manager (see ../shared/offline-testing.md §4), so the real discovery clients talk to this
server on ``127.0.0.1:0``. One server stands in for every API host: clients use the endpoint
template :attr:`FakeGcp.endpoint` (``http://127.0.0.1:PORT/{host}/``), so each request path starts
with the production host (``/cloudkms.googleapis.com/v1/...``). It behaves like Google where the
clients and the adapter are sensitive:

- lists are paged server-side with ``pageToken``/``nextPageToken`` (``maxResults``/``pageSize``
  honoured; tokens contain ``+``, ``/`` and ``=``); an empty page omits the list field, as proto3
  JSON does; compute ``aggregatedList`` answers group items by scope and include an empty scope
  carrying a ``NO_RESULTS_ON_PAGE`` warning;
- errors use Google's shape ``{"error": {"code", "message", "status", "errors": [{"reason"}]}}``
  (``SERVICE_DISABLED`` adds the ``ErrorInfo`` detail the real APIs send); a missing single
  resource is a 404 ``NOT_FOUND``; a known collection nobody filled is an empty list;
- Vertex AI is regional: a request for ``locations/L`` on another region's host is a 400;
- every request is recorded, so tests assert what was called (and that nothing else was).

Resources are added with the ``add_*`` helpers from REST bodies (build them with
:mod:`clearance.fakes.gcp_builders`); failures with :meth:`FakeServer.fail` (glob on the path,
host included: ``fake.fail("*/b/*/iam")``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clearance.fakes.server import FakeError, FakeServer, Recorded, Response

CRM = "/cloudresourcemanager.googleapis.com/v3"
STORAGE = "/storage.googleapis.com/storage/v1"
KMS = "/cloudkms.googleapis.com/v1"
SQL = "/sqladmin.googleapis.com/v1"
COMPUTE = "/compute.googleapis.com/compute/v1"
LOGGING = "/logging.googleapis.com/v2"
VERTEX = "/aiplatform.googleapis.com/v1"
IAM = "/iam.googleapis.com/v1"
ACM = "/accesscontextmanager.googleapis.com/v1"
ORGPOLICY = "/orgpolicy.googleapis.com/v2"

AGGREGATED = ("subnetworks", "instances", "sslPolicies", "targetHttpsProxies")
GLOBAL_COMPUTE = ("firewalls", "networks", "targetSslProxies")
VERTEX_KINDS = ("endpoints", "models", "datasets")

# Known collections: path glob -> the response field holding the items. Unfilled ones answer empty.
COLLECTIONS: dict[str, str] = {
    f"{CRM}/projects:search": "projects",
    f"{CRM}/projects": "projects",
    f"{CRM}/folders": "folders",
    f"{STORAGE}/b": "items",
    f"{KMS}/projects/*/locations/*/keyRings": "keyRings",
    f"{KMS}/projects/*/locations/*/keyRings/*/cryptoKeys": "cryptoKeys",
    f"{SQL}/projects/*/instances": "items",
    **{f"{COMPUTE}/projects/*/global/{c}": "items" for c in GLOBAL_COMPUTE},
    **{f"{COMPUTE}/projects/*/aggregated/{c}": c for c in AGGREGATED},
    f"{LOGGING}/projects/*/locations/*/buckets": "buckets",
    f"{LOGGING}/projects/*/sinks": "sinks",
    **{f"{VERTEX}/projects/*/locations/*/{k}": k for k in VERTEX_KINDS},
    f"{IAM}/projects/*/serviceAccounts": "accounts",
    f"{IAM}/projects/*/serviceAccounts/*/keys": "keys",
    f"{ACM}/accessPolicies": "accessPolicies",
    f"{ACM}/accessPolicies/*/servicePerimeters": "servicePerimeters",
}
_REASONS = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded"}
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
_REGIONAL_VERTEX = re.compile(r"^/([a-z0-9-]+)-aiplatform\.googleapis\.com(/.*)$")


def _empty_policy(resource: str | None = None) -> dict[str, Any]:
    policy: dict[str, Any] = {"version": 1, "etag": "BwX="}
    if resource:  # Cloud Storage names the bucket in its policy answer
        policy |= {"kind": "storage#policy", "resourceId": resource}
    return policy | {"bindings": []}


def _segment(name: str, kind: str) -> str:
    """The value after ``kind`` in a resource name (``projects/p/locations/l`` -> ``l`` for locations)."""
    parts = name.strip("/").split("/")
    for i, part in enumerate(parts[:-1]):
        if part == kind:
            return parts[i + 1]
    raise ValueError(f"{name!r} has no {kind}/ segment")


def _last(reference: Any) -> str:
    return str(reference or "").rstrip("/").rsplit("/", 1)[-1]


@dataclass
class _List:
    filters: dict[str, str]
    items: list[dict[str, Any]]


class FakeGcp(FakeServer):
    """The fake: ``with FakeGcp() as fake``, then ``GcpProvider(api_endpoint=fake.endpoint, ...)``."""

    denied_code = "PERMISSION_DENIED"
    request_id_header = "x-goog-request-id"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._singles: dict[tuple[str, str], dict[str, Any]] = {}
        self._lists: dict[str, list[_List]] = {}
        self._aggregated: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._projects: dict[str, str] = {}  # project number and id -> project id
        self._policies: dict[str, dict[str, dict[str, Any]]] = {}  # project id -> constraint -> effective policy
        self.locations: dict[str, list[str]] = {
            "cloudkms": ["global", "asia-northeast3"],
            "aiplatform": ["asia-northeast3", "us-central1"],
        }
        """Locations the KMS and Vertex AI location lists report (for every project)."""

    @property
    def endpoint(self) -> str:
        """The ``api_endpoint`` template that sends every API host to this server."""
        return self.url + "/{host}/"

    # -- low-level fixtures ----------------------------------------------------------------
    def put(self, path: str, body: dict[str, Any], method: str = "GET") -> None:
        """Answer ``method path`` (host included, e.g. ``/storage.googleapis.com/storage/v1/b/x/iam``) with ``body``."""
        with self.lock:
            self._singles[(method.upper(), self.normalize(path))] = body

    def append(self, path: str, *items: dict[str, Any], filters: Mapping[str, str] | None = None) -> None:
        """List ``items`` in the collection at ``path``, for requests whose query contains ``filters``.

        An item whose ``name`` is already listed there replaces it (adding a resource again updates it).
        """
        key = self.normalize(path)
        wanted = dict(filters or {})
        with self.lock:
            lists = self._lists.setdefault(key, [])
            entry = next((e for e in lists if e.filters == wanted), None)
            if entry is None:
                entry = _List(wanted, [])
                lists.append(entry)
            for item in items:
                names = [i.get("name") for i in entry.items]
                if item.get("name") is not None and item.get("name") in names:
                    entry.items[names.index(item.get("name"))] = item
                else:
                    entry.items.append(item)

    def _project_id(self, reference: str) -> str:
        """A project id from an id or a number (Vertex AI and perimeters name projects by number)."""
        return self._projects.get(reference, reference)

    # -- resource helpers ------------------------------------------------------------------
    def add_project(
        self,
        body: dict[str, Any],
        *,
        iam_policy: dict[str, Any] | None = None,
        effective_policies: Mapping[str, dict[str, Any]] | None = None,
        cache_config: dict[str, Any] | None = None,
    ) -> None:
        """A v3 Project: get (by id and by number), search, list under its parent, IAM, org policies, cache config."""
        project, name = str(body["projectId"]), str(body["name"])
        with self.lock:
            self._projects[_last(name)] = project
            self._projects[project] = project
            self._policies[project] = dict(effective_policies or {})
        self.put(f"{CRM}/projects/{project}", body)
        self.put(f"{CRM}/{name}", body)
        self.append(f"{CRM}/projects:search", body)
        if body.get("parent"):
            self.append(f"{CRM}/projects", body, filters={"parent": str(body["parent"])})
        self.put(f"{CRM}/projects/{project}:getIamPolicy", iam_policy or _empty_policy(), method="POST")
        self.put(f"{VERTEX}/projects/{project}/cacheConfig", cache_config or {"name": f"{name}/cacheConfig"})

    def add_folder(self, body: dict[str, Any]) -> None:
        """A v3 Folder: get, and listed under its parent."""
        self.put(f"{CRM}/{body['name']}", body)
        self.append(f"{CRM}/folders", body, filters={"parent": str(body["parent"])})

    def add_bucket(self, project: str, body: dict[str, Any], *, iam_policy: dict[str, Any] | None = None) -> None:
        name = str(body["name"])
        self.append(f"{STORAGE}/b", body, filters={"project": project})
        self.put(f"{STORAGE}/b/{name}/iam", iam_policy or _empty_policy(f"projects/_/buckets/{name}"))

    def add_key_ring(self, body: dict[str, Any], *, iam_policy: dict[str, Any] | None = None) -> None:
        name = str(body["name"])
        self.append(f"{KMS}/{name.rsplit('/', 2)[0]}/keyRings", body)
        self.put(f"{KMS}/{name}:getIamPolicy", iam_policy or _empty_policy())

    def add_crypto_key(self, body: dict[str, Any], *, iam_policy: dict[str, Any] | None = None) -> None:
        name = str(body["name"])
        self.append(f"{KMS}/{name.rsplit('/', 2)[0]}/cryptoKeys", body)
        self.put(f"{KMS}/{name}:getIamPolicy", iam_policy or _empty_policy())

    def add_sql_instance(self, project: str, body: dict[str, Any]) -> None:
        self.append(f"{SQL}/projects/{project}/instances", body)

    def add_compute(self, project: str, collection: str, body: dict[str, Any]) -> None:
        """A compute resource; zonal/regional kinds are served by ``aggregatedList`` under their scope."""
        if collection in GLOBAL_COMPUTE:
            self.append(f"{COMPUTE}/projects/{project}/global/{collection}", body)
            return
        if collection not in AGGREGATED:
            raise ValueError(f"unknown compute collection {collection!r}")
        if body.get("zone"):
            scope = f"zones/{_last(body['zone'])}"
        elif body.get("region"):
            scope = f"regions/{_last(body['region'])}"
        else:
            scope = "global"
        with self.lock:
            key = self.normalize(f"{COMPUTE}/projects/{project}/aggregated/{collection}")
            self._aggregated.setdefault(key, []).append((scope, body))

    def add_log_bucket(self, body: dict[str, Any]) -> None:
        name = str(body["name"])
        project = _segment(name, "projects")
        self.append(f"{LOGGING}/projects/{project}/locations/-/buckets", body)
        self.append(f"{LOGGING}/projects/{project}/locations/{_segment(name, 'locations')}/buckets", body)

    def add_sink(self, project: str, body: dict[str, Any]) -> None:
        self.append(f"{LOGGING}/projects/{project}/sinks", body)

    def add_vertex(self, collection: str, body: dict[str, Any]) -> None:
        """A Vertex AI endpoint, model or dataset; project and location come from its name."""
        if collection not in VERTEX_KINDS:
            raise ValueError(f"unknown Vertex AI collection {collection!r}")
        name = str(body["name"])
        project = self._project_id(_segment(name, "projects"))
        self.append(f"{VERTEX}/projects/{project}/locations/{_segment(name, 'locations')}/{collection}", body)

    def add_service_account(self, project: str, body: dict[str, Any], keys: Iterable[dict[str, Any]] = ()) -> None:
        """A service account and its keys (a ``keyTypes=USER_MANAGED`` request sees only those)."""
        name = str(body["name"])
        all_keys = list(keys)
        self.append(f"{IAM}/projects/{project}/serviceAccounts", body)
        self.append(f"{IAM}/{name}/keys", *all_keys)
        user = [k for k in all_keys if k.get("keyType") == "USER_MANAGED"]
        self.append(f"{IAM}/{name}/keys", *user, filters={"keyTypes": "USER_MANAGED"})

    def add_access_policy(self, body: dict[str, Any]) -> None:
        self.append(f"{ACM}/accessPolicies", body, filters={"parent": str(body["parent"])})

    def add_perimeter(self, body: dict[str, Any]) -> None:
        name = str(body["name"])
        self.append(f"{ACM}/{name.rsplit('/', 2)[0]}/servicePerimeters", body)

    # -- provider hooks --------------------------------------------------------------------
    def error(self, status: int, code: str, message: str) -> Response:
        error: dict[str, Any] = {"code": status, "message": message, "status": code}
        reason = _REASONS.get(status, "backendError")
        if code == "SERVICE_DISABLED":
            error["status"] = "PERMISSION_DENIED"
            error["details"] = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": code, "domain": "googleapis.com"}
            ]
            reason = "accessNotConfigured"
        elif code not in _STATUS.values() and not code.isupper():  # a reason-only answer (Storage, Compute)
            del error["status"]
            reason = code
        error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
        return self.json(status, {"error": error})

    def handle(self, request: Recorded) -> Response:
        path = self._canonical(request.path)
        with self.lock:
            single = self._singles.get((request.method, self.normalize(path)))
        if single is not None:
            return self.json(200, single)
        if request.method != "GET":
            raise FakeError(404, "NOT_FOUND", f"the fake has no answer for {request.method} {request.path}")
        answer = self._computed(path, request.query)
        if answer is not None:
            return answer
        key = next((k for g, k in COLLECTIONS.items() if fnmatch.fnmatchcase(path, g)), None)
        if key is None:
            raise FakeError(404, "NOT_FOUND", f"Requested entity was not found: {request.path}")
        size = int(request.query.get("maxResults") or request.query.get("pageSize") or 0) or None
        if "/aggregated/" in path:
            return self._aggregated_page(path, key, request.query.get("pageToken"), size)
        return self._page(key, self._items(path, request.query), request.query.get("pageToken"), size)

    # -- answers ---------------------------------------------------------------------------
    def _canonical(self, path: str) -> str:
        """Regional Vertex AI hosts serve the same paths; a location of another region is refused."""
        match = _REGIONAL_VERTEX.match(path)
        if not match:
            return path
        region, rest = match.groups()
        if "/locations/" in rest and _segment(rest, "locations") != region:
            raise FakeError(400, "INVALID_ARGUMENT", f"location does not match the {region} endpoint: {rest}")
        return "/aiplatform.googleapis.com" + rest

    def _computed(self, path: str, query: Mapping[str, str]) -> Response | None:
        """Answers derived from state: location lists and effective org policies."""
        for api, prefix in (("cloudkms", KMS), ("aiplatform", VERTEX)):
            if fnmatch.fnmatchcase(path, f"{prefix}/projects/*/locations"):
                project = _segment(path, "projects")
                found = [
                    {"name": f"projects/{project}/locations/{loc}", "locationId": loc} for loc in self.locations[api]
                ]
                return self._page("locations", found, query.get("pageToken"), None)
        if fnmatch.fnmatchcase(path, f"{ORGPOLICY}/projects/*/policies/*:getEffectivePolicy"):
            project = _segment(path, "projects")
            constraint = _segment(path, "policies").removesuffix(":getEffectivePolicy")
            with self.lock:
                known = self._policies.get(self._project_id(project))
            if known is None:
                raise FakeError(404, "NOT_FOUND", f"project {project} not found")
            return self.json(200, known.get(constraint) or {"name": f"projects/{project}/policies/{constraint}"})
        return None

    def _items(self, path: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """The items of the most specific filtered list whose filters the query satisfies."""
        with self.lock:
            lists = list(self._lists.get(self.normalize(path), ()))
        matching = [e for e in lists if all(query.get(k) == v for k, v in e.filters.items())]
        if not matching:
            return []
        return list(max(matching, key=lambda e: len(e.filters)).items)

    def _page(self, key: str, items: list[dict[str, Any]], token: str | None, size: int | None) -> Response:
        page, next_token = self.paginate(items, token, size)
        body: dict[str, Any] = {key: page} if page else {}
        if next_token:
            body["nextPageToken"] = next_token
        return self.json(200, body)

    def _aggregated_page(self, path: str, key: str, token: str | None, size: int | None) -> Response:
        with self.lock:
            pairs = list(self._aggregated.get(self.normalize(path), ()))
        page, next_token = self.paginate(pairs, token, size)
        groups: dict[str, Any] = {}
        for scope, item in page:
            groups.setdefault(scope, {key: []})[key].append(item)
        groups["zones/us-east1-b"] = {
            "warning": {"code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'zones/us-east1-b'."}
        }
        body: dict[str, Any] = {"items": groups}
        if next_token:
            body["nextPageToken"] = next_token
        return self.json(200, body)
