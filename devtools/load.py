"""`make load`: a busy year in the local table, then a mixed workload through the local API.

1. Starts the local stack as `make run` does (demo data included) and, with the
   administrator functions, registers 16 trading desks (an organisation and a user each)
   and opens 1,000 accounts among them.
2. Seeds a year of trading: one allocation per account, then 100,000 transfers and
   retirements between the load accounts, dated across fiscal 2025 (JST). They are made
   by the registry's own use cases (``chalicelib.registry.service.Ledger``) and written by
   its own adapter (``LedgerStore.commit``), so every item has the ledger's shape and the
   hash chains, serial blocks, running totals and history rows are what the ledger
   itself writes. Only the medium differs: each TransactWriteItems is applied to a private
   in-process copy of the table (``SeedTable``), and the items the year changed are then
   sent to the stack with BatchWriteItem.
3. Runs 16 clients, one per desk, against the API (`chalice local`): transfers, balance
   views, history pages and retirements, each write with its own Idempotency-Key
   (retried with the same key after a 503, as the soak does).
4. Prints throughput, p50 / p95 / p99 per operation, the outcomes and `audit_ledger`.

    python -m devtools.load [--accounts 1000] [--transactions 100000] [--clients 16] [--operations 150]

Times are printed, never asserted: the emulation is moto behind one lock.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from devtools.running import RunningStack

REGION = "ap-northeast-1"
DESKS = 16
PASSWORD = "Load-Desk-2026!"  # noqa: S105 - the load desks' local login, like the demo users'
ALLOCATION = 10_000
#: The seeded year (JST) and the share of retirements among its movements.
YEAR_START = datetime.fromisoformat("2025-04-01T09:00:00+09:00")
YEAR_SECONDS = 365 * 24 * 3600 - 12 * 3600
RETIREMENT_SHARE = 0.05
#: The workload's mix (weights) and the retries of a write after a 503.
MIX = {"transfer": 35, "balance view": 30, "history page": 25, "retirement": 10}
MAX_RETRIES = 40
BATCH = 25


def _admin(name: str, event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.admin import FUNCTIONS

    result = FUNCTIONS[name](event, None)
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}")
    return result


# --- the private copy of the table the year is written into --------------------------------


class SeedTable:
    """The registry table as a dict in this process, into which the registry's own
    TransactWriteItems requests are applied.

    Applying them with moto's backend object (no server) took 66 ms per movement on this
    machine (moto re-parses and validates every condition and update expression: 100,000
    movements would take about two hours), so the requests are applied here directly:
    ``Put`` and ``Delete`` as they are, ``Update`` by evaluating the part of the update
    expression grammar that PynamoDB's actions produce (``SET`` of a value, a path, ``+``
    / ``-`` and ``if_not_exists``; ``ADD``; ``REMOVE``; ``DELETE``); anything else stops
    the seeding with an error. Conditions are not evaluated: one writer that reads its
    own state before each movement cannot break them, and ``audit_ledger`` checks every
    chain, serial, total and history row of the result after the load. A ``Put`` that
    must create an item but finds one there (a repeated transaction id) stops the seeding.
    """

    def __init__(self, name: str, items: list[dict[str, Any]]) -> None:
        self.name = name
        self.items: dict[tuple[str, str], dict[str, Any]] = {self.key(item): item for item in items}
        self.initial = {key: _canonical(item) for key, item in self.items.items()}

    @staticmethod
    def key(item: dict[str, Any]) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        return self.items.get((pk, sk))

    def transact(self, actions: list[dict[str, Any]]) -> list[tuple[str, str]]:
        """Apply one TransactWriteItems; returns the keys it named."""
        touched = []
        for action in actions:
            (kind, op), = action.items()
            if op.get("TableName") != self.name:
                raise RuntimeError(f"seeding writes only {self.name}, not {op.get('TableName')}")
            if kind == "Put":
                key = self.key(op["Item"])
                if key in self.items and "attribute_not_exists" in op.get("ConditionExpression", ""):
                    raise RuntimeError(f"seeding would overwrite {key}")
                self.items[key] = op["Item"]
            elif kind == "Delete":
                key = self.key(op["Key"])
                self.items.pop(key, None)
            elif kind == "Update":
                key = self.key(op["Key"])
                item = self.items.setdefault(key, dict(op["Key"]))
                _update(item, op["UpdateExpression"], op.get("ExpressionAttributeNames", {}), op.get("ExpressionAttributeValues", {}))
            else:
                key = self.key(op["Key"])
            touched.append(key)
        return touched

    def changes(self) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        """(items written or changed since the copy was made, keys deleted since)."""
        written = [item for key, item in self.items.items() if self.initial.get(key) != _canonical(item)]
        deleted = [key for key in self.initial if key not in self.items]
        return written, deleted


def _canonical(item: dict[str, Any]) -> str:
    """An item (DynamoDB JSON as boto3's client answers it, binary values as ``bytes``)
    as one comparable string."""
    return json.dumps(item, sort_keys=True, default=lambda value: base64.b64encode(value).decode())


_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b")


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _number(value: Decimal) -> dict[str, str]:
    return {"N": str(int(value)) if value == value.to_integral_value() else str(value.normalize())}


def _update(item: dict[str, Any], expression: str, names: dict[str, str], values: dict[str, Any]) -> None:
    """Apply an update expression of PynamoDB's actions to ``item`` (DynamoDB JSON)."""

    def path(token: str) -> str:
        token = token.strip()
        if not re.fullmatch(r"#\w+", token):
            raise RuntimeError(f"seeding cannot evaluate the path {token!r} of {expression!r}")
        return names[token]

    def operand(token: str) -> Any:
        token = token.strip()
        if token.startswith(":"):
            return values[token]
        call = re.fullmatch(r"if_not_exists\s*\((.*)\)", token)
        if call:
            first, second = _split(call.group(1))
            return item.get(path(first)) or operand(second)
        return item.get(path(token))

    def value(text: str) -> Any:
        for sign in ("+", "-"):
            left, found, right = text.partition(f" {sign} ")
            if found:
                a, b = Decimal(operand(left)["N"]), Decimal(operand(right)["N"])
                return _number(a + b if sign == "+" else a - b)
        return operand(text)

    pieces = _CLAUSE.split(expression)
    if pieces[0].strip():
        raise RuntimeError(f"seeding cannot evaluate {expression!r}")
    for clause, body in zip(pieces[1::2], pieces[2::2], strict=True):
        for part in _split(body):
            if clause == "SET":
                target, _, source = part.partition("=")
                item[path(target)] = value(source.strip())
            elif clause == "REMOVE":
                item.pop(path(part), None)
            else:
                target, source = part.split(None, 1)
                name, given = path(target), operand(source)
                current = item.get(name)
                if "N" in given:
                    if clause != "ADD":
                        raise RuntimeError(f"seeding cannot evaluate {expression!r}")
                    item[name] = _number(Decimal(current["N"] if current else "0") + Decimal(given["N"]))
                else:
                    (kind, members), = given.items()
                    old = set(current[kind]) if current else set()
                    new = old | set(members) if clause == "ADD" else old - set(members)
                    if new:
                        item[name] = {kind: sorted(new)}
                    else:
                        item.pop(name, None)


class _Answer:
    """What botocore needs of an HTTP response that never went over the wire."""

    status_code = 200
    headers: dict[str, str] = {}
    content = b"{}"
    text = "{}"


@dataclass
class SeedStore:
    """The registry's storage ports (``AccountsPort.get_account`` and ``LedgerPort``) over a
    ``SeedTable``: reads come from the table's items through the adapters' own converters;
    every write is the adapter's ``LedgerStore.commit``, whose TransactWriteItems request is
    taken from its botocore client (a ``before-call`` hook) and applied to the table."""

    table: SeedTable
    accounts: dict[str, Any] = field(default_factory=dict)
    #: account number -> sort key -> block, for the account item's partition (holdings).
    blocks: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))

    def __post_init__(self) -> None:
        from chalicelib.registry.adapters.ledger import LedgerStore

        self.writer = LedgerStore()
        for pk, sk in list(self.table.initial):
            self._refresh(pk, sk)

    # reads ---------------------------------------------------------------------------
    def _refresh(self, pk: str, sk: str) -> None:
        from chalicelib.core.table import TableItem
        from chalicelib.registry.adapters.accounts import account_from_item
        from chalicelib.registry.adapters.ledger import _HOLDINGS_UPPER, block_from_item
        from chalicelib.registry.adapters.models import AccountItem, BlockItem

        if not pk.startswith("ACCT#") or sk >= _HOLDINGS_UPPER:
            return
        number = pk.removeprefix("ACCT#")
        raw = self.table.get(pk, sk)
        item = TableItem.from_raw_data(raw) if raw is not None else None
        if isinstance(item, AccountItem):
            self.accounts[number] = account_from_item(item)
        elif isinstance(item, BlockItem):
            self.blocks[number][sk] = block_from_item(item)
        else:
            self.blocks[number].pop(sk, None)

    def _read(self, model: Any, pk: str, sk: str) -> Any:
        from chalicelib.core.table import TableItem

        raw = self.table.get(pk, sk)
        item = TableItem.from_raw_data(raw) if raw is not None else None
        return item if isinstance(item, model) else None

    def get_account(self, number: str) -> Any:
        return self.accounts.get(number)

    def get_accounts(self, numbers: list[str]) -> dict[str, Any]:
        return {number: self.accounts[number] for number in numbers if number in self.accounts}

    def holdings(self, number: str) -> tuple[Any, list[Any]]:
        blocks = self.blocks.get(number, {})
        return self.accounts.get(number), [blocks[sk] for sk in sorted(blocks)]

    def block_page(self, number: str, prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Any], str | None]:
        """As ``LedgerStore.block_page``: ``limit`` blocks at most whose sort key starts
        with ``BlockItem.prefix(prefix)``, after the position ``after``, in sort-key order;
        and the last position when the page is full (DynamoDB then returns a
        LastEvaluatedKey even if nothing follows), else ``None``."""
        from chalicelib.registry.adapters.models import BlockItem

        start = BlockItem.prefix(prefix)
        floor = f"BLK#{after}" if after is not None else None
        blocks = self.blocks.get(number, {})
        page = []
        for sk in sorted(blocks):
            if sk.startswith(start) and (floor is None or sk > floor):
                page.append((sk, blocks[sk]))
                if len(page) == limit:
                    break
        return [block for _, block in page], (page[-1][0].removeprefix("BLK#") if page and len(page) == limit else None)

    def blocks_held(self, number: str, wanted: list[Any]) -> list[Any]:
        """As ``LedgerStore.blocks_held``: those of ``wanted`` (by their key) that
        ``number`` holds, as stored now."""
        from chalicelib.registry.adapters.models import BlockItem

        blocks = self.blocks.get(number, {})
        keys = {BlockItem.key(number, block)[1] for block in wanted}
        return [blocks[sk] for sk in sorted(keys) if sk in blocks]

    def counter(self, name: str) -> int:
        from chalicelib.registry.adapters.models import CounterItem

        item = self._read(CounterItem, *CounterItem.key(name))
        return int(item.value) if item is not None else 0

    def transaction(self, transaction_id: str) -> Any:
        from chalicelib.registry.adapters.models import TransactionItem

        return self._read(TransactionItem, *TransactionItem.key(transaction_id))

    def day_totals(self, number: str, first: str, last: str) -> tuple[int, int]:
        """As ``LedgerStore.day_totals``: (units in, units out) of the account's day
        totals from ``first`` to ``last`` (ISO dates, at most one item a day)."""
        from datetime import date

        from chalicelib.registry.adapters.models import DayTotalItem

        total_in = total_out = 0
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            item = self._read(DayTotalItem, *DayTotalItem.key(number, day.isoformat()))
            if item is not None:
                total_in += int(item.amount_in or 0)
                total_out += int(item.amount_out or 0)
            day += timedelta(days=1)
        return total_in, total_out

    def market(self) -> Any:
        """As ``LedgerStore.market``: the window as every copy of the market item says
        it; when they differ, the most restrictive (a missing copy counts as closed)."""
        from chalicelib.registry.adapters.ledger import _market_state
        from chalicelib.registry.adapters.models import MarketItem
        from chalicelib.registry.domain.calendar import MarketState

        states = []
        for copy in range(self.writer.copies):
            item = self._read(MarketItem, *MarketItem.key(copy))
            states.append(_market_state(item) if item is not None else MarketState())
        if all(state == states[0] for state in states):
            return states[0]
        closed = [state for state in states if state.status != "open"]
        return closed[0] if closed else min(states, key=lambda state: state.closes_at)

    # the one write ------------------------------------------------------------------------
    def commit(self, movement: Any, linked: tuple[Any, ...] = ()) -> None:
        self.writer.commit(movement, linked)

    def _apply(self, params: dict[str, Any], **_: Any) -> tuple[_Answer, dict[str, Any]]:
        body = json.loads(params["body"])
        for key in self.table.transact(body["TransactItems"]):
            self._refresh(*key)
        return _Answer(), {}

    def __enter__(self) -> SeedStore:
        from chalicelib import container
        from chalicelib.core.table import transaction_connection

        container.registry_store()  # binds the models to the configured table
        self.client = transaction_connection().client
        self.client.meta.events.register("before-call.dynamodb.TransactWriteItems", self._apply,  # type: ignore[arg-type]
                                        unique_id="devtools.load")
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="devtools.load")


class SimulatedClock:
    def __init__(self) -> None:
        self.now = YEAR_START

    def __call__(self) -> datetime:
        return self.now


def _scan(environment: dict[str, str]) -> list[dict[str, Any]]:
    import boto3

    dynamodb = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name=REGION)
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=environment["REGISTRY_TABLE"], ConsistentRead=True):
        items.extend(page["Items"])
    return items


def _batch_write(environment: dict[str, str], written: list[dict[str, Any]], deleted: list[tuple[str, str]]) -> int:
    """BatchWriteItem, 25 requests at a time, resending what DynamoDB leaves unprocessed."""
    import boto3

    dynamodb = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name=REGION)
    table = environment["REGISTRY_TABLE"]
    requests_: list[dict[str, Any]] = [{"PutRequest": {"Item": item}} for item in written]
    requests_ += [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in deleted]
    calls = 0
    for start in range(0, len(requests_), BATCH):
        pending: dict[str, Any] = {table: requests_[start:start + BATCH]}
        while pending:
            calls += 1
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return calls


@dataclass
class Desk:
    org_id: str
    username: str
    accounts: list[str]


def register_desks(count: int, accounts: int) -> list[Desk]:
    desks = []
    for index in range(count):
        org_id = f"load-desk-{index + 1:02d}"
        _admin("create_organisation", {"org_id": org_id, "name": f"Load Desk {index + 1:02d} Co., Ltd.",
                                       "name_ja": f"負荷試験デスク{index + 1:02d}株式会社", "kind": "trading"})
        username = f"desk{index + 1:02d}"
        _admin("create_user", {"username": username, "password": PASSWORD, "role": "participant", "org_id": org_id,
                               "email": f"{username}@example.jp"})
        desks.append(Desk(org_id, username, []))
    for index in range(accounts):
        desk = desks[index % count]
        desk.accounts.append(_admin("open_account", {"org_id": desk.org_id, "type": 121})["number"])
    return desks


def generate_year(table: SeedTable, desks: list[Desk], movements: int, seed: int = 11,
                  progress: Callable[[str], None] = print) -> dict[str, int]:
    """One allocation per desk account, then ``movements`` transfers and retirements among
    them, made by the registry's service and written by its adapter into ``table``."""
    from chalicelib.registry.service import Initiator, IssueCommand, Ledger, RetireCommand, TransferCommand

    rng = random.Random(seed)
    started = time.monotonic()
    store = SeedStore(table)
    clock = SimulatedClock()
    ledger = Ledger(store, store, clock=clock)  # type: ignore[arg-type]  # SeedStore serves both ports' reads
    owner = {number: desk for desk in desks for number in desk.accounts}
    numbers = sorted(owner)
    step = timedelta(seconds=YEAR_SECONDS / (movements + len(numbers)))
    counts: Counter[str] = Counter()
    with store:
        for number in numbers:
            ledger.issue(IssueCommand(account=number, unit_type="JPA", issued_period="01", adopted_period="01", amount=ALLOCATION,
                                      reason="Load allocation", idempotency_key=f"load-issue-{number}", initiated_by="load"))
            clock.now += step
            counts["issuance"] += 1
        done = 0
        while done < movements:
            sender = rng.choice(numbers)
            desk = owner[sender]
            initiator = Initiator(desk.username, desk.org_id)
            held = store.accounts[sender].balance
            key = f"load-{done}"
            if held <= 20:
                continue
            if rng.random() < RETIREMENT_SHARE:
                ledger.retire(RetireCommand.from_request(
                    {"account": sender, "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": rng.randint(1, 10)}]},
                    key, initiator))
                counts["retirement"] += 1
            else:
                receiver = rng.choice(numbers)
                while receiver == sender:
                    receiver = rng.choice(numbers)
                ledger.transfer(TransferCommand.from_request(
                    {"from_account": sender, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": rng.randint(1, 20)}]},
                    key, initiator))
                counts["transfer"] += 1
            done += 1
            clock.now += step
            if done % 10_000 == 0:
                progress(f"  seeded {done:,} movements ({time.monotonic() - started:.0f} s)")
    return dict(counts)


def seed_year(environment: dict[str, str], desks: list[Desk], movements: int, seed: int = 11) -> dict[str, Any]:
    """The year's allocations and movements, written by the registry's own code into a
    private copy of the table, then sent to the stack with batch writes."""
    started = time.monotonic()
    table = SeedTable(environment["REGISTRY_TABLE"], _scan(environment))
    counts = generate_year(table, desks, movements, seed, progress=lambda line: print(line, flush=True))
    generated = time.monotonic() - started
    written, deleted = table.changes()
    written.extend(_trust_items(desks))
    del table
    sent = time.monotonic()
    calls = _batch_write(environment, written, deleted)
    return {"movements": counts, "items_written": len(written), "items_deleted": len(deleted), "batch_calls": calls,
            "generate_seconds": round(generated, 1), "batch_seconds": round(time.monotonic() - sent, 1)}


#: Each account's trusted receivers (issue 15: a transfer to any other account is held for
#: a day); the workload's transfers go to these, as a trading desk's mostly do.
PARTNERS = 4


def partners(account: str, everyone: list[str]) -> list[str]:
    """The accounts ``account`` trusts: a fixed pick among the others (stable per account)."""
    others = [number for number in everyone if number != account]
    return random.Random(account).sample(others, min(PARTNERS, len(others)))


def _trust_items(desks: list[Desk]) -> list[dict[str, Any]]:
    """Every account's trusted receivers as items, in effect since eight days ago."""
    from chalicelib.core.clock import now_jst
    from chalicelib.registry.adapters.trust import TrustedReceiverItem

    since = (now_jst() - timedelta(days=8)).isoformat(timespec="seconds")
    everyone = [number for desk in desks for number in desk.accounts]
    holder = {number: desk for desk in desks for number in desk.accounts}
    return [TrustedReceiverItem(*TrustedReceiverItem.key(account, receiver), account=account, receiver=receiver,
                                holder=holder[receiver].org_id, holder_ja=holder[receiver].org_id, added_by="load",
                                added_at=since, effective_at=since).serialize()
            for account in everyone for receiver in partners(account, everyone)]


# --- the workload -----------------------------------------------------------------------


def _login(api: str, username: str) -> str:
    # 16 clients signing in at once can overflow the local server's listen backlog
    # (a connection reset): signing in again is harmless.
    for attempt in range(MAX_RETRIES):
        try:
            response = requests.post(f"{api}/auth/login", json={"username": username, "password": PASSWORD}, timeout=60)
            break
        except requests.exceptions.ConnectionError:
            if attempt == MAX_RETRIES - 1:
                raise
            time.sleep(random.random())
    response.raise_for_status()
    return str(response.json()["id_token"])


def _read(session: requests.Session, url: str, **kwargs: Any) -> str:
    """A GET, sent again after a connection reset (a read changes nothing)."""
    for attempt in range(MAX_RETRIES):
        try:
            return str(session.get(url, timeout=300, **kwargs).status_code)
        except requests.exceptions.ConnectionError:
            if attempt == MAX_RETRIES - 1:
                raise
            time.sleep(random.random())
    return "no answer"


def run_workload(api: str, desks: list[Desk], operations: int, seed: int = 5) -> dict[str, Any]:
    everyone = [number for desk in desks for number in desk.accounts]
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    months = [(YEAR_START + timedelta(days=30 * m)).date() for m in range(12)]

    def client(desk: Desk, rng: random.Random) -> None:
        try:
            session = requests.Session()
            headers = {"Authorization": _login(api, desk.username)}
            for _ in range(operations):
                operation = rng.choices(list(MIX), weights=list(MIX.values()))[0]
                account = rng.choice(desk.accounts)
                began = time.perf_counter()
                status = _operate(session, api, headers, operation, account, everyone, months, rng, outcomes, lock)
                with lock:
                    latencies[operation].append(time.perf_counter() - began)
                    outcomes[f"{operation}: {status}"] += 1
        except Exception as error:  # noqa: BLE001 - a client that stops is counted, and fails the run
            with lock:
                outcomes[f"client {desk.username}: failed ({type(error).__name__})"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(desk, random.Random(seed + i))) for i, desk in enumerate(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"seconds": round(elapsed, 1), "operations": sum(len(v) for v in latencies.values()),
            "latencies": dict(latencies), "outcomes": dict(outcomes)}


def _operate(session: requests.Session, api: str, headers: dict[str, str], operation: str, account: str, everyone: list[str],
             months: list[Any], rng: random.Random, outcomes: Counter[str], lock: threading.Lock) -> str:
    if operation == "balance view":
        return _read(session, f"{api}/accounts/{account}/balance", headers=headers)
    if operation == "history page":
        first = rng.choice(months)
        query = {"from": first.isoformat(), "to": (first + timedelta(days=29)).isoformat(), "limit": "50"}
        return _read(session, f"{api}/accounts/{account}/transactions", params=query, headers=headers)
    if operation == "transfer":
        receiver = rng.choice(partners(account, everyone))
        body: dict[str, Any]
        path, body = "/transfers", {"from_account": account, "to_account": receiver,
                                    "lines": [{"unit_type": "JPA", "amount": rng.randint(1, 5)}]}
    else:
        path, body = "/retirements", {"account": account, "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 1}]}
    key = f"load-run-{uuid.uuid4()}"
    response = None
    for _attempt in range(MAX_RETRIES + 1):
        try:
            response = session.post(f"{api}{path}", json=body, timeout=300, headers={**headers, "Idempotency-Key": key})
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
            with lock:
                outcomes[f"{operation}: {type(error).__name__}, retried with the same key"] += 1
            continue
        if response.status_code != 503:
            break
        with lock:
            outcomes[f"{operation}: 503, retried with the same key"] += 1
        time.sleep(float(response.headers.get("Retry-After", "1")) * random.random())
    if response is None:
        return "no answer"
    if 400 <= response.status_code < 500:
        return f"{response.status_code} {response.json()['error']['code']}"
    return str(response.status_code)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


# --- the run --------------------------------------------------------------------------------


def run(accounts: int, transactions: int, clients: int, operations: int,
        report: Callable[[str], None] = lambda line: print(line, flush=True)) -> dict[str, Any]:
    from chalicelib import container
    from devtools.stack import use_environment

    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as local:
        stack = RunningStack(Path(local)).start(timeout=300)
        try:
            environment = stack.info["environment"]
            use_environment(environment)
            started = time.monotonic()
            _admin("set_market", {"action": "force_open", "reason": "load"})
            desks = register_desks(clients, accounts)
            report(f"registered {clients} desks and opened {accounts:,} accounts ({time.monotonic() - started:.0f} s)")
            seeded = seed_year(environment, desks, transactions)
            report(f"seeded: {seeded}")
            workload = run_workload(stack.info["api_url"], desks, operations)
            for line in _workload_lines(workload, clients):
                report(line)
            audited = time.monotonic()
            audit = _admin("audit_ledger", {})
            return {"seeded": seeded, "workload": workload, "audit": audit, "audit_seconds": round(time.monotonic() - audited, 1),
                    "accounts": accounts, "clients": clients}
        finally:
            stack.stop()
            os.environ.clear()
            os.environ.update(saved)
            container.reset()


def _workload_lines(workload: dict[str, Any], clients: int) -> Iterator[str]:
    yield (f"load: {workload['operations']:,} operations from {clients} clients in {workload['seconds']} s: "
           f"{workload['operations'] / max(workload['seconds'], 0.001):.1f} operations/s (moto behind one lock; not AWS)")
    yield f"  {'operation':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    for name in MIX:
        values = workload["latencies"].get(name, [])
        if values:
            yield (f"  {name:<14}{len(values):>7}{percentile(values, 0.50) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
                   f"{percentile(values, 0.99) * 1000:>9.0f}")
    for name, count in sorted(workload["outcomes"].items()):
        yield f"  {name:<55}{count:>7}"


def _audit_lines(result: dict[str, Any]) -> Iterator[str]:
    audit = result["audit"]
    yield (f"  audit_ledger clean: {audit['ok']} ({audit['accounts']:,} accounts, {audit['blocks']:,} blocks, "
           f"{audit['transactions']:,} transactions; {result['audit_seconds']} s)")
    for problem in audit["problems"][:10]:
        yield f"    {problem}"


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=DESKS)
    parser.add_argument("--operations", type=int, default=150, help="operations per client")
    args = parser.parse_args(argv)
    result = run(args.accounts, args.transactions, args.clients, args.operations)
    for line in _audit_lines(result):
        print(line)
    failed = [name for name in result["workload"]["outcomes"] if name.split(": ")[-1].startswith(("5", "no answer", "failed"))]
    return 0 if result["audit"]["ok"] and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
