"""Resolve links between one subscription's resources once all of its units are collected.

ARM ids are case-insensitive and different providers spell the same id differently, so every
link target is rewritten to the canonical id (as ARM returned it) of the collected resource it
names. Key Vault keys are referenced by URI (``https://v.vault.azure.net/keys/k[/version]``) and
resolved to the key's ARM id. Reverse links that no single collector can see are added here
(a flow log names its target; the target gets ``flow_logs``), as are subscription-wide relations.
"""

from __future__ import annotations

from dataclasses import replace

from ...model import Resource
from . import ids

KEY_TYPE = "azure.keyvault.key"
FLOW_LOG_TYPE = "azure.network.flow-log"

# Links added to every resource of the first type, pointing at all resources of the second.
ACCOUNT_RELATIONS: dict[str, dict[str, str]] = {
    "azure.resources.subscription": {
        "network_watchers": "azure.network.watcher",
        "role_assignments": "azure.authorization.role-assignment",
        "custom_roles": "azure.authorization.role-definition",
    },
}
# Links added to every resource of the first type, pointing at resources of the second in the same region.
REGION_RELATIONS: dict[str, dict[str, str]] = {
    "azure.network.vnet": {"network_watcher": "azure.network.watcher"},
}


def uncollected(rtype: str) -> str:
    """Stand-in target for a relation whose target type could not be listed.

    An empty relation would read as "there is none" (a FAIL); a target missing from the
    inventory makes a ``ref:`` UNKNOWN, so the check says ERROR instead.
    """
    return f"uncollected:{rtype}"


def _index(resources: list[Resource]) -> dict[str, str]:
    """Every way a resource is referred to (normalised) -> its canonical id."""
    index = {ids.norm(r.id): r.id for r in resources}
    for res in resources:
        if res.type != KEY_TYPE:
            continue
        got = res.data.get("Keys_Get") or res.data.get("Keys_List") or {}
        uri = (got.get("properties") or {}).get("keyUri") if isinstance(got, dict) else None
        if isinstance(uri, str) and uri:
            index[ids.norm(uri)] = res.id
    return index


def _resolve(target: str, index: dict[str, str]) -> str:
    key = ids.norm(target)
    if key in index:
        return index[key]
    if key.startswith("https://") and "/keys/" in key:  # a versioned key URI -> the key
        return index.get(key.rsplit("/", 1)[0], target)
    return target


def _reverse_flow_logs(resources: list[Resource], index: dict[str, str]) -> dict[str, list[str]]:
    """Target id -> ids of the flow logs watching it (a VNet's flow logs also cover its subnets)."""
    out: dict[str, list[str]] = {}
    for res in resources:
        if res.type == FLOW_LOG_TYPE:
            for target in res.links.get("target", ()):
                out.setdefault(_resolve(target, index), []).append(res.id)
    for res in resources:
        for vnet in res.links.get("vnet", ()):
            for flow_log in list(out.get(_resolve(vnet, index), ())):
                bucket = out.setdefault(res.id, [])
                if flow_log not in bucket:
                    bucket.append(flow_log)
    return out


def link_subscription(resources: list[Resource], unavailable: frozenset[str] = frozenset()) -> list[Resource]:
    """Resolve links. ``unavailable`` types were not collected or their listing failed: relations
    to them point at :func:`uncollected` instead of claiming there are none."""
    index = _index(resources)
    flow_logs = _reverse_flow_logs(resources, index)
    by_type: dict[str, list[Resource]] = {}
    for res in resources:
        by_type.setdefault(res.type, []).append(res)

    def targets(target_type: str, region: str | None = None) -> tuple[str, ...]:
        if target_type in unavailable:
            return (uncollected(target_type),)
        return tuple(sorted(r.id for r in by_type.get(target_type, []) if region is None or r.region == region))

    out: list[Resource] = []
    for res in resources:
        links = {rel: tuple(dict.fromkeys(_resolve(t, index) for t in found)) for rel, found in res.links.items()}
        if res.id in flow_logs:
            links["flow_logs"] = tuple(sorted(flow_logs[res.id]))
        for relation, target_type in ACCOUNT_RELATIONS.get(res.type, {}).items():
            links[relation] = targets(target_type)
        for relation, target_type in REGION_RELATIONS.get(res.type, {}).items():
            links[relation] = targets(target_type, res.region)
        out.append(replace(res, links=links) if links != res.links else res)
    return out
