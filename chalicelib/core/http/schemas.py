"""Base models of every system's ``schemas.py``, and the bodies the kernel answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields refused, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventModel(BaseModel):
    """Base of administrator function events (validated like request bodies)."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class ErrorDetail(ResponseModel):
    code: str
    message: str
    message_ja: str
    field: str | None = None
    details: list[dict[str, object]] | None = None


class ErrorResponse(ResponseModel):
    error: ErrorDetail


class Health(ResponseModel):
    status: Literal["ok"]
    stage: str
