"""Document use cases: announce an upload, look at a document, check what arrived."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.core.clock import JST, iso_now
from chalicelib.core.events import Publish
from chalicelib.core.principal import Principal
from chalicelib.documents.domain.documents import (
    DOWNLOAD_SECONDS,
    UPLOAD_PREFIX,
    UPLOAD_SECONDS,
    WAIT_SECONDS,
    Arrival,
    Document,
    DocumentKind,
    DocumentStatus,
    Review,
    arrival_problems,
    check_announcement,
    parse_key,
)
from chalicelib.documents.domain.errors import DocumentNotFound
from chalicelib.documents.domain.events import DocumentAccepted
from chalicelib.documents.ports import DocumentStore, ObjectStore


@dataclass(frozen=True)
class Announcement:
    """A participant says what they are about to upload, and what it is for."""

    kind: str
    filename: str
    content_type: str
    size: int
    purpose: str | None = None


def announce(principal: Principal, announcement: Announcement, *, documents: DocumentStore, objects: ObjectStore,
             clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """A participant announces a document of their organisation; the answer holds the
    presigned POST that uploads exactly that file."""
    document_kind = DocumentKind(announcement.kind)
    content_type, size = announcement.content_type, announcement.size
    _, name = check_announcement(document_kind, announcement.filename, content_type, size, announcement.purpose)
    now = clock()
    document = Document(
        document_id=uuid.uuid4().hex,
        org_id=principal.org_id,
        kind=document_kind,
        filename=name,
        content_type=content_type,
        size=size,
        status=DocumentStatus.AWAITING_UPLOAD,
        created_at=datetime.fromtimestamp(now, JST).isoformat(timespec="seconds"),
        created_by=principal.username,
        expires_at=int(now) + WAIT_SECONDS,
        purpose=announcement.purpose,
    )
    documents.create(document)
    form = objects.upload_form(document.key, content_type, size, UPLOAD_SECONDS)
    return {
        "document": document.view(),
        "upload": {"url": form["url"], "fields": form["fields"], "expires_in": UPLOAD_SECONDS},
    }


def view(principal: Principal, document_id: str, *, documents: DocumentStore, objects: ObjectStore) -> dict[str, Any]:
    """The document for its organisation's users and the administrators (anyone else
    gets the same 404 as for a missing one), with a download link once accepted."""
    document = documents.get(document_id)
    if document is None or not (principal.is_admin or principal.org_id == document.org_id):
        raise DocumentNotFound(document_id=document_id)
    body = document.view()
    body["download"] = None
    if document.status is DocumentStatus.ACCEPTED:
        body["download"] = {
            "url": objects.download_url(document.key, document.version_id, document.filename,
                                        document.content_type, DOWNLOAD_SECONDS),
            "expires_in": DOWNLOAD_SECONDS,
        }
    return body


def arrived(records: Iterable[dict[str, Any]], *, documents: DocumentStore, objects: ObjectStore,
            publish: Publish) -> list[dict[str, Any]]:
    """Check every object S3 reports as created (an S3 event's records). Each outcome is
    one of: accepted (the version locked with S3 Object Lock for the stage's retention,
    see ``domain/retention.py``), rejected (the object deleted, the reasons kept on the
    document), deleted (no document waits for it), gone (already deleted), ignored (not
    ours). Uploads arrive unlocked (the bucket has no default retention), which is what
    lets every refusal delete its object.

    Every accepted document is published as ``DocumentAccepted`` (again when S3 delivers
    the same event again), after all records are settled."""
    records = list(records)
    outcomes = [_arrived(record, documents, objects) for record in records]
    for record, outcome in zip(records, outcomes, strict=True):
        accepted = outcome.pop("accepted_document", None)
        if accepted is not None:
            bucket = ((record.get("s3") or {}).get("bucket") or {}).get("name") or None
            publish(_accepted(accepted, outcome.get("version_id"), bucket))
    return outcomes


def _accepted(document: Document, version_id: str | None, bucket: str | None) -> DocumentAccepted:
    return DocumentAccepted(
        document_id=document.document_id, org_id=document.org_id, kind=document.kind.value, key=document.key,
        version_id=version_id, content_type=document.content_type, filename=document.filename,
        purpose=document.purpose, bucket=bucket, uploaded_by=document.created_by,
    )


def record_review(document_id: str, review: Review, *, documents: DocumentStore) -> dict[str, Any]:
    """Another system records what it made of an accepted document (an import, a
    refusal with each problem). One conditional write: only an accepted document takes
    a review, and only its own reviewer's later review replaces an earlier one (a
    redelivered event reviews again: the same review again). Shown on ``GET /documents/{id}``."""
    if not documents.record_review(document_id, review.kept()):
        raise DocumentNotFound(document_id=document_id[:64])
    return review.kept().view()


def _arrived(record: dict[str, Any], documents: DocumentStore, objects: ObjectStore) -> dict[str, Any]:
    s3 = record.get("s3") or {}
    key = unquote_plus((s3.get("object") or {}).get("key", ""))  # S3 events URL-encode keys
    version_id = (s3.get("object") or {}).get("versionId")
    outcome = {"key": key, "version_id": version_id}
    if not str(record.get("eventName", "")).startswith("ObjectCreated:") or not key.startswith(UPLOAD_PREFIX):
        return {**outcome, "outcome": "ignored"}
    parsed = parse_key(key)
    document = documents.get(parsed[1]) if parsed else None
    if document is None or document.key != key:  # the key names the organisation too
        objects.delete(key, version_id)
        return {**outcome, "outcome": "deleted", "reasons": ["unexpected"]}
    if document.status is DocumentStatus.ACCEPTED and version_id is not None and version_id == document.version_id:
        # The event again (S3 redelivers it after a failed invocation, e.g. one whose
        # lock below failed): lock again, which only moves the retain-until date later.
        objects.retain(key, version_id)
        return {**outcome, "outcome": "accepted", "document_id": document.document_id, "accepted_document": document}
    inspected = objects.inspect(key, version_id)
    if inspected is None:
        return {**outcome, "outcome": "gone", "document_id": document.document_id}
    size, content_type, first_bytes = inspected
    problems = arrival_problems(document, Arrival(key, version_id, size, content_type, first_bytes))
    if problems == ["not_awaiting"]:
        # A second object at a settled document's key: the document stays as it is.
        objects.delete(key, version_id)
        return {**outcome, "outcome": "deleted", "document_id": document.document_id, "reasons": problems}
    status = DocumentStatus.REJECTED if problems else DocumentStatus.ACCEPTED
    settled = documents.settle(document, status, received_at=iso_now(), version_id=version_id, reasons=problems)
    if not settled:  # another delivery settled it first: this object is not the document
        current = documents.get(document.document_id)
        if current is not None and current.version_id == version_id and current.status is DocumentStatus.ACCEPTED:
            objects.retain(key, version_id)
            return {**outcome, "outcome": "accepted", "document_id": document.document_id, "accepted_document": current}
        objects.delete(key, version_id)
        return {**outcome, "outcome": "deleted", "document_id": document.document_id, "reasons": ["not_awaiting"]}
    if problems:
        objects.delete(key, version_id)
        return {**outcome, "outcome": "rejected", "document_id": document.document_id, "reasons": problems}
    # Settled first, locked second: the conditional settle decides which version is the
    # document; only that version is locked, so nothing the check may still delete is
    # ever locked. A failed lock fails the invocation and S3 delivers the event again.
    objects.retain(key, version_id)
    return {**outcome, "outcome": "accepted", "document_id": document.document_id, "accepted_document": document}
