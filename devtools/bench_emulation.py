"""A transfer's time on the local emulation as the table grows (1,000 to 100,000 items).

For each size, the embedded moto server is provisioned from ``infra/``, a sender holding
20 blocks and a receiver are seeded (``devtools.bench_ledger``'s seed), the table is
filled up to the size with other accounts' history rows (batch writes), and transfers are
timed through the registry's service over HTTP, as ``chalice local`` makes them: with
the emulation's patches (``devtools.moto_transactions``: a transaction saves only the
items it touches; ``devtools.moto_queries``: a Query reads one partition) and, for the
smaller sizes, with moto's own code. Beside the times it prints what the patches count
per transfer (items copied, items sorted), which do not depend on the machine.

    python -m devtools.bench_emulation [--sizes 1000,2000,10000,100000] [--transfers 20] [--own-up-to 2000]

Times are printed, never asserted (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from typing import Any

BLOCKS = 20
BATCH = 25


def _fill(total: int) -> None:
    """Other accounts' history rows up to ``total`` items in the table."""
    from chalicelib.core.table import TableItem
    from chalicelib.registry.adapters.models import HistoryItem

    present = TableItem.count()
    with TableItem.batch_write() as batch:
        for index in range(max(0, total - present)):
            number = f"FILL-{index % 500:04d}"
            created = f"2025-{4 + index % 9:02d}-{1 + index % 28:02d}T10:00:00.{index:06d}+09:00"
            batch.save(HistoryItem(*HistoryItem.key(number, created, f"TXFILL{index:012d}"), transaction_id=f"TXFILL{index:012d}",
                                   created_at=created, date=created[:10], kind="transfer", status="completed", amount_in=1,
                                   amount_out=0, correction=False, seq=0))  # a receipt: linked by its sender


def _time_transfers(ledger: Any, principal: Any, sender: str, receiver: str, count: int) -> tuple[list[float], list[int], list[int]]:
    from chalicelib.registry.service import Initiator, TransferCommand
    from devtools import moto_queries, moto_transactions

    times, copied, sorted_items = [], [], []
    for _ in range(count):
        moto_transactions.stats.reset()
        moto_queries.stats.reset()
        command = TransferCommand.from_request({"from_account": sender, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": 3}]},
                                               f"e-{uuid.uuid4()}", Initiator.of(principal))
        began = time.perf_counter()
        ledger.transfer(command)
        times.append(time.perf_counter() - began)
        copied.append(moto_transactions.stats.items_copied)
        sorted_items.append(moto_queries.stats.items_sorted)
    return times, copied, sorted_items


def measure(sizes: list[int], transfers: int, own_up_to: int) -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.core.table import TableItem
    from chalicelib.registry.domain.accounts import AccountNumber
    from devtools import moto_queries, moto_transactions
    from devtools.bench_ledger import _seed
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for size in sizes:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            ledger = container.ledger()
            sender, receiver = str(AccountNumber.build(121, 1)), str(AccountNumber.build(120, 1))
            _seed(BLOCKS, 10, sender, receiver, str(AccountNumber.build(300, 1)))
            began = time.monotonic()
            _fill(size)
            filled = time.monotonic() - began
            principal = Principal(username="bench", role=Role.PARTICIPANT, org_id=f"org-{sender}")
            times, copied, sorted_items = _time_transfers(ledger, principal, sender, receiver, transfers)
            row = {"items": TableItem.count(), "fill_s": filled, "patched_ms": statistics.median(times) * 1000,
                   "copied": statistics.median(copied), "sorted": statistics.median(sorted_items), "own_ms": None}
            if size <= own_up_to:
                with moto_transactions.disabled(), moto_queries.disabled():
                    own, _, _ = _time_transfers(ledger, principal, sender, receiver, max(3, transfers // 4))
                row["own_ms"] = statistics.median(own) * 1000
            rows.append(row)
            print(f"  {row['items']:>8,} items: {row['patched_ms']:8.1f} ms patched"
                  + (f", {row['own_ms']:8.1f} ms with moto's own code" if row["own_ms"] is not None else "")
                  + f"  (filled in {filled:.0f} s)", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,2000,10000,100000")
    parser.add_argument("--transfers", type=int, default=20)
    parser.add_argument("--own-up-to", type=int, default=2_000,
                        help="largest size also timed with moto's own code (past ~10,000 items one of its transfers outlasts botocore's timeout)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"A transfer on the local emulation (median of {args.transfers}; the sender holds {BLOCKS} blocks)")
    rows = measure(sizes, args.transfers, args.own_up_to)
    print(f"\n{'items':>9}{'patched ms':>12}{'moto own ms':>13}{'items copied':>14}{'items sorted':>14}")
    for row in rows:
        own = f"{row['own_ms']:.1f}" if row["own_ms"] is not None else "-"
        print(f"{row['items']:>9,}{row['patched_ms']:>12.1f}{own:>13}{row['copied']:>14.0f}{row['sorted']:>14.0f}")
    first, last = rows[0]["patched_ms"], rows[-1]["patched_ms"]
    print(f"\npatched: {last / first:.2f}x from {rows[0]['items']:,} to {rows[-1]['items']:,} items "
          "(items copied and sorted per transfer are the machine-independent figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
