"""Four-eyes approval of administrator actions, as rules without storage.

One administrator proposes (through the API, or from the console, which may only
propose: an event cannot prove who sent it); a different administrator, signed in with
MFA, approves or rejects. Only the approval executes the action, once: the executor
writes the action and the proposal's mark (``proposed`` -> ``approved``, conditioned on
still being ``proposed``, unexpired and decided by someone other than the proposer) in
one transaction. A proposal lapses ``lapses_at``; every step is kept with who, when and why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from chalicelib.registry.domain.control_errors import OwnProposal, ProposalExpired, ProposalNotPending
from chalicelib.registry.domain.statuses import STATUS_JA, TransactionStatus

#: Where a proposal came from: an authenticated API call or an (unauthenticated) console event.
CHANNELS = ("api", "console")


@dataclass(frozen=True)
class Step:
    """One step of a proposal's life: proposed, approved, rejected, expired, or an
    approval that the ledger refused (``attempt_failed`` with the ledger's code)."""

    action: str
    by: str
    at: str
    reason: str = ""
    code: str | None = None

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"action": self.action, "by": self.by, "at": self.at, "reason": self.reason}
        if self.code is not None:
            record["code"] = self.code
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Step:
        return cls(record["action"], record["by"], record["at"], record.get("reason", ""), record.get("code"))


@dataclass(frozen=True)
class Proposal:
    proposal_id: str
    kind: str
    payload: dict[str, Any]
    reason: str
    status: TransactionStatus
    proposed_by: str
    channel: str
    proposed_at: str
    lapses_at: str
    steps: tuple[Step, ...] = ()
    decided_by: str | None = None
    decided_at: str | None = None
    transaction_id: str | None = None
    fingerprint: str = ""
    result: dict[str, Any] | None = field(default=None)

    def status_at(self, now: str) -> TransactionStatus:
        """The status as of ``now`` (ISO, JST): a pending proposal past its time has expired
        even before the scheduler writes so."""
        if self.status is TransactionStatus.PROPOSED and self.lapses_at <= now:
            return TransactionStatus.EXPIRED
        return self.status


def proposal_id(proposer: str, kind: str, idempotency_key: str) -> str:
    """Deterministic: the same proposer, kind and key always name the same proposal."""
    digest = hashlib.sha256(f"{proposer}\x00{kind}\x00{idempotency_key}".encode()).hexdigest().upper()
    return f"PR{digest[:18]}"


def ensure_decidable(proposal: Proposal, username: str, now: str) -> None:
    """Raise unless ``username`` may approve or reject ``proposal`` at ``now``."""
    status = proposal.status_at(now)
    if status is TransactionStatus.EXPIRED and proposal.status is TransactionStatus.PROPOSED:
        raise ProposalExpired(proposal_id=proposal.proposal_id, lapses_at=proposal.lapses_at)
    if status is not TransactionStatus.PROPOSED:
        raise ProposalNotPending(proposal_id=proposal.proposal_id, status=status.value, status_ja=STATUS_JA[status.value],
                                 details=[{"status": status.value, "decided_by": proposal.decided_by}])
    if username == proposal.proposed_by:
        raise OwnProposal(proposal_id=proposal.proposal_id)
