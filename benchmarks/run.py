"""clearance benchmarks: engine throughput and peak memory at 1x and 20x an account, and CLI start-up time.

Usage (from the repository root, with the ``demo`` extra installed)::

    python benchmarks/run.py                       # 1x and 20x, print the results
    python benchmarks/run.py --scales 1,5,20 --write docs/benchmarks.md

The synthetic inventory is the demo workload's inventory (realistic records for every resource
type the checks read), replicated with distinct ids, names and links, so each copy is evaluated
exactly like the original. Scale 1x is 24 copies (1,632 resources, the size of the simulated
two-region account of issue 7); scale N is N times that, all in one account. Each scale is
measured in a fresh process pinned to one CPU: first ``clearance.evaluate`` once (its peak RSS is
the figure reported), then the engine alone (``Evaluator.run`` with the content pack loaded) a few
times, best run reported. Throughput is check evaluations (findings written) per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sections import write_section

import clearance
from clearance.inventory import InventoryReader, InventoryWriter
from clearance.model import Resource

COPIES_PER_SCALE = 24
"""Demo copies in scale 1x: 24 x 68 resources = 1,632, the issue's ~1,600-resource account."""


@dataclass(frozen=True)
class EngineResult:
    scale: int
    resources: int
    checks: int
    findings: int
    wall: float
    """Best wall time of the engine alone (content loaded), seconds."""
    cpu: float
    """CPU time of that process over the same runs, best run, seconds."""
    evaluate_wall: float
    """``clearance.evaluate`` once in the fresh process: content pack, profile and engine."""
    peak_mb: float
    """Peak RSS of the fresh process after that evaluation (interpreter included)."""
    cpu_pinned: int | None

    @property
    def per_second(self) -> float:
        return self.findings / self.wall

    @property
    def per_cpu_second(self) -> float:
        return self.findings / self.cpu


def template(directory: Path) -> Path:
    """The demo's scan directory: a realistic inventory to replicate (seeded moto, about 5 s)."""
    from clearance.demo import run_demo

    out = directory / "template"
    run_demo(out)
    return out


def _copy_id(rid: str, i: int) -> str:
    return f"{rid}~{i:05d}"


def synthesize(source: Path, target: Path, copies: int) -> int:
    """Write ``copies`` renamed replicas of every record in ``source`` into ``target``; return the count."""
    reader = InventoryReader(source)
    writer = InventoryWriter(target)
    total = 0
    try:
        for listing in reader.listings():
            writer.listing(replace(listing, count=0, listed=listing.listed * copies))
        for provider, account in reader.accounts():
            originals = [Resource.from_json(r.record) for r in reader.records(provider, account)]
            ids = {r.id for r in originals}
            out: list[Resource] = []
            for i in range(copies):
                for res in originals:
                    links = {k: tuple(_copy_id(t, i) if t in ids else t for t in v) for k, v in res.links.items()}
                    out.append(replace(res, id=_copy_id(res.id, i), name=f"{res.name}~{i:05d}", links=links))
            writer.finalize_account(provider, account, out)
            total += len(out)
    finally:
        writer.close()
    meta = json.loads((source / "scan.json").read_text("utf-8"))
    (target / "scan.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", "utf-8")
    return total


def _peak_rss_mb() -> float:
    """This process's own peak RSS. VmHWM belongs to the address space, so it does not include what a parent
    held when it forked this process (ru_maxrss does, on Linux, through the exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(inventory: Path, repeat: int, cpu: int | None) -> dict[str, Any]:
    """Run in the fresh child process: evaluate once end to end (peak RSS), then time the engine alone."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    from clearance.api import default_checks
    from clearance.engine import Evaluator
    from clearance.profile import load_profile

    with tempfile.TemporaryDirectory(prefix="clearance-bench-out-") as tmp:
        started = time.perf_counter()
        clearance.evaluate(inventory, out_dir=Path(tmp) / "first")
        evaluate_wall = time.perf_counter() - started
        peak = _peak_rss_mb()
        profile = load_profile(None)
        evaluator = Evaluator(default_checks(profile), profile)
        runs = []
        for n in range(max(1, repeat)):
            wall, cpu_time = time.perf_counter(), time.process_time()
            results = evaluator.run(inventory, Path(tmp) / f"run-{n}")
            runs.append((time.perf_counter() - wall, time.process_time() - cpu_time))
            shutil.rmtree(Path(tmp) / f"run-{n}")
    s = results.summary
    return {
        "resources": s.resources,
        "checks": s.checks,
        "findings": s.findings,
        "wall": min(w for w, _ in runs),
        "cpu": min(c for _, c in runs),
        "evaluate_wall": evaluate_wall,
        "peak_mb": peak,
        "cpu_pinned": cpu,
    }


def bench_engine(inventory: Path, scale: int, repeat: int) -> EngineResult:
    """Measure one inventory in a fresh process pinned to one CPU (the last one, where the OS allows it)."""
    cpu = max(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else None
    command = [sys.executable, __file__, "--child", str(inventory), "--repeat", str(repeat)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return EngineResult(scale=scale, **json.loads(done.stdout))


def bench_startup(repeat: int) -> tuple[str, float]:
    """Median wall time of ``clearance --help`` in a fresh process."""
    exe = shutil.which("clearance")
    command = [exe, "--help"] if exe else [sys.executable, "-m", "clearance.cli", "--help"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return " ".join(["clearance" if exe else "python -m clearance.cli", "--help"]), statistics.median(times)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def report(results: list[EngineResult], startup: tuple[str, float], repeat: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    pinned = results[0].cpu_pinned if results else None
    lines = [
        "## Engine and start-up",
        "",
        "Generated by `python benchmarks/run.py --write docs/benchmarks.md` (see `benchmarks/README.md`).",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d')}",
        f"- clearance {clearance.__version__}, Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}",
        f"- CPU: {_cpu_model()}; {os.cpu_count()} logical CPUs, shared with other work "
        f"(1-minute load average {load:.2f} at the end of the run)",
        f"- each scale measured in a fresh process pinned to CPU {pinned}" if pinned is not None else "- not pinned",
        "",
        f"The demo inventory replicated {COPIES_PER_SCALE} times per scale step, in one account, evaluated with",
        "every check of the content pack. *Engine* is `Evaluator.run` with the content loaded, best of",
        f"{repeat} runs (wall and CPU seconds of that process); *evaluate* is one `clearance.evaluate` in the",
        "fresh process (loading the content pack and profile included); *peak RSS* is that process's high-water",
        "mark after it (interpreter and content pack included). No cloud access.",
        "",
        "| scale | resources | check evaluations | engine wall s | engine CPU s | evaluations / s (wall) "
        "| evaluations / s (CPU) | evaluate wall s | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.scale}x | {r.resources:,} | {r.findings:,} | {r.wall:.2f} | {r.cpu:.2f} | {r.per_second:,.0f} "
            f"| {r.per_cpu_second:,.0f} | {r.evaluate_wall:.2f} | {r.peak_mb:.0f} |"
        )
    lines += ["", *_targets(results)]
    lines += [
        "",
        "CLI start-up:",
        "",
        "| command | median wall time |",
        "|---|---:|",
        f"| `{startup[0]}` | {startup[1] * 1000:.0f} ms |",
        "",
    ]
    return "\n".join(lines)


THROUGHPUT_TARGET = 100_000
"""Issue 7: check evaluations per second on one core."""
RSS_TARGET_MB = 150
"""Issue 7: peak RSS at 20x."""


def _targets(results: list[EngineResult]) -> list[str]:
    """The issue's targets, each said met or not met from the figures above."""
    out = ["Targets (issue 7):", ""]
    slowest = min(results, key=lambda r: r.per_second)
    met = "met" if slowest.per_second >= THROUGHPUT_TARGET else "**not met**"
    out.append(
        f"- {THROUGHPUT_TARGET:,} check evaluations per second on one core: {met} "
        f"(slowest scale {slowest.scale}x: {slowest.per_second:,.0f}/s wall, {slowest.per_cpu_second:,.0f}/s CPU)"
    )
    by_scale = {r.scale: r for r in results}
    if 20 in by_scale:
        peak = by_scale[20].peak_mb
        met = "met" if peak < RSS_TARGET_MB else "**not met**"
        others = "".join(f"; {r.scale}x: {r.peak_mb:.0f} MB" for r in results if r.scale != 20)
        out.append(
            f"- peak RSS at 20x under {RSS_TARGET_MB} MB, engine evaluation: {met} ({peak:.0f} MB{others}); "
            "the whole scan (collection included) is measured by the organisation benchmark below"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scales", default="1,20", help="comma-separated scale factors (default 1,20)")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs per scale (default 3)")
    parser.add_argument("--write", type=Path, help="write the Markdown report into this file's engine section")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat, args.cpu)))
        return
    scales = [int(s) for s in args.scales.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="clearance-bench-") as tmp:
        base = Path(tmp)
        source = template(base)
        for scale in scales:
            synthetic = base / f"scale-{scale}"
            synthesize(source, synthetic, scale * COPIES_PER_SCALE)
            results.append(bench_engine(synthetic, scale, args.repeat))
            shutil.rmtree(synthetic)
    startup = bench_startup(max(5, args.repeat))
    text = report(results, startup, args.repeat)
    print(text)
    if args.write:
        write_section(args.write, "engine-bench", text)


if __name__ == "__main__":
    main()
