"""Trusted receivers and delayed transfers: the use cases.

``TrustedTransfers.submit`` is what ``POST /transfers`` runs: a transfer to a trusted
receiver (or to the holder's own account, or the voluntary cancellation account) is the
ledger's transfer at once, with the trust re-checked inside its transaction; any other
is checked as the ledger would check it now and held ``delayed``. ``complete_due`` (the
schedule) completes each held transfer at the end of its delay while the window is open,
through the ledger's own transfer with every condition checked then, and the held
transfer's mark in the same transaction; a refusal is kept as ``failed`` with the
ledger's code. The holder may cancel during the delay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.core.clock import now_jst
from chalicelib.core.errors import JvetsError, ServiceUnavailable
from chalicelib.core.principal import Principal
from chalicelib.registry.domain import calendar
from chalicelib.registry.domain.accounts import AccountNumber, ensure_open
from chalicelib.registry.domain.blocks import allocate, check_block_limit, transaction_id
from chalicelib.registry.domain.control_errors import (
    AlreadyTrusted,
    DelayedTransferNotFound,
    DelayedTransferNotPending,
    LinkedTransferNeedsTrust,
    NotTrusted,
    TrustedListFull,
    TrustNotNeeded,
)
from chalicelib.registry.domain.errors import (
    AccountNotFound,
    ConcurrentUpdate,
    IdempotencyMismatch,
    LinkedConditionFailed,
    MarketClosed,
    ReserveBreach,
    UnknownReceiver,
)
from chalicelib.registry.domain.movements import max_blocks, transfer_kind
from chalicelib.registry.domain.statuses import STATUS_JA, TransactionStatus
from chalicelib.registry.domain.trust import TRUSTED_LIMIT, DelayedTransfer, TrustedReceiver, stamp, trust_exemption
from chalicelib.registry.ports import TrustPort
from chalicelib.registry.proposals import ControlSettings
from chalicelib.registry.service import Initiator, Ledger, Receipt, TransferCommand, _line_body, lines_of, visible_account

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Held:
    """A transfer held ``delayed``: what ``POST /transfers`` answers with 202."""

    delayed_transfer: dict[str, Any]
    replayed: bool = False


def delayed_view(transfer: DelayedTransfer) -> dict[str, Any]:
    failure = None
    if transfer.failure_code:
        failure = {"code": transfer.failure_code, "message": transfer.failure_message or "",
                   "message_ja": transfer.failure_message_ja or ""}
    return {
        "id": transfer.transfer_id,
        "from_account": transfer.sender,
        "to_account": transfer.receiver,
        "to_name": transfer.receiver_name,
        "to_name_ja": transfer.receiver_name_ja,
        "lines": list(transfer.lines),
        "amount": transfer.amount,
        "initiated_by": transfer.initiated_by,
        "created_at": transfer.created_at,
        "due_at": transfer.due_at,
        "status": transfer.status.value,
        "status_ja": STATUS_JA[transfer.status.value],
        "decided_by": transfer.decided_by,
        "decided_at": transfer.decided_at,
        "failure": failure,
    }


def trusted_view(entry: TrustedReceiver, now: str) -> dict[str, Any]:
    return {"account": entry.receiver, "holder": entry.holder, "holder_ja": entry.holder_ja, "added_by": entry.added_by,
            "added_at": entry.added_at, "effective_at": entry.effective_at, "effective": entry.effective(now)}


@dataclass
class TrustedTransfers:
    ledger: Ledger
    store: TrustPort
    settings: ControlSettings
    clock: Clock = now_jst

    # --- the trusted list ----------------------------------------------------------------

    def _own(self, principal: Principal, number: str) -> str:
        account = visible_account(principal, number, self.ledger.accounts)
        if account.holder_org_id != principal.org_id:  # administrators read, holders change
            raise AccountNotFound(number=account.number)
        return account.number

    def trusted(self, principal: Principal, number: str) -> dict[str, Any]:
        account = visible_account(principal, number, self.ledger.accounts)
        now = stamp(self.clock())
        items = sorted((trusted_view(e, now) for e in self.store.trusted(account.number)), key=lambda v: v["added_at"])
        return {"account": account.number, "delay_hours": self.settings.trust_delay.total_seconds() / 3600, "items": items}

    def add(self, principal: Principal, number: str, receiver_text: str) -> dict[str, Any]:
        account = self._own(principal, number)
        receiver_number = str(AccountNumber.parse_field(receiver_text, "account"))
        sender = self.ledger.accounts.get_account(account)
        receiver = self.ledger.accounts.get_account(receiver_number)
        if sender is None:
            raise AccountNotFound(number=account)
        if receiver is None:
            raise UnknownReceiver(number=receiver_number, field="account")
        transfer_kind(receiver)  # the retirement account is reached by retirements only
        exemption = trust_exemption(sender, receiver)
        if exemption is not None:
            raise TrustNotNeeded(number=receiver_number, why=exemption[0], why_ja=exemption[1], field="account")
        if len(self.store.trusted(account)) >= TRUSTED_LIMIT:
            raise TrustedListFull(account=account, limit=TRUSTED_LIMIT)
        now = self.clock()
        entry = TrustedReceiver(account=account, receiver=receiver_number, holder=receiver.holder_name,
                                holder_ja=receiver.holder_name_ja, added_by=principal.username, added_at=stamp(now),
                                effective_at=stamp(now + self.settings.trust_delay))
        if not self.store.add(entry):
            raise AlreadyTrusted(number=receiver_number, account=account, field="account")
        return trusted_view(entry, stamp(now))

    def remove(self, principal: Principal, number: str, receiver_text: str) -> dict[str, Any]:
        account = self._own(principal, number)
        receiver_number = str(AccountNumber.parse_field(receiver_text, "receiver"))
        entry = self.store.trusted_receiver(account, receiver_number)
        if entry is None or not self.store.remove(account, receiver_number):
            raise NotTrusted(number=receiver_number, account=account)
        return trusted_view(entry, stamp(self.clock()))

    # --- transfers ---------------------------------------------------------------------------

    def submit(self, command: TransferCommand) -> Receipt | Held:
        sender_number = str(AccountNumber.parse_field(command.sender, "from_account"))
        receiver_number = str(AccountNumber.parse_field(command.receiver, "to_account"))
        if sender_number == receiver_number:
            return self.ledger.transfer(command)  # refused as the ledger refuses it
        tx_id = transaction_id(command.initiator.org_id, command.idempotency_key)
        context = self.store.transfer_context(sender_number, receiver_number, tx_id)
        sender, receiver, entry = context.sender, context.receiver, context.trusted
        if (sender is None or receiver is None or sender.holder_org_id != command.initiator.org_id
                or trust_exemption(sender, receiver) is not None):
            return self.ledger.transfer(command)  # no trust needed, or refused as the ledger refuses it
        now = stamp(self.clock())
        if context.held is not None:
            return self._replay(context.held, command)
        if entry is not None and entry.effective(now):
            check = self.store.trust_check(sender_number, receiver_number, now)
            try:
                return self.ledger.transfer(replace(command, linked=(*command.linked, check)))
            except LinkedConditionFailed as refused:
                if "trusted" not in str(refused.params.get("labels", "")):
                    raise
                # Removed from the list meanwhile: the transfer waits like any other.
        if self.ledger.store.transaction(tx_id) is not None:
            return self.ledger.transfer(command)  # the same request, completed before: a replay
        if command.linked:
            raise LinkedTransferNeedsTrust(number=receiver_number, account=sender_number, field="to_account")
        self._check_now(command, sender_number, receiver_number)
        created = self.clock()
        transfer = DelayedTransfer(
            transfer_id=tx_id, sender=sender_number, receiver=receiver_number, receiver_name=receiver.holder_name,
            receiver_name_ja=receiver.holder_name_ja, sender_org=command.initiator.org_id,
            initiated_by=command.initiator.username, idempotency_key=command.idempotency_key,
            fingerprint=command.fingerprint(), lines=tuple(_line_body(line) for line in command.lines),
            amount=sum(line.amount for line in command.lines), created_at=stamp(created),
            due_at=stamp(created + self.settings.transfer_delay), status=TransactionStatus.DELAYED,
        )
        if not self.store.hold(transfer):
            again = self.store.delayed_transfer(tx_id)
            if again is None:
                raise ConcurrentUpdate()
            return self._replay(again, command)
        return Held(delayed_view(transfer))

    def _replay(self, held: DelayedTransfer, command: TransferCommand) -> Receipt | Held:
        if held.fingerprint != command.fingerprint():
            raise IdempotencyMismatch(field="Idempotency-Key")
        if held.status is TransactionStatus.COMPLETED:
            return self.ledger.transfer(replace(command, linked=()))  # the transaction exists: a replay
        return Held(delayed_view(held), replayed=True)

    def _check_now(self, command: TransferCommand, sender_number: str, receiver_number: str) -> None:
        """Refuse at once what the ledger would refuse now (the completion checks again)."""
        sender, blocks = self.ledger.store.holdings(sender_number)
        if sender is None:
            raise AccountNotFound(number=sender_number, field="from_account")
        ensure_open(sender, "from_account")
        receiver = self.ledger.accounts.get_account(receiver_number)
        if receiver is None:
            raise UnknownReceiver(number=receiver_number, field="to_account")
        ensure_open(receiver, "to_account")
        transfer_kind(receiver)
        lines = list(command.lines)
        chosen = allocate(blocks, lines, "TXCHECK")
        check_block_limit(chosen, lines, max_blocks(1))  # room for the completion mark
        if chosen.amount > sender.transferable:
            raise ReserveBreach(requested=chosen.amount, transferable=sender.transferable, field="lines")

    # --- delayed transfers ------------------------------------------------------------------

    def delayed(self, principal: Principal) -> dict[str, Any]:
        items = self.store.delayed_transfers(None if principal.is_admin else principal.org_id)
        views = sorted((delayed_view(t) for t in items), key=lambda v: v["created_at"], reverse=True)
        return {"items": views[:200], "delay_hours": self.settings.transfer_delay.total_seconds() / 3600}

    def _visible(self, principal: Principal, transfer_id: str) -> DelayedTransfer:
        held = self.store.delayed_transfer(transfer_id) if len(transfer_id) == 20 and transfer_id.startswith("TX") else None
        if held is None or not (principal.is_admin or held.sender_org == principal.org_id):
            raise DelayedTransferNotFound(transfer_id=transfer_id[:24])
        return held

    def get(self, principal: Principal, transfer_id: str) -> dict[str, Any]:
        return delayed_view(self._visible(principal, transfer_id))

    def cancel(self, principal: Principal, transfer_id: str) -> dict[str, Any]:
        held = self._visible(principal, transfer_id)
        if held.sender_org != principal.org_id:  # only the holder cancels
            raise DelayedTransferNotFound(transfer_id=transfer_id[:24])
        if not self.store.cancel(held.transfer_id, principal.org_id, principal.username, stamp(self.clock())):
            current = self.store.delayed_transfer(held.transfer_id) or held
            raise DelayedTransferNotPending(transfer_id=held.transfer_id, status=current.status.value,
                                            status_ja=STATUS_JA[current.status.value])
        return delayed_view(self.store.delayed_transfer(held.transfer_id) or held)

    def complete(self, held: DelayedTransfer) -> str:
        """Complete one held transfer now: ``completed``, ``failed`` (kept with the ledger's
        code), ``gone`` (cancelled or completed meanwhile) or ``waiting`` (retry later)."""
        now = stamp(self.clock())
        command = TransferCommand(
            sender=held.sender, receiver=held.receiver, lines=lines_of(held.lines), idempotency_key=held.idempotency_key,
            initiator=Initiator(held.initiated_by, held.sender_org),
            linked=(self.store.completion_mark(held.transfer_id, now),),
        )
        try:
            receipt = self.ledger.transfer(command)
        except LinkedConditionFailed:
            return "gone"
        except (MarketClosed, ConcurrentUpdate, ServiceUnavailable):
            return "waiting"
        except JvetsError as error:
            failed = self.store.fail(held.transfer_id, now, error.code, error.message, error.message_ja_text)
            return "failed" if failed else "gone"
        return "gone" if receipt.replayed else "completed"

    def complete_due(self) -> dict[str, Any]:
        """The schedule: complete every held transfer whose delay is over, if the window is open."""
        now = self.clock()
        outcomes = {"completed": 0, "failed": 0, "gone": 0, "waiting": 0}
        if calendar.effective_status(self.ledger.store.market(), now) != "open":
            return {**outcomes, "window": "closed"}
        for held in self.store.delayed_transfers(due_by=stamp(now)):
            outcomes[self.complete(held)] += 1
        return {**outcomes, "window": "open"}
