"""The ledger's DynamoDB adapter: reads of holdings, history and transactions, and
the one conditional ``TransactWriteItems`` that every movement of units is.

Conditions of a movement (each named where it is added):
- the market is open at the instant of the transfer (transfers only), on the copy of the
  market item the sender hashes to (``MarketCopies``);
- each block leaving the sender still has the version read (so nobody moved or split
  it meanwhile) and still belongs to the sender;
- each block reaching the receiver, each history row and the transaction record do
  not exist yet (the record's id derives from the Idempotency-Key, so a retry cannot
  write twice);
- the chain owner's account (the sender; the receiver of an issuance) still has the
  version read (its chain head is what the new link hashes over), is open, and the
  sender keeps its commitment reserve (``transferable >= amount``; condition expressions
  cannot subtract, so the derived ``transferable`` is kept in the same writes);
- a receiving account is open; it is otherwise added to atomically, with no version
  condition, so a busy receiver is never a lock (``domain.movements``);
- the serial counter still has the value read (issuance);
- a corrected transaction is not corrected yet.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import GetError, QueryError, ScanError, TransactGetError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactGet, TransactWrite

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.settings import get_settings
from chalicelib.core.table import SENDING_ORDER, LinkedWrite, TableItem, cancellation, transaction_connection
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.adapters.accounts import account_from_item
from chalicelib.registry.adapters.models import (
    AccountItem,
    BlockItem,
    CounterItem,
    DayTotalItem,
    HistoryItem,
    MarketItem,
    TransactionItem,
    read_counter,
)
from chalicelib.registry.domain.accounts import Account
from chalicelib.registry.domain.blocks import Block
from chalicelib.registry.domain.calendar import MarketState
from chalicelib.registry.domain.errors import InvalidCursor
from chalicelib.registry.domain.invariants import Snapshot
from chalicelib.registry.domain.movements import Movement

#: Sort keys below this are the account item and its blocks; history rows start at "H#".
_HOLDINGS_UPPER = "C"




def block_from_item(item: BlockItem) -> Block:
    return Block(
        block_id=item.block_id,
        unit_type=item.unit_type,
        issued_period=item.issued_period,
        adopted_period=item.adopted_period,
        project=item.project or "",
        serial_start=int(item.serial_start),
        serial_end=int(item.serial_end),
        origin=item.origin,
        version=int(item.version or 0),
    )


def _block_item(owner: str, block: Block, acquired_by: str) -> BlockItem:
    return BlockItem(
        *BlockItem.key(owner, block),
        block_id=block.block_id,
        owner=owner,
        origin=block.origin,
        unit_type=block.unit_type,
        issued_period=block.issued_period,
        adopted_period=block.adopted_period,
        project=block.project,
        serial_start=block.serial_start,
        serial_end=block.serial_end,
        amount=block.amount,
        version=block.version,
        acquired_by=acquired_by,
    )


def history_view(item: HistoryItem) -> dict[str, Any]:
    return {
        "id": item.transaction_id,
        "date": item.date,
        "created_at": item.created_at,
        "type": item.kind,
        "status": item.status,
        "from_account": item.from_account or None,
        "from_name": item.from_name or None,
        "from_name_ja": item.from_name_ja or None,
        "to_account": item.to_account or None,
        "to_name": item.to_name or None,
        "to_name_ja": item.to_name_ja or None,
        "in": int(item.amount_in),
        "out": int(item.amount_out),
        "correction": bool(item.correction),
        "deal_ref": item.deal_ref,
    }


def _encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (ValueError, UnicodeError) as error:
        raise InvalidCursor(field="cursor") from error
    if not value.startswith("H#") or len(value) > 120:
        raise InvalidCursor(field="cursor")
    return value


def market_copy(sender: str, copies: int) -> int:
    """The copy of the market item a sender's transfers check (a stable hash)."""
    return zlib.crc32(sender.encode()) % copies


def _market_item(state: MarketState, copy: int) -> MarketItem:
    return MarketItem(*MarketItem.key(copy), mode=state.mode, status=state.status, closes_at=state.closes_at,
                      reason=state.reason, updated_at=state.updated_at)


def _market_state(item: MarketItem) -> MarketState:
    return MarketState(item.mode, item.status, item.closes_at or "", item.reason or "", item.updated_at)


class LedgerStore:
    def __init__(self, copies: int | None = None) -> None:
        #: How many copies of the market item there are (settings: MARKET_COPIES).
        self.copies = copies or get_settings().market_copies

    # --- blocks, read as far as a movement needs ----------------------------------------

    def block_page(self, number: str, prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Block], str | None]:
        """``limit`` blocks at most whose position starts with ``prefix``, after the
        position ``after``, in position order (one strongly consistent Query); and the
        position to continue after, or ``None`` when no block is left."""
        start = None
        if after is not None:
            start = {"pk": {"S": f"ACCT#{number}"}, "sk": {"S": f"BLK#{after}"}}
        try:
            result = BlockItem.query(
                f"ACCT#{number}", BlockItem.sk.startswith(BlockItem.prefix(prefix)), consistent_read=True,
                limit=limit, page_size=limit, last_evaluated_key=start,
            )
            blocks = [block_from_item(item) for item in result]
            last_key = result.last_evaluated_key
        except QueryError as error:
            raise ServiceUnavailable(details=[{"cause": "QueryError"}]) from error
        # A full page may be followed by an empty one: the next read says so.
        return blocks, (last_key["sk"]["S"].removeprefix("BLK#") if last_key and len(blocks) == limit else None)

    def blocks_held(self, number: str, wanted: list[Block]) -> list[Block]:
        """Those of ``wanted`` (keyed by their position) that ``number`` holds, as stored
        now (a strongly consistent BatchGetItem of exactly those items)."""
        try:
            items = BlockItem.batch_get([BlockItem.key(number, block) for block in wanted], consistent_read=True)
            return [block_from_item(item) for item in items]
        except GetError as error:
            raise ServiceUnavailable(details=[{"cause": "GetError"}]) from error

    # --- reads -------------------------------------------------------------------------

    # --- reads -------------------------------------------------------------------

    def holdings(self, number: str) -> tuple[Account | None, list[Block]]:
        """The account and every block it holds: one strongly consistent query (whose
        cost grows with the holdings: movements and the balance view page instead)."""
        account: Account | None = None
        blocks: list[Block] = []
        try:
            for item in TableItem.query(
                f"ACCT#{number}", TableItem.sk < _HOLDINGS_UPPER, consistent_read=True
            ):
                if isinstance(item, AccountItem):
                    account = account_from_item(item)
                elif isinstance(item, BlockItem):
                    blocks.append(block_from_item(item))
        except QueryError as error:
            raise ServiceUnavailable(details=[{"cause": "QueryError"}]) from error
        return account, blocks

    def counter(self, name: str) -> int:
        return read_counter(name)

    def transaction(self, transaction_id: str) -> TransactionItem | None:
        try:
            return TransactionItem.get(*TransactionItem.key(transaction_id), consistent_read=True)
        except TransactionItem.DoesNotExist:
            return None
        except GetError as error:
            raise ServiceUnavailable(details=[{"cause": "GetError"}]) from error

    def history_page(
        self, number: str, first: str, last: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of history rows with ``first <= created_at <= last`` (ISO, JST)."""
        lower, upper = f"H#{first}", f"H#{last}~"
        start = None
        if cursor:
            after = _decode_cursor(cursor)
            if not lower <= after <= upper:
                raise InvalidCursor(field="cursor")
            start = {"pk": {"S": f"ACCT#{number}"}, "sk": {"S": after}}
        try:
            result = TableItem.query(
                f"ACCT#{number}",
                TableItem.sk.between(lower, upper),
                limit=limit,
                last_evaluated_key=start,
                page_size=limit,
            )
            items = [history_view(item) for item in result if isinstance(item, HistoryItem)]
            last_key = result.last_evaluated_key
        except QueryError as error:
            raise ServiceUnavailable(details=[{"cause": "QueryError"}]) from error
        next_cursor = _encode_cursor(last_key["sk"]["S"]) if last_key and len(items) == limit else None
        return items, next_cursor

    def day_totals(self, number: str, first: str, last: str) -> tuple[int, int]:
        """(units in, units out) of the days ``first`` to ``last`` (ISO dates): one query
        of the account's day totals in the range (at most one item a day)."""
        total_in = total_out = 0
        try:
            for item in DayTotalItem.query(f"ACCT#{number}", DayTotalItem.sk.between(f"DAY#{first}", f"DAY#{last}"),
                                           consistent_read=True):
                total_in += int(item.amount_in or 0)
                total_out += int(item.amount_out or 0)
        except QueryError as error:
            raise ServiceUnavailable(details=[{"cause": "QueryError"}]) from error
        return total_in, total_out

    def market(self) -> MarketState:
        """The window as every copy says it (one TransactGetItems of all copies); when
        they differ, the most restrictive (a missing copy counts as closed)."""
        states = [_market_state(item) if item is not None else MarketState() for item in self._copies_now()]
        if all(state == states[0] for state in states):
            return states[0]
        closed = [state for state in states if state.status != "open"]
        return closed[0] if closed else min(states, key=lambda state: state.closes_at)

    def put_market(self, state: MarketState, expected_mode: str | None = None) -> bool:
        """Write ``state`` to every copy in ONE transaction, unless every copy already
        holds it (so repeated runs write nothing); with ``expected_mode``, only if every
        copy still has that mode (the scheduler never undoes a halt made after its read).
        Answers whether it wrote.

        The copies exist so that transfers of different senders do not all contend on
        one item (DynamoDB cancels one of two transactions in flight on the same item and
        charges a transactional check as a write on it): a transfer checks the copy its
        sender hashes to (``market_copy``). "No transfer completes outside the window"
        still holds under any race:

        - every change of the window (the scheduler's ``sync_window``, the
          administrator's halt / resume / force) writes ALL copies in this ONE
          ``TransactWriteItems``. DynamoDB transactions are serializable, so each
          transfer's transaction is ordered entirely before this write (it saw its
          copy's old state, which was every copy's state) or entirely after (it sees the
          new state on its copy): there is no instant at which one copy says halted and
          another still open;
        - the copies are read with ONE ``TransactGetItems`` (``market``), serializable
          with these writes too, so a read never mixes two states; should the copies
          ever differ (more copies configured than written yet) the view is the most
          restrictive one, and a copy that does not exist refuses every transfer (its
          condition finds no status);
        - a transfer's condition also bounds its instant by its copy's ``closes_at``, so
          a window that closes on time refuses later transfers with no write at all.
        """
        current = self._copies_now()
        target = (state.mode, state.status, state.closes_at, state.reason)
        if all(item is not None and (item.mode, item.status, item.closes_at or "", item.reason or "") == target
               for item in current):
            return False
        if expected_mode is not None and any((item.mode if item else "auto") != expected_mode for item in current):
            return False
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                for copy, item in enumerate(current):
                    condition: Condition | None = None
                    if expected_mode is not None:
                        condition = MarketItem.pk.does_not_exist() if item is None else MarketItem.mode == expected_mode
                    tx.save(_market_item(state, copy), condition=condition)
        except TransactWriteError as error:
            failed = cancellation(error, {"condition_check": [], "delete": [], "save": [str(c) for c in range(self.copies)],
                                          "update": []})
            if isinstance(failed, CommitFailed):
                return False  # someone changed the mode meanwhile: theirs stands
            raise failed from error
        return True

    def _copies_now(self) -> list[MarketItem | None]:
        try:
            with TransactGet(connection=transaction_connection()) as tx:
                futures = [tx.get(MarketItem, *MarketItem.key(copy)) for copy in range(self.copies)]
        except TransactGetError as error:
            raise ServiceUnavailable(details=[{"cause": "TransactGetError"}]) from error
        items: list[MarketItem | None] = []
        for future in futures:
            try:
                items.append(future.get())
            except MarketItem.DoesNotExist:
                items.append(None)
        return items

    def scan(self) -> Iterator[TableItem]:
        """Every item of the table (the audit reads the whole ledger)."""
        try:
            yield from TableItem.scan(consistent_read=True)
        except ScanError as error:
            raise ServiceUnavailable(details=[{"cause": "ScanError"}]) from error

    def snapshot(self) -> Snapshot:
        """The whole ledger as plain values, for the invariant checks."""
        snap = Snapshot()
        for item in self.scan():
            if isinstance(item, AccountItem):
                snap.accounts[item.number] = {
                    "type": int(item.account_type),
                    "balance": int(item.balance),
                    "transferable": int(item.transferable),
                    "commitment_reserve": int(item.commitment_reserve),
                    "last_hash": item.last_hash,
                    "seq": int(item.seq or 0),
                    "cum_in": int(item.cum_in or 0),
                    "cum_out": int(item.cum_out or 0),
                    "in_count": int(item.in_count or 0),
                }
            elif isinstance(item, BlockItem):
                snap.blocks.append(
                    {
                        "owner": item.owner,
                        "partition": item.pk.removeprefix("ACCT#"),
                        "block_id": item.block_id,
                        "origin": item.origin,
                        "unit_type": item.unit_type,
                        "issued_period": item.issued_period,
                        "serial_start": int(item.serial_start),
                        "serial_end": int(item.serial_end),
                        "amount": int(item.amount),
                    }
                )
            elif isinstance(item, TransactionItem):
                snap.transactions[item.transaction_id] = {"core": json.loads(item.core), "chain": json.loads(item.chain)}
            elif isinstance(item, CounterItem):
                snap.counters[item.sk] = int(item.value)
            elif isinstance(item, HistoryItem):
                number = item.pk.removeprefix("ACCT#")
                snap.history_rows[number] = snap.history_rows.get(number, 0) + 1
            elif isinstance(item, DayTotalItem):
                number = item.pk.removeprefix("ACCT#")
                day_in, day_out = snap.day_totals.get(number, (0, 0))
                snap.day_totals[number] = (day_in + int(item.amount_in or 0), day_out + int(item.amount_out or 0))
        return snap

    # --- the one write -----------------------------------------------------------

    def commit(self, movement: Movement, linked: tuple[LinkedWrite, ...] = ()) -> None:
        """Write the movement, and the writes another system linked to it, as ONE
        TransactWriteItems, or nothing at all."""
        # Labels in PynamoDB's sending order: condition checks, deletes, puts, updates.
        labels: dict[str, list[str]] = {kind: [] for kind in SENDING_ORDER}
        checks, deletes, puts, updates = (labels[kind] for kind in SENDING_ORDER)
        try:
            with TransactWrite(
                connection=transaction_connection(), client_request_token=movement.transaction_id
            ) as tx:
                if movement.market_open_at is not None:
                    # Transfers happen only while the window is open, until its close.
                    tx.condition_check(
                        MarketItem,
                        *MarketItem.key(market_copy(movement.sender or "", self.copies)),
                        condition=(MarketItem.status == "open") & (MarketItem.closes_at > movement.market_open_at),
                    )
                    checks.append("market")
                sender = movement.sender or ""  # only movements with a sender take blocks
                for take in movement.takes:
                    source = BlockItem(*BlockItem.key(sender, take.block))
                    # The block is still as we read it: same version, same owner.
                    unchanged = (BlockItem.version == take.block.version) & (BlockItem.owner == sender)
                    remainder = take.remainder()
                    if remainder is None:
                        tx.delete(source, condition=unchanged)
                        deletes.append(f"block:{take.block.block_id}")
                    else:
                        tx.update(
                            source,
                            actions=[
                                BlockItem.serial_start.set(remainder.serial_start),
                                BlockItem.amount.set(remainder.amount),
                                BlockItem.version.set(remainder.version),
                            ],
                            condition=unchanged,
                        )
                        updates.append(f"block:{take.block.block_id}")
                for block in movement.moved_blocks if movement.takes else ():
                    # A block arriving never overwrites one already there.
                    tx.save(_block_item(movement.receiver, block, movement.transaction_id), condition=BlockItem.pk.does_not_exist())
                    puts.append(f"arrive:{block.block_id}")
                for block in movement.created_blocks:
                    tx.save(_block_item(movement.receiver, block, movement.transaction_id), condition=BlockItem.pk.does_not_exist())
                    puts.append(f"create:{block.block_id}")
                for change in movement.changes:
                    entry = change.history
                    tx.save(
                        HistoryItem(
                            *HistoryItem.key(entry.account, entry.created_at, entry.transaction_id),
                            transaction_id=entry.transaction_id,
                            created_at=entry.created_at,
                            date=entry.date,
                            kind=entry.kind,
                            status=entry.status,
                            from_account=entry.from_account,
                            from_name=entry.from_name,
                            from_name_ja=entry.from_name_ja,
                            to_account=entry.to_account,
                            to_name=entry.to_name,
                            to_name_ja=entry.to_name_ja,
                            amount_in=entry.amount_in,
                            amount_out=entry.amount_out,
                            correction=entry.correction,
                            seq=entry.seq,
                            deal_ref=entry.deal_ref,
                        ),
                        condition=HistoryItem.pk.does_not_exist(),
                    )
                    puts.append(f"history:{entry.account}")
                tx.save(
                    TransactionItem(
                        *TransactionItem.key(movement.transaction_id),
                        transaction_id=movement.transaction_id,
                        kind=movement.kind,
                        status="completed",
                        created_at=movement.created_at,
                        core=json.dumps(movement.core, ensure_ascii=False, sort_keys=True),
                        chain=json.dumps(movement.chain, sort_keys=True),
                        fingerprint=movement.fingerprint,
                        initiated_by=movement.initiated_by,
                        initiator_org=movement.initiator_org,
                        idempotency_key=movement.idempotency_key,
                    ),
                    # Create-only: the same Idempotency-Key can never write twice.
                    condition=TransactionItem.pk.does_not_exist(),
                )
                puts.append("transaction")
                for change in movement.changes:
                    account = change.before
                    actions: list[Action]
                    if change.owner and change.new_hash is not None and change.new_seq is not None:
                        # The owner is as we read it (chain head, blocks, reserve), and open.
                        condition = (AccountItem.version == account.version) & (AccountItem.status == "open")
                        if change.require_transferable is not None:
                            # The sender keeps at least its commitment reserve.
                            condition &= AccountItem.transferable >= change.require_transferable
                        actions = [
                            AccountItem.balance.add(change.delta),
                            AccountItem.transferable.add(change.delta),
                            AccountItem.cum_in.add(change.amount_in),
                            AccountItem.cum_out.add(change.amount_out),
                            AccountItem.version.add(1),
                            AccountItem.last_hash.set(change.new_hash),
                            AccountItem.seq.set(change.new_seq),
                        ]
                    else:
                        # A receipt: atomic additions to an open account, never a lock on it.
                        condition = AccountItem.status == "open"
                        actions = [
                            AccountItem.balance.add(change.delta),
                            AccountItem.transferable.add(change.delta),
                            AccountItem.cum_in.add(change.amount_in),
                            AccountItem.in_count.add(1),
                        ]
                    tx.update(AccountItem(*AccountItem.key(account.number)), actions=actions, condition=condition)
                    updates.append(f"account:{account.number}")
                for change in movement.changes:
                    # The day's totals: additions with no condition (a period's totals are a sum of days).
                    tx.update(
                        DayTotalItem(*DayTotalItem.key(change.before.number, change.history.date)),
                        actions=[DayTotalItem.amount_in.add(change.amount_in), DayTotalItem.amount_out.add(change.amount_out),
                                 DayTotalItem.item_type.set(DayTotalItem)],
                    )
                    updates.append(f"day:{change.before.number}")
                if movement.counter is not None:
                    name, read, written = movement.counter
                    # Serials advance only from the value read: no serial is issued twice.
                    expected = (CounterItem.value == read) if read else CounterItem.pk.does_not_exist()
                    tx.update(CounterItem(*CounterItem.key(name)), actions=CounterItem.advance_to(written), condition=expected)
                    updates.append("counter")
                if movement.corrects is not None:
                    # A transaction is corrected once.
                    tx.update(
                        TransactionItem(*TransactionItem.key(movement.corrects)),
                        actions=[TransactionItem.corrected_by.set(movement.transaction_id)],
                        condition=TransactionItem.pk.exists() & TransactionItem.corrected_by.does_not_exist(),
                    )
                    updates.append("corrects")
                for write in linked:
                    # Another system's own condition and write, in the same transaction.
                    write.add_to(tx)
                    labels[write.kind].append(write.label)
        except TransactWriteError as error:
            raise cancellation(error, labels) from error
