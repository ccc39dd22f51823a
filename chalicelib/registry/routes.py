"""The registry's routes: accounts, transfers, retirements, balances, history,
transactions and the trading window."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import container
from chalicelib.core.errors import IdempotencyKeyRequired
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.http.requests import current_correlation_id, resolve
from chalicelib.core.http.responses import json_response
from chalicelib.core.principal import Principal, Role
from chalicelib.registry.domain import control_errors as c
from chalicelib.registry.domain import errors as e

if TYPE_CHECKING:
    from chalicelib.registry.schemas import DecisionRequest, ProposalRequest, RejectionRequest, RetirementRequest, TransferRequest, TrustRequest
    from chalicelib.registry.service import Receipt
    from chalicelib.registry.trusted import Held

api = ApiBlueprint(__name__, "registry", schemas="chalicelib.registry.schemas")

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
_MOVE_ERRORS = (
    e.InvalidAccountNumber, e.AccountNotFound, e.UnknownReceiver, e.AccountNotOpen, e.ReceiverNotAllowed,
    e.SameAccount, e.InsufficientUnits, e.ReserveBreach, e.TooManyBlocks, e.IdempotencyMismatch,
    e.ConcurrentUpdate, IdempotencyKeyRequired,
)


def _idempotency_key(headers: Mapping[str, str]) -> str:
    key = headers.get("idempotency-key")
    if not key or not _KEY.match(key):
        raise IdempotencyKeyRequired(field="Idempotency-Key")
    return key


def _created(receipt: Receipt) -> Response:
    model = resolve("chalicelib.registry.schemas:TransactionResponse")
    body = model.model_validate({"transaction": receipt.transaction}).model_dump(mode="json", by_alias=True)
    extra = {"Idempotent-Replayed": "true"} if receipt.replayed else None
    return json_response(201, body, current_correlation_id(), extra)


@api.route(
    "/accounts/{number}",
    summary="One account: holder, status, balance, commitment reserve, transferable amount",
    response="AccountDetail",
    errors_=(e.InvalidAccountNumber, e.AccountNotFound),
)
def get_account(principal: Principal, number: str) -> Any:
    from chalicelib.registry import service

    return service.get_account(principal, number, accounts=container.registry_store())


@api.route(
    "/accounts/{number}/holder",
    summary="The holder's name and the status of any account (shown before a transfer is confirmed)",
    response="AccountHolder",
    errors_=(e.InvalidAccountNumber, e.AccountNotFound),
)
def get_account_holder(principal: Principal, number: str) -> Any:
    from chalicelib.registry import service

    return service.account_holder(number, accounts=container.registry_store())


@api.route(
    "/transfers",
    "POST",
    summary="Transfer units to another account (one atomic transaction; Idempotency-Key required). To an account "
            "outside the sender's trusted list the transfer is held: 202 with the delayed transfer",
    body="TransferRequest",
    response="TransactionResponse",
    status=201,
    headers=("Idempotency-Key",),
    errors_=(*_MOVE_ERRORS, e.MarketClosed, e.LinkedConditionFailed, c.LinkedTransferNeedsTrust),
)
def create_transfer(principal: Principal, body: TransferRequest, headers: Mapping[str, str]) -> Response:
    from chalicelib.registry.service import Initiator, TransferCommand
    from chalicelib.registry.trusted import Held

    command = TransferCommand.from_request(body.model_dump(mode="json"), _idempotency_key(headers), Initiator.of(principal))
    if body.deal_id is not None:
        command = _settling(command, body.deal_id)
    outcome = container.transfers().submit(command)
    if isinstance(outcome, Held):
        return _held(outcome)
    return _created(outcome)


def _settling(command: Any, deal_id: str) -> Any:
    """The transfer settles a deal of the notice board: its writes join the transfer's
    transaction (``DealSettlement`` port, wired by the container)."""
    from dataclasses import replace

    from chalicelib.registry.domain.accounts import AccountNumber
    from chalicelib.registry.domain.blocks import transaction_id
    from chalicelib.registry.ports import DealSettlement

    settlement: DealSettlement = container.deal_settlement()
    receiver = str(AccountNumber.parse_field(command.receiver, "to_account"))
    deal_ref, linked = settlement.settlement(
        deal_id, initiator_org=command.initiator.org_id, receiver=receiver,
        lines=[(line.unit_type, line.amount) for line in command.lines],
        transaction_id=transaction_id(command.initiator.org_id, command.idempotency_key))
    return replace(command, deal_ref=deal_ref, linked=linked)


@api.route(
    "/retirements",
    "POST",
    summary="Retire units toward a compliance period (allowed outside the trading window)",
    body="RetirementRequest",
    response="TransactionResponse",
    status=201,
    headers=("Idempotency-Key",),
    errors_=_MOVE_ERRORS,
)
def create_retirement(principal: Principal, body: RetirementRequest, headers: Mapping[str, str]) -> Response:
    from chalicelib.registry.service import Initiator, RetireCommand

    command = RetireCommand.from_request(body.model_dump(mode="json"), _idempotency_key(headers), Initiator.of(principal))
    return _created(container.ledger().retire(command))


@api.route(
    "/accounts/{number}/balance",
    summary="Balance, commitment reserve, transferable amount and one page of the serial blocks held",
    response="Balance",
    query=("cursor", "limit"),
    errors_=(e.InvalidAccountNumber, e.AccountNotFound, e.InvalidLimit, e.InvalidCursor),
)
def get_balance(principal: Principal, number: str, query: dict[str, str]) -> Any:
    return container.ledger().balance(principal, number, query.get("cursor"), query.get("limit"))


@api.route(
    "/accounts/{number}/transactions",
    summary="Transaction history for a JST date range, with totals in and out over the whole range",
    response="History",
    query=("from", "to", "cursor", "limit"),
    errors_=(e.InvalidAccountNumber, e.AccountNotFound, e.InvalidDateRange, e.InvalidLimit, e.InvalidCursor),
)
def get_history(principal: Principal, number: str, query: dict[str, str]) -> Any:
    from chalicelib.registry.service import HistoryQuery

    history = HistoryQuery(account=number, first=query.get("from"), last=query.get("to"),
                           cursor=query.get("cursor"), limit=query.get("limit"))
    return container.ledger().history(principal, history)


@api.route(
    "/transactions/{transaction_id}",
    summary="One transaction with its lines, serial ranges and hash-chain links",
    response="TransactionView",
    errors_=(e.TransactionNotFound,),
)
def get_transaction(principal: Principal, transaction_id: str) -> Any:
    return container.ledger().transaction(principal, transaction_id)


@api.route("/market", summary="The trading window now: open, closed or halted, and the next opening", response="Market",
           public=True)
def get_market() -> Any:
    from chalicelib.registry.service import market_view

    return market_view(container.ledger_store())


def _held(held: Held) -> Response:
    model = resolve("chalicelib.registry.schemas:DelayedTransferResponse")
    body = model.model_validate({"delayed_transfer": held.delayed_transfer}).model_dump(mode="json", by_alias=True)
    extra = {"Idempotent-Replayed": "true"} if held.replayed else None
    return json_response(202, body, current_correlation_id(), extra)


# --- four-eyes proposals (administrators only; approvals need an MFA session) ---------------

_ADMIN = {Role.ADMIN}
_DECISION_ERRORS = (c.ProposalNotFound, c.OwnProposal, c.ApprovalNeedsMfa, c.ProposalNotPending, c.ProposalExpired,
                    c.ProposalSuperseded)


def _decision(decision: Any) -> dict[str, Any]:
    return {"proposal": decision.proposal, "result": decision.result}


@api.route("/proposals", summary="Proposals of administrator actions (four eyes), newest first; ?status= filters",
           response="ProposalList", roles=_ADMIN, query=("status",))
def list_proposals(principal: Principal, query: dict[str, str]) -> Any:
    status = query.get("status") or None
    return container.proposals().list(status if status in {"proposed", "approved", "rejected", "expired"} else None)


@api.route("/proposals", "POST",
           summary="Propose an administrator action (issuance, correction, commitment_reserve, market, ...); another "
                   "administrator approves it",
           body="ProposalRequest", response="ProposalResponse", status=201, roles=_ADMIN, headers=("Idempotency-Key",),
           errors_=(c.UnknownProposalKind, e.InvalidAccountNumber, e.AccountNotFound, e.AccountNotOpen,
                    e.TransactionNotFound, e.AlreadyCorrected, e.IdempotencyMismatch, IdempotencyKeyRequired))
def create_proposal(principal: Principal, body: ProposalRequest, headers: Mapping[str, str]) -> Response:
    from chalicelib.registry.proposals import ProposeCommand

    command = ProposeCommand(kind=body.kind, payload=body.payload, reason=body.reason, proposed_by=principal.username,
                             channel="api", idempotency_key=_idempotency_key(headers))
    decision = container.proposals().propose(command)
    model = resolve("chalicelib.registry.schemas:ProposalResponse")
    answer = model.model_validate(_decision(decision)).model_dump(mode="json", by_alias=True)
    return json_response(201, answer, current_correlation_id(), {"Idempotent-Replayed": "true"} if decision.replayed else None)


@api.route("/proposals/{proposal_id}", summary="One proposal with every step (who, when, why)", response="ProposalResponse",
           roles=_ADMIN, errors_=(c.ProposalNotFound,))
def get_proposal(principal: Principal, proposal_id: str) -> Any:
    return {"proposal": container.proposals().get(proposal_id)}


@api.route("/proposals/{proposal_id}/approve", "POST",
           summary="Approve another administrator's proposal: it executes once, in the transaction that marks it approved",
           body="DecisionRequest", response="ProposalResponse", roles=_ADMIN,
           errors_=(*_DECISION_ERRORS, *_MOVE_ERRORS, e.UnitsNoLongerHeld, e.AlreadyCorrected, e.NotCorrectable,
                    e.LinkedConditionFailed))
def approve_proposal(principal: Principal, proposal_id: str, body: DecisionRequest) -> Any:
    from chalicelib.registry.proposals import DecideCommand

    command = DecideCommand(proposal_id, principal.username, principal.mfa, body.reason)
    return _decision(container.proposals().approve(command))


@api.route("/proposals/{proposal_id}/reject", "POST", summary="Reject another administrator's proposal (nothing is executed)",
           body="RejectionRequest", response="ProposalResponse", roles=_ADMIN, errors_=_DECISION_ERRORS)
def reject_proposal(principal: Principal, proposal_id: str, body: RejectionRequest) -> Any:
    from chalicelib.registry.proposals import DecideCommand

    return _decision(container.proposals().reject(DecideCommand(proposal_id, principal.username, principal.mfa, body.reason)))


# --- trusted receivers and delayed transfers -------------------------------------------------


@api.route("/accounts/{number}/trusted", summary="The account's trusted receiving accounts and when each counts",
           response="TrustedList", errors_=(e.InvalidAccountNumber, e.AccountNotFound))
def get_trusted(principal: Principal, number: str) -> Any:
    return container.transfers().trusted(principal, number)


@api.route("/accounts/{number}/trusted", "POST",
           summary="Add a trusted receiving account (it counts only after the trust delay)", body="TrustRequest",
           response="TrustedEntry", status=201,
           errors_=(e.InvalidAccountNumber, e.AccountNotFound, e.UnknownReceiver, e.ReceiverNotAllowed, c.TrustNotNeeded,
                    c.AlreadyTrusted, c.TrustedListFull))
def add_trusted(principal: Principal, number: str, body: TrustRequest) -> Any:
    return container.transfers().add(principal, number, body.account)


@api.route("/accounts/{number}/trusted/{receiver}", "DELETE", summary="Remove a trusted receiving account (at once)",
           response="TrustedEntry", errors_=(e.InvalidAccountNumber, e.AccountNotFound, c.NotTrusted))
def remove_trusted(principal: Principal, number: str, receiver: str) -> Any:
    return container.transfers().remove(principal, number, receiver)


@api.route("/delayed-transfers", summary="Transfers held because their receiver was not trusted (the caller's organisation)",
           response="DelayedTransferList")
def list_delayed_transfers(principal: Principal) -> Any:
    return container.transfers().delayed(principal)


@api.route("/delayed-transfers/{transfer_id}", summary="One held transfer", response="DelayedTransferResponse",
           errors_=(c.DelayedTransferNotFound,))
def get_delayed_transfer(principal: Principal, transfer_id: str) -> Any:
    return {"delayed_transfer": container.transfers().get(principal, transfer_id)}


@api.route("/delayed-transfers/{transfer_id}/cancel", "POST", summary="Cancel a held transfer during its delay (the holder)",
           response="DelayedTransferResponse", errors_=(c.DelayedTransferNotFound, c.DelayedTransferNotPending))
def cancel_delayed_transfer(principal: Principal, transfer_id: str) -> Any:
    return {"delayed_transfer": container.transfers().cancel(principal, transfer_id)}
