"""Health and the API's own description."""

from __future__ import annotations

from typing import Any

from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.settings import get_settings

api = ApiBlueprint(__name__, "meta", schemas="chalicelib.core.http.schemas")


@api.route("/health", summary="Liveness: the API answers (touches no data store)", response="Health", public=True)
def health() -> dict[str, str]:
    return {"status": "ok", "stage": get_settings().stage}


@api.route("/openapi.json", summary="This API described as OpenAPI 3.1", public=True)
def openapi() -> dict[str, Any]:
    from chalicelib.core.http.openapi import document

    return document()
