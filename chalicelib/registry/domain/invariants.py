"""Ledger invariants, each a function returning a list of problems (beancount style).

The checks run over plain snapshots of the ledger, so they can be tested without
storage and run in full by the ``audit_ledger`` administrator function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.registry.domain.blocks import GENESIS_HASH, chain_hash


@dataclass
class Snapshot:
    #: number -> {"type", "balance", "transferable", "commitment_reserve", "last_hash", "seq", "cum_in", "cum_out",
    #: "in_count"}
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: {"owner", "partition", "block_id", "origin", "unit_type", "issued_period", "serial_start", "serial_end", "amount"}
    blocks: list[dict[str, Any]] = field(default_factory=list)
    #: id -> {"core": dict, "chain": dict}
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: counter name -> value
    counters: dict[str, int] = field(default_factory=dict)
    #: account -> number of history rows
    history_rows: dict[str, int] = field(default_factory=dict)
    #: account -> (units in, units out) summed over its day totals
    day_totals: dict[str, tuple[int, int]] = field(default_factory=dict)


Problem = str


def check_chains(snapshot: Snapshot) -> list[Problem]:
    problems: list[Problem] = []
    links: dict[str, list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
    for tx_id, record in snapshot.transactions.items():
        for number, link in record["chain"].items():
            links[number].append((int(link["seq"]), tx_id, link))
    for number, account in snapshot.accounts.items():
        chain = sorted(links.get(number, []))
        previous = GENESIS_HASH
        for position, (seq, tx_id, link) in enumerate(chain, start=1):
            if seq != position:
                problems.append(f"chain {number}: link {tx_id} has seq {seq}, expected {position}")
            if link["previous"] != previous:
                problems.append(f"chain {number}: {tx_id} does not link to the previous transaction")
            expected = chain_hash(snapshot.transactions[tx_id]["core"], number, link["previous"])
            if link["hash"] != expected:
                problems.append(f"chain {number}: {tx_id} was altered (hash mismatch)")
            previous = link["hash"]
        if account.get("last_hash", GENESIS_HASH) != previous or int(account.get("seq", 0)) != len(chain):
            problems.append(f"chain {number}: the account's chain head does not match its transactions")
    return problems


def check_owners(snapshot: Snapshot) -> list[Problem]:
    """Every transaction is one link of its owner's chain (its sender's; the receiver's
    when there is none), so altering any transaction breaks a chain."""
    problems: list[Problem] = []
    for tx_id, record in snapshot.transactions.items():
        core = record["core"]
        owner = core.get("from_account") or core.get("to_account")
        if set(record["chain"]) != {owner}:
            problems.append(f"transaction {tx_id}: linked by {sorted(record['chain'])}, not by its owner {owner}")
    return problems


def check_serials(snapshot: Snapshot) -> list[Problem]:
    """Every issued serial is in exactly one block: no overlap, no gap, none beyond the counter."""
    problems: list[Problem] = []
    #: (origin, unit type, issued period) -> its blocks; keys also come from the counters' names.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for block in snapshot.blocks:
        if block["amount"] != block["serial_end"] - block["serial_start"] + 1 or block["amount"] <= 0:
            problems.append(f"block {block['block_id']}: amount does not match its serial range")
        if block["owner"] != block["partition"]:
            problems.append(f"block {block['block_id']}: stored under {block['partition']} but owned by {block['owner']}")
        groups[(block["origin"], block["unit_type"], block["issued_period"])].append(block)
    keys = set(groups) | {tuple(name.split("#")[1:4]) for name in snapshot.counters if name.startswith("SERIAL#")}
    for key in sorted(keys):
        issued = snapshot.counters.get("SERIAL#" + "#".join(key), 0)
        expected_next = 1
        for block in sorted(groups.get(key, []), key=lambda b: b["serial_start"]):
            if block["serial_start"] < expected_next:
                problems.append(f"serials {'/'.join(key)}: block {block['block_id']} overlaps at {block['serial_start']}")
            elif block["serial_start"] > expected_next:
                problems.append(f"serials {'/'.join(key)}: serials {expected_next}-{block['serial_start'] - 1} are in no block")
            expected_next = max(expected_next, block["serial_end"] + 1)
        if expected_next - 1 != issued:
            problems.append(f"serials {'/'.join(key)}: blocks end at {expected_next - 1} but {issued} were issued")
    return problems


def check_conservation(snapshot: Snapshot) -> list[Problem]:
    """For every unit type and period: issued = held + retired + cancelled."""
    problems: list[Problem] = []
    issued: dict[tuple[str, str], int] = defaultdict(int)
    for record in snapshot.transactions.values():
        if record["core"]["type"] == "issuance":
            for block in record["core"]["blocks"]:
                issued[(block["unit_type"], block["issued_period"])] += block["amount"]
    located: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"held": 0, "retired": 0, "cancelled": 0})
    for block in snapshot.blocks:
        account_type = snapshot.accounts.get(block["owner"], {}).get("type", 0)
        where = {300: "retired", 230: "cancelled"}.get(account_type, "held")
        located[(block["unit_type"], block["issued_period"])][where] += block["amount"]
    for key in sorted(set(issued) | set(located)):
        parts = located[key]
        if issued[key] != sum(parts.values()):
            problems.append(
                f"units {'/'.join(key)}: issued {issued[key]} != held {parts['held']} + retired {parts['retired']} + cancelled {parts['cancelled']}"
            )
    return problems


def check_balances(snapshot: Snapshot) -> list[Problem]:
    problems: list[Problem] = []
    held: dict[str, int] = defaultdict(int)
    for block in snapshot.blocks:
        held[block["partition"]] += block["amount"]
    for number, account in snapshot.accounts.items():
        balance = int(account["balance"])
        if balance != held.get(number, 0):
            problems.append(f"account {number}: balance {balance} but its blocks hold {held.get(number, 0)}")
        if int(account["transferable"]) != balance - int(account["commitment_reserve"]):
            problems.append(f"account {number}: transferable is not balance - commitment reserve")
        if int(account["cum_in"]) - int(account["cum_out"]) != balance:
            problems.append(f"account {number}: running totals in - out != balance")
        links, receipts = int(account.get("seq", 0)), int(account.get("in_count", 0))
        if snapshot.history_rows.get(number, 0) != links + receipts:
            problems.append(f"account {number}: {snapshot.history_rows.get(number, 0)} history rows for {links} links "
                            f"and {receipts} receipts")
        if snapshot.day_totals.get(number, (0, 0)) != (int(account["cum_in"]), int(account["cum_out"])):
            problems.append(f"account {number}: day totals {snapshot.day_totals.get(number, (0, 0))} != running totals")
    for number in held:
        if number not in snapshot.accounts:
            problems.append(f"blocks held by {number}, which is not an account")
    return problems


#: The checks, as data. None of them can be skipped.
CHECKS: tuple[Callable[[Snapshot], list[Problem]], ...] = (check_chains, check_owners, check_serials, check_conservation,
                                                           check_balances)


def audit(snapshot: Snapshot) -> dict[str, Any]:
    problems = [problem for check in CHECKS for problem in check(snapshot)]
    return {
        "ok": not problems,
        "accounts": len(snapshot.accounts),
        "blocks": len(snapshot.blocks),
        "transactions": len(snapshot.transactions),
        "problems": problems,
    }
