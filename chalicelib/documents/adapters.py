"""Documents in the table (``DOC#<id>`` / ``DOC``) and their objects in S3."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import GetError, PutError, UpdateError

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.settings import get_settings
from chalicelib.core.table import TableItem, response_code, unavailable
from chalicelib.documents.domain.documents import (
    SIGNATURE_BYTES,
    Document,
    DocumentKind,
    DocumentStatus,
    Review,
    content_disposition,
)
from chalicelib.documents.domain.retention import Retention, retention_for

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class DocumentItem(TableItem, discriminator="document"):
    """``DOC#<id>`` / ``DOC``: an announced document and what became of its upload."""

    document_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute()
    object_key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    #: The table's TTL attribute: a document never uploaded is forgotten after a day.
    expires_at = NumberAttribute(null=True)
    received_at = UnicodeAttribute(null=True)
    version_id = UnicodeAttribute(null=True)
    #: PynamoDB types a list ``of=UnicodeAttribute`` as a list of attributes; its values are str.
    reasons = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))
    purpose = UnicodeAttribute(null=True)
    #: Who reviewed the accepted document, and the review as JSON (``Review.view()``).
    reviewer = UnicodeAttribute(null=True)
    review = UnicodeAttribute(null=True)

    @staticmethod
    def key(document_id: str) -> tuple[str, str]:
        return f"DOC#{document_id}", "DOC"


_unavailable = unavailable


def _document(item: DocumentItem) -> Document:
    return Document(
        document_id=item.document_id,
        org_id=item.org_id,
        kind=DocumentKind(item.kind),
        filename=item.filename,
        content_type=item.content_type,
        size=int(item.size),
        status=DocumentStatus(item.status),
        created_at=item.created_at,
        created_by=item.created_by,
        expires_at=int(item.expires_at) if item.expires_at is not None else None,
        received_at=item.received_at,
        version_id=item.version_id,
        reasons=tuple(item.reasons or ()),
        purpose=item.purpose,
        review=Review.from_view(json.loads(item.review)) if item.review else None,
    )


class DocumentStore:
    def create(self, document: Document) -> Document:
        item = DocumentItem(
            *DocumentItem.key(document.document_id),
            document_id=document.document_id,
            org_id=document.org_id,
            kind=document.kind.value,
            filename=document.filename,
            content_type=document.content_type,
            size=document.size,
            status=document.status.value,
            object_key=document.key,
            created_at=document.created_at,
            created_by=document.created_by,
            expires_at=document.expires_at,
            purpose=document.purpose,
        )
        try:
            item.save(condition=DocumentItem.pk.does_not_exist())
        except PutError as error:
            raise _unavailable(error) from error
        return document

    def get(self, document_id: str) -> Document | None:
        try:
            return _document(DocumentItem.get(*DocumentItem.key(document_id), consistent_read=True))
        except DocumentItem.DoesNotExist:
            return None
        except GetError as error:
            raise _unavailable(error) from error

    def settle(self, document: Document, status: DocumentStatus, *, received_at: str,
               version_id: str | None, reasons: list[str]) -> bool:
        """Accept or refuse the upload of a waiting document, in one conditional write:
        only a document still waiting, at that key, changes. False if it no longer waits
        (another delivery of the event, or another object, settled it first)."""
        item = DocumentItem(*DocumentItem.key(document.document_id))
        actions: list[Action] = [
            DocumentItem.status.set(status.value),
            DocumentItem.received_at.set(received_at),
            DocumentItem.reasons.set(reasons),
            DocumentItem.expires_at.remove(),  # settled documents are kept
        ]
        if version_id is not None:
            actions.append(DocumentItem.version_id.set(version_id))
        try:
            item.update(
                actions=actions,
                condition=(DocumentItem.status == DocumentStatus.AWAITING_UPLOAD.value)
                & (DocumentItem.object_key == document.key),
            )
        except UpdateError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise _unavailable(error) from error
        return True

    def record_review(self, document_id: str, review: Review) -> bool:
        """One conditional UpdateItem: the document is accepted and has no review by
        another reviewer. False if the condition fails (no such accepted document)."""
        item = DocumentItem(*DocumentItem.key(document_id))
        try:
            item.update(
                actions=[DocumentItem.reviewer.set(review.reviewer),
                         DocumentItem.review.set(json.dumps(review.view(), ensure_ascii=False, sort_keys=True))],
                condition=(DocumentItem.status == DocumentStatus.ACCEPTED.value)
                & (DocumentItem.reviewer.does_not_exist() | (DocumentItem.reviewer == review.reviewer)),
            )
        except UpdateError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise _unavailable(error) from error
        return True


class ObjectStore:
    """The documents bucket (S3 Object Lock enabled, no default retention: see
    ``chalicelib/documents/domain/retention.py``). ``retention`` defaults to the stage's."""

    def __init__(self, client: Any, bucket: str, retention: Retention | None = None) -> None:
        self._client = client
        self._bucket = bucket
        self._retention = retention or retention_for(get_settings().stage)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(Bucket=self._bucket, **kwargs)
        except ClientError as error:
            raise ServiceUnavailable(details=[{"cause": error.response["Error"]["Code"]}]) from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> dict[str, Any]:
        """A presigned POST for exactly this key, content type and size. S3 enforces
        the policy; the arrival check does not rely on it."""
        return self._call(
            "generate_presigned_post",
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", size, size],
            ],
            ExpiresIn=expires_in,
        )

    def download_url(self, key: str, version_id: str | None, filename: str, content_type: str, expires_in: int) -> str:
        """A presigned GET of the accepted version (never a later object at the key)."""
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseContentType": content_type,
        }
        if version_id:
            params["VersionId"] = version_id
        try:
            return self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        except (ClientError, BotoCoreError) as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error

    def inspect(self, key: str, version_id: str | None) -> tuple[int, str, bytes] | None:
        """Size, stored content type and first bytes of one version; ``None`` if gone."""
        version = {"VersionId": version_id} if version_id else {}
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key, **version)
            size = int(head["ContentLength"])
            first = b""
            if size:
                body = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{SIGNATURE_BYTES - 1}", **version)
                first = body["Body"].read(SIGNATURE_BYTES)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}:
                return None
            raise ServiceUnavailable(details=[{"cause": error.response["Error"]["Code"]}]) from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error
        return size, head.get("ContentType", ""), first

    def delete(self, key: str, version_id: str | None) -> None:
        """Delete the version itself (in a versioned bucket, deleting the key would only
        hide it behind a delete marker)."""
        version = {"VersionId": version_id} if version_id else {}
        self._call("delete_object", Key=key, **version)

    def retain(self, key: str, version_id: str | None) -> None:
        """Lock one accepted version until now + the stage's retention (governance or
        compliance mode). Putting it again only moves the date later, so a redelivered
        event that retains again is harmless. S3 then refuses to delete that version."""
        version = {"VersionId": version_id} if version_id else {}
        until = self._retention.until(datetime.now(UTC))
        self._call("put_object_retention", Key=key, **version,
                   Retention={"Mode": self._retention.mode.value, "RetainUntilDate": until})
