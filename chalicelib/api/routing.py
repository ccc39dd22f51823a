"""Route declaration: one decorator registers a Chalice view, its pydantic models and
its place in the OpenAPI document, and wraps it in the common request handling.

The wrapper does, for every route: correlation id and logging; body size limit; JSON
parsing; pydantic validation (unknown fields refused, no type coercion); the caller
from the authorizer's context; typed errors mapped to the stable error body; and the
response validated against its declared model.
"""

from __future__ import annotations

import contextvars
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Blueprint, CORSConfig, Response
from typing import TYPE_CHECKING

from chalicelib import errors
from chalicelib.api.errors import (
    CHALICE_ERRORS,
    JSON_HEADERS,
    InternalError,
    error_body,
    status_for,
)
from chalicelib.identity.principal import Principal, Role
from chalicelib.observability import logger, metrics

MAX_BODY_BYTES = 64 * 1024
_correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")


def current_correlation_id() -> str:
    return _correlation_id.get()


if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

#: A model class, or the name of one in ``chalicelib.api.schemas`` (resolved on first
#: use, so that importing the app does not build every model: cold start).
ModelRef = "type[BaseModel] | str"


def resolve(model: Any) -> Any:
    if isinstance(model, str):
        from chalicelib.api import schemas

        return getattr(schemas, model)
    return model


@dataclass
class Operation:
    path: str
    method: str
    name: str
    summary: str
    body: Any
    response: Any
    status: int
    public: bool
    roles: frozenset[Role] | None
    errors: tuple[type[errors.JvetsError], ...]
    tags: tuple[str, ...]
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = field(default_factory=tuple)


#: Every route of the API, in declaration order (the OpenAPI document reads it).
OPERATIONS: list[Operation] = []

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
    expose_headers=["X-Correlation-Id", "Retry-After"],
    max_age=600,
)

security = Blueprint(__name__)


def _deny(error: errors.JvetsError) -> None:
    """Refuse a token: API Gateway's contract is an exception named "Unauthorized".

    Under ``chalice local`` and ``chalice.test`` the local gateway's own exception lets
    us answer 401 with our error body (the deployed stack maps API Gateway's
    UNAUTHORIZED response to the same body).
    """
    try:
        from chalice.local import NotAuthorizedError  # only present outside Lambda
    except ImportError:
        raise Exception("Unauthorized") from error  # noqa: TRY002 - API Gateway contract
    body = json.dumps(error_body(error), ensure_ascii=False).encode()
    headers = {"x-amzn-ErrorType": "UnauthorizedException", "Access-Control-Allow-Origin": "*", **JSON_HEADERS}
    raise NotAuthorizedError(headers, body) from error


@security.authorizer(ttl_seconds=0)
def jwt_authorizer(auth_request: Any) -> Any:
    """Verify the Cognito ID token (signature, expiry, issuer, client, token_use)."""
    from chalice import AuthResponse

    from chalicelib.container import token_verifier

    try:
        principal = token_verifier().verify(auth_request.token or "")
    except errors.JvetsError as error:
        logger.info("token refused", extra={"code": error.code, "reason": error.params.get("reason")})
        _deny(error)
    return AuthResponse(routes=["*"], principal_id=principal.username, context=principal.to_context())


def current_principal(request: Any) -> Principal:
    context = (request.context or {}).get("authorizer") or {}
    try:
        return Principal.from_context(context)
    except (KeyError, ValueError) as error:
        raise errors.Unauthenticated() from error


def json_response(status: int, body: Any, correlation_id: str, extra: dict[str, str] | None = None) -> Response:
    headers = {**JSON_HEADERS, "X-Correlation-Id": correlation_id, **(extra or {})}
    return Response(body=json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status, headers=headers)


def error_response(error: errors.JvetsError, correlation_id: str, status: int | None = None) -> Response:
    status = status or status_for(error)
    extra = {"Retry-After": "1"} if status == 503 else None
    return json_response(status, error_body(error), correlation_id, extra)


def _pydantic_details(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]), "type": item["type"], "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ][:20]


def parse_body(raw: bytes | None, model: Any) -> BaseModel:
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.BodyTooLarge(limit=MAX_BODY_BYTES)
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise errors.MalformedJson() from error
    return validate(data, model)


def validate(data: Any, model: Any) -> BaseModel:
    from pydantic import ValidationError

    try:
        return resolve(model).model_validate(data)
    except ValidationError as error:
        details = _pydantic_details(error)
        field_name = details[0]["field"] if details else None
        raise errors.ValidationFailed(field=field_name or None, details=details) from error
    except RecursionError as error:
        raise errors.MalformedJson() from error


class ApiBlueprint:
    """A Chalice blueprint whose routes are declared with their models."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        path: str,
        method: str = "GET",
        *,
        summary: str,
        body: Any = None,
        response: Any = None,
        status: int = 200,
        public: bool = False,
        roles: set[Role] | None = None,
        errors_: tuple[type[errors.JvetsError], ...] = (),
        query: tuple[str, ...] = (),
        headers: tuple[str, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                path=path,
                method=method,
                name=handler.__name__,
                summary=summary,
                body=body,
                response=response,
                status=status,
                public=public,
                roles=frozenset(roles) if roles else None,
                errors=errors_,
                tags=(self.tag,),
                query=query,
                headers=headers,
            )
            OPERATIONS.append(operation)
            blueprint = self.blueprint

            def view(**params: str) -> Response:
                return _handle(operation, handler, blueprint.current_request, params)

            view.__name__ = handler.__name__
            view.__doc__ = handler.__doc__
            options: dict[str, Any] = {"methods": [method], "cors": CORS}
            if method in {"POST", "PUT", "PATCH"}:
                options["content_types"] = ["application/json"]
            if not public:
                options["authorizer"] = jwt_authorizer
            blueprint.route(path, **options)(view)
            return handler

        return decorator


def _handle(operation: Operation, handler: Callable[..., Any], request: Any, params: dict[str, str]) -> Response:
    started = time.perf_counter()
    headers = request.headers or {}
    correlation_id = str(headers.get("x-correlation-id") or "")[:64]
    if not correlation_id.replace("-", "").isalnum():
        correlation_id = ((request.context or {}).get("requestId") or str(uuid.uuid4()))[:64]
    logger.set_correlation_id(correlation_id)
    _correlation_id.set(correlation_id)
    status = 500
    code = None
    try:
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
            kwargs["query"] = {k: v for k, v in (request.query_params or {}).items()}
        if operation.headers:
            kwargs["headers"] = headers
        result = handler(**kwargs)
        if isinstance(result, Response):
            status = result.status_code
            return result
        if operation.response is not None:
            result = resolve(operation.response).model_validate(result).model_dump(mode="json", by_alias=True)
        status = operation.status
        return json_response(status, result, correlation_id)
    except errors.JvetsError as error:
        code = error.code
        status = status_for(error)
        return error_response(error, correlation_id, status)
    except Exception:  # noqa: BLE001 - the one place a bug becomes a 500 in our shape
        logger.exception("unhandled error")
        code = InternalError.code
        status = 500
        return error_response(InternalError(), correlation_id, 500)
    finally:
        logger.info(
            "request",
            extra={
                "method": operation.method,
                "route": operation.path,
                "status": status,
                "code": code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        logger.remove_keys(["username", "org_id"])
        metrics.add_metric(name="Requests", unit="Count", value=1)
        if status >= 500:
            metrics.add_metric(name="ServerErrors", unit="Count", value=1)
        metrics.flush_metrics()


@security.middleware("http")
def chalice_errors_in_our_shape(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Rewrite Chalice's own error bodies (415, 405, 500...) into the stable shape."""
    response = get_response(event)
    if response.status_code < 400 or not isinstance(response.body, dict):
        return response
    chalice_code = response.body.get("Code")
    if chalice_code is None or "error" in response.body:
        return response
    error_class, status = CHALICE_ERRORS.get(chalice_code, (errors.JvetsError, response.status_code))
    return error_response(error_class(), "", status)
