"""DSSE envelopes: the pre-authentication encoding that is signed, and a strict envelope parser.

The signature covers ``PAE(payloadType, payload)`` — never a canonicalised JSON — so the
envelope may be re-serialised freely while the payload bytes stay opaque until verified.
Producers write standard padded base64; readers accept standard or URL-safe, padded or not,
and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from . import strictjson

MAX_ENVELOPE_BYTES = 256 * 1024 * 1024
MAX_SIGNATURES = 16
MAX_SIGNATURE_BYTES = 4096
_B64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")
_URLSAFE = re.compile(r"[-_]")
_STANDARD = re.compile(r"[+/]")


class EnvelopeError(ValueError):
    """The envelope is malformed; the message says where."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """``DSSEv1 <len(type)> <type> <len(payload)> <payload>`` with byte lengths in ASCII decimal."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def b64decode(text: str, what: str) -> bytes:
    """Standard or URL-safe base64, padded or not; anything else (whitespace, stray characters) is an error."""
    if not _B64.fullmatch(text) or (_URLSAFE.search(text) and _STANDARD.search(text)):
        raise EnvelopeError(f"{what} is not base64")
    body = text.rstrip("=")
    padded = len(text) != len(body)
    if len(body) % 4 == 1 or (padded and len(text) % 4):
        raise EnvelopeError(f"{what} has an invalid base64 length or padding")
    standard = body.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(body) % 4), validate=True)
    except binascii.Error as exc:
        raise EnvelopeError(f"{what} is not base64: {exc}") from None


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    def pae(self) -> bytes:
        return pae(self.payload_type, self.payload)

    def to_json(self) -> bytes:
        """The envelope file: fixed key order, standard padded base64, one trailing newline."""
        doc = {
            "payloadType": self.payload_type,
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "signatures": [{"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")} for s in self.signatures],
        }
        return (json.dumps(doc, indent=1) + "\n").encode("ascii")


def _string(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise EnvelopeError(f"{what}.{key} must be a string")
    return value


def parse_envelope(data: bytes) -> Envelope:
    """Parse ``statement.dsse.json`` strictly: exact keys, strict JSON, base64 decoded, bounded sizes."""
    try:
        doc = strictjson.loads(data, max_bytes=MAX_ENVELOPE_BYTES, what="envelope")
    except strictjson.StrictJSONError as exc:
        raise EnvelopeError(str(exc)) from None
    if not isinstance(doc, dict):
        raise EnvelopeError("envelope is not a JSON object")
    extra = sorted(set(doc) - {"payloadType", "payload", "signatures"})
    if extra:
        raise EnvelopeError(f"envelope has unknown key(s) {', '.join(extra)}")
    payload_type = _string(doc, "payloadType", "envelope")
    payload = b64decode(_string(doc, "payload", "envelope"), "envelope.payload")
    sigs = doc.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise EnvelopeError("envelope.signatures must be a non-empty list")
    if len(sigs) > MAX_SIGNATURES:
        raise EnvelopeError(f"envelope has {len(sigs)} signatures, over the limit of {MAX_SIGNATURES}")
    signatures = []
    for i, item in enumerate(sigs):
        what = f"envelope.signatures[{i}]"
        if not isinstance(item, dict):
            raise EnvelopeError(f"{what} is not an object")
        extra = sorted(set(item) - {"keyid", "sig"})
        if extra:
            raise EnvelopeError(f"{what} has unknown key(s) {', '.join(extra)}")
        keyid = item.get("keyid", "")
        if not isinstance(keyid, str):
            raise EnvelopeError(f"{what}.keyid must be a string")
        sig = b64decode(_string(item, "sig", what), f"{what}.sig")
        if not sig or len(sig) > MAX_SIGNATURE_BYTES:
            raise EnvelopeError(f"{what}.sig has implausible length {len(sig)}")
        signatures.append(Signature(keyid, sig))
    return Envelope(payload_type, payload, tuple(signatures))
