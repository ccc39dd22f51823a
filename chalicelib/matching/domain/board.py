"""Listings, inquiries and deals as the notice board holds them, and the rules that
decide whether a request may change them. Pure: amounts are whole tonnes and whole yen."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chalicelib.matching.domain.errors import (
    DealStateConflict,
    InvalidDeal,
    InvalidListing,
    ListingNotOpen,
    NotYourTurn,
    StaleVersion,
)

SIDES = ("sell", "buy")
UNIT_TYPES = ("JPA", "jCER")
STATUS_JA = {"open": "掲示中", "withdrawn": "取下げ済み", "expired": "期限切れ", "filled": "成約済み"}
DEAL_STATUS_JA = {"proposed": "提案中", "declined": "不成立", "confirmed": "合意済み", "paid": "支払済み",
                  "received": "入金確認済み", "settled": "決済済み"}
#: The deal's steps in order (declined ends a proposal instead).
DEAL_STEPS = ("proposed", "confirmed", "paid", "received", "settled")
MAX_QUANTITY = 1_000_000_000
MAX_PRICE_YEN = 10_000_000


@dataclass(frozen=True)
class Listing:
    listing_id: str
    org_id: str
    side: str
    unit_type: str
    period: str | None
    quantity: int
    open_quantity: int
    min_lot: int
    price_yen: int
    valid_until: str
    notes: str
    status: str
    created_at: str
    updated_at: str
    created_by: str
    version: int = 1

    @property
    def contracted(self) -> int:
        return self.quantity - self.open_quantity

    def is_open_on(self, today: date) -> bool:
        return self.status == "open" and self.open_quantity > 0 and date.fromisoformat(self.valid_until) >= today

    def seller_and_buyer(self, counterparty: str) -> tuple[str, str]:
        return (self.org_id, counterparty) if self.side == "sell" else (counterparty, self.org_id)


def check_listing_numbers(quantity: int, min_lot: int, price_yen: int, valid_until: str, today: date) -> None:
    """Lot within quantity, a positive price, a validity from today on."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidListing(reason="the quantity must be a whole number of tonnes from 1", reason_ja="数量は1 t以上の整数です",
                             field="quantity")
    if not 1 <= min_lot <= quantity:
        raise InvalidListing(reason="the minimum lot must be from 1 to the quantity", reason_ja="最低取引単位は1以上、数量以下です",
                             field="min_lot")
    if not 1 <= price_yen <= MAX_PRICE_YEN:
        raise InvalidListing(reason="the price must be a whole number of yen from 1", reason_ja="価格は1円以上の整数です",
                             field="price_yen")
    try:
        until = date.fromisoformat(valid_until)
    except ValueError as error:
        raise InvalidListing(reason="valid_until must be a date (YYYY-MM-DD)", reason_ja="有効期限は日付（YYYY-MM-DD）です",
                             field="valid_until") from error
    if until < today:
        raise InvalidListing(reason="valid_until is in the past", reason_ja="有効期限が過去の日付です", field="valid_until")
    if (until - today).days > 366:
        raise InvalidListing(reason="valid_until is more than a year ahead", reason_ja="有効期限は1年以内です", field="valid_until")


def ensure_open(listing: Listing, today: date) -> None:
    if listing.status == "open" and date.fromisoformat(listing.valid_until) < today:
        listing = replace(listing, status="expired")
    if listing.status != "open" or listing.open_quantity <= 0:
        status = listing.status if listing.status != "open" else "filled"
        raise ListingNotOpen(listing_id=listing.listing_id, status=status, status_ja=STATUS_JA[status])


def changed_listing(listing: Listing, changes: dict[str, Any], today: date, now: str) -> Listing:
    """The listing after a PATCH: the quantity may not go below what deals took already."""
    ensure_open(listing, today)
    quantity = changes.get("quantity", listing.quantity)
    price = changes.get("price_yen", listing.price_yen)
    valid_until = changes.get("valid_until", listing.valid_until)
    min_lot = changes.get("min_lot", listing.min_lot)
    check_listing_numbers(quantity, min(min_lot, quantity), price, valid_until, today)
    if quantity <= listing.contracted:
        raise InvalidListing(reason=f"deals already took {listing.contracted} t; the quantity must stay above that",
                             reason_ja=f"既に {listing.contracted} t が成約済みのため、数量はそれを超える必要があります",
                             field="quantity")
    if min_lot > quantity:
        raise InvalidListing(reason="the minimum lot must be from 1 to the quantity", reason_ja="最低取引単位は1以上、数量以下です",
                             field="min_lot")
    return replace(
        listing, quantity=quantity, open_quantity=quantity - listing.contracted, price_yen=price, valid_until=valid_until,
        min_lot=min_lot, notes=changes.get("notes", listing.notes), updated_at=now, version=listing.version + 1,
    )


@dataclass(frozen=True)
class Message:
    message_id: str
    inquiry_id: str
    org_id: str
    username: str
    text: str
    at: str


@dataclass(frozen=True)
class Inquiry:
    inquiry_id: str
    listing_id: str
    lister_org: str
    inquirer_org: str
    created_at: str
    #: True once the lister's organisation has written in the thread (reveals its name).
    answered: bool = False
    current_deal: str | None = None
    messages: int = 0

    def party(self, org_id: str) -> bool:
        return org_id in (self.lister_org, self.inquirer_org)

    def other(self, org_id: str) -> str:
        return self.inquirer_org if org_id == self.lister_org else self.lister_org


@dataclass(frozen=True)
class Proposal:
    version: int
    quantity: int
    price_yen: int
    by_org: str
    by_user: str
    at: str

    def to_record(self) -> dict[str, Any]:
        return {"version": self.version, "quantity": self.quantity, "price_yen": self.price_yen, "by_org": self.by_org,
                "by_user": self.by_user, "at": self.at}


@dataclass(frozen=True)
class Deal:
    deal_id: str
    inquiry_id: str
    listing_id: str
    seller_org: str
    buyer_org: str
    unit_type: str
    period: str | None
    quantity: int
    price_yen: int
    status: str
    proposed_by: str
    version: int
    versions: tuple[Proposal, ...]
    created_at: str
    updated_at: str
    seller_account: str | None = None
    buyer_account: str | None = None
    confirmed_at: str | None = None
    paid_at: str | None = None
    received_at: str | None = None
    settled_at: str | None = None
    transaction_id: str | None = None
    history: tuple[dict[str, str], ...] = field(default=())

    @property
    def amount_yen(self) -> int:
        return self.quantity * self.price_yen

    def party(self, org_id: str) -> bool:
        return org_id in (self.seller_org, self.buyer_org)


def check_proposal(listing: Listing, quantity: int, price_yen: int) -> None:
    """A proposal fits the listing as it is open now."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidDeal(reason="the quantity must be a whole number of tonnes from 1", reason_ja="数量は1 t以上の整数です",
                          field="quantity")
    if not 1 <= price_yen <= MAX_PRICE_YEN:
        raise InvalidDeal(reason="the price must be a whole number of yen from 1", reason_ja="価格は1円以上の整数です",
                          field="price_yen")
    if quantity > listing.open_quantity:
        raise InvalidDeal(reason=f"the listing has {listing.open_quantity} t open", reason_ja=f"掲示の残数量は {listing.open_quantity} t です",
                          field="quantity")
    if quantity < listing.min_lot and quantity != listing.open_quantity:
        raise InvalidDeal(reason=f"the minimum lot is {listing.min_lot} t", reason_ja=f"最低取引単位は {listing.min_lot} t です",
                          field="quantity")


def deal_step(deal: Deal, org_id: str, action: str, version: int | None = None) -> None:
    """Who may take which step: the other side confirms or declines the latest proposal;
    the buyer marks it paid; the seller confirms receipt."""
    needed = {"confirm": "proposed", "decline": "proposed", "propose": "proposed", "paid": "confirmed", "received": "paid"}[action]
    verbs = {"confirm": ("confirmed", "合意"), "decline": ("declined", "辞退"), "propose": ("changed", "再提案"),
             "paid": ("marked paid", "支払済みに"), "received": ("marked received", "入金確認")}
    if deal.status != needed:
        raise DealStateConflict(deal_id=deal.deal_id, status=deal.status, action=verbs[action][0], action_ja=verbs[action][1])
    if action in ("confirm", "decline") and org_id == deal.proposed_by:
        raise NotYourTurn(deal_id=deal.deal_id)
    if action == "paid" and org_id != deal.buyer_org:
        raise NotYourTurn(deal_id=deal.deal_id)
    if action == "received" and org_id != deal.seller_org:
        raise NotYourTurn(deal_id=deal.deal_id)
    if version is not None and version != deal.version:
        raise StaleVersion(deal_id=deal.deal_id, current=deal.version)
