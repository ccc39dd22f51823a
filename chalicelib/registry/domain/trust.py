"""Trusted receivers and delayed transfers, as rules without storage.

An account holder keeps a list of trusted receiving accounts. Adding one takes effect
only ``trust_delay`` later; removing one is immediate. A transfer to an account outside
the list (that is not the holder's own, nor the scheme's voluntary cancellation account)
is held ``delayed`` for ``transfer_delay``; the holder may cancel it meanwhile, and the
scheduler completes it at the end of the delay, while the window is open, with every
ledger condition checked then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.clock import JST
from chalicelib.registry.domain.accounts import Account, AccountType
from chalicelib.registry.domain.statuses import TransactionStatus

#: The EU registry's figures: a new trusted account counts after 7 days; a transfer
#: outside the list waits 26 hours.
TRUST_DELAY = timedelta(days=7)
TRANSFER_DELAY = timedelta(hours=26)
#: Entries an account's trusted list may hold.
TRUSTED_LIMIT = 100


def stamp(moment: datetime) -> str:
    """The one timestamp form of these records (ISO, JST, seconds): comparable as text."""
    return moment.astimezone(JST).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TrustedReceiver:
    account: str
    receiver: str
    holder: str
    holder_ja: str
    added_by: str
    added_at: str
    effective_at: str

    def effective(self, now: str) -> bool:
        return self.effective_at <= now


def trust_exemption(sender: Account, receiver: Account) -> tuple[str, str] | None:
    """Why a transfer to ``receiver`` needs no trust (en, ja), or ``None`` if it does:
    the holder's own account, or the scheme's voluntary cancellation account."""
    if receiver.holder_org_id == sender.holder_org_id:
        return "it is held by the same holder", "同じ名義人の口座です"
    if AccountType(receiver.type) == AccountType.VOLUNTARY_CANCELLATION:
        return "it is the voluntary cancellation account", "自主的取消口座です"
    return None


@dataclass(frozen=True)
class DelayedTransfer:
    transfer_id: str
    sender: str
    receiver: str
    receiver_name: str
    receiver_name_ja: str
    sender_org: str
    initiated_by: str
    idempotency_key: str
    fingerprint: str
    lines: tuple[dict[str, Any], ...]
    amount: int
    created_at: str
    due_at: str
    status: TransactionStatus
    decided_by: str | None = None
    decided_at: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    failure_message_ja: str | None = None

    def due(self, now: str) -> bool:
        return self.status is TransactionStatus.DELAYED and self.due_at <= now
