"""Command-line interface: a thin layer over the library API.

Heavy modules (boto3, moto, rich, jsonschema) are imported inside commands so that
``clearance --help`` stays fast. Exit codes are documented in :class:`clearance.errors.ExitCode`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import ClearanceError, ExitCode, UsageError

if TYPE_CHECKING:
    from .engine.runner import Results
    from .providers.interface import Progress

SEVERITIES = ["critical", "high", "medium", "low", "info"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="clearance")
def cli() -> None:
    """Is this cloud workload ready to go live, and can we prove it to the regulator?

    Exit codes: 0 ok, 1 internal error, 2 usage or input error, 3 scan incomplete,
    4 --fail-on threshold reached, 5 credentials, 6 verification failed.
    """


@contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[Progress], None] | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(event: Any) -> None:
            bar.update(task, total=event.total, completed=event.done, description=f"{label} {event.label}")

        yield update


def _gate(results: Results, fail_on: str | None) -> int:
    from .model import Severity

    if fail_on:
        threshold = Severity(fail_on).rank
        if any(Severity(sev).rank >= threshold and n for sev, n in results.summary.fail_by_severity.items()):
            return ExitCode.GATE
    return ExitCode.OK if results.summary.complete else ExitCode.INCOMPLETE


def _report(results: Results, as_json: bool, out: Path) -> None:
    if as_json:
        click.echo(json.dumps({"out": str(out), "summary": results.summary.to_json()}, indent=1, sort_keys=True))
        return
    from .render import print_summary

    print_summary(results)


@cli.command()
@click.option("--provider", type=click.Choice(["aws"]), default="aws", show_default=True)
@click.option("--profile", "profile", metavar="FILE|ID", help="Regulatory profile (default: built-in kr-fss).")
@click.option("--account", "accounts", multiple=True, metavar="ID", help="Account to scan (repeatable).")
@click.option("--role-name", metavar="NAME", help="Role assumed in each --account.")
@click.option("--external-id-env", metavar="VAR", help="Environment variable holding the ExternalId for --role-name.")
@click.option("--region", "regions", multiple=True, metavar="R", help="Region (repeatable; default: all enabled).")
@click.option("--exclude-region", "exclude_regions", multiple=True, metavar="R")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Workload tag filter (keys ANDed).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Exclude resources whose id or name matches.")
@click.option("--service", "services", multiple=True, metavar="NAME", help="Collect only these services.")
@click.option("--check", "check_ids", multiple=True, metavar="ID", help="Evaluate only these checks.")
@click.option("--endpoint-url", metavar="URL", envvar="AWS_ENDPOINT_URL", help="Local emulator endpoint (moto).")
@click.option("--max-workers", type=click.IntRange(1, 256), default=16, show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output directory.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 4 if a FAIL at or above this severity.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-progress", is_flag=True)
def scan(
    provider: str,
    profile: str | None,
    accounts: tuple[str, ...],
    role_name: str | None,
    external_id_env: str | None,
    regions: tuple[str, ...],
    exclude_regions: tuple[str, ...],
    tags: tuple[str, ...],
    exclude: tuple[str, ...],
    services: tuple[str, ...],
    check_ids: tuple[str, ...],
    endpoint_url: str | None,
    max_workers: int,
    out: Path,
    fail_on: str | None,
    as_json: bool,
    no_progress: bool,
) -> None:
    """Scan a cloud workload and write findings.json, coverage.json and raw/ into --out."""
    import os

    from .api import scan as run_scan
    from .scope import Scope, parse_tag_filters

    external_id = None
    if external_id_env:
        external_id = os.environ.get(external_id_env)
        if not external_id:
            raise UsageError(f"--external-id-env {external_id_env}: variable is not set")
    scope = Scope(
        provider=provider,
        accounts=accounts,
        role_name=role_name,
        external_id=external_id,
        regions=regions,
        exclude_regions=exclude_regions,
        tags=parse_tag_filters(tags),
        exclude=exclude,
        services=services,
        endpoint_url=endpoint_url or None,
        max_workers=max_workers,
    )
    checks = _checks(profile, check_ids) if check_ids else None
    with _progress(not no_progress and not as_json, "scanning") as progress:
        results = run_scan(scope, out, profile=profile, checks=checks, progress=progress)
    _report(results, as_json, out)
    sys.exit(_gate(results, fail_on))


def _checks(profile: str | None, ids: tuple[str, ...]) -> Any:
    from .api import default_checks
    from .profile import load_profile

    return default_checks(load_profile(profile), ids)


@cli.command()
@click.argument("scan_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--profile", "profile", metavar="FILE|ID")
@click.option("--check", "check_ids", multiple=True, metavar="ID")
@click.option("--fail-on", type=click.Choice(SEVERITIES))
@click.option("--json", "as_json", is_flag=True)
def evaluate(
    scan_dir: Path, profile: str | None, check_ids: tuple[str, ...], fail_on: str | None, as_json: bool
) -> None:
    """Re-evaluate a stored inventory (no cloud access) and rewrite its findings."""
    from .api import evaluate as run_evaluate

    checks = _checks(profile, check_ids) if check_ids else None
    results = run_evaluate(scan_dir, profile=profile, checks=checks)
    _report(results, as_json, scan_dir)
    sys.exit(_gate(results, fail_on))


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("clearance-demo"), show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-progress", is_flag=True)
def demo(out: Path, as_json: bool, no_progress: bool) -> None:
    """Scan an embedded CRM + gen-AI workload on an in-process AWS emulator (no account needed)."""
    from .demo import run_demo  # raises UsageError naming the 'demo' extra when moto is missing

    with _progress(not no_progress and not as_json, "demo") as progress:
        results = run_demo(out, progress=progress)
    _report(results, as_json, out)
    if not as_json:
        click.echo(f"\nOutput written to {out}/ (findings.json, coverage.json, raw/, logs/)")


@cli.group()
def checks() -> None:
    """Inspect the content pack."""


@checks.command("list")
@click.option("--provider", type=click.Choice(["aws", "azure", "gcp"]))
@click.option("--control", metavar="ID", help="Only checks mapped to this control.")
@click.option("--json", "as_json", is_flag=True)
def checks_list(provider: str | None, control: str | None, as_json: bool) -> None:
    """List checks (table, or JSON with --json)."""
    from .engine.checks import load_checks

    loaded = load_checks(providers=(provider,) if provider else ())
    if control and control not in loaded.controls:
        raise UsageError(f"unknown control id {control!r}")
    items = [c for c in loaded.checks if not control or control in c.controls]
    if as_json:
        click.echo(json.dumps([c.summary_json() for c in items], indent=1, ensure_ascii=False))
        return
    from .render import print_checks

    print_checks(items)


@cli.command()
@click.argument("provider", type=click.Choice(["aws"]))
def permissions(provider: str) -> None:
    """Print the least-privilege policy the collectors need (derived from declared operations)."""
    from .providers import get_provider
    from .providers.aws.permissions import iam_policy

    click.echo(json.dumps(iam_policy(get_provider(provider).operations()), indent=2))


@cli.group()
def keys() -> None:
    """Signing keys for evidence packages."""


@keys.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--algorithm",
    type=click.Choice(["ecdsa-p256", "rsa-pss-3072", "ed25519"]),
    default="ecdsa-p256",
    show_default=True,
)
@click.option("--encrypt", is_flag=True, help="Encrypt key.pem (password: env CLEARANCE_KEY_PASSWORD, else a prompt).")
def keys_init(directory: Path, algorithm: str, encrypt: bool) -> None:
    """Create a throwaway development PKI: root CA, issuing CA, signing key, chain and CRLs (not for filing)."""
    import os

    from .evidence.devpki import init_dev_keys

    password: bytes | None = None
    if encrypt:
        text = os.environ.get("CLEARANCE_KEY_PASSWORD")
        if text is None:
            if not sys.stdin.isatty():
                raise UsageError("--encrypt: set CLEARANCE_KEY_PASSWORD (no terminal to prompt on)")
            text = click.prompt("Key password", hide_input=True, confirmation_prompt=True)
        if not text:
            raise UsageError("--encrypt: the password is empty")
        password = text.encode()
    made = init_dev_keys(directory, algorithm=algorithm, password=password)
    click.echo(f"signing key:  {made.key}{' (encrypted)' if password else ''}")
    click.echo(f"chain:        {made.chain}")
    click.echo(f"trust anchor: {made.root}")
    click.echo(f"CRLs:         {', '.join(str(p) for p in made.crls)}")
    click.echo(f"signer spec:  {made.signer_spec}")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except ClearanceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    main()
