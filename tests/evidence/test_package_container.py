"""Container rules (§3.1) on ZIPs and directories: names, types, duplicates, collisions, limits, allow-list."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from clearance.evidence.container import ContainerError, Limits, open_container
from clearance.evidence.layout import name_problem

ENVELOPE = ("attestation/statement.dsse.json", b"{}")


def make_zip(path: Path, entries: list[tuple[str, bytes]], *, utf8: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            if not utf8:
                info.flag_bits &= ~0x800
            zf.writestr(info, data)
    return path


def problems(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(ContainerError) as info:
        open_container(path, limits)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("evidence\\raw\\x.jsonl", "backslash"),
        ("evidence/a\x00b", "control character"),
        ("evidence/tab\there", "control character"),
        ("evidence/caf\u0065\u0301.json", "NFC"),
        ("/evidence/x", "absolute path"),
        ("C:/evidence/x", "absolute path"),
        ("evidence/./x", "bad path segment"),
        ("evidence//x", "bad path segment"),
        ("evidence/../attestation/x", "bad path segment"),
        ("", "empty name"),
        ("evidence/" + "a" * 600, "longer than"),
    ],
)
def test_bad_names(name: str, reason: str) -> None:
    problem = name_problem(name)
    assert problem is not None and reason in problem


def test_good_names() -> None:
    for name in (
        "evidence/raw/aws/123/ap-northeast-2/s3/aws.s3.bucket.jsonl",
        "evidence/보고서.json",
        "evidence/a-b_c",
    ):
        assert name_problem(name) is None


def test_zip_with_directory_entries_and_nfc_unicode_is_accepted(tmp_path: Path) -> None:
    pkg = make_zip(tmp_path / "p.zip", [("evidence/", b""), ("evidence/보고서.json", b"{}"), ENVELOPE])
    with open_container(pkg) as box:
        assert box.kind == "zip"
        assert list(box.files) == ["attestation/statement.dsse.json", "evidence/보고서.json"]
        assert box.read("evidence/보고서.json", 10) == b"{}"
        with pytest.raises(ContainerError, match="exceeds the limit of 1"):
            box.read("evidence/보고서.json", 1)


def test_zip_name_rules_are_enforced_on_raw_names(tmp_path: Path) -> None:
    pkg = make_zip(tmp_path / "p.zip", [("evidence/a\\b", b"x"), ("evidence/c\x07", b"x"), ENVELOPE])
    text = problems(pkg)
    assert "backslash" in text and "control character" in text


def test_non_utf8_flagged_name(tmp_path: Path) -> None:
    pkg = make_zip(tmp_path / "p.zip", [("evidence/é.json", b"x"), ENVELOPE], utf8=False)
    with zipfile.ZipFile(pkg) as zf:
        assert zf.infolist()[0].flag_bits & 0x800  # zipfile forces the flag for non-ASCII names...
    data = bytearray(pkg.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)  # ... so clear it by hand, as a legacy tool would have written it
        data[pos + flag_at + 1] &= ~0x08
    pkg.write_bytes(bytes(data))
    assert "non-ASCII name not marked as UTF-8" in problems(pkg)


def test_allow_list(tmp_path: Path) -> None:
    pkg = make_zip(
        tmp_path / "p.zip",
        [
            ENVELOPE,
            ("attestation/sig-0123456789abcdef/chain.pem", b""),
            ("attestation/sig-0123456789abcdef/timestamp-2.tsr", b""),
            ("attestation/sig-0123456789abcdef/revocation/ca.crl", b""),
            ("attestation/sig-0123456789abcdef/notes.txt", b""),
            ("attestation/sig-XYZ/chain.pem", b""),
            ("mimetype", b""),
        ],
    )
    text = problems(pkg)
    assert "'attestation/sig-0123456789abcdef/notes.txt': not an allowed attestation file" in text
    assert "'attestation/sig-XYZ/chain.pem': not an allowed attestation file" in text
    assert "'mimetype': unexpected file outside evidence/" in text
    assert "timestamp-2.tsr" not in text and "ca.crl" not in text


def test_file_that_is_also_a_directory(tmp_path: Path) -> None:
    pkg = make_zip(tmp_path / "p.zip", [("evidence/a", b"x"), ("evidence/a/b", b"y"), ENVELOPE])
    assert "'evidence/a': is a file and also the directory of 'evidence/a/b'" in problems(pkg)


def test_entry_count_cap(tmp_path: Path) -> None:
    pkg = make_zip(tmp_path / "p.zip", [(f"evidence/{i}", b"") for i in range(5)])
    assert "5 entries exceed the cap of 3" in problems(pkg, Limits(max_entries=3))


def test_not_a_zip_and_missing(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    assert "not a readable ZIP file" in problems(tmp_path / "x.zip")
    assert "no such file or directory" in problems(tmp_path / "nope.zip")


def test_directory_rules(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "evidence").mkdir(parents=True)
    (root / "attestation").mkdir()
    (root / "attestation" / "statement.dsse.json").write_bytes(b"{}")
    (root / "evidence" / "ok.json").write_bytes(b"{}")
    with open_container(root) as box:
        assert box.kind == "directory" and list(box.files) == ["attestation/statement.dsse.json", "evidence/ok.json"]
    os.mkfifo(root / "evidence" / "pipe")
    (root / "evidence" / "OK.json").write_bytes(b"{}")
    bad = os.fsencode(root / "evidence") + b"/\xff.json"
    with open(bad, "wb") as fh:
        fh.write(b"x")
    (root / "evidence" / "dirlink").symlink_to(root / "attestation", target_is_directory=True)
    text = problems(root)
    assert "'evidence/pipe': not a regular file or directory" in text
    assert "case-insensitive collision" in text
    assert "not valid UTF-8" in text
    assert "'evidence/dirlink': symbolic link" in text
