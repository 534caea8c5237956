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
    4 gate reached (--fail-on, diff --fail-on-new), 5 credentials, 6 verification failed.
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


def _report(results: Results, as_json: bool, out: Path, extra: dict[str, str] | None = None) -> None:
    if as_json:
        doc = {"out": str(out), "summary": results.summary.to_json(), **(extra or {})}
        click.echo(json.dumps(doc, indent=1, sort_keys=True))
        return
    from .render import print_summary

    print_summary(results)


_PACKAGE_FIELDS = (
    "filing_id",
    "signers",
    "nonce",
    "nonce_issued_on",
    "regulator",
    "purpose",
    "firm",
    "firm_ids",
    "tsa",
    "crls",
    "offline",
    "supersedes",
    "redaction_policy",
    "store",
    "no_reports",
)


def _package_options(*, for_scan: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Evidence-package options shared by ``package`` and ``scan --package``; the command gets ``package_args``."""
    required = not for_scan
    options = [
        click.option("--filing-id", metavar="ID", required=required, help="Regulator filing id the package is for."),
        click.option(
            "--signer",
            "signers",
            multiple=True,
            required=required,
            metavar="SPEC",
            help="Signer, e.g. file:key.pem?chain=chain.pem or awskms:ARN?chain=chain.pem (repeatable).",
        ),
        click.option("--nonce", metavar="N", help="Nonce the regulator's portal issued for this filing."),
        click.option("--nonce-issued-on", metavar="TIME", help="When the nonce was issued (UTC, ...Z)."),
        click.option("--regulator", metavar="NAME", help="Regulator, e.g. FSS."),
        click.option("--purpose", metavar="TEXT", help="Purpose of the filing."),
        click.option("--firm", metavar="NAME", help="Firm name recorded in the package."),
        click.option("--firm-id", "firm_ids", multiple=True, metavar="SCHEME=VALUE", help="Firm id (repeatable)."),
        click.option("--tsa", metavar="URL", help="RFC 3161 timestamp authority (without one, verifiers reject)."),
        click.option(
            "--crl", "crls", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="CRL to embed."
        ),
        click.option("--offline", is_flag=True, help="Do not fetch CRLs; embed only --crl files."),
        click.option(
            "--supersedes",
            type=click.Path(path_type=Path, exists=True),
            metavar="OLD.zip",
            help="The package of the same filing this one replaces.",
        ),
        click.option(
            "--redaction-policy",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Redaction policy (YAML/JSON; default: built-in).",
        ),
        click.option("--store", is_flag=True, help="Store files uncompressed (faster; larger ZIP)."),
        click.option("--no-reports", is_flag=True, help="Do not write the reports (HTML, OSCAL, OCSF, CSV) into it."),
    ]
    if for_scan:
        options.append(
            click.option(
                "--package",
                "package_out",
                type=click.Path(path_type=Path),
                metavar="FILE.zip",
                help="Also write a signed evidence package of the scan.",
            )
        )

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        import functools

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> None:
            from .evidence.commands import PackageArgs

            values: dict[str, Any] = {name: kwargs.pop(name) for name in _PACKAGE_FIELDS}
            out = kwargs.pop("package_out", None)
            if for_scan and out is None:
                given = [f"--{k.replace('_', '-')}" for k, v in values.items() if v not in (None, False, ())]
                if given:
                    raise UsageError(f"{', '.join(given)}: only with --package FILE.zip")
                command(package_args=None, **kwargs)
                return
            if for_scan and (not values["filing_id"] or not values["signers"]):
                raise UsageError("--package needs --filing-id and at least one --signer")
            args = PackageArgs(**values)
            command(package_args=(out, args) if for_scan else args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _register_options(command: Callable[..., None]) -> Callable[..., None]:
    """--exceptions, --attestations and --as-of, shared by ``scan`` and ``evaluate``; the command gets ``registers``."""
    import functools

    @functools.wraps(command)
    def wrapper(exceptions: Path | None, attestations: Path | None, as_of: Any, **kwargs: Any) -> None:
        day = as_of.date() if as_of is not None else None
        command(registers={"exceptions": exceptions, "attestations": attestations, "as_of": day}, **kwargs)

    options = [
        click.option(
            "--exceptions",
            type=click.Path(path_type=Path, dir_okay=False),
            metavar="FILE",
            help="Exceptions register (YAML): accepted FAIL/NEEDS_CONTEXT findings become MUTED.",
        ),
        click.option(
            "--attestations",
            type=click.Path(path_type=Path, dir_okay=False),
            metavar="FILE",
            help="Attestations register (YAML) for manual checks; its evidence files are copied into the scan.",
        ),
        click.option(
            "--as-of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            metavar="YYYY-MM-DD",
            help="Day the registers are judged at (default: today, UTC).",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


_RETAIN_DAYS = click.option(
    "--retain-days",
    type=click.IntRange(1, 36500),
    metavar="N",
    help="Lock the published package for N days (default: the longest *_retention_days of its profile).",
)
_LOCK_MODE = click.option(
    "--lock-mode",
    type=click.Choice(["COMPLIANCE", "GOVERNANCE"]),
    help="Object Lock mode of the published package (default COMPLIANCE: nobody can delete it early).",
)


def _publish_options(command: Callable[..., None]) -> Callable[..., None]:
    """--publish, --chain, --retain-days, --lock-mode, shared by ``scan`` and ``package``; the command gets
    ``publish_args`` (docs/scheduled.md)."""
    import functools

    @functools.wraps(command)
    def wrapper(
        publish: str | None, chain: bool, retain_days: int | None, lock_mode: str | None, **kwargs: Any
    ) -> None:
        args = None
        if publish is not None:
            from .evidence.store.publish import PublishArgs

            args = PublishArgs(publish, chain, retain_days, lock_mode or "COMPLIANCE")
        elif chain or retain_days is not None or lock_mode is not None:
            raise UsageError("--chain, --retain-days and --lock-mode: only with --publish s3://BUCKET/PREFIX/")
        command(publish_args=args, **kwargs)

    options = [
        click.option(
            "--publish",
            metavar="s3://BUCKET/PREFIX/",
            help="Also file the package in this bucket (S3 Object Lock required); the only write clearance makes.",
        ),
        click.option("--chain", is_flag=True, help="Supersede the newest package of the same filing in --publish."),
        _RETAIN_DAYS,
        _LOCK_MODE,
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _publisher(publish_args: Any, package_args: Any) -> Any:
    """The checked store (bad URL, no bucket, no Object Lock: exit before any work), or None."""
    if publish_args is None:
        return None
    if package_args is None:
        raise UsageError("--publish: only with --package FILE.zip")
    from .evidence.store.publish import Publisher

    return Publisher.open(publish_args, package_args)


def _print_published(published: Any, as_json: bool) -> None:
    if published.warning:
        click.echo(f"WARNING: {published.warning}", err=True)
    if as_json:
        click.echo(json.dumps(published.to_json(), indent=1))
        return
    click.echo(f"published: {published.stored.url} (version {published.stored.version_id})")
    click.echo(f"  locked {published.lock.describe()}: {published.reason}")
    if published.supersedes:
        click.echo(f"  supersedes statement {published.supersedes}")


def _print_package(result: Any, as_json: bool) -> None:
    data = {
        "package": str(result.path),
        "statement_sha256": result.statement_sha256,
        "files": result.file_count,
        "bytes": result.total_bytes,
        "redactions": result.redactions,
        "keyids": list(result.keyids),
    }
    if as_json:
        click.echo(json.dumps(data, indent=1))
        return
    click.echo(f"evidence package: {result.path}")
    click.echo(f"  {result.file_count} files, {result.total_bytes} bytes, {result.redactions} values redacted")
    click.echo(f"  statement sha256: {result.statement_sha256}")
    if not result.timestamps:
        click.echo("  WARNING: no timestamp (--tsa): verifiers will reject this package by default", err=True)


@cli.command()
@click.option("--provider", type=click.Choice(["aws", "azure", "gcp"]), default="aws", show_default=True)
@click.option("--profile", "profile", metavar="FILE|ID", help="Regulatory profile (default: built-in kr-fss).")
@click.option("--account", "accounts", multiple=True, metavar="ID", help="Account to scan (repeatable).")
@click.option("--subscription", "subscriptions", multiple=True, metavar="ID", help="Azure subscription (repeatable).")
@click.option("--management-group", "management_groups", multiple=True, metavar="ID", help="Azure: scan all under it.")
@click.option("--project", "projects", multiple=True, metavar="ID", help="GCP project id (repeatable).")
@click.option("--organization", "organizations", multiple=True, metavar="ID", help="GCP: scan all projects under it.")
@click.option("--folder", "folders", multiple=True, metavar="ID", help="GCP: scan all projects under this folder.")
@click.option(
    "--organization-accounts", "organization", is_flag=True, help="AWS: scan every account of the organization."
)
@click.option("--ou", "ous", multiple=True, metavar="ID", help="AWS: scan the accounts under this OU (or root).")
@click.option("--exclude-account", "exclude_accounts", multiple=True, metavar="ID", help="AWS: never scan it.")
@click.option("--role-name", metavar="NAME", help="Role assumed in every account but the caller's.")
@click.option("--external-id-env", metavar="VAR", help="Environment variable holding the ExternalId for --role-name.")
@click.option("--region", "regions", multiple=True, metavar="R", help="Region (repeatable; default: all enabled).")
@click.option("--exclude-region", "exclude_regions", multiple=True, metavar="R")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Workload tag filter (keys ANDed).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Exclude resources whose id or name matches.")
@click.option("--service", "services", multiple=True, metavar="NAME", help="Collect only these services.")
@click.option("--check", "check_ids", multiple=True, metavar="ID", help="Evaluate only these checks.")
@click.option("--endpoint-url", metavar="URL", envvar="AWS_ENDPOINT_URL", help="Local emulator endpoint (moto).")
@click.option("--max-workers", type=click.IntRange(1, 256), default=16, show_default=True)
@click.option(
    "--executor",
    default="local",
    show_default=True,
    metavar="local|dask://HOST:PORT",
    help="Where collection units run: this process, or an existing Dask cluster (AWS; docs/distributed.md).",
)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output directory.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 4 if a FAIL at or above this severity.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-progress", is_flag=True)
@_register_options
@_package_options(for_scan=True)
@_publish_options
def scan(
    provider: str,
    profile: str | None,
    accounts: tuple[str, ...],
    subscriptions: tuple[str, ...],
    management_groups: tuple[str, ...],
    projects: tuple[str, ...],
    organizations: tuple[str, ...],
    folders: tuple[str, ...],
    organization: bool,
    ous: tuple[str, ...],
    exclude_accounts: tuple[str, ...],
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
    executor: str,
    out: Path,
    fail_on: str | None,
    as_json: bool,
    no_progress: bool,
    package_args: Any,
    registers: dict[str, Any],
    publish_args: Any,
) -> None:
    """Scan a cloud workload and write findings.json, coverage.json and raw/ into --out.

    With --package FILE.zip, also write a signed evidence package of the scan; with --publish, file it in an
    S3 bucket under Object Lock (--chain: superseding the newest package of the same filing there).
    """
    import os

    from .api import scan as run_scan
    from .scope import Scope, parse_tag_filters

    external_id = None
    if external_id_env:
        external_id = os.environ.get(external_id_env)
        if not external_id:
            raise UsageError(f"--external-id-env {external_id_env}: variable is not set")
    containers = _gcp_containers(organizations, folders)
    if provider != "gcp" and (projects or containers):
        raise UsageError("--project, --organization and --folder apply to --provider gcp")
    if provider != "aws" and (organization or ous or exclude_accounts):
        raise UsageError("--organization-accounts, --ou and --exclude-account apply to --provider aws")
    if provider == "aws" and management_groups:
        raise UsageError("--management-group applies to --provider azure (for AWS organizational units: --ou)")
    scope = Scope(
        provider=provider,
        accounts=accounts + subscriptions + projects,
        management_groups=management_groups + containers + ous,
        role_name=role_name,
        external_id=external_id,
        regions=regions,
        exclude_regions=exclude_regions,
        tags=parse_tag_filters(tags),
        exclude=exclude,
        services=services,
        endpoint_url=endpoint_url or None,
        max_workers=max_workers,
        executor=executor,
        organization=organization,
        exclude_accounts=exclude_accounts,
    )
    checks = _checks(profile, check_ids) if check_ids else None
    publisher = _publisher(publish_args, package_args[1] if package_args else None)
    with _progress(not no_progress and not as_json, "scanning") as progress:
        results = run_scan(scope, out, profile=profile, checks=checks, progress=progress, **registers)
    _report(results, as_json, out)
    if package_args is not None:
        from .evidence.commands import package as build

        package_out, args = package_args
        built = build(out, package_out, args) if publisher is None else publisher.build(out, package_out, args)
        _print_package(built, as_json)
        if publisher is not None:
            _print_published(publisher.publish(built.path), as_json)
    sys.exit(_gate(results, fail_on))


def _gcp_containers(organizations: tuple[str, ...], folders: tuple[str, ...]) -> tuple[str, ...]:
    """``123`` or ``organizations/123`` -> ``organizations/123`` (likewise folders), as the GCP provider expects."""
    return tuple(f"organizations/{o.removeprefix('organizations/')}" for o in organizations) + tuple(
        f"folders/{f.removeprefix('folders/')}" for f in folders
    )


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
@_register_options
def evaluate(
    scan_dir: Path,
    profile: str | None,
    check_ids: tuple[str, ...],
    fail_on: str | None,
    as_json: bool,
    registers: dict[str, Any],
) -> None:
    """Re-evaluate a stored inventory (no cloud access) and rewrite its findings."""
    from .api import evaluate as run_evaluate

    checks = _checks(profile, check_ids) if check_ids else None
    results = run_evaluate(scan_dir, profile=profile, checks=checks, **registers)
    _report(results, as_json, scan_dir)
    sys.exit(_gate(results, fail_on))


@cli.command()
@click.option("--provider", type=click.Choice(["aws", "azure", "gcp"]), default="aws", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Output directory.  [default: clearance-demo, or clearance-demo-PROVIDER with --provider azure|gcp]",
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-progress", is_flag=True)
def demo(provider: str, out: Path | None, as_json: bool, no_progress: bool) -> None:
    """Scan an embedded CRM + gen-AI workload on a local emulator (no cloud account needed).

    AWS runs on in-process moto; Azure and GCP on local servers imitating their APIs on 127.0.0.1.
    """
    from .demo import run_demo  # raises UsageError naming the extra (demo / azure / gcp) when it is missing

    out = out or Path("clearance-demo" if provider == "aws" else f"clearance-demo-{provider}")
    from importlib.util import find_spec

    from .evidence.demo import build_demo_package, verify_command

    if find_spec("asn1crypto") is None:  # the demo package's timestamp authority: fail before any work
        raise UsageError("the demo's evidence package needs asn1crypto: pip install asn1crypto (in the 'demo' extra)")

    with _progress(not no_progress and not as_json, "demo") as progress:
        results = run_demo(out, provider=provider, progress=progress)
    package = build_demo_package(out)
    _report(results, as_json, out, {"package": str(package), "verify": verify_command(out)})
    if not as_json:
        _print_framework_answers(out / "reports" / "frameworks")
        html = out / "reports" / "report.html"
        if html.is_file():
            click.echo(f"\nReport for people (Korean/English, offline): {html}")
        click.echo(f"\nOutput written to {out}/ (findings.json, coverage.json, raw/, logs/, reports/)")
        click.echo(f"Signed evidence package {package} built and verified; verify it yourself with:")
        click.echo(f"  {verify_command(out)}")


def _print_framework_answers(folder: Path) -> None:
    """One line per framework answered in ``folder`` (reports/frameworks/*.json)."""
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if files:
        click.echo("\nAnswers per framework requirement (clearance report DIR --framework ID for details):")
    for path in files:
        doc = json.loads(path.read_text("utf-8"))
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in doc["summary"]["status"].items() if n)
        click.echo(f"  {doc['framework']['id']:<16} {doc['summary']['requirements']:>3} requirements: {counts}")


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
@click.argument("provider", type=click.Choice(["aws", "azure", "gcp"]))
def permissions(provider: str) -> None:
    """Print the least-privilege policy (AWS) or custom role (Azure, GCP) the collectors need."""
    from .providers import get_provider
    from .providers.aws.permissions import iam_policy
    from .providers.azure.permissions import role_definition
    from .providers.gcp.permissions import custom_role

    render = {"aws": iam_policy, "azure": role_definition, "gcp": custom_role}[provider]
    click.echo(json.dumps(render(get_provider(provider).operations()), indent=2))


@cli.command()
@click.argument("scan_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Package file (or directory).")
@click.option("--json", "as_json", is_flag=True)
@_package_options(for_scan=False)
@_publish_options
def package(scan_dir: Path, out: Path, as_json: bool, package_args: Any, publish_args: Any) -> None:
    """Build a signed evidence package (ZIP) from a scan directory, for a regulator filing."""
    from .evidence.commands import package as build

    publisher = _publisher(publish_args, package_args)
    built = build(scan_dir, out, package_args) if publisher is None else publisher.build(scan_dir, out, package_args)
    _print_package(built, as_json)
    if publisher is not None:
        _print_published(publisher.publish(built.path), as_json)


@cli.command()
@click.argument("package_path", metavar="PACKAGE", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("url", metavar="s3://BUCKET/PREFIX/")
@_RETAIN_DAYS
@_LOCK_MODE
@click.option("--json", "as_json", is_flag=True)
def publish(package_path: Path, url: str, retain_days: int | None, lock_mode: str | None, as_json: bool) -> None:
    """File a signed package in an S3 bucket with Object Lock, never overwriting (docs/scheduled.md).

    The only write clearance makes: with its own AWS credentials, to the firm's evidence bucket, never to a
    scanned resource. The package goes to PREFIX/FILING-ID/SCAN-END_STATEMENT-SHA256.evidence.zip.
    """
    from .evidence.store.publish import PublishArgs, Publisher

    publisher = Publisher.open(PublishArgs(url, False, retain_days, lock_mode or "COMPLIANCE", option="URL"))
    _print_published(publisher.publish(package_path), as_json)


@cli.command()
@click.argument("package_path", metavar="PACKAGE", type=click.Path(path_type=Path, exists=True))
@click.option("--trust", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="Signer anchors (PEM).")
@click.option("--tsa-trust", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="TSA anchors (PEM).")
@click.option("--filing-id", metavar="ID", help="Expected filing id (from the filing record).")
@click.option("--nonce", metavar="N", help="Expected nonce (from the filing record).")
@click.option("--window-hours", type=float, default=24.0, show_default=True, help="Allowed scan-to-timestamp delay.")
@click.option("--crl", "crls", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="Extra CRL.")
@click.option("--threshold", type=click.IntRange(1, 16), default=1, show_default=True, help="Trusted signers needed.")
@click.option("--require-eku", "ekus", multiple=True, metavar="OID", help="EKU the signer certificate must carry.")
@click.option("--require-policy", "policies", multiple=True, metavar="OID", help="Acceptable certificate policy.")
@click.option(
    "--allow-rsa-pkcs1v15", "allow_pkcs1v15", is_flag=True, help="Accept RSA PKCS#1 v1.5 (Korean licensed-CA keys)."
)
@click.option("--previous", type=click.Path(path_type=Path, exists=True), help="The package this one supersedes.")
@click.option("--re-evaluate", is_flag=True, help="Recompute the findings from the package's own inventory.")
@click.option("--unsafe-no-timestamp", is_flag=True, help="UNSAFE: accept signatures without a timestamp.")
@click.option("--unsafe-skip-revocation", is_flag=True, help="UNSAFE: accept missing revocation data.")
@click.option("--unsafe-any-filing", is_flag=True, help="UNSAFE: do not check the filing id and nonce.")
@click.option("--json", "as_json", is_flag=True, help="Print the verification report as JSON.")
def verify(package_path: Path, as_json: bool, **kwargs: Any) -> None:
    """Verify an evidence package (ZIP or directory) offline; exit 6 if it does not verify."""
    from .evidence.commands import VerifyArgs, verify_package

    report = verify_package(package_path, VerifyArgs(**kwargs))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=1, ensure_ascii=False))
    else:
        click.echo("\n".join(report.summary_lines()))
    sys.exit(ExitCode.OK if report.valid else ExitCode.VERIFY_FAILED)


@cli.command()
@click.argument("source", metavar="SCAN_DIR|PACKAGE", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    metavar="ID|FILE",
    help="Framework (repeatable; default: all that apply).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="NAME",
    help="text (default), json, csv, oscal, ocsf, html, or all (repeatable; all but text need --out).",
)
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), help="Directory for report files.")
@click.option(
    "--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Language of text output."
)
def report(source: Path, frameworks: tuple[str, ...], formats: tuple[str, ...], out: Path | None, lang: str) -> None:
    """Answer each requirement of a regulation or standard from a scan directory or evidence package."""
    from .reports import registry

    wanted = list(formats or ("text",))
    if "all" in wanted:
        wanted = [f for f in wanted if f != "all"] + [n for n in registry.names() if n not in wanted]
    files = [f for f in wanted if f != "text"]
    for name in files:
        registry.get(name)  # unknown format: usage error before any work
    if files and out is None:
        raise UsageError(f"--format {', '.join(files)}: give --out DIR for the report files")
    if "text" in wanted:
        from .render import print_framework
        from .reports.context import build_context
        from .scanresults import open_results

        with open_results(source) as results:
            ctx = build_context(results, frameworks)
            if not ctx.frameworks:
                raise UsageError(f"no framework covers provider {results.provider!r}; name one with --framework")
            for result in ctx.frameworks:
                print_framework(result, lang)
            if results.kind == "package":
                click.echo("(read from an evidence package, not signature-verified here: run clearance verify)")
    if files and out is not None:
        from .reports.generate import write_reports

        for path in write_reports(source, out, files, frameworks):
            click.echo(f"wrote {path}")


@cli.group()
def frameworks() -> None:
    """Regulations and standards: list the built-in ones, validate your own."""


@frameworks.command("list")
@click.option("--json", "as_json", is_flag=True)
def frameworks_list(as_json: bool) -> None:
    """List built-in frameworks with their requirement counts per class and cloud."""
    from .engine.checks import load_checks
    from .frameworks.loader import load_frameworks

    loaded = load_frameworks(load_checks())
    rows = []
    for fw in loaded:
        classes = {p: dict(sorted(_count(r.class_for(p).value for r in fw.requirements).items())) for p in fw.providers}
        rows.append({**fw.summary_json(), "requirements": len(fw.requirements), "classes": classes})
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:<20} {row['requirements']:>4} requirements  {row['title']['en']}")


def _count(values: Any) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(values))


@frameworks.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def frameworks_validate(files: tuple[Path, ...]) -> None:
    """Validate framework files against the schema and the content pack (exit 2 on the first problem)."""
    from .engine.checks import load_checks
    from .frameworks.loader import load_framework_file

    checks = load_checks()
    for path in files:
        if not path.is_file():
            raise UsageError(f"framework file {path}: no such file")
        fw = load_framework_file(path, checks)
        click.echo(f"{path}: ok ({fw.id} {fw.version}, {len(fw.requirements)} requirements)")


@cli.command()
@click.argument("old", metavar="OLD", type=click.Path(path_type=Path))
@click.argument("new", metavar="NEW", type=click.Path(path_type=Path))
@click.option("--fail-on-new", is_flag=True, help="Exit 4 if NEW has a FAIL finding that was not FAIL in OLD.")
@click.option("--limit", type=click.IntRange(0), default=20, show_default=True, help="Rows per table (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON (schemas/diff.schema.json).")
def diff(old: Path, new: Path, fail_on_new: bool, limit: int, as_json: bool) -> None:
    """What changed between two scans (scan directories or evidence packages, in any mix).

    Signatures are not verified: run `clearance verify` on packages first.
    """
    from .diffing import diff_scans

    document = diff_scans(old, new)
    if as_json:
        click.echo(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        from .diffing.render import print_diff

        print_diff(document, limit)
    sys.exit(ExitCode.GATE if fail_on_new and document["findings"]["counts"]["new_failures"] else ExitCode.OK)


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
