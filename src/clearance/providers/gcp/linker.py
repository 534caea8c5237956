"""Resolve links between one project's resources once all of its units are collected.

Collectors already write link targets as full resource names, so most links need no rewriting.
Added here is what no single collector can see: every resource -> its ``project`` record (where
project-wide settings such as org policies live), project-wide relations (the project -> its sinks,
log buckets and service accounts), reverse links (a perimeter names the projects it protects, a sink
its destination, a firewall rule its network: the project gets ``perimeters``, a bucket ``sinks``, a
network ``firewalls``), and service-account
references by e-mail (instances name their account by e-mail only).
"""

from __future__ import annotations

from dataclasses import replace

from ...model import Resource

PROJECT_TYPE = "gcp.resourcemanager.project"
PERIMETER_TYPE = "gcp.accesscontextmanager.perimeter"
SERVICE_ACCOUNT_TYPE = "gcp.iam.service-account"
SINK_TYPE = "gcp.logging.sink"
NETWORK_TYPE = "gcp.compute.network"
FIREWALL_TYPE = "gcp.compute.firewall"
SINK_DESTINATIONS = frozenset({"gcp.storage.bucket", "gcp.logging.bucket"})
"""Types a log sink can route to: each gets ``sinks``, the sinks whose destination it is."""

# Links added to every resource of the first type, pointing at all resources of the second.
ACCOUNT_RELATIONS: dict[str, dict[str, str]] = {
    PROJECT_TYPE: {
        "sinks": SINK_TYPE,
        "log_buckets": "gcp.logging.bucket",
        "service_accounts": SERVICE_ACCOUNT_TYPE,
    },
}


def uncollected(rtype: str) -> str:
    """Stand-in target for a relation whose target type could not be listed.

    An empty relation would read as "there is none" (a FAIL); a target missing from the
    inventory makes a ``ref:`` UNKNOWN, so the check says ERROR instead.
    """
    return f"uncollected:{rtype}"


def _emails(resources: list[Resource]) -> dict[str, str]:
    """Service-account e-mail -> record id."""
    out: dict[str, str] = {}
    for res in resources:
        if res.type == SERVICE_ACCOUNT_TYPE:
            item = res.data.get("ServiceAccounts_List")
            email = item.get("email") if isinstance(item, dict) else None
            if isinstance(email, str) and email:
                out[email.lower()] = res.id
    return out


def link_project(resources: list[Resource], unavailable: frozenset[str] = frozenset()) -> list[Resource]:
    """Resolve links. ``unavailable`` types were not collected or their listing failed: relations
    to them point at :func:`uncollected` instead of claiming there are none."""
    emails = _emails(resources)
    by_type: dict[str, list[Resource]] = {}
    for res in resources:
        by_type.setdefault(res.type, []).append(res)

    def targets(target_type: str) -> tuple[str, ...]:
        if target_type in unavailable:
            return (uncollected(target_type),)
        return tuple(sorted(r.id for r in by_type.get(target_type, [])))

    def reverse(source_type: str, relation: str, target: Resource) -> tuple[str, ...]:
        """Ids of the ``source_type`` resources whose ``relation`` names ``target``."""
        if source_type in unavailable:
            return (uncollected(source_type),)
        return tuple(sorted(r.id for r in by_type.get(source_type, []) if target.id in r.links.get(relation, ())))

    project = tuple(r.id for r in by_type.get(PROJECT_TYPE, [])) or (uncollected(PROJECT_TYPE),)
    out: list[Resource] = []
    for res in resources:
        links = dict(res.links)
        if res.type != PROJECT_TYPE:
            links["project"] = project
        if "service_accounts" in links:
            links["service_accounts"] = tuple(emails.get(t.lower(), t) for t in links["service_accounts"])
        for relation, target_type in ACCOUNT_RELATIONS.get(res.type, {}).items():
            links[relation] = targets(target_type)
        if res.type == PROJECT_TYPE:
            links["perimeters"] = reverse(PERIMETER_TYPE, "projects", res)
        if res.type in SINK_DESTINATIONS:
            links["sinks"] = reverse(SINK_TYPE, "destination", res)
        if res.type == NETWORK_TYPE:
            # Firewall rules carry no labels; through this link a labelled instance's network pulls
            # the rules that govern it into a label-filtered scope instead of silently dropping them.
            links["firewalls"] = reverse(FIREWALL_TYPE, "network", res)
        out.append(replace(res, links=links) if links != res.links else res)
    return out
