"""The typed error hierarchy shared by every system.

Each failure is one class with a stable ``code``, its HTTP ``status`` and a bilingual
message. A system declares its own errors in its ``domain/errors.py`` by subclassing
these (a subclass inherits its parent's status unless it sets its own), so adding an
error touches that system's package only. The HTTP layer answers ``error.status``; the
administrator functions return ``{"error": error.to_dict()}``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class JvetsError(Exception):
    """Base of every expected failure: it has a code and an English and Japanese text."""

    code: ClassVar[str] = "ERROR"
    #: The HTTP status this failure answers with (a 5xx is a bug, except 503).
    status: ClassVar[int] = 400
    message_en: ClassVar[str] = "The request failed."
    message_ja: ClassVar[str] = "要求を処理できませんでした。"

    def __init__(
        self,
        message: str | None = None,
        message_ja: str | None = None,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        self.params = params
        self.message = message or self.message_en.format(**params)
        self.message_ja_text = message_ja or self.message_ja.format(**params)
        self.field = field
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The stable error body: ``{"code", "message", "message_ja"}`` plus context."""
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_ja": self.message_ja_text,
        }
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(JvetsError):
    """The input does not match the expected shape or types."""

    code = "VALIDATION_ERROR"
    message_en = "The input is not valid."
    message_ja = "入力内容が正しくありません。"


class MalformedJson(JvetsError):
    """The body is not a JSON document."""

    code = "MALFORMED_JSON"
    message_en = "The request body is not valid JSON."
    message_ja = "要求本文が正しいJSONではありません。"


class BodyTooLarge(JvetsError):
    """The body is larger than the API accepts."""

    code = "BODY_TOO_LARGE"
    message_en = "The request body is larger than {limit} bytes."
    message_ja = "要求本文が上限（{limit}バイト）を超えています。"


class NotFound(JvetsError):
    """The resource does not exist or the caller may not see it (both look the same)."""

    code = "NOT_FOUND"
    status = 404
    message_en = "Not found."
    message_ja = "見つかりません。"


class Forbidden(JvetsError):
    """The caller is known but their role may not do this."""

    code = "FORBIDDEN"
    status = 403
    message_en = "You are not allowed to do this."
    message_ja = "この操作を行う権限がありません。"


class Unauthenticated(JvetsError):
    """No valid token was presented."""

    code = "UNAUTHENTICATED"
    status = 401
    message_en = "Sign-in is required."
    message_ja = "ログインが必要です。"


class Conflict(JvetsError):
    """The request conflicts with the current state."""

    code = "CONFLICT"
    status = 409
    message_en = "The request conflicts with the current state."
    message_ja = "現在の状態と矛盾するため処理できません。"


class ServiceUnavailable(JvetsError):
    """A dependency is briefly unavailable; the caller may retry."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
    message_en = "The service is busy. Please retry shortly."
    message_ja = "混み合っています。しばらくしてから再度お試しください。"


class IdempotencyKeyRequired(JvetsError):
    """Operations that move units need an Idempotency-Key header."""

    code = "IDEMPOTENCY_KEY_REQUIRED"
    message_en = "Send an Idempotency-Key header (8-128 characters: letters, digits, _ . : -)."
    message_ja = "Idempotency-Key ヘッダー（英数字と _ . : - で8〜128文字）を指定してください。"


class Unprocessable(JvetsError):
    """The request is well formed but a rule of the scheme does not allow it."""

    code = "UNPROCESSABLE"
    status = 422
    message_en = "The request cannot be carried out."
    message_ja = "この要求は処理できません。"


class InternalError(JvetsError):
    """An unexpected failure: a bug. The body says nothing about the cause."""

    code = "INTERNAL_ERROR"
    status = 500
    message_en = "An internal error occurred. It has been logged. Please try again later."
    message_ja = "内部エラーが発生しました。記録済みです。時間をおいて再度お試しください。"


class UnsupportedMediaType(JvetsError):
    """The body is not sent as application/json."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
    message_en = "Send the body as application/json."
    message_ja = "本文は application/json で送信してください。"


class MethodNotAllowed(JvetsError):
    """The path exists but not with this method."""

    code = "METHOD_NOT_ALLOWED"
    status = 405
    message_en = "This method is not allowed here."
    message_ja = "このメソッドは使用できません。"
