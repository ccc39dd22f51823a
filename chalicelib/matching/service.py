"""The notice board's use cases: listings, threads, deals, settlement, statistics and
notifications. Each state change is ONE conditional transaction in the store; when a
condition fails because another request wrote first, the use case reads again and
decides (a bounded number of times), or refuses with a typed error.

Settlement is the registry's transfer: ``settlement`` gives the ledger the writes it adds
to the transfer's own ``TransactWriteItems`` (``chalicelib.core.table.LinkedWrite``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.core.clock import JST, now_jst
from chalicelib.core.principal import Principal
from chalicelib.core.transactions import CommitFailed
from chalicelib.matching.domain.board import (
    DEAL_STATUS_JA,
    SIDES,
    STATUS_JA,
    UNIT_TYPES,
    Deal,
    Inquiry,
    Listing,
    Message,
    Proposal,
    changed_listing,
    check_listing_numbers,
    check_proposal,
    deal_step,
    ensure_open,
)
from chalicelib.matching.domain.errors import (
    BusyListing,
    DealNotFound,
    InquiryNotFound,
    InvalidBoardCursor,
    InvalidBoardQuery,
    InvalidStatisticsQuery,
    ListingNotFound,
    ListingNotOpen,
    ListingSoldOut,
    NoHoldingAccount,
    NotEnoughHeld,
    NotificationNotFound,
    NotYourListing,
    OwnListing,
    SettlementRefused,
)
from chalicelib.matching.domain.figures import Period, TradeFigures, grouped
from chalicelib.matching.ports import (
    BoardQuery,
    Holdings,
    Mailer,
    MatchingStore,
    Notification,
    Organisations,
    PhaseCalendar,
    Recipients,
)

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 8
BOARD_LIMIT = (1, 100)
NOTIFICATIONS_SHOWN = 50
MAX_STATISTICS_DAYS = 3 * 366


# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingCommand:
    side: str
    unit_type: str
    quantity: int
    min_lot: int
    price_yen: int
    valid_until: str
    period: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class ProposalCommand:
    inquiry_id: str
    quantity: int
    price_yen: int


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.3, 0.01 * 2**attempt)))  # noqa: S311 - jitter, not crypto


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:15].upper()


def _encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        value = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode()
    except (ValueError, UnicodeError) as error:
        raise InvalidBoardCursor(field="cursor") from error
    if len(cursor) > 200 or value[:2] not in ("P#", "D#"):
        raise InvalidBoardCursor(field="cursor")
    return value


# --- views ---------------------------------------------------------------------------------


def listing_view(listing: Listing, org_id: str, today: date) -> dict[str, Any]:
    status = listing.status
    if status == "open" and date.fromisoformat(listing.valid_until) < today:
        status = "expired"
    elif status == "open" and listing.open_quantity <= 0:
        status = "filled"
    return {
        "id": listing.listing_id, "side": listing.side, "unit_type": listing.unit_type, "period": listing.period,
        "quantity": listing.quantity, "open_quantity": listing.open_quantity, "min_lot": listing.min_lot,
        "price_yen": listing.price_yen, "valid_until": listing.valid_until, "notes": listing.notes, "status": status,
        "created_at": listing.created_at, "updated_at": listing.updated_at, "mine": listing.org_id == org_id,
    }


class Matching:
    """The notice board's use cases over its ports."""

    def __init__(self, store: MatchingStore, *, holdings: Holdings, organisations: Organisations,
                 phases: PhaseCalendar | None = None, clock: Clock = now_jst) -> None:
        self.store = store
        self.holdings = holdings
        self.organisations = organisations
        self.phases = phases
        self.clock = clock

    # --- time ------------------------------------------------------------------------------

    def _now(self) -> tuple[str, date]:
        now = self.clock().astimezone(JST)
        return now.isoformat(timespec="microseconds"), now.date()

    def _notice(self, org_id: str, kind: str, ref_type: str, ref_id: str, text: str, text_ja: str, at: str) -> Notification:
        stamp = at[:26].replace("-", "").replace(":", "").replace(".", "")
        return Notification(f"{stamp}-{uuid.uuid4().hex[:8]}", org_id, kind, text, text_ja, ref_type, ref_id, at)

    def _party(self, org_id: str) -> dict[str, str]:
        organisation = self.organisations.get(org_id)
        if organisation is None:
            return {"org_id": org_id, "name": org_id, "name_ja": org_id}
        return {"org_id": org_id, "name": organisation.name, "name_ja": organisation.name_ja}

    # --- listings --------------------------------------------------------------------------

    def post_listing(self, principal: Principal, command: ListingCommand) -> dict[str, Any]:
        now, today = self._now()
        check_listing_numbers(command.quantity, command.min_lot, command.price_yen, command.valid_until, today)
        if command.side == "sell":
            holding = self.holdings.holding(principal.org_id, command.unit_type, command.period)
            if holding.account is None:
                raise NoHoldingAccount()
            if command.quantity > holding.held:
                raise NotEnoughHeld(unit_type=command.unit_type, held=holding.held, quantity=command.quantity, field="quantity")
        listing = Listing(
            listing_id=_new_id("L"), org_id=principal.org_id, side=command.side, unit_type=command.unit_type,
            period=command.period, quantity=command.quantity, open_quantity=command.quantity, min_lot=command.min_lot,
            price_yen=command.price_yen, valid_until=command.valid_until, notes=command.notes, status="open",
            created_at=now, updated_at=now, created_by=principal.username,
        )
        self.store.post_listing(listing)
        return listing_view(listing, principal.org_id, today)

    def board(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        _, today = self._now()
        if query.get("mine") == "true":
            return {"items": [listing_view(listing, principal.org_id, today)
                              for listing in self.store.listings_of(principal.org_id)], "next_cursor": None}
        side, unit_type = query.get("side"), query.get("unit_type")
        if side is not None and side not in SIDES:
            raise InvalidBoardQuery(reason="side is sell or buy", reason_ja="side は sell か buy です", field="side")
        if unit_type is not None and unit_type not in UNIT_TYPES:
            raise InvalidBoardQuery(reason="unit_type is JPA or jCER", reason_ja="unit_type は JPA か jCER です", field="unit_type")
        sort = query.get("sort", "price")
        if sort not in ("price", "date"):
            raise InvalidBoardQuery(reason="sort is price or date", reason_ja="sort は price か date です", field="sort")
        order = query.get("order", "asc" if sort == "price" else "desc")
        if order not in ("asc", "desc"):
            raise InvalidBoardQuery(reason="order is asc or desc", reason_ja="order は asc か desc です", field="order")
        prices = {name: self._whole(query.get(name), name, 1, 10_000_000) for name in ("min_price", "max_price")}
        if prices["min_price"] is not None and prices["max_price"] is not None and prices["min_price"] > prices["max_price"]:
            raise InvalidBoardQuery(reason="min_price is above max_price", reason_ja="min_price が max_price を超えています",
                                    field="min_price")
        limit = self._whole(query.get("limit"), "limit", *BOARD_LIMIT) or 20
        cursor = query.get("cursor")
        board_query = BoardQuery(
            sides=(side,) if side else SIDES, unit_types=(unit_type,) if unit_type else UNIT_TYPES, sort=sort,
            descending=order == "desc", min_price=prices["min_price"], max_price=prices["max_price"], limit=limit,
            after=_decode(cursor) if cursor else None,
        )
        listings, after = self.store.board_page(board_query)
        return {"items": [listing_view(listing, principal.org_id, today) for listing in listings if listing.is_open_on(today)],
                "next_cursor": _encode(after) if after else None}

    @staticmethod
    def _whole(text: str | None, name: str, lowest: int, highest: int) -> int | None:
        if text is None:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 9 and lowest <= int(text) <= highest):
            raise InvalidBoardQuery(reason=f"{name} is a whole number from {lowest} to {highest}",
                                    reason_ja=f"{name} は {lowest}〜{highest} の整数です", field=name)
        return int(text)

    def _listing(self, listing_id: str) -> Listing:
        listing = self.store.listing(listing_id) if len(listing_id) <= 40 else None
        if listing is None:
            raise ListingNotFound(listing_id=listing_id[:40])
        return listing

    def get_listing(self, principal: Principal, listing_id: str) -> dict[str, Any]:
        _, today = self._now()
        return listing_view(self._listing(listing_id), principal.org_id, today)

    def _own_listing(self, principal: Principal, listing_id: str) -> Listing:
        listing = self._listing(listing_id)
        if listing.org_id != principal.org_id:
            raise NotYourListing(listing_id=listing_id)
        return listing

    def change_listing(self, principal: Principal, listing_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(MAX_ATTEMPTS):
            now, today = self._now()
            before = self._own_listing(principal, listing_id)
            after = changed_listing(before, changes, today, now)
            if after.side == "sell" and after.quantity > before.quantity:
                holding = self.holdings.holding(principal.org_id, after.unit_type, after.period)
                if after.open_quantity > holding.held:
                    raise NotEnoughHeld(unit_type=after.unit_type, held=holding.held, quantity=after.open_quantity, field="quantity")
            try:
                self.store.change_listing(before, after)
            except CommitFailed:
                _backoff(attempt)
                continue
            return listing_view(after, principal.org_id, today)
        raise BusyListing()

    def withdraw(self, principal: Principal, listing_id: str) -> dict[str, Any]:
        for attempt in range(MAX_ATTEMPTS):
            now, today = self._now()
            listing = self._own_listing(principal, listing_id)
            if listing.status != "open":
                raise ListingNotOpen(listing_id=listing_id, status=listing.status, status_ja=STATUS_JA[listing.status])
            try:
                self.store.close_listing(listing, "withdrawn", now)
            except CommitFailed:
                _backoff(attempt)
                continue
            return listing_view(replace(listing, status="withdrawn", updated_at=now, version=listing.version + 1),
                                principal.org_id, today)
        raise BusyListing()

    def expire_due(self, batch: int = 100) -> dict[str, int]:
        """Expire every open listing whose last valid day is before today (a missed run
        is caught up: all of them are before today). Idempotent."""
        now, today = self._now()
        expired = 0
        while True:
            due = self.store.expiring_before(today.isoformat(), batch)
            progressed = 0
            for listing_id in due:
                listing = self.store.listing(listing_id)
                if listing is None or listing.status != "open":
                    continue
                try:
                    self.store.close_listing(listing, "expired", now, today=today.isoformat())
                except CommitFailed:
                    continue
                expired += 1
                progressed += 1
            if len(due) < batch or progressed == 0:
                return {"expired": expired}

    # --- threads ---------------------------------------------------------------------------

    def open_inquiry(self, principal: Principal, listing_id: str, text: str) -> dict[str, Any]:
        now, today = self._now()
        listing = self._listing(listing_id)
        if listing.org_id == principal.org_id:
            raise OwnListing(field="listing_id")
        ensure_open(listing, today)
        inquiry_id = "Q" + hashlib.sha256(f"{listing_id}|{principal.org_id}".encode()).hexdigest()[:15].upper()
        existing = self.store.inquiry(inquiry_id)
        if existing is None:
            inquiry = Inquiry(inquiry_id, listing_id, listing.org_id, principal.org_id, now)
            message = Message(_new_id("M"), inquiry_id, principal.org_id, principal.username, text, now)
            notice = self._notice(listing.org_id, "inquiry", "inquiry", inquiry_id, "New inquiry on your listing.",
                                  "掲示に新しい引合いがありました。", now)
            try:
                self.store.open_inquiry(inquiry, message, listing, today.isoformat(), notice)
            except CommitFailed as failed:
                if "listing" in failed.failed:
                    ensure_open(self._listing(listing_id), today)
                if self.store.inquiry(inquiry_id) is None:
                    raise BusyListing() from failed
            else:
                return self.inquiry_view(principal, inquiry_id)
        # A thread already exists between the two: the message goes into it.
        self.add_message(principal, inquiry_id, text)
        return self.inquiry_view(principal, inquiry_id)

    def _inquiry(self, principal: Principal, inquiry_id: str, *, write: bool = False) -> Inquiry:
        inquiry = self.store.inquiry(inquiry_id) if len(inquiry_id) <= 40 else None
        may_read = inquiry is not None and (inquiry.party(principal.org_id) or (principal.is_admin and not write))
        if inquiry is None or not may_read:
            raise InquiryNotFound(inquiry_id=inquiry_id[:40])
        return inquiry

    def _role(self, inquiry: Inquiry, org_id: str) -> str:
        if org_id == inquiry.lister_org:
            return "lister"
        return "inquirer" if org_id == inquiry.inquirer_org else "observer"

    def inquiry_view(self, principal: Principal, inquiry_id: str) -> dict[str, Any]:
        _, today = self._now()
        inquiry = self._inquiry(principal, inquiry_id)
        role = self._role(inquiry, principal.org_id)
        listing = self.store.listing(inquiry.listing_id)
        return {
            "id": inquiry.inquiry_id, "listing_id": inquiry.listing_id,
            "listing": listing_view(listing, principal.org_id, today) if listing else None, "role": role,
            "lister": self._party(inquiry.lister_org) if (role != "inquirer" or inquiry.answered) else None,
            "inquirer": self._party(inquiry.inquirer_org), "answered": inquiry.answered, "current_deal": inquiry.current_deal,
            "created_at": inquiry.created_at,
            "messages": [{"id": m.message_id, "from_side": "lister" if m.org_id == inquiry.lister_org else "inquirer",
                          "mine": m.org_id == principal.org_id, "username": m.username, "text": m.text, "at": m.at}
                         for m in self.store.messages(inquiry_id)],
        }

    def inquiries(self, principal: Principal) -> dict[str, Any]:
        return {"items": [{"id": i.inquiry_id, "listing_id": i.listing_id, "role": self._role(i, principal.org_id),
                           "answered": i.answered, "current_deal": i.current_deal, "created_at": i.created_at}
                          for i in self.store.inquiries_of(principal.org_id)]}

    def add_message(self, principal: Principal, inquiry_id: str, text: str) -> dict[str, Any]:
        now, _ = self._now()
        inquiry = self._inquiry(principal, inquiry_id, write=True)
        message = Message(_new_id("M"), inquiry_id, principal.org_id, principal.username, text, now)
        notice = self._notice(inquiry.other(principal.org_id), "message", "inquiry", inquiry_id, "New message in an inquiry.",
                              "引合いに新しいメッセージがあります。", now)
        self.store.add_message(inquiry, message, principal.org_id == inquiry.lister_org, notice)
        return {"id": message.message_id, "from_side": self._role(inquiry, principal.org_id), "mine": True,
                "username": message.username, "text": message.text, "at": message.at}

    # --- deals ----------------------------------------------------------------------------

    def _deal(self, principal: Principal, deal_id: str, *, write: bool = False) -> Deal:
        deal = self.store.deal(deal_id) if len(deal_id) <= 40 else None
        if deal is None or not (deal.party(principal.org_id) or (principal.is_admin and not write)):
            raise DealNotFound(deal_id=deal_id[:40])
        return deal

    def propose(self, principal: Principal, command: ProposalCommand) -> dict[str, Any]:
        for attempt in range(MAX_ATTEMPTS):
            now, today = self._now()
            inquiry = self._inquiry(principal, command.inquiry_id, write=True)
            listing = self._listing(inquiry.listing_id)
            ensure_open(listing, today)
            check_proposal(listing, command.quantity, command.price_yen)
            seller, buyer = listing.seller_and_buyer(inquiry.inquirer_org)
            before = self.store.deal(inquiry.current_deal) if inquiry.current_deal else None
            if before is not None and before.status != "proposed":
                before = None
            if before is None:
                proposal = Proposal(1, command.quantity, command.price_yen, principal.org_id, principal.username, now)
                after = Deal(
                    deal_id=_new_id("D"), inquiry_id=inquiry.inquiry_id, listing_id=listing.listing_id, seller_org=seller,
                    buyer_org=buyer, unit_type=listing.unit_type, period=listing.period, quantity=command.quantity,
                    price_yen=command.price_yen, status="proposed", proposed_by=principal.org_id, version=1,
                    versions=(proposal,), created_at=now, updated_at=now,
                )
            else:
                proposal = Proposal(before.version + 1, command.quantity, command.price_yen, principal.org_id, principal.username, now)
                after = replace(before, quantity=command.quantity, price_yen=command.price_yen, proposed_by=principal.org_id,
                                version=before.version + 1, versions=(*before.versions, proposal), updated_at=now)
            notice = self._notice(inquiry.other(principal.org_id), "proposal", "deal", after.deal_id,
                                  f"A deal was proposed: {after.quantity} t at {after.price_yen} yen/t.",
                                  f"取引の提案がありました: {after.quantity} t、{after.price_yen} 円/t。", now)
            try:
                self.store.propose(inquiry, before, after, listing, today.isoformat(), notice,
                                   answers=principal.org_id == inquiry.lister_org)
            except CommitFailed as failed:
                if "listing" in failed.failed:
                    fresh = self._listing(inquiry.listing_id)
                    ensure_open(fresh, today)
                    check_proposal(fresh, command.quantity, command.price_yen)
                _backoff(attempt)
                continue
            return self.deal_view(principal, after.deal_id, after)
        raise BusyListing()

    def confirm(self, principal: Principal, deal_id: str, version: int) -> dict[str, Any]:
        return self._decide(principal, deal_id, version, confirm=True)

    def decline(self, principal: Principal, deal_id: str, version: int) -> dict[str, Any]:
        return self._decide(principal, deal_id, version, confirm=False)

    def _decide(self, principal: Principal, deal_id: str, version: int, *, confirm: bool) -> dict[str, Any]:
        for attempt in range(MAX_ATTEMPTS):
            now, today = self._now()
            deal = self._deal(principal, deal_id, write=True)
            deal_step(deal, principal.org_id, "confirm" if confirm else "decline", version)
            inquiry = self._inquiry(principal, deal.inquiry_id, write=True)
            listing = None
            if confirm:
                listing = self._listing(deal.listing_id)
                ensure_open(listing, today)
                if listing.open_quantity < deal.quantity:
                    raise ListingSoldOut(listing_id=listing.listing_id, quantity=deal.quantity,
                                         open_quantity=listing.open_quantity)
                seller = self.holdings.holding(deal.seller_org, deal.unit_type, deal.period)
                buyer = self.holdings.holding(deal.buyer_org, deal.unit_type, deal.period)
                if seller.account is None or buyer.account is None:
                    raise NoHoldingAccount()
                after = replace(deal, status="confirmed", confirmed_at=now, updated_at=now, seller_account=seller.account,
                                buyer_account=buyer.account)
                text = (f"Deal confirmed: {deal.quantity} t at {deal.price_yen} yen/t.",
                        f"取引が成立しました: {deal.quantity} t、{deal.price_yen} 円/t。")
            else:
                after = replace(deal, status="declined", updated_at=now)
                text = ("Your proposal was declined.", "提案が辞退されました。")
            other = deal.buyer_org if principal.org_id == deal.seller_org else deal.seller_org
            notice = self._notice(other, "confirmed" if confirm else "declined", "deal", deal_id, *text, now)
            try:
                self.store.decide(deal, after, inquiry, listing, today.isoformat(), notice,
                                  answers=principal.org_id == inquiry.lister_org)
            except CommitFailed as failed:
                if "open_quantity" in failed.failed and listing is not None:
                    fresh = self._listing(deal.listing_id)
                    ensure_open(fresh, today)
                    raise ListingSoldOut(listing_id=listing.listing_id, quantity=deal.quantity,
                                         open_quantity=fresh.open_quantity) from failed
                if "deal" in failed.failed:
                    fresh_deal = self._deal(principal, deal_id, write=True)
                    deal_step(fresh_deal, principal.org_id, "confirm" if confirm else "decline", version)
                _backoff(attempt)
                continue
            if listing is not None and listing.open_quantity - deal.quantity <= 0:
                self._close_if_filled(listing.listing_id)
            return self.deal_view(principal, deal_id, after)
        raise BusyListing()

    def _close_if_filled(self, listing_id: str) -> None:
        """Take a listing with nothing left open off the board (its confirmation already
        made it show as filled; this only tidies the board)."""
        listing = self.store.listing(listing_id)
        if listing is not None and listing.status == "open" and listing.open_quantity <= 0:
            # Changed meanwhile: the next confirmation or the schedule tidies it.
            with contextlib.suppress(CommitFailed):
                self.store.refresh_filled(listing, self._now()[0])

    def mark_paid(self, principal: Principal, deal_id: str) -> dict[str, Any]:
        return self._step(principal, deal_id, "paid")

    def mark_received(self, principal: Principal, deal_id: str) -> dict[str, Any]:
        return self._step(principal, deal_id, "received")

    def _step(self, principal: Principal, deal_id: str, action: str) -> dict[str, Any]:
        now, _ = self._now()
        deal = self._deal(principal, deal_id, write=True)
        deal_step(deal, principal.org_id, action)
        if action == "paid":
            after = replace(deal, status="paid", paid_at=now, updated_at=now)
            notice = self._notice(deal.seller_org, "paid", "deal", deal_id, "The buyer marked the deal paid: confirm receipt.",
                                  "買い手が支払済みにしました。入金を確認してください。", now)
        else:
            after = replace(deal, status="received", received_at=now, updated_at=now)
            notice = self._notice(deal.buyer_org, "received", "deal", deal_id,
                                  "The seller confirmed receipt of payment; the transfer follows.",
                                  "売り手が入金を確認しました。続いて移転が行われます。", now)
        try:
            self.store.step(deal, after, notice)
        except CommitFailed as failed:
            fresh = self._deal(principal, deal_id, write=True)
            deal_step(fresh, principal.org_id, action)
            raise BusyListing() from failed
        return self.deal_view(principal, deal_id, after)

    def deal_view(self, principal: Principal, deal_id: str, deal: Deal | None = None) -> dict[str, Any]:
        deal = deal or self._deal(principal, deal_id)
        org = principal.org_id
        role = "seller" if org == deal.seller_org else "buyer" if org == deal.buyer_org else "observer"
        side_of = {deal.seller_org: "seller", deal.buyer_org: "buyer"}
        actions: list[str] = []
        if deal.status == "proposed" and role != "observer":
            actions += ["propose"] if org == deal.proposed_by else ["confirm", "decline", "propose"]
        elif deal.status == "confirmed" and role == "buyer":
            actions.append("mark_paid")
        elif deal.status == "paid" and role == "seller":
            actions.append("mark_received")
        elif deal.status == "received" and role == "seller":
            actions.append("settle")
        line: dict[str, object] = {"unit_type": deal.unit_type, "amount": deal.quantity}
        if deal.period:
            line["issued_period"] = deal.period
        parties: dict[str, dict[str, str] | None] = {"seller": self._party(deal.seller_org), "buyer": self._party(deal.buyer_org)}
        if role != "observer" and deal.status == "proposed":
            # The inquirer learns the lister's name once the lister has answered in the thread.
            inquiry = self.store.inquiry(deal.inquiry_id)
            if inquiry is not None and not inquiry.answered and org == inquiry.inquirer_org:
                parties["seller" if inquiry.lister_org == deal.seller_org else "buyer"] = None
        transfer = None
        if role == "seller" and deal.status in ("received", "settled"):
            transfer = {"from_account": deal.seller_account, "to_account": deal.buyer_account, "lines": [line], "deal_id": deal.deal_id}
        return {
            "id": deal.deal_id, "inquiry_id": deal.inquiry_id, "listing_id": deal.listing_id, "role": role,
            "seller": parties["seller"], "buyer": parties["buyer"], "unit_type": deal.unit_type,
            "period": deal.period, "quantity": deal.quantity, "price_yen": deal.price_yen, "amount_yen": deal.amount_yen,
            "status": deal.status, "proposed_by": side_of.get(deal.proposed_by, "seller"), "version": deal.version,
            "versions": [{"version": p.version, "quantity": p.quantity, "price_yen": p.price_yen,
                          "amount_yen": p.quantity * p.price_yen, "by": side_of.get(p.by_org, "seller"), "by_user": p.by_user,
                          "at": p.at} for p in deal.versions],
            "seller_account": deal.seller_account, "buyer_account": deal.buyer_account, "created_at": deal.created_at,
            "confirmed_at": deal.confirmed_at, "paid_at": deal.paid_at, "received_at": deal.received_at,
            "settled_at": deal.settled_at, "transaction_id": deal.transaction_id, "next_actions": actions, "transfer": transfer,
        }

    def deals(self, principal: Principal) -> dict[str, Any]:
        return {"items": [self.deal_view(principal, deal.deal_id, deal) for deal in self.store.deals_of(principal.org_id)]}

    # --- settlement (the registry's transfer) ---------------------------------------------

    def settlement(self, deal_id: str, *, initiator_org: str, receiver: str, lines: list[tuple[str, int]],
                   transaction_id: str) -> tuple[str, tuple[Any, ...]]:
        """The deal reference and the writes a transfer adds to its own transaction to
        settle ``deal_id``. One read of the deal, to refuse early with a clear reason; the
        writes' conditions decide under races (paid and received, not settled, the quantity
        and the buyer's account the deal names)."""
        deal = self.store.deal(deal_id) if len(deal_id) <= 40 else None
        if deal is None or deal.seller_org != initiator_org:
            raise DealNotFound(deal_id=deal_id[:40], field="deal_id")
        replay = deal.status == "settled" and deal.transaction_id == transaction_id
        if deal.status != "received" and not replay:
            raise SettlementRefused(deal_id=deal_id, reason=f"it is {deal.status}, not paid and received",
                                    reason_ja=f"状態が「{DEAL_STATUS_JA[deal.status]}」で、支払・入金確認済みではありません",
                                    field="deal_id")
        units = {unit_type for unit_type, _ in lines}
        amount = sum(amount for _, amount in lines)
        if not replay and (units != {deal.unit_type} or amount != deal.quantity or receiver != deal.buyer_account):
            raise SettlementRefused(
                deal_id=deal_id,
                reason=f"the deal moves {deal.quantity} t of {deal.unit_type} to {deal.buyer_account}",
                reason_ja=f"この取引の移転は {deal.unit_type} {deal.quantity} t を {deal.buyer_account} へ行うものです",
                field="lines")
        now, _ = self._now()
        notices = [self._notice(org, "settled", "deal", deal_id, "The deal was settled in the registry.",
                                "取引の移転が完了しました（決済済み）。", now) for org in (deal.seller_org, deal.buyer_org)]
        writes = self.store.settlement_writes(deal, amount=amount, receiver=receiver, sender_org=initiator_org,
                                              unit_type=deal.unit_type, transaction_id=transaction_id, settled_at=now,
                                              notices=notices)
        return deal_id, writes

    # --- statistics -----------------------------------------------------------------------

    def settled_between(self, start: date, end: date) -> TradeFigures:
        return TradeFigures.of(self.store.settled_trades(start, end))

    def statistics(self, query: Mapping[str, str]) -> dict[str, Any]:
        _, today = self._now()
        try:
            first = date.fromisoformat(query["from"]) if query.get("from") else today - timedelta(days=30)
            last = date.fromisoformat(query["to"]) if query.get("to") else today
        except ValueError as error:
            raise InvalidStatisticsQuery(field="from") from error
        group = query.get("group", "day")
        if first > last or (last - first).days > MAX_STATISTICS_DAYS or group not in ("day", "phase") \
                or len(query.get("from", "")) > 10 or len(query.get("to", "")) > 10:
            raise InvalidStatisticsQuery(field="group" if group not in ("day", "phase") else "from")
        trades = self.store.settled_trades(first, last)
        if group == "day":
            periods = [Period(d.isoformat(), d, d) for d in (first + timedelta(days=n) for n in range((last - first).days + 1))]
        else:
            phases = self.phases.trading_periods() if self.phases is not None else []
            periods = [Period(p.phase_id, max(p.start, first), min(p.end, last)) for p in phases
                       if p.start <= last and p.end >= first]

        def row(key: str, start: date, end: date, figures: TradeFigures) -> dict[str, Any]:
            return {"key": key, "start": start.isoformat(), "end": end.isoformat(), "deals": figures.deals,
                    "volume_t": figures.volume_t, "amount_yen": figures.amount_yen,
                    "average_price_yen": figures.average_price_yen}

        return {"from": first.isoformat(), "to": last.isoformat(), "group": group,
                "rows": [row(p.key, p.start, p.end, figures) for p, figures in grouped(trades, periods)],
                "total": row("total", first, last, TradeFigures.of(trades))}

    # --- notifications ---------------------------------------------------------------------

    def notifications(self, principal: Principal) -> dict[str, Any]:
        items = self.store.notifications(principal.org_id, principal.username, NOTIFICATIONS_SHOWN)
        return {"items": [_notification_view(n) for n in items], "unread": sum(not n.read for n in items)}

    def mark_read(self, principal: Principal, notification_id: str) -> dict[str, Any]:
        if len(notification_id) > 60:
            raise NotificationNotFound(notification_id=notification_id[:60])
        for attempt in range(MAX_ATTEMPTS):
            try:
                notice = self.store.mark_read(principal.org_id, principal.username, notification_id)
            except CommitFailed:
                _backoff(attempt)
                continue
            if notice is None:
                raise NotificationNotFound(notification_id=notification_id)
            return _notification_view(notice)
        raise BusyListing()

    def send_pending(self, mailer: Mailer, recipients: Recipients, batch: int = 50, max_batches: int = 20) -> dict[str, int]:
        """E-mail what the outbox holds (each once: removed from the outbox once sent)."""
        sent = 0
        addresses: dict[str, list[str]] = {}
        for _ in range(max_batches):
            pending = self.store.unsent(batch)
            for notice in pending:
                if notice.org_id not in addresses:
                    addresses[notice.org_id] = recipients.emails_of(notice.org_id)
                if addresses[notice.org_id]:
                    mailer.send(addresses[notice.org_id], f"[JVETS] {notice.text_ja} / {notice.text}",
                                f"{notice.text_ja}\n{notice.text}\n\n{notice.ref_type}: {notice.ref_id}\n")
                self.store.mark_sent(notice)
                sent += 1
            if len(pending) < batch:
                break
        return {"sent": sent}


def _notification_view(notice: Notification) -> dict[str, Any]:
    return {"id": notice.notification_id, "kind": notice.kind, "text": notice.text, "text_ja": notice.text_ja,
            "ref_type": notice.ref_type, "ref_id": notice.ref_id, "created_at": notice.created_at, "read": notice.read}

