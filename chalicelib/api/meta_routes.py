"""Health and the API's own description."""

from __future__ import annotations

from chalicelib.api.routing import ApiBlueprint
from chalicelib.settings import get_settings

api = ApiBlueprint(__name__, "meta")


@api.route("/health", summary="Liveness: the API answers (touches no data store)", response="Health", public=True)
def health() -> dict:
    return {"status": "ok", "stage": get_settings().stage}


@api.route("/openapi.json", summary="This API described as OpenAPI 3.1", public=True)
def openapi() -> dict:
    from chalicelib.api.openapi import document

    return document()
