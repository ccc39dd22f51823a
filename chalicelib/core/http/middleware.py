"""Chalice's own error bodies (``{"Code", "Message"}``: 415, 405, 400, 500) rewritten
into the stable shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import errors
from chalicelib.core.http.responses import error_response

middleware = Blueprint(__name__)

CHALICE_ERRORS: dict[str, type[errors.JvetsError]] = {
    "UnsupportedMediaType": errors.UnsupportedMediaType,
    "MethodNotAllowedError": errors.MethodNotAllowed,
    "BadRequestError": errors.MalformedJson,
    "InternalServerError": errors.InternalError,
}


@middleware.middleware("http")
def chalice_errors_in_our_shape(event: Any, get_response: Callable[[Any], Response]) -> Response:
    response = get_response(event)
    if response.status_code < 400 or not isinstance(response.body, dict):
        return response
    chalice_code = response.body.get("Code")
    if chalice_code is None or "error" in response.body:
        return response
    error_class = CHALICE_ERRORS.get(chalice_code)
    if error_class is None:
        return error_response(errors.JvetsError(), "", response.status_code)
    return error_response(error_class(), "")
