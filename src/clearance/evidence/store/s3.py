"""S3 with Object Lock: every package is one PUT with a retention lock, a SHA-256 checksum and ``If-None-Match: *``.

This client is deliberately *not* the scan's: it comes from its own boto3 session, has no read-only guard (the
collectors' guard would rightly refuse PutObject) and is only ever pointed at the firm's evidence bucket. After the
PUT, the stored version's retention is read back (HEAD): a store that accepted the object without the lock
asked for is an error, never a silent success. boto3 is imported in :meth:`S3Store.connect`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ClearanceError, CredentialsError
from .interface import Lock, PackageInfo, Store, StoredPackage, StoreError, filing_folder, package_name, parse_name

if TYPE_CHECKING:
    from . import StoreUrl

MAX_PUT = 5 * 1024**3
"""The largest object one S3 PUT accepts; larger packages would need a multipart upload (not implemented)."""
_CHUNK = 8 * 1024 * 1024
PUBLISH_ACTIONS = (
    "s3:GetBucketObjectLockConfiguration",
    "s3:ListBucket",
    "s3:GetObject",
    "s3:GetObjectRetention",
    "s3:PutObject",
    "s3:PutObjectRetention",
)
"""Every IAM action publishing needs on the evidence bucket (GetObjectRetention: to see the lock after the PUT)."""
_ACTIONS = {
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "ListObjectsV2": "s3:ListBucket",
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject and s3:PutObjectRetention",
}
_METHODS = {
    "GetObjectLockConfiguration": "get_object_lock_configuration",
    "ListObjectsV2": "list_objects_v2",
    "GetObject": "get_object",
    "HeadObject": "head_object",
    "PutObject": "put_object",
}
_CREDENTIAL_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
}


def _sha256_b64(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


def _add_years(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _version(version_id: str | None) -> dict[str, Any]:
    return {"VersionId": version_id} if version_id else {}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


class S3Store(Store):
    """``client`` is a boto3 S3 client of the publishing identity (tests hand in one on moto)."""

    def __init__(self, url: StoreUrl, client: Any):
        self.location = url
        self.url = str(url)
        self._client = client

    @classmethod
    def connect(cls, url: StoreUrl) -> S3Store:
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError
        except ImportError:
            raise StoreError(f"{url}: publishing to S3 needs boto3: pip install 'clearance[aws]'") from None
        try:
            session = boto3.Session(profile_name=url.params.get("profile"))
        except BotoCoreError as exc:
            raise CredentialsError(f"{url}: {exc}") from None
        config = Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="clearance-publish")
        return cls(url, session.client("s3", region_name=url.params.get("region"), config=config))

    # -- the Store contract ------------------------------------------------------------------------
    def check(self, now: dt.datetime) -> Lock | None:
        answer, missing = self._call("GetObjectLockConfiguration", allow=("ObjectLockConfigurationNotFoundError",))
        config = (answer or {}).get("ObjectLockConfiguration", {})
        if missing or config.get("ObjectLockEnabled") != "Enabled":
            raise StoreError(
                f"{self.url}: bucket {self.location.bucket!r} does not have S3 Object Lock enabled; refusing to "
                "publish evidence that could be deleted or overwritten (create the bucket with "
                "--object-lock-enabled-for-bucket, or enable versioning and then Object Lock on it: docs/scheduled.md)"
            )
        rule = config.get("Rule", {}).get("DefaultRetention")
        if not rule:
            return None
        start = _utc(now)
        until = _add_years(start + dt.timedelta(days=int(rule.get("Days") or 0)), int(rule.get("Years") or 0))
        return Lock(str(rule["Mode"]), until)

    def latest(self, filing_id: str) -> StoredPackage | None:
        folder = self.location.prefix + filing_folder(filing_id)
        best: tuple[tuple[str, str], str] | None = None
        params: dict[str, Any] = {"Prefix": folder}
        while True:
            answer, _ = self._call("ListObjectsV2", **params)
            assert answer is not None
            for item in answer.get("Contents", []):
                key = str(item["Key"])
                parsed = parse_name(key[len(folder) :])
                if parsed is not None and (best is None or parsed > best[0]):
                    best = (parsed, key)
            if not answer.get("IsTruncated"):
                break
            params["ContinuationToken"] = answer["NextContinuationToken"]
        if best is None:
            return None
        (stamp, sha), key = best
        return StoredPackage(self.location.object_url(key), key, filing_id, stamp, sha)

    def get(self, stored: StoredPackage, dest: Path) -> Path:
        answer, _ = self._call("GetObject", Key=stored.key, ChecksumMode="ENABLED", **_version(stored.version_id))
        assert answer is not None
        from botocore.exceptions import BotoCoreError

        body = answer["Body"]
        try:
            with open(dest, "wb") as fh:
                while chunk := body.read(_CHUNK):
                    fh.write(chunk)
        except BotoCoreError as exc:  # a checksum mismatch or a broken stream
            raise StoreError(f"{stored.url}: download failed: {exc}") from None
        return dest

    def put(self, path: Path, info: PackageInfo, lock: Lock) -> StoredPackage:
        name = package_name(info)
        key = self.location.prefix + filing_folder(info.filing_id) + name
        url = self.location.object_url(key)
        size = path.stat().st_size
        if size > MAX_PUT:
            raise StoreError(
                f"{path}: {size} bytes is more than the 5 GiB one S3 PUT takes; "
                "publishing through a multipart upload is not implemented"
            )
        checksum = _sha256_b64(path)
        _, absent = self._call("HeadObject", allow=("404", "NoSuchKey", "403", "AccessDenied"), Key=key)
        if absent is None:
            raise StoreError(f"{url}: already exists; clearance never overwrites a stored package")
        with open(path, "rb") as body:
            answer, conflict = self._call(
                "PutObject",
                allow=("PreconditionFailed", "ConditionalRequestConflict"),
                Key=key,
                Body=body,
                ContentLength=size,
                ContentType="application/zip",
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                ObjectLockMode=lock.mode,
                ObjectLockRetainUntilDate=lock.until,
                IfNoneMatch="*",
                Metadata=self._metadata(info),
            )
        if answer is None:
            raise StoreError(f"{url}: already exists ({conflict}); clearance never overwrites a stored package")
        if answer.get("ChecksumSHA256") != checksum:
            raise StoreError(f"{url}: S3 did not confirm the SHA-256 checksum {checksum} of {path}")
        version = answer.get("VersionId")
        applied = self._retention(key, version)
        if applied.mode != lock.mode or applied.until < lock.until:
            raise StoreError(
                f"{url}: stored as version {version}, but S3 reports the lock {applied.describe()}, not "
                f"{lock.describe()}: the package is not protected as required; check the bucket's Object Lock"
            )
        stamp = name.partition("_")[0]
        return StoredPackage(url, key, info.filing_id, stamp, info.statement_sha256, version, applied)

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _metadata(info: PackageInfo) -> dict[str, str]:
        """ASCII metadata (S3 headers), for people browsing the bucket; the name and the package are authoritative."""
        return {
            "clearance-filing-id": filing_folder(info.filing_id).rstrip("/"),
            "clearance-scan-finished": info.finished,
            "clearance-statement-sha256": info.statement_sha256,
            "clearance-supersedes": info.supersedes or "none",
        }

    def _retention(self, key: str, version: str | None) -> Lock:
        """The lock S3 reports on the stored version (HEAD shows it to identities with s3:GetObjectRetention)."""
        answer, _ = self._call("HeadObject", Key=key, **_version(version))
        assert answer is not None
        until = answer.get("ObjectLockRetainUntilDate")
        if not isinstance(until, dt.datetime):
            raise StoreError(
                f"{self.location.object_url(key)}: stored as version {version}, but S3 reports no retention lock on it "
                "(the publishing identity needs s3:GetObjectRetention to see it)"
            )
        return Lock(str(answer.get("ObjectLockMode")), _utc(until))

    def _call(
        self, operation: str, allow: tuple[str, ...] = (), **params: Any
    ) -> tuple[dict[str, Any] | None, str | None]:
        """``(answer, None)``, or ``(None, code)`` for an error code in ``allow``; any other failure raises."""
        from botocore import exceptions

        method = getattr(self._client, _METHODS[operation])
        try:
            answer: dict[str, Any] = method(Bucket=self.location.bucket, **params)
        except exceptions.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in allow:
                return None, code
            raise self._failure(operation, code, exc) from None
        except (exceptions.NoCredentialsError, exceptions.PartialCredentialsError) as exc:
            raise CredentialsError(f"{self.url}: no AWS credentials to publish with: {exc}") from None
        except exceptions.BotoCoreError as exc:
            raise StoreError(f"{self.url}: {operation} failed: {exc}") from None
        return answer, None

    def _failure(self, operation: str, code: str, exc: Any) -> ClearanceError:
        message = exc.response.get("Error", {}).get("Message", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            return CredentialsError(
                f"{self.url}: {operation} was denied ({code}: {message}); the publishing identity needs "
                f"{_ACTIONS[operation]} on bucket {self.location.bucket}"
            )
        if code in _CREDENTIAL_CODES:
            return CredentialsError(f"{self.url}: {operation}: the credentials were rejected ({code}: {message})")
        if code == "NoSuchBucket":
            return StoreError(f"{self.url}: bucket {self.location.bucket!r} does not exist")
        return StoreError(f"{self.url}: {operation} failed ({code}: {message})")
