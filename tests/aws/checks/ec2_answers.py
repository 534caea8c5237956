"""EC2 answers moto 5.2 lacks, added to the emulator itself (moto's XML serialiser and botocore's
EC2 parser still run, so the collector sees exactly the shape AWS sends).

moto implements ModifyEbsDefaultKmsKeyId but not GetEbsDefaultKmsKeyId, and an unimplemented
EC2 action raises inside moto even when an HTTP-layer answer is injected in front of it.
"""

from __future__ import annotations

from typing import Any


def answer_ebs_default_key(monkeypatch: Any) -> None:
    """GetEbsDefaultKmsKeyId answers the key ModifyEbsDefaultKmsKeyId stored, else ``alias/aws/ebs`` as AWS does."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses import EC2Response

    def get_ebs_default_kms_key_id(self: Any) -> ActionResult:
        return ActionResult({"KmsKeyId": self.ec2_backend.default_kms_key_id or "alias/aws/ebs"})

    monkeypatch.setattr(EC2Response, "get_ebs_default_kms_key_id", get_ebs_default_kms_key_id, raising=False)
