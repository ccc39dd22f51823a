"""Four-eyes approval: the use cases of proposals, and the registry's own kinds.

``Proposals`` keeps a table of executors by kind. The registry registers its own
(issuance, correction, commitment reserve, market halt or resume); another system
registers its kind the same way (the composition root calls ``register``), e.g. the
allocation of a phase::

    proposals.register("allocation", AllocationExecutor(...))

An executor says which payload model a proposal of its kind carries (validated when it
is proposed), checks what can be checked then, and executes an approved proposal: it
must add ``mark(transaction_id)`` (a ``LinkedWrite`` that moves the proposal from
``proposed`` to ``approved``) to the very transaction that performs the action, so the
action happens once, only approved, or not at all. Whatever an executor raises is the
approval's answer; the proposal stays ``proposed`` and the refused attempt is kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.core.clock import now_jst
from chalicelib.core.errors import JvetsError
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.domain import calendar
from chalicelib.registry.domain.accounts import STATUS_JA, AccountNumber, AccountStatus
from chalicelib.registry.domain.blocks import request_fingerprint, transaction_id
from chalicelib.registry.domain.control_errors import (
    ApprovalNeedsMfa,
    ProposalNotFound,
    ProposalSuperseded,
    UnknownProposalKind,
)
from chalicelib.registry.domain.errors import (
    AccountNotFound,
    AccountNotOpen,
    AlreadyCorrected,
    ConcurrentUpdate,
    IdempotencyMismatch,
    TransactionNotFound,
)
from chalicelib.registry.domain.proposals import Proposal, Step, ensure_decidable, proposal_id
from chalicelib.registry.domain.statuses import STATUS_JA as TRANSACTION_STATUS_JA
from chalicelib.registry.domain.statuses import TransactionStatus
from chalicelib.registry.domain.trust import stamp
from chalicelib.registry.ports import AccountsPort, ProposalsPort
from chalicelib.registry.service import (
    CORRECTION_NAMESPACE,
    ISSUANCE_NAMESPACE,
    CorrectCommand,
    IssueCommand,
    Ledger,
    account_view,
)

Clock = Callable[[], datetime]
#: Builds the approval's write for the executing transaction (its id, if it makes one).
Mark = Callable[[str | None], Any]
#: How long a proposal waits for a decision unless the settings say otherwise.
DEFAULT_TTL = timedelta(hours=72)


class DeclaredTwice(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"proposal kind {kind} is registered twice")


class ProposalExecutor(Protocol):
    #: The payload's pydantic model, ``"package.module:Model"``.
    payload_model: str

    def check(self, payload: dict[str, Any]) -> None:
        """Refuse at once what cannot be approved (an unknown account, ...)."""

    def execute(self, proposal: Proposal, mark: Mark) -> dict[str, Any]:
        """Perform the action and ``mark(...)`` in ONE transaction; return its result."""


@dataclass(frozen=True)
class ControlSettings:
    """The controls' delays (environment: hours, fractions allowed)."""

    proposal_ttl: timedelta = DEFAULT_TTL
    trust_delay: timedelta = timedelta(days=7)
    transfer_delay: timedelta = timedelta(hours=26)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ControlSettings:
        def hours(name: str, default: timedelta) -> timedelta:
            text = environ.get(name)
            return timedelta(hours=float(text)) if text else default

        defaults = cls()
        return cls(
            proposal_ttl=hours("PROPOSAL_TTL_HOURS", defaults.proposal_ttl),
            trust_delay=hours("TRUSTED_RECEIVER_DELAY_HOURS", defaults.trust_delay),
            transfer_delay=hours("TRANSFER_DELAY_HOURS", defaults.transfer_delay),
        )


@dataclass(frozen=True)
class ProposeCommand:
    kind: str
    payload: Mapping[str, Any]
    reason: str
    proposed_by: str
    channel: str
    idempotency_key: str
    #: A proposal made again under the same key after the last one was rejected or
    #: lapsed is a new proposal (the key's next attempt), not the closed one replayed:
    #: a console function that proposes the same thing on every run (a phase's allocation)
    #: can propose it again once a reviewer turned it down.
    renew: bool = False


#: Closed without being carried out: a renewable proposal is made again.
CLOSED_UNDONE = frozenset({TransactionStatus.REJECTED.value, TransactionStatus.EXPIRED.value})
#: Attempts of one renewable key; past them the last closed proposal is answered as it is
#: (twenty rejections of one allocation call for a look, not a twenty-first proposal).
MAX_RENEWALS = 20


@dataclass(frozen=True)
class DecideCommand:
    proposal_id: str
    username: str
    mfa: bool
    reason: str = ""


@dataclass(frozen=True)
class Decision:
    proposal: dict[str, Any]
    result: dict[str, Any] | None = None
    replayed: bool = False


def proposal_view(proposal: Proposal, now: str) -> dict[str, Any]:
    status = proposal.status_at(now)
    return {
        "id": proposal.proposal_id,
        "kind": proposal.kind,
        "payload": proposal.payload,
        "reason": proposal.reason,
        "status": status.value,
        "status_ja": TRANSACTION_STATUS_JA[status.value],
        "proposed_by": proposal.proposed_by,
        "channel": proposal.channel,
        "proposed_at": proposal.proposed_at,
        "lapses_at": proposal.lapses_at,
        "decided_by": proposal.decided_by,
        "decided_at": proposal.decided_at,
        "transaction_id": proposal.transaction_id,
        "steps": [step.to_record() for step in proposal.steps],
    }


@dataclass
class Proposals:
    store: ProposalsPort
    settings: ControlSettings = field(default_factory=ControlSettings)
    clock: Clock = now_jst
    executors: dict[str, ProposalExecutor] = field(default_factory=dict)

    def register(self, kind: str, executor: ProposalExecutor) -> None:
        if kind in self.executors:
            raise DeclaredTwice(kind)
        self.executors[kind] = executor

    def _executor(self, kind: str) -> ProposalExecutor:
        executor = self.executors.get(kind)
        if executor is None:
            raise UnknownProposalKind(kind=kind[:40], known=", ".join(sorted(self.executors)), field="kind")
        return executor

    def _get(self, identifier: str) -> Proposal:
        proposal = self.store.get(identifier) if identifier.startswith("PR") and len(identifier) == 20 else None
        if proposal is None:
            raise ProposalNotFound(proposal_id=identifier[:24])
        return proposal

    # --- proposing ------------------------------------------------------------------

    def propose(self, command: ProposeCommand) -> Decision:
        from chalicelib.core.http.requests import validate

        executor = self._executor(command.kind)
        try:
            payload = validate(dict(command.payload), executor.payload_model).model_dump(mode="json")
        except JvetsError as error:
            error.field = f"payload.{error.field}" if error.field else "payload"
            raise
        executor.check(payload)
        fingerprint = request_fingerprint("proposal", {"kind": command.kind, "payload": payload, "reason": command.reason})
        attempts = MAX_RENEWALS if command.renew else 1
        for attempt in range(1, attempts + 1):
            key = command.idempotency_key if attempt == 1 else f"{command.idempotency_key}#{attempt}"
            decision = self._propose(command, payload, fingerprint, proposal_id(command.proposed_by, command.kind, key))
            if not (decision.replayed and decision.proposal["status"] in CLOSED_UNDONE):
                return decision
        return decision

    def _propose(self, command: ProposeCommand, payload: dict[str, Any], fingerprint: str, identifier: str) -> Decision:
        now = self.clock()
        proposal = Proposal(
            proposal_id=identifier, kind=command.kind, payload=payload, reason=command.reason,
            status=TransactionStatus.PROPOSED, proposed_by=command.proposed_by, channel=command.channel,
            proposed_at=stamp(now), lapses_at=stamp(now + self.settings.proposal_ttl), fingerprint=fingerprint,
            steps=(Step("proposed", command.proposed_by, stamp(now), command.reason),),
        )
        if self.store.create(proposal):
            return Decision(proposal_view(proposal, stamp(now)))
        existing = self._get(identifier)
        if existing.fingerprint != fingerprint:
            raise IdempotencyMismatch(field="Idempotency-Key")
        return Decision(proposal_view(existing, stamp(now)), replayed=True)

    # --- reading --------------------------------------------------------------------

    def list(self, status: str | None = None) -> dict[str, Any]:
        now = stamp(self.clock())
        views = [proposal_view(p, now) for p in self.store.all()]
        if status:
            views = [view for view in views if view["status"] == status]
        views.sort(key=lambda view: view["proposed_at"], reverse=True)
        return {"items": views[:200], "kinds": sorted(self.executors)}

    def get(self, identifier: str) -> dict[str, Any]:
        return proposal_view(self._get(identifier), stamp(self.clock()))

    # --- deciding -------------------------------------------------------------------

    def approve(self, command: DecideCommand) -> Decision:
        if not command.mfa:
            raise ApprovalNeedsMfa()
        proposal = self._get(command.proposal_id)
        now = stamp(self.clock())
        ensure_decidable(proposal, command.username, now)
        executor = self._executor(proposal.kind)
        mark = self.store.approval_mark(proposal.proposal_id, command.username, now, command.reason)
        try:
            result = executor.execute(proposal, mark)
        except JvetsError as error:
            # Did another decision or the clock come first (the mark failed), or did the
            # action itself not fit? Either way nothing was written.
            current = self._get(proposal.proposal_id)
            ensure_decidable(current, command.username, stamp(self.clock()))
            self.store.record_attempt(proposal.proposal_id, Step("attempt_failed", command.username, now, command.reason,
                                                                 code=error.code))
            raise
        after = self._get(proposal.proposal_id)
        if after.status is not TransactionStatus.APPROVED or after.decided_by != command.username:
            # The ledger replayed what a racing approval by someone else executed.
            ensure_decidable(after, command.username, now)
            # Still pending: what it proposes was done meanwhile by another proposal.
            self.store.record_attempt(proposal.proposal_id, Step("attempt_failed", command.username, now, command.reason,
                                                                 code=ProposalSuperseded.code))
            raise ProposalSuperseded(proposal_id=proposal.proposal_id)
        return Decision(proposal_view(after, now), result)

    def reject(self, command: DecideCommand) -> Decision:
        if not command.mfa:
            raise ApprovalNeedsMfa()
        proposal = self._get(command.proposal_id)
        now = stamp(self.clock())
        ensure_decidable(proposal, command.username, now)
        if not self.store.close(proposal.proposal_id, TransactionStatus.REJECTED, command.username, now, command.reason):
            ensure_decidable(self._get(proposal.proposal_id), command.username, stamp(self.clock()))
            raise ConcurrentUpdate()
        return Decision(proposal_view(self._get(proposal.proposal_id), now))

    def expire_due(self) -> dict[str, int]:
        """Write ``expired`` on every pending proposal past its time (the schedule)."""
        now = stamp(self.clock())
        expired = 0
        for proposal in self.store.all():
            if proposal.status is TransactionStatus.PROPOSED and proposal.lapses_at <= now:
                expired += self.store.close(proposal.proposal_id, TransactionStatus.EXPIRED, "scheduler", now,
                                            "not decided in time")
        return {"expired": expired}


# --- the registry's own kinds ---------------------------------------------------------------


def _open_account(accounts: AccountsPort, number: str, field: str = "payload.account") -> str:
    canonical = str(AccountNumber.parse_field(number, field))
    account = accounts.get_account(canonical)
    if account is None:
        raise AccountNotFound(number=canonical, field=field)
    if account.status is AccountStatus.CLOSED:
        raise AccountNotOpen(number=canonical, status="closed", status_ja=STATUS_JA["closed"], field=field)
    return canonical


@dataclass
class IssuanceExecutor:
    ledger: Ledger
    payload_model: str = "chalicelib.registry.schemas:IssuancePayload"

    def check(self, payload: dict[str, Any]) -> None:
        payload["account"] = _open_account(self.ledger.accounts, payload["account"])

    def execute(self, proposal: Proposal, mark: Mark) -> dict[str, Any]:
        p = proposal.payload
        command = IssueCommand(
            account=p["account"], unit_type=p["unit_type"], issued_period=p["issued_period"],
            adopted_period=p["adopted_period"], project=p.get("project"), amount=p["amount"], reason=proposal.reason,
            idempotency_key=proposal.proposal_id, initiated_by=proposal.proposed_by,
            linked=(mark(transaction_id(ISSUANCE_NAMESPACE, proposal.proposal_id)),),
        )
        return {"transaction": self.ledger.issue(command).transaction}


@dataclass
class CorrectionExecutor:
    ledger: Ledger
    payload_model: str = "chalicelib.registry.schemas:CorrectionPayload"

    def check(self, payload: dict[str, Any]) -> None:
        original = payload["transaction_id"]
        stored = self.ledger.store.transaction(original) if len(original) == 20 and original.startswith("TX") else None
        if stored is None:
            raise TransactionNotFound(transaction_id=original[:24], field="payload.transaction_id")
        if stored.corrected_by:
            raise AlreadyCorrected(transaction_id=original, corrected_by=stored.corrected_by)
        if payload.get("to_account"):
            payload["to_account"] = _open_account(self.ledger.accounts, payload["to_account"], "payload.to_account")

    def execute(self, proposal: Proposal, mark: Mark) -> dict[str, Any]:
        p = proposal.payload
        command = CorrectCommand(
            transaction_id=p["transaction_id"], reason=proposal.reason, initiated_by=proposal.proposed_by,
            to_account=p.get("to_account"), linked=(mark(transaction_id(CORRECTION_NAMESPACE, p["transaction_id"])),),
        )
        stored = self.ledger.store.transaction(p["transaction_id"])
        if stored is not None and stored.corrected_by:  # by another proposal's approval
            raise AlreadyCorrected(transaction_id=p["transaction_id"], corrected_by=stored.corrected_by)
        return {"transaction": self.ledger.correct(command).transaction}


class ControlWrites(Protocol):
    def set_commitment_reserve(self, number: str, reserve: int, linked: tuple[Any, ...]) -> None: ...

    def put_market(self, state: calendar.MarketState, linked: tuple[Any, ...]) -> None: ...


def _commit(write: Callable[[], None], explain: Callable[[CommitFailed], None] = lambda failed: None) -> None:
    """One transaction with the proposal's mark: a failed mark or action is explained;
    a conflict with another transaction in flight is retried once, then a 503."""
    from chalicelib.registry.domain.errors import LinkedConditionFailed

    for _attempt in range(2):
        try:
            write()
        except CommitFailed as failed:
            explain(failed)
            if "proposal" in failed.failed:
                raise LinkedConditionFailed(labels="proposal", details=[{"failed": ["proposal"]}]) from failed
            continue
        return
    raise ConcurrentUpdate()


@dataclass
class ReserveExecutor:
    accounts: AccountsPort
    writes: ControlWrites
    payload_model: str = "chalicelib.registry.schemas:ReservePayload"

    def check(self, payload: dict[str, Any]) -> None:
        payload["account"] = _open_account(self.accounts, payload["account"])

    def execute(self, proposal: Proposal, mark: Mark) -> dict[str, Any]:
        number, reserve = proposal.payload["account"], proposal.payload["commitment_reserve"]

        def explain(failed: CommitFailed) -> None:
            if "account" in failed.failed:
                _open_account(self.accounts, number)

        _commit(lambda: self.writes.set_commitment_reserve(number, reserve, (mark(None),)), explain)
        account = self.accounts.get_account(number)
        if account is None:  # deleted accounts do not exist; a bug if it happens
            raise AccountNotFound(number=number)
        return dict(account_view(account))


@dataclass
class MarketExecutor:
    writes: ControlWrites
    clock: Clock = now_jst
    payload_model: str = "chalicelib.registry.schemas:MarketPayload"

    def check(self, payload: dict[str, Any]) -> None:
        return None

    def execute(self, proposal: Proposal, mark: Mark) -> dict[str, Any]:
        now = self.clock()
        mode = "halted" if proposal.payload["action"] == "halt" else "auto"
        state = calendar.derive(mode, now, proposal.reason if mode == "halted" else "")
        _commit(lambda: self.writes.put_market(state, (mark(None),)))
        return {**calendar.view(state, now), "changed": True}


def register_registry_kinds(proposals: Proposals, ledger: Ledger, writes: ControlWrites) -> Proposals:
    """The registry's own kinds of proposal."""
    proposals.register("issuance", IssuanceExecutor(ledger))
    proposals.register("correction", CorrectionExecutor(ledger))
    proposals.register("commitment_reserve", ReserveExecutor(ledger.accounts, writes))
    proposals.register("market", MarketExecutor(writes, ledger.clock))
    return proposals
