"""Registry use cases: each function runs one, given primitives and the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.identity.principal import Principal
from chalicelib.registry.domain.accounts import Account, AccountNumber, AccountType
from chalicelib.registry.domain.errors import AccountNotFound, AccountTypeNotAllowed, OrganisationNotFound
from chalicelib.registry.domain.organisations import Organisation, OrganisationKind

if TYPE_CHECKING:  # adapters are imported where they are used: cold start
    from chalicelib.registry.adapters.store import RegistryStore


def account_view(account: Account) -> dict[str, Any]:
    return {
        "number": account.number,
        "type": account.type,
        "holder_org_id": account.holder_org_id,
        "holder": account.holder_name,
        "holder_ja": account.holder_name_ja,
        "status": account.status.value,
        "commitment_reserve": account.commitment_reserve,
        "balance": account.balance,
        "transferable": account.transferable,
        "created_at": account.created_at,
    }


def organisation_view(organisation: Organisation) -> dict[str, Any]:
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "name_ja": organisation.name_ja,
        "kind": organisation.kind.value,
        "created_at": organisation.created_at,
    }


def visible_account(principal: Principal, number: str, store: RegistryStore) -> Account:
    """The account if the caller may see it; otherwise exactly as if it did not exist."""
    canonical = str(AccountNumber.parse(number))
    account = store.get_account(canonical)
    if account is None or not (principal.is_admin or account.holder_org_id == principal.org_id):
        raise AccountNotFound(number=canonical)
    return account


def get_account(principal: Principal, number: str, *, store: RegistryStore) -> dict[str, Any]:
    return account_view(visible_account(principal, number, store))


def account_holder(number: str, *, store: RegistryStore) -> dict[str, Any]:
    """Who holds an account: what a sender sees on the confirmation screen before
    transferring (as the registry's own screens show the receiver's company name)."""
    canonical = str(AccountNumber.parse(number))
    account = store.get_account(canonical)
    if account is None:
        raise AccountNotFound(number=canonical)
    return {"number": account.number, "type": account.type, "holder": account.holder_name,
            "holder_ja": account.holder_name_ja, "status": account.status.value}


def create_organisation(
    org_id: str, name: str, name_ja: str, kind: OrganisationKind, *, store: RegistryStore, now: str
) -> dict[str, Any]:
    organisation = Organisation(org_id=org_id, name=name, name_ja=name_ja, kind=kind, created_at=now)
    return organisation_view(store.create_organisation(organisation))


def open_account(org_id: str, account_type: AccountType, period: int, *, store: RegistryStore, now: str) -> dict[str, Any]:
    holder = store.get_organisation(org_id)
    if holder is None:
        raise OrganisationNotFound(org_id=org_id, field="org_id")
    if not holder.may_hold(account_type):
        raise AccountTypeNotAllowed(type=int(account_type), holder_kind=holder.kind.value, field="type")
    return account_view(store.open_account(holder, account_type, period, now))


def close_account(number: str, *, store: RegistryStore) -> dict[str, Any]:
    canonical = str(AccountNumber.parse(number))
    return account_view(store.close_account(canonical))


def set_commitment_reserve(number: str, reserve: int, *, store: RegistryStore) -> dict[str, Any]:
    canonical = str(AccountNumber.parse(number))
    return account_view(store.set_commitment_reserve(canonical, reserve))
