"""Which resources an exception names: ids, names, accounts, regions, tags, or explicitly all.

Every field given must match (AND); within a list any entry may match (OR). Ids and names are
shell-style globs compared case-sensitively (ARNs are case-sensitive); accounts, regions and tag
values are exact. An empty selector is refused rather than read as "everything": covering every
resource must be written out as ``all: true``, so it is visible to whoever approves the register.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ..yamlfile import PathKey
from .document import RegisterFile

FIELDS = ("ids", "names", "accounts", "regions", "tags", "all")


@dataclass(frozen=True)
class Selector:
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    everything: bool = False

    @classmethod
    def parse(cls, register: RegisterFile, path: PathKey, data: Mapping[str, Any]) -> Selector:
        """A schema-valid ``resources:`` mapping -> Selector; refuses the empty and the ambiguous ones."""
        if not data:
            raise register.error(
                path, f"empty selector: name at least one of {', '.join(FIELDS[:-1])}, or all: true for every resource"
            )
        if "all" in data and len(data) > 1:
            others = ", ".join(k for k in data if k != "all")
            raise register.error((*path, "all"), f"all: true covers every resource; remove {others} or remove all")
        return cls(
            ids=tuple(data.get("ids", ())),
            names=tuple(data.get("names", ())),
            accounts=tuple(data.get("accounts", ())),
            regions=tuple(data.get("regions", ())),
            tags=tuple(sorted(data.get("tags", {}).items())),
            everything=bool(data.get("all")),
        )

    def matches(self, resource: Mapping[str, Any]) -> bool:
        """``resource`` as a finding carries it (provider, account, region, type, id, name, tags)."""
        if self.everything:
            return True
        if self.ids and not any(fnmatchcase(resource["id"], p) for p in self.ids):
            return False
        if self.names and not any(fnmatchcase(resource["name"], p) for p in self.names):
            return False
        if self.accounts and resource["account"] not in self.accounts:
            return False
        if self.regions and resource["region"] not in self.regions:
            return False
        tags = resource.get("tags") or {}
        return all(tags.get(key) == value for key, value in self.tags)

    def to_json(self) -> dict[str, Any]:
        """The selector as written in the register (fields not given are left out)."""
        if self.everything:
            return {"all": True}
        out: dict[str, Any] = {
            "ids": list(self.ids),
            "names": list(self.names),
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "tags": dict(self.tags),
        }
        return {k: v for k, v in out.items() if v}
