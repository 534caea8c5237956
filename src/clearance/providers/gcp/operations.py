"""GCP operations: a discovery method id, the name clearance stores its answer under, and its IAM permission.

Collectors name a call by its operation name, derived from Google's discovery method id (the last
collection and the method, PascalCase: ``storage.buckets.getIamPolicy`` -> ``Buckets_GetIamPolicy``),
which is also the ``data``/``errors`` key of the answer. The method id itself locates the method in
the discovery client and fixes its HTTP verb, so the read-only guard can name every allowed POST.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..interface import Operation


def operation_name(method_id: str) -> str:
    """``cloudkms.projects.locations.keyRings.cryptoKeys.list`` -> ``CryptoKeys_List``."""
    parts = method_id.split(".")
    if len(parts) < 3:
        raise ValueError(f"not a discovery method id: {method_id!r}")
    collection, method = parts[-2], parts[-1]
    return f"{collection[:1].upper()}{collection[1:]}_{method[:1].upper()}{method[1:]}"


@dataclass(frozen=True, slots=True)
class GcpOperation(Operation):
    """An :class:`Operation` that also knows its discovery method and the key of the items it lists."""

    method: str = ""
    """Discovery method id, e.g. ``storage.buckets.list``."""
    items: str | None = None
    """For list methods: the response field holding the items (``items``, ``keyRings``, ...)."""

    @property
    def aggregated(self) -> bool:
        """Compute ``aggregatedList`` answers group items by scope (``{"zones/z": {"instances": [...]}}``)."""
        return self.method.endswith(".aggregatedList")


def gcp_op(
    api: str,
    method: str,
    permission: str,
    *,
    items: str | None = None,
    absent_codes: tuple[str, ...] = (),
    read_only_post: str | None = None,
) -> GcpOperation:
    """Declare one call: ``api`` keys the client table (``cloudkms``), ``method`` is the discovery method id.

    ``read_only_post`` is set only for methods Google exposes as POST although they only read
    (``cloudresourcemanager.projects.getIamPolicy``); it says why the call is harmless.
    """
    return GcpOperation(
        api, operation_name(method), permission, absent_codes, read_only_post, method=method, items=items
    )
