"""Ledger use cases: issue, transfer, retire, correct; balance, history, transaction.

Each use case reads what it needs (the sender's account and blocks in one query, the
receiver's account in one get), decides with the pure domain rules, and writes ONE
conditional transaction. When a condition fails because someone else wrote first, it
reads again and retries a bounded number of times with jittered backoff. A retry of a
request with the same Idempotency-Key finds the transaction already written and
returns it: nothing moves twice.
"""

from __future__ import annotations

import json
import random
import re
import time
from datetime import date, datetime, timedelta
from typing import Any, Callable

from chalicelib.clock import JST, now_jst
from chalicelib.errors import JvetsError
from chalicelib.identity.principal import Principal
from chalicelib.registry.adapters.ledger_store import CommitFailed, LedgerStore
from chalicelib.registry.adapters.models import TransactionItem
from chalicelib.registry.adapters.store import RegistryStore
from chalicelib.registry.domain import calendar
from chalicelib.registry.domain.accounts import STATUS_JA, Account, AccountNumber, AccountStatus, AccountType
from chalicelib.registry.domain.errors import (
    AccountNotFound,
    AccountNotOpen,
    AlreadyCorrected,
    ConcurrentUpdate,
    IdempotencyMismatch,
    InvalidDateRange,
    MarketClosed,
    NotCorrectable,
    ReceiverNotAllowed,
    ReserveBreach,
    SameAccount,
    TransactionNotFound,
    UnitsNoLongerHeld,
    UnknownReceiver,
)
from chalicelib.registry.domain.ledger import (
    ORIGIN,
    Block,
    Line,
    Take,
    allocate,
    check_block_limit,
    request_fingerprint,
    transaction_id,
)
from chalicelib.registry.domain.movements import MAX_BLOCKS, Movement, build

MAX_ATTEMPTS = 8
_TRANSACTION_ID = re.compile(r"^TX[0-9A-F]{18}$")
Clock = Callable[[], datetime]


def _stamp(now: datetime) -> str:
    return now.astimezone(JST).isoformat(timespec="microseconds")


def _backoff(attempt: int) -> None:
    """Bounded exponential backoff with full jitter: at most 0.4 s."""
    time.sleep(random.uniform(0, min(0.4, 0.01 * 2**attempt)))  # noqa: S311 - jitter, not crypto


def retirement_account_number() -> str:
    return str(AccountNumber.build(AccountType.RETIREMENT, 1))


def _ensure_open(account: Account, field: str) -> None:
    if account.status is not AccountStatus.OPEN:
        raise AccountNotOpen(
            number=account.number, status=account.status.value, status_ja=STATUS_JA[account.status.value], field=field
        )


_INTERNAL = {"from_org", "to_org", "initiator_org"}


def _view(core: dict[str, Any], chain: dict[str, Any], corrected_by: str | None) -> dict[str, Any]:
    """The transaction as the API shows it (organisation ids stay internal)."""
    return {
        **{key: value for key, value in core.items() if key not in _INTERNAL},
        "date": core["created_at"][:10],
        "corrected_by": corrected_by,
        "chain": chain,
    }


def transaction_view(item: TransactionItem) -> dict[str, Any]:
    return _view(json.loads(item.core), json.loads(item.chain), item.corrected_by)


def _movement_view(movement: Movement) -> dict[str, Any]:
    return _view(movement.core, movement.chain, None)


class Ledger:
    """The ledger's use cases over one store (built once per container)."""

    def __init__(self, accounts: RegistryStore, ledger: LedgerStore, clock: Clock = now_jst) -> None:
        self.accounts = accounts
        self.store = ledger
        self.clock = clock

    # --- idempotency ---------------------------------------------------------------

    def _replay(self, tx_id: str, fingerprint: str) -> dict[str, Any] | None:
        """The transaction already written under this key, if the request is the same."""
        item = self.store.transaction(tx_id)
        if item is None:
            return None
        if item.fingerprint != fingerprint:
            raise IdempotencyMismatch(field="Idempotency-Key")
        return transaction_view(item)

    def _market_closed(self, now: datetime) -> MarketClosed:
        state = self.store.market()
        status = calendar.effective_status(state, now)
        if status == "open":  # it changed while we wrote: say closed as of our instant
            status = "closed"
        view = calendar.view(state, now)
        next_open = view["next_open"] or "—"
        return MarketClosed(
            status=status, status_ja=calendar.STATUS_JA[status], next_open=next_open,
            details=[{"status": status, "next_open": view["next_open"], "reason": state.reason}],
        )

    # --- moving units --------------------------------------------------------------

    def _move(
        self,
        *,
        principal: Principal,
        operation: str,
        sender_number: str,
        receiver_number: str | None,
        lines: list[Line],
        idempotency_key: str,
        fingerprint: str,
        compliance_period: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        tx_id = transaction_id(principal.org_id, idempotency_key)
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock()
            try:
                movement = self._plan_move(
                    principal=principal,
                    operation=operation,
                    tx_id=tx_id,
                    now=now,
                    sender_number=sender_number,
                    receiver_number=receiver_number,
                    lines=lines,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    compliance_period=compliance_period,
                )
            except AccountNotFound:
                raise
            except JvetsError:
                # A retry of a request that already completed may no longer fit the
                # balance: the key decides, not the current state.
                replay = self._replay(tx_id, fingerprint)
                if replay is not None:
                    return replay, True
                raise
            try:
                self.store.commit(movement)
            except CommitFailed as failed:
                if "transaction" in failed.failed:
                    replay = self._replay(tx_id, fingerprint)
                    if replay is not None:
                        return replay, True
                if "market" in failed.failed:
                    raise self._market_closed(now) from failed
                _backoff(attempt)
                continue
            return _movement_view(movement), False
        raise ConcurrentUpdate()

    def _plan_move(
        self,
        *,
        principal: Principal,
        operation: str,
        tx_id: str,
        now: datetime,
        sender_number: str,
        receiver_number: str | None,
        lines: list[Line],
        idempotency_key: str,
        fingerprint: str,
        compliance_period: str | None,
    ) -> Movement:
        sender, blocks = self.store.holdings(sender_number)
        if sender is None or sender.holder_org_id != principal.org_id:
            raise AccountNotFound(number=sender_number, field="from_account" if operation == "transfer" else "account")
        _ensure_open(sender, "from_account" if operation == "transfer" else "account")
        if operation == "retirement":
            receiver_number = retirement_account_number()
            if sender_number == receiver_number:
                raise SameAccount(field="account")
        assert receiver_number is not None
        receiver = self.accounts.get_account(receiver_number)
        if receiver is None:
            raise UnknownReceiver(number=receiver_number, field="to_account")
        _ensure_open(receiver, "to_account")
        if operation == "transfer" and receiver.type == AccountType.RETIREMENT:
            raise ReceiverNotAllowed(number=receiver_number, operation="transfer (use a retirement)", operation_ja="移転（償却を使用）", field="to_account")
        plan = allocate(blocks, lines, tx_id)
        check_block_limit(plan, lines, MAX_BLOCKS)
        reserve_applies = operation != "retirement"
        if reserve_applies and plan.amount > sender.transferable:
            raise ReserveBreach(requested=plan.amount, transferable=sender.transferable, field="lines")
        kind = operation
        if operation == "transfer" and receiver.type == AccountType.VOLUNTARY_CANCELLATION:
            kind = "cancellation"
        return build(
            transaction_id=tx_id,
            kind=kind,
            created_at=_stamp(now),
            sender=sender,
            receiver=receiver,
            moved=plan.moved_blocks(),
            takes=plan.takes,
            lines=lines,
            initiated_by=principal.username,
            initiator_org=principal.org_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            reserve_applies=reserve_applies,
            market_open_at=_stamp(now)[:19] + "+09:00" if operation == "transfer" else None,
            compliance_period=compliance_period,
        )

    def transfer(
        self, principal: Principal, body: dict[str, Any], idempotency_key: str
    ) -> tuple[dict[str, Any], bool]:
        sender = str(AccountNumber.parse_field(body["from_account"], "from_account"))
        receiver = str(AccountNumber.parse_field(body["to_account"], "to_account"))
        if sender == receiver:
            raise SameAccount(field="to_account")
        return self._move(
            principal=principal,
            operation="transfer",
            sender_number=sender,
            receiver_number=receiver,
            lines=[Line(**line) for line in body["lines"]],
            idempotency_key=idempotency_key,
            fingerprint=request_fingerprint("transfer", body),
        )

    def retire(self, principal: Principal, body: dict[str, Any], idempotency_key: str) -> tuple[dict[str, Any], bool]:
        account = str(AccountNumber.parse_field(body["account"], "account"))
        return self._move(
            principal=principal,
            operation="retirement",
            sender_number=account,
            receiver_number=None,
            lines=[Line(**line) for line in body["lines"]],
            idempotency_key=idempotency_key,
            fingerprint=request_fingerprint("retirement", body),
            compliance_period=body["compliance_period"],
        )

    # --- administrator ----------------------------------------------------------------

    def issue(self, event: dict[str, Any], initiated_by: str, idempotency_key: str) -> dict[str, Any]:
        number = str(AccountNumber.parse_field(event["account"], "account"))
        unit_type, issued = event["unit_type"], event["issued_period"]
        counter_name = f"SERIAL#{ORIGIN}#{unit_type}#{issued}"
        fingerprint = request_fingerprint("issuance", event)
        tx_id = transaction_id("issuance", idempotency_key)
        for attempt in range(MAX_ATTEMPTS):
            receiver = self.accounts.get_account(number)
            if receiver is None:
                raise AccountNotFound(number=number, field="account")
            try:
                _ensure_open(receiver, "account")
            except JvetsError:
                if (replay := self._replay(tx_id, fingerprint)) is not None:
                    return replay
                raise
            last = self.store.counter(counter_name)
            block = Block(
                block_id=f"{tx_id}.1",
                unit_type=unit_type,
                issued_period=issued,
                adopted_period=event["adopted_period"],
                project=event.get("project") or "",
                serial_start=last + 1,
                serial_end=last + event["amount"],
            )
            line = Line(unit_type, event["amount"], issued, event["adopted_period"], event.get("project"))
            movement = build(
                transaction_id=tx_id,
                kind="issuance",
                created_at=_stamp(self.clock()),
                sender=None,
                receiver=receiver,
                moved=[block],
                created_blocks=[block],
                lines=[line],
                initiated_by=initiated_by,
                initiator_org="",
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                counter=(counter_name, last, block.serial_end),
                reason=event["reason"],
            )
            try:
                self.store.commit(movement)
            except CommitFailed as failed:
                if "transaction" in failed.failed and (replay := self._replay(tx_id, fingerprint)) is not None:
                    return replay
                _backoff(attempt)
                continue
            return _movement_view(movement)
        raise ConcurrentUpdate()

    def correct(self, event: dict[str, Any], initiated_by: str) -> dict[str, Any]:
        original_id = event["transaction_id"]
        original = self.store.transaction(original_id) if _TRANSACTION_ID.match(original_id) else None
        if original is None:
            raise TransactionNotFound(transaction_id=original_id, field="transaction_id")
        core = json.loads(original.core)
        fingerprint = request_fingerprint("correction", event)
        tx_id = transaction_id("correction", original_id)
        if original.corrected_by:
            # The same correction asked again returns it; anything else is refused.
            done = self.store.transaction(original.corrected_by) if original.corrected_by == tx_id else None
            if done is not None and done.fingerprint == fingerprint:
                return transaction_view(done)
            raise AlreadyCorrected(transaction_id=original_id, corrected_by=original.corrected_by)
        target_number = event.get("to_account") or core["from_account"]
        if not target_number:
            raise NotCorrectable(transaction_id=original_id, reason="an issuance needs to_account", reason_ja="発行の訂正には訂正先口座が必要です", field="to_account")
        target_number = str(AccountNumber.parse_field(target_number, "to_account"))
        holder_number = core["to_account"]
        if target_number == holder_number:
            raise SameAccount(field="to_account")
        for attempt in range(MAX_ATTEMPTS):
            holder, blocks = self.store.holdings(holder_number)
            if holder is None:
                raise AccountNotFound(number=holder_number)
            target = self.accounts.get_account(target_number)
            if target is None:
                raise UnknownReceiver(number=target_number, field="to_account")
            _ensure_open(holder, "transaction_id")
            _ensure_open(target, "to_account")
            held = {block.block_id: block for block in blocks}
            takes: list[Take] = []
            for moved in core["blocks"]:
                block = held.get(moved["block_id"])
                if block is None or (block.serial_start, block.serial_end) != (moved["serial_start"], moved["serial_end"]):
                    raise UnitsNoLongerHeld(number=holder_number, serials=f"{moved['unit_type']} {moved['serial_start']}-{moved['serial_end']}", transaction_id=original_id)
                takes.append(Take(block=block, amount=block.amount, moved_id=block.block_id))
            amount = sum(take.amount for take in takes)
            reserve_applies = holder.type != AccountType.RETIREMENT
            if reserve_applies and amount > holder.transferable:
                raise ReserveBreach(requested=amount, transferable=holder.transferable)
            kind = {AccountType.RETIREMENT: "retirement", AccountType.VOLUNTARY_CANCELLATION: "cancellation"}.get(AccountType(target.type), "transfer")
            lines = [Line(t.block.unit_type, t.amount, t.block.issued_period, t.block.adopted_period, t.block.project or None) for t in takes]
            movement = build(
                transaction_id=tx_id,
                kind=kind,
                created_at=_stamp(self.clock()),
                sender=holder,
                receiver=target,
                moved=[take.moved() for take in takes],
                takes=takes,
                lines=lines,
                initiated_by=initiated_by,
                initiator_org="",
                idempotency_key=f"correct:{original_id}",
                fingerprint=fingerprint,
                reserve_applies=reserve_applies,
                correction=True,
                corrects=original_id,
                reason=event["reason"],
            )
            try:
                self.store.commit(movement)
            except CommitFailed as failed:
                if "corrects" in failed.failed or "transaction" in failed.failed:
                    latest = self.store.transaction(original_id)
                    done = self.store.transaction(tx_id)
                    if latest is not None and latest.corrected_by == tx_id and done is not None and done.fingerprint == fingerprint:
                        return transaction_view(done)
                    if latest is not None and latest.corrected_by:
                        raise AlreadyCorrected(transaction_id=original_id, corrected_by=latest.corrected_by) from failed
                _backoff(attempt)
                continue
            return _movement_view(movement)
        raise ConcurrentUpdate()

    # --- views ------------------------------------------------------------------------

    def _visible(self, principal: Principal, number: str) -> tuple[Account, list[Block]]:
        account, blocks = self.store.holdings(number)
        if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
            raise AccountNotFound(number=number)
        return account, blocks

    def balance(self, principal: Principal, number: str) -> dict[str, Any]:
        canonical = str(AccountNumber.parse(number))
        account, blocks = self._visible(principal, canonical)
        ordered = sorted(blocks, key=lambda b: b.order)
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
                for index, block in enumerate(ordered, start=1)
            ],
        }

    def history(self, principal: Principal, number: str, query: dict[str, str]) -> dict[str, Any]:
        canonical = str(AccountNumber.parse(number))
        today = self.clock().astimezone(JST).date()
        try:
            first = date.fromisoformat(query["from"]) if query.get("from") else today - timedelta(days=30)
            last = date.fromisoformat(query["to"]) if query.get("to") else today
            limit = int(query.get("limit") or 50)
        except ValueError as error:
            raise InvalidDateRange(field="from") from error
        if first > last or not 1 <= limit <= 200 or len(str(query.get("from", ""))) > 10 or len(str(query.get("to", ""))) > 10:
            raise InvalidDateRange(field="from")
        account = self.accounts.get_account(canonical)
        if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
            raise AccountNotFound(number=canonical)
        items, next_cursor = self.store.history_page(canonical, first.isoformat(), last.isoformat(), limit, query.get("cursor"))
        end_in, end_out = self.store.running_totals_at(canonical, f"H#{last.isoformat()}~")
        start_in, start_out = self.store.running_totals_at(canonical, f"H#{first.isoformat()}")
        return {
            "account": canonical,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "incoming_total": end_in - start_in,
            "outgoing_total": end_out - start_out,
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


__all__ = ["Ledger", "retirement_account_number", "transaction_view"]
