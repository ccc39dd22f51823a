"""The registry's ports in memory: accounts, the ledger store and the organisation directory.

``FakeAccounts`` and ``FakeLedgerStore`` share one ``Memory``, as the DynamoDB adapters
share one table. ``FakeLedgerStore.commit`` checks exactly the conditions that
``chalicelib.registry.adapters.ledger.LedgerStore.commit`` puts in its transaction, names
the failed ones with the adapter's labels (in the order DynamoDB would answer them) and
applies all of the writes or none (``tests/integration/test_ledger_store_contract.py`` runs
the same cases against both). Tests reach in through ``meanwhile`` (someone else
writes between the service's reads and its commit) and ``failing_linked`` (a linked
write whose own condition fails).
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.organisations import Organisation, OrganisationExists, OrganisationNotFound
from chalicelib.core.table import SENDING_ORDER
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.domain.accounts import SINGLETON_TYPES, STATUS_JA, Account, AccountNumber, AccountStatus, AccountType
from chalicelib.registry.domain.blocks import Block
from chalicelib.registry.domain.calendar import MarketState
from chalicelib.registry.domain.errors import (
    AccountNotEmpty,
    AccountNotFound,
    AccountNotOpen,
    InvalidCursor,
    SingletonAccountExists,
    StatusChangeNotAllowed,
)
from chalicelib.registry.domain.invariants import Snapshot
from chalicelib.registry.domain.movements import MAX_ACTIONS, HistoryEntry, Movement


@dataclass
class StoredBlock:
    """A block item: stored in ``partition`` (an account number), naming its ``owner``."""

    partition: str
    owner: str
    block: Block
    acquired_by: str


@dataclass
class StoredTransaction:
    """A transaction record as the adapter stores it (``core`` and ``chain`` as JSON)."""

    transaction_id: str
    kind: str
    created_at: str
    core: str
    chain: str
    fingerprint: str
    initiated_by: str
    initiator_org: str
    idempotency_key: str
    status: str = "completed"
    corrected_by: str | None = None


@dataclass
class Memory:
    """The table's registry items, by key."""

    accounts: dict[str, Account] = field(default_factory=dict)
    #: (partition, block id) -> block item
    blocks: dict[tuple[str, str], StoredBlock] = field(default_factory=dict)
    #: (account, sort key "H#<created at>#<transaction id>") -> history row
    history: dict[tuple[str, str], HistoryEntry] = field(default_factory=dict)
    #: (account, date) -> (units in, units out) that day
    days: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    transactions: dict[str, StoredTransaction] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    market: MarketState | None = None
    #: Items other systems link to movements (``FakeLinkedWrite``), by key.
    linked_items: dict[str, Any] = field(default_factory=dict)

    def state(self) -> dict[str, Any]:
        """A deep copy of everything a movement writes: equal before and after means nothing moved."""
        return copy.deepcopy({"accounts": self.accounts, "blocks": self.blocks, "history": self.history, "days": self.days,
                              "transactions": self.transactions, "counters": self.counters,
                              "linked_items": self.linked_items})

    def restore(self, state: dict[str, Any]) -> None:
        """Put back what ``state()`` copied (a test that broke a condition on purpose)."""
        for name, value in copy.deepcopy(state).items():
            setattr(self, name, value)

    # --- someone else writes (what a concurrent request would change) ---------------------

    def touch_account(self, number: str) -> None:
        """Another write to the account: its version advances."""
        self.accounts[number] = replace(self.accounts[number], version=self.accounts[number].version + 1)

    def touch_block(self, owner: str, block_id: str) -> None:
        stored = self.blocks[(owner, block_id)]
        stored.block = replace(stored.block, version=stored.block.version + 1)


# --- the organisation directory ---------------------------------------------------------------


class FakeOrganisations:
    """``OrganisationsPort`` (and identity's ``OrganisationStore``) over a dict."""

    def __init__(self, *organisations: Organisation) -> None:
        self.items = {organisation.org_id: organisation for organisation in organisations}

    def get(self, org_id: str) -> Organisation | None:
        return self.items.get(org_id)

    def create(self, organisation: Organisation) -> Organisation:
        if organisation.org_id in self.items:
            raise OrganisationExists(org_id=organisation.org_id)
        self.items[organisation.org_id] = organisation
        return organisation


# --- accounts ----------------------------------------------------------------------------------


class FakeAccounts:
    """``AccountsPort``: the same refusals as ``RegistryStore``, each write advancing the version."""

    def __init__(self, memory: Memory, organisations: FakeOrganisations | None = None) -> None:
        self.memory = memory
        self.organisations = organisations

    def get_account(self, number: str) -> Account | None:
        return self.memory.accounts.get(number)

    def get_accounts(self, numbers: list[str]) -> dict[str, Account]:
        return {number: self.memory.accounts[number] for number in numbers if number in self.memory.accounts}

    def accounts_of(self, org_id: str) -> list[dict[str, Any]]:
        # The adapter queries the organisation's links, which sort by "ACCT#<number>".
        return [{"number": a.number, "type": a.type, "status": a.status.value}
                for a in sorted(self.memory.accounts.values(), key=lambda a: a.number) if a.holder_org_id == org_id]

    def open_account(self, holder: Organisation, account_type: AccountType, period: int, now: str) -> Account:
        if self.organisations is not None and self.organisations.get(holder.org_id) is None:
            raise OrganisationNotFound(org_id=holder.org_id)
        singleton = account_type in SINGLETON_TYPES
        counter = f"ACCOUNT#{int(account_type)}"
        identifier = 1 if singleton else self.memory.counters.get(counter, 0) + 1
        number = str(AccountNumber.build(account_type, identifier, period))
        if number in self.memory.accounts:
            raise SingletonAccountExists(type=int(account_type), number=number)
        if not singleton:
            self.memory.counters[counter] = identifier
        account = Account(number=number, type=int(account_type), holder_org_id=holder.org_id, holder_name=holder.name,
                          holder_name_ja=holder.name_ja, created_at=now)
        self.memory.accounts[number] = account
        return account

    def _existing(self, number: str) -> Account:
        account = self.memory.accounts.get(number)
        if account is None:
            raise AccountNotFound(number=number)
        return account

    def _write(self, account: Account, **changes: Any) -> Account:
        written = replace(account, version=account.version + 1, **changes)
        self.memory.accounts[account.number] = written
        return written

    def close_account(self, number: str) -> Account:
        account = self._existing(number)
        if account.status is AccountStatus.CLOSED:
            raise AccountNotOpen(number=number, status="closed", status_ja=STATUS_JA["closed"])
        if account.balance:
            raise AccountNotEmpty(number=number, balance=account.balance)
        return self._write(account, status=AccountStatus.CLOSED)

    def set_account_status(self, number: str, status: str) -> Account:
        target = AccountStatus(status)
        source = AccountStatus.OPEN if target is AccountStatus.BLOCKED else AccountStatus.BLOCKED
        account = self._existing(number)
        if account.status is not source:
            raise StatusChangeNotAllowed(number=number, status=account.status.value, status_ja=STATUS_JA[account.status.value],
                                         wanted=target.value, wanted_ja=STATUS_JA[target.value])
        return self._write(account, status=target)

    def set_commitment_reserve(self, number: str, reserve: int) -> Account:
        account = self._existing(number)
        if account.status is AccountStatus.CLOSED:
            raise AccountNotOpen(number=number, status="closed", status_ja=STATUS_JA["closed"])
        return self._write(account, commitment_reserve=reserve)


# --- linked writes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeLinkedWrite:
    """A linked write on a small item of another system (say a deal): its condition is
    that ``linked_items[key]`` is ``expect`` (``None``: the item does not exist yet), and
    it writes ``value`` there. ``kind`` is the action it would be in the transaction."""

    label: str
    key: str
    expect: Any
    value: Any
    kind: str = "update"

    def holds(self, items: dict[str, Any]) -> bool:
        return items.get(self.key) == self.expect

    def apply(self, items: dict[str, Any]) -> None:
        items[self.key] = self.value


# --- the ledger store ----------------------------------------------------------------------------


class _Action(NamedTuple):
    kind: str  # condition_check | delete | save | update, as PynamoDB groups them
    label: str
    item: tuple[str, str]
    holds: bool
    apply: Callable[[], None]


def _nothing() -> None:
    return None


def _encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        value = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode()
    except (ValueError, UnicodeError) as error:
        raise InvalidCursor(field="cursor") from error
    if not value.startswith("H#"):
        raise InvalidCursor(field="cursor")
    return value


class FakeLedgerStore:
    """``LedgerPort`` in memory.

    - ``meanwhile(write, times)``: run ``write`` at the start of the next ``times``
      commits, after the service has read and decided: someone else wrote first.
    - ``failing_linked``: labels of linked writes (other than ``FakeLinkedWrite``, which
      checks its own item) whose condition fails.
    - ``attempts`` records every ``commit`` call with its linked writes, ``committed``
      the ones that were written, ``failures`` the labels of each refused one.
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.failing_linked: set[str] = set()
        self.attempts: list[tuple[Movement, tuple[Any, ...]]] = []
        self.committed: list[tuple[Movement, tuple[Any, ...]]] = []
        self.failures: list[tuple[str, ...]] = []
        self._meanwhile: list[list[Any]] = []
        self._interfering = False
        #: Blocks read by ``block_page`` and ``blocks_held`` (what a movement costs).
        self.blocks_read = 0

    def meanwhile(self, write: Callable[[], object], times: int = 1) -> None:
        self._meanwhile.append([write, times])

    # --- reads ------------------------------------------------------------------------

    def holdings(self, number: str) -> tuple[Account | None, list[Block]]:
        blocks = [stored.block for (partition, _), stored in self.memory.blocks.items() if partition == number]
        return self.memory.accounts.get(number), blocks

    def block_page(self, number: str, prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Block], str | None]:
        """As the adapter's Query: positions starting with the prefix, after ``after``."""
        start = "".join(f"{part}#" for part in prefix)
        held = sorted((stored.block for (partition, _), stored in self.memory.blocks.items()
                       if partition == number and stored.block.position.startswith(start)
                       and (after is None or stored.block.position > after)), key=lambda block: block.position)
        page = held[:limit]
        self.blocks_read += len(page)
        return page, page[-1].position if page and len(page) == limit else None

    def blocks_held(self, number: str, wanted: list[Block]) -> list[Block]:
        """As the adapter's BatchGetItem: each wanted block still at its position."""
        found = []
        for block in wanted:
            stored = self.memory.blocks.get((number, block.block_id))
            if stored is not None and stored.block.position == block.position:
                found.append(stored.block)
        self.blocks_read += len(found)
        return found

    def counter(self, name: str) -> int:
        return self.memory.counters.get(name, 0)

    def transaction(self, transaction_id: str) -> StoredTransaction | None:
        stored = self.memory.transactions.get(transaction_id)
        return replace(stored) if stored is not None else None  # a read is a copy, not a live item

    def _rows(self, number: str, lower: str, upper: str) -> list[tuple[str, HistoryEntry]]:
        return sorted((sk, row) for (account, sk), row in self.memory.history.items() if account == number and lower <= sk <= upper)

    def history_page(self, number: str, first: str, last: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        lower, upper = f"H#{first}", f"H#{last}~"
        rows = self._rows(number, lower, upper)
        if cursor:
            after = _decode_cursor(cursor)
            if not lower <= after <= upper:
                raise InvalidCursor(field="cursor")
            rows = [(sk, row) for sk, row in rows if sk > after]
        page = rows[:limit]
        items = [
            {"id": row.transaction_id, "date": row.date, "created_at": row.created_at, "type": row.kind, "status": row.status,
             "from_account": row.from_account or None, "from_name": row.from_name or None, "from_name_ja": row.from_name_ja or None,
             "to_account": row.to_account or None, "to_name": row.to_name or None, "to_name_ja": row.to_name_ja or None,
             "in": row.amount_in, "out": row.amount_out, "correction": row.correction, "deal_ref": row.deal_ref}
            for _, row in page
        ]
        # As the adapter: a full page ends with a cursor (the next page may be empty).
        return items, _encode_cursor(page[-1][0]) if page and len(page) == limit else None

    def day_totals(self, number: str, first: str, last: str) -> tuple[int, int]:
        days = [totals for (account, day), totals in self.memory.days.items() if account == number and first <= day <= last]
        return sum(day[0] for day in days), sum(day[1] for day in days)

    def market(self) -> MarketState:
        return self.memory.market or MarketState()

    def put_market(self, state: MarketState, expected_mode: str | None = None) -> bool:
        current = self.memory.market
        if current is not None and (current.mode, current.status, current.closes_at, current.reason) == (
                state.mode, state.status, state.closes_at, state.reason):
            return False
        if expected_mode is not None and (current.mode if current else "auto") != expected_mode:
            return False
        self.memory.market = state
        return True

    def snapshot(self) -> Snapshot:
        memory = self.memory
        snap = Snapshot()
        for number, account in memory.accounts.items():
            snap.accounts[number] = {
                "type": account.type, "balance": account.balance,
                "transferable": account.balance - account.commitment_reserve,  # as stored: may go below zero
                "commitment_reserve": account.commitment_reserve, "last_hash": account.last_hash, "seq": account.seq,
                "cum_in": account.cum_in, "cum_out": account.cum_out, "in_count": account.in_count,
            }
        for stored in memory.blocks.values():
            block = stored.block
            snap.blocks.append({"owner": stored.owner, "partition": stored.partition, "block_id": block.block_id,
                                "origin": block.origin, "unit_type": block.unit_type, "issued_period": block.issued_period,
                                "serial_start": block.serial_start, "serial_end": block.serial_end, "amount": block.amount})
        for tx_id, record in memory.transactions.items():
            snap.transactions[tx_id] = {"core": json.loads(record.core), "chain": json.loads(record.chain)}
        snap.counters = dict(memory.counters)
        for number, _ in memory.history:
            snap.history_rows[number] = snap.history_rows.get(number, 0) + 1
        for (number, _), (day_in, day_out) in memory.days.items():
            total_in, total_out = snap.day_totals.get(number, (0, 0))
            snap.day_totals[number] = (total_in + day_in, total_out + day_out)
        return snap

    # --- the one write --------------------------------------------------------------

    def _interfere(self) -> None:
        if self._interfering:  # a write made "meanwhile" commits without interference
            return
        due = [entry for entry in self._meanwhile if entry[1] > 0]
        for entry in due:
            entry[1] -= 1
        self._meanwhile = [entry for entry in self._meanwhile if entry[1] > 0]
        self._interfering = True
        try:
            for write, _ in due:
                write()
        finally:
            self._interfering = False

    def commit(self, movement: Movement, linked: tuple[Any, ...] = ()) -> None:
        """Check every condition of the adapter's transaction, then write all or nothing."""
        self.attempts.append((movement, linked))
        self._interfere()
        actions = self._actions(movement, linked)
        items = [action.item for action in actions]
        if len(actions) > MAX_ACTIONS or len(set(items)) != len(items):
            # DynamoDB refuses the request itself (ValidationException): the adapter answers 503.
            raise ServiceUnavailable(details=[{"cause": "ValidationException"}])
        failed = tuple(action.label for kind in SENDING_ORDER for action in actions if action.kind == kind and not action.holds)
        if failed:
            self.failures.append(failed)
            raise CommitFailed(failed=failed)
        for action in actions:
            action.apply()
        self.committed.append((movement, linked))

    def _actions(self, movement: Movement, linked: tuple[Any, ...]) -> list[_Action]:
        memory = self.memory
        actions: list[_Action] = []
        if movement.market_open_at is not None:
            market = memory.market
            is_open = market is not None and market.status == "open" and market.closes_at > movement.market_open_at
            actions.append(_Action("condition_check", "market", ("MARKET", "STATE"), is_open, _nothing))
        sender = movement.sender or ""
        for take in movement.takes:
            key = (sender, take.block.block_id)
            stored = memory.blocks.get(key)
            unchanged = stored is not None and stored.block.version == take.block.version and stored.owner == sender
            remainder = take.remainder()
            if remainder is None:
                actions.append(_Action("delete", f"block:{take.block.block_id}", key, unchanged,
                                       lambda key=key: memory.blocks.pop(key)))
            else:
                def split(key: tuple[str, str] = key, remainder: Block = remainder) -> None:
                    memory.blocks[key].block = replace(memory.blocks[key].block, serial_start=remainder.serial_start,
                                                       version=remainder.version)
                actions.append(_Action("update", f"block:{take.block.block_id}", key, unchanged, split))
        arriving = [("arrive", block) for block in (movement.moved_blocks if movement.takes else ())]
        for prefix, block in arriving + [("create", block) for block in movement.created_blocks]:
            key = (movement.receiver, block.block_id)
            stored = StoredBlock(movement.receiver, movement.receiver, block, movement.transaction_id)
            actions.append(_Action("save", f"{prefix}:{block.block_id}", key, key not in memory.blocks,
                                   lambda key=key, stored=stored: memory.blocks.__setitem__(key, stored)))
        for change in movement.changes:
            entry = change.history
            key = (entry.account, f"H#{entry.created_at}#{entry.transaction_id}")
            actions.append(_Action("save", f"history:{entry.account}", key, key not in memory.history,
                                   lambda key=key, entry=entry: memory.history.__setitem__(key, entry)))
        record = StoredTransaction(
            transaction_id=movement.transaction_id, kind=movement.kind, created_at=movement.created_at,
            core=json.dumps(movement.core, ensure_ascii=False, sort_keys=True), chain=json.dumps(movement.chain, sort_keys=True),
            fingerprint=movement.fingerprint, initiated_by=movement.initiated_by, initiator_org=movement.initiator_org,
            idempotency_key=movement.idempotency_key,
        )
        actions.append(_Action("save", "transaction", ("TXN", movement.transaction_id), movement.transaction_id not in memory.transactions,
                               lambda: memory.transactions.__setitem__(movement.transaction_id, record)))
        for change in movement.changes:
            number = change.before.number
            current = memory.accounts.get(number)
            if change.owner:
                holds = current is not None and current.version == change.before.version and current.status is AccountStatus.OPEN
            else:  # a receipt: open is all it needs
                holds = current is not None and current.status is AccountStatus.OPEN
            if change.require_transferable is not None:
                holds = holds and current is not None and current.balance - current.commitment_reserve >= change.require_transferable

            def update(number: str = number, change: Any = change) -> None:
                account = memory.accounts[number]
                if change.owner:
                    memory.accounts[number] = replace(
                        account, balance=account.balance + change.delta, cum_in=account.cum_in + change.amount_in,
                        cum_out=account.cum_out + change.amount_out, version=account.version + 1, last_hash=change.new_hash,
                        seq=change.new_seq,
                    )
                else:
                    memory.accounts[number] = replace(
                        account, balance=account.balance + change.delta, cum_in=account.cum_in + change.amount_in,
                        in_count=account.in_count + 1,
                    )
            actions.append(_Action("update", f"account:{number}", ("ACCT", number), holds, update))
        for change in movement.changes:
            day_key = (change.before.number, change.history.date)

            def add(day_key: tuple[str, str] = day_key, change: Any = change) -> None:
                day_in, day_out = memory.days.get(day_key, (0, 0))
                memory.days[day_key] = (day_in + change.amount_in, day_out + change.amount_out)
            actions.append(_Action("update", f"day:{change.before.number}", ("DAY", *day_key), True, add))
        if movement.counter is not None:
            name, read, written = movement.counter
            holds = memory.counters.get(name) == read if read else name not in memory.counters
            actions.append(_Action("update", "counter", ("COUNTER", name), holds,
                                   lambda: memory.counters.__setitem__(name, written)))
        if movement.corrects is not None:
            corrected = memory.transactions.get(movement.corrects)
            holds = corrected is not None and corrected.corrected_by is None

            def mark(corrects: str = movement.corrects) -> None:
                memory.transactions[corrects].corrected_by = movement.transaction_id
            actions.append(_Action("update", "corrects", ("TXN", movement.corrects), holds, mark))
        for write in linked:
            if isinstance(write, FakeLinkedWrite):
                actions.append(_Action(write.kind, write.label, ("LINKED", write.key), write.holds(memory.linked_items),
                                       lambda write=write: write.apply(memory.linked_items)))
            else:
                actions.append(_Action(write.kind, write.label, ("LINKED", write.label), write.label not in self.failing_linked, _nothing))
        return actions
