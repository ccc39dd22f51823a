"""What runs around every route, in order: correlation id, the caller and their role,
body limit, JSON parsing and validation (unknown fields refused, no type coercion),
query and headers, the handler, the response validated against its declared model,
typed errors to the error body, and the request's log line and metrics."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.core import errors
from chalicelib.core.http.authorizer import current_principal
from chalicelib.core.http.operations import Operation
from chalicelib.core.http.requests import MAX_BODY_BYTES, parse_body, resolve, set_correlation_id
from chalicelib.core.http.responses import error_response, json_response
from chalicelib.core.observability import logger, record_request


def _correlation_id(request: Any, headers: Any) -> str:
    correlation_id = str(headers.get("x-correlation-id") or "")[:64]
    if not correlation_id.replace("-", "").isalnum():
        correlation_id = ((request.context or {}).get("requestId") or str(uuid.uuid4()))[:64]
    return correlation_id


def _arguments(operation: Operation, request: Any, headers: Any, params: dict[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(params)
    if not operation.public:
        principal = current_principal(request)
        logger.append_keys(username=principal.username, org_id=principal.org_id)
        if operation.roles is not None and principal.role not in operation.roles:
            raise errors.Forbidden()
        kwargs["principal"] = principal
    if operation.body is not None:
        kwargs["body"] = parse_body(request.raw_body, operation.body)
    elif request.raw_body and len(request.raw_body) > MAX_BODY_BYTES:
        raise errors.BodyTooLarge(limit=MAX_BODY_BYTES)
    if operation.query:
        kwargs["query"] = dict(request.query_params or {})
    if operation.headers:
        kwargs["headers"] = headers
    return kwargs


def handle(operation: Operation, handler: Callable[..., Any], request: Any, params: dict[str, str]) -> Response:
    started = time.perf_counter()
    headers = request.headers or {}
    correlation_id = _correlation_id(request, headers)
    logger.set_correlation_id(correlation_id)
    set_correlation_id(correlation_id)
    status = 500
    code = None
    try:
        result = handler(**_arguments(operation, request, headers, params))
        if isinstance(result, Response):
            status = result.status_code
            return result
        if operation.response is not None:
            result = resolve(operation.response).model_validate(result).model_dump(mode="json", by_alias=True)
        status = operation.status
        return json_response(status, result, correlation_id)
    except errors.JvetsError as error:
        code = error.code
        status = error.status
        return error_response(error, correlation_id, status)
    except Exception:  # noqa: BLE001 - the one place a bug becomes a 500 in our shape
        logger.exception("unhandled error")
        code = errors.InternalError.code
        status = 500
        return error_response(errors.InternalError(), correlation_id, 500)
    finally:
        record_request(operation.method, operation.path, status, code, started)
