"""The notice board's ports in memory: the store (``chalicelib.matching.ports.MatchingStore``),
the registry's holdings, the organisations and a phase calendar.

Each write checks the conditions ``chalicelib.matching.adapters.MatchingStore`` puts in
its transaction, label by label, and applies everything or nothing: a failed condition
raises ``CommitFailed`` naming the labels. ``meanwhile(write)`` lets a test write between
the service's reads and its next transaction (another request got there first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chalicelib.core.organisations import Organisation, OrganisationKind
from chalicelib.core.transactions import CommitFailed
from chalicelib.matching.domain.board import Deal, Inquiry, Listing, Message
from chalicelib.matching.domain.figures import SettledTrade
from chalicelib.matching.ports import BoardQuery, Holding, Notification


@dataclass
class FakeMatchingStore:
    listings: dict[str, Listing] = field(default_factory=dict)
    inquiries: dict[str, Inquiry] = field(default_factory=dict)
    thread: dict[str, list[Message]] = field(default_factory=dict)
    deals_by_id: dict[str, Deal] = field(default_factory=dict)
    settled: list[SettledTrade] = field(default_factory=list)
    notes: dict[str, Notification] = field(default_factory=dict)
    outbox: set[str] = field(default_factory=set)
    #: Read markers: (organisation, username, notification id); read state is each user's.
    reads: set[tuple[str, str, str]] = field(default_factory=set)
    pending: list[Callable[[], None]] = field(default_factory=list)

    def meanwhile(self, write: Callable[[], None]) -> None:
        self.pending.append(write)

    def _commit(self, checks: Callable[[], list[tuple[str, bool]]], apply: Callable[[], None],
                notices: tuple[Notification, ...] = ()) -> None:
        """Run what others wrote meanwhile, then check every condition and apply all or nothing."""
        while self.pending:
            self.pending.pop(0)()
        failed = tuple(label for label, ok in checks() if not ok)
        if failed:
            raise CommitFailed(failed=failed)
        apply()
        for notice in notices:
            self.notes[notice.notification_id] = notice
            self.outbox.add(notice.notification_id)

    # --- listings ------------------------------------------------------------------------
    def listing(self, listing_id: str) -> Listing | None:
        return self.listings.get(listing_id)

    def listings_of(self, org_id: str) -> list[Listing]:
        return sorted((x for x in self.listings.values() if x.org_id == org_id), key=lambda x: x.created_at, reverse=True)

    def board_page(self, query: BoardQuery) -> tuple[list[Listing], str | None]:
        def key(x: Listing) -> str:
            return f"P#{x.price_yen:08d}#{x.listing_id}" if query.sort == "price" else f"D#{x.created_at}#{x.listing_id}"

        rows = sorted(((key(x), x) for x in self.listings.values()
                       if x.status == "open" and x.side in query.sides and x.unit_type in query.unit_types
                       and (query.min_price is None or x.price_yen >= query.min_price)
                       and (query.max_price is None or x.price_yen <= query.max_price)), key=lambda r: r[0],
                      reverse=query.descending)
        if query.after is not None:
            rows = [r for r in rows if (r[0] < query.after if query.descending else r[0] > query.after)]
        page = rows[: query.limit]
        return [x for _, x in page], page[-1][0] if len(rows) > query.limit else None

    def post_listing(self, listing: Listing) -> None:
        self._commit(lambda: [("listing", listing.listing_id not in self.listings)], lambda: self.listings.__setitem__(listing.listing_id, listing))

    def change_listing(self, before: Listing, after: Listing) -> None:
        def checks() -> list[tuple[str, bool]]:
            now = self.listings[before.listing_id]
            return [("listing", now.version == before.version and now.open_quantity == before.open_quantity and now.status == "open")]

        self._commit(checks, lambda: self.listings.__setitem__(after.listing_id, after))

    def close_listing(self, before: Listing, status: str, now: str, today: str | None = None) -> None:
        def checks() -> list[tuple[str, bool]]:
            x = self.listings[before.listing_id]
            ok = x.status == "open" and x.version == before.version and (today is None or x.valid_until < today)
            return [("listing", ok and (status != "filled" or x.open_quantity == 0))]

        self._commit(checks, lambda: self.listings.__setitem__(before.listing_id, replace(
            self.listings[before.listing_id], status=status, updated_at=now, version=before.version + 1)))

    def refresh_filled(self, listing: Listing, now: str) -> None:
        self.close_listing(listing, "filled", now)

    def expiring_before(self, day: str, limit: int) -> list[str]:
        due = sorted((x.valid_until, x.listing_id) for x in self.listings.values() if x.status == "open" and x.valid_until < day)
        return [listing_id for _, listing_id in due[:limit]]

    # --- threads ---------------------------------------------------------------------------
    def inquiry(self, inquiry_id: str) -> Inquiry | None:
        return self.inquiries.get(inquiry_id)

    def inquiries_of(self, org_id: str) -> list[Inquiry]:
        return [i for i in self.inquiries.values() if i.party(org_id)]

    def messages(self, inquiry_id: str) -> list[Message]:
        return list(self.thread.get(inquiry_id, []))

    def _listing_open(self, listing_id: str, today: str, quantity: int = 0) -> bool:
        x = self.listings[listing_id]
        return x.status == "open" and x.valid_until >= today and x.open_quantity >= quantity

    def open_inquiry(self, inquiry: Inquiry, first: Message, listing: Listing, today: str, notice: Notification) -> None:
        def apply() -> None:
            self.inquiries[inquiry.inquiry_id] = replace(inquiry, messages=1)
            self.thread[inquiry.inquiry_id] = [first]

        self._commit(lambda: [("inquiry", inquiry.inquiry_id not in self.inquiries),
                              ("listing", self._listing_open(listing.listing_id, today))], apply, (notice,))

    def add_message(self, inquiry: Inquiry, message: Message, answers: bool, notice: Notification) -> None:
        def apply() -> None:
            current = self.inquiries[inquiry.inquiry_id]
            self.inquiries[inquiry.inquiry_id] = replace(current, messages=current.messages + 1, answered=current.answered or answers)
            self.thread[inquiry.inquiry_id].append(message)

        self._commit(lambda: [("inquiry", inquiry.inquiry_id in self.inquiries)], apply, (notice,))

    # --- deals -------------------------------------------------------------------------
    def deal(self, deal_id: str) -> Deal | None:
        return self.deals_by_id.get(deal_id)

    def deals_of(self, org_id: str) -> list[Deal]:
        return [d for d in self.deals_by_id.values() if d.party(org_id)]

    def propose(self, inquiry: Inquiry, before: Deal | None, after: Deal, listing: Listing, today: str,
                notice: Notification, answers: bool = False) -> None:
        def checks() -> list[tuple[str, bool]]:
            current = self.inquiries[inquiry.inquiry_id]
            if before is None:
                deal_ok = after.deal_id not in self.deals_by_id and current.current_deal is None
            else:
                held = self.deals_by_id[before.deal_id]
                deal_ok = held.status == "proposed" and held.version == before.version
            return [("deal", deal_ok), ("listing", self._listing_open(listing.listing_id, today, after.quantity))]

        def apply() -> None:
            current = self.inquiries[inquiry.inquiry_id]
            self.deals_by_id[after.deal_id] = after
            self.inquiries[inquiry.inquiry_id] = replace(current, current_deal=after.deal_id, answered=current.answered or answers)

        self._commit(checks, apply, (notice,))

    def decide(self, before: Deal, after: Deal, inquiry: Inquiry, listing: Listing | None, today: str,
               notice: Notification, answers: bool = False) -> None:
        def checks() -> list[tuple[str, bool]]:
            held = self.deals_by_id[before.deal_id]
            result = [("deal", held.status == "proposed" and held.version == before.version),
                      ("inquiry", self.inquiries[inquiry.inquiry_id].current_deal == before.deal_id)]
            if listing is not None:
                result.append(("open_quantity", self._listing_open(listing.listing_id, today, after.quantity)))
            return result

        def apply() -> None:
            self.deals_by_id[after.deal_id] = after
            current = self.inquiries[inquiry.inquiry_id]
            self.inquiries[inquiry.inquiry_id] = replace(current, current_deal=None, answered=current.answered or answers)
            if listing is not None:
                x = self.listings[listing.listing_id]
                self.listings[listing.listing_id] = replace(x, open_quantity=x.open_quantity - after.quantity)

        self._commit(checks, apply, (notice,))

    def step(self, before: Deal, after: Deal, notice: Notification) -> None:
        def checks() -> list[tuple[str, bool]]:
            held = self.deals_by_id[before.deal_id]
            return [("deal", held.status == before.status and held.version == before.version)]

        self._commit(checks, lambda: self.deals_by_id.__setitem__(after.deal_id, after), (notice,))

    def settlement_writes(self, deal: Deal, *, amount: int, receiver: str, sender_org: str, unit_type: str,
                          transaction_id: str, settled_at: str, notices: list[Notification]) -> tuple[Any, ...]:
        """The writes as (label, check, apply) for a fake ledger to run."""
        def check() -> bool:
            held = self.deals_by_id[deal.deal_id]
            return (held.status == "received" and held.quantity == amount and held.buyer_account == receiver
                    and held.seller_org == sender_org and held.unit_type == unit_type)

        def apply() -> None:
            self.deals_by_id[deal.deal_id] = replace(self.deals_by_id[deal.deal_id], status="settled", settled_at=settled_at,
                                                     transaction_id=transaction_id)
            self.settled.append(SettledTrade(deal.deal_id, date.fromisoformat(settled_at[:10]), deal.quantity, deal.price_yen))
            for notice in notices:
                self.notes[notice.notification_id] = notice
                self.outbox.add(notice.notification_id)

        return ((f"deal:{deal.deal_id}", check, apply),)

    # --- statistics and notifications ----------------------------------------------------
    def settled_trades(self, start: date, end: date) -> list[SettledTrade]:
        return [t for t in self.settled if start <= t.settled_on <= end]

    def notifications(self, org_id: str, username: str, limit: int) -> list[Notification]:
        latest = sorted((n for n in self.notes.values() if n.org_id == org_id), key=lambda n: n.notification_id, reverse=True)[:limit]
        return [replace(n, read=(org_id, username, n.notification_id) in self.reads) for n in latest]

    def mark_read(self, org_id: str, username: str, notification_id: str) -> Notification | None:
        def checks() -> list[tuple[str, bool]]:
            notice = self.notes.get(notification_id)
            return [("notification", notice is not None and notice.org_id == org_id)]

        try:
            self._commit(checks, lambda: self.reads.add((org_id, username, notification_id)))
        except CommitFailed as failed:
            if "notification" in failed.failed:
                return None
            raise
        return replace(self.notes[notification_id], read=True)

    def unsent(self, limit: int) -> list[Notification]:
        return [self.notes[i] for i in sorted(self.outbox)[:limit]]

    def mark_sent(self, notification: Notification) -> None:
        self.outbox.discard(notification.notification_id)


@dataclass
class FakeHoldings:
    """Holding accounts and what they hold: ``held[(org, unit_type)]``."""

    held: dict[tuple[str, str], int] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)

    def holding(self, org_id: str, unit_type: str, period: str | None) -> Holding:
        return Holding(self.accounts.get(org_id), self.held.get((org_id, unit_type), 0))


@dataclass
class FakeOrganisations:
    def get(self, org_id: str) -> Organisation | None:
        return Organisation(org_id, f"Org {org_id}", f"組織 {org_id}", OrganisationKind.TRADING)


@dataclass
class FakeMailer:
    sent: list[tuple[list[str], str]] = field(default_factory=list)

    def send(self, to: list[str], subject: str, body: str) -> None:
        self.sent.append((to, subject))


@dataclass
class FakeRecipients:
    def emails_of(self, org_id: str) -> list[str]:
        return [f"{org_id}@example.jp"]
