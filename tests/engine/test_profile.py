from __future__ import annotations

from pathlib import Path

import pytest

from clearance.errors import InputFileError
from clearance.profile import ContextRange, load_profile


def test_builtin_kr_fss_values() -> None:
    prof = load_profile()
    assert prof.id == "kr-fss"
    assert prof.value("access_rights_log_retention_days") == 1095
    assert prof.value("key_rotation_max_days") == 365
    assert prof.value("residency_regions", provider="aws") == ["ap-northeast-2"]
    assert isinstance(prof.value("access_log_retention_days"), ContextRange)
    assert prof.value("access_log_retention_days", tags={"data-class": "sensitive"}) == 730
    assert prof.value("access_log_retention_days", tags={"pi-subjects": "50000"}) == 730
    assert prof.value("access_log_retention_days", tags={"data-class": "none"}) == 365


def test_user_profile_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "profile: my-bank\nextends: kr-fss\nworkload:\n  data_classes: [unique-id]\n"
        "parameters:\n  key_rotation_max_days:\n    value: 90\n",
        encoding="utf-8",
    )
    prof = load_profile(path)
    assert prof.value("key_rotation_max_days") == 90
    assert prof.value("access_rights_log_retention_days") == 1095
    assert prof.value("access_log_retention_days") == 730  # workload declaration applies to untagged resources


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("profile: x1\nextends: kr-fss\nparamters: {}\n", 3, "unknown key"),
        ("profile: x1\nextends: kr-fss\nparameters:\n  key_rotation_max_days:\n    valu: 90\n", 5, "unknown key"),
        ("profile: x1\nextends: nope\n", None, "extends unknown profile"),
        ("profile: x1\n  bad: [\n", 2, "invalid YAML"),
        ("profile: x1\nprofile: x2\n", 2, "duplicate key"),
        ("profile: x1\nworkload:\n  pi_subjects: many\n", 3, "is not of type"),
    ],
)
def test_bad_profiles_name_file_line_and_problem(tmp_path: Path, text: str, line: int | None, fragment: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_profile(path)
    assert str(path) in str(info.value) and fragment in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_unknown_profile_reference_lists_builtins() -> None:
    with pytest.raises(InputFileError, match="built-in: kr-fss"):
        load_profile("no-such-profile")
