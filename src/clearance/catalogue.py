"""The checks catalogue in Markdown (docs/checks-catalogue.md), generated from the content pack."""

from __future__ import annotations

from collections.abc import Sequence

from .engine.checks import Check, Control

HEADER = (
    "# Checks catalogue\n\n"
    "Generated from the content pack by `python -m clearance.catalogue > docs/checks-catalogue.md`;\n"
    "a test fails when this file and `checks/` disagree. How checks are written: [checks.md](checks.md).\n"
)


CLOUDS = (("aws", "AWS"), ("azure", "Azure"), ("gcp", "GCP"))
"""Providers of the control catalogue's per-cloud tests, with their display names."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(checks: Sequence[Check], controls: dict[str, Control]) -> str:
    """The whole document: checks per provider, then the controls in catalogue order."""
    lines = [HEADER]
    for provider in sorted({c.provider for c in checks}):
        mine = [c for c in checks if c.provider == provider]
        lines += [f"\n## {provider} ({len(mine)} checks)\n", "| check | severity | controls | resource type | title |"]
        lines.append("|---|---|---|---|---|")
        for c in sorted(mine, key=lambda c: (c.controls[0], c.id)):
            title = _cell(c.title["en"])
            lines.append(f"| `{c.id}` | {c.severity.value} | {', '.join(c.controls)} | `{c.resource_type}` | {title} |")
    return "\n".join(lines + _controls(checks, controls)) + "\n"


def _controls(checks: Sequence[Check], controls: dict[str, Control]) -> list[str]:
    """An index with check counts per cloud, then per control its objective, tests and legal basis."""
    clouds = " / ".join(key for key, _ in CLOUDS)
    lines = [
        "\n## Controls\n",
        "Objectives and per-cloud tests from `checks/controls.yaml` (Korean texts there); confidence tags of the",
        "legal basis: [C] confirmed, [P] partly confirmed, [U] uncertain.\n",
        f"| control | family | title | checks ({clouds}) |",
        "|---|---|---|---|",
    ]
    for cid, control in controls.items():
        counts = " / ".join(str(sum(cid in c.controls for c in checks if c.provider == key)) for key, _ in CLOUDS)
        lines.append(f"| {cid} | {control.family} | {_cell(control.title['en'])} | {counts} |")
    for cid, control in controls.items():
        lines += [f"\n### {cid} {control.title['en']}\n", control.objective["en"], ""]
        lines += [f"- **{name}:** {control.tests[key]['en']}" for key, name in CLOUDS]
        if control.legal:
            lines += ["", f"Korean-law basis: {control.legal['en']}"]
    return lines


def main() -> None:
    from .engine.checks import load_checks

    loaded = load_checks()
    print(render(loaded.checks, dict(loaded.controls)), end="")


if __name__ == "__main__":
    main()
