"""The ``audit_ledger`` use case: read the whole ledger once and check every invariant."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.registry.adapters.ledger_store import LedgerStore
from chalicelib.registry.adapters.models import AccountItem, BlockItem, CounterItem, HistoryItem, TransactionItem
from chalicelib.registry.domain.audit import Snapshot, audit


def snapshot(store: LedgerStore) -> Snapshot:
    snap = Snapshot()
    for item in store.scan():
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


def audit_ledger(store: LedgerStore) -> dict[str, Any]:
    return audit(snapshot(store))
