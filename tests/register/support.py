"""A small inventory with every verdict the registers care about, and helpers to write registers and read results.

Verdicts on it (kr-fss profile): crm-logs / crm-data / ops-archive / crm-backup-us fail
aws-s3-bucket-access-logging and aws-s3-bucket-cmk-encryption, are ERROR on aws-s3-bucket-acl-not-public
(its call was not collected), NEEDS_CONTEXT on aws-s3-bucket-data-residency; crm-logs passes versioning,
crm-data fails it. The imported KMS key is MANUAL on aws-kms-key-rotation-evidence (ENC-02).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

from clearance.engine.checks import CheckSet
from clearance.engine.runner import Results
from clearance.model import Resource

from ..evidence.scandir import ACCOUNT, REGION, bucket

OTHER_ACCOUNT = "210987654321"
US_REGION = "us-east-1"
AS_OF = dt.date(2026, 11, 24)
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/imported-1"


def inventory() -> list[Resource]:
    imported = Resource(
        "aws",
        ACCOUNT,
        REGION,
        "kms",
        "aws.kms.key",
        KEY_ARN,
        "imported-1",
        data={
            "DescribeKey": {
                "KeyMetadata": {
                    "KeyId": "imported-1",
                    "KeyManager": "CUSTOMER",
                    "KeyState": "Enabled",
                    "Origin": "EXTERNAL",
                }
            }
        },
    )
    return [
        bucket("crm-logs", tags={"env": "dev"}),
        bucket("crm-data", versioning=None, tags={"env": "prod"}),
        replace(bucket("ops-archive", tags={"env": "dev"}), account=OTHER_ACCOUNT),
        replace(bucket("crm-backup-us"), region=US_REGION),
        imported,
    ]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


def exception(
    id: str = "EXC-2026-001",
    target: str = "check: aws-s3-bucket-access-logging",
    resources: str = "{all: true}",
    created: str = "2026-10-01",
    expires: str = "2027-03-31",
) -> str:
    """One register entry, as YAML text (indented for the ``exceptions:`` list)."""
    return f"""
  - id: {id}
    {target}
    resources: {resources}
    justification: Access logs go to the central log archive account instead.
    approver: Kim CISO
    ticket: RISK-123
    created: {created}
    expires: {expires}
"""


def exceptions_register(directory: Path, *entries: str) -> Path:
    return write(directory, "risk/register.yaml", "exceptions:" + "".join(entries))


def by_name(results: Results | Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Findings (of a run, or of a scan directory) keyed by (check id, resource name)."""
    from clearance.engine.runner import iter_findings

    findings = iter_findings(results / "findings.json") if isinstance(results, Path) else results.iter_findings()
    return {(f["check_id"], f["resource"]["name"]): f for f in findings}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def evaluate(scan_dir: Path, checks: CheckSet, **registers: Any) -> Results:
    """The library call, judged at AS_OF unless the test says otherwise (and only when a register is given)."""
    from clearance.api import evaluate as run

    if registers.get("exceptions") or registers.get("attestations"):
        registers.setdefault("as_of", AS_OF)
    return run(scan_dir, checks=checks, **registers)


def validate(document: Any, schema: str) -> None:
    """Validate against a published schema, with every schema of the project available for cross-references."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from clearance.content import schema_path

    folder = schema_path(schema).parent
    schemas = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.schema.json"))]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    main = json.loads((folder / schema).read_text("utf-8"))
    Draft202012Validator.check_schema(main)
    Draft202012Validator(main, registry=registry).validate(document)
