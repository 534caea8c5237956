"""Resolve links between an account's resources once all of its units are collected.

Collectors record links with the identifiers AWS gave them (a KMS key may be referenced by
key id, key ARN, alias name or alias ARN). Here they are normalised to resource ids, and
account-wide relations (account -> its trails) are added, so checks can follow ``ref:``.
"""

from __future__ import annotations

from dataclasses import replace

from ...model import Resource

KMS_KEY_TYPE = "aws.kms.key"

# Links added to every resource of the first type, pointing at all resources of the second.
ACCOUNT_RELATIONS: dict[str, dict[str, str]] = {
    "aws.account": {
        "trails": "aws.cloudtrail.trail",
        "cloudtrail_regions": "aws.cloudtrail.region-settings",
        "region_settings": "aws.ec2.region-settings",
    },
}


def _kms_index(resources: list[Resource]) -> dict[str, str]:
    """Every way a KMS key can be named -> the key's ARN."""
    index: dict[str, str] = {}
    for res in resources:
        if res.type != KMS_KEY_TYPE:
            continue
        arn = res.id
        key_id = arn.rsplit("/", 1)[-1]
        index[arn] = arn
        index[f"{res.region}|{key_id}"] = arn
        for alias in res.data.get("ListAliases") or []:
            name = alias.get("AliasName")
            if name:
                index[f"{res.region}|{name}"] = arn
            if alias.get("AliasArn"):
                index[alias["AliasArn"]] = arn
    return index


def _resolve_kms(ref: str, region: str, index: dict[str, str]) -> str:
    if ref.startswith("arn:"):
        if ref in index:
            return index[ref]
        # arn:aws:kms:<region>:<acct>:key/<id> or :alias/<name>
        parts = ref.split(":", 5)
        if len(parts) == 6:
            return index.get(f"{parts[3]}|{parts[5].removeprefix('key/')}", ref)
        return ref
    return index.get(f"{region}|{ref}", ref)


def link_account(resources: list[Resource]) -> list[Resource]:
    index = _kms_index(resources)
    by_type: dict[str, list[str]] = {}
    for res in resources:
        by_type.setdefault(res.type, []).append(res.id)
    out: list[Resource] = []
    for res in resources:
        links = dict(res.links)
        changed = False
        for relation, targets in res.links.items():
            if relation.endswith("kms_key"):
                resolved = tuple(dict.fromkeys(_resolve_kms(t, res.region, index) for t in targets))
                if resolved != targets:
                    links[relation] = resolved
                    changed = True
        for relation, target_type in ACCOUNT_RELATIONS.get(res.type, {}).items():
            targets = tuple(sorted(by_type.get(target_type, [])))
            if targets or relation not in links:
                links[relation] = targets
                changed = True
        out.append(replace(res, links=links) if changed else res)
    return out
