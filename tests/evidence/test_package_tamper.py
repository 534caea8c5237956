"""The tamper matrix of the evidence format (§3.7, cases 1-26) plus the extra cases: each asserts step and reason.

Every package here is built by the real builder from a real (engine-evaluated) scan directory, signed with real
keys from the session PKI, timestamped by an in-process RFC 3161 TSA, with real CRLs; tampering is done on the
unpacked tree or the ZIP bytes afterwards, as an attacker would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from clearance.evidence import layout
from clearance.evidence.container import Limits
from clearance.evidence.report import Status, VerificationReport
from clearance.evidence.verifier import VerifyOptions, verify

from .packages import FILING_ID, NONCE, Kit, Resigner, envelope_doc, sig_dir, unpack, write_envelope, zip_tree
from .pki import Pki, make_crl
from .scandir import make_scan
from .tsa import TestTsa


@pytest.fixture(scope="module")
def kit(pki: Pki) -> Kit:
    return Kit(pki, TestTsa(signer=pki.tsa))


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_scan(tmp_path_factory.mktemp("scan") / "scan")


@pytest.fixture(scope="module")
def baseline(kit: Kit, scan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kit.build(scan_dir, tmp_path_factory.mktemp("pkg") / "baseline.zip")


@pytest.fixture
def tree(baseline: Path, tmp_path: Path) -> Path:
    """The baseline package unpacked: tamper with it, then verify the directory (or re-zip it)."""
    return unpack(baseline, tmp_path / "tree")


def expect(report: VerificationReport, step: str | None, reason: str = "") -> None:
    """``step=None``: the package must be VALID; else it must fail at ``step`` with ``reason`` in the message."""
    if step is None:
        assert report.valid, "\n".join(report.summary_lines())
        return
    failure = report.failure
    assert failure is not None, "\n".join(report.summary_lines())
    assert failure.step == step, "\n".join(report.summary_lines())
    assert reason in failure.reason, failure.reason
    later = report.steps[[s.step for s in report.steps].index(step) + 1 :]
    assert all(s.status is Status.SKIPPED for s in later)


def first_evidence_file(root: Path) -> Path:
    return next(p for p in sorted((root / "evidence" / "raw").rglob("*.jsonl")))


# -- 1-10: content, completeness, envelope ------------------------------------------------------
def test_01_baseline_is_valid_zip_and_directory(kit: Kit, baseline: Path, tree: Path) -> None:
    zipped = verify(baseline, kit.verify_options())
    expect(zipped, None)
    assert zipped.kind == "zip" and zipped.time_source == "timestamp"
    assert [s.status for s in zipped.steps[:11]] == [Status.PASS] * 11
    signer = zipped.signers[0]
    assert signer.accepted and signer.subject and "evidence signer p256" in signer.subject
    assert signer.scheme == "ecdsa-sha2-nistp256" and signer.tsa_time == zipped.time
    directory = verify(tree, kit.verify_options())
    expect(directory, None)
    assert directory.kind == "directory" and directory.statement_sha256 == zipped.statement_sha256


def test_02_one_byte_modified(kit: Kit, tree: Path) -> None:
    target = first_evidence_file(tree)
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01
    target.write_bytes(bytes(data))
    name = target.relative_to(tree).as_posix()
    expect(verify(tree, kit.verify_options()), "integrity", f"digest mismatch: {name}")


def test_03_evidence_file_removed(kit: Kit, tree: Path) -> None:
    (tree / "evidence" / "logs" / "api-calls.jsonl").unlink()
    expect(verify(tree, kit.verify_options()), "completeness", "missing files (1): evidence/logs/api-calls.jsonl")


def test_04_extra_file_in_evidence(kit: Kit, tree: Path) -> None:
    (tree / "evidence" / "report" / "extra.json").write_text("{}")
    expect(
        verify(tree, kit.verify_options()),
        "completeness",
        "files not covered by the signature (1): evidence/report/extra.json",
    )


def test_05_extra_file_outside_evidence(kit: Kit, tree: Path) -> None:
    (tree / "notes.txt").write_text("unsigned")
    expect(verify(tree, kit.verify_options()), "container", "'notes.txt': unexpected file outside evidence/")


def test_06_statement_reserialized_with_old_signature(kit: Kit, tree: Path) -> None:
    doc = envelope_doc(tree)
    statement = json.loads(base64.b64decode(doc["payload"]))
    doc["payload"] = base64.b64encode(json.dumps(statement, indent=2).encode()).decode()
    write_envelope(tree, doc)
    expect(verify(tree, kit.verify_options()), "signature", "DSSE signature does not verify")


def test_07_envelope_reordered_is_valid(kit: Kit, tree: Path) -> None:
    doc = envelope_doc(tree)
    reordered = {"signatures": doc["signatures"], "payload": doc["payload"], "payloadType": doc["payloadType"]}
    (tree / layout.ENVELOPE).write_text(json.dumps(reordered, indent=4))
    expect(verify(tree, kit.verify_options()), None)


def test_08_unpadded_base64url_payload_is_valid(kit: Kit, tree: Path) -> None:
    doc = envelope_doc(tree)
    raw = base64.b64decode(doc["payload"])
    doc["payload"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    doc["signatures"][0]["sig"] = base64.urlsafe_b64encode(base64.b64decode(doc["signatures"][0]["sig"])).decode()
    write_envelope(tree, doc)
    expect(verify(tree, kit.verify_options()), None)


def test_09_subject_digest_edited(kit: Kit, tree: Path) -> None:
    doc = envelope_doc(tree)
    statement = json.loads(base64.b64decode(doc["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "0" * 64
    doc["payload"] = base64.b64encode(json.dumps(statement, separators=(",", ":")).encode()).decode()
    write_envelope(tree, doc)
    expect(verify(tree, kit.verify_options()), "signature", "DSSE signature does not verify")


def test_10_payload_type_changed(kit: Kit, tree: Path) -> None:
    doc = envelope_doc(tree)
    doc["payloadType"] = "application/json"
    write_envelope(tree, doc)
    expect(verify(tree, kit.verify_options()), "envelope", "unexpected payloadType 'application/json'")


# -- 11-18: who signed, when, revocation ---------------------------------------------------------
def test_11_untrusted_root(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    pkg = kit.build(scan_dir, tmp_path / "evil.zip", kit.pki.evil_leaf, fetch_crls=None, offline=True)
    expect(verify(pkg, kit.verify_options()), "chain", "certificate path")


def test_12_chain_swapped_for_another_firm_certificate(kit: Kit, tree: Path) -> None:
    from .pki import pem

    (sig_dir(tree) / layout.CHAIN).write_bytes(pem(*kit.pki.chain(kit.pki.leaf_eku)))
    expect(verify(tree, kit.verify_options()), "signature", "DSSE signature does not verify")


def test_13_intermediate_removed(kit: Kit, tree: Path) -> None:
    (sig_dir(tree) / layout.CHAIN).write_bytes(
        (sig_dir(tree) / layout.CHAIN).read_bytes().split(b"-----END CERTIFICATE-----")[0]
        + b"-----END CERTIFICATE-----\n"
    )
    expect(verify(tree, kit.verify_options()), "chain", "certificate path")


def test_14_certificate_expired_at_t(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    pkg = kit.build(scan_dir, tmp_path / "expired.zip", kit.pki.leaf_expired)
    report = verify(pkg, kit.verify_options())
    expect(report, "chain", "certificate path")
    assert "expired" in report.step("chain").reason or "not valid" in report.step("chain").reason


def test_15_revoked_before_t(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    pkg = kit.build(scan_dir, tmp_path / "revoked.zip", kit.pki.leaf_revoked)
    expect(verify(pkg, kit.verify_options()), "revocation", "was revoked at")


def _later_crl(kit: Kit, revoked_at: dt.datetime, issued: dt.datetime) -> bytes:
    serial = kit.pki.leaf_p256.cert.serial_number
    return make_crl(kit.pki.ica, {serial: revoked_at}, this_update=issued, next_update=issued + dt.timedelta(days=7))


def test_16_revoked_after_t_is_valid(kit: Kit, baseline: Path) -> None:
    t = verify(baseline, kit.verify_options()).time
    assert t is not None
    crl = _later_crl(kit, t + dt.timedelta(days=1), t + dt.timedelta(days=2))
    report = verify(baseline, kit.verify_options(extra_crls=(crl,)))
    expect(report, None)
    assert any("after the signing time" in note for note in report.signers[0].revocation)


def test_17_revoked_one_minute_before_t(kit: Kit, baseline: Path) -> None:
    t = verify(baseline, kit.verify_options()).time
    assert t is not None
    crl = _later_crl(kit, t - dt.timedelta(minutes=1), t + dt.timedelta(days=1))
    expect(verify(baseline, kit.verify_options(extra_crls=(crl,))), "revocation", "was revoked at")


def test_18_no_crl_for_issuing_ca(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    root_crl = [v for k, v in kit.pki.crls.items() if k.endswith("root.crl")]
    pkg = kit.build(scan_dir, tmp_path / "nocrl.zip", offline=True, crls=root_crl)
    expect(verify(pkg, kit.verify_options()), "revocation", "no valid CRL from issuer")
    relaxed = verify(pkg, kit.verify_options(unsafe_skip_revocation=True))
    assert relaxed.valid and relaxed.step("revocation").status is Status.WARN
    assert relaxed.unsafe and "UNSAFE" in "\n".join(relaxed.summary_lines())


# -- 19-23: binding and time --------------------------------------------------------------------
def test_19_replay_for_another_filing(kit: Kit, baseline: Path) -> None:
    expect(verify(baseline, kit.verify_options(filing_id="FSS-2026-999999")), "binding", "filing id mismatch")


def test_20_replay_with_another_nonce(kit: Kit, baseline: Path) -> None:
    expect(verify(baseline, kit.verify_options(nonce="another-nonce")), "binding", "nonce mismatch")


def test_21_stale_scan(kit: Kit, tmp_path: Path) -> None:
    stale = make_scan(tmp_path / "stale", finished=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    pkg = kit.build(stale, tmp_path / "stale.zip", window=dt.timedelta(days=30))
    expect(verify(pkg, kit.verify_options()), "binding", "outside window")
    assert verify(pkg, kit.verify_options(window=dt.timedelta(days=11))).valid


def test_22_timestamp_copied_from_another_package(kit: Kit, scan_dir: Path, tree: Path, tmp_path: Path) -> None:
    other = unpack(kit.build(scan_dir, tmp_path / "other.zip"), tmp_path / "other")
    shutil.copy(sig_dir(other) / layout.TIMESTAMP, sig_dir(tree) / layout.TIMESTAMP)
    expect(verify(tree, kit.verify_options()), "timestamp", "imprint mismatch")


def test_23_wrong_tsa_root(kit: Kit, baseline: Path) -> None:
    report = verify(baseline, kit.verify_options(tsa_trust=(kit.pki.root.cert,)))
    expect(report, "timestamp", "timestamp.tsr: TSA certificate")


# -- 24-26: ZIP tricks and other key types -------------------------------------------------------
def test_24_duplicate_zip_entry(kit: Kit, tree: Path, tmp_path: Path) -> None:
    shadow = ("evidence/report/findings.json", b'{"findings": []}')
    with pytest.warns(UserWarning, match="Duplicate name"):
        pkg = zip_tree(tree, tmp_path / "dup.zip", extra=[shadow])
    expect(verify(pkg, kit.verify_options()), "container", "'evidence/report/findings.json': duplicate entry name")


def test_25_path_traversal_name(kit: Kit, tree: Path, tmp_path: Path) -> None:
    pkg = zip_tree(tree, tmp_path / "trav.zip", extra=[("evidence/../../etc/evil", b"x")])
    expect(verify(pkg, kit.verify_options()), "container", "bad path segment")


@pytest.mark.parametrize(("leaf", "scheme"), [("leaf_ed25519", "ed25519"), ("leaf_rsa", "rsassa-pss-sha256")])
def test_26_ed25519_and_rsa_pss_signers(kit: Kit, scan_dir: Path, tmp_path: Path, leaf: str, scheme: str) -> None:
    pkg = kit.build(scan_dir, tmp_path / f"{leaf}.zip", getattr(kit.pki, leaf))
    report = verify(pkg, kit.verify_options())
    expect(report, None)
    assert report.signers[0].scheme == scheme


# -- extra cases --------------------------------------------------------------------------------
def test_case_insensitive_collision(kit: Kit, tree: Path, tmp_path: Path) -> None:
    pkg = zip_tree(tree, tmp_path / "case.zip", extra=[("evidence/report/FINDINGS.json", b"{}")])
    expect(verify(pkg, kit.verify_options()), "container", "case-insensitive collision with")


def test_symlink_in_directory_package(kit: Kit, tree: Path) -> None:
    target = tree / "evidence" / "logs" / "api-calls.jsonl"
    target.unlink()
    target.symlink_to("/etc/hostname")
    expect(verify(tree, kit.verify_options()), "container", "'evidence/logs/api-calls.jsonl': symbolic link")


def test_symlink_entry_in_zip(kit: Kit, tree: Path, tmp_path: Path) -> None:
    pkg = zip_tree(tree, tmp_path / "link.zip")
    with zipfile.ZipFile(pkg, "a") as zf:
        info = zipfile.ZipInfo("evidence/link")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    expect(verify(pkg, kit.verify_options()), "container", "'evidence/link': symbolic link")


def _patch_flags(data: bytearray, name: bytes, bit: int) -> None:
    """Set a general-purpose flag bit on ``name`` in both its local header and its central directory entry."""
    for signature, flag_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        pos = data.find(signature)
        while pos >= 0:
            (length,) = struct.unpack_from("<H", data, pos + name_len_at)
            if bytes(data[pos + name_at : pos + name_at + length]) == name:
                (flags,) = struct.unpack_from("<H", data, pos + flag_at)
                struct.pack_into("<H", data, pos + flag_at, flags | bit)
            pos = data.find(signature, pos + 4)


def test_encrypted_entry(kit: Kit, baseline: Path, tmp_path: Path) -> None:
    data = bytearray(baseline.read_bytes())
    _patch_flags(data, b"evidence/README.md", 0x1)
    pkg = tmp_path / "enc.zip"
    pkg.write_bytes(bytes(data))
    expect(verify(pkg, kit.verify_options()), "container", "'evidence/README.md': encrypted entry")


def test_zip_bomb_total_size_cap(kit: Kit, baseline: Path) -> None:
    report = verify(baseline, kit.verify_options(limits=Limits(max_total_bytes=10_000)))
    expect(report, "container", "exceeds the cap of 10000")


def test_zip_bomb_ratio_cap(kit: Kit, tree: Path, tmp_path: Path) -> None:
    pkg = zip_tree(tree, tmp_path / "bomb.zip", extra=[("evidence/zeros.bin", bytes(20_000_000))])
    expect(verify(pkg, kit.verify_options()), "container", "compression ratio")


def test_zip_bomb_overlapping_entries(kit: Kit, tree: Path, tmp_path: Path) -> None:
    pkg = zip_tree(
        tree, tmp_path / "overlap.zip", extra=[("evidence/a.bin", b"A" * 100), ("evidence/b.bin", b"B" * 100)]
    )
    data = bytearray(pkg.read_bytes())
    central = {}
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        (length,) = struct.unpack_from("<H", data, pos + 28)
        central[bytes(data[pos + 46 : pos + 46 + length])] = pos
        pos = data.find(b"PK\x01\x02", pos + 4)
    (offset_a,) = struct.unpack_from("<I", data, central[b"evidence/a.bin"] + 42)
    struct.pack_into("<I", data, central[b"evidence/b.bin"] + 42, offset_a)
    pkg.write_bytes(bytes(data))
    expect(verify(pkg, kit.verify_options()), "container", "overlaps the next one")


def test_weak_digest_rejected_even_when_signed(kit: Kit, tree: Path) -> None:
    def weaken(statement: dict[str, object]) -> None:
        subjects = statement["subject"]
        assert isinstance(subjects, list)
        subjects[0]["digest"] = {"md5": "0" * 32}

    Resigner(kit)(tree, weaken)
    expect(verify(tree, kit.verify_options()), "statement", "weak digest algorithm md5 is not accepted")


def _add_signature(tree: Path, keyid: str, sig: bytes) -> None:
    doc = envelope_doc(tree)
    doc["signatures"].append({"keyid": keyid, "sig": base64.b64encode(sig).decode()})
    write_envelope(tree, doc)


def test_unknown_extra_signature_is_ignored(kit: Kit, tree: Path) -> None:
    _add_signature(tree, "ab" * 32, b"\x30\x06\x02\x01\x01\x02\x01\x01")
    report = verify(tree, kit.verify_options())
    expect(report, None)
    assert "ignored 1" in report.step("signature").reason and "unknown key" in report.step("signature").reason
    assert [s.accepted for s in report.signers] == [True, False]
    expect(verify(tree, kit.verify_options(threshold=2)), "signature", "unknown key")


def test_extra_signature_from_untrusted_key_is_ignored(kit: Kit, tree: Path) -> None:
    from clearance.evidence.dsse import pae
    from clearance.evidence.signers.interface import keyid

    from .pki import pem

    evil = kit.signer(kit.pki.evil_leaf)
    real = base64.b64decode(envelope_doc(tree)["payload"])
    sig = evil.sign(pae(layout.PAYLOAD_TYPE, real))
    kid = keyid(kit.pki.evil_leaf.cert)
    folder = tree / layout.sig_dir(kid)
    folder.mkdir(parents=True)
    (folder / layout.CHAIN).write_bytes(pem(*kit.pki.chain(kit.pki.evil_leaf)))
    (folder / layout.TIMESTAMP).write_bytes(kit.tsa.token_for(sig))
    _add_signature(tree, kid, sig)
    report = verify(tree, kit.verify_options())
    expect(report, None)
    assert "ignored 1" in report.step("chain").reason
    expect(verify(tree, kit.verify_options(threshold=2)), "chain", "certificate path")


def test_orphan_signature_directory(kit: Kit, tree: Path) -> None:
    shutil.copytree(sig_dir(tree), tree / "attestation" / ("sig-" + "c" * 16))
    expect(verify(tree, kit.verify_options()), "envelope", "no signature in the envelope uses it")


def test_archive_directory_is_reserved(kit: Kit, tree: Path) -> None:
    (tree / "attestation" / "archive").mkdir()
    (tree / "attestation" / "archive" / "ts-1.tsr").write_bytes(b"x")
    expect(verify(tree, kit.verify_options()), "container", "reserved")


def test_missing_timestamp_fails_unless_unsafe(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    pkg = kit.build(scan_dir, tmp_path / "nots.zip", timestamper=None)
    expect(verify(pkg, kit.verify_options()), "timestamp", "no timestamp token: the signing time cannot be proven")
    relaxed = verify(pkg, kit.verify_options(unsafe_no_timestamp=True))
    assert relaxed.valid and relaxed.time_source == "verifier-clock (unsafe)"
    assert relaxed.step("timestamp").status is Status.WARN and relaxed.step("binding").status is Status.WARN
    assert any("--unsafe-no-timestamp" in flag for flag in relaxed.unsafe)


def test_binding_requires_expected_filing(kit: Kit, baseline: Path) -> None:
    expect(verify(baseline, kit.verify_options(filing_id=None)), "binding", "no expected filing id given")
    relaxed = verify(baseline, kit.verify_options(filing_id=None, nonce=None, unsafe_any_filing=True))
    assert relaxed.valid and relaxed.step("binding").status is Status.WARN


def test_no_trust_anchors(kit: Kit, baseline: Path) -> None:
    expect(
        verify(baseline, VerifyOptions(tsa_trust=(kit.pki.tsa_root.cert,), filing_id=FILING_ID, nonce=NONCE)),
        "chain",
        "no trust anchors",
    )


@dataclass(frozen=True)
class Semantic:
    name: str
    mutate: Callable[[dict[str, object]], None]
    reason: str


def _set(path: tuple[str, ...], value: object) -> Callable[[dict[str, object]], None]:
    def apply(statement: dict[str, object]) -> None:
        node: object = statement["predicate"]
        for key in path[:-1]:
            assert isinstance(node, dict)
            node = node[key]
        assert isinstance(node, dict)
        node[path[-1]] = value

    return apply


@pytest.mark.parametrize(
    "case",
    [
        Semantic("file count", _set(("package", "fileCount"), 1), "fileCount 1 but"),
        Semantic("dirHash1", _set(("package", "evidenceTree", "dirHash1"), "1" * 64), "dirHash1 does not match"),
        Semantic("summary", _set(("results", "summary", "findings"), 999), "summary differs"),
        Semantic("ruleset", _set(("scan", "ruleset", "digest", "sha256"), "2" * 64), "ruleset digest"),
    ],
    ids=lambda c: c.name,
)
def test_signed_but_inconsistent_predicate(kit: Kit, tree: Path, case: Semantic) -> None:
    Resigner(kit)(tree, case.mutate)
    report = verify(tree, kit.verify_options())
    assert report.failure is not None and case.reason in report.failure.reason
    assert report.failure.step in ("integrity", "semantic")
