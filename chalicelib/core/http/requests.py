"""Request parsing and validation: the body limit, JSON, and pydantic models named by
reference (``"package.module:Model"``, resolved on first use so that importing the app
builds no model: cold start)."""

from __future__ import annotations

import contextvars
import importlib
import json
from typing import TYPE_CHECKING, Any

from chalicelib.core import errors

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

MAX_BODY_BYTES = 64 * 1024
_correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")


def current_correlation_id() -> str:
    return _correlation_id.get()


def set_correlation_id(value: str) -> None:
    _correlation_id.set(value)


def resolve(model: Any) -> Any:
    """A model class, from itself or from its reference ``"package.module:Model"``."""
    if isinstance(model, str):
        module, _, name = model.partition(":")
        return getattr(importlib.import_module(module), name)
    return model


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
        validated: BaseModel = resolve(model).model_validate(data)
    except ValidationError as error:
        details = _pydantic_details(error)
        field_name = details[0]["field"] if details else None
        raise errors.ValidationFailed(field=field_name or None, details=details) from error
    except RecursionError as error:
        raise errors.MalformedJson() from error
    return validated
