"""Where everything lives inside an evidence package (format 1), and which names are allowed at all.

The package is a logical file set; a ZIP is only its transport. Every regular file under
``evidence/`` is a signed subject. Outside it, only the attestation files below may exist;
anything else makes the package invalid, so nothing unsigned can ride along.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

FORMAT = "1"

EVIDENCE = "evidence/"
ATTESTATION = "attestation/"
ENVELOPE = "attestation/statement.dsse.json"
ARCHIVE = "attestation/archive/"
"""Reserved for archive timestamps (RFC 4998 style); format 1 verifiers reject anything there."""

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://clearance.dev/attestation/cloud-posture-evidence/v1"

CHAIN = "chain.pem"
TIMESTAMP = "timestamp.tsr"
REVOCATION = "revocation/"

# Evidence files with a fixed place (the rest mirror the scan directory: raw/, logs/).
README = "evidence/README.md"
REPORT = "evidence/report/"
FINDINGS = "evidence/report/findings.json"
COVERAGE = "evidence/report/coverage.json"
OSCAL = "evidence/report/assessment-results.oscal.json"
SCAN_META = "evidence/meta/scan.json"
SCANNER = "evidence/meta/scanner.json"
PROFILE = "evidence/meta/profile.json"
REDACTION = "evidence/meta/redaction.json"
CONTENT = "evidence/content/checks/"

WINDOW = dt.timedelta(hours=24)
"""Default allowed delay between the end of the scan and the timestamp T."""
CLOCK_SKEW = dt.timedelta(minutes=5)
"""Tolerance between the scanner's clock (scan.finishedOn) and the TSA's (T)."""

KEYID_PREFIX = 16
_SIG_DIR = re.compile(r"attestation/sig-([0-9a-f]{16})/")
_SIG_FILE = re.compile(
    r"attestation/sig-[0-9a-f]{16}/(?:chain\.pem|timestamp(?:-[2-9])?\.tsr|revocation/[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(?:crl|ocsp))"
)
_SIG_DIR_NAME = re.compile(r"attestation/sig-[0-9a-f]{16}(?:/revocation)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_NAME_BYTES = 512


def sig_dir(keyid: str) -> str:
    """``attestation/sig-<first 16 hex of keyid>/``: the verification material of one signature."""
    return f"attestation/sig-{keyid[:KEYID_PREFIX]}/"


def sig_dir_of(name: str) -> str | None:
    """The keyid prefix of the signature directory a name belongs to, if any."""
    match = _SIG_DIR.match(name)
    return match.group(1) if match else None


def name_problem(name: str) -> str | None:
    """Why ``name`` is not an acceptable entry name (§3.1), or None when it is."""
    if not name:
        return "empty name"
    if "\\" in name:
        return "backslash in name"
    if _CONTROL.search(name):
        return "control character in name"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "name is not valid UTF-8"
    if len(encoded) > MAX_NAME_BYTES:
        return f"name longer than {MAX_NAME_BYTES} bytes"
    if unicodedata.normalize("NFC", name) != name:
        return "name is not in Unicode NFC form"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "absolute path"
    segments = name.rstrip("/").split("/")
    if any(seg in ("", ".", "..") for seg in segments):
        return "bad path segment ('.', '..' or empty)"
    return None


def allowed_problem(name: str) -> str | None:
    """Why a regular file called ``name`` may not be in a package (allow-list), or None."""
    if name.startswith(EVIDENCE):
        return None
    if name.startswith(ARCHIVE):
        return "attestation/archive/ is reserved and not supported by format 1"
    if name == ENVELOPE or _SIG_FILE.fullmatch(name):
        return None
    if name.startswith(ATTESTATION):
        return "not an allowed attestation file"
    return "unexpected file outside evidence/ and attestation/"


def allowed_dir_problem(name: str) -> str | None:
    """Why a directory called ``name`` (no trailing slash) may not be in a package, or None."""
    if name in ("evidence", "attestation") or name.startswith(EVIDENCE):
        return None
    if _SIG_DIR_NAME.fullmatch(name):
        return None
    return "unexpected directory outside evidence/ and the attestation layout"


def utf8_key(name: str) -> bytes:
    """Sort key: subjects are ordered by their UTF-8 bytes, as the specification requires."""
    return name.encode("utf-8")


def package_filename(firm: str, filing_id: str, finished: str) -> str:
    """``<firm>_<filing-id>_<scan-end-UTC>.evidence.zip`` with unsafe characters replaced."""

    def clean(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-") or "x"

    stamp = re.sub(r"[^0-9TZ]", "", finished)
    return f"{clean(firm)}_{clean(filing_id)}_{stamp}.evidence.zip"
