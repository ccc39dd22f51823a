"""Pydantic models of request and response bodies: they validate requests, shape
responses and generate the OpenAPI document, so the three cannot disagree."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field



class RequestModel(BaseModel):
    """Base of request bodies: unknown fields refused, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

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


class NewPasswordRequest(RequestModel):
    username: Username
    session: Annotated[str, Field(min_length=20, max_length=2048)]
    new_password: Annotated[str, Field(min_length=12, max_length=256)]


OneTimeCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit code of the authenticator app")]


class MfaRequest(RequestModel):
    username: Username
    session: Annotated[str, Field(min_length=20, max_length=2048, description="From MFA_REQUIRED's details")]
    code: OneTimeCode


class MfaSetupRequest(RequestModel):
    session: Annotated[str, Field(min_length=20, max_length=8192, description="From MFA_SETUP_REQUIRED's details")]
    code: OneTimeCode


class MfaEnrolled(ResponseModel):
    mfa: Literal["totp"]
    sign_in_again: Literal[True]


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


class LogoutRequest(RequestModel):
    access_token: Annotated[str, Field(min_length=20, max_length=8192, description="The caller's access token from sign-in")]


class SignedOut(ResponseModel):
    signed_out: Literal[True]


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


class AccountHolder(ResponseModel):
    number: str
    type: Literal[100, 120, 121, 230, 300]
    holder: str
    holder_ja: str
    status: Literal["open", "blocked", "closed"]


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


# --- ledger ------------------------------------------------------------------------

Period = Annotated[str, Field(pattern=r"^[0-9]{2}$", examples=["01"])]
Amount = Annotated[int, Field(ge=1, le=1_000_000_000)]
UnitTypeCode = Literal["JPA", "jCER"]
ProjectNumber = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,32}$")]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class LineRequest(RequestModel):
    unit_type: UnitTypeCode
    issued_period: Period | None = None
    adopted_period: Period | None = None
    project: ProjectNumber | None = None
    amount: Amount


class TransferRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"from_account": "JP-120-1-0-56", "to_account": "JP-121-1-0-47",
                                         "lines": [{"unit_type": "JPA", "issued_period": "01", "amount": 1}]}]},
    )

    from_account: AccountNumberText
    to_account: AccountNumberText
    lines: Annotated[list[LineRequest], Field(min_length=1, max_length=10)]


class RetirementRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"account": "JP-120-1-0-56", "compliance_period": "01",
                                         "lines": [{"unit_type": "JPA", "amount": 1}]}]},
    )

    account: AccountNumberText
    compliance_period: Period
    lines: Annotated[list[LineRequest], Field(min_length=1, max_length=10)]


class LineView(ResponseModel):
    unit_type: str
    issued_period: str | None
    adopted_period: str | None
    project: str | None
    amount: int


class BlockView(ResponseModel):
    block_id: str
    origin: str
    unit_type: str
    issued_period: str
    adopted_period: str
    project: str
    serial_start: int
    serial_end: int
    amount: int


class ChainLink(ResponseModel):
    previous: str
    hash: str
    seq: int


class TransactionView(ResponseModel):
    id: str
    type: Literal["issuance", "transfer", "retirement", "cancellation"]
    status: Literal["completed"]
    created_at: str
    date: str
    from_account: str
    from_name: str
    from_name_ja: str
    to_account: str
    to_name: str
    to_name_ja: str
    amount: int
    lines: list[LineView]
    blocks: list[BlockView]
    correction: bool
    corrects: str | None
    corrected_by: str | None
    reason: str
    compliance_period: str | None
    initiated_by: str
    chain: dict[str, ChainLink]


class TransactionResponse(ResponseModel):
    transaction: TransactionView


class Holding(ResponseModel):
    no: int
    origin: str
    unit_type: str
    issued_period: str
    adopted_period: str
    project: str | None
    serial_start: int
    serial_end: int
    amount: int


class Balance(ResponseModel):
    account: str
    holder: str
    holder_ja: str
    status: Literal["open", "blocked", "closed"]
    balance: int
    commitment_reserve: int
    transferable: int
    holdings: list[Holding]


class HistoryRow(ResponseModel):
    id: str
    date: str
    created_at: str
    type: Literal["issuance", "transfer", "retirement", "cancellation"]
    status: Literal["completed"]
    from_account: str | None
    from_name: str | None
    from_name_ja: str | None
    to_account: str | None
    to_name: str | None
    to_name_ja: str | None
    # "in" is a Python keyword: the field is named in_ and serialised as "in".
    in_: int = Field(alias="in", serialization_alias="in")
    out: int
    correction: bool


class History(ResponseModel):
    account: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    incoming_total: int
    outgoing_total: int
    items: list[HistoryRow]
    next_cursor: str | None


class Market(ResponseModel):
    status: Literal["open", "closed", "halted"]
    mode: Literal["auto", "halted", "force_open", "force_close"]
    reason: str
    now: str
    opens_at: str | None
    closes_at: str | None
    next_open: str | None


# --- documents ------------------------------------------------------------------------

DocumentKindName = Literal["evidence", "performance_sheet", "calculation_report"]


class DocumentRequest(RequestModel):
    kind: DocumentKindName
    filename: Annotated[str, Field(min_length=1, max_length=200, examples=["電力請求書_2026-04.pdf"])]
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["application/pdf"])]
    size: Annotated[int, Field(ge=1, le=1_073_741_824, description="The file's exact size in bytes")]


class DocumentReason(ResponseModel):
    code: str
    message: str
    message_ja: str


class DownloadLink(ResponseModel):
    url: str
    expires_in: int


class DocumentView(ResponseModel):
    id: str
    org_id: str
    kind: DocumentKindName
    filename: str
    content_type: str
    size: int
    status: Literal["awaiting_upload", "accepted", "rejected"]
    created_at: str
    created_by: str
    received_at: str | None
    reasons: list[DocumentReason]
    download: DownloadLink | None = None


class UploadForm(ResponseModel):
    url: str
    fields: dict[str, str]
    expires_in: int


class DocumentUpload(ResponseModel):
    document: DocumentView
    upload: UploadForm
