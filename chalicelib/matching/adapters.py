"""The notice board's items in the table (``chalicelib.core.table``) and its store.

Key design (``pk`` / ``sk``), so that a board page costs the same requests at 10 and
10,000 listings (one query per side and unit type asked for, each reading one page):

- ``MLST#<listing>`` / ``LISTING``: the listing, with ``open_quantity`` (quantity less what
  confirmed deals took; a confirmation subtracts its quantity only if
  ``open_quantity >= quantity``, in its own transaction, so it never goes below zero).
- ``MBOARD#<side>#<unit type>`` / ``P#<price, 8 digits>#<listing>`` and
  ``.../D#<created at>#<listing>``: the board's two orders of an open listing (a copy of what
  the board shows, written and removed in the listing's own transactions).
- ``MEXP`` / ``<valid until>#<listing>``: open listings by the last day they are valid (the
  schedule expires every one before today: a missed run is caught up by the next).
- ``MORG#<org>`` / ``LST#<listing>``, ``INQ#<inquiry>``, ``DEAL#<deal>``: an organisation's
  own listings, threads and deals.
- ``MINQ#<inquiry>`` / ``INQ`` and ``MSG#<at>#<message>``: a thread and its messages.
- ``MDEAL#<deal>`` / ``DEAL``: a deal with every version of its proposal.
- ``MSTAT#<YYYY-MM>`` / ``<date>#<deal>``: a settled deal, by settlement date (JST), written
  in the settling transfer's own transaction.
- ``MNOTE#<org>`` / ``N#<notification>``: the organisation's notifications (addressed to
  the organisation: every one of its users sees them); ``MOUTBOX`` / ``<notification>#<org>``:
  those not yet e-mailed. Both are written in the transaction of the event they tell about.
- ``MNOTE#<org>`` / ``R#<username>#<notification>``: ``<username>`` (a user of the
  organisation) has read the notification. Read state is each user's: one user reading
  leaves every other user's unread. A marker is written in ONE transaction with a check
  that the notification exists in the organisation's partition (so nothing is written for
  another organisation's id). The listing reads the markers of exactly the notifications
  it shows (one BatchGetItem of their keys), never every marker the user ever wrote, so
  its requests do not grow with how many the user has read. The old ``read`` attribute
  of notification items (when read state was the organisation's) is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, GetError, PutError, QueryError

from chalicelib.core.table import LinkedWrite, TableItem, transact, unavailable
from chalicelib.core.transactions import CommitFailed
from chalicelib.matching.domain.board import Deal, Inquiry, Listing, Message, Proposal
from chalicelib.matching.domain.errors import InvalidBoardCursor
from chalicelib.matching.domain.figures import SettledTrade
from chalicelib.matching.ports import BoardQuery, Notification

#: A page of a filtered board query reads at most this many pages per partition.
FILTERED_READS = 5


class ListingItem(TableItem, discriminator="listing"):
    listing_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    side = UnicodeAttribute()
    unit_type = UnicodeAttribute()
    period = UnicodeAttribute(null=True)
    quantity = NumberAttribute()
    open_quantity = NumberAttribute()
    min_lot = NumberAttribute()
    price_yen = NumberAttribute()
    valid_until = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    version = NumberAttribute(default=1)

    @staticmethod
    def key(listing_id: str) -> tuple[str, str]:
        return f"MLST#{listing_id}", "LISTING"


class BoardEntryItem(TableItem, discriminator="board_entry"):
    """The board's copy of an open listing (the views never show its organisation)."""

    listing_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    side = UnicodeAttribute()
    unit_type = UnicodeAttribute()
    period = UnicodeAttribute(null=True)
    quantity = NumberAttribute()
    open_quantity = NumberAttribute()
    min_lot = NumberAttribute()
    price_yen = NumberAttribute()
    valid_until = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def partition(side: str, unit_type: str) -> str:
        return f"MBOARD#{side}#{unit_type}"

    @staticmethod
    def keys(listing: Listing) -> list[tuple[str, str]]:
        pk = BoardEntryItem.partition(listing.side, listing.unit_type)
        return [(pk, price_key(listing)), (pk, f"D#{listing.created_at}#{listing.listing_id}")]


def price_key(listing: Listing) -> str:
    return f"P#{listing.price_yen:08d}#{listing.listing_id}"


class ExpiryItem(TableItem, discriminator="listing_expiry"):
    listing_id = UnicodeAttribute()

    @staticmethod
    def key(listing: Listing) -> tuple[str, str]:
        return "MEXP", f"{listing.valid_until}#{listing.listing_id}"


class OrgRefItem(TableItem, discriminator="matching_ref"):
    """An organisation's own listing, thread or deal (``LST#``, ``INQ#``, ``DEAL#``)."""

    ref_id = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, kind: str, ref_id: str) -> tuple[str, str]:
        return f"MORG#{org_id}", f"{kind}#{ref_id}"


class InquiryItem(TableItem, discriminator="inquiry"):
    inquiry_id = UnicodeAttribute()
    listing_id = UnicodeAttribute()
    lister_org = UnicodeAttribute()
    inquirer_org = UnicodeAttribute()
    created_at = UnicodeAttribute()
    answered = BooleanAttribute(default=False)
    current_deal = UnicodeAttribute(null=True)
    messages = NumberAttribute(default=0)

    @staticmethod
    def key(inquiry_id: str) -> tuple[str, str]:
        return f"MINQ#{inquiry_id}", "INQ"


class MessageItem(TableItem, discriminator="inquiry_message"):
    message_id = UnicodeAttribute()
    inquiry_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    username = UnicodeAttribute()
    text = UnicodeAttribute()
    at = UnicodeAttribute()

    @staticmethod
    def key(inquiry_id: str, at: str, message_id: str) -> tuple[str, str]:
        return f"MINQ#{inquiry_id}", f"MSG#{at}#{message_id}"


class DealItem(TableItem, discriminator="deal"):
    deal_id = UnicodeAttribute()
    inquiry_id = UnicodeAttribute()
    listing_id = UnicodeAttribute()
    seller_org = UnicodeAttribute()
    buyer_org = UnicodeAttribute()
    unit_type = UnicodeAttribute()
    period = UnicodeAttribute(null=True)
    quantity = NumberAttribute()
    price_yen = NumberAttribute()
    status = UnicodeAttribute()
    proposed_by = UnicodeAttribute()
    version = NumberAttribute()
    versions = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    seller_account = UnicodeAttribute(null=True)
    buyer_account = UnicodeAttribute(null=True)
    confirmed_at = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    received_at = UnicodeAttribute(null=True)
    settled_at = UnicodeAttribute(null=True)
    transaction_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(deal_id: str) -> tuple[str, str]:
        return f"MDEAL#{deal_id}", "DEAL"


class SettledItem(TableItem, discriminator="settled_deal"):
    deal_id = UnicodeAttribute()
    settled_on = UnicodeAttribute()
    quantity = NumberAttribute()
    price_yen = NumberAttribute()

    @staticmethod
    def key(settled_on: str, deal_id: str) -> tuple[str, str]:
        return f"MSTAT#{settled_on[:7]}", f"{settled_on}#{deal_id}"


class NotificationItem(TableItem, discriminator="notification"):
    notification_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    text = UnicodeAttribute()
    text_ja = UnicodeAttribute()
    ref_type = UnicodeAttribute()
    ref_id = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, notification_id: str) -> tuple[str, str]:
        return f"MNOTE#{org_id}", f"N#{notification_id}"


class ReadMarkerItem(TableItem, discriminator="notification_read"):
    """One user of the organisation has read one of its notifications (the same item
    however often it is read: no time stamp, so a second read writes nothing new)."""

    notification_id = UnicodeAttribute()
    username = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, username: str, notification_id: str) -> tuple[str, str]:
        return f"MNOTE#{org_id}", f"R#{username}#{notification_id}"


class OutboxItem(TableItem, discriminator="outbox"):
    """A notification still to be e-mailed (deleted once sent)."""

    notification_id = UnicodeAttribute()
    org_id = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, notification_id: str) -> tuple[str, str]:
        return "MOUTBOX", f"{notification_id}#{org_id}"


# --- conversions ---------------------------------------------------------------------------


def _listing(item: ListingItem) -> Listing:
    return Listing(
        listing_id=item.listing_id, org_id=item.org_id, side=item.side, unit_type=item.unit_type, period=item.period,
        quantity=int(item.quantity), open_quantity=int(item.open_quantity), min_lot=int(item.min_lot),
        price_yen=int(item.price_yen), valid_until=item.valid_until, notes=item.notes or "", status=item.status,
        created_at=item.created_at, updated_at=item.updated_at, created_by=item.created_by, version=int(item.version),
    )


def _entry_listing(item: BoardEntryItem) -> Listing:
    return Listing(
        listing_id=item.listing_id, org_id=item.org_id, side=item.side, unit_type=item.unit_type, period=item.period,
        quantity=int(item.quantity), open_quantity=int(item.open_quantity), min_lot=int(item.min_lot),
        price_yen=int(item.price_yen), valid_until=item.valid_until, notes=item.notes or "", status="open",
        created_at=item.created_at, updated_at=item.updated_at, created_by="",
    )


def _listing_item(listing: Listing) -> ListingItem:
    return ListingItem(
        *ListingItem.key(listing.listing_id), listing_id=listing.listing_id, org_id=listing.org_id, side=listing.side,
        unit_type=listing.unit_type, period=listing.period, quantity=listing.quantity, open_quantity=listing.open_quantity,
        min_lot=listing.min_lot, price_yen=listing.price_yen, valid_until=listing.valid_until, notes=listing.notes or None,
        status=listing.status, created_at=listing.created_at, updated_at=listing.updated_at, created_by=listing.created_by,
        version=listing.version,
    )


def _entries(listing: Listing) -> list[BoardEntryItem]:
    return [
        BoardEntryItem(
            pk, sk, listing_id=listing.listing_id, org_id=listing.org_id, side=listing.side, unit_type=listing.unit_type, period=listing.period,
            quantity=listing.quantity, open_quantity=listing.open_quantity, min_lot=listing.min_lot,
            price_yen=listing.price_yen, valid_until=listing.valid_until, notes=listing.notes or None,
            created_at=listing.created_at, updated_at=listing.updated_at,
        )
        for pk, sk in BoardEntryItem.keys(listing)
    ]


def _inquiry(item: InquiryItem) -> Inquiry:
    return Inquiry(item.inquiry_id, item.listing_id, item.lister_org, item.inquirer_org, item.created_at,
                   bool(item.answered), item.current_deal, int(item.messages or 0))


def _deal(item: DealItem) -> Deal:
    versions = tuple(Proposal(**record) for record in json.loads(item.versions))
    return Deal(
        deal_id=item.deal_id, inquiry_id=item.inquiry_id, listing_id=item.listing_id, seller_org=item.seller_org,
        buyer_org=item.buyer_org, unit_type=item.unit_type, period=item.period, quantity=int(item.quantity),
        price_yen=int(item.price_yen), status=item.status, proposed_by=item.proposed_by, version=int(item.version),
        versions=versions, created_at=item.created_at, updated_at=item.updated_at, seller_account=item.seller_account,
        buyer_account=item.buyer_account, confirmed_at=item.confirmed_at, paid_at=item.paid_at,
        received_at=item.received_at, settled_at=item.settled_at, transaction_id=item.transaction_id,
    )


def _deal_item(deal: Deal) -> DealItem:
    return DealItem(
        *DealItem.key(deal.deal_id), deal_id=deal.deal_id, inquiry_id=deal.inquiry_id, listing_id=deal.listing_id,
        seller_org=deal.seller_org, buyer_org=deal.buyer_org, unit_type=deal.unit_type, period=deal.period,
        quantity=deal.quantity, price_yen=deal.price_yen, status=deal.status, proposed_by=deal.proposed_by,
        version=deal.version, versions=json.dumps([p.to_record() for p in deal.versions], ensure_ascii=False),
        created_at=deal.created_at, updated_at=deal.updated_at, seller_account=deal.seller_account,
        buyer_account=deal.buyer_account, confirmed_at=deal.confirmed_at, paid_at=deal.paid_at,
        received_at=deal.received_at, settled_at=deal.settled_at, transaction_id=deal.transaction_id,
    )


def _notification(item: NotificationItem, read: bool = False) -> Notification:
    return Notification(item.notification_id, item.org_id, item.kind, item.text, item.text_ja, item.ref_type, item.ref_id,
                        item.created_at, read)


def notice_writes(notice: Notification) -> list[LinkedWrite]:
    """The notification and its outbox entry (both new)."""
    item = NotificationItem(
        *NotificationItem.key(notice.org_id, notice.notification_id), notification_id=notice.notification_id,
        org_id=notice.org_id, kind=notice.kind, text=notice.text, text_ja=notice.text_ja, ref_type=notice.ref_type,
        ref_id=notice.ref_id, created_at=notice.created_at,
    )
    outbox = OutboxItem(*OutboxItem.key(notice.org_id, notice.notification_id), notification_id=notice.notification_id,
                        org_id=notice.org_id)
    return [LinkedWrite.put("notification", item, NotificationItem.pk.does_not_exist()),
            LinkedWrite.put("outbox", outbox, OutboxItem.pk.does_not_exist())]


def _ref(org_id: str, kind: str, ref_id: str) -> OrgRefItem:
    return OrgRefItem(*OrgRefItem.key(org_id, kind, ref_id), ref_id=ref_id)


class MatchingStore:
    """The notice board on the table."""

    # --- reads ---------------------------------------------------------------------------

    def _get(self, model: Any, *key: str) -> Any:
        try:
            return model.get(*key, consistent_read=True)
        except model.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def _refs(self, org_id: str, kind: str) -> list[str]:
        try:
            return [item.ref_id for item in OrgRefItem.query(f"MORG#{org_id}", OrgRefItem.sk.startswith(f"{kind}#"),
                                                             consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def _batch(self, model: Any, keys: list[tuple[str, str]]) -> list[Any]:
        try:
            return list(model.batch_get(keys, consistent_read=True))
        except (GetError, QueryError) as error:
            raise unavailable(error) from error

    def listing(self, listing_id: str) -> Listing | None:
        item = self._get(ListingItem, *ListingItem.key(listing_id))
        return _listing(item) if item is not None else None

    def listings_of(self, org_id: str) -> list[Listing]:
        items = self._batch(ListingItem, [ListingItem.key(i) for i in self._refs(org_id, "LST")])
        return sorted((_listing(item) for item in items), key=lambda listing: listing.created_at, reverse=True)

    def board_page(self, query: BoardQuery) -> tuple[list[Listing], str | None]:
        prefix = "P#" if query.sort == "price" else "D#"
        if query.after is not None and not query.after.startswith(prefix):
            raise InvalidBoardCursor(field="cursor")
        rows: list[tuple[str, BoardEntryItem]] = []
        more = False
        for side in query.sides:
            for unit_type in query.unit_types:
                found, partial = self._board_partition(BoardEntryItem.partition(side, unit_type), prefix, query)
                rows.extend(found)
                more = more or partial
        rows.sort(key=lambda row: row[0], reverse=query.descending)
        page = rows[: query.limit]
        more = more or len(rows) > query.limit
        next_cursor = page[-1][0] if page and more else None
        return [_entry_listing(item) for _, item in page], next_cursor

    def _board_partition(self, pk: str, prefix: str, query: BoardQuery) -> tuple[list[tuple[str, BoardEntryItem]], bool]:
        """Up to limit + 1 rows after the cursor in one partition (one request unless a price
        range filters a date-ordered query)."""
        key_condition: Any
        if prefix == "P#":
            low = f"P#{query.min_price or 0:08d}"
            high = f"P#{query.max_price or 99_999_999:08d}~"
            key_condition = BoardEntryItem.sk.between(low, high)
            filter_condition = None
        else:
            key_condition = BoardEntryItem.sk.startswith("D#")
            filter_condition = None
            if query.min_price is not None:
                filter_condition = BoardEntryItem.price_yen >= query.min_price
            if query.max_price is not None:
                upper = BoardEntryItem.price_yen <= query.max_price
                filter_condition = upper if filter_condition is None else filter_condition & upper
        start = {"pk": {"S": pk}, "sk": {"S": query.after}} if query.after else None
        wanted = query.limit + 1
        found: list[tuple[str, BoardEntryItem]] = []
        reads = 0
        try:
            while True:
                result = BoardEntryItem.query(
                    pk, key_condition, filter_condition=filter_condition, scan_index_forward=not query.descending,
                    limit=wanted - len(found), page_size=wanted - len(found) if filter_condition is None else wanted,
                    last_evaluated_key=start, consistent_read=True,
                )
                found.extend((item.sk, item) for item in result)
                reads += 1
                start = result.last_evaluated_key
                if start is None or len(found) >= wanted:
                    return found, False
                if reads >= FILTERED_READS:
                    return found, True
        except QueryError as error:
            raise unavailable(error) from error

    def expiring_before(self, day: str, limit: int) -> list[str]:
        try:
            return [item.listing_id for item in ExpiryItem.query("MEXP", ExpiryItem.sk < day, limit=limit, page_size=limit,
                                                                 consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def inquiry(self, inquiry_id: str) -> Inquiry | None:
        item = self._get(InquiryItem, *InquiryItem.key(inquiry_id))
        return _inquiry(item) if item is not None else None

    def inquiries_of(self, org_id: str) -> list[Inquiry]:
        items = self._batch(InquiryItem, [InquiryItem.key(i) for i in self._refs(org_id, "INQ")])
        return sorted((_inquiry(item) for item in items), key=lambda inquiry: inquiry.created_at, reverse=True)

    def messages(self, inquiry_id: str) -> list[Message]:
        try:
            return [Message(item.message_id, item.inquiry_id, item.org_id, item.username, item.text, item.at)
                    for item in MessageItem.query(f"MINQ#{inquiry_id}", MessageItem.sk.startswith("MSG#"), consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def deal(self, deal_id: str) -> Deal | None:
        item = self._get(DealItem, *DealItem.key(deal_id))
        return _deal(item) if item is not None else None

    def deals_of(self, org_id: str) -> list[Deal]:
        items = self._batch(DealItem, [DealItem.key(i) for i in self._refs(org_id, "DEAL")])
        return sorted((_deal(item) for item in items), key=lambda deal: deal.created_at, reverse=True)

    def settled_trades(self, start: date, end: date) -> list[SettledTrade]:
        trades: list[SettledTrade] = []
        month = date(start.year, start.month, 1)
        try:
            while month <= end:
                for item in SettledItem.query(f"MSTAT#{month.isoformat()[:7]}",
                                              SettledItem.sk.between(start.isoformat(), f"{end.isoformat()}~")):
                    trades.append(SettledTrade(item.deal_id, date.fromisoformat(item.settled_on), int(item.quantity),
                                               int(item.price_yen)))
                month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        except QueryError as error:
            raise unavailable(error) from error
        return trades

    def notifications(self, org_id: str, username: str, limit: int) -> list[Notification]:
        """One query for the latest ``limit``, one BatchGetItem for the user's markers of
        exactly those (none when there are none)."""
        try:
            items = list(NotificationItem.query(f"MNOTE#{org_id}", NotificationItem.sk.startswith("N#"),
                                                scan_index_forward=False, limit=limit, page_size=limit))
        except QueryError as error:
            raise unavailable(error) from error
        markers = self._batch(ReadMarkerItem, [ReadMarkerItem.key(org_id, username, item.notification_id) for item in items])
        read = {marker.notification_id for marker in markers}
        return [_notification(item, item.notification_id in read) for item in items]

    def unsent(self, limit: int) -> list[Notification]:
        try:
            pending = list(OutboxItem.query("MOUTBOX", limit=limit, page_size=limit, consistent_read=True))
        except QueryError as error:
            raise unavailable(error) from error
        items = self._batch(NotificationItem, [NotificationItem.key(p.org_id, p.notification_id) for p in pending])
        return sorted((_notification(item) for item in items), key=lambda n: n.notification_id)

    # --- writes ----------------------------------------------------------------------------

    def post_listing(self, listing: Listing) -> None:
        writes = [LinkedWrite.put("listing", _listing_item(listing), ListingItem.pk.does_not_exist()),
                  LinkedWrite.put("ref", _ref(listing.org_id, "LST", listing.listing_id)),
                  LinkedWrite.put("expiry", ExpiryItem(*ExpiryItem.key(listing), listing_id=listing.listing_id))]
        writes += [LinkedWrite.put("board", entry) for entry in _entries(listing)]
        transact(writes)

    def change_listing(self, before: Listing, after: Listing) -> None:
        """A PATCH: conditioned on the listing as read (its version and open quantity), so
        a confirmation in between makes it read again."""
        condition = ((ListingItem.version == before.version) & (ListingItem.open_quantity == before.open_quantity)
                     & (ListingItem.status == "open"))
        writes = [LinkedWrite.put("listing", _listing_item(after), condition)]
        old_keys = set(BoardEntryItem.keys(before))
        new_keys = set(BoardEntryItem.keys(after))
        writes += [LinkedWrite.delete("board", BoardEntryItem(pk, sk)) for pk, sk in old_keys - new_keys]
        writes += [LinkedWrite.put("board", entry) for entry in _entries(after)]
        if before.valid_until != after.valid_until:
            writes.append(LinkedWrite.delete("expiry", ExpiryItem(*ExpiryItem.key(before))))
            writes.append(LinkedWrite.put("expiry", ExpiryItem(*ExpiryItem.key(after), listing_id=after.listing_id)))
        transact(writes)

    def close_listing(self, before: Listing, status: str, now: str, today: str | None = None) -> None:
        """Withdraw, expire or mark filled: off the board in the same transaction."""
        condition = (ListingItem.status == "open") & (ListingItem.version == before.version)
        if today is not None:  # expiry: only if still past its validity
            condition = condition & (ListingItem.valid_until < today)
        if status == "filled":
            condition = condition & (ListingItem.open_quantity == 0)
        writes = [LinkedWrite.update("listing", ListingItem(*ListingItem.key(before.listing_id)),
                                     [ListingItem.status.set(status), ListingItem.updated_at.set(now),
                                      ListingItem.version.add(1)], condition)]
        writes += [LinkedWrite.delete("board", BoardEntryItem(pk, sk)) for pk, sk in BoardEntryItem.keys(before)]
        writes.append(LinkedWrite.delete("expiry", ExpiryItem(*ExpiryItem.key(before))))
        transact(writes)

    def refresh_filled(self, listing: Listing, now: str) -> None:
        self.close_listing(listing, "filled", now)

    def open_inquiry(self, inquiry: Inquiry, first: Message, listing: Listing, today: str, notice: Notification) -> None:
        item = InquiryItem(*InquiryItem.key(inquiry.inquiry_id), inquiry_id=inquiry.inquiry_id, listing_id=inquiry.listing_id,
                           lister_org=inquiry.lister_org, inquirer_org=inquiry.inquirer_org, created_at=inquiry.created_at,
                           answered=False, messages=1)
        writes = [
            LinkedWrite.put("inquiry", item, InquiryItem.pk.does_not_exist()),
            LinkedWrite.check("listing", ListingItem, *ListingItem.key(listing.listing_id),
                              (ListingItem.status == "open") & (ListingItem.valid_until >= today)),
            LinkedWrite.put("message", self._message_item(first)),
            LinkedWrite.put("ref", _ref(inquiry.lister_org, "INQ", inquiry.inquiry_id)),
            LinkedWrite.put("ref", _ref(inquiry.inquirer_org, "INQ", inquiry.inquiry_id)),
            *notice_writes(notice),
        ]
        transact(writes)

    @staticmethod
    def _message_item(message: Message) -> MessageItem:
        return MessageItem(*MessageItem.key(message.inquiry_id, message.at, message.message_id), message_id=message.message_id,
                           inquiry_id=message.inquiry_id, org_id=message.org_id, username=message.username, text=message.text,
                           at=message.at)

    def add_message(self, inquiry: Inquiry, message: Message, answers: bool, notice: Notification) -> None:
        actions: list[Any] = [InquiryItem.messages.add(1)]
        if answers:
            actions.append(InquiryItem.answered.set(True))
        writes = [
            LinkedWrite.update("inquiry", InquiryItem(*InquiryItem.key(inquiry.inquiry_id)), actions, InquiryItem.pk.exists()),
            LinkedWrite.put("message", self._message_item(message), MessageItem.pk.does_not_exist()),
            *notice_writes(notice),
        ]
        transact(writes)

    def propose(self, inquiry: Inquiry, before: Deal | None, after: Deal, listing: Listing, today: str,
                notice: Notification, answers: bool = False) -> None:
        """A new deal (the thread had none pending) or the next version of the pending one."""
        inquiry_key = InquiryItem(*InquiryItem.key(inquiry.inquiry_id))
        answered: list[Any] = [InquiryItem.answered.set(True)] if answers else []
        if before is None:
            writes = [
                LinkedWrite.put("deal", _deal_item(after), DealItem.pk.does_not_exist()),
                LinkedWrite.update("inquiry", inquiry_key, [InquiryItem.current_deal.set(after.deal_id), *answered],
                                   InquiryItem.current_deal.does_not_exist()),
                LinkedWrite.put("ref", _ref(after.seller_org, "DEAL", after.deal_id)),
                LinkedWrite.put("ref", _ref(after.buyer_org, "DEAL", after.deal_id)),
            ]
        else:
            writes = [
                LinkedWrite.put("deal", _deal_item(after), (DealItem.status == "proposed") & (DealItem.version == before.version)),
            ]
            if answers:
                writes.append(LinkedWrite.update("inquiry", inquiry_key, answered, InquiryItem.pk.exists()))
        writes.append(LinkedWrite.check("listing", ListingItem, *ListingItem.key(listing.listing_id),
                                        (ListingItem.status == "open") & (ListingItem.valid_until >= today)
                                        & (ListingItem.open_quantity >= after.quantity)))
        writes += notice_writes(notice)
        transact(writes)

    def decide(self, before: Deal, after: Deal, inquiry: Inquiry, listing: Listing | None, today: str,
               notice: Notification, answers: bool = False) -> None:
        """Confirm (the listing's open quantity taken, only if enough is open) or decline;
        either way the thread may start a new proposal."""
        writes = [
            LinkedWrite.put("deal", _deal_item(after), (DealItem.status == "proposed") & (DealItem.version == before.version)),
            LinkedWrite.update("inquiry", InquiryItem(*InquiryItem.key(inquiry.inquiry_id)),
                               [InquiryItem.current_deal.remove(), *([InquiryItem.answered.set(True)] if answers else [])],
                               InquiryItem.current_deal == before.deal_id),
        ]
        if listing is not None:
            quantity = after.quantity
            writes.append(LinkedWrite.update(
                "open_quantity", ListingItem(*ListingItem.key(listing.listing_id)), [ListingItem.open_quantity.add(-quantity)],
                (ListingItem.status == "open") & (ListingItem.valid_until >= today) & (ListingItem.open_quantity >= quantity)))
            writes += [LinkedWrite.update("board", BoardEntryItem(pk, sk), [BoardEntryItem.open_quantity.add(-quantity)],
                                          BoardEntryItem.pk.exists())
                       for pk, sk in BoardEntryItem.keys(listing)]
        writes += notice_writes(notice)
        transact(writes)

    def step(self, before: Deal, after: Deal, notice: Notification) -> None:
        writes = [LinkedWrite.put("deal", _deal_item(after), (DealItem.status == before.status) & (DealItem.version == before.version)),
                  *notice_writes(notice)]
        transact(writes)

    def settlement_writes(self, deal: Deal, *, amount: int, receiver: str, sender_org: str, unit_type: str,
                          transaction_id: str, settled_at: str, notices: list[Notification]) -> tuple[Any, ...]:
        """What a transfer adds to its own transaction to settle the deal: the deal marked
        settled only if paid and received and not settled, for the quantity, unit type,
        seller and buyer's account it names; the settled row for the statistics; the
        notifications."""
        condition = ((DealItem.status == "received") & (DealItem.quantity == amount) & (DealItem.buyer_account == receiver)
                     & (DealItem.seller_org == sender_org) & (DealItem.unit_type == unit_type))
        day = settled_at[:10]
        writes = [
            LinkedWrite.update(f"deal:{deal.deal_id}", DealItem(*DealItem.key(deal.deal_id)),
                               [DealItem.status.set("settled"), DealItem.settled_at.set(settled_at),
                                DealItem.transaction_id.set(transaction_id), DealItem.updated_at.set(settled_at)], condition),
            LinkedWrite.put("settled", SettledItem(*SettledItem.key(day, deal.deal_id), deal_id=deal.deal_id, settled_on=day,
                                                   quantity=deal.quantity, price_yen=deal.price_yen)),
        ]
        for notice in notices:
            writes += notice_writes(notice)
        return tuple(writes)

    def mark_read(self, org_id: str, username: str, notification_id: str) -> Notification | None:
        """ONE transaction: the organisation's notification exists (checked) and the user's
        marker is put (unconditionally, so reading twice writes the same and answers the
        same); then the notification is read back to answer it. A cancellation by a
        transaction in flight is raised as ``CommitFailed`` (the caller retries)."""
        marker = ReadMarkerItem(*ReadMarkerItem.key(org_id, username, notification_id), notification_id=notification_id,
                                username=username)
        try:
            transact([LinkedWrite.check("notification", NotificationItem, *NotificationItem.key(org_id, notification_id),
                                        NotificationItem.pk.exists()),
                      LinkedWrite.put("read", marker)])
        except CommitFailed as failed:
            if "notification" in failed.failed:
                return None
            raise
        item = self._get(NotificationItem, *NotificationItem.key(org_id, notification_id))
        return _notification(item, read=True) if item is not None else None

    def mark_sent(self, notification: Notification) -> None:
        try:
            OutboxItem(*OutboxItem.key(notification.org_id, notification.notification_id)).delete()
        except DeleteError as error:
            raise unavailable(error) from error


def batch_put(items: Iterable[TableItem]) -> None:
    """Seed items in batches (demo history and the bench), outside any transaction."""
    listed = list(items)
    if not listed:
        return
    by_model: dict[type[TableItem], list[TableItem]] = {}
    for item in listed:
        by_model.setdefault(type(item), []).append(item)
    try:
        for model, group in by_model.items():
            with model.batch_write() as batch:
                for item in group:
                    batch.save(item)
    except PutError as error:
        raise unavailable(error) from error


def seeded_settlement(deal: Deal) -> list[TableItem]:
    """A historical settled deal as items (demo data): the deal, its refs and its statistics row."""
    day = (deal.settled_at or "")[:10]
    return [_deal_item(deal), _ref(deal.seller_org, "DEAL", deal.deal_id), _ref(deal.buyer_org, "DEAL", deal.deal_id),
            SettledItem(*SettledItem.key(day, deal.deal_id), deal_id=deal.deal_id, settled_on=day, quantity=deal.quantity,
                        price_yen=deal.price_yen)]


def seeded_listing(listing: Listing) -> list[TableItem]:
    """An open listing as items (the bench's large board)."""
    return [_listing_item(listing), _ref(listing.org_id, "LST", listing.listing_id),
            ExpiryItem(*ExpiryItem.key(listing), listing_id=listing.listing_id), *_entries(listing)]


def seeded_notification(notice: Notification, read_by: Iterable[str] = ()) -> list[TableItem]:
    """A notification (already e-mailed: no outbox entry) and the markers of the users who
    read it, as items (the bench's long-read history)."""
    item = NotificationItem(*NotificationItem.key(notice.org_id, notice.notification_id), notification_id=notice.notification_id,
                            org_id=notice.org_id, kind=notice.kind, text=notice.text, text_ja=notice.text_ja,
                            ref_type=notice.ref_type, ref_id=notice.ref_id, created_at=notice.created_at)
    return [item, *(ReadMarkerItem(*ReadMarkerItem.key(notice.org_id, username, notice.notification_id),
                                   notification_id=notice.notification_id, username=username) for username in read_by)]


# --- e-mail ------------------------------------------------------------------------------------


class SesMailer:
    """Notifications by e-mail through SES (in AWS; the sender address is a verified identity)."""

    def __init__(self, client: Any, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, to: list[str], subject: str, body: str) -> None:
        self.client.send_email(
            Source=self.sender, Destination={"ToAddresses": to},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
        )


class LogMailer:
    """The local stack's mailer: the e-mail is logged, not sent."""

    def __init__(self, log: Any) -> None:
        self.log = log

    def send(self, to: list[str], subject: str, body: str) -> None:
        self.log.info("notification e-mail (local: logged, not sent)", extra={"to": to, "subject": subject, "body": body})


class CognitoRecipients:
    """The e-mail addresses of an organisation's users (the pool's users whose
    ``custom:org_id`` is the organisation), read once per sending run."""

    def __init__(self, client: Any, user_pool_id: str) -> None:
        self.client = client
        self.user_pool_id = user_pool_id
        self._by_org: dict[str, list[str]] | None = None

    def emails_of(self, org_id: str) -> list[str]:
        if self._by_org is None:
            by_org: dict[str, list[str]] = {}
            for page in self.client.get_paginator("list_users").paginate(UserPoolId=self.user_pool_id):
                for user in page["Users"]:
                    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                    if attributes.get("email") and user.get("Enabled", True):
                        by_org.setdefault(attributes.get("custom:org_id", ""), []).append(attributes["email"])
            self._by_org = by_org
        return sorted(self._by_org.get(org_id, []))
