"""Immutable evidence: an accepted document's version is locked with S3 Object Lock; a
refused upload is still deleted (uploads arrive unlocked: the bucket has no default
retention). Real parts: moto's S3 (Object Lock, retention, the refusal to delete a locked
version) behind the embedded server, the presigned POST, the arrival function.

What moto cannot show, and README "Immutable evidence" documents: COMPLIANCE mode (prod)
refusing even a bypassing administrator and any shortening of the date (moto lets a
governance date be shortened), and the lifecycle never expiring a locked version.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from chalicelib.documents.domain.retention import RETENTION, LockMode
from tests.functional.test_documents import PDF, announce, deliver, latest_version, upload, versions_at


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(demo[name]) for name in ("kanto", "admin")}


def test_the_documents_bucket_has_object_lock_without_a_default_retention(aws_client, local_aws):
    configuration = aws_client("s3").get_object_lock_configuration(Bucket=local_aws["DOCUMENTS_BUCKET"])
    assert configuration["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}  # no Rule: uploads unlocked


def test_an_accepted_version_is_retained_and_deleting_it_is_refused(api, tokens, aws_client, local_aws):
    bucket, s3 = local_aws["DOCUMENTS_BUCKET"], aws_client("s3")
    _, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    assert upload(form, PDF).status_code == 204
    version = latest_version(aws_client, bucket, key)
    assert "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key=key, VersionId=version)  # arrives unlocked
    before = datetime.now(UTC)
    (outcome,) = deliver(aws_client, local_aws, key, len(PDF))
    assert outcome["outcome"] == "accepted"

    head = s3.head_object(Bucket=bucket, Key=key, VersionId=version)
    local = RETENTION["local"]
    assert head["ObjectLockMode"] == local.mode.value == LockMode.GOVERNANCE.value
    until = head["ObjectLockRetainUntilDate"]
    assert local.until(before) - timedelta(minutes=1) <= until <= local.until(datetime.now(UTC)) + timedelta(minutes=1)

    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert [v["VersionId"] for v in versions_at(aws_client, local_aws, key)] == [version]
    # An upload "over" it is a new version; the locked one stays and stays the document.
    s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7\nother", ContentType="application/pdf")
    (replayed,) = deliver(aws_client, local_aws, key, 14)
    assert replayed["outcome"] == "deleted"
    assert [v["VersionId"] for v in versions_at(aws_client, local_aws, key)] == [version]


def test_the_event_again_keeps_the_lock_and_only_moves_it_later(api, tokens, aws_client, local_aws):
    bucket, s3 = local_aws["DOCUMENTS_BUCKET"], aws_client("s3")
    _, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, PDF)
    deliver(aws_client, local_aws, key, len(PDF))
    version = latest_version(aws_client, bucket, key)
    first = s3.head_object(Bucket=bucket, Key=key, VersionId=version)["ObjectLockRetainUntilDate"]
    (again,) = deliver(aws_client, local_aws, key, len(PDF))
    assert again["outcome"] == "accepted"
    head = s3.head_object(Bucket=bucket, Key=key, VersionId=version)
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] >= first


def test_a_refused_upload_is_deleted_and_nothing_is_locked(api, tokens, aws_client, local_aws):
    _, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, b"MZ" + b"\x90" * (len(PDF) - 2))
    (outcome,) = deliver(aws_client, local_aws, key, len(PDF))
    assert (outcome["outcome"], outcome["reasons"]) == ("rejected", ["signature_mismatch"])
    assert versions_at(aws_client, local_aws, key) == []


def test_an_operator_with_the_governance_bypass_can_still_clean_up_a_dev_bucket(api, tokens, aws_client, local_aws):
    """GOVERNANCE (dev, local) yields to s3:BypassGovernanceRetention plus the header,
    which no function is granted (tests/infra/test_iam.py); COMPLIANCE (prod) yields to nobody."""
    bucket, s3 = local_aws["DOCUMENTS_BUCKET"], aws_client("s3")
    _, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, PDF)
    deliver(aws_client, local_aws, key, len(PDF))
    version = latest_version(aws_client, bucket, key)
    s3.delete_object(Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=True)
    assert versions_at(aws_client, local_aws, key) == []
