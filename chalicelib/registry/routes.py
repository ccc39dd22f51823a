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
from chalicelib.core.principal import Principal
from chalicelib.registry.domain import errors as e

if TYPE_CHECKING:
    from chalicelib.registry.schemas import RetirementRequest, TransferRequest
    from chalicelib.registry.service import Receipt

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
    summary="Transfer units to another account (one atomic transaction; Idempotency-Key required)",
    body="TransferRequest",
    response="TransactionResponse",
    status=201,
    headers=("Idempotency-Key",),
    errors_=(*_MOVE_ERRORS, e.MarketClosed, e.LinkedConditionFailed),
)
def create_transfer(principal: Principal, body: TransferRequest, headers: Mapping[str, str]) -> Response:
    from chalicelib.registry.service import Initiator, TransferCommand

    command = TransferCommand.from_request(body.model_dump(mode="json"), _idempotency_key(headers), Initiator.of(principal))
    if body.deal_id is not None:
        command = _settling(command, body.deal_id)
    return _created(container.ledger().transfer(command))


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
