"""AWS Lambda entry point for a scheduled clearance scan: build the command line from the environment, run it.

The function runs the same CLI as every other scheduled example (a child process, so its exit code is the
verdict): scan read-only, sign with the KMS key, chain to the newest package of the filing in the evidence
bucket, publish under S3 Object Lock. The signing certificate chain (public) comes from an SSM parameter; the
private key never leaves KMS. Lambda limits: 15 minutes per invocation, 10,240 MB memory and /tmp — scope the
scan (``CLEARANCE_REGIONS``, ``CLEARANCE_TAGS``) to fit, or use the ECS task for larger estates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

WORK = Path("/tmp/clearance")
CHAIN = WORK / "chain.pem"
RESULTS = (0, 3)
"""Exit codes after which a package was built and published: complete (0) or incomplete scan (3)."""


def command(env: Mapping[str, str]) -> list[str]:
    """The clearance command line for one run (a KeyError names a missing required variable)."""
    args = [
        "clearance", "scan", "--provider", "aws",
        "--out", str(WORK / "scan"), "--no-progress", "--json",
        "--package", str(WORK / "evidence.zip"),
        "--filing-id", env["CLEARANCE_FILING_ID"],
        "--signer", f"awskms:{env['CLEARANCE_SIGNING_KEY_ARN']}?chain={CHAIN}",
        "--tsa", env["CLEARANCE_TSA_URL"],
        "--publish", env["CLEARANCE_PUBLISH_URL"], "--chain",
    ]  # fmt: skip
    for region in env.get("CLEARANCE_REGIONS", "").split():
        args += ["--region", region]
    for tag in env.get("CLEARANCE_TAGS", "").split():
        args += ["--tag", tag]
    if env.get("CLEARANCE_RETAIN_DAYS"):
        args += ["--retain-days", env["CLEARANCE_RETAIN_DAYS"]]
    return args


def _write_chain(parameter: str) -> None:
    import boto3

    value = boto3.client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]
    CHAIN.write_text(value if value.endswith("\n") else value + "\n", "ascii")


def handler(event: Any, context: Any) -> dict[str, Any]:
    """One scheduled run; raises (a failed invocation, for alarms) unless a package was published."""
    shutil.rmtree(WORK, ignore_errors=True)  # /tmp survives between warm invocations
    WORK.mkdir(parents=True)
    _write_chain(os.environ["CLEARANCE_SIGNER_CHAIN_PARAMETER"])
    code = subprocess.run(command(os.environ), check=False).returncode
    if code not in RESULTS:
        raise RuntimeError(f"clearance exited with {code}; see the log above (docs/cli.md lists the exit codes)")
    return {"exit_code": code, "complete": code == 0}
