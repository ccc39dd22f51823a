"""The documents system's ports in memory: the document items and a versioned bucket."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.documents.domain.documents import SIGNATURE_BYTES, Document, DocumentStatus, Review


class FakeDocumentStore:
    """``DocumentStore``: ``settle`` changes only a document still waiting, as the adapter's
    conditional update does."""

    def __init__(self) -> None:
        self.items: dict[str, Document] = {}

    def create(self, document: Document) -> Document:
        if document.document_id in self.items:
            raise ServiceUnavailable(details=[{"cause": "ConditionalCheckFailedException"}])
        self.items[document.document_id] = document
        return document

    def get(self, document_id: str) -> Document | None:
        return self.items.get(document_id)

    def settle(self, document: Document, status: DocumentStatus, *, received_at: str,
               version_id: str | None, reasons: list[str]) -> bool:
        current = self.items.get(document.document_id)
        if current is None or current.status is not DocumentStatus.AWAITING_UPLOAD or current.key != document.key:
            return False
        self.items[document.document_id] = replace(
            current, status=status, received_at=received_at, reasons=tuple(reasons), expires_at=None,
            version_id=version_id if version_id is not None else current.version_id,
        )
        return True

    def record_review(self, document_id: str, review: Review) -> bool:
        current = self.items.get(document_id)
        if current is None or current.status is not DocumentStatus.ACCEPTED or (
                current.review is not None and current.review.reviewer != review.reviewer):
            return False
        self.items[document_id] = replace(current, review=review)
        return True


@dataclass
class StoredObject:
    body: bytes
    content_type: str


@dataclass
class FakeObjectStore:
    """``ObjectStore``: a versioned bucket (key -> version id -> object).

    ``failing_deletes`` makes that many next deletes fail as S3 being unavailable would.
    """

    objects: dict[str, dict[str, StoredObject]] = field(default_factory=dict)
    forms: list[dict[str, Any]] = field(default_factory=list)
    failing_deletes: int = 0
    #: Versions locked by ``retain`` (Object Lock); ``failing_retains`` as ``failing_deletes``.
    retained: set[tuple[str, str | None]] = field(default_factory=set)
    failing_retains: int = 0
    _versions: int = 0

    def put(self, key: str, body: bytes, content_type: str) -> str:
        """An upload (what the presigned POST, or anyone with it, sends): its version id."""
        self._versions += 1
        version_id = f"v{self._versions}"
        self.objects.setdefault(key, {})[version_id] = StoredObject(body, content_type)
        return version_id

    def versions(self, key: str) -> list[str]:
        return list(self.objects.get(key, {}))

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> dict[str, Any]:
        form = {"url": "https://documents.example/", "fields": {"key": key, "Content-Type": content_type},
                "size": size, "expires_in": expires_in}
        self.forms.append(form)
        return form

    def download_url(self, key: str, version_id: str | None, filename: str, content_type: str, expires_in: int) -> str:
        return f"https://documents.example/{key}?versionId={version_id}&expires={expires_in}"

    def inspect(self, key: str, version_id: str | None) -> tuple[int, str, bytes] | None:
        versions = self.objects.get(key, {})
        stored = versions.get(version_id) if version_id else (list(versions.values())[-1] if versions else None)
        if stored is None:
            return None
        return len(stored.body), stored.content_type, stored.body[:SIGNATURE_BYTES]

    def retain(self, key: str, version_id: str | None) -> None:
        if self.failing_retains:
            self.failing_retains -= 1
            raise ServiceUnavailable(details=[{"cause": "InternalError"}])
        self.retained.add((key, version_id))

    def delete(self, key: str, version_id: str | None) -> None:
        if (key, version_id) in self.retained:  # S3 refuses to delete a locked version
            raise ServiceUnavailable(details=[{"cause": "AccessDenied"}])
        if self.failing_deletes:
            self.failing_deletes -= 1
            raise ServiceUnavailable(details=[{"cause": "InternalError"}])
        versions = self.objects.get(key, {})
        if version_id is None:
            versions.clear()  # (the bucket is versioned: the service always names the version)
        else:
            versions.pop(version_id, None)
        if not versions:
            self.objects.pop(key, None)
