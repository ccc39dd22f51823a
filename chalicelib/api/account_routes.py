"""Registry accounts."""

from __future__ import annotations

from chalicelib import container
from chalicelib.api.routing import ApiBlueprint
from chalicelib.identity.principal import Principal
from chalicelib.registry import services
from chalicelib.registry.domain.errors import AccountNotFound, InvalidAccountNumber

api = ApiBlueprint(__name__, "registry")


@api.route(
    "/accounts/{number}",
    summary="One account: holder, status, balance, commitment reserve, transferable amount",
    response="AccountDetail",
    errors_=(InvalidAccountNumber, AccountNotFound),
)
def get_account(principal: Principal, number: str) -> dict:
    return services.get_account(principal, number, store=container.registry_store())


@api.route(
    "/accounts/{number}/holder",
    summary="The holder's name and the status of any account (shown before a transfer is confirmed)",
    response="AccountHolder",
    errors_=(InvalidAccountNumber, AccountNotFound),
)
def get_account_holder(principal: Principal, number: str) -> dict:
    return services.account_holder(number, store=container.registry_store())
