"""Pydantic models of request and response bodies: they validate requests, shape
responses and generate the OpenAPI document, so the three cannot disagree."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.api.routing import RequestModel, ResponseModel

Username = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@+-]+$")]
Password = Annotated[str, Field(min_length=1, max_length=256)]
AccountNumberText = Annotated[str, Field(min_length=1, max_length=40, examples=["JP-121-1053-0-25"])]
RoleName = Literal["participant", "verifier", "admin"]


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


class LoginRequest(RequestModel):
    username: Username
    password: Password


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class UserInfo(ResponseModel):
    username: str
    role: RoleName
    org_id: str
    org_name: str
    org_name_ja: str


class TokenResponse(ResponseModel):
    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserInfo


class AccountSummary(ResponseModel):
    number: str
    type: int
    status: Literal["open", "blocked", "closed"]


class Me(ResponseModel):
    username: str
    role: RoleName
    org_id: str
    org_name: str
    org_name_ja: str
    accounts: list[AccountSummary]


class AccountDetail(ResponseModel):
    number: str
    type: Literal[100, 120, 121, 230, 300]
    holder_org_id: str
    holder: str
    holder_ja: str
    status: Literal["open", "blocked", "closed"]
    commitment_reserve: int
    balance: int
    transferable: int
    created_at: str
