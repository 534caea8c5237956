from __future__ import annotations

import pytest

from clearance.errors import UsageError
from clearance.model import Resource
from clearance.scope import Scope, apply_scope, parse_tag_filters


def _res(
    rid: str,
    *,
    tags: dict[str, str] | None = None,
    links: dict[str, tuple[str, ...]] | None = None,
    rtype: str = "aws.x.y",
) -> Resource:
    return Resource("aws", "1", "r", "x", rtype, rid, rid.rsplit("/", maxsplit=1)[-1], tags or {}, links=links or {})


def test_tag_filter_keeps_matches_and_marks_transitive_dependencies() -> None:
    bucket = _res("bucket/b", tags={"workload": "crm"}, links={"kms_key": ("key/k",)})
    key = _res("key/k", links={"policy": ("other/o",)})
    other = _res("other/o")
    unrelated = _res("bucket/z", tags={"workload": "hr"})
    account = _res("account/a", rtype="aws.account", links={"trails": ("trail/t",)})
    trail = _res("trail/t")
    scope = Scope(tags=parse_tag_filters(["workload=crm"]))
    kept = {
        r.id: r.dependency
        for r in apply_scope([bucket, key, other, unrelated, account, trail], scope, frozenset({"aws.account"}))
    }
    assert kept == {"bucket/b": False, "key/k": True, "other/o": True, "account/a": True, "trail/t": True}


def test_no_tag_filter_keeps_everything_not_excluded() -> None:
    items = [_res("bucket/a"), _res("bucket/tmp-1")]
    kept = apply_scope(items, Scope(exclude=("*tmp-*",)), frozenset())
    assert [r.id for r in kept] == ["bucket/a"]


def test_tag_filter_parsing() -> None:
    filters = parse_tag_filters(["workload=crm", "workload=ai", "env"])
    assert {(f.key, f.values) for f in filters} == {("workload", ("crm", "ai")), ("env", ())}
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_tag_filters(["=x"])


def test_scope_validation() -> None:
    with pytest.raises(UsageError, match="external id needs a role"):
        Scope(external_id="abc")
    with pytest.raises(UsageError, match="max_workers"):
        Scope(max_workers=0)
