"""The checks catalogue in Markdown (docs/checks-catalogue.md), generated from the content pack."""

from __future__ import annotations

from collections.abc import Sequence

from .engine.checks import Check, Control

HEADER = (
    "# Checks catalogue\n\n"
    "Generated from the content pack by `python -m clearance.catalogue > docs/checks-catalogue.md`;\n"
    "a test fails when this file and `checks/` disagree. How checks are written: [checks.md](checks.md).\n"
)


def render(checks: Sequence[Check], controls: dict[str, Control]) -> str:
    lines = [HEADER]
    for provider in sorted({c.provider for c in checks}):
        mine = [c for c in checks if c.provider == provider]
        lines += [f"\n## {provider} ({len(mine)} checks)\n", "| check | severity | controls | resource type | title |"]
        lines.append("|---|---|---|---|---|")
        for c in sorted(mine, key=lambda c: (c.controls[0], c.id)):
            title = c.title["en"].replace("|", "\\|")
            lines.append(f"| `{c.id}` | {c.severity.value} | {', '.join(c.controls)} | `{c.resource_type}` | {title} |")
    lines += ["\n## Controls\n", "| control | family | title |", "|---|---|---|"]
    for cid, control in sorted(controls.items()):
        lines.append(f"| {cid} | {control.family} | {control.title['en']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    from .engine.checks import load_checks

    loaded = load_checks()
    print(render(loaded.checks, dict(loaded.controls)), end="")


if __name__ == "__main__":
    main()
