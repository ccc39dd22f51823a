"""The registry's use cases, each taking a typed command and returning a typed result.

Moving units (issue, transfer, retire, correct) goes through ONE loop, ``_write``: read
what the movement needs (the sender's account and blocks in one query, the receiver's
account in one get), decide with the pure domain rules, and write ONE conditional
transaction. When a condition fails because someone else wrote first, it reads again
and retries a bounded number of times with jittered backoff. A retry of a request with
the same Idempotency-Key finds the transaction already written and returns it: nothing
moves twice.

Another system adds its own conditions and writes to a transfer's transaction through
``TransferCommand.linked`` (``chalicelib.core.table.LinkedWrite``): they are written
in the same ``TransactWriteItems`` as the movement, or not at all, and a failed one is
reported as ``LinkedConditionFailed`` naming its label.
"""

from __future__ import annotations

import base64
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from chalicelib.core.clock import JST, now_jst
from chalicelib.core.errors import JvetsError
from chalicelib.core.organisations import OrganisationKind, OrganisationNotFound
from chalicelib.core.principal import Principal
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.domain import calendar
from chalicelib.registry.domain.accounts import (
    Account,
    AccountNumber,
    AccountStatus,
    AccountType,
    ensure_open,
    may_hold,
    retirement_account_number,
)
from chalicelib.registry.domain.blocks import (
    ORIGIN,
    Block,
    Line,
    Plan,
    Take,
    choose,
    request_fingerprint,
    transaction_id,
)
from chalicelib.registry.domain.errors import (
    AccountNotFound,
    AccountTypeNotAllowed,
    AlreadyCorrected,
    ConcurrentUpdate,
    IdempotencyMismatch,
    InvalidCursor,
    InvalidDateRange,
    InvalidLimit,
    LinkedConditionFailed,
    MarketClosed,
    NotCorrectable,
    ReserveBreach,
    SameAccount,
    TransactionNotFound,
    UnitsNoLongerHeld,
    UnknownReceiver,
)
from chalicelib.registry.domain.invariants import audit
from chalicelib.registry.domain.movements import (
    Movement,
    build,
    max_blocks,
    receiving_kind,
    reserve_applies,
    transfer_kind,
)
from chalicelib.registry.ports import AccountsPort, LedgerPort, OrganisationsPort, StoredTransaction

MAX_ATTEMPTS = 8
#: Transaction ids derive from (namespace, key): a participant's namespace is its
#: organisation id, which can never start with "#", so these cannot collide with one.
ISSUANCE_NAMESPACE = "#issuance"
CORRECTION_NAMESPACE = "#correction"
_TRANSACTION_ID = re.compile(r"^TX[0-9A-F]{18}$")
Clock = Callable[[], datetime]
#: History pages hold at least one and at most this many rows.
HISTORY_LIMIT = (1, 200)
#: Balance pages hold at least one and at most this many block lines (default 100).
BALANCE_LIMIT = (1, 500)
BALANCE_PAGE = 100
#: Blocks read per page when summing what an account holds of one type (a query stops at 1 MB anyway).
HOLDING_PAGE = 500


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Initiator:
    """Who asks for a movement: a user, and the organisation that must hold the sender."""

    username: str
    org_id: str

    @classmethod
    def of(cls, principal: Principal) -> Initiator:
        return cls(principal.username, principal.org_id)


@dataclass(frozen=True)
class TransferCommand:
    """Move units from one account of the initiator's organisation to another account.

    ``deal_ref`` names the notice board's deal a transfer settles (kept in the record);
    ``linked`` holds the writes another system adds to the very same transaction.
    """

    sender: str
    receiver: str
    lines: tuple[Line, ...]
    idempotency_key: str
    initiator: Initiator
    deal_ref: str | None = None
    linked: tuple[Any, ...] = field(default=())

    @classmethod
    def from_request(cls, body: Mapping[str, Any], idempotency_key: str, initiator: Initiator) -> TransferCommand:
        """From a request body ``{"from_account", "to_account", "lines": [...]}``."""
        return cls(sender=body["from_account"], receiver=body["to_account"], lines=lines_of(body["lines"]),
                   idempotency_key=idempotency_key, initiator=initiator)

    def fingerprint(self) -> str:
        body: dict[str, Any] = {
            "from_account": self.sender,
            "to_account": self.receiver,
            "lines": [_line_body(line) for line in self.lines],
        }
        if self.deal_ref is not None:
            body["deal_ref"] = self.deal_ref
        return request_fingerprint("transfer", body)


@dataclass(frozen=True)
class RetireCommand:
    """Retire units toward a compliance period (the commitment reserve may be used)."""

    account: str
    compliance_period: str
    lines: tuple[Line, ...]
    idempotency_key: str
    initiator: Initiator

    @classmethod
    def from_request(cls, body: Mapping[str, Any], idempotency_key: str, initiator: Initiator) -> RetireCommand:
        """From a request body ``{"account", "compliance_period", "lines": [...]}``."""
        return cls(account=body["account"], compliance_period=body["compliance_period"], lines=lines_of(body["lines"]),
                   idempotency_key=idempotency_key, initiator=initiator)

    def fingerprint(self) -> str:
        return request_fingerprint(
            "retirement",
            {"account": self.account, "compliance_period": self.compliance_period,
             "lines": [_line_body(line) for line in self.lines]},
        )


@dataclass(frozen=True)
class IssueCommand:
    """The administrator creates units in a new serial block of an account (``linked``:
    writes another system adds to the same transaction, as for a transfer)."""

    account: str
    unit_type: str
    issued_period: str
    adopted_period: str
    amount: int
    reason: str
    idempotency_key: str
    initiated_by: str
    project: str | None = None
    #: Another system's writes in the same transaction (an approved proposal's mark).
    linked: tuple[Any, ...] = field(default=())

    def fingerprint(self) -> str:
        return request_fingerprint(
            "issuance",
            {"account": self.account, "unit_type": self.unit_type, "issued_period": self.issued_period,
             "adopted_period": self.adopted_period, "project": self.project, "amount": self.amount,
             "reason": self.reason},
        )


@dataclass(frozen=True)
class CorrectCommand:
    """The administrator moves a transaction's serial blocks back to the sender, or on to
    ``to_account``, as a new transaction flagged as a correction."""

    transaction_id: str
    reason: str
    initiated_by: str
    to_account: str | None = None
    #: Another system's writes in the same transaction (an approved proposal's mark).
    linked: tuple[Any, ...] = field(default=())

    def fingerprint(self) -> str:
        return request_fingerprint(
            "correction",
            {"transaction_id": self.transaction_id, "reason": self.reason, "to_account": self.to_account},
        )


@dataclass(frozen=True)
class HistoryQuery:
    account: str
    first: str | None = None
    last: str | None = None
    cursor: str | None = None
    limit: str | None = None


def lines_of(lines: Iterable[Mapping[str, Any]]) -> tuple[Line, ...]:
    """Lines from their request form ``{"unit_type", "amount", "issued_period"?, ...}``."""
    return tuple(
        Line(line["unit_type"], line["amount"], line.get("issued_period"), line.get("adopted_period"), line.get("project"))
        for line in lines
    )


def _line_body(line: Line) -> dict[str, Any]:
    return {"unit_type": line.unit_type, "issued_period": line.issued_period,
            "adopted_period": line.adopted_period, "project": line.project, "amount": line.amount}


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """A movement's result: the transaction as the API shows it, and whether it had
    already been written under the same Idempotency-Key (a replay)."""

    transaction: dict[str, Any]
    replayed: bool = False


class AccountView(TypedDict):
    number: str
    type: int
    holder_org_id: str
    holder: str
    holder_ja: str
    status: str
    commitment_reserve: int
    balance: int
    transferable: int
    created_at: str


class HolderView(TypedDict):
    number: str
    type: int
    holder: str
    holder_ja: str
    status: str


class HoldingView(TypedDict):
    no: int
    origin: str
    unit_type: str
    issued_period: str
    adopted_period: str
    project: str | None
    serial_start: int
    serial_end: int
    amount: int


class BalanceView(TypedDict):
    account: str
    holder: str
    holder_ja: str
    status: str
    balance: int
    commitment_reserve: int
    transferable: int
    holdings: list[HoldingView]
    next_cursor: str | None


_INTERNAL = {"from_org", "to_org", "initiator_org"}


def _view(core: dict[str, Any], chain: dict[str, Any], corrected_by: str | None) -> dict[str, Any]:
    """The transaction as the API shows it (organisation ids stay internal)."""
    return {
        **{key: value for key, value in core.items() if key not in _INTERNAL},
        "date": core["created_at"][:10],
        "corrected_by": corrected_by,
        "chain": chain,
    }


def transaction_view(item: StoredTransaction) -> dict[str, Any]:
    return _view(json.loads(item.core), json.loads(item.chain), item.corrected_by)


def account_view(account: Account) -> AccountView:
    return {
        "number": account.number,
        "type": account.type,
        "holder_org_id": account.holder_org_id,
        "holder": account.holder_name,
        "holder_ja": account.holder_name_ja,
        "status": account.status.value,
        "commitment_reserve": account.commitment_reserve,
        "balance": account.balance,
        "transferable": account.transferable,
        "created_at": account.created_at,
    }


def encode_balance_cursor(shown: int, after: str) -> str:
    """Where the next balance page starts: lines shown so far and the last position."""
    return base64.urlsafe_b64encode(f"{shown}|{after}".encode()).decode().rstrip("=")


def decode_balance_cursor(cursor: str) -> tuple[int, str]:
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode()
        shown, after = text.split("|", 1)
    except (ValueError, UnicodeError) as error:
        raise InvalidCursor(field="cursor") from error
    if not (shown.isascii() and shown.isdigit() and len(shown) <= 9) or not after or len(after) > 200:
        raise InvalidCursor(field="cursor")
    return int(shown), after


def _stamp(now: datetime) -> str:
    return now.astimezone(JST).isoformat(timespec="microseconds")


def _backoff(attempt: int) -> None:
    """Bounded exponential backoff with full jitter: at most 0.4 s."""
    time.sleep(random.uniform(0, min(0.4, 0.01 * 2**attempt)))  # noqa: S311 - jitter, not crypto


# --- the one write loop -------------------------------------------------------------------------


@dataclass
class _Write:
    """How one movement is planned, written and, on a failed condition, explained."""

    tx_id: str
    fingerprint: str
    #: Reads and decides; returns the movement to write at this instant.
    plan: Callable[[datetime], Movement]
    linked: tuple[Any, ...] = ()
    #: Refusals while planning that are final even if the key was used before.
    final: tuple[type[JvetsError], ...] = ()
    #: Raises the typed error that failed conditions mean, or returns a replay.
    explain: Callable[[CommitFailed, datetime], dict[str, Any] | None] | None = None
    #: The transaction already written under this key, if the request is the same.
    replay: Callable[[], dict[str, Any] | None] | None = None


class Ledger:
    """The ledger's use cases over its ports (built once per container)."""

    def __init__(self, accounts: AccountsPort, ledger: LedgerPort, clock: Clock = now_jst) -> None:
        self.accounts = accounts
        self.store = ledger
        self.clock = clock

    def _replay(self, tx_id: str, fingerprint: str) -> dict[str, Any] | None:
        item = self.store.transaction(tx_id)
        if item is None:
            return None
        if item.fingerprint != fingerprint:
            raise IdempotencyMismatch(field="Idempotency-Key")
        return transaction_view(item)

    def _write(self, spec: _Write) -> Receipt:
        def replay() -> dict[str, Any] | None:
            return spec.replay() if spec.replay else self._replay(spec.tx_id, spec.fingerprint)

        for attempt in range(MAX_ATTEMPTS):
            now = self.clock()
            try:
                movement = spec.plan(now)
            except spec.final:
                raise
            except JvetsError:
                # A retry of a request that already completed may no longer fit the
                # balance: the key decides, not the current state.
                done = replay()
                if done is not None:
                    return Receipt(done, replayed=True)
                raise
            try:
                self.store.commit(movement, spec.linked)
            except CommitFailed as failed:
                if "transaction" in failed.failed and (done := replay()) is not None:
                    return Receipt(done, replayed=True)
                if spec.explain is not None and (done := spec.explain(failed, now)) is not None:
                    return Receipt(done, replayed=True)
                linked = [write.label for write in spec.linked if write.label in failed.failed]
                if linked:
                    raise LinkedConditionFailed(labels=", ".join(linked), details=[{"failed": linked}]) from failed
                if attempt + 1 < MAX_ATTEMPTS:  # no sleep before giving up
                    _backoff(attempt)
                continue
            return Receipt(_view(movement.core, movement.chain, None))
        raise ConcurrentUpdate()

    # --- participants' movements ------------------------------------------------------

    def _market_closed(self, failed: CommitFailed, now: datetime) -> dict[str, Any] | None:
        if "market" not in failed.failed:
            return None
        state = self.store.market()
        status = calendar.effective_status(state, now)
        if status == "open":  # it changed while we wrote: say closed as of our instant
            status = "closed"
        next_open = calendar.view(state, now)["next_open"]
        opening = state.mode == "auto" and calendar.is_open(now)  # the schedule has not opened it yet
        notice, notice_ja = calendar.closed_notice(status, state.mode, str(next_open) if next_open else None, opening=opening)
        raise MarketClosed(
            notice=notice, notice_ja=notice_ja,
            details=[{"status": status, "next_open": next_open, "reason": state.reason}],
        ) from failed

    def _plan_outgoing(
        self, *, operation: str, sender_number: str, receiver_number: str, initiator: Initiator,
        lines: list[Line], new_block_id: str, max_blocks: int,
    ) -> tuple[Account, Account, Plan]:
        """The sender (the initiator's, open), the receiver (open) and the plan of the
        blocks to take, read as far as the lines need (``blocks.choose``) and no further."""
        sender_field = "from_account" if operation == "transfer" else "account"
        both = self.accounts.get_accounts([sender_number, receiver_number])  # one request for the two
        sender = both.get(sender_number)
        if sender is None or sender.holder_org_id != initiator.org_id:
            raise AccountNotFound(number=sender_number, field=sender_field)
        ensure_open(sender, sender_field)
        if sender_number == receiver_number:
            raise SameAccount(field=sender_field)
        receiver = both.get(receiver_number)
        if receiver is None:
            raise UnknownReceiver(number=receiver_number, field="to_account")
        ensure_open(receiver, "to_account")
        if operation == "transfer":
            transfer_kind(receiver)  # the retirement account is refused before any block is read

        def pages(prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Block], str | None]:
            return self.store.block_page(sender_number, prefix, after, limit)

        return sender, receiver, choose(lines, pages, new_block_id, max_blocks)

    def transfer(self, command: TransferCommand) -> Receipt:
        sender_number = str(AccountNumber.parse_field(command.sender, "from_account"))
        receiver_number = str(AccountNumber.parse_field(command.receiver, "to_account"))
        if sender_number == receiver_number:
            raise SameAccount(field="to_account")
        tx_id = transaction_id(command.initiator.org_id, command.idempotency_key)
        lines = list(command.lines)

        def plan(now: datetime) -> Movement:
            sender, receiver, chosen = self._plan_outgoing(
                operation="transfer", sender_number=sender_number, receiver_number=receiver_number,
                initiator=command.initiator, lines=lines, new_block_id=tx_id, max_blocks=max_blocks(len(command.linked)),
            )
            kind = transfer_kind(receiver)
            if chosen.amount > sender.transferable:
                raise ReserveBreach(requested=chosen.amount, transferable=sender.transferable, field="lines")
            stamp = _stamp(now)
            return build(
                transaction_id=tx_id, kind=kind, created_at=stamp, sender=sender, receiver=receiver,
                moved=chosen.moved_blocks(), takes=chosen.takes, lines=lines,
                initiated_by=command.initiator.username, initiator_org=command.initiator.org_id,
                idempotency_key=command.idempotency_key, fingerprint=fingerprint,
                reserve_applies=reserve_applies("transfer", sender),
                market_open_at=stamp[:19] + "+09:00", deal_ref=command.deal_ref,
            )

        fingerprint = command.fingerprint()
        return self._write(_Write(
            tx_id=tx_id, fingerprint=fingerprint, plan=plan, linked=command.linked,
            final=(AccountNotFound,), explain=self._market_closed,
        ))

    def retire(self, command: RetireCommand) -> Receipt:
        account = str(AccountNumber.parse_field(command.account, "account"))
        retirement = retirement_account_number()
        tx_id = transaction_id(command.initiator.org_id, command.idempotency_key)
        lines = list(command.lines)
        fingerprint = command.fingerprint()

        def plan(now: datetime) -> Movement:
            sender, receiver, chosen = self._plan_outgoing(
                operation="retirement", sender_number=account, receiver_number=retirement,
                initiator=command.initiator, lines=lines, new_block_id=tx_id, max_blocks=max_blocks(),
            )
            return build(
                transaction_id=tx_id, kind="retirement", created_at=_stamp(now), sender=sender, receiver=receiver,
                moved=chosen.moved_blocks(), takes=chosen.takes, lines=lines,
                initiated_by=command.initiator.username, initiator_org=command.initiator.org_id,
                idempotency_key=command.idempotency_key, fingerprint=fingerprint,
                reserve_applies=reserve_applies("retirement", sender),
                compliance_period=command.compliance_period,
            )

        return self._write(_Write(tx_id=tx_id, fingerprint=fingerprint, plan=plan, final=(AccountNotFound,)))

    # --- administrator ----------------------------------------------------------------

    def issue(self, command: IssueCommand) -> Receipt:
        number = str(AccountNumber.parse_field(command.account, "account"))
        counter_name = f"SERIAL#{ORIGIN}#{command.unit_type}#{command.issued_period}"
        fingerprint = command.fingerprint()
        tx_id = transaction_id(ISSUANCE_NAMESPACE, command.idempotency_key)
        line = Line(command.unit_type, command.amount, command.issued_period, command.adopted_period, command.project)

        def plan(now: datetime) -> Movement:
            receiver = self.accounts.get_account(number)
            if receiver is None:
                raise AccountNotFound(number=number, field="account")
            ensure_open(receiver, "account")
            last = self.store.counter(counter_name)
            block = Block(
                block_id=f"{tx_id}.1",
                unit_type=command.unit_type,
                issued_period=command.issued_period,
                adopted_period=command.adopted_period,
                project=command.project or "",
                serial_start=last + 1,
                serial_end=last + command.amount,
            )
            return build(
                transaction_id=tx_id, kind="issuance", created_at=_stamp(now), sender=None, receiver=receiver,
                moved=[block], created_blocks=[block], lines=[line], initiated_by=command.initiated_by,
                initiator_org="", idempotency_key=command.idempotency_key, fingerprint=fingerprint,
                counter=(counter_name, last, block.serial_end), reason=command.reason,
            )

        return self._write(_Write(tx_id=tx_id, fingerprint=fingerprint, plan=plan, linked=command.linked,
                                  final=(AccountNotFound,)))

    def correct(self, command: CorrectCommand) -> Receipt:
        original_id = command.transaction_id
        original = self.store.transaction(original_id) if _TRANSACTION_ID.match(original_id) else None
        if original is None:
            raise TransactionNotFound(transaction_id=original_id, field="transaction_id")
        core = json.loads(original.core)
        fingerprint = command.fingerprint()
        tx_id = transaction_id(CORRECTION_NAMESPACE, original_id)

        def settled(corrected_by: str) -> dict[str, Any]:
            """The same correction asked again returns it; anything else is refused."""
            done = self.store.transaction(corrected_by) if corrected_by == tx_id else None
            if done is not None and done.fingerprint == fingerprint:
                return transaction_view(done)
            raise AlreadyCorrected(transaction_id=original_id, corrected_by=corrected_by)

        def replay() -> dict[str, Any] | None:
            latest = self.store.transaction(original_id)
            return settled(latest.corrected_by) if latest is not None and latest.corrected_by else None

        if original.corrected_by:
            return Receipt(settled(original.corrected_by), replayed=True)
        target_number = command.to_account or core["from_account"]
        if not target_number:
            raise NotCorrectable(transaction_id=original_id, reason="an issuance needs to_account",
                                 reason_ja="発行の訂正には訂正先口座が必要です", field="to_account")
        target_number = str(AccountNumber.parse_field(target_number, "to_account"))
        holder_number = core["to_account"]
        if target_number == holder_number:
            raise SameAccount(field="to_account")

        def plan(now: datetime) -> Movement:
            holder = self.accounts.get_account(holder_number)
            if holder is None:
                raise AccountNotFound(number=holder_number)
            target = self.accounts.get_account(target_number)
            if target is None:
                raise UnknownReceiver(number=target_number, field="to_account")
            ensure_open(holder, "transaction_id")
            ensure_open(target, "to_account")
            # Exactly the blocks the original moved, by their keys (never the holdings).
            recorded = [Block(block_id=b["block_id"], unit_type=b["unit_type"], issued_period=b["issued_period"],
                              adopted_period=b["adopted_period"], project=b["project"], serial_start=b["serial_start"],
                              serial_end=b["serial_end"], origin=b["origin"]) for b in core["blocks"]]
            held = {block.block_id: block for block in self.store.blocks_held(holder_number, recorded)}
            takes: list[Take] = []
            for moved in core["blocks"]:
                block = held.get(moved["block_id"])
                if block is None or (block.serial_start, block.serial_end) != (moved["serial_start"], moved["serial_end"]):
                    raise UnitsNoLongerHeld(
                        number=holder_number, serials=f"{moved['unit_type']} {moved['serial_start']}-{moved['serial_end']}",
                        transaction_id=original_id,
                    )
                takes.append(Take(block=block, amount=block.amount, moved_id=block.block_id))
            amount = sum(take.amount for take in takes)
            applies = reserve_applies("correction", holder)
            if applies and amount > holder.transferable:
                raise ReserveBreach(requested=amount, transferable=holder.transferable)
            lines = [Line(t.block.unit_type, t.amount, t.block.issued_period, t.block.adopted_period, t.block.project or None)
                     for t in takes]
            return build(
                transaction_id=tx_id, kind=receiving_kind(target), created_at=_stamp(now), sender=holder,
                receiver=target, moved=[take.moved() for take in takes], takes=takes, lines=lines,
                initiated_by=command.initiated_by, initiator_org="", idempotency_key=f"correct:{original_id}",
                fingerprint=fingerprint, reserve_applies=applies, correction=True, corrects=original_id,
                reason=command.reason,
            )

        def explain(failed: CommitFailed, now: datetime) -> dict[str, Any] | None:
            # (a failed "transaction" condition was already looked at through replay)
            return replay() if "corrects" in failed.failed and "transaction" not in failed.failed else None

        # A refusal while planning looks at the original first: the same correction,
        # finished meanwhile by a racing request, replays; another one is ALREADY_CORRECTED.
        return self._write(_Write(tx_id=tx_id, fingerprint=fingerprint, plan=plan, linked=command.linked,
                                  explain=explain, replay=replay))

    # --- views ------------------------------------------------------------------------

    def balance(self, principal: Principal, number: str, cursor: str | None = None, limit: str | None = None) -> BalanceView:
        """The account's totals and one page of its block lines (``BALANCE_PAGE`` by
        default), in the order movements take them; ``next_cursor`` continues."""
        canonical = str(AccountNumber.parse(number))
        lowest, highest = BALANCE_LIMIT
        text = limit or str(BALANCE_PAGE)
        if not (text.isascii() and text.isdigit() and len(text) <= 3 and lowest <= int(text) <= highest):
            raise InvalidLimit(minimum=lowest, maximum=highest, field="limit")
        account = self.accounts.get_account(canonical)
        if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
            raise AccountNotFound(number=canonical)
        shown, after = decode_balance_cursor(cursor) if cursor else (0, None)
        blocks, last = self.store.block_page(canonical, (), after, int(text))
        return {
            "account": account.number,
            "holder": account.holder_name,
            "holder_ja": account.holder_name_ja,
            "status": account.status.value,
            "balance": account.balance,
            "commitment_reserve": account.commitment_reserve,
            "transferable": account.transferable,
            "holdings": [
                {
                    "no": index,
                    "origin": block.origin,
                    "unit_type": block.unit_type,
                    "issued_period": block.issued_period,
                    "adopted_period": block.adopted_period,
                    "project": block.project or None,
                    "serial_start": block.serial_start,
                    "serial_end": block.serial_end,
                    "amount": block.amount,
                }
                for index, block in enumerate(blocks, start=shown + 1)
            ],
            "next_cursor": encode_balance_cursor(shown + len(blocks), last) if last is not None else None,
        }

    def holding(self, org_id: str, unit_type: str, period: str | None = None) -> tuple[str | None, int]:
        """The organisation's first open holding account (type 120 or 121) and what it
        holds of ``unit_type`` (and ``period``): only those blocks are read, because the
        ledger keys blocks by type, then period. ``(None, 0)`` if it has no such account."""
        for summary in self.accounts.accounts_of(org_id):
            if summary["type"] in (120, 121) and summary["status"] == "open":
                prefix = (unit_type,) if period is None else (unit_type, period)
                held, after = 0, None
                while True:
                    blocks, after = self.store.block_page(summary["number"], prefix, after, HOLDING_PAGE)
                    held += sum(block.amount for block in blocks)
                    if after is None:
                        return summary["number"], held
        return None, 0

    def history(self, principal: Principal, query: HistoryQuery) -> dict[str, Any]:
        canonical = str(AccountNumber.parse(query.account))
        today = self.clock().astimezone(JST).date()
        if len(query.first or "") > 10 or len(query.last or "") > 10:
            raise InvalidDateRange(field="from")
        try:
            first = date.fromisoformat(query.first) if query.first else today - timedelta(days=30)
            last = date.fromisoformat(query.last) if query.last else today
        except ValueError as error:
            raise InvalidDateRange(field="from") from error
        if first > last:
            raise InvalidDateRange(field="from")
        lowest, highest = HISTORY_LIMIT
        text = query.limit or "50"
        if not (text.isascii() and text.isdigit() and len(text) <= 3 and lowest <= int(text) <= highest):
            raise InvalidLimit(minimum=lowest, maximum=highest, field="limit")
        limit = int(text)
        account = self.accounts.get_account(canonical)
        if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
            raise AccountNotFound(number=canonical)
        items, next_cursor = self.store.history_page(canonical, first.isoformat(), last.isoformat(), limit, query.cursor)
        incoming, outgoing = self.store.day_totals(canonical, first.isoformat(), last.isoformat())
        return {
            "account": canonical,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "incoming_total": incoming,
            "outgoing_total": outgoing,
            "items": items,
            "next_cursor": next_cursor,
        }

    def transaction(self, principal: Principal, transaction_id_text: str) -> dict[str, Any]:
        item = self.store.transaction(transaction_id_text) if _TRANSACTION_ID.match(transaction_id_text or "") else None
        if item is None:
            raise TransactionNotFound(transaction_id=transaction_id_text[:24])
        core = json.loads(item.core)
        if not (principal.is_admin or principal.org_id in {core.get("from_org"), core.get("to_org")}):
            raise TransactionNotFound(transaction_id=transaction_id_text[:24])
        return transaction_view(item)

    def audit(self) -> dict[str, Any]:
        """Read the whole ledger once and check every invariant."""
        return audit(self.store.snapshot())


# --- accounts -----------------------------------------------------------------------------------


def visible_account(principal: Principal, number: str, accounts: AccountsPort) -> Account:
    """The account if the caller may see it; otherwise exactly as if it did not exist."""
    canonical = str(AccountNumber.parse(number))
    account = accounts.get_account(canonical)
    if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
        raise AccountNotFound(number=canonical)
    return account


def get_account(principal: Principal, number: str, *, accounts: AccountsPort) -> AccountView:
    return account_view(visible_account(principal, number, accounts))


def account_holder(number: str, *, accounts: AccountsPort) -> HolderView:
    """Who holds an account: what a sender sees on the confirmation screen before
    transferring (as the registry's own screens show the receiver's company name)."""
    canonical = str(AccountNumber.parse(number))
    account = accounts.get_account(canonical)
    if account is None:
        raise AccountNotFound(number=canonical)
    return {"number": account.number, "type": account.type, "holder": account.holder_name,
            "holder_ja": account.holder_name_ja, "status": account.status.value}


@dataclass(frozen=True)
class OpenAccountCommand:
    org_id: str
    account_type: AccountType
    commitment_period: int = 0


def open_account(command: OpenAccountCommand, *, accounts: AccountsPort, organisations: OrganisationsPort,
                 now: str) -> AccountView:
    holder = organisations.get(command.org_id)
    if holder is None:
        raise OrganisationNotFound(org_id=command.org_id, field="org_id")
    if not may_hold(OrganisationKind(holder.kind), command.account_type):
        raise AccountTypeNotAllowed(type=int(command.account_type), holder_kind=holder.kind.value, field="type")
    return account_view(accounts.open_account(holder, command.account_type, command.commitment_period, now))


def close_account(number: str, *, accounts: AccountsPort) -> AccountView:
    return account_view(accounts.close_account(str(AccountNumber.parse(number))))


def set_account_status(number: str, action: str, *, accounts: AccountsPort) -> AccountView:
    """Block an account (nothing leaves or reaches it) or unblock it."""
    status = AccountStatus.BLOCKED if action == "block" else AccountStatus.OPEN
    return account_view(accounts.set_account_status(str(AccountNumber.parse(number)), status.value))


def set_commitment_reserve(number: str, reserve: int, *, accounts: AccountsPort) -> AccountView:
    return account_view(accounts.set_commitment_reserve(str(AccountNumber.parse(number)), reserve))


# --- the trading window ---------------------------------------------------------------------------

#: Administrator actions and the mode each one sets.
MARKET_ACTIONS = {"halt": "halted", "resume": "auto", "auto": "auto", "force_open": "force_open",
                  "force_close": "force_close"}


def market_view(store: LedgerPort, clock: Clock = now_jst) -> dict[str, object]:
    return calendar.view(store.market(), clock())


def set_market(action: str, reason: str, store: LedgerPort, clock: Clock = now_jst,
               writes: Any = None) -> dict[str, object]:
    """``writes`` (``put_market_unless_halted``): a halt ends only by an approved resume."""
    now = clock()
    state = calendar.derive(MARKET_ACTIONS[action], now, reason)
    changed = writes.put_market_unless_halted(state) if writes is not None else store.put_market(state)
    return {**calendar.view(state, now), "changed": changed}


def sync_window(store: LedgerPort, clock: Clock = now_jst) -> dict[str, object]:
    """Bring the stored status in line with the calendar (modes other than auto stay)."""
    now = clock()
    current = store.market()
    state = calendar.derive(current.mode, now, current.reason)
    # Only from the mode read: a halt the administrator made meanwhile stands.
    changed = store.put_market(state, expected_mode=current.mode)
    return {**calendar.view(state, now), "changed": changed}
