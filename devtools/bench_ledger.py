"""DynamoDB requests and items per ledger operation, counted with botocore event hooks.

For a sender holding 1 / 100 / 1,000 / 10,000 blocks with 10 / 1,000 / 10,000 / 10,000
history rows, it measures a transfer of 5 t (part of one block), a transfer of 35 t
(four blocks, where held), a retirement, the balance view's first page and one history
page (50 rows). Large states are seeded with batch writes (moto's transactions slow down
with table size); the figures are counts, so they do not depend on the machine.

Target: the items a transfer reads stay flat (within 10%) from 1 to 10,000 blocks held.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

SIZES = [(1, 10), (100, 1_000), (1_000, 10_000), (10_000, 10_000)]
FLAT = 1.10
UNITS_PER_BLOCK = 10
PAGE = 50


class DynamoCounter:
    """Counts requests, items read and items written on the clients it is attached to."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.read = 0
        self.written = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def reset(self) -> None:
        self.requests.clear()
        self.read = self.written = 0

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        self.requests[name] += 1
        if name == "TransactWriteItems":
            self.written += len(params.get("TransactItems", []))
        elif name in {"PutItem", "UpdateItem", "DeleteItem"}:
            self.written += 1
        elif name == "BatchWriteItem":
            self.written += sum(len(v) for v in params.get("RequestItems", {}).values())

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name in {"Query", "Scan"}:
            self.read += int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        elif name == "GetItem":
            self.read += 1 if "Item" in parsed else 0
        elif name in {"BatchGetItem", "TransactGetItems"}:
            responses = parsed.get("Responses", {})
            self.read += sum(len(v) for v in responses.values()) if isinstance(responses, dict) else len(responses)

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def _seed(blocks: int, rows: int, sender: str, receiver: str, retirement: str) -> None:
    """Write a consistent state directly with batch writes (not through the ledger)."""
    from chalicelib import container
    from chalicelib.core.table import TableItem
    from chalicelib.registry.adapters.models import AccountItem, BlockItem, DayTotalItem, HistoryItem, MarketItem
    from chalicelib.registry.domain.blocks import Block

    balance = blocks * UNITS_PER_BLOCK
    days: Counter[str] = Counter()
    with TableItem.batch_write() as batch:
        for number, amount, cum_in in ((sender, balance, balance), (receiver, 0, 0), (retirement, 0, 0)):
            batch.save(AccountItem(*AccountItem.key(number), number=number, account_type=int(number.split("-")[1]),
                                   holder_org_id=f"org-{number}", holder_name=f"Holder {number}", holder_name_ja=f"保有者 {number}",
                                   status="open", commitment_reserve=0, balance=amount, transferable=amount, created_at="2026-04-01",
                                   version=1, last_hash="0" * 64, seq=0, cum_in=cum_in, cum_out=0, in_count=rows if number == sender else 0))
        for index in range(blocks):
            start = index * UNITS_PER_BLOCK + 1
            block = Block(f"SEED.{index}", "JPA", "01", "01", "", start, start + UNITS_PER_BLOCK - 1)
            batch.save(BlockItem(*BlockItem.key(sender, block), block_id=block.block_id, owner=sender, origin="JP",
                                 unit_type="JPA", issued_period="01", adopted_period="01", project="", serial_start=start,
                                 serial_end=block.serial_end, amount=UNITS_PER_BLOCK, version=0, acquired_by="SEED"))
        for index in range(rows):
            created = f"2026-06-{1 + index % 28:02d}T10:{(index // 60) % 60:02d}:{index % 60:02d}.{index:06d}+09:00"
            days[created[:10]] += 1
            batch.save(HistoryItem(*HistoryItem.key(sender, created, f"TXSEED{index:012d}"), transaction_id=f"TXSEED{index:012d}",
                                   created_at=created, date=created[:10], kind="transfer", status="completed", amount_in=1,
                                   amount_out=0, correction=False, seq=0))
        for day, count in days.items():
            batch.save(DayTotalItem(*DayTotalItem.key(sender, day), amount_in=count, amount_out=0))
        for copy in range(container.ledger_store().copies):
            batch.save(MarketItem(*MarketItem.key(copy), mode="force_open", status="open",
                                  closes_at="9999-12-31T23:59:59+09:00", reason="bench", updated_at="2026-06-01"))


def _operations(ledger: Any, principal: Any, sender: str, receiver: str, blocks: int) -> dict[str, Callable[[], object]]:
    """The measured operations on one seeded state, each run once."""
    from chalicelib.registry.service import HistoryQuery, Initiator, RetireCommand, TransferCommand

    def transfer(amount: int) -> Callable[[], object]:
        return lambda: ledger.transfer(TransferCommand.from_request(
            {"from_account": sender, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": amount}]},
            f"b-{uuid.uuid4()}", Initiator.of(principal)))

    operations: dict[str, Callable[[], object]] = {"transfer 5 t": transfer(5)}
    if blocks >= 5:
        operations["transfer 35 t"] = transfer(35)
    operations["retirement"] = lambda: ledger.retire(RetireCommand.from_request(
        {"account": sender, "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 2}]},
        f"b-{uuid.uuid4()}", Initiator.of(principal)))
    operations["balance view"] = lambda: ledger.balance(principal, sender)
    operations["history page"] = lambda: ledger.history(principal, HistoryQuery(sender, "2026-01-01", "2026-12-31", None, str(PAGE)))
    return operations


def measure() -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.registry.domain.accounts import AccountNumber
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows_out: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for blocks, rows in SIZES:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            ledger = container.ledger()
            sender, receiver = str(AccountNumber.build(121, 1)), str(AccountNumber.build(120, 1))
            retirement = str(AccountNumber.build(300, 1))
            _seed(blocks, rows, sender, receiver, retirement)
            counter = DynamoCounter()
            for client in registry_clients():
                counter.attach(client)
            principal = Principal(username="bench", role=Role.PARTICIPANT, org_id=f"org-{sender}")
            for name, run in _operations(ledger, principal, sender, receiver, blocks).items():
                counter.reset()
                run()
                rows_out.append({"operation": name, "blocks": blocks, "history": rows, "requests": counter.total,
                                 "calls": dict(counter.requests), "read": counter.read, "written": counter.written})
    return rows_out


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    results = measure()
    print("DynamoDB cost per ledger operation (botocore hooks; items are DynamoDB items)")
    print(f"{'operation':<15}{'blocks':>7}{'history':>9}{'requests':>10}{'read':>7}{'written':>9}  calls")
    for row in results:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['operation']:<15}{row['blocks']:>7}{row['history']:>9}{row['requests']:>10}{row['read']:>7}{row['written']:>9}  {calls}")
    page_reads = {row["read"] for row in results if row["operation"] == "history page" and row["history"] >= PAGE}
    print(f"\nhistory page items read with history >= {PAGE} rows: {sorted(page_reads)} (constant: {len(page_reads) == 1})")
    ok = True
    for operation in ("transfer 5 t", "transfer 35 t", "retirement"):
        reads = [(row["blocks"], row["read"]) for row in results if row["operation"] == operation]
        figures = [read for _, read in reads]
        flat = max(figures) <= FLAT * min(figures)
        print(f"{operation} items read at {', '.join(f'{b:,}' for b, _ in reads)} blocks held: "
              f"{', '.join(str(r) for r in figures)}  (flat within {FLAT - 1:.0%}: {'ok' if flat else 'TARGET MISSED'})")
        ok = ok and flat
    from chalicelib.registry.service import BALANCE_PAGE

    pages = [row["read"] for row in results if row["operation"] == "balance view"]
    bounded = max(pages) <= BALANCE_PAGE + 1
    print(f"balance view items read: {', '.join(map(str, pages))} (one page of at most {BALANCE_PAGE} block lines and the "
          f"account: {'ok' if bounded else 'TARGET MISSED'})")
    return 0 if ok and bounded else 1


if __name__ == "__main__":
    sys.exit(main())
