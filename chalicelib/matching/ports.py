"""What the notice board's use cases need from storage and from other systems, as protocols.

The adapters (``chalicelib.matching.adapters``) implement the store on DynamoDB; the
registry's side (``Holdings``) and the compliance system's phases (``PhaseCalendar``) are
wired by the container; the unit tests use in-memory fakes (``tests/unit/fakes/matching.py``).
A store refuses a write whose conditions fail by raising ``CommitFailed`` naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from chalicelib.core.organisations import Organisation
from chalicelib.matching.domain.board import Deal, Inquiry, Listing, Message
from chalicelib.matching.domain.figures import SettledTrade


@dataclass(frozen=True)
class Notification:
    """One outbox entry: written in the transaction of the event it tells about."""

    notification_id: str
    org_id: str
    kind: str
    text: str
    text_ja: str
    ref_type: str
    ref_id: str
    created_at: str
    #: Read by the user it was listed for (read state is each user's, never the organisation's).
    read: bool = False


@dataclass(frozen=True)
class BoardQuery:
    sides: tuple[str, ...]
    unit_types: tuple[str, ...]
    sort: str  # "price" or "date"
    descending: bool
    min_price: int | None
    max_price: int | None
    limit: int
    after: str | None  # the sort key of the last row of the previous page


@dataclass(frozen=True)
class Holding:
    """An organisation's holding account and what it holds of one unit type."""

    account: str | None
    held: int


class MatchingStore(Protocol):
    # --- listings ---------------------------------------------------------------------
    def listing(self, listing_id: str) -> Listing | None: ...

    def listings_of(self, org_id: str) -> list[Listing]: ...

    def board_page(self, query: BoardQuery) -> tuple[list[Listing], str | None]: ...

    def post_listing(self, listing: Listing) -> None: ...

    def change_listing(self, before: Listing, after: Listing) -> None: ...

    def close_listing(self, before: Listing, status: str, now: str, today: str | None = None) -> None: ...

    def expiring_before(self, day: str, limit: int) -> list[str]: ...

    # --- inquiries and messages --------------------------------------------------------
    def inquiry(self, inquiry_id: str) -> Inquiry | None: ...

    def inquiries_of(self, org_id: str) -> list[Inquiry]: ...

    def messages(self, inquiry_id: str) -> list[Message]: ...

    def open_inquiry(self, inquiry: Inquiry, first: Message, listing: Listing, today: str, notice: Notification) -> None: ...

    def add_message(self, inquiry: Inquiry, message: Message, answers: bool, notice: Notification) -> None: ...

    # --- deals -------------------------------------------------------------------------
    def deal(self, deal_id: str) -> Deal | None: ...

    def deals_of(self, org_id: str) -> list[Deal]: ...

    def propose(self, inquiry: Inquiry, before: Deal | None, after: Deal, listing: Listing, today: str,
                notice: Notification, answers: bool = False) -> None: ...

    def decide(self, before: Deal, after: Deal, inquiry: Inquiry, listing: Listing | None, today: str,
               notice: Notification, answers: bool = False) -> None: ...

    def step(self, before: Deal, after: Deal, notice: Notification) -> None: ...

    def settlement_writes(self, deal: Deal, *, amount: int, receiver: str, sender_org: str, unit_type: str,
                          transaction_id: str, settled_at: str, notices: list[Notification]) -> tuple[Any, ...]: ...

    def refresh_filled(self, listing: Listing, now: str) -> None: ...

    # --- statistics and notifications ---------------------------------------------------
    def settled_trades(self, start: date, end: date) -> list[SettledTrade]: ...

    def notifications(self, org_id: str, username: str, limit: int) -> list[Notification]:
        """The organisation's latest ``limit``, each ``read`` if ``username`` read it."""
        ...

    def mark_read(self, org_id: str, username: str, notification_id: str) -> Notification | None:
        """Mark the organisation's notification read for ``username`` only (idempotent);
        ``None`` if the organisation has no such notification (nothing written)."""
        ...

    def unsent(self, limit: int) -> list[Notification]: ...

    def mark_sent(self, notification: Notification) -> None: ...


class Holdings(Protocol):
    """The registry's side: what an organisation's holding account holds (read when a
    sell listing is posted and when a deal is confirmed)."""

    def holding(self, org_id: str, unit_type: str, period: str | None) -> Holding: ...


class Organisations(Protocol):
    def get(self, org_id: str) -> Organisation | None: ...


@dataclass(frozen=True)
class TradingPeriod:
    phase_id: str
    start: date
    end: date


class PhaseCalendar(Protocol):
    """The compliance system's trading phases (for statistics grouped by phase)."""

    def trading_periods(self) -> list[Any]: ...


class Mailer(Protocol):
    def send(self, to: list[str], subject: str, body: str) -> None: ...


class Recipients(Protocol):
    def emails_of(self, org_id: str) -> list[str]: ...
