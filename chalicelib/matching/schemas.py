"""The notice board's request and response models (the portal builds on these shapes)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from chalicelib.core.http.schemas import RequestModel, ResponseModel

Quantity = Annotated[int, Field(ge=1, le=1_000_000_000, description="whole tonnes (t-CO2)")]
PriceYen = Annotated[int, Field(ge=1, le=10_000_000, description="yen per t-CO2, whole yen")]
Day = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2026-12-31"])]
Notes = Annotated[str, Field(max_length=1000)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Id = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Side = Literal["sell", "buy"]
UnitType = Literal["JPA", "jCER"]
PeriodCode = Annotated[str, Field(pattern=r"^[0-9]{2}$", examples=["01"])]


# --- requests --------------------------------------------------------------------------


class ListingRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"side": "sell", "unit_type": "JPA", "period": "01", "quantity": 500, "min_lot": 100, "price_yen": 1200,
         "valid_until": "2026-12-31", "notes": "Bank transfer within 5 business days"}]})

    side: Side
    unit_type: UnitType
    period: PeriodCode | None = None
    quantity: Quantity
    min_lot: Quantity
    price_yen: PriceYen
    valid_until: Day
    notes: Notes = ""


class ListingChange(RequestModel):
    """Any of price, quantity (the total; never below what deals already took), minimum
    lot, notes and validity."""

    price_yen: PriceYen | None = None
    quantity: Quantity | None = None
    min_lot: Quantity | None = None
    notes: Notes | None = None
    valid_until: Day | None = None


class InquiryRequest(RequestModel):
    message: Text


class MessageRequest(RequestModel):
    text: Text


class ProposalRequest(RequestModel):
    """A proposal in a thread; while one is pending, a new one from either side is its next version."""

    inquiry_id: Id
    quantity: Quantity
    price_yen: PriceYen


class DealDecision(RequestModel):
    """Confirm or decline the proposal's version the caller read."""

    version: Annotated[int, Field(ge=1, le=1000)]


# --- responses -------------------------------------------------------------------------


class ListingView(ResponseModel):
    id: str
    side: Side
    unit_type: str
    period: str | None
    quantity: int
    open_quantity: int
    min_lot: int
    price_yen: int
    valid_until: str
    notes: str
    status: Literal["open", "withdrawn", "expired", "filled"]
    created_at: str
    updated_at: str
    #: True when the caller's organisation posted it (the board never names the lister).
    mine: bool


class ListingPage(ResponseModel):
    items: list[ListingView]
    next_cursor: str | None


class Party(ResponseModel):
    org_id: str
    name: str
    name_ja: str


class MessageView(ResponseModel):
    id: str
    from_side: Literal["lister", "inquirer"]
    mine: bool
    username: str
    text: str
    at: str


class InquiryView(ResponseModel):
    id: str
    listing_id: str
    listing: ListingView | None
    role: Literal["lister", "inquirer", "observer"]
    #: The lister's name: shown to the inquirer once the lister has answered.
    lister: Party | None
    inquirer: Party
    answered: bool
    current_deal: str | None
    created_at: str
    messages: list[MessageView]


class InquirySummary(ResponseModel):
    id: str
    listing_id: str
    role: Literal["lister", "inquirer"]
    answered: bool
    current_deal: str | None
    created_at: str


class InquiryList(ResponseModel):
    items: list[InquirySummary]


class ProposalView(ResponseModel):
    version: int
    quantity: int
    price_yen: int
    amount_yen: int
    by: Literal["seller", "buyer"]
    by_user: str
    at: str


class TransferPrefill(ResponseModel):
    """What the three-step transfer starts from (POST /transfers with this body)."""

    from_account: str | None
    to_account: str | None
    lines: list[dict[str, object]]
    deal_id: str


class DealView(ResponseModel):
    id: str
    inquiry_id: str
    listing_id: str
    role: Literal["seller", "buyer", "observer"]
    #: The lister's side is null for the inquirer until the lister has answered in the thread.
    seller: Party | None
    buyer: Party | None
    unit_type: str
    period: str | None
    quantity: int
    price_yen: int
    amount_yen: int
    status: Literal["proposed", "declined", "confirmed", "paid", "received", "settled"]
    proposed_by: Literal["seller", "buyer"]
    version: int
    versions: list[ProposalView]
    seller_account: str | None
    buyer_account: str | None
    created_at: str
    confirmed_at: str | None
    paid_at: str | None
    received_at: str | None
    settled_at: str | None
    transaction_id: str | None
    #: What the caller may do now: confirm, decline, propose, mark_paid, mark_received, settle.
    next_actions: list[str]
    transfer: TransferPrefill | None


class DealList(ResponseModel):
    items: list[DealView]


class FiguresRow(ResponseModel):
    key: str
    start: str
    end: str
    deals: int
    volume_t: int
    amount_yen: int
    average_price_yen: int | None


class Statistics(ResponseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    group: Literal["day", "phase"]
    rows: list[FiguresRow]
    total: FiguresRow


class NotificationView(ResponseModel):
    id: str
    kind: Literal["inquiry", "message", "proposal", "declined", "confirmed", "paid", "received", "settled"]
    text: str
    text_ja: str
    ref_type: Literal["inquiry", "deal"]
    ref_id: str
    created_at: str
    #: Read by the signed-in user (another user of the organisation keeps their own read state).
    read: bool


class NotificationList(ResponseModel):
    items: list[NotificationView]
    #: How many of ``items`` the signed-in user has not read.
    unread: int
