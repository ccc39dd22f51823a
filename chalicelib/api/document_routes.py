"""Documents: announce an upload (presigned POST), then look at what arrived."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib import container
from chalicelib.api.routing import ApiBlueprint, current_correlation_id, json_response, resolve
from chalicelib.documents import domain
from chalicelib.documents import service
from chalicelib.identity.principal import Principal, Role

if TYPE_CHECKING:
    from chalicelib.api.schemas import DocumentRequest

api = ApiBlueprint(__name__, "documents")


@api.route(
    "/documents",
    "POST",
    summary="Announce a document of the caller's organisation and get the presigned POST that uploads it",
    body="DocumentRequest",
    response="DocumentUpload",
    status=201,
    roles={Role.PARTICIPANT},
    errors_=(domain.FileTypeNotAllowed, domain.FileTooLarge, domain.FileNameNotAllowed),
)
def announce_document(principal: Principal, body: DocumentRequest) -> Response:
    result = service.announce(principal, body.kind, body.filename, body.content_type, body.size,
                              documents=container.document_store(), objects=container.object_store())
    payload = resolve("DocumentUpload").model_validate(result).model_dump(mode="json")
    return json_response(201, payload, current_correlation_id())


@api.route(
    "/documents/{document_id}",
    summary="A document: its status, why an upload was refused, and a download link once accepted",
    response="DocumentView",
    errors_=(domain.DocumentNotFound,),
)
def get_document(principal: Principal, document_id: str) -> dict:
    if not domain.is_document_id(document_id):
        raise domain.DocumentNotFound(document_id=document_id[:64])
    return service.view(principal, document_id, documents=container.document_store(), objects=container.object_store())
