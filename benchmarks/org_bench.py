"""Organisation-scale scan benchmark: a synthetic AWS organisation on moto's server, behind a latency proxy.

Usage (from the repository root, ``demo`` extra installed)::

    python benchmarks/org_bench.py                                   # print the tables
    python benchmarks/org_bench.py --write docs/benchmarks.md --scale-doc docs/scale.md

What it does, in one command:

1. starts ``org_seed.py`` (moto's server in its own process) with ``--accounts`` member accounts and
   ``--regions``, and grows the organisation block by block to each ``--scale`` (a block is about 80
   resources in one account and region; with the region baseline, scale 1 is about 100 resources a region);
2. puts :class:`clearance.fakes.proxy.LatencyProxy` in front of it: ``--latency-ms`` per request, requests
   counted per service and operation, moto's "not implemented" 500s answered as non-retryable 501s (so the
   benchmark measures the scanner, not botocore's back-off on an emulator gap; they are counted and reported);
3. runs ``clearance scan`` as a subprocess over every member account (``--account ... --role-name
   OrganizationAccountAccessRole``) and both regions, and records wall time, CPU time and peak RSS of that
   process (``os.wait4``), the emulator's CPU time, API requests (from the proxy) in total, per resource and
   per service, retries (from the scan's ``logs/api-calls.jsonl``), resources, findings and coverage.

Rows: each scale at ``--scale-workers``; the concurrency curve (``--workers``) at the first scale; and, with
``--throttle``, the first scale again with that share of requests answered with throttling errors, whose
findings must equal the unthrottled run's (the row says whether they do).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from org_seed import ROLE
from sections import write_section

from clearance.fakes.proxy import THROTTLE, Fault, FaultPlan, LatencyProxy

SECTION = "org-bench"
REQUESTS_SECTION = "org-bench-requests"
HERE = Path(__file__).resolve().parent


class Emulator:
    """The ``org_seed.py`` child process: moto's server holding the synthetic organisation."""

    def __init__(self, accounts: int, regions: list[str], seed: int):
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "org_seed.py"),
                "--accounts",
                str(accounts),
                "--regions",
                ",".join(regions),
                "--seed",
                str(seed),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._read()
        self.url: str = ready["url"]
        self.accounts: list[str] = ready["accounts"]
        self.regions: list[str] = ready["regions"]
        self.seeding = 0.0

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"org_seed.py exited ({self.process.wait()}); see its error output above")
        event: dict[str, Any] = json.loads(line)
        return event

    def grow(self, scale: int) -> None:
        stdin: IO[str] | None = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps({"grow": scale}) + "\n")
        stdin.flush()
        self.seeding += float(self._read()["seconds"])

    def cpu_seconds(self) -> float:
        import psutil  # type: ignore[import-untyped]

        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Run:
    """One scan: its parameters and what was measured."""

    label: str
    scale: int
    latency_ms: float
    workers: int
    throttle: float
    rate_limits: bool = True
    """False: the scan runs with ``CLEARANCE_AWS_RATE_LIMITS=off``."""
    exit_code: int = 0
    wall: float = 0.0
    collect: float = 0.0
    cpu: float = 0.0
    emulator_cpu: float = 0.0
    peak_rss_mb: float = 0.0
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    injected: int = 0
    unimplemented: Counter[tuple[str, str]] = field(default_factory=Counter)
    retries: int = 0
    resources: Counter[str] = field(default_factory=Counter)
    summary: dict[str, Any] = field(default_factory=dict)
    verdicts: frozenset[tuple[str, str, str]] = frozenset()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def total_resources(self) -> int:
        return sum(self.resources.values())


def _clearance() -> list[str]:
    exe = shutil.which("clearance")
    return [exe] if exe else [sys.executable, "-m", "clearance.cli"]


def _scan_env(rate_limits: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLEARANCE_AWS_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    if not rate_limits:
        env["CLEARANCE_AWS_RATE_LIMITS"] = "off"
    return env


def _resources(out: Path) -> Counter[str]:
    """Resources written per collector service (``raw/aws/<account>/<region>/<service>/<type>.jsonl``)."""
    counts: Counter[str] = Counter()
    for path in (out / "raw" / "aws").glob("*/*/*/*.jsonl"):
        with path.open("rb") as fh:
            counts[path.parent.name] += sum(1 for _ in fh)
    return counts


def _verdicts(out: Path) -> frozenset[tuple[str, str, str]]:
    findings = json.loads((out / "findings.json").read_text("utf-8"))["findings"]
    return frozenset((f["check_id"], f["resource"]["id"], f["verdict"]) for f in findings)


def _calls(out: Path) -> tuple[int, float]:
    """Retries logged by the scan, and its collection time (first call's start to last call's end)."""
    retries, first, last = 0, float("inf"), 0.0
    with (out / "logs" / "api-calls.jsonl").open("rb") as fh:
        for line in fh:
            call = json.loads(line)
            retries += int(call.get("retries") or 0)
            start = datetime.fromisoformat(call["time"].replace("Z", "+00:00")).timestamp()
            first, last = min(first, start), max(last, start + call["duration_ms"] / 1000)
    return retries, max(0.0, last - first)


def run_scan(emulator: Emulator, run: Run, work: Path, seed: int) -> Run:
    faults = FaultPlan([Fault(THROTTLE, run.throttle)], seed=seed) if run.throttle else None
    out = work / run.label
    with LatencyProxy(emulator.url, latency_ms=run.latency_ms, faults=faults, unimplemented_as_501=True) as proxy:
        command = [*_clearance(), "scan", "--endpoint-url", proxy.url, "--role-name", ROLE, "--out", str(out)]
        command += [a for acct in emulator.accounts for a in ("--account", acct)]
        command += [a for region in emulator.regions for a in ("--region", region)]
        command += ["--max-workers", str(run.workers), "--no-progress", "--json"]
        emulator_before = emulator.cpu_seconds()
        started = time.perf_counter()
        with (work / f"{run.label}.out").open("w+b") as stdout, (work / f"{run.label}.err").open("w+b") as stderr:
            process = subprocess.Popen(command, env=_scan_env(run.rate_limits), stdout=stdout, stderr=stderr)
            _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage (peak RSS, CPU)
            run.wall = time.perf_counter() - started
            run.emulator_cpu = emulator.cpu_seconds() - emulator_before
            stats = proxy.stats()
            process.returncode = run.exit_code = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            output, errors = stdout.read(), stderr.read()
    if run.exit_code not in (0, 3):  # 3: complete scan with some checks not evaluated
        raise RuntimeError(f"scan {run.label} exited {run.exit_code}:\n{errors.decode()[-3000:]}")
    run.cpu = usage.ru_utime + usage.ru_stime
    run.peak_rss_mb = usage.ru_maxrss / 1024
    run.requests = stats.requests
    run.injected = sum(stats.injected.values())
    run.unimplemented = stats.unimplemented
    run.retries, run.collect = _calls(out)
    run.resources = _resources(out)
    run.summary = json.loads(output)["summary"]
    run.verdicts = _verdicts(out)
    print(
        f"{run.label}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, {run.total_requests} requests, "
        f"{run.total_resources} resources, {run.peak_rss_mb:.0f} MB",
        file=sys.stderr,
    )
    return run


# -- reporting ---------------------------------------------------------------------------------------------


def _operation_owners() -> dict[tuple[str, str], str]:
    """(botocore service, operation) -> the collector service that declares it (first one wins)."""
    from clearance.providers.aws.collectors import all_collectors

    owners: dict[tuple[str, str], str] = {}
    for collector in all_collectors():
        for op in collector.operations:
            owners.setdefault((op.service, op.name), collector.service)
    return owners


def _by_collector(run: Run, owners: dict[tuple[str, str], str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for key, n in run.requests.items():
        out[owners.get(key, "(session: identity, AssumeRole)")] += n
    return out


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import botocore
    import moto
    import psutil

    import clearance

    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, clearance {clearance.__version__}, botocore {botocore.__version__}, "
        f"moto {moto.__version__}"
    )


def _row(run: Run, baseline: Run | None) -> str:
    per_resource = run.total_requests / max(1, run.total_resources)
    same = ""
    if run.throttle and baseline is not None:
        same = "identical" if run.verdicts == baseline.verdicts else "DIFFERENT"
    throttle = f"{run.throttle:.0%} ({run.injected})" if run.throttle else "-"
    return (
        f"| {run.scale}x | {run.total_resources:,} | {run.latency_ms:.0f} ms | {run.workers} "
        f"| {'default' if run.rate_limits else 'off'} | {throttle} | {run.wall:.1f} | {run.collect:.1f} "
        f"| {run.cpu:.1f} | {run.emulator_cpu:.1f} | {run.total_requests:,} | {per_resource:.2f} "
        f"| {run.retries} | {run.peak_rss_mb:.0f} | {run.summary.get('findings', 0):,} | {same} |"
    )


def report(runs: list[Run], args: argparse.Namespace, emulator: Emulator) -> str:
    first = runs[0]
    unimplemented = sorted({f"{s}:{o}" for r in runs for (s, o) in r.unimplemented})
    coverage = first.summary.get("coverage", {})
    baseline = next(
        (r for r in runs if r.scale == first.scale and not r.throttle and r.workers == args.scale_workers), None
    )
    lines = [
        "## Organisation scan (synthetic AWS organisation on moto, behind a latency proxy)",
        "",
        "Generated by `python benchmarks/org_bench.py --write docs/benchmarks.md --scale-doc docs/scale.md` "
        "(see `benchmarks/README.md`).",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d')}",
        f"- machine: {_machine()}",
        f"- organisation: {len(emulator.accounts)} member accounts x {len(emulator.regions)} regions "
        f"({', '.join(emulator.regions)}), seed {args.seed}; scanned as the management account assuming "
        f"`{ROLE}` in each member; seeding took {emulator.seeding:.0f} s in all",
        f"- emulator: moto's server in its own process; proxy latency {args.latency_ms:g} ms per request; "
        f"operations moto does not implement (answered 501, not retried): {', '.join(unimplemented) or 'none'}",
        f"- coverage at {first.scale}x: {coverage.get('evaluated', 0)} checks evaluated, "
        f"{coverage.get('no_resources', 0)} with no resources in scope, {coverage.get('not_evaluated', 0)} not "
        "evaluated (moto gaps above)",
        "",
        "Wall, CPU and peak RSS are the `clearance scan` process's (start-up, collection, evaluation, writing the "
        "scan directory); *collect* is the collection alone (first API call to last answer); emulator CPU is "
        "moto's server's during that scan. *Rate limits* default: clearance's client-side token buckets "
        "(`CLEARANCE_AWS_RATE_LIMITS` unset); off: `CLEARANCE_AWS_RATE_LIMITS=off`. On this machine both share "
        f"the same {os.cpu_count()} cores, so a run whose scan CPU plus emulator CPU approaches wall x cores is "
        "bound by the machine, not by the latency.",
        "",
        "| scale | resources | latency | workers | rate limits | throttled (injected) | wall s | collect s "
        "| scan CPU s | emulator CPU s | API requests | requests / resource | retries | peak RSS MB | findings "
        "| findings vs unthrottled |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(_row(r, baseline) for r in runs),
        "",
        *_notes(runs),
    ]
    return "\n".join(lines)


def _notes(runs: list[Run]) -> list[str]:
    """What the table shows, computed from it (the reasons are in docs/scale.md and benchmarks/README.md)."""
    plain = [r for r in runs if not r.throttle and r.rate_limits]
    curve = sorted((r for r in plain if r.scale == plain[0].scale), key=lambda r: r.workers)
    largest = max(plain, key=lambda r: r.scale)
    unlimited = next((r for r in runs if not r.rate_limits), None)
    notes = ["Reading the table:", ""]
    if len(curve) > 1:
        one, best = curve[0], min(curve, key=lambda r: r.wall)
        per_call = one.collect / max(1, one.total_requests) * 1000
        notes.append(
            f"- {one.workers} worker: {one.collect:.1f} s of collection for {one.total_requests:,} requests, "
            f"{per_call:.0f} ms a request (latency-bound); {best.workers} workers: {one.wall / best.wall:.1f}x "
            f"faster. What remains at this size is fixed work (start-up, evaluation, writing: wall minus collect) "
            "and the longest chain of sequential calls."
        )
    if unlimited is not None:
        busy = unlimited.cpu + unlimited.emulator_cpu
        notes.append(
            f"- {unlimited.scale}x without rate limits: scan and emulator used {busy:.0f} CPU seconds of the "
            f"{unlimited.wall * (os.cpu_count() or 1):.0f} this machine had during {unlimited.wall:.0f} s: "
            "(the proxy's not counted): close to what the machine has, with moto's server on the same cores."
        )
        notes.append(
            f"- {largest.scale}x with the default rate limits: {largest.wall:.0f} s instead of {unlimited.wall:.0f} s. "
            "The limits themselves allow more (every API of every account and region has its own bucket); the "
            "time is lost because one unit's per-resource calls (here CloudWatch Logs `ListTagsForResource`, "
            "one per log group) fill the scan's shared detail pool while they wait for their bucket, so no other "
            "unit's call runs meanwhile. See docs/scale.md."
        )
    notes.append(
        f"- Requests per resource fall from {plain[0].total_requests / max(1, plain[0].total_resources):.2f} to "
        f"{largest.total_requests / max(1, largest.total_resources):.2f} as per-account and per-region listings "
        "are shared by more resources (per service: docs/scale.md)."
    )
    return [*notes, ""]


def requests_report(runs: list[Run]) -> str:
    """Requests per resource per collector service at the smallest and largest scale, and per operation."""
    owners = _operation_owners()
    unthrottled = [r for r in runs if not r.throttle and r.rate_limits]
    small = min(unthrottled, key=lambda r: r.scale)
    large = max(unthrottled, key=lambda r: r.scale)
    small_by, large_by = _by_collector(small, owners), _by_collector(large, owners)
    lines = [
        f"Measured by `benchmarks/org_bench.py` at {small.scale}x and {large.scale}x "
        f"({small.total_resources:,} and {large.total_resources:,} resources).",
        "",
        f"| collector | resources {small.scale}x | requests {small.scale}x | per resource "
        f"| resources {large.scale}x | requests {large.scale}x | per resource |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for service in sorted(set(small_by) | set(large_by)):
        rs, rl = small.resources.get(service, 0), large.resources.get(service, 0)
        qs, ql = small_by.get(service, 0), large_by.get(service, 0)
        ratio_s, ratio_l = (qs / rs if rs else 0), (ql / rl if rl else 0)
        lines.append(f"| {service} | {rs:,} | {qs:,} | {ratio_s:.2f} | {rl:,} | {ql:,} | {ratio_l:.2f} |")
    lines.append(
        f"| **total** | {small.total_resources:,} | {small.total_requests:,} "
        f"| {small.total_requests / max(1, small.total_resources):.2f} | {large.total_resources:,} "
        f"| {large.total_requests:,} | {large.total_requests / max(1, large.total_resources):.2f} |"
    )
    growth = large.scale / small.scale
    lines += [
        "",
        f"Per operation; *growth* is requests at {large.scale}x / requests at {small.scale}x: about {growth:g} "
        "for a call made per resource, about 1 for a call made per account or region (and a few in between "
        "for listings that page).",
        "",
        f"| service | operation | requests {small.scale}x | requests {large.scale}x | growth |",
        "|---|---|---:|---:|---:|",
    ]
    for key in sorted(set(small.requests) | set(large.requests)):
        a, b = small.requests.get(key, 0), large.requests.get(key, 0)
        lines.append(f"| {key[0]} | {key[1]} | {a:,} | {b:,} | {b / a if a else 0:.1f} |")
    return "\n".join(lines) + "\n"


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=2, help="member accounts (default 2)")
    parser.add_argument("--regions", default="ap-northeast-2,us-east-1", help="comma-separated regions")
    parser.add_argument("--scale", type=_ints, default=[1, 5, 20], help="blocks per account and region (1,5,20)")
    parser.add_argument("--latency-ms", type=float, default=30.0, help="proxy latency per request (default 30)")
    parser.add_argument("--workers", type=_ints, default=[1, 8, 32, 64], help="concurrency curve at the first scale")
    parser.add_argument("--scale-workers", type=int, default=32, help="--max-workers of the scale rows (32)")
    parser.add_argument("--throttle", type=float, default=0.2, help="share of requests throttled in one row (0: none)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the organisation and of the faults")
    parser.add_argument(
        "--no-limits-row", action="store_true", help="skip the row at the largest scale with rate limits off"
    )
    parser.add_argument("--write", type=Path, help="write the Markdown section into this file (docs/benchmarks.md)")
    parser.add_argument("--scale-doc", type=Path, help="write the requests tables into this file (docs/scale.md)")
    parser.add_argument("--keep", type=Path, help="keep the scan directories here")
    args = parser.parse_args()
    scales = sorted(set(args.scale))
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="clearance-org-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(args.accounts, regions, args.seed)
    runs: list[Run] = []
    try:
        for scale in scales:
            emulator.grow(scale)
            plan = [Run(f"scale{scale}-w{args.scale_workers}", scale, args.latency_ms, args.scale_workers, 0.0)]
            if scale == scales[0]:
                plan += [
                    Run(f"scale{scale}-w{w}", scale, args.latency_ms, w, 0.0)
                    for w in args.workers
                    if w != args.scale_workers
                ]
                if args.throttle:
                    label = f"scale{scale}-w{args.scale_workers}-throttle"
                    plan.append(Run(label, scale, args.latency_ms, args.scale_workers, args.throttle))
            if scale == scales[-1] and not args.no_limits_row:
                plan.append(
                    Run(
                        f"scale{scale}-w{args.scale_workers}-nolimits",
                        scale,
                        args.latency_ms,
                        args.scale_workers,
                        0.0,
                        False,
                    )
                )
            runs += [run_scan(emulator, run, work, args.seed) for run in plan]
    finally:
        emulator.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    runs.sort(key=lambda r: (r.throttle > 0, r.scale, not r.rate_limits, r.workers))
    text = report(runs, args, emulator)
    requests = requests_report(runs)
    print(text)
    print(requests)
    if args.write:
        write_section(args.write, SECTION, text)
    if args.scale_doc:
        write_section(args.scale_doc, REQUESTS_SECTION, requests)


if __name__ == "__main__":
    main()
