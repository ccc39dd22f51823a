"""The JSON bodies every route answers: results, and ``{"error": {"code", "message",
"message_ja"}}`` with the status the error class carries."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.core import errors

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def error_body(error: errors.JvetsError) -> dict[str, Any]:
    return {"error": error.to_dict()}


def json_response(status: int, body: Any, correlation_id: str, extra: dict[str, str] | None = None) -> Response:
    headers: dict[str, str | list[str]] = {**JSON_HEADERS, "X-Correlation-Id": correlation_id, **(extra or {})}
    return Response(body=json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status, headers=headers)


def error_response(error: errors.JvetsError, correlation_id: str, status: int | None = None) -> Response:
    status = status or error.status
    extra = {"Retry-After": "1"} if status == 503 else None
    return json_response(status, error_body(error), correlation_id, extra)
