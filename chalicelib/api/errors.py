"""The one place where typed exceptions become HTTP statuses.

Every failure leaves the API as ``{"error": {"code", "message", "message_ja"}}``.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import errors
from chalicelib.identity import errors as identity_errors
from chalicelib.registry.domain import errors as registry_errors

#: Most specific class first; the first match wins.
STATUS_BY_ERROR: tuple[tuple[type[errors.JvetsError], int], ...] = (
    (identity_errors.PasswordChangeRequired, 403),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (registry_errors.AccountTypeNotAllowed, 422),
    (registry_errors.UnknownReceiver, 422),
    (registry_errors.ReceiverNotAllowed, 422),
    (registry_errors.TooManyBlocks, 422),
    (registry_errors.NotCorrectable, 422),
    (identity_errors.RoleNotAllowed, 422),
    (identity_errors.UserExists, 409),
    (errors.ServiceUnavailable, 503),
    (errors.JvetsError, 400),
)

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def status_for_class(error_class: type[errors.JvetsError]) -> int:
    for mapped, status in STATUS_BY_ERROR:
        if issubclass(error_class, mapped):
            return status
    return 400


def status_for(error: errors.JvetsError) -> int:
    return status_for_class(type(error))


def error_body(error: errors.JvetsError) -> dict[str, Any]:
    return {"error": error.to_dict()}


def error_json(code: str, message: str, message_ja: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "message_ja": message_ja}}, ensure_ascii=False)


class InternalError(errors.JvetsError):
    """An unexpected failure: a bug. The body says nothing about the cause."""

    code = "INTERNAL_ERROR"
    message_en = "An internal error occurred. It has been logged."
    message_ja = "内部エラーが発生しました。記録済みです。"


class UnsupportedMediaType(errors.JvetsError):
    """The body is not sent as application/json."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    message_en = "Send the body as application/json."
    message_ja = "本文は application/json で送信してください。"


class MethodNotAllowed(errors.JvetsError):
    """The path exists but not with this method."""

    code = "METHOD_NOT_ALLOWED"
    message_en = "This method is not allowed here."
    message_ja = "このメソッドは使用できません。"


#: Chalice's own error responses (``{"Code", "Message"}``) rewritten to ours.
CHALICE_ERRORS: dict[str, tuple[type[errors.JvetsError], int]] = {
    "UnsupportedMediaType": (UnsupportedMediaType, 415),
    "MethodNotAllowedError": (MethodNotAllowed, 405),
    "BadRequestError": (errors.MalformedJson, 400),
    "InternalServerError": (InternalError, 500),
}
