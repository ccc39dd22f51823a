"""Transfers, retirements, balances, history, transactions and the trading window."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping

from chalice import Response

from chalicelib import container
from chalicelib.api.routing import ApiBlueprint, current_correlation_id, json_response, resolve
from chalicelib.errors import IdempotencyKeyRequired
from chalicelib.identity.principal import Principal
from chalicelib.registry.domain import errors as e
from chalicelib.registry.market import market_view

if TYPE_CHECKING:
    from chalicelib.api.schemas import RetirementRequest, TransferRequest

api = ApiBlueprint(__name__, "registry")

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


def _created(transaction: dict[str, Any], replayed: bool) -> Response:
    model = resolve("TransactionResponse")
    body = model.model_validate({"transaction": transaction}).model_dump(mode="json", by_alias=True)
    extra = {"Idempotent-Replayed": "true"} if replayed else None
    return json_response(201, body, current_correlation_id(), extra)


@api.route(
    "/transfers",
    "POST",
    summary="Transfer units to another account (one atomic transaction; Idempotency-Key required)",
    body="TransferRequest",
    response="TransactionResponse",
    status=201,
    headers=("Idempotency-Key",),
    errors_=(*_MOVE_ERRORS, e.MarketClosed),
)
def create_transfer(principal: Principal, body: TransferRequest, headers: Mapping[str, str]) -> Response:
    transaction, replayed = container.ledger().transfer(
        principal, body.model_dump(mode="json"), _idempotency_key(headers)
    )
    return _created(transaction, replayed)


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
    transaction, replayed = container.ledger().retire(principal, body.model_dump(mode="json"), _idempotency_key(headers))
    return _created(transaction, replayed)


@api.route(
    "/accounts/{number}/balance",
    summary="Balance, commitment reserve, transferable amount and the serial blocks held",
    response="Balance",
    errors_=(e.InvalidAccountNumber, e.AccountNotFound),
)
def get_balance(principal: Principal, number: str) -> dict:
    return container.ledger().balance(principal, number)


@api.route(
    "/accounts/{number}/transactions",
    summary="Transaction history for a JST date range, with totals in and out over the whole range",
    response="History",
    query=("from", "to", "cursor", "limit"),
    errors_=(e.InvalidAccountNumber, e.AccountNotFound, e.InvalidDateRange, e.InvalidCursor),
)
def get_history(principal: Principal, number: str, query: dict[str, str]) -> dict:
    return container.ledger().history(principal, number, query)


@api.route(
    "/transactions/{transaction_id}",
    summary="One transaction with its lines, serial ranges and hash-chain links",
    response="TransactionView",
    errors_=(e.TransactionNotFound,),
)
def get_transaction(principal: Principal, transaction_id: str) -> dict:
    return container.ledger().transaction(principal, transaction_id)


@api.route("/market", summary="The trading window now: open, closed or halted, and the next opening", response="Market", public=True)
def get_market() -> dict:
    return market_view(container.ledger_store())
