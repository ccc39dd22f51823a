"""The ledger's DynamoDB adapter: reads of holdings, history and transactions, and
the one conditional ``TransactWriteItems`` that every movement of units is.

Conditions of a movement (each named where it is added):
- the market is open at the instant of the transfer (transfers only);
- each block leaving the sender still has the version read (so nobody moved or split
  it meanwhile) and still belongs to the sender;
- each block reaching the receiver, each history row and the transaction record do
  not exist yet (the record's id derives from the Idempotency-Key, so a retry cannot
  write twice);
- each account still has the version read (its hash chain head and running totals are
  what we linked to), is open, and the sender keeps its commitment reserve
  (``transferable >= amount``; condition expressions cannot subtract, so the derived
  ``transferable`` is kept in the same writes);
- the serial counter still has the value read (issuance);
- a corrected transaction is not corrected yet.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import GetError, PutError, QueryError, ScanError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.table import SENDING_ORDER, LinkedWrite, TableItem, cancellation, response_code, transaction_connection
from chalicelib.registry.adapters.accounts import account_from_item
from chalicelib.registry.adapters.models import (
    AccountItem,
    BlockItem,
    CounterItem,
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
        *BlockItem.key(owner, block.block_id),
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


class LedgerStore:
    # --- reads -------------------------------------------------------------------

    def holdings(self, number: str) -> tuple[Account | None, list[Block]]:
        """The account and every block it holds: one strongly consistent query."""
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

    def running_totals_at(self, number: str, bound: str) -> tuple[int, int]:
        """(cum_in, cum_out) of the last history row whose sort key is below ``bound``."""
        try:
            for item in TableItem.query(
                f"ACCT#{number}",
                TableItem.sk.between("H#", bound),
                scan_index_forward=False,
                limit=1,
                page_size=1,
            ):
                if isinstance(item, HistoryItem):
                    return int(item.cum_in), int(item.cum_out)
        except QueryError as error:
            raise ServiceUnavailable(details=[{"cause": "QueryError"}]) from error
        return 0, 0

    def market(self) -> MarketState:
        try:
            item = MarketItem.get(*MarketItem.key(), consistent_read=True)
        except MarketItem.DoesNotExist:
            return MarketState()
        except GetError as error:
            raise ServiceUnavailable(details=[{"cause": "GetError"}]) from error
        return MarketState(item.mode, item.status, item.closes_at or "", item.reason or "", item.updated_at)

    def put_market(self, state: MarketState) -> bool:
        """Write the state unless it is already stored (so repeated runs write nothing)."""
        item = MarketItem(
            *MarketItem.key(),
            mode=state.mode,
            status=state.status,
            closes_at=state.closes_at,
            reason=state.reason,
            updated_at=state.updated_at,
        )
        unchanged = (
            (MarketItem.mode == state.mode)
            & (MarketItem.status == state.status)
            & (MarketItem.closes_at == state.closes_at)
            & (MarketItem.reason == state.reason)
        )
        try:
            item.save(condition=~unchanged)
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error
        return True

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
                        *MarketItem.key(),
                        condition=(MarketItem.status == "open") & (MarketItem.closes_at > movement.market_open_at),
                    )
                    checks.append("market")
                sender = movement.sender or ""  # only movements with a sender take blocks
                for take in movement.takes:
                    source = BlockItem(*BlockItem.key(sender, take.block.block_id))
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
                            cum_in=entry.cum_in,
                            cum_out=entry.cum_out,
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
                    # The account is as we read it (chain head, totals), and open.
                    condition = (AccountItem.version == account.version) & (AccountItem.status == "open")
                    if change.require_transferable is not None:
                        # The sender keeps at least its commitment reserve.
                        condition &= AccountItem.transferable >= change.require_transferable
                    tx.update(
                        AccountItem(*AccountItem.key(account.number)),
                        actions=[
                            AccountItem.balance.add(change.delta),
                            AccountItem.transferable.add(change.delta),
                            AccountItem.cum_in.add(change.amount_in),
                            AccountItem.cum_out.add(change.amount_out),
                            AccountItem.version.add(1),
                            AccountItem.last_hash.set(change.new_hash),
                            AccountItem.seq.set(change.new_seq),
                        ],
                        condition=condition,
                    )
                    updates.append(f"account:{account.number}")
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
