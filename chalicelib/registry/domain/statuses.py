"""The registry's transaction statuses and the moves between them.

A movement of units is written ``completed`` in one transaction. Two kinds of pending
transaction come before one (as in the EU and UK registries):

- an administrator's proposal (issuance, correction, reserve change, halt or resume):
  ``proposed``, then ``approved`` (by another administrator, executed in the same
  transaction that marks it), ``rejected`` or ``expired``;
- a participant's transfer to an account outside its trusted list: ``delayed``, then
  ``completed`` (by the scheduler at the end of the delay), ``cancelled`` (by the holder
  during the delay) or ``failed`` (a ledger condition did not hold at completion).

Every move is from a pending status to a final one, so a store conditions each write on
the pending status: two racing moves cannot both happen.
"""

from __future__ import annotations

from enum import Enum


class TransactionStatus(str, Enum):
    COMPLETED = "completed"
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    FAILED = "failed"


TRANSITIONS: dict[TransactionStatus, frozenset[TransactionStatus]] = {
    TransactionStatus.PROPOSED: frozenset({TransactionStatus.APPROVED, TransactionStatus.REJECTED, TransactionStatus.EXPIRED}),
    TransactionStatus.DELAYED: frozenset({TransactionStatus.COMPLETED, TransactionStatus.CANCELLED, TransactionStatus.FAILED}),
}

#: Japanese names of the statuses (the portal and messages show them).
STATUS_JA = {
    "completed": "完了", "proposed": "承認待ち", "approved": "承認済み", "rejected": "却下", "expired": "期限切れ",
    "delayed": "保留中", "cancelled": "取消済み", "failed": "失敗",
}


def may_become(current: TransactionStatus, wanted: TransactionStatus) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())


def is_pending(status: TransactionStatus) -> bool:
    return status in TRANSITIONS
