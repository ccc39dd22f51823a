"""The registry's request, response and administrator event models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib.core.http.schemas import EventModel, RequestModel, ResponseModel

AccountNumberText = Annotated[str, Field(min_length=1, max_length=40, examples=["JP-121-1053-0-25"])]


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
    #: The notice board's deal this transfer settles (in the same transaction).
    deal_id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")] | None = None


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
    #: The notice board's deal this transfer settles, if any.
    deal_ref: str | None = None
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
    next_cursor: str | None


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
    #: The notice board's deal the transaction settles, if any.
    deal_ref: str | None = None


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


# --- administrator events ---------------------------------------------------------------

OrgId = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Requester = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]


class OpenAccount(EventModel):
    """Open an account for an organisation (the next identifier of its type)."""

    org_id: OrgId
    type: Literal[100, 120, 121, 230, 300]
    commitment_period: Annotated[int, Field(ge=0, le=99)] = 0


class AccountEvent(EventModel):
    """Close an empty account."""

    account: AccountNumberText


class SetAccountStatus(EventModel):
    """Block an open account (nothing leaves or reaches it) or unblock a blocked one."""

    account: AccountNumberText
    action: Literal["block", "unblock"]
    reason: Reason


class SetCommitmentReserve(EventModel):
    """Propose an account's commitment reserve (and so what it may transfer); another
    administrator approves it through the API."""

    account: AccountNumberText
    commitment_reserve: Annotated[int, Field(ge=0, le=10_000_000_000)]
    reason: Reason = "Commitment reserve"
    idempotency_key: IdempotencyKey | None = None
    requested_by: Requester = "administrator"


class IssueUnits(EventModel):
    """Propose to issue units into an account in a new serial block; another
    administrator approves it through the API."""

    account: AccountNumberText
    unit_type: Literal["JPA", "jCER"]
    issued_period: Period
    adopted_period: Period
    #: Credits only: the CDM project number.
    project: ProjectNumber | None = None
    amount: Amount
    reason: Reason
    idempotency_key: IdempotencyKey | None = None
    requested_by: Requester = "administrator"

    @model_validator(mode="after")
    def _project_for_credits_only(self) -> IssueUnits:
        from chalicelib.registry.domain.blocks import UNIT_TYPES

        if UNIT_TYPES[self.unit_type].credit != (self.project is not None):
            raise ValueError("project is required for credits and not allowed for allowances")  # noqa: TRY003 - pydantic's validator contract
        return self


class CorrectTransaction(EventModel):
    """Propose to move a transaction's serial blocks back (or on) as a new, flagged
    transaction; another administrator approves it through the API."""

    transaction_id: Annotated[str, Field(min_length=1, max_length=40)]
    reason: Reason
    to_account: AccountNumberText | None = None
    idempotency_key: IdempotencyKey | None = None
    requested_by: Requester = "administrator"


class SetMarket(EventModel):
    """Propose to halt or resume trading (another administrator approves it through the
    API); force the window open or closed, or return it to the calendar, at once (never
    over a halt)."""

    action: Literal["halt", "resume", "force_open", "force_close", "auto"]
    reason: Annotated[str, Field(max_length=500)] = ""
    idempotency_key: IdempotencyKey | None = None
    requested_by: Requester = "administrator"

    @model_validator(mode="after")
    def _halt_needs_a_reason(self) -> SetMarket:
        if self.action == "halt" and not self.reason.strip():
            raise ValueError("a halt needs a reason")  # noqa: TRY003 - pydantic's validator contract
        return self


class AuditLedger(EventModel):
    """Read the whole ledger and check every invariant."""



# --- four-eyes proposals ------------------------------------------------------------------

ProposalKind = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z_]*$", examples=["issuance"])]
ProposalIdText = Annotated[str, Field(min_length=1, max_length=40)]
TransactionIdText = Annotated[str, Field(min_length=1, max_length=40)]


class IssuancePayload(RequestModel):
    """Issue units into an account in a new serial block."""

    account: AccountNumberText
    unit_type: UnitTypeCode
    issued_period: Period
    adopted_period: Period
    project: ProjectNumber | None = None
    amount: Amount

    @model_validator(mode="after")
    def _project_for_credits_only(self) -> IssuancePayload:
        from chalicelib.registry.domain.blocks import UNIT_TYPES

        if UNIT_TYPES[self.unit_type].credit != (self.project is not None):
            raise ValueError("project is required for credits and not allowed for allowances")  # noqa: TRY003 - pydantic's validator contract
        return self


class CorrectionPayload(RequestModel):
    """Move a transaction's serial blocks back (or on to ``to_account``)."""

    transaction_id: TransactionIdText
    to_account: AccountNumberText | None = None


class ReservePayload(RequestModel):
    """Set an account's commitment reserve."""

    account: AccountNumberText
    commitment_reserve: Annotated[int, Field(ge=0, le=10_000_000_000)]


class MarketPayload(RequestModel):
    """Halt trading (the proposal's reason is shown to participants) or resume it."""

    action: Literal["halt", "resume"]


class ProposalRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"kind": "issuance", "reason": "FY2026 allocation",
                                         "payload": {"account": "JP-120-1-0-56", "unit_type": "JPA", "issued_period": "01",
                                                     "adopted_period": "01", "amount": 1000}}]},
    )

    kind: ProposalKind
    #: The kind's own fields (issuance: IssuancePayload, correction: CorrectionPayload,
    #: commitment_reserve: ReservePayload, market: MarketPayload; other systems add kinds).
    payload: dict[str, object]
    reason: Reason


class DecisionRequest(RequestModel):
    """Why the administrator approves (optional) or rejects (required)."""

    reason: Annotated[str, Field(max_length=500)] = ""


class RejectionRequest(RequestModel):
    reason: Reason


class ProposalStep(ResponseModel):
    action: Literal["proposed", "approved", "rejected", "expired", "attempt_failed"]
    by: str
    at: str
    reason: str
    code: str | None = None


class ProposalView(ResponseModel):
    id: str
    kind: str
    payload: dict[str, object]
    reason: str
    status: Literal["proposed", "approved", "rejected", "expired"]
    status_ja: str
    proposed_by: str
    channel: Literal["api", "console"]
    proposed_at: str
    lapses_at: str
    decided_by: str | None
    decided_at: str | None
    transaction_id: str | None
    steps: list[ProposalStep]


class ProposalResponse(ResponseModel):
    proposal: ProposalView
    #: What the approval executed (the transaction, the account or the market).
    result: dict[str, object] | None = None


class ProposalList(ResponseModel):
    items: list[ProposalView]
    kinds: list[str]


# --- trusted receivers and delayed transfers ------------------------------------------------


class TrustRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{"account": "JP-121-1-0-47"}]})

    account: AccountNumberText


class TrustedEntry(ResponseModel):
    account: str
    holder: str
    holder_ja: str
    added_by: str
    added_at: str
    effective_at: str
    #: Whether transfers to it already go through at once.
    effective: bool


class TrustedList(ResponseModel):
    account: str
    delay_hours: float
    items: list[TrustedEntry]


class DelayedFailure(ResponseModel):
    code: str
    message: str
    message_ja: str


class DelayedTransferView(ResponseModel):
    id: str
    from_account: str
    to_account: str
    to_name: str
    to_name_ja: str
    lines: list[LineView]
    amount: int
    initiated_by: str
    created_at: str
    due_at: str
    status: Literal["delayed", "completed", "cancelled", "failed"]
    status_ja: str
    decided_by: str | None
    decided_at: str | None
    failure: DelayedFailure | None


class DelayedTransferResponse(ResponseModel):
    delayed_transfer: DelayedTransferView


class DelayedTransferList(ResponseModel):
    items: list[DelayedTransferView]
    delay_hours: float
