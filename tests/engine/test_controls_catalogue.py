"""checks/controls.yaml is the full control catalogue of shared/controls.md §2, in English and Korean,
and a broken catalogue fails with the file, line and field."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from clearance.catalogue import render
from clearance.engine.checks import Control, load_checks, load_controls
from clearance.errors import InputFileError

IDS = [
    *(f"ENC-0{i}" for i in range(1, 6)),
    *(f"ISO-0{i}" for i in range(1, 10)),
    *(f"LOG-0{i}" for i in range(1, 8)),
    *(f"AI-0{i}" for i in range(1, 8)),
]
FAMILIES = {"ENC": "encryption", "ISO": "isolation", "LOG": "logging", "AI": "gen-ai"}
HANGUL = re.compile(r"[가-힣]")
TAG = re.compile(r"\[(C|P|U|C/U)\]")
NO_LEGAL_BASIS = {"ENC-05", "AI-03"}
"""controls.md §2 gives no Korean-law basis ("—") for these."""

CONTROLS = load_controls()


def test_the_catalogue_holds_the_28_controls_in_order() -> None:
    assert list(CONTROLS) == IDS
    assert {cid: c.family for cid, c in CONTROLS.items()} == {cid: FAMILIES[cid.split("-")[0]] for cid in IDS}


def _texts(cid: str) -> dict[str, dict[str, str]]:
    control = CONTROLS[cid]
    texts = {"title": dict(control.title), "objective": dict(control.objective), "legal": dict(control.legal)}
    texts.update({f"tests.{cloud}": dict(text) for cloud, text in control.tests.items()})
    return {name: text for name, text in texts.items() if text}


@pytest.mark.parametrize("cid", IDS)
def test_every_control_has_objective_and_tests_per_cloud_in_both_languages(cid: str) -> None:
    control = CONTROLS[cid]
    assert set(control.tests) == {"aws", "azure", "gcp"}
    texts = _texts(cid)
    assert {"title", "objective", "tests.aws", "tests.azure", "tests.gcp"} <= set(texts)
    for name, text in texts.items():
        assert set(text) == {"en", "ko"}, f"{cid} {name}"
        assert text["en"].strip() and not HANGUL.search(text["en"]), f"{cid} {name}.en is not English"
        assert HANGUL.search(text["ko"]), f"{cid} {name}.ko is not Korean"


@pytest.mark.parametrize("cid", IDS)
def test_the_legal_basis_carries_the_same_confidence_tags_in_both_languages(cid: str) -> None:
    legal = CONTROLS[cid].legal
    if cid in NO_LEGAL_BASIS:
        assert not legal
        return
    tags = TAG.findall(legal["en"])
    assert tags, f"{cid}: legal basis without a confidence tag"
    assert TAG.findall(legal["ko"]) == tags


def test_the_catalogue_document_shows_objectives_and_tests() -> None:
    loaded = load_checks()
    doc = render(loaded.checks, dict(loaded.controls))
    for cid, control in CONTROLS.items():
        section = doc.split(f"\n### {cid} ", 1)[1].split("\n### ", 1)[0]
        assert control.objective["en"] in section
        for cloud, name in (("aws", "AWS"), ("azure", "Azure"), ("gcp", "GCP")):
            assert f"- **{name}:** {control.tests[cloud]['en']}" in section
        assert ("Korean-law basis" in section) == bool(control.legal)


MINI = """\
catalogue: clearance-controls
version: "2026.11.1"
controls:
  - id: ENC-01
    family: encryption
    title: {en: Encrypted, ko: 암호화}
    objective: {en: Data is encrypted., ko: 데이터를 암호화합니다.}
    tests:
      aws: {en: S3 SSEAlgorithm, ko: S3 SSEAlgorithm 확인}
      azure: {en: Storage keySource, ko: 스토리지 keySource 확인}
      gcp: {en: Bucket defaultKmsKeyName, ko: 버킷 defaultKmsKeyName 확인}
    legal: {en: "PIPC standard Art. 7 [C]", ko: "개인정보의 안전성 확보조치 기준 제7조 [C]"}
  - id: ISO-01
    family: isolation
    title: {en: No open ports, ko: 포트 비공개}
    objective: {en: Ports are closed., ko: 포트를 닫습니다.}
    tests:
      aws: {en: SG IpPermissions, ko: 보안 그룹 IpPermissions 확인}
      azure: {en: NSG securityRules, ko: NSG securityRules 확인}
      gcp: {en: firewalls, ko: firewalls 확인}
"""


def _load(tmp_path: Path, text: str) -> dict[str, Control]:
    (tmp_path / "controls.yaml").write_text(text, encoding="utf-8")
    return load_controls(tmp_path)


def _cut(first: int, last: int) -> Callable[[str], str]:
    """Remove lines ``first``..``last`` (1-based, inclusive)."""
    return lambda t: "".join(t.splitlines(keepends=True)[: first - 1] + t.splitlines(keepends=True)[last:])


def test_a_complete_catalogue_loads(tmp_path: Path) -> None:
    controls = _load(tmp_path, MINI)
    assert controls["ENC-01"].tests["gcp"]["ko"] == "버킷 defaultKmsKeyName 확인"
    assert controls["ENC-01"].legal["en"] == "PIPC standard Art. 7 [C]"
    assert not controls["ISO-01"].legal


@pytest.mark.parametrize(
    ("mutate", "line", "field", "fragment"),
    [
        (_cut(16, 16), 13, "controls[1]", "'objective' is a required property"),
        (_cut(8, 11), 4, "controls[0]", "'tests' is a required property"),
        (_cut(11, 11), 9, "controls[0].tests", "'gcp' is a required property"),
        (
            lambda t: t.replace("{en: Ports are closed., ko: 포트를 닫습니다.}", "{en: Ports are closed.}"),
            16,
            "controls[1].objective",
            "'ko' is a required property",
        ),
        (
            lambda t: t.replace("ko: 스토리지 keySource 확인", "ko: ''"),
            10,
            "controls[0].tests.azure.ko",
            "should be non-empty",
        ),
        (
            lambda t: t.replace('{en: "PIPC standard Art. 7 [C]", ko:', "{ko:"),
            12,
            "controls[0].legal",
            "'en' is a required property",
        ),
        (
            lambda t: t.replace("      gcp: {en: firewalls", "      oci: {en: x, ko: 엑스}\n      gcp: {en: firewalls"),
            20,
            "controls[1].tests.oci",
            "unknown key 'oci'",
        ),
        (
            lambda t: t.replace("    family: isolation", "    family: isolation\n    owner: ciso"),
            15,
            "controls[1].owner",
            "unknown key 'owner'",
        ),
        (lambda t: t.replace("id: ISO-01", "id: ISO-1"), 13, "controls[1].id", "does not match"),
    ],
)
def test_a_bad_catalogue_names_file_line_and_field(
    tmp_path: Path, mutate: Callable[[str], str], line: int, field: str, fragment: str
) -> None:
    with pytest.raises(InputFileError) as info:
        _load(tmp_path, mutate(MINI))
    assert str(info.value).startswith(f"checks/controls.yaml:{line} (field '{field}'): ")
    assert fragment in info.value.detail


def test_a_duplicate_control_id_is_rejected_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"controls\.yaml:13: duplicate control id 'ENC-01'"):
        _load(tmp_path, MINI.replace("id: ISO-01", "id: ENC-01"))


def test_catalogue_2026_11_of_old_evidence_packages_still_loads_without_objectives(tmp_path: Path) -> None:
    legacy = """\
catalogue: clearance-controls
version: "2026.11"
controls:
  - id: ENC-01
    family: encryption
    title: {en: Encrypted, ko: 암호화}
"""
    control = _load(tmp_path, legacy)["ENC-01"]
    assert control.title["ko"] == "암호화" and not control.objective and not control.tests and not control.legal
    with pytest.raises(InputFileError, match=r"controls\.yaml:4 \(field 'controls\[0\]'\): 'objective' is a required"):
        _load(tmp_path, legacy.replace('"2026.11"', '"2026.11.1"'))
