"""The account itself: IAM account summary, password policy, root credentials, S3 account-level
public access block. Emitted as one ``aws.account`` resource per account (account-level: always
in scope, since it governs every workload in the account)."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from ...interface import Operation, ResourceType
from ..session import GLOBAL_REGION
from ..unit import AwsUnit, Fetched
from .base import AwsCollector

ACCOUNT = "aws.account"
REPORT_POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


def account_arn(unit: AwsUnit) -> str:
    """The id of the ``aws.account`` record (the root ARN); other collectors link to it as ``account``."""
    return f"arn:{unit.partition}:iam::{unit.account}:root"


def parse_credential_report(fetched: Fetched) -> Fetched:
    """The credential report's CSV as a list of row objects (the CSV itself holds no secrets)."""
    if not isinstance(fetched.value, dict) or "Content" not in fetched.value:
        return fetched
    content = fetched.value["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = list(csv.DictReader(io.StringIO(text)))
    value = {k: v for k, v in fetched.value.items() if k != "Content"}
    value["Rows"] = rows
    return Fetched(fetched.operation, value=value)


def credential_report(unit: AwsUnit) -> Fetched:
    """Generate (if needed) and fetch the IAM credential report, waiting briefly for it."""
    first = unit.fetch("iam", "GetCredentialReport")
    if first.error is not None:  # denied or failed: generating and polling cannot help
        return first
    if first.absent is None:
        return parse_credential_report(first)
    generated = unit.fetch("iam", "GenerateCredentialReport")
    if generated.error is not None:
        return Fetched("GetCredentialReport", error=generated.error)
    last = first
    for delay in REPORT_POLL_SECONDS:
        last = unit.fetch("iam", "GetCredentialReport")
        if last.error is not None:
            return last
        if last.absent is None:
            return parse_credential_report(last)
        time.sleep(delay)
    return last


CREDENTIAL_REPORT_OPERATIONS = (
    Operation(
        "iam",
        "GetCredentialReport",
        "iam:GetCredentialReport",
        ("ReportNotPresent", "ReportInProgress", "ReportExpired"),
    ),
    Operation(
        "iam",
        "GenerateCredentialReport",
        "iam:GenerateCredentialReport",
        non_read_reason="asks IAM to build the read-only credential report; changes no configuration",
    ),
)


class AccountCollector(AwsCollector):
    service = "account"
    global_service = True
    resource_types = (
        ResourceType(
            ACCOUNT,
            "iam",
            "GetAccountSummary",
            "The AWS account: IAM summary, password policy, root credentials, account-level S3 public access block",
            account_level=True,
        ),
    )
    operations = (
        Operation("iam", "GetAccountSummary", "iam:GetAccountSummary"),
        Operation("iam", "GetAccountPasswordPolicy", "iam:GetAccountPasswordPolicy", ("NoSuchEntity",)),
        Operation("iam", "ListAccountAliases", "iam:ListAccountAliases"),
        Operation(
            "s3control",
            "GetPublicAccessBlock",
            "s3:GetAccountPublicAccessBlock",
            ("NoSuchPublicAccessBlockConfiguration",),
        ),
        *CREDENTIAL_REPORT_OPERATIONS,
    )

    def collect(self, unit: AwsUnit) -> None:
        summary = unit.fetch("iam", "GetAccountSummary")
        if summary.error is not None:
            unit.list_failed(ACCOUNT, "GetAccountSummary", summary.error)
            return
        aliases = unit.fetch("iam", "ListAccountAliases")
        names: list[Any] = (aliases.value or {}).get("AccountAliases", []) if isinstance(aliases.value, dict) else []
        builder = unit.builder(
            ACCOUNT,
            account_arn(unit),
            str(names[0]) if names else unit.account,
            region=GLOBAL_REGION,
        )
        builder.attach(summary)
        builder.attach(aliases)
        builder.attach(unit.fetch("iam", "GetAccountPasswordPolicy"))
        builder.attach(unit.fetch("s3control", "GetPublicAccessBlock", AccountId=unit.account))
        builder.attach(credential_report(unit))
        unit.emit(builder)
        unit.listed(ACCOUNT, "GetAccountSummary", 1)


COLLECTORS = (AccountCollector,)
