"""OpenAPI 3.1 document generated from the declared operations and their models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.core.http.operations import OPERATIONS, Operation
from chalicelib.core.http.requests import resolve
from chalicelib.core.http.schemas import ErrorResponse

_REF = "#/components/schemas/{model}"
_PATH_EXAMPLES = {"number": "JP-120-1-0-56", "transaction_id": "TX0123456789ABCDEF01"}
_GENERIC_ERRORS = {400: "Invalid request", 401: "Missing or invalid token", 403: "Not allowed", 503: "Retry later"}


def _error_statuses(operation: Operation) -> dict[int, list[str]]:
    statuses: dict[int, list[str]] = {}
    for error in operation.errors:
        statuses.setdefault(error.status, []).append(error.code)
    if operation.body is not None:
        statuses.setdefault(400, []).extend(["VALIDATION_ERROR", "MALFORMED_JSON", "BODY_TOO_LARGE"])
        statuses.setdefault(415, []).append("UNSUPPORTED_MEDIA_TYPE")
    if not operation.public:
        statuses.setdefault(401, []).append("INVALID_TOKEN")
        if operation.roles is not None:
            statuses.setdefault(403, []).append("FORBIDDEN")
    statuses.setdefault(503, []).append("SERVICE_UNAVAILABLE")
    return statuses


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorResponse}
    for operation in OPERATIONS:
        models.update(resolve(m) for m in (operation.body, operation.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    bodies = {resolve(o.body) for o in OPERATIONS if o.body is not None}
    keys: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation" if m in bodies else "serialization") for m in ordered]
    refs, defs = models_json_schema(keys, ref_template=_REF)
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        item: dict[str, Any] = {
            "operationId": operation.name,
            "summary": operation.summary,
            "tags": list(operation.tags),
            "responses": {},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 128},
             **({"example": _PATH_EXAMPLES[name]} if name in _PATH_EXAMPLES else {})}
            for name in re.findall(r"{(\w+)}", operation.path)
        ]
        parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in operation.query]
        parameters += [
            {"name": name, "in": "header", "required": True,
             "schema": {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[A-Za-z0-9_.:-]+$"}}
            for name in operation.headers
        ]
        if parameters:
            item["parameters"] = parameters
        if operation.body is not None:
            mode: JsonSchemaMode = "validation"
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(resolve(operation.body), mode)]}},
            }
        success: dict[str, Any] = {"description": "OK"}
        if operation.response is not None:
            success["content"] = {"application/json": {"schema": refs[(resolve(operation.response), "serialization")]}}
        else:
            success["content"] = {"application/json": {"schema": {"type": "object"}}}
        item["responses"][str(operation.status)] = success
        error_ref = refs[(ErrorResponse, "serialization")]
        for status, codes in sorted(_error_statuses(operation).items()):
            description = _GENERIC_ERRORS.get(status, "Refused")
            item["responses"][str(status)] = {
                "description": f"{description}: {', '.join(sorted(set(codes)))}",
                "content": {"application/json": {"schema": error_ref}},
            }
        if not operation.public:
            item["security"] = [{"cognitoIdToken": []}]
        paths.setdefault(operation.path, {})[operation.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "JVETS registry API",
            "version": "1.0.0",
            "description": "Registry, emissions management and trade matching for a voluntary emissions trading scheme.",
        },
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "cognitoIdToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito ID token from POST /auth/login, sent as `Authorization: Bearer <id_token>` or bare.",
                }
            },
        },
    }
