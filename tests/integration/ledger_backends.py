"""The two implementations of the registry's storage ports behind one harness, for the
contract tests (``test_ledger_store_contract.py``): the unit tier's in-memory fakes, and
the DynamoDB adapters on the moto table.

A backend hands out the ports themselves (``store``: ``LedgerPort``, ``accounts``:
``AccountsPort``) and the few writes that no port offers, each done in the backend's own
way: what someone else (or a bug) did to an item between a movement's reads and its
commit. ``view`` reads back, as plain values, every item under the keys a case names,
so that both backends answer in the same shape.

Linked writes are the one place where the two differ by design: the DynamoDB adapter
sends another system's item with its own condition (here a test-only ``ContractDeal``
item in the shared table), the fake judges a ``FakeLinkedWrite`` by its in-memory item
and any other linked write by its label (``failing_linked``). ``put_deal`` and
``linked`` set up "this linked condition holds / fails" for each.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from typing import Any

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.table import LinkedWrite, TableItem
from chalicelib.registry.adapters.models import (
    AccountItem,
    AccountLinkItem,
    BlockItem,
    CounterItem,
    DayTotalItem,
    HistoryItem,
    MarketItem,
    TransactionItem,
)
from chalicelib.registry.domain.accounts import Account
from chalicelib.registry.domain.blocks import Block
from chalicelib.registry.domain.calendar import MarketState
from chalicelib.registry.domain.movements import HistoryEntry
from tests.unit.fakes import FakeAccounts, FakeLedgerStore, FakeLinkedWrite, Memory
from tests.unit.fakes.registry import StoredBlock, StoredTransaction

#: Kinds of linked write a case may ask for: the deal is "agreed" (check), moves from
#: "agreed" to "settled" (update), or is created "agreed" where none exists yet (save).
LINKED_KINDS = ("condition_check", "update", "save")


class ContractDeal(TableItem, discriminator="test_contract_deal"):
    """Another system's item, declared by the tests only (as a system declares its own)."""

    status = UnicodeAttribute()

    @staticmethod
    def key(deal_id: str) -> tuple[str, str]:
        return f"TESTCONTRACTDEAL#{deal_id}", "DEAL"


def deal_label(deal_id: str) -> str:
    return f"deal:{deal_id}"


@dataclass(frozen=True)
class Keys:
    """What a case wrote or may have written: its accounts' partitions (account item,
    blocks, history rows), its transaction records, counters and deals, and the market."""

    accounts: tuple[str, ...]
    transactions: tuple[str, ...]
    counters: tuple[str, ...]
    deals: tuple[str, ...]


def _record_of_someone_else(transaction_id: str) -> dict[str, Any]:
    """A transaction record that is already there under an id (another request's)."""
    return {"transaction_id": transaction_id, "kind": "transfer", "created_at": "2026-04-01T09:00:00.000000+09:00",
            "core": "{}", "chain": "{}", "fingerprint": "someone-else", "initiated_by": "someone-else",
            "initiator_org": "someone-else", "idempotency_key": "someone-else"}


def _history_row(entry: HistoryEntry) -> dict[str, Any]:
    return {name: value for name, value in asdict(entry).items() if name != "account"}


def _empty_view() -> dict[str, Any]:
    return {"accounts": {}, "blocks": {}, "history": {}, "days": {}, "transactions": {}, "counters": {}, "deals": {},
            "market": None}


# --- in memory -----------------------------------------------------------------------------------


class FakeBackend:
    name = "fake"

    def __init__(self) -> None:
        self.memory = Memory()
        self.store = FakeLedgerStore(self.memory)
        self.accounts = FakeAccounts(self.memory)

    def put_account(self, account: Account) -> None:
        assert account.number not in self.memory.accounts, account.number
        self.memory.accounts[account.number] = account

    def touch_block(self, partition: str, block_id: str) -> None:
        self.memory.touch_block(partition, block_id)

    def remove_block(self, partition: str, block_id: str) -> None:
        del self.memory.blocks[(partition, block_id)]

    def set_block_owner(self, partition: str, block_id: str, owner: str) -> None:
        self.memory.blocks[(partition, block_id)].owner = owner

    def put_block(self, partition: str, block: Block, acquired_by: str) -> None:
        self.memory.blocks[(partition, block.block_id)] = StoredBlock(partition, partition, block, acquired_by)

    def put_history(self, entry: HistoryEntry) -> None:
        self.memory.history[(entry.account, f"H#{entry.created_at}#{entry.transaction_id}")] = entry

    def put_record(self, transaction_id: str) -> None:
        self.memory.transactions[transaction_id] = StoredTransaction(**_record_of_someone_else(transaction_id))

    def forget_market(self) -> None:
        self.memory.market = None

    def put_deal(self, deal_id: str, status: str) -> None:
        label = deal_label(deal_id)
        self.memory.linked_items[label] = status
        # A linked write the fake cannot read (a real one) fails by its label.
        if status == "agreed":
            self.store.failing_linked.discard(label)
        else:
            self.store.failing_linked.add(label)

    def linked(self, kind: str, deal_id: str) -> Any:
        label = deal_label(deal_id)
        if kind == "condition_check":
            # The same write the DynamoDB backend sends: the fake goes by its label.
            return DynamoBackend.linked_write(kind, deal_id)
        if kind == "update":
            return FakeLinkedWrite(label, key=label, expect="agreed", value="settled")
        return FakeLinkedWrite(label, key=label, expect=None, value="agreed", kind="save")

    def view(self, keys: Keys) -> dict[str, Any]:
        memory = self.memory
        view = _empty_view()
        for number in keys.accounts:
            account = memory.accounts.get(number)
            if account is not None:
                view["accounts"][number] = {
                    "type": account.type, "status": account.status.value, "balance": account.balance,
                    # stored by the adapter, derived here (as the fake's snapshot does)
                    "transferable": account.balance - account.commitment_reserve,
                    "commitment_reserve": account.commitment_reserve, "version": account.version,
                    "last_hash": account.last_hash, "seq": account.seq, "cum_in": account.cum_in, "cum_out": account.cum_out,
                    "in_count": account.in_count,
                }
        for (partition, block_id), stored in memory.blocks.items():
            if partition in keys.accounts:
                block = stored.block
                view["blocks"][(partition, block_id)] = {
                    "owner": stored.owner, "origin": block.origin, "unit_type": block.unit_type,
                    "issued_period": block.issued_period, "adopted_period": block.adopted_period, "project": block.project,
                    "serial_start": block.serial_start, "serial_end": block.serial_end, "amount": block.amount,
                    "version": block.version, "acquired_by": stored.acquired_by,
                }
        for (number, sort_key), entry in memory.history.items():
            if number in keys.accounts:
                view["history"][(number, sort_key)] = _history_row(entry)
        for (number, day), totals in memory.days.items():
            if number in keys.accounts:
                view["days"][(number, day)] = totals
        for transaction_id in keys.transactions:
            record = memory.transactions.get(transaction_id)
            if record is not None:
                fields = asdict(record)
                fields["core"], fields["chain"] = json.loads(record.core), json.loads(record.chain)
                view["transactions"][transaction_id] = fields
        view["counters"] = {name: memory.counters[name] for name in keys.counters if name in memory.counters}
        labels = {deal_id: deal_label(deal_id) for deal_id in keys.deals}
        view["deals"] = {deal_id: memory.linked_items[label] for deal_id, label in labels.items() if label in memory.linked_items}
        view["market"] = asdict(memory.market) if memory.market is not None else None
        return copy.deepcopy(view)


# --- DynamoDB (moto) -------------------------------------------------------------------------------


class DynamoBackend:
    """The adapters as the container builds them; the extra writes through the adapters'
    own item models (what another writer would send)."""

    name = "dynamodb"

    def __init__(self, store: Any, accounts: Any) -> None:
        self.store = store
        self.accounts = accounts

    def clear(self) -> None:
        """Delete every item: the table is shared by the module's cases, and each case's
        full-table reads (``snapshot()``) stay as fast as a small table allows."""
        with TableItem.batch_write() as batch:
            for item in list(TableItem.scan(consistent_read=True)):
                batch.delete(item)

    def put_account(self, account: Account) -> None:
        AccountItem(
            *AccountItem.key(account.number), number=account.number, account_type=account.type,
            holder_org_id=account.holder_org_id, holder_name=account.holder_name, holder_name_ja=account.holder_name_ja,
            status=account.status.value, commitment_reserve=account.commitment_reserve, balance=account.balance,
            transferable=account.balance - account.commitment_reserve, created_at=account.created_at,
            version=account.version, last_hash=account.last_hash, seq=account.seq, cum_in=account.cum_in,
            cum_out=account.cum_out, in_count=account.in_count,
        ).save(condition=AccountItem.pk.does_not_exist())  # cases never share an account
        AccountLinkItem(*AccountLinkItem.key(account.holder_org_id, account.number), number=account.number,
                        account_type=account.type, status=account.status.value).save()

    @staticmethod
    def _block(partition: str, block_id: str) -> BlockItem:
        """The block item with this id in the partition (its key holds its position)."""
        found = [item for item in BlockItem.query(f"ACCT#{partition}", BlockItem.sk.startswith("BLK#"), consistent_read=True)
                 if item.block_id == block_id]
        assert len(found) == 1, (partition, block_id)
        return BlockItem(found[0].pk, found[0].sk)

    def touch_block(self, partition: str, block_id: str) -> None:
        self._block(partition, block_id).update(actions=[BlockItem.version.add(1)], condition=BlockItem.pk.exists())

    def remove_block(self, partition: str, block_id: str) -> None:
        self._block(partition, block_id).delete(condition=BlockItem.pk.exists())

    def set_block_owner(self, partition: str, block_id: str, owner: str) -> None:
        self._block(partition, block_id).update(actions=[BlockItem.owner.set(owner)], condition=BlockItem.pk.exists())

    def put_block(self, partition: str, block: Block, acquired_by: str) -> None:
        BlockItem(
            *BlockItem.key(partition, block), block_id=block.block_id, owner=partition, origin=block.origin,
            unit_type=block.unit_type, issued_period=block.issued_period, adopted_period=block.adopted_period,
            project=block.project, serial_start=block.serial_start, serial_end=block.serial_end, amount=block.amount,
            version=block.version, acquired_by=acquired_by,
        ).save()

    def put_history(self, entry: HistoryEntry) -> None:
        HistoryItem(*HistoryItem.key(entry.account, entry.created_at, entry.transaction_id), **_history_row(entry)).save()

    def put_record(self, transaction_id: str) -> None:
        TransactionItem(*TransactionItem.key(transaction_id), status="completed", **_record_of_someone_else(transaction_id)).save()

    def forget_market(self) -> None:
        for index in range(self.store.copies):
            MarketItem(*MarketItem.key(index)).delete()

    def put_deal(self, deal_id: str, status: str) -> None:
        ContractDeal(*ContractDeal.key(deal_id), status=status).save()

    @staticmethod
    def linked_write(kind: str, deal_id: str) -> LinkedWrite:
        label = deal_label(deal_id)
        if kind == "condition_check":
            return LinkedWrite.check(label, ContractDeal, *ContractDeal.key(deal_id), ContractDeal.status == "agreed")
        if kind == "update":
            return LinkedWrite.update(label, ContractDeal(*ContractDeal.key(deal_id)), actions=[ContractDeal.status.set("settled")],
                                      condition=ContractDeal.status == "agreed")
        return LinkedWrite.put(label, ContractDeal(*ContractDeal.key(deal_id), status="agreed"),
                               condition=ContractDeal.pk.does_not_exist())

    def linked(self, kind: str, deal_id: str) -> LinkedWrite:
        return self.linked_write(kind, deal_id)

    def view(self, keys: Keys) -> dict[str, Any]:
        view = _empty_view()
        for number in keys.accounts:
            for item in TableItem.query(f"ACCT#{number}", consistent_read=True):
                if isinstance(item, AccountItem):
                    view["accounts"][number] = {
                        "type": int(item.account_type), "status": item.status, "balance": int(item.balance),
                        "transferable": int(item.transferable), "commitment_reserve": int(item.commitment_reserve),
                        "version": int(item.version), "last_hash": item.last_hash, "seq": int(item.seq),
                        "cum_in": int(item.cum_in), "cum_out": int(item.cum_out), "in_count": int(item.in_count),
                    }
                elif isinstance(item, BlockItem):
                    view["blocks"][(number, item.block_id)] = {
                        "owner": item.owner, "origin": item.origin, "unit_type": item.unit_type,
                        "issued_period": item.issued_period, "adopted_period": item.adopted_period, "project": item.project,
                        "serial_start": int(item.serial_start), "serial_end": int(item.serial_end), "amount": int(item.amount),
                        "version": int(item.version), "acquired_by": item.acquired_by,
                    }
                elif isinstance(item, DayTotalItem):
                    view["days"][(number, item.sk.removeprefix("DAY#"))] = (int(item.amount_in), int(item.amount_out))
                elif isinstance(item, HistoryItem):
                    view["history"][(number, item.sk)] = {name: getattr(item, name) for name in HistoryEntry.__dataclass_fields__
                                                          if name != "account"}
                else:
                    pytest.fail(f"an unexpected item in {number}'s partition: {item.sk}")
        for transaction_id in keys.transactions:
            try:
                record = TransactionItem.get(*TransactionItem.key(transaction_id), consistent_read=True)
            except TransactionItem.DoesNotExist:
                continue
            view["transactions"][transaction_id] = {
                "transaction_id": record.transaction_id, "kind": record.kind, "created_at": record.created_at,
                "core": json.loads(record.core), "chain": json.loads(record.chain), "fingerprint": record.fingerprint,
                "initiated_by": record.initiated_by, "initiator_org": record.initiator_org,
                "idempotency_key": record.idempotency_key, "status": record.status, "corrected_by": record.corrected_by,
            }
        for name in keys.counters:
            try:
                view["counters"][name] = int(CounterItem.get(*CounterItem.key(name), consistent_read=True).value)
            except CounterItem.DoesNotExist:
                continue
        for deal_id in keys.deals:
            try:
                view["deals"][deal_id] = ContractDeal.get(*ContractDeal.key(deal_id), consistent_read=True).status
            except ContractDeal.DoesNotExist:
                continue
        copies = []
        for index in range(self.store.copies):
            try:
                market = MarketItem.get(*MarketItem.key(index), consistent_read=True)
            except MarketItem.DoesNotExist:
                copies.append(None)
            else:
                copies.append(asdict(MarketState(market.mode, market.status, market.closes_at or "", market.reason or "",
                                                 market.updated_at)))
        # Every copy says the same (the view is one state, as the fake's).
        assert all(state == copies[0] for state in copies), copies
        view["market"] = copies[0]
        return view
