"""Document rules, without AWS: what may be uploaded, where, and what must arrive.

An upload is announced first (kind, file name, content type, exact size). The document
then waits for exactly that object at a key the server chose,
``uploads/<org_id>/<document_id>.<ext>``; the file name is only shown, never part of a
key. When an object arrives it is accepted only if all of this holds: its key names an
announced document still waiting, its size is the announced size (and within the kind's
limit), its stored content type is the announced one, and its first bytes are that
type's signature. Anything else is deleted. An accepted document is final: a later
object at the same key (a presigned POST can be replayed until it expires) is deleted,
and the accepted version stays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote

from chalicelib.documents.domain.errors import FileNameNotAllowed, FileTooLarge, FileTypeNotAllowed, PurposeNotAllowed

UPLOAD_PREFIX = "uploads/"
#: How long an upload link is valid, and how long an announced document waits for it.
UPLOAD_SECONDS = 15 * 60
WAIT_SECONDS = 24 * 60 * 60
DOWNLOAD_SECONDS = 5 * 60
#: Bytes read from an arrived object to check its signature.
SIGNATURE_BYTES = 8

MiB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    signature: bytes


PDF = FileType("application/pdf", "pdf", b"%PDF-")
PNG = FileType("image/png", "png", b"\x89PNG\r\n\x1a\n")
JPEG = FileType("image/jpeg", "jpg", b"\xff\xd8\xff")
# An .xlsx workbook is a ZIP container.
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", b"PK\x03\x04")
FILE_TYPES = {file_type.content_type: file_type for file_type in (PDF, PNG, JPEG, XLSX)}
EXTENSIONS = {file_type.extension: file_type for file_type in FILE_TYPES.values()}


class DocumentKind(str, Enum):
    #: Energy bills, delivery slips, permits: what monitoring data and sources rest on.
    EVIDENCE = "evidence"
    #: The performance management sheet (sources x months), an .xlsx workbook.
    PERFORMANCE_SHEET = "performance_sheet"
    #: A calculation report as submitted.
    CALCULATION_REPORT = "calculation_report"
    #: A verifier's working paper for one calculation report (announced through the emissions
    #: system with the purpose ``working_paper:<report id>``; its key is scoped to that report).
    WORKING_PAPER = "working_paper"


@dataclass(frozen=True)
class KindRule:
    types: tuple[FileType, ...]
    max_bytes: int


RULES: dict[DocumentKind, KindRule] = {
    DocumentKind.EVIDENCE: KindRule((PDF, PNG, JPEG), 20 * MiB),
    DocumentKind.PERFORMANCE_SHEET: KindRule((XLSX,), 10 * MiB),
    DocumentKind.CALCULATION_REPORT: KindRule((PDF, XLSX), 20 * MiB),
    DocumentKind.WORKING_PAPER: KindRule((PDF, XLSX, PNG, JPEG), 50 * MiB),
}


class DocumentStatus(str, Enum):
    AWAITING_UPLOAD = "awaiting_upload"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# --- the review of an accepted document -------------------------------------------------

#: What another system concluded about an accepted document's contents.
REVIEW_OUTCOMES = ("imported", "refused")
#: Problems kept on the document (its item must stay far below DynamoDB's 400 KB); the
#: summary says how many there were in all.
MAX_REVIEW_PROBLEMS = 200
_REVIEWER = re.compile(r"^[a-z][a-z_]{0,31}$")


class InvalidReview(ValueError):
    """A review names no reviewer or an unknown outcome: a programming error of the reviewing system."""

    def __init__(self, reviewer: str, outcome: str) -> None:
        super().__init__(f"not a review: reviewer {reviewer!r}, outcome {outcome!r} (one of {REVIEW_OUTCOMES})")


@dataclass(frozen=True)
class ReviewProblem:
    """One thing wrong in a document: where (a sheet and a cell such as ``D7``, empty
    for the whole file), a stable code and the reason in English and Japanese."""

    sheet: str
    cell: str
    code: str
    message: str
    message_ja: str


@dataclass(frozen=True)
class Review:
    """Kind-agnostic: the system that read an accepted document (``reviewer``) records
    what became of it. The documents system only keeps and shows it."""

    reviewer: str
    outcome: str
    problems: tuple[ReviewProblem, ...]
    summary: dict[str, Any]
    reviewed_at: str

    def __post_init__(self) -> None:
        if not _REVIEWER.match(self.reviewer) or self.outcome not in REVIEW_OUTCOMES:
            raise InvalidReview(self.reviewer, self.outcome)

    def kept(self) -> Review:
        """The review as stored: at most MAX_REVIEW_PROBLEMS problems, the total in the summary."""
        if len(self.problems) <= MAX_REVIEW_PROBLEMS:
            return self
        summary = {**self.summary, "problems_total": len(self.problems), "problems_shown": MAX_REVIEW_PROBLEMS}
        return Review(self.reviewer, self.outcome, self.problems[:MAX_REVIEW_PROBLEMS], summary, self.reviewed_at)

    def view(self) -> dict[str, Any]:
        return {"reviewer": self.reviewer, "outcome": self.outcome,
                "problems": [{"sheet": p.sheet, "cell": p.cell, "code": p.code, "message": p.message, "message_ja": p.message_ja}
                             for p in self.problems],
                "summary": dict(self.summary), "reviewed_at": self.reviewed_at}

    @staticmethod
    def from_view(data: dict[str, Any]) -> Review:
        return Review(data["reviewer"], data["outcome"], tuple(ReviewProblem(**p) for p in data.get("problems", ())),
                      dict(data.get("summary") or {}), data["reviewed_at"])


# --- the document ---------------------------------------------------------------------

#: Why an arrived object was refused (stored with the document, shown to its owner).
REASONS = {
    "not_awaiting": ("The document had already been received or refused.", "この書類は既に受領済みまたは却下済みです。"),
    "size_mismatch": ("The file's size is not the size announced.", "ファイルのサイズが申告したサイズと異なります。"),
    "too_large": ("The file is larger than this kind of document may be.", "ファイルがこの種類の書類の上限を超えています。"),
    "empty": ("The file is empty.", "ファイルが空です。"),
    "content_type_mismatch": ("The file was not sent with the announced type.", "ファイルが申告した形式で送信されていません。"),
    "signature_mismatch": ("The file's contents are not of the announced type.", "ファイルの内容が申告した形式ではありません。"),
}


@dataclass(frozen=True)
class Document:
    document_id: str
    org_id: str
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    status: DocumentStatus
    created_at: str
    created_by: str
    #: Epoch seconds after which a document still waiting is forgotten (DynamoDB TTL).
    expires_at: int | None = None
    received_at: str | None = None
    version_id: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    #: What the document was announced for (``<what>:<id>``, e.g. ``monitoring:SRC-1:2026-04``).
    purpose: str | None = None
    #: What the system that read the accepted document made of it (``None``: not yet, or nobody reads this kind).
    review: Review | None = None

    @property
    def key(self) -> str:
        return object_key(self.org_id, self.document_id, self.content_type, scope_of(self.kind, self.purpose))

    def view(self) -> dict[str, Any]:
        return {
            "id": self.document_id,
            "org_id": self.org_id,
            "kind": self.kind.value,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "status": self.status.value,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "received_at": self.received_at,
            "purpose": self.purpose,
            "reasons": [
                {"code": reason, "message": REASONS[reason][0], "message_ja": REASONS[reason][1]}
                for reason in self.reasons
            ],
            "review": self.review.view() if self.review is not None else None,
        }


_ORG = r"[a-z0-9][a-z0-9-]{0,62}"
_ID = r"[0-9a-f]{32}"
_SCOPE = r"[A-Za-z0-9][A-Za-z0-9-]{0,79}"
_KEY = re.compile(rf"^uploads/(?P<org_id>{_ORG})/(?:reports/(?P<scope>{_SCOPE})/)?(?P<document_id>{_ID})\.(?P<extension>[a-z]{{3,4}})$")
#: The purpose a working paper is announced with: the report it belongs to.
WORKING_PAPER_PURPOSE = re.compile(rf"^working_paper:(?P<report_id>{_SCOPE})$")


#: A purpose names what a document supports: a word, then ids, separated by colons.
PURPOSE = re.compile(r"^[a-z][a-z_]{0,31}(:[A-Za-z0-9._-]{1,64}){0,3}$")


def is_document_id(text: str) -> bool:
    return re.fullmatch(_ID, text) is not None


def scope_of(kind: DocumentKind, purpose: str | None) -> str | None:
    """The report a working paper's key is scoped to (``None`` for every other kind)."""
    if kind is not DocumentKind.WORKING_PAPER:
        return None
    match = WORKING_PAPER_PURPOSE.match(purpose or "")
    return match["report_id"] if match else None


def object_key(org_id: str, document_id: str, content_type: str, scope: str | None = None) -> str:
    """``uploads/<org>/<document>.<ext>``, or for a working paper
    ``uploads/<org>/reports/<report id>/<document>.<ext>``."""
    scoped = f"reports/{scope}/" if scope else ""
    return f"{UPLOAD_PREFIX}{org_id}/{scoped}{document_id}.{FILE_TYPES[content_type].extension}"


def parse_key(key: str) -> tuple[str, str] | None:
    """``(org_id, document_id)`` of a key the server could have chosen, else ``None``."""
    match = _KEY.match(key)
    if match is None or match["extension"] not in EXTENSIONS:
        return None
    return match["org_id"], match["document_id"]


def clean_filename(filename: str, file_type: FileType) -> str:
    """The name to show: NFC, trimmed; refused if it could be read as a path, holds
    control characters, or does not end in the type's extension."""
    name = unicodedata.normalize("NFC", filename).strip()
    extensions = {file_type.extension} | ({"jpeg"} if file_type is JPEG else set())
    if (
        not name
        or len(name) > 200
        or any(ch in name for ch in "/\\")
        or name in {".", ".."}
        or any(unicodedata.category(ch).startswith("C") for ch in name)
        or name.rsplit(".", 1)[-1].lower() not in extensions
        or "." not in name
    ):
        raise FileNameNotAllowed(field="filename", extension=file_type.extension)
    return name


def check_announcement(
    kind: DocumentKind, filename: str, content_type: str, size: int, purpose: str | None = None
) -> tuple[FileType, str]:
    """What a participant announces before uploading; returns the type and clean name."""
    if purpose is not None and not PURPOSE.match(purpose):
        raise PurposeNotAllowed(field="purpose")
    if kind is DocumentKind.WORKING_PAPER and scope_of(kind, purpose) is None:
        raise PurposeNotAllowed(field="purpose")
    rule = RULES[kind]
    file_type = FILE_TYPES.get(content_type)
    if file_type is None or file_type not in rule.types:
        raise FileTypeNotAllowed(field="content_type", kind=kind.value,
                                 allowed=", ".join(t.content_type for t in rule.types))
    if size > rule.max_bytes:
        raise FileTooLarge(field="size", kind=kind.value, limit=rule.max_bytes)
    return file_type, clean_filename(filename, file_type)


@dataclass(frozen=True)
class Arrival:
    """What S3 says arrived: the key and version, and what the object holds."""

    key: str
    version_id: str | None
    size: int
    content_type: str
    first_bytes: bytes


def arrival_problems(document: Document, arrival: Arrival) -> list[str]:
    """Why the arrived object cannot be the document (empty: accept it)."""
    if document.status is not DocumentStatus.AWAITING_UPLOAD:
        return ["not_awaiting"]
    problems = []
    if arrival.size == 0:
        problems.append("empty")
    if arrival.size != document.size:
        problems.append("size_mismatch")
    if arrival.size > RULES[document.kind].max_bytes:
        problems.append("too_large")
    if arrival.content_type.split(";")[0].strip().lower() != document.content_type:
        problems.append("content_type_mismatch")
    if not arrival.first_bytes.startswith(FILE_TYPES[document.content_type].signature):
        problems.append("signature_mismatch")
    return problems


def content_disposition(filename: str) -> str:
    """``attachment`` with the name in ASCII and, for Japanese names, RFC 5987 UTF-8."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
