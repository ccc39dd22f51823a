"""What the documents system tells other systems."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentAccepted:
    """An uploaded object passed every check and is now the document's accepted version.

    Published in-process (``chalicelib.core.events``) by the arrival check. A subscriber
    may see the same document twice (a redelivered S3 event publishes again, so that a
    subscriber that failed gets another chance): it must be idempotent.
    """

    document_id: str
    org_id: str
    kind: str
    key: str
    version_id: str | None
    content_type: str
    filename: str
    #: What the document was announced for (``None`` when nothing was said).
    purpose: str | None
    #: The bucket holding ``key`` (from the S3 event: the arrival function has no bucket setting).
    bucket: str | None = None
    #: The participant who announced the document.
    uploaded_by: str | None = None
