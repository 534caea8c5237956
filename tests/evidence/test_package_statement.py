"""DSSE (PAE bytes, base64 forms, strict envelope) and the statement (RFC 8785 bytes, dirHash1, strict parsing)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from typing import Any

import pytest

from clearance.evidence import layout
from clearance.evidence.dsse import Envelope, EnvelopeError, Signature, b64decode, pae, parse_envelope
from clearance.evidence.statement import (
    StatementError,
    Subject,
    dir_hash1,
    parse_statement,
    serialize,
    statement_document,
)


def test_pae_matches_the_dsse_specification() -> None:
    # The test vector of the DSSE protocol (secure-systems-lab/dsse protocol.md).
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("t", "é".encode()) == b"DSSEv1 1 t 2 \xc3\xa9"


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("padded", [True, False])
def test_base64_forms_accepted(encode: Any, padded: bool) -> None:
    raw = bytes(range(256))
    text = encode(raw).decode()
    assert b64decode(text if padded else text.rstrip("="), "x") == raw


@pytest.mark.parametrize(
    ("text", "reason"),
    [("YW Jj", "not base64"), ("YWJj\n", "not base64"), ("YW+_", "not base64"), ("YWJ", None), ("Y", "length")],
)
def test_base64_rejects(text: str, reason: str | None) -> None:
    if reason is None:
        assert b64decode(text, "x") == b"ab"
        return
    with pytest.raises(EnvelopeError, match=reason):
        b64decode(text, "x")


def envelope(**overrides: Any) -> bytes:
    doc: dict[str, Any] = {
        "payloadType": layout.PAYLOAD_TYPE,
        "payload": base64.b64encode(b"{}").decode(),
        "signatures": [{"keyid": "k", "sig": base64.b64encode(b"sig").decode()}],
    }
    doc.update(overrides)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"payloadType": "a", "payloadType": "b", "payload": "", "signatures": []}', "duplicate key 'payloadType'"),
        (b'{"payload": NaN}', "NaN is not allowed"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b"\xff", "not valid UTF-8"),
        (b"[1,", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (envelope(extra=1), "unknown key(s) extra"),
        (envelope(signatures=[]), "non-empty list"),
        (envelope(signatures=[{"keyid": "k", "sig": "c2ln", "cert": "x"}]), "unknown key(s) cert"),
        (envelope(signatures=[{"keyid": "k", "sig": ""}]), "implausible length 0"),
        (envelope(payload=7), "payload must be a string"),
    ],
)
def test_envelope_is_parsed_strictly(data: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_envelope(data)


def test_envelope_round_trip() -> None:
    env = Envelope(layout.PAYLOAD_TYPE, b'{"a":1}', (Signature("ab", b"\x01\x02"),))
    assert parse_envelope(env.to_json()) == env


def subjects() -> list[Subject]:
    return [
        Subject("evidence/raw/b.jsonl", "b" * 64),
        Subject("evidence/README.md", "a" * 64),
        Subject("evidence/raw/é.jsonl", "c" * 64),
    ]


def predicate() -> dict[str, Any]:
    digest = {"sha256": "d" * 64}
    return {
        "filing": {"id": "F-1", "nonce": None, "nonceIssuedOn": None, "regulator": None, "purpose": None},
        "firm": {"name": None, "ids": []},
        "scan": {
            "startedOn": "2026-11-24T01:00:00Z",
            "finishedOn": "2026-11-24T01:20:00Z",
            "tool": {"name": "clearance", "version": "0.1.0", "digest": digest},
            "ruleset": {"name": "clearance-checks", "digest": digest, "checks": 1, "path": "evidence/content/checks"},
            "profile": {"id": "kr-fss", "version": "1", "digest": digest, "path": "evidence/meta/profile.json"},
            "scope": [{"provider": "aws", "accounts": ["1"], "regions": ["ap-northeast-2"]}],
        },
        "package": {
            "format": "1",
            "fileCount": 3,
            "totalBytes": 10,
            "evidenceTree": {"dirHash1": "e" * 64},
            "supersedes": None,
            "redaction": {"policy": "evidence/meta/redaction.json", "redactions": 0},
        },
        "results": {
            "findings": "evidence/report/findings.json",
            "coverage": "evidence/report/coverage.json",
            "oscal": None,
            "summary": {"complete": True, "findings": 0, "verdicts": {}},
        },
    }


def test_statement_bytes_are_canonical_and_subjects_sorted_by_utf8() -> None:
    doc = statement_document(subjects(), predicate())
    assert [s["name"] for s in doc["subject"]] == ["evidence/README.md", "evidence/raw/b.jsonl", "evidence/raw/é.jsonl"]
    data = serialize(doc)
    assert data == serialize(json.loads(data))
    assert b" " not in data.split(b'"predicate"')[0] and data.startswith(b'{"_type":')
    parsed = parse_statement(data)
    assert parsed.digest == hashlib.sha256(data).hexdigest()
    assert [s.name for s in parsed.subjects] == [s["name"] for s in doc["subject"]]


def test_dirhash1_is_reproducible_with_sha256sum() -> None:
    ordered = sorted(subjects(), key=lambda s: s.name.encode())
    listing = "".join(f"{s.sha256}  {s.name}\n" for s in ordered).encode()
    done = subprocess.run(["sha256sum"], input=listing, capture_output=True, check=True)
    assert done.stdout.split()[0].decode() == dir_hash1(ordered)


def mutated(change: Any) -> bytes:
    doc = statement_document(subjects(), predicate())
    change(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(_type="https://in-toto.io/Statement/v0.1"), "_type is"),
        (lambda d: d.update(predicateType="https://example.com/other/v1"), "predicateType is"),
        (lambda d: d["subject"].insert(1, dict(d["subject"][0])), "duplicate subject"),
        (lambda d: d["subject"].reverse(), "not sorted by UTF-8 bytes"),
        (lambda d: d["subject"][0].update(name="evidence/../x"), "bad path segment"),
        (lambda d: d["subject"][0].update(digest={"sha1": "0" * 40, "sha256": "0" * 64}), "weak digest algorithm sha1"),
        (lambda d: d["subject"][0].update(digest={"sha512": "0" * 128}), "no valid lowercase hex sha256"),
        (lambda d: d["subject"][0].update(digest={"sha256": "A" * 64}), "no valid lowercase hex sha256"),
        (lambda d: d["predicate"]["filing"].pop("nonce"), "'nonce' is a required property"),
        (lambda d: d["predicate"]["package"].update(format="2"), "'1' was expected"),
        (lambda d: d["predicate"].update(extra=1), "unknown key 'extra'"),
    ],
)
def test_statement_rejects(change: Any, reason: str) -> None:
    with pytest.raises(StatementError) as info:
        parse_statement(mutated(change))
    assert reason in str(info.value)


def test_statement_rejects_non_evidence_subject() -> None:
    doc = statement_document([Subject("attestation/x", "a" * 64)], predicate())
    with pytest.raises(StatementError, match="'attestation/x' does not match '\\^evidence/'"):
        parse_statement(json.dumps(doc).encode())
