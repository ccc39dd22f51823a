"""Trusted receivers and delayed transfers on DynamoDB.

Key design (``pk`` / ``sk``):

- ``TRUST#<account>`` / ``TO#<receiver>``: a trusted receiving account of ``account``,
  counting from ``effective_at``; removing it deletes the item.
- ``DELAYED`` / ``<transaction id>``: a transfer held because its receiver was not
  trusted (its id is the transaction id it completes as). One partition: the scheduler
  reads the pending ones every few minutes; they are rare and short-lived.

A trusted transfer carries ``trust_check`` in the ledger's transaction (the entry still
exists and counts), so a removal racing with it either comes first and the transfer is
held, or comes after. Completing a delayed transfer carries ``completion_mark`` (still
``delayed``), so completing and cancelling cannot both happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, GetError, PutError, QueryError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.core.table import LinkedWrite, TableItem, response_code, unavailable
from chalicelib.registry.adapters.accounts import account_from_item
from chalicelib.registry.adapters.models import AccountItem
from chalicelib.registry.domain.accounts import Account
from chalicelib.registry.domain.statuses import TransactionStatus
from chalicelib.registry.domain.trust import DelayedTransfer, TrustedReceiver

DELAYED_PARTITION = "DELAYED"
_DELAYED = TransactionStatus.DELAYED.value


class TrustedReceiverItem(TableItem, discriminator="trusted_receiver"):
    account = UnicodeAttribute()
    receiver = UnicodeAttribute()
    holder = UnicodeAttribute()
    holder_ja = UnicodeAttribute()
    added_by = UnicodeAttribute()
    added_at = UnicodeAttribute()
    effective_at = UnicodeAttribute()

    @staticmethod
    def key(account: str, receiver: str) -> tuple[str, str]:
        return f"TRUST#{account}", f"TO#{receiver}"


class DelayedTransferItem(TableItem, discriminator="delayed_transfer"):
    transfer_id = UnicodeAttribute()
    sender = UnicodeAttribute()
    receiver = UnicodeAttribute()
    receiver_name = UnicodeAttribute()
    receiver_name_ja = UnicodeAttribute()
    sender_org = UnicodeAttribute()
    initiated_by = UnicodeAttribute()
    idempotency_key = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    lines = UnicodeAttribute()
    amount = NumberAttribute()
    created_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    status = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    failure_code = UnicodeAttribute(null=True)
    failure_message = UnicodeAttribute(null=True)
    failure_message_ja = UnicodeAttribute(null=True)

    @staticmethod
    def key(transfer_id: str) -> tuple[str, str]:
        return DELAYED_PARTITION, transfer_id


def _trusted(item: TrustedReceiverItem) -> TrustedReceiver:
    return TrustedReceiver(account=item.account, receiver=item.receiver, holder=item.holder, holder_ja=item.holder_ja,
                           added_by=item.added_by, added_at=item.added_at, effective_at=item.effective_at)


def _delayed(item: DelayedTransferItem) -> DelayedTransfer:
    return DelayedTransfer(
        transfer_id=item.transfer_id, sender=item.sender, receiver=item.receiver, receiver_name=item.receiver_name,
        receiver_name_ja=item.receiver_name_ja, sender_org=item.sender_org, initiated_by=item.initiated_by,
        idempotency_key=item.idempotency_key, fingerprint=item.fingerprint, lines=tuple(json.loads(item.lines)),
        amount=int(item.amount), created_at=item.created_at, due_at=item.due_at, status=TransactionStatus(item.status),
        decided_by=item.decided_by, decided_at=item.decided_at, failure_code=item.failure_code,
        failure_message=item.failure_message, failure_message_ja=item.failure_message_ja,
    )


def _conditional(error: Exception) -> bool:
    if response_code(error) == "ConditionalCheckFailedException":
        return True
    raise unavailable(error) from error


@dataclass(frozen=True)
class TransferContext:
    """What deciding a transfer's path needs, read in one request."""

    sender: Account | None
    receiver: Account | None
    trusted: TrustedReceiver | None
    held: DelayedTransfer | None


class TrustStore:
    def transfer_context(self, sender: str, receiver: str, transfer_id: str) -> TransferContext:
        """Both accounts, the trusted-list entry and a transfer held under this id: ONE
        strongly consistent BatchGetItem (unprocessed keys are asked again)."""
        keys = [AccountItem.key(sender), AccountItem.key(receiver), TrustedReceiverItem.key(sender, receiver),
                DelayedTransferItem.key(transfer_id)]
        found: dict[tuple[str, str], TableItem] = {}
        try:
            for item in TableItem.batch_get(keys, consistent_read=True):
                found[(item.pk, item.sk)] = item
        except GetError as error:
            raise unavailable(error) from error

        def one(key: tuple[str, str], kind: type[TableItem]) -> Any:
            item = found.get(key)
            return item if isinstance(item, kind) else None

        sender_item, receiver_item = one(keys[0], AccountItem), one(keys[1], AccountItem)
        trusted_item, held_item = one(keys[2], TrustedReceiverItem), one(keys[3], DelayedTransferItem)
        return TransferContext(
            sender=account_from_item(sender_item) if sender_item else None,
            receiver=account_from_item(receiver_item) if receiver_item else None,
            trusted=_trusted(trusted_item) if trusted_item else None,
            held=_delayed(held_item) if held_item else None,
        )

    # --- the trusted list ----------------------------------------------------------

    def trusted(self, account: str) -> list[TrustedReceiver]:
        try:
            return [_trusted(item) for item in TrustedReceiverItem.query(f"TRUST#{account}", consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def trusted_receiver(self, account: str, receiver: str) -> TrustedReceiver | None:
        try:
            return _trusted(TrustedReceiverItem.get(*TrustedReceiverItem.key(account, receiver), consistent_read=True))
        except TrustedReceiverItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def add(self, entry: TrustedReceiver) -> bool:
        """Create-only: ``False`` if the receiver is on the list already."""
        item = TrustedReceiverItem(
            *TrustedReceiverItem.key(entry.account, entry.receiver), account=entry.account, receiver=entry.receiver,
            holder=entry.holder, holder_ja=entry.holder_ja, added_by=entry.added_by, added_at=entry.added_at,
            effective_at=entry.effective_at,
        )
        try:
            item.save(condition=TrustedReceiverItem.pk.does_not_exist())
        except PutError as error:
            return not _conditional(error)
        return True

    def remove(self, account: str, receiver: str) -> bool:
        """Immediate: ``False`` if it was not on the list."""
        try:
            TrustedReceiverItem(*TrustedReceiverItem.key(account, receiver)).delete(condition=TrustedReceiverItem.pk.exists())
        except DeleteError as error:
            return not _conditional(error)
        return True

    def trust_check(self, account: str, receiver: str, now: str) -> LinkedWrite:
        """For the transfer's transaction: the receiver is still trusted, and counts."""
        return LinkedWrite.check(
            "trusted", TrustedReceiverItem, *TrustedReceiverItem.key(account, receiver),
            TrustedReceiverItem.pk.exists() & (TrustedReceiverItem.effective_at <= now),
        )

    # --- delayed transfers -------------------------------------------------------------

    def hold(self, transfer: DelayedTransfer) -> bool:
        """Create-only: ``False`` if a transfer of that id is held already."""
        item = DelayedTransferItem(
            *DelayedTransferItem.key(transfer.transfer_id), transfer_id=transfer.transfer_id, sender=transfer.sender,
            receiver=transfer.receiver, receiver_name=transfer.receiver_name, receiver_name_ja=transfer.receiver_name_ja,
            sender_org=transfer.sender_org, initiated_by=transfer.initiated_by, idempotency_key=transfer.idempotency_key,
            fingerprint=transfer.fingerprint, lines=json.dumps(list(transfer.lines), sort_keys=True), amount=transfer.amount,
            created_at=transfer.created_at, due_at=transfer.due_at, status=transfer.status.value,
        )
        try:
            item.save(condition=DelayedTransferItem.pk.does_not_exist())
        except PutError as error:
            return not _conditional(error)
        return True

    def delayed_transfer(self, transfer_id: str) -> DelayedTransfer | None:
        try:
            return _delayed(DelayedTransferItem.get(*DelayedTransferItem.key(transfer_id), consistent_read=True))
        except DelayedTransferItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def delayed_transfers(self, org_id: str | None = None, *, due_by: str | None = None) -> list[DelayedTransfer]:
        """An organisation's held transfers, or (``due_by``) every pending one due by then."""
        condition = None
        if org_id is not None:
            condition = DelayedTransferItem.sender_org == org_id
        if due_by is not None:
            due = (DelayedTransferItem.status == _DELAYED) & (DelayedTransferItem.due_at <= due_by)
            condition = due if condition is None else condition & due
        try:
            return [_delayed(item) for item in
                    DelayedTransferItem.query(DELAYED_PARTITION, filter_condition=condition, consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def completion_mark(self, transfer_id: str, now: str) -> LinkedWrite:
        """For the ledger's transaction that completes it: it is still delayed."""
        return LinkedWrite.update(
            "delayed", DelayedTransferItem(*DelayedTransferItem.key(transfer_id)),
            [DelayedTransferItem.status.set(TransactionStatus.COMPLETED.value), DelayedTransferItem.decided_by.set("scheduler"),
             DelayedTransferItem.decided_at.set(now)],
            DelayedTransferItem.status == _DELAYED,
        )

    def cancel(self, transfer_id: str, org_id: str, by: str, now: str) -> bool:
        """The holder's cancellation during the delay; ``False`` if no longer delayed."""
        return self._close(transfer_id, [DelayedTransferItem.status.set(TransactionStatus.CANCELLED.value),
                                         DelayedTransferItem.decided_by.set(by), DelayedTransferItem.decided_at.set(now)],
                           extra=DelayedTransferItem.sender_org == org_id)

    def fail(self, transfer_id: str, now: str, code: str, message: str, message_ja: str) -> bool:
        """A completion the ledger refused: kept as failed with the ledger's code."""
        return self._close(transfer_id, [
            DelayedTransferItem.status.set(TransactionStatus.FAILED.value), DelayedTransferItem.decided_by.set("scheduler"),
            DelayedTransferItem.decided_at.set(now), DelayedTransferItem.failure_code.set(code),
            DelayedTransferItem.failure_message.set(message), DelayedTransferItem.failure_message_ja.set(message_ja),
        ])

    def _close(self, transfer_id: str, actions: list[Action], extra: Condition | None = None) -> bool:
        condition = DelayedTransferItem.status == _DELAYED
        if extra is not None:
            condition = condition & extra
        try:
            DelayedTransferItem(*DelayedTransferItem.key(transfer_id)).update(actions=actions, condition=condition)
        except UpdateError as error:
            return not _conditional(error)
        return True
