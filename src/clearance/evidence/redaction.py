"""Redact secrets from evidence files *before* they are hashed and signed.

A read-only scan still sees secrets: Lambda and ECS environment variables, tags someone used as
a password store, connection strings and keys pasted into descriptions or policies. None of it
may reach the regulator. The policy is data (recorded in the package with the number of
redactions per file), so a reader knows exactly what was removed and by which rule.

Rules, all applied to JSON string values only, never to structure:

* **maps**: user-defined name -> value containers (``Environment.Variables``, ``tags``, and
  lists of ``{"name"|"Key": …, "value"|"Value": …}`` such as ECS ``environment``). A value is
  redacted when its *name* matches the rule's regex, or (``high_entropy``) when it looks like a
  random key. Containers are recognised by the key they sit under.
* **patterns**: regular expressions replaced wherever they occur (private keys, AWS access key
  ids, connection-string passwords, URL credentials, SAS signatures), in keys and values.
* JSON documents embedded in strings (policies, container definitions) are redacted recursively.
* **known secrets**: values a map rule removed from the raw inventory are also scrubbed from the
  files derived from it (findings, coverage, logs), so a check that echoed a value cannot leak it.

The engine that applies a policy is :mod:`clearance.evidence.redactor`.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputFileError
from ..yamlfile import load_yaml_file, validate

if TYPE_CHECKING:
    from .redactor import Redactor

SCHEMA = "redaction-policy.schema.json"
DOCUMENT_MAX = 16 * 1024 * 1024
"""``.json`` files up to this size are redacted as one document (full context); larger ones line by line."""

_SECRET_NAMES = (
    r"(?i)(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential"
    r"|conn(ection)?[-_]?str|dsn|sas|signature|auth|bearer|cookie|session[-_]?key|salt|\bkey\b|_key$|^key_)"
)
_SECRET_TAG_NAMES = (
    r"(?i)(passw(or)?d|passphrase|\bpwd\b|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential"
    r"|conn(ection)?[-_]?str)"
)

DEFAULT_POLICY: dict[str, Any] = {
    "version": "1",
    "marker": "[REDACTED:{rule}]",
    "files": [
        "evidence/raw/*",
        "evidence/logs/*",
        "evidence/report/findings.json",
        "evidence/report/coverage.json",
        "evidence/meta/scan.json",
    ],
    "derived": ["evidence/logs/*", "evidence/report/*", "evidence/meta/*"],
    "pairs": {"name": ["name", "Name", "Key", "key"], "value": ["value", "Value"]},
    "maps": [
        {
            "rule": "environment-variable",
            "description": "Lambda Environment.Variables and ECS/Batch container environment entries whose "
            "name suggests a secret, or whose value looks like a random key.",
            "containers": ["Variables", "environment", "Environment", "environmentVariables"],
            "names": _SECRET_NAMES,
            "high_entropy": True,
            "triggers": [
                '"variables":',
                '"environment":[',
                '"environment": [',
                '"environmentvariables"',
                '\\"variables\\":',
                '\\"environment\\":[',
                '\\"environment\\": [',
                '\\"environmentvariables\\"',
            ],
        },
        {
            "rule": "secret-tag",
            "description": "Tags and labels whose key suggests a secret.",
            "containers": ["tags", "Tags", "TagSet", "TagList", "tagList", "labels", "Labels"],
            "names": _SECRET_TAG_NAMES,
            "high_entropy": False,
            "triggers": [
                "passw",
                "pwd",
                "secret",
                "token",
                "apikey",
                "api_key",
                "api-key",
                "accesskey",
                "access_key",
                "access-key",
                "privatekey",
                "private_key",
                "private-key",
                "credential",
                "connstr",
                "conn_str",
                "connectionstr",
                "connection_str",
                "passphrase",
            ],
        },
    ],
    "patterns": [
        {
            "rule": "private-key",
            "description": "PEM private key blocks (PKCS#1, PKCS#8, EC, OpenSSH), even when truncated.",
            "regex": r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)",
            "group": 0,
            "triggers": ["-----begin"],
        },
        {
            "rule": "aws-access-key-id",
            "description": "AWS access key ids (long-term AKIA, temporary ASIA).",
            "regex": r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
            "group": 0,
            "triggers": ["akia", "asia"],
        },
        {
            "rule": "aws-secret-access-key",
            "description": "A 40-character secret access key next to its label.",
            "regex": r"(?i)secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
            "group": 1,
            "triggers": ["secretaccesskey", "secret_access_key"],
        },
        {
            "rule": "connection-string-secret",
            "description": "Password=, Pwd=, AccountKey=, SharedAccessKey= values in connection strings.",
            "regex": r"(?i)(?<![a-z])(?:password|pwd|accountkey|sharedaccesskey|sharedsecret)\s*=\s*([^;'\"\s&]+)",
            "group": 1,
            "triggers": ["password", "pwd", "accountkey", "sharedaccesskey", "sharedsecret"],
        },
        {
            "rule": "url-credentials",
            "description": "The password in scheme://user:password@host.",
            "regex": r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@\"]*:([^@\s/\"]+)@",
            "group": 1,
            "triggers": ["://"],
        },
        {
            "rule": "sas-token",
            "description": "The signature of Azure shared access signatures (sig=...).",
            "regex": r"(?i)[?&;]sig=([A-Za-z0-9%+/=]+)",
            "group": 1,
            "triggers": ["sig="],
        },
    ],
}


@dataclass(frozen=True)
class MapRule:
    rule: str
    containers: frozenset[str]
    names: re.Pattern[str]
    high_entropy: bool


@dataclass(frozen=True)
class PatternRule:
    rule: str
    regex: re.Pattern[str]
    group: int
    triggers: tuple[str, ...]
    """Lower-case literals one of which every match contains; empty: always try the regex."""


@dataclass
class Outcome:
    """What redaction did to one text: the count per rule, and whole values removed by map rules."""

    counts: Counter[str] = field(default_factory=Counter)
    secrets: dict[str, str] = field(default_factory=dict)
    """Removed value -> the marker that replaced it (for scrubbing derived files)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Policy:
    """A compiled redaction policy; ``document`` is what the package records."""

    def __init__(self, document: dict[str, Any], source: str = "built-in default"):
        self.document = document
        self.source = source
        self.marker: str = document["marker"]
        self.files: tuple[str, ...] = tuple(document["files"])
        self.derived: tuple[str, ...] = tuple(document.get("derived", ()))
        pairs = document.get("pairs", {"name": [], "value": []})
        self.name_fields = frozenset(pairs["name"])
        self.value_fields = frozenset(pairs["value"])
        self.maps = tuple(
            MapRule(m["rule"], frozenset(m["containers"]), _compile(m["names"], source), bool(m["high_entropy"]))
            for m in document.get("maps", ())
        )
        self.patterns = tuple(
            PatternRule(
                p["rule"],
                _compile(p["regex"], source),
                int(p.get("group", 0)),
                tuple(t.lower() for t in p.get("triggers", ())),
            )
            for p in document.get("patterns", ())
        )
        rules = [*document.get("maps", ()), *document.get("patterns", ())]
        self.examine_all = any(not r.get("triggers") for r in rules)
        self.map_triggers = frozenset(t.lower() for r in document.get("maps", ()) for t in r.get("triggers", ()))
        self.value_triggers = frozenset(t.lower() for r in document.get("patterns", ()) for t in r.get("triggers", ()))

    def applies(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.files)

    def is_derived(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.derived)

    def mark(self, rule: str) -> str:
        return self.marker.replace("{rule}", rule)

    def redactor(self, known: dict[str, str] | None = None) -> Redactor:
        from .redactor import Redactor

        return Redactor(self, known or {})


def _compile(pattern: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputFileError(source, f"invalid regular expression {pattern!r}: {exc}") from None


def load_policy(path: Path | None) -> Policy:
    """The built-in default policy, or a user's YAML/JSON policy file validated against its schema."""
    if path is None:
        return Policy(DEFAULT_POLICY)
    doc = load_yaml_file(path)
    validate(doc, SCHEMA)
    data: dict[str, Any] = doc.data
    return Policy(data, str(path))
