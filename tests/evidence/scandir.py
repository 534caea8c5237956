"""Small, real scan directories for the package tests: a stored inventory evaluated by the real engine.

The inventory is written the way the collectors write it (Resource/TypeListing JSON, one record per line), then
``clearance.api.evaluate`` produces findings.json, coverage.json and profile.json exactly as a scan would. Secrets
can be planted in places a real AWS answer would carry them (Lambda environment, ECS container environment,
tags, policies, descriptions) so redaction can be proven end to end.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clearance.api import evaluate
from clearance.inventory import dumps
from clearance.model import Resource

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"

SECRETS = {
    "lambda_env": "hunter2-Lambda-DB-pass",
    "lambda_random": "Zx9qL2mN8vB4cX7kJ3hG5fD1sA6pO0iU",
    "ecs_env": "ecs-Api-Key-778899aa",
    "tag": "tag-token-0a1b2c3d4e",
    "access_key": "AKIAIOSFODNN7EXAMPLE",
    "private_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "conn_password": "C0nnStr1ng-Pa55",
    "url_password": "urlPa55w0rdQ",
    "sas_sig": "k9Yd8Rz5TQk2lQ7hbfnn0bYcMw6Jf4Y2KxW3Zq1L8s0%3D",
}


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bucket(name: str, *, versioning: str | None = "Enabled", tags: dict[str, str] | None = None) -> Resource:
    data: dict[str, Any] = {
        "GetBucketVersioning": {"Status": versioning} if versioning else {},
        "GetBucketEncryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
    }
    return Resource(
        "aws", ACCOUNT, REGION, "s3", "aws.s3.bucket", f"arn:aws:s3:::{name}", name, tags=tags or {}, data=data
    )


def secret_resources() -> list[Resource]:
    """Resources carrying every kind of secret the default redaction policy must remove."""
    s = SECRETS
    pem = f"-----BEGIN PRIVATE KEY-----\n{s['private_key']}\n-----END PRIVATE KEY-----\n"
    function = Resource(
        "aws",
        ACCOUNT,
        REGION,
        "lambda",
        "aws.lambda.function",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:crm-sync",
        "crm-sync",
        tags={"team": "crm"},
        data={
            "GetFunctionConfiguration": {
                "FunctionName": "crm-sync",
                "Environment": {
                    "Variables": {
                        "DB_PASSWORD": s["lambda_env"],
                        "SIGNING_SEED": s["lambda_random"],
                        "LOG_LEVEL": "info",
                        "DATABASE_URL": f"postgres://crm:{s['url_password']}@db.internal:5432/crm",
                    }
                },
                "Description": f"sync job; key {s['access_key']}; tls {pem}",
            }
        },
    )
    task = Resource(
        "aws",
        ACCOUNT,
        REGION,
        "ecs",
        "aws.ecs.task_definition",
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/crm:1",
        "crm:1",
        data={
            "DescribeTaskDefinition": {
                "containerDefinitions": [
                    {
                        "name": "web",
                        "environment": [
                            {"name": "API_KEY", "value": s["ecs_env"]},
                            {"name": "MODE", "value": "production"},
                        ],
                        "command": [f"--db=Server=db;Database=crm;User Id=app;Password={s['conn_password']};"],
                    }
                ]
            }
        },
    )
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::crm-exports/*",
                "Condition": {
                    "StringEquals": {
                        "aws:Referer": f"https://x.blob.core.windows.net/c?sv=2022-11-02&se=2026&sig={s['sas_sig']}"
                    }
                },
            }
        ]
    }
    exports = bucket("crm-exports", tags={"api_token": s["tag"], "DataClass": "personal"})
    exports.data["GetBucketPolicy"] = {"Policy": json.dumps(policy)}
    return [function, task, exports]


def make_scan(
    directory: Path,
    *,
    resources: list[Resource] | None = None,
    finished: dt.datetime | None = None,
    duration: dt.timedelta = dt.timedelta(minutes=3),
) -> Path:
    """Write an inventory and evaluate it: a complete scan directory, like ``clearance scan --out`` leaves."""
    end = (finished or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    items = resources if resources is not None else [bucket("crm-logs"), bucket("crm-data", versioning=None)]
    directory.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[Resource]] = {}
    for res in items:
        rel = f"raw/{res.provider}/{res.account}/{res.region}/{res.service}/{res.type}.jsonl"
        by_file.setdefault(rel, []).append(res)
    units = []
    for rel, group in sorted(by_file.items()):
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(dumps(r.to_json()) + "\n" for r in sorted(group, key=lambda r: r.id)), "utf-8")
        first = group[0]
        units.append(
            {
                "provider": "aws",
                "account": first.account,
                "region": first.region,
                "type": first.type,
                "status": "listed",
                "list_call": "List",
                "count": len(group),
                "listed": len(group),
                "error": None,
            }
        )
    (directory / "raw" / "units.jsonl").write_text("".join(dumps(u) + "\n" for u in units), "utf-8")
    (directory / "logs").mkdir(exist_ok=True)
    calls = [{"operation": "ListBuckets", "status": 200, "request_id": "req-1", "time": _time(end - duration)}]
    (directory / "logs" / "api-calls.jsonl").write_text("".join(dumps(c) + "\n" for c in calls), "utf-8")
    meta = {
        "tool": {"name": "clearance", "version": "0.1.0"},
        "provider": "aws",
        "scope": {"provider": "aws", "accounts": [ACCOUNT], "regions": [REGION]},
        "started": _time(end - duration),
        "finished": _time(end),
        "accounts": [ACCOUNT],
        "regions": [REGION],
        "units": len(units),
        "failed_units": 0,
        "api_calls": len(calls),
    }
    (directory / "scan.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", "utf-8")
    evaluate(directory)
    return directory
