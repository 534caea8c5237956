"""Human output of ``clearance diff``: both sides, the warnings, then one table per kind of change.

Long tables are cut at ``limit`` rows with a count of what was left out; ``--json`` always has everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_MISSING = {
    "check_not_in_scan": "{side} did not run this check",
    "not_in_coverage": "{side} did not cover this account/region",
    "not_evaluated": "{side} could not evaluate it (coverage gap)",
    "no_finding": "{side} evaluated the check there without this resource",
}


def print_diff(doc: dict[str, Any], limit: int) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    _sides(console, doc)
    console.print(f"[yellow]Note:[/yellow] {escape(doc['note'])}")
    for warning in doc["warnings"]:
        console.print(f"[yellow]! {escape(warning['message'])}[/yellow]")
    _findings(console, doc["findings"], limit)
    _context(console, doc, limit)
    _coverage(console, doc["coverage"], limit)
    console.print(_headline(doc))


def _headline(doc: dict[str, Any]) -> str:
    counts, cov = doc["findings"]["counts"], doc["coverage"]["counts"]
    failing = f" ({counts['removed_failing']} failing in OLD: NOT fixed)" if counts["removed_failing"] else ""
    return (
        f"Findings: new failures {counts['new_failures']}, fixed {counts['fixed']}, "
        f"changed verdicts {counts['changed']}, added {counts['added']}, removed {counts['removed']}{failing}, "
        f"unchanged {counts['unchanged']}. Coverage: entries changed {cov['changed']}, "
        f"new gaps {cov['gaps_opened']}, gaps closed {cov['gaps_closed']}."
    )


def _sides(console: Console, doc: dict[str, Any]) -> None:
    from rich.table import Table

    old, new = doc["old"], doc["new"]
    table = Table(title="Scans compared", title_justify="left")
    for column in ("", "OLD", "NEW"):
        table.add_column(column, overflow="fold")
    rows: Sequence[tuple[str, Callable[[dict[str, Any]], str]]] = (
        ("path", lambda s: f"{s['path']} ({s['kind']}, signature not verified)"),
        ("provider", lambda s: str(s["provider"])),
        ("accounts", lambda s: ", ".join(s["accounts"])),
        ("regions", lambda s: ", ".join(s["regions"])),
        ("started", lambda s: str(s["started"])),
        ("finished", lambda s: str(s["finished"])),
        ("tool", lambda s: f"clearance {s['tool_version']}"),
        ("profile", lambda s: _ref(s["profile"], "id", "version")),
        ("content pack", lambda s: _pack(s["content_pack"])),
        ("findings", lambda s: f"{s['findings']} ({_verdicts(s['verdicts'])})"),
        ("complete", lambda s: "yes" if s["complete"] else "NO"),
    )
    for label, show in rows:
        table.add_row(label, _plain(show(old)), _plain(show(new)))
    console.print(table)


def _findings(console: Console, findings: dict[str, Any], limit: int) -> None:
    def where(e: dict[str, Any]) -> str:
        return f"{e['resource_name'] or e['resource_id']} ({e['account']} {e['region']})"

    def missing(side: str) -> Callable[[dict[str, Any]], str]:
        return lambda e: _MISSING[e["missing_because"]].format(side=side) if e["missing_because"] else ""

    def was(e: dict[str, Any]) -> str:
        return _verdict(e["old"]) if e["old"] else f"absent: {missing('OLD')(e)}"

    tables: Sequence[tuple[str, str, Sequence[tuple[str, Callable[[dict[str, Any]], str]]]]] = (
        (
            "new_failures",
            "New failures (FAIL in NEW, not FAIL in OLD)",
            (
                ("severity", lambda e: e["severity"]),
                ("check", lambda e: e["check_id"]),
                ("resource", where),
                ("OLD", was),
                ("reason", lambda e: e["reason"]),
            ),
        ),
        (
            "fixed",
            "Fixed (FAIL in OLD, PASS in NEW)",
            (("severity", lambda e: e["severity"]), ("check", lambda e: e["check_id"]), ("resource", where)),
        ),
        (
            "changed",
            "Changed verdicts",
            (
                ("check", lambda e: e["check_id"]),
                ("resource", where),
                ("OLD", was),
                ("NEW", lambda e: _verdict(e["new"])),
                ("reason", lambda e: e["reason"]),
            ),
        ),
        (
            "removed",
            "Removed: only in OLD (a removed failing finding is NOT fixed)",
            (
                ("check", lambda e: e["check_id"]),
                ("resource", where),
                ("OLD", was),
                ("why absent from NEW", missing("NEW")),
            ),
        ),
        (
            "added",
            "Added: only in NEW, not failing",
            (
                ("check", lambda e: e["check_id"]),
                ("resource", where),
                ("NEW", lambda e: _verdict(e["new"])),
                ("why absent from OLD", missing("OLD")),
            ),
        ),
    )
    for key, title, columns in tables:
        _table(console, title, findings[key], columns, limit)


def _context(console: Console, doc: dict[str, Any], limit: int) -> None:
    from rich.markup import escape

    scope = doc["scope"]
    if scope["changed"]:
        rows = [
            {
                "what": f"scope.{f['field']}",
                "old": f["old"],
                "new": f["new"],
                "added": f["added"],
                "removed": f["removed"],
            }
            for f in scope["fields"]
        ]
        rows += [
            {"what": f"scanned {name}", "old": None, "new": None, **change}
            for name, change in scope["scanned"].items()
            if change["added"] or change["removed"]
        ]
        if scope["provider"]["old"] != scope["provider"]["new"]:
            rows.append({"what": "provider", **scope["provider"], "added": None, "removed": None})
        columns: Sequence[tuple[str, Callable[[dict[str, Any]], str]]] = (
            ("what", lambda r: r["what"]),
            ("OLD (removed)", lambda r: _json(r["removed"]) if r["removed"] is not None else _json(r["old"])),
            ("NEW (added)", lambda r: _json(r["added"]) if r["added"] is not None else _json(r["new"])),
        )
        _table(console, "Scope changes", rows, columns, limit)
    profile = doc["profile"]
    if profile["changed"]:
        console.print(
            f"Profile changed: {escape(_ref(profile['old'], 'id', 'version'))} -> "
            f"{escape(_ref(profile['new'], 'id', 'version'))}; "
            f"parameters: {escape(', '.join(profile['parameters']) or 'none')}"
        )
        _table(
            console,
            "Profile differences",
            profile["differences"],
            (("path", lambda d: d["path"]), ("OLD", lambda d: _json(d["old"])), ("NEW", lambda d: _json(d["new"]))),
            limit,
        )
    pack = doc["content_pack"]
    if pack["changed"] or pack["checks_added"] or pack["checks_removed"]:
        console.print(
            f"Content pack {'changed' if pack['changed'] else 'unchanged'}: "
            f"{escape(_pack(pack['old']))} -> {escape(_pack(pack['new']))}; "
            f"checks added: {escape(', '.join(pack['checks_added']) or 'none')}; "
            f"checks removed: {escape(', '.join(pack['checks_removed']) or 'none')}"
        )
    for name, register in doc["registers"].items():
        if register["changed"]:
            state = "added" if register["old"] is None else "removed" if register["new"] is None else "changed"
            console.print(f"{name.capitalize()} register {state} (files: {escape(_files(register))})")
    _exceptions(console, doc["exceptions"], limit)


def _exceptions(console: Console, exceptions: dict[str, Any], limit: int) -> None:
    def state(item: dict[str, Any] | None) -> str:
        return "" if item is None else f"{item['status']}, expires {item['expires']}, {item['matched']} matched"

    rows = [{"what": "added", "id": e["id"], "old": None, "new": e} for e in exceptions["added"]]
    rows += [{"what": "removed", "id": e["id"], "old": e, "new": None} for e in exceptions["removed"]]
    rows += [{"what": "EXPIRED", **e} for e in exceptions["expired"]]
    rows += [{"what": "changed", **e} for e in exceptions["changed"]]
    _table(
        console,
        "Exceptions (by id, from exceptions.json)",
        rows,
        (
            ("", lambda r: r["what"]),
            ("id", lambda r: r["id"]),
            ("OLD", lambda r: state(r["old"])),
            ("NEW", lambda r: state(r["new"])),
        ),
        limit,
    )


def _coverage(console: Console, coverage: dict[str, Any], limit: int) -> None:
    def status(value: str | None) -> str:
        return value or "no entry"

    def error(c: dict[str, Any]) -> str:
        e = c["error"]
        if not e:
            return ""
        return f"{e['operation']}: {e['code']}" + (f" (needs {e['permission']})" if e.get("permission") else "")

    console.print(
        f"Coverage: OLD {'complete' if coverage['old_complete'] else 'INCOMPLETE'}, "
        f"NEW {'complete' if coverage['new_complete'] else 'INCOMPLETE'} "
        f"({coverage['counts']['new_not_evaluated']} not-evaluated entries in NEW)"
    )
    _table(
        console,
        "Coverage changes (NEW GAP: not evaluated in NEW, evaluated or absent in OLD)",
        coverage["changes"],
        (
            ("", lambda c: {"opened": "NEW GAP", "closed": "gap closed"}.get(c["gap"] or "", "")),
            ("check", lambda c: c["check_id"]),
            ("account", lambda c: c["account"]),
            ("region", lambda c: c["region"]),
            ("OLD", lambda c: status(c["old"])),
            ("NEW", lambda c: status(c["new"])),
            ("why not evaluated", error),
        ),
        limit,
    )


def _table(
    console: Console,
    title: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, Callable[[dict[str, Any]], str]]],
    limit: int,
) -> None:
    from rich.table import Table

    if not rows:
        return
    shown = rows if limit == 0 else rows[:limit]
    table = Table(title=f"{title}: {len(rows)}", title_justify="left")
    for name, _ in columns:
        table.add_column(name, overflow="fold")
    for row in shown:
        table.add_row(*(_plain(show(row)) for _, show in columns))
    console.print(table)
    if len(shown) < len(rows):
        console.print(f"... and {len(rows) - len(shown)} more (--limit 0 or --json lists all)")


def _plain(text: str) -> Any:
    from rich.text import Text

    return Text(text)


def _verdict(ref: dict[str, Any] | None) -> str:
    if ref is None:
        return "absent"
    return f"MUTED({ref['underlying_verdict']})" if ref["underlying_verdict"] else str(ref["verdict"])


def _verdicts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items()) if n) or "none"


def _ref(ref: dict[str, Any] | None, *fields: str) -> str:
    return "unknown" if ref is None else " ".join(str(ref.get(f)) for f in fields) + _digest(ref)


def _pack(ref: dict[str, Any] | None) -> str:
    return "unknown" if ref is None else f"{ref.get('checks')} checks" + _digest(ref)


def _digest(ref: dict[str, Any]) -> str:
    return f" (sha256 {str(ref.get('sha256') or 'none')[:12]}…)"


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _files(register: dict[str, Any]) -> str:
    names = set(register["old"] or {}) | set(register["new"] or {})
    return ", ".join(sorted(names))
