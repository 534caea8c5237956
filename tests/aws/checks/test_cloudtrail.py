"""CloudTrail checks (LOG-01, LOG-02, LOG-04, LOG-06, LOG-07 delivery) through the real scan path on moto."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import ACCOUNT
from ..fakes import deny
from .trail_setup import bucket, log_group, trail

MULTI = "aws-cloudtrail-multi-region-logging"
WRITE = "aws-cloudtrail-s3-data-events-write"
READ = "aws-cloudtrail-s3-data-events-read"
VALIDATION = "aws-cloudtrail-log-file-validation"
LOCK = "aws-cloudtrail-bucket-object-lock"
CMK = "aws-cloudtrail-cmk-encryption"
DELIVERY = "aws-cloudtrail-cloudwatch-logs-delivery"

TRAIL_SERVICES = ("account", "cloudtrail")


# -- LOG-01 a logging multi-region trail with all management events ------------------------------------


def test_a_trail_that_exists_but_is_not_logging_fails_until_it_logs(aws: Any, scan: Any) -> None:
    trail("org-audit", logging=False)
    trail("regional", IsMultiRegionTrail=False)
    stopped = scan(checks=[MULTI], services=TRAIL_SERVICES)
    assert stopped.verdicts(MULTI) == {ACCOUNT: "FAIL"}
    assert "logging" in stopped.finding(MULTI, ACCOUNT)["reason"]

    boto3.client("cloudtrail").start_logging(Name="org-audit")
    logging = scan(checks=[MULTI], services=TRAIL_SERVICES)
    assert logging.verdicts(MULTI) == {ACCOUNT: "PASS"}


def test_write_only_management_events_fail_advanced_management_selector_passes(aws: Any, scan: Any) -> None:
    trail("write-only", selectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    assert scan(checks=[MULTI], services=TRAIL_SERVICES).verdicts(MULTI) == {ACCOUNT: "FAIL"}

    management = [{"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]
    trail("advanced", advanced=management)
    assert scan(checks=[MULTI], services=TRAIL_SERVICES).verdicts(MULTI) == {ACCOUNT: "PASS"}


def test_denied_trail_listing_is_error_naming_the_permission_not_fail(aws: Any, scan: Any) -> None:
    with deny("cloudtrail", "DescribeTrails"):
        result = scan(checks=[MULTI], services=TRAIL_SERVICES)
    finding = result.finding(MULTI, ACCOUNT)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "cloudtrail:DescribeTrails"
    assert "cloudtrail:DescribeTrails" in finding["reason"]


def test_denied_trail_status_is_error_and_trails_not_collected_are_error(aws: Any, scan: Any) -> None:
    trail("audit")
    with deny("cloudtrail", "GetTrailStatus"):
        denied = scan(checks=[MULTI], services=TRAIL_SERVICES)
    assert denied.finding(MULTI, ACCOUNT)["error"]["permission"] == "cloudtrail:GetTrailStatus"
    not_collected = scan(checks=[MULTI], services=("account",))
    assert not_collected.verdicts(MULTI) == {ACCOUNT: "ERROR"}


# -- LOG-02 S3 object data events ---------------------------------------------------------------------


def test_basic_selector_for_all_buckets_write_only_passes_write_fails_read(aws: Any, scan: Any) -> None:
    s3_write = {
        "ReadWriteType": "WriteOnly",
        "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
    }
    trail("data", selectors=[s3_write])
    result = scan(checks=[WRITE, READ], services=TRAIL_SERVICES)
    assert result.verdicts(WRITE) == {ACCOUNT: "PASS"}
    assert result.verdicts(READ) == {ACCOUNT: "FAIL"}


def test_advanced_selectors_read_only_pass_read_and_narrowed_ones_pass_nothing(aws: Any, scan: Any) -> None:
    data = [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
    ]
    one_bucket = {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::customer-data/"]}
    trail("one-bucket", advanced=[{"Name": "one", "FieldSelectors": [*data, one_bucket]}])
    narrowed = scan(checks=[WRITE, READ], services=TRAIL_SERVICES)
    assert narrowed.verdicts(WRITE) == {ACCOUNT: "FAIL"} and narrowed.verdicts(READ) == {ACCOUNT: "FAIL"}

    reads = {"Field": "readOnly", "Equals": ["true"]}
    trail("reads", advanced=[{"Name": "reads", "FieldSelectors": [*data, reads]}])
    result = scan(checks=[WRITE, READ], services=TRAIL_SERVICES)
    assert result.verdicts(READ) == {ACCOUNT: "PASS"}
    assert result.verdicts(WRITE) == {ACCOUNT: "FAIL"}


# -- LOG-04 integrity: digest files and object lock ---------------------------------------------------


def test_log_file_validation(aws: Any, scan: Any) -> None:
    trail("validated", EnableLogFileValidation=True)
    trail("unvalidated")
    result = scan(checks=[VALIDATION], services=("cloudtrail",))
    assert result.verdicts(VALIDATION) == {"validated": "PASS", "unvalidated": "FAIL"}


def test_trail_bucket_object_lock_in_compliance_mode(aws: Any, scan: Any) -> None:
    s3 = boto3.client("s3")
    for name, mode in (("locked-logs", "COMPLIANCE"), ("governed-logs", "GOVERNANCE")):
        bucket(name, ObjectLockEnabledForBucket=True)
        lock: Any = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": mode, "Days": 400}}}
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=lock)
    trail("locked", S3BucketName="locked-logs")
    trail("governed", S3BucketName="governed-logs")
    trail("unlocked")
    result = scan(checks=[LOCK], services=("cloudtrail", "s3"))
    assert result.verdicts(LOCK) == {"locked": "PASS", "governed": "FAIL", "unlocked": "FAIL"}
    assert "not configured" in result.finding(LOCK, "unlocked")["reason"]


def test_trail_bucket_missing_from_the_inventory_is_error(aws: Any, scan: Any) -> None:
    trail("audit")
    result = scan(checks=[LOCK], services=("cloudtrail",))
    assert result.verdicts(LOCK) == {"audit": "ERROR"}
    assert "not in the inventory" in result.finding(LOCK, "audit")["reason"]


# -- LOG-06 confidentiality -----------------------------------------------------------------------------


def test_trail_encrypted_with_a_customer_key_passes_unencrypted_fails(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    trail("encrypted", KmsKeyId=key)
    trail("plain")
    result = scan(checks=[CMK], services=("cloudtrail", "kms"))
    assert result.verdicts(CMK) == {"encrypted": "PASS", "plain": "FAIL"}


# -- LOG-07 delivery to CloudWatch Logs -----------------------------------------------------------------


def test_trail_delivering_to_cloudwatch_logs_passes_one_without_fails(aws: Any, scan: Any) -> None:
    trail("streamed", CloudWatchLogsLogGroupArn=log_group("cloudtrail/streamed"))
    trail("s3-only")
    result = scan(checks=[DELIVERY], services=("cloudtrail",))
    assert result.verdicts(DELIVERY) == {"streamed": "PASS", "s3-only": "FAIL"}
