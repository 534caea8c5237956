"""The redaction engine: find candidate lines fast, decide on parsed JSON, rewrite without changing anything else.

1. **Find.** A file is read in blocks; one pass over the lower-cased bytes finds the policy's trigger words
   (Aho-Corasick with ``ahocorasick-rs``, about 1 GB/s; otherwise one regular expression, about 25 MB/s). Lines
   without a trigger are copied as they are. A line whose triggers belong only to map rules skips the pattern
   rules (no pattern can match there).
2. **Decide.** A candidate line (or a whole small JSON document) is parsed and walked: map rules see each value
   with its key and container, ``{name, value}`` list entries with their name; strings get the pattern rules and
   known secrets; JSON documents embedded in strings are walked too.
3. **Rewrite.** Only when something was redacted is the JSON serialised again, in the one layout that reproduces
   the original text exactly (compact or indented, keys in their original order, ASCII-escaped or not), so
   untouched values keep their bytes. Text that is not JSON in such a layout cannot be redacted safely and is an
   error (:class:`RedactionError`) rather than a silent leak.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .redaction import MapRule, Outcome, PatternRule, Policy

BLOCK = 8 * 1024 * 1024
ESCAPES = frozenset({"\\u", "\\/"})
"""A ``\\uXXXX`` or ``\\/`` escape could spell a trigger in the text; lines with one are fully examined."""
KNOWN_SECRET_MIN = 4
SUBSTRING_SECRET_MIN = 8
"""Known secrets shorter than this are only replaced where a whole string equals them."""

_STYLES: tuple[dict[str, Any], ...] = (
    {"separators": (",", ":"), "ensure_ascii": False},
    {"separators": (",", ":"), "ensure_ascii": True},
    {"separators": (", ", ": "), "ensure_ascii": False},
    {"separators": (", ", ": "), "ensure_ascii": True},
    {"indent": 1, "ensure_ascii": False},
    {"indent": 2, "ensure_ascii": False},
    {"indent": 1, "ensure_ascii": True},
    {"indent": 2, "ensure_ascii": True},
)
"""JSON layouts a rewrite may use: only the one that reproduces the original text exactly."""


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class RedactionError(ValueError):
    """A line that may hold a secret is not JSON in a reproducible layout; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


class Triggers:
    """Finds where trigger words start in lower-cased bytes (every line holding one yields at least one start)."""

    GROUP = 32
    """Aho-Corasick with up to 32 patterns uses a SIMD prefilter (about 0.4 ns/byte); larger sets are split."""

    def __init__(self, words: set[str]):
        ordered = sorted(words, key=lambda w: (-len(w), w))
        try:
            import ahocorasick_rs
        except ImportError:
            self._automata = []
            self._regex = re.compile("|".join(re.escape(w) for w in ordered).encode("utf-8")) if ordered else None
        else:
            self._automata = [
                ahocorasick_rs.BytesAhoCorasick(
                    [w.encode("utf-8") for w in ordered[i : i + self.GROUP]],
                    matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST,
                )
                for i in range(0, len(ordered), self.GROUP)
            ]
            self._regex = None

    def find(self, lowered: bytes) -> list[int]:
        """Start offsets of matches (non-overlapping within a group), ascending."""
        if self._regex is not None:
            return [m.start() for m in self._regex.finditer(lowered)]
        starts = [start for automaton in self._automata for _, start, _ in automaton.find_matches_as_indexes(lowered)]
        return sorted(starts) if len(self._automata) > 1 else starts


def _encode(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _looks_like_json(value: str) -> bool:
    stripped = value.strip()
    return stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]")


def _layout(text: str, obj: Any) -> dict[str, Any] | None:
    """The serialisation settings that reproduce ``text`` from ``obj`` byte for byte, if any."""
    for style in _STYLES:
        if json.dumps(obj, **style) == text:
            return style
    return None


def _framings(body: str) -> Iterator[tuple[str, Callable[[str], str]]]:
    """Ways a line can hold one JSON value: alone, followed by a comma (an array item), or as the start of an
    object whose remaining members follow on later lines (the findings.json header)."""
    yield body, lambda dumped: dumped
    if body.endswith(","):
        yield body[:-1], lambda dumped: dumped + ","
        if body.startswith("{"):
            yield body[:-1] + "}", lambda dumped: dumped[:-1] + ","


class Redactor:
    """Applies a policy to evidence files; ``known`` maps secrets removed from raw files to their markers."""

    def __init__(self, policy: Policy, known: dict[str, str]):
        self.policy = policy
        self.known = known
        long_secrets = sorted((s for s in known if len(s) >= SUBSTRING_SECRET_MIN), key=lambda s: (-len(s), s))
        self._known_re = re.compile("|".join(re.escape(s) for s in long_secrets)) if long_secrets else None
        self._value_words = Triggers(set(policy.value_triggers | ESCAPES) | {_encode(s)[1:-1].lower() for s in known})
        """Triggers of the value rules (patterns, known secrets): a line with one gets every rule."""
        self._map_words = Triggers(set(policy.map_triggers))
        """Triggers of the map rules only: a line with only these skips the pattern rules."""
        self._value_triggers = Triggers(set(policy.value_triggers) | {s.lower() for s in long_secrets})
        self.maps_by_container: dict[str, tuple[MapRule, ...]] = {}
        for rule in policy.maps:
            for name in rule.containers:
                self.maps_by_container[name] = (*self.maps_by_container.get(name, ()), rule)

    # -- files --------------------------------------------------------------------------------
    def copy(self, src: IO[bytes], dst: Sink, *, document: bool) -> Outcome:
        """Copy ``src`` to ``dst``, redacting; ``document`` reads the input whole and treats it as one JSON
        document when it is one in a reproducible layout (full context), else line by line."""
        from .redaction import Outcome

        outcome = Outcome()
        if document:
            data = src.read()
            dst.write(self._document(data, outcome))
            return outcome
        lines_before = 0
        while block := src.read(BLOCK):
            if not block.endswith(b"\n"):
                block += src.readline()
            dst.write(self._block(block, outcome, lines_before))
            lines_before += block.count(b"\n")
        return outcome

    def _document(self, data: bytes, outcome: Outcome) -> bytes:
        lowered = data.lower()
        full = self.policy.examine_all or bool(self._value_words.find(lowered))
        if not (full or self._map_words.find(lowered)):
            return data
        try:
            return self._text(data.decode("utf-8", "surrogateescape"), full, outcome, 1).encode(
                "utf-8", "surrogateescape"
            )
        except RedactionError:
            return self._block(data, outcome, 0)  # one JSON value per line (e.g. findings.json)

    def _candidates(self, block: bytes) -> Iterator[tuple[int, int, bool]]:
        """(start, end, full) of each line of ``block`` that may need redaction, in order; ``full`` when a
        trigger of the value rules occurs in it (otherwise only the map rules can apply)."""
        if self.policy.examine_all:
            start = 0
            while start < len(block):
                nl = block.find(b"\n", start)
                end = len(block) if nl < 0 else nl + 1
                yield start, end, True
                start = end
            return
        lowered = block.lower()
        starts = [(start, True) for start in self._value_words.find(lowered)]
        starts += [(start, False) for start in self._map_words.find(lowered)]
        line: tuple[int, int] | None = None
        full = False
        for start, value_rule in sorted(starts):
            if line is not None and start < line[1]:
                full = full or value_rule
                continue
            if line is not None:
                yield line[0], line[1], full
            nl = block.find(b"\n", start)
            line = (block.rfind(b"\n", 0, start) + 1, len(block) if nl < 0 else nl + 1)
            full = value_rule
        if line is not None:
            yield line[0], line[1], full

    def _block(self, block: bytes, outcome: Outcome, lines_before: int) -> bytes:
        out: list[bytes] = []
        last = 0
        for start, end, full in self._candidates(block):
            raw = block[start:end]
            body = raw.rstrip(b"\r\n")
            if not body.strip():
                continue
            number = lines_before + block.count(b"\n", 0, start) + 1
            text = body.decode("utf-8", "surrogateescape")
            new = self._text(text, full, outcome, number)
            if new != text:
                out += [block[last:start], new.encode("utf-8", "surrogateescape"), raw[len(body) :]]
                last = end
        if not out:
            return block
        out.append(block[last:])
        return b"".join(out)

    def _text(self, text: str, full: bool, outcome: Outcome, line: int) -> str:
        """Redact one JSON text (a line, or a whole document) and re-serialise it only if something changed."""
        stripped = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        for candidate, rebuild in _framings(stripped):
            try:
                obj = json.loads(candidate)
            except ValueError:
                continue
            style = _layout(candidate, obj)
            if style is None or rebuild(candidate) != stripped:
                continue
            walk = _Walk(self, full, outcome)
            new = walk.value(obj, None, False)
            if not walk.changed:
                return text
            return lead + rebuild(json.dumps(new, **style)) + trail
        raise RedactionError(line, "a trigger word occurs here, but the text is not JSON in a reproducible layout")

    # -- strings --------------------------------------------------------------------------------
    def scrub(self, value: str, outcome: Outcome) -> str:
        """Known secrets and pattern rules on one decoded string."""
        whole = self.known.get(value)
        if whole is not None:
            outcome.counts["known-secret"] += 1
            return whole
        if not self.policy.examine_all and not self._value_triggers.find(value.lower().encode("utf-8", "replace")):
            return value
        new = value
        for rule in self.policy.patterns:
            lowered = new.lower()
            if not rule.triggers or any(t in lowered for t in rule.triggers):
                new = _pattern(rule, self.policy.mark(rule.rule), new, outcome)
        if self._known_re is not None:
            new, n = self._known_re.subn(lambda m: self.known[m.group()], new)
            if n:
                outcome.counts["known-secret"] += n
        return new


def _pattern(rule: PatternRule, marker: str, value: str, outcome: Outcome) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(rule.group) == marker:
            return match.group(0)
        outcome.counts[rule.rule] += 1
        lo, hi = match.start(rule.group) - match.start(), match.end(rule.group) - match.start()
        whole = match.group(0)
        return whole[:lo] + marker + whole[hi:]

    return rule.regex.sub(replace, value)


class _Walk:
    """One walk over a parsed JSON value; ``changed`` tells whether anything was replaced."""

    def __init__(self, redactor: Redactor, full: bool, outcome: Outcome):
        self.redactor = redactor
        self.policy = redactor.policy
        self.full = full
        self.outcome = outcome
        self.changed = False

    def value(self, node: Any, container: str | None, in_array: bool) -> Any:
        """``container``: the key this value (or, for a list item, its list) sits under."""
        if isinstance(node, dict):
            return self._object(node, container, in_array)
        if isinstance(node, list):
            return [self.value(item, container, True) for item in node]
        if isinstance(node, str):
            return self._string(node)
        return node

    def _object(self, node: dict[str, Any], container: str | None, in_array: bool) -> dict[str, Any]:
        rules = self.redactor.maps_by_container.get(container, ()) if container is not None else ()
        pair_name = ""
        if rules and in_array:
            pair_name = next((node[f] for f in self.policy.name_fields if isinstance(node.get(f), str)), "")
        out: dict[str, Any] = {}
        for key, item in node.items():
            new_key = self._string(key)
            if rules and isinstance(item, str) and (not in_array or key in self.policy.value_fields):
                name = pair_name if in_array else key
                rule = next((r for r in rules if _secret_entry(r, name, item)), None)
                if rule is not None:
                    out[new_key] = self._replace(item, rule.rule)
                    continue
            out[new_key] = self.value(item, key, False)
        return out

    def _replace(self, value: str, rule: str) -> str:
        marker = self.policy.mark(rule)
        if value == marker:
            return value
        self.changed = True
        self.outcome.counts[rule] += 1
        if len(value) >= KNOWN_SECRET_MIN:
            self.outcome.secrets[value] = marker
        return marker

    def _string(self, value: str) -> str:
        new = value
        if _looks_like_json(value):
            new = self._embedded(value)
        if self.full:
            new = self.redactor.scrub(new, self.outcome)
        if new != value:
            self.changed = True
        return new

    def _embedded(self, value: str) -> str:
        """A JSON document inside a string (a policy, a container definition): walk it too."""
        try:
            obj = json.loads(value)
        except ValueError:
            return value
        inner = _Walk(self.redactor, self.full, self.outcome)
        new = inner.value(obj, None, False)
        if not inner.changed:
            return value
        style = _layout(value, obj) or _STYLES[0]
        return json.dumps(new, **style)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def looks_random(value: str) -> bool:
    """A key-like value: long, no spaces, mixed letters and digits, high character entropy; not an ARN or URL."""
    if len(value) < 20 or any(ch.isspace() for ch in value) or value.startswith(("arn:", "http://", "https://")):
        return False
    if not (any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)):
        return False
    return _entropy(value) >= 3.5


def _secret_entry(rule: MapRule, name: str, value: str) -> bool:
    if not value:
        return False
    return bool(rule.names.search(name)) or (rule.high_entropy and looks_random(value))
