"""Documents: announce an upload (presigned POST), then look at what arrived."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import container
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.http.requests import current_correlation_id, resolve
from chalicelib.core.http.responses import json_response
from chalicelib.core.principal import Principal, Role
from chalicelib.documents import service
from chalicelib.documents.domain.documents import is_document_id
from chalicelib.documents.domain.errors import (
    DocumentNotFound,
    FileNameNotAllowed,
    FileTooLarge,
    FileTypeNotAllowed,
    PurposeNotAllowed,
)

if TYPE_CHECKING:
    from chalicelib.documents.schemas import DocumentRequest

api = ApiBlueprint(__name__, "documents", schemas="chalicelib.documents.schemas")


@api.route(
    "/documents",
    "POST",
    summary="Announce a document of the caller's organisation and get the presigned POST that uploads it",
    body="DocumentRequest",
    response="DocumentUpload",
    status=201,
    roles={Role.PARTICIPANT},
    errors_=(FileTypeNotAllowed, FileTooLarge, FileNameNotAllowed, PurposeNotAllowed),
)
def announce_document(principal: Principal, body: DocumentRequest) -> Response:
    announcement = service.Announcement(kind=body.kind, filename=body.filename, content_type=body.content_type,
                                        size=body.size, purpose=body.purpose)
    result = service.announce(principal, announcement, documents=container.document_store(),
                              objects=container.object_store())
    payload = resolve("chalicelib.documents.schemas:DocumentUpload").model_validate(result).model_dump(mode="json")
    return json_response(201, payload, current_correlation_id())


@api.route(
    "/documents/{document_id}",
    summary="A document: its status, why an upload was refused, and a download link once accepted",
    response="DocumentView",
    errors_=(DocumentNotFound,),
)
def get_document(principal: Principal, document_id: str) -> dict[str, Any]:
    if not is_document_id(document_id):
        raise DocumentNotFound(document_id=document_id[:64])
    return service.view(principal, document_id, documents=container.document_store(), objects=container.object_store())
