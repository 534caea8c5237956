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

Speed: a file is scanned in blocks for the rules' literal ``triggers`` (case-insensitive); only
lines containing one are tokenised. Formatting of untouched bytes is preserved exactly.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import InputFileError
from ..yamlfile import load_yaml_file, validate

SCHEMA = "redaction-policy.schema.json"
KNOWN_SECRET_MIN = 4
SUBSTRING_SECRET_MIN = 8
"""Known secrets shorter than this are only replaced where a whole string equals them."""
DOCUMENT_MAX = 16 * 1024 * 1024
"""``.json`` files up to this size are redacted as one document (full context); larger ones line by line."""
_BLOCK = 8 * 1024 * 1024
_ESCAPE_TRIGGER = "\\u"
"""A ``\\uXXXX`` escape could spell a trigger word; lines with one are always examined."""

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')

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
            "containers": ["Variables", "environment", "Environment"],
            "names": _SECRET_NAMES,
            "high_entropy": True,
            "triggers": ['"variables"', '"environment"'],
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


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True)
class _MapRule:
    rule: str
    containers: frozenset[str]
    names: re.Pattern[str]
    high_entropy: bool


@dataclass(frozen=True)
class _PatternRule:
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

    def merge(self, other: Outcome) -> None:
        self.counts.update(other.counts)
        self.secrets.update(other.secrets)

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
            _MapRule(m["rule"], frozenset(m["containers"]), _compile(m["names"], source), bool(m["high_entropy"]))
            for m in document.get("maps", ())
        )
        self.patterns = tuple(
            _PatternRule(
                p["rule"],
                _compile(p["regex"], source),
                int(p.get("group", 0)),
                tuple(t.lower() for t in p.get("triggers", ())),
            )
            for p in document.get("patterns", ())
        )
        rules = [*document.get("maps", ()), *document.get("patterns", ())]
        self.examine_all = any(not r.get("triggers") for r in rules)
        self.triggers = frozenset(t.lower() for r in rules for t in r.get("triggers", ()))

    def applies(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.files)

    def is_derived(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.derived)

    def mark(self, rule: str) -> str:
        return self.marker.replace("{rule}", rule)

    def redactor(self, known: dict[str, str] | None = None) -> Redactor:
        return Redactor(self, known or {})


def _lines(block: bytes) -> Iterator[tuple[int, int]]:
    start = 0
    while start < len(block):
        nl = block.find(b"\n", start)
        stop = len(block) if nl < 0 else nl + 1
        yield start, stop
        start = stop


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


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(value: str) -> bool:
    """A key-like value: long, no spaces, mixed letters and digits, high character entropy; not an ARN or URL."""
    if len(value) < 20 or any(ch.isspace() for ch in value) or value.startswith(("arn:", "http://", "https://")):
        return False
    if not (any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)):
        return False
    return _entropy(value) >= 3.5


class _Triggers:
    """Finds the trigger words in lower-cased bytes.

    With ``ahocorasick-rs`` installed this is one SIMD Aho-Corasick pass (about 1 GB/s); without
    it, one regular-expression alternation (about 25 MB/s). Both give the same positions.
    """

    def __init__(self, words: set[str]):
        ordered = sorted(words, key=lambda w: (-len(w), w))
        try:
            import ahocorasick_rs
        except ImportError:
            self._automaton = None
            self._regex = re.compile("|".join(re.escape(w) for w in ordered).encode("utf-8"))
        else:
            self._automaton = ahocorasick_rs.BytesAhoCorasick(
                [w.encode("utf-8") for w in ordered], matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
            )

    def starts(self, lowered: bytes) -> list[int]:
        """Start offsets of non-overlapping matches, ascending."""
        if self._automaton is not None:
            return [start for _, start, _ in self._automaton.find_matches_as_indexes(lowered)]
        return [m.start() for m in self._regex.finditer(lowered)]


class _Frame:
    """One open JSON object or array while tokenising a fragment."""

    __slots__ = ("container", "in_array", "is_object", "key", "pair_name", "pair_values")

    def __init__(self, is_object: bool, container: str | None, in_array: bool):
        self.is_object = is_object
        self.container = container
        """The key this container (or, for an array element, its array) sits under."""
        self.in_array = in_array
        self.key: str | None = None
        self.pair_name: str | None = None
        self.pair_values: list[tuple[int, int, str]] = []


class Redactor:
    """Applies a policy to JSON text fragments (a JSONL line, a line of a JSON file, or a whole document)."""

    def __init__(self, policy: Policy, known: dict[str, str]):
        self.policy = policy
        self.known = known
        long_secrets = sorted((s for s in known if len(s) >= SUBSTRING_SECRET_MIN), key=lambda s: (-len(s), s))
        self._known_re = re.compile("|".join(re.escape(s) for s in long_secrets)) if long_secrets else None
        words = set(policy.triggers) | {_ESCAPE_TRIGGER}
        self._triggers = _Triggers(words | {_encode(s)[1:-1].lower() for s in known})
        self._value_triggers = _Triggers(words | {s.lower() for s in long_secrets})
        """For decoded strings: when none of these occurs, no pattern, embedded map or known secret can match."""

    # -- files ----------------------------------------------------------------------------
    def copy(self, src: IO[bytes], dst: Sink, *, document: bool) -> Outcome:
        """Copy ``src`` to ``dst`` redacting as it goes; ``document`` treats the input as one JSON document."""
        outcome = Outcome()
        if document:
            data = src.read()
            if self.policy.examine_all or self._triggers.starts(data.lower()):
                text = data.decode("utf-8", "surrogateescape")
                data = self.text(text, outcome).encode("utf-8", "surrogateescape")
            dst.write(data)
            return outcome
        while True:
            block = src.read(_BLOCK)
            if not block:
                return outcome
            if not block.endswith(b"\n"):
                block += src.readline()
            dst.write(self._block(block, outcome))

    def _candidates(self, block: bytes) -> Iterator[tuple[int, int]]:
        """(start, end) of the lines of ``block`` that may need redaction, in order, without duplicates."""
        if self.policy.examine_all:
            yield from _lines(block)
            return
        end = 0
        for start in self._triggers.starts(block.lower()):
            if start < end:
                continue
            line_start = block.rfind(b"\n", 0, start) + 1
            nl = block.find(b"\n", start)
            end = len(block) if nl < 0 else nl + 1
            yield line_start, end

    def _block(self, block: bytes, outcome: Outcome) -> bytes:
        out: list[bytes] = []
        last = 0
        for start, end in self._candidates(block):
            text = block[start:end].decode("utf-8", "surrogateescape")
            new = self.text(text, outcome)
            if new != text:
                out.append(block[last:start])
                out.append(new.encode("utf-8", "surrogateescape"))
                last = end
        if not out:
            return block
        out.append(block[last:])
        return b"".join(out)

    # -- text -----------------------------------------------------------------------------
    def text(self, text: str, outcome: Outcome) -> str:
        """Redact one fragment of JSON text; untouched bytes are kept exactly."""
        edits: list[tuple[int, int, str]] = []
        stack: list[_Frame] = [_Frame(True, None, False)]
        pending: tuple[int, int, str] | None = None
        prev = ""
        for match in _TOKEN.finditer(text):
            token = match.group()
            first = token[0]
            top = stack[-1]
            if first == '"':
                value = _decode(token)
                if prev == ":" or not top.is_object:
                    self._value(match.start(), match.end(), value, top, edits, outcome)
                else:
                    pending = (match.start(), match.end(), value)
                    self._strings(match.start(), match.end(), value, edits, outcome)
            elif first == ":":
                top.key = pending[2] if pending is not None else None
                pending = None
            elif first in "{[":
                if prev == ":":
                    frame = _Frame(first == "{", top.key, False)
                else:
                    frame = _Frame(first == "{", top.container if not top.is_object else None, not top.is_object)
                stack.append(frame)
            elif first in "}]":
                if len(stack) > 1:
                    self._close(stack.pop(), edits, outcome)
            elif first == ",":
                top.key = None
                pending = None
            prev = first
        while len(stack) > 1:
            self._close(stack.pop(), edits, outcome)
        if not edits:
            return text
        edits.sort()
        parts: list[str] = []
        last = 0
        for start, end, replacement in edits:
            if start < last:
                continue
            parts.append(text[last:start])
            parts.append(replacement)
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def _value(
        self, start: int, end: int, value: str, frame: _Frame, edits: list[tuple[int, int, str]], outcome: Outcome
    ) -> None:
        if frame.is_object and not frame.in_array and frame.key is not None:
            for rule in self.policy.maps:
                if frame.container in rule.containers and self._secret_entry(rule, frame.key, value):
                    self._replace_whole(start, end, value, rule.rule, edits, outcome)
                    return
        if frame.is_object and frame.in_array and frame.key is not None:
            if frame.key in self.policy.name_fields:
                frame.pair_name = value
            elif frame.key in self.policy.value_fields:
                frame.pair_values.append((start, end, value))
                return
        self._strings(start, end, value, edits, outcome)

    def _close(self, frame: _Frame, edits: list[tuple[int, int, str]], outcome: Outcome) -> None:
        """A ``{name, value}`` list element is complete: decide on its value now that the name is known."""
        for start, end, value in frame.pair_values:
            for rule in self.policy.maps:
                if frame.container in rule.containers and self._secret_entry(rule, frame.pair_name or "", value):
                    self._replace_whole(start, end, value, rule.rule, edits, outcome)
                    break
            else:
                self._strings(start, end, value, edits, outcome)

    @staticmethod
    def _secret_entry(rule: _MapRule, name: str, value: str) -> bool:
        if not value:
            return False
        return bool(rule.names.search(name)) or (rule.high_entropy and looks_random(value))

    def _replace_whole(
        self, start: int, end: int, value: str, rule: str, edits: list[tuple[int, int, str]], outcome: Outcome
    ) -> None:
        marker = self.policy.mark(rule)
        if value == marker:
            return
        edits.append((start, end, _encode(marker)))
        outcome.counts[rule] += 1
        if len(value) >= KNOWN_SECRET_MIN:
            outcome.secrets[value] = marker

    def _strings(self, start: int, end: int, value: str, edits: list[tuple[int, int, str]], outcome: Outcome) -> None:
        """Pattern rules, known secrets and embedded JSON on one string token (key or value)."""
        new = self.scrub(value, outcome)
        if new != value:
            edits.append((start, end, _encode(new)))

    def scrub(self, value: str, outcome: Outcome) -> str:
        whole = self.known.get(value)
        if whole is not None:
            outcome.counts["known-secret"] += 1
            return whole
        probe = value.lower().encode("utf-8", "surrogateescape")
        if not self.policy.examine_all and not self._value_triggers.starts(probe):
            return value
        new = value
        stripped = value.lstrip()
        if stripped[:1] in ("{", "[") and stripped.rstrip()[-1:] in ("}", "]"):
            new = self._embedded(value, outcome)
        lowered = new.lower()
        for rule in self.policy.patterns:
            if not rule.triggers or any(t in lowered for t in rule.triggers):
                new = self._pattern(rule, new, outcome)
        if self._known_re is not None:
            new, n = self._known_re.subn(lambda m: self.known[m.group()], new)
            if n:
                outcome.counts["known-secret"] += n
        return new

    def _embedded(self, value: str, outcome: Outcome) -> str:
        try:
            json.loads(value)
        except ValueError:
            return value
        return self.text(value, outcome)

    def _pattern(self, rule: _PatternRule, value: str, outcome: Outcome) -> str:
        marker = self.policy.mark(rule.rule)

        def replace(match: re.Match[str]) -> str:
            if match.group(rule.group) == marker:
                return match.group(0)
            outcome.counts[rule.rule] += 1
            lo, hi = match.start(rule.group) - match.start(), match.end(rule.group) - match.start()
            whole = match.group(0)
            return whole[:lo] + marker + whole[hi:]

        return rule.regex.sub(replace, value)


def _decode(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        value: str = json.loads(token)
    except ValueError:
        return token[1:-1]
    return value


def _encode(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
