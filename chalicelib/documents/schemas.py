"""The documents system's request and response models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from chalicelib.core.http.schemas import RequestModel, ResponseModel

# --- documents ------------------------------------------------------------------------

DocumentKindName = Literal["evidence", "performance_sheet", "calculation_report"]
#: Every kind a document may be (working papers are announced through the emissions system only).
StoredKindName = Literal["evidence", "performance_sheet", "calculation_report", "working_paper"]


class DocumentRequest(RequestModel):
    kind: DocumentKindName
    filename: Annotated[str, Field(min_length=1, max_length=200, examples=["電力請求書_2026-04.pdf"])]
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["application/pdf"])]
    size: Annotated[int, Field(ge=1, le=1_073_741_824, description="The file's exact size in bytes")]
    purpose: Annotated[str, Field(min_length=1, max_length=200, examples=["monitoring:S-01:2026-04"],
                                  description="What the document is for: a word and up to three ids, colon-separated")] | None = None


class DocumentReason(ResponseModel):
    code: str
    message: str
    message_ja: str


class DownloadLink(ResponseModel):
    url: str
    expires_in: int


class ReviewProblem(ResponseModel):
    sheet: Annotated[str, Field(description="The worksheet (empty for the whole file)")]
    cell: Annotated[str, Field(examples=["D7"], description="The cell (empty for a whole file or sheet)")]
    code: str
    message: str
    message_ja: str


class DocumentReview(ResponseModel):
    """What the system that reads this kind of document made of it."""

    reviewer: Annotated[str, Field(examples=["emissions"])]
    outcome: Literal["imported", "refused"]
    problems: list[ReviewProblem]
    summary: dict[str, Any]
    reviewed_at: str


class DocumentView(ResponseModel):
    id: str
    org_id: str
    kind: StoredKindName
    filename: str
    content_type: str
    size: int
    status: Literal["awaiting_upload", "accepted", "rejected"]
    created_at: str
    created_by: str
    received_at: str | None
    purpose: str | None = None
    reasons: list[DocumentReason]
    download: DownloadLink | None = None
    review: DocumentReview | None = None


class UploadForm(ResponseModel):
    url: str
    fields: dict[str, str]
    expires_in: int


class DocumentUpload(ResponseModel):
    document: DocumentView
    upload: UploadForm
