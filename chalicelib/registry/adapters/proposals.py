"""Four-eyes proposals on DynamoDB, and the writes their approvals execute.

Key design (``pk`` / ``sk``):

- ``PROPOSALS`` / ``<proposal id>``: a proposal with its steps (one partition: proposals
  are a few a week, read by administrators only).

An approval is ONE ``TransactWriteItems``: the proposal's mark (``approval_mark``: a
``LinkedWrite`` conditioned on the proposal still being ``proposed``, unexpired and not
the approver's own) and the action it executes (a ledger movement through the ledger's
own ``linked`` extension point, or here a reserve change or a market state).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.exceptions import GetError, PutError, QueryError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.core.table import LinkedWrite, TableItem, response_code, transact, unavailable
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.adapters.models import AccountItem, MarketItem
from chalicelib.registry.domain.accounts import AccountStatus
from chalicelib.registry.domain.calendar import MarketState
from chalicelib.registry.domain.control_errors import MarketHaltedByApproval
from chalicelib.registry.domain.proposals import Proposal, Step
from chalicelib.registry.domain.statuses import TransactionStatus

PARTITION = "PROPOSALS"
_PENDING = TransactionStatus.PROPOSED.value


class ProposalItem(TableItem, discriminator="proposal"):
    proposal_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    payload = UnicodeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute()
    proposed_by = UnicodeAttribute()
    channel = UnicodeAttribute()
    proposed_at = UnicodeAttribute()
    #: When it lapses (ISO, JST). Not named expires_at: that is the table's TTL attribute.
    lapses_at = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    #: Every step as a JSON object, appended in the write that makes it.
    steps: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    transaction_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(proposal_id: str) -> tuple[str, str]:
        return PARTITION, proposal_id


def proposal_from_item(item: ProposalItem) -> Proposal:
    return Proposal(
        proposal_id=item.proposal_id, kind=item.kind, payload=json.loads(item.payload), reason=item.reason,
        status=TransactionStatus(item.status), proposed_by=item.proposed_by, channel=item.channel,
        proposed_at=item.proposed_at, lapses_at=item.lapses_at,
        steps=tuple(Step.from_record(json.loads(step)) for step in (item.steps or [])),
        decided_by=item.decided_by, decided_at=item.decided_at, transaction_id=item.transaction_id,
        fingerprint=item.fingerprint,
    )


def _step(step: Step) -> str:
    return json.dumps(step.to_record(), ensure_ascii=False, sort_keys=True)


def _append(step: Step) -> Action:
    """The update action that appends ``step`` to the proposal's steps."""
    return ProposalItem.steps.set((ProposalItem.steps | []).append([_step(step)]))


class ProposalStore:
    # --- proposals ---------------------------------------------------------------

    def create(self, proposal: Proposal) -> bool:
        """Write a new proposal; ``False`` if one of that id exists already (a replay)."""
        item = ProposalItem(
            *ProposalItem.key(proposal.proposal_id), proposal_id=proposal.proposal_id, kind=proposal.kind,
            payload=json.dumps(proposal.payload, ensure_ascii=False, sort_keys=True), reason=proposal.reason,
            status=proposal.status.value, proposed_by=proposal.proposed_by, channel=proposal.channel,
            proposed_at=proposal.proposed_at, lapses_at=proposal.lapses_at, fingerprint=proposal.fingerprint,
            steps=[_step(step) for step in proposal.steps],
        )
        try:
            item.save(condition=ProposalItem.pk.does_not_exist())
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise unavailable(error) from error
        return True

    def get(self, proposal_id: str) -> Proposal | None:
        try:
            return proposal_from_item(ProposalItem.get(*ProposalItem.key(proposal_id), consistent_read=True))
        except ProposalItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def all(self) -> list[Proposal]:
        try:
            return [proposal_from_item(item) for item in ProposalItem.query(PARTITION, consistent_read=True)]
        except QueryError as error:
            raise unavailable(error) from error

    def approval_mark(self, proposal_id: str, approver: str, now: str, reason: str) -> Callable[[str | None], LinkedWrite]:
        """The approval's write, to be added to the transaction that executes the action:
        only a pending, unexpired proposal that ``approver`` did not make becomes approved."""

        def mark(transaction_id: str | None) -> LinkedWrite:
            actions = [
                ProposalItem.status.set(TransactionStatus.APPROVED.value),
                ProposalItem.decided_by.set(approver),
                ProposalItem.decided_at.set(now),
                _append(Step("approved", approver, now, reason)),
            ]
            if transaction_id is not None:
                actions.append(ProposalItem.transaction_id.set(transaction_id))
            condition = ((ProposalItem.status == _PENDING) & (ProposalItem.lapses_at > now)
                         & (ProposalItem.proposed_by != approver))
            return LinkedWrite.update("proposal", ProposalItem(*ProposalItem.key(proposal_id)), actions, condition)

        return mark

    def close(self, proposal_id: str, status: TransactionStatus, by: str, now: str, reason: str) -> bool:
        """Reject (before it lapses, not by its proposer) or expire (after) a pending
        proposal; ``False`` if it was no longer so."""
        pending = ProposalItem.status == _PENDING
        if status is TransactionStatus.REJECTED:
            condition = pending & (ProposalItem.lapses_at > now) & (ProposalItem.proposed_by != by)
        else:
            condition = pending & (ProposalItem.lapses_at <= now)
        item = ProposalItem(*ProposalItem.key(proposal_id))
        try:
            item.update(
                actions=[ProposalItem.status.set(status.value), ProposalItem.decided_by.set(by), ProposalItem.decided_at.set(now),
                         _append(Step(status.value, by, now, reason))],
                condition=condition,
            )
        except UpdateError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise unavailable(error) from error
        return True

    def record_attempt(self, proposal_id: str, step: Step) -> bool:
        """Keep an approval the ledger refused (the proposal stays pending)."""
        try:
            ProposalItem(*ProposalItem.key(proposal_id)).update(
                actions=[_append(step)], condition=ProposalItem.status == _PENDING)
        except UpdateError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise unavailable(error) from error
        return True

    # --- actions executed with the mark -------------------------------------------

    def set_commitment_reserve(self, number: str, reserve: int, linked: tuple[LinkedWrite, ...]) -> None:
        """The reserve, the derived transferable amount and the marks: one transaction."""
        account = LinkedWrite.update(
            "account", AccountItem(*AccountItem.key(number)),
            [AccountItem.commitment_reserve.set(reserve), AccountItem.transferable.set(AccountItem.balance - reserve),
             AccountItem.version.add(1)],
            AccountItem.pk.exists() & (AccountItem.status != AccountStatus.CLOSED.value),
        )
        transact([account, *linked])

    def put_market(self, state: MarketState, linked: tuple[LinkedWrite, ...]) -> None:
        """The trading window's state on every copy of the market item and the marks: one
        transaction (see ``LedgerStore.put_market`` for why all copies change at once)."""
        transact([*_market_copies(state), *linked])

    def put_market_unless_halted(self, state: MarketState) -> bool:
        """The console's own window changes (force open or closed, back to the calendar):
        never over a halt, which ends only by an approved resume. ``False`` if unchanged."""
        from chalicelib.registry.adapters.ledger import LedgerStore

        ledger = LedgerStore()
        current = ledger.market()
        if (current.mode, current.status, current.closes_at, current.reason) == (state.mode, state.status, state.closes_at, state.reason):
            return False
        not_halted = MarketItem.pk.does_not_exist() | (MarketItem.mode != "halted")
        try:
            transact(_market_copies(state, not_halted))
        except CommitFailed as failed:
            if not failed.failed:
                raise
            if ledger.market().mode == "halted":
                raise MarketHaltedByApproval() from failed
            return False
        return True


def _market_copies(state: MarketState, condition: Any = None) -> list[LinkedWrite]:
    """``state`` on every copy of the market item (settings: MARKET_COPIES)."""
    from chalicelib.core.settings import get_settings

    return [LinkedWrite.put(f"market#{copy}", MarketItem(*MarketItem.key(copy), mode=state.mode, status=state.status,
                                                         closes_at=state.closes_at, reason=state.reason, updated_at=state.updated_at),
                            condition)
            for copy in range(get_settings().market_copies)]
