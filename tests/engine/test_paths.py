from __future__ import annotations

import pytest

from clearance.engine.paths import MISSING, PathSyntaxError, parse_path


def test_dotted_indexed_and_quoted_segments_resolve() -> None:
    doc = {"A": {"B": [{"c:d": 5}]}}
    assert parse_path('A.B[0]."c:d"').resolve(doc) == 5


def test_absent_key_is_missing_but_explicit_null_is_none() -> None:
    assert parse_path("A.X").resolve({"A": {}}) is MISSING
    assert parse_path("A.X").resolve({"A": {"X": None}}) is None
    assert parse_path("A.X.Y").resolve({"A": {"X": None}}) is None


def test_index_out_of_range_and_wrong_container_are_missing() -> None:
    assert parse_path("A[3]").resolve({"A": [1]}) is MISSING
    assert parse_path("A.B").resolve({"A": [1]}) is MISSING


def test_selector_picks_first_matching_element_and_pointer_uses_its_index() -> None:
    doc = {"R": {"Rows": [{"user": "a"}, {"user": "<root_account>", "mfa": "true"}]}}
    path = parse_path("R.Rows[?user=='<root_account>'].mfa")
    assert path.resolve(doc) == "true"
    assert path.pointer("/data", doc) == "/data/R/Rows/1/mfa"
    assert parse_path("R.Rows[?user=='nobody'].mfa").resolve(doc) is MISSING


def test_meta_paths_read_the_envelope() -> None:
    rec = {"region": "ap-northeast-2", "tags": {"env": "prod"}}
    assert parse_path("@region").resolve(rec) == "ap-northeast-2"
    assert parse_path("@tags.env").resolve(rec) == "prod"


def test_pointer_escapes_slash_and_tilde() -> None:
    assert parse_path('A."x/y~z"').pointer("/data") == "/data/A/x~1y~0z"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "non-empty"),
        ("A..B", "empty segment"),
        ("A.", "ends with"),
        ("A[*].B", "each"),
        ("@nosuch", "unknown resource field"),
        ("A]B", "unexpected character"),
        ("A[0]B", "missing '.'"),
    ],
)
def test_bad_paths_are_rejected_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(PathSyntaxError, match=message):
        parse_path(text)
