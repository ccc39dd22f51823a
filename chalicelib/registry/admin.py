"""The registry's administrator functions: accounts, issuance, corrections, the trading
window and the ledger audit (``chalicelib.core.admin`` explains the declaration)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.admin import AdminFunctions
from chalicelib.core.clock import iso_now

if TYPE_CHECKING:
    from chalicelib.registry.schemas import (
        AccountEvent,
        AuditLedger,
        CorrectTransaction,
        IssueUnits,
        OpenAccount,
        SetAccountStatus,
        SetCommitmentReserve,
        SetMarket,
    )

admin = AdminFunctions(__name__, schemas="chalicelib.registry.schemas")
blueprint = admin.blueprint


@admin.function("OpenAccount")
def open_account(event: OpenAccount) -> dict[str, Any]:
    from chalicelib.registry import service
    from chalicelib.registry.domain.accounts import AccountType

    command = service.OpenAccountCommand(event.org_id, AccountType(event.type), event.commitment_period)
    return dict(service.open_account(command, accounts=container.registry_store(),
                                     organisations=container.organisations(), now=iso_now()))


@admin.function("AccountEvent")
def close_account(event: AccountEvent) -> dict[str, Any]:
    from chalicelib.registry import service

    return dict(service.close_account(event.account, accounts=container.registry_store()))


@admin.function("SetAccountStatus")
def set_account_status(event: SetAccountStatus) -> dict[str, Any]:
    from chalicelib.registry import service

    return dict(service.set_account_status(event.account, event.action, accounts=container.registry_store()))


@admin.function("SetCommitmentReserve")
def set_commitment_reserve(event: SetCommitmentReserve) -> dict[str, Any]:
    from chalicelib.registry import service

    return dict(service.set_commitment_reserve(event.account, event.commitment_reserve,
                                               accounts=container.registry_store()))


@admin.function("IssueUnits")
def issue_units(event: IssueUnits) -> dict[str, Any]:
    from chalicelib.registry.service import IssueCommand

    command = IssueCommand(
        account=event.account, unit_type=event.unit_type, issued_period=event.issued_period,
        adopted_period=event.adopted_period, project=event.project, amount=event.amount, reason=event.reason,
        idempotency_key=event.idempotency_key or f"issue-{uuid.uuid4()}", initiated_by=event.requested_by,
    )
    return {"transaction": container.ledger().issue(command).transaction}


@admin.function("CorrectTransaction")
def correct_transaction(event: CorrectTransaction) -> dict[str, Any]:
    from chalicelib.registry.service import CorrectCommand

    command = CorrectCommand(transaction_id=event.transaction_id, reason=event.reason,
                             to_account=event.to_account, initiated_by=event.requested_by)
    return {"transaction": container.ledger().correct(command).transaction}


@admin.function("SetMarket")
def set_market(event: SetMarket) -> dict[str, Any]:
    from chalicelib.registry import service

    return service.set_market(event.action, event.reason, container.ledger_store())


@admin.function("AuditLedger")
def audit_ledger(event: AuditLedger) -> dict[str, Any]:
    return container.ledger().audit()
