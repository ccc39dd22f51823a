"""Route declaration: one decorator registers a Chalice view, its pydantic models and its
place in the OpenAPI document, and runs it inside the common request pipeline.

Each system declares its routes in its own ``routes.py`` with its own
``ApiBlueprint(__name__, tag, schemas="chalicelib.<system>.schemas")``; a model named by a
bare string (``body="TransferRequest"``) is looked up in that schemas module on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, CORSConfig, Response

from chalicelib.core import errors
from chalicelib.core.http.authorizer import jwt_authorizer
from chalicelib.core.principal import Role


@dataclass
class Operation:
    path: str
    method: str
    name: str
    summary: str
    #: The request and response models: classes, or references ``"module:Model"``.
    body: Any
    response: Any
    status: int
    public: bool
    roles: frozenset[Role] | None
    errors: tuple[type[errors.JvetsError], ...]
    tags: tuple[str, ...]
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = field(default_factory=tuple)


class NoSchemasModule(ValueError):
    """A model named by a bare string on a blueprint without a schemas module: a wiring bug."""

    def __init__(self, model: str) -> None:
        super().__init__(f"{model!r} names no module and the blueprint has no schemas module")


#: Every route of the API, in declaration order (the OpenAPI document reads it).
OPERATIONS: list[Operation] = []

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
    expose_headers=["X-Correlation-Id", "Retry-After"],
    max_age=600,
)


class ApiBlueprint:
    """A Chalice blueprint whose routes are declared with their models."""

    def __init__(self, import_name: str, tag: str, schemas: str | None = None) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.schemas = schemas

    def _ref(self, model: Any) -> Any:
        if isinstance(model, str) and ":" not in model:
            if self.schemas is None:
                raise NoSchemasModule(model)
            return f"{self.schemas}:{model}"
        return model

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
                body=self._ref(body),
                response=self._ref(response),
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
                from chalicelib.core.http.pipeline import handle

                return handle(operation, handler, blueprint.current_request, params)

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
