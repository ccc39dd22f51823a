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
    """Proposes only: another administrator approves it through the API."""
    return _propose("commitment_reserve", {"account": event.account, "commitment_reserve": event.commitment_reserve},
                    event.reason, event.requested_by, event.idempotency_key)


def _propose(kind: str, payload: dict[str, Any], reason: str, requested_by: str, key: str | None) -> dict[str, Any]:
    """A console event cannot prove who sent it: it may only propose (four eyes)."""
    from chalicelib.registry.proposals import ProposeCommand

    command = ProposeCommand(kind=kind, payload=payload, reason=reason, proposed_by=requested_by, channel="console",
                             idempotency_key=key or f"{kind}-{uuid.uuid4()}")
    return {"proposal": container.proposals().propose(command).proposal}


@admin.function("IssueUnits")
def issue_units(event: IssueUnits) -> dict[str, Any]:
    """Proposes only: another administrator approves it through the API."""
    payload = {"account": event.account, "unit_type": event.unit_type, "issued_period": event.issued_period,
               "adopted_period": event.adopted_period, "project": event.project, "amount": event.amount}
    return _propose("issuance", payload, event.reason, event.requested_by, event.idempotency_key)


@admin.function("CorrectTransaction")
def correct_transaction(event: CorrectTransaction) -> dict[str, Any]:
    """Proposes only: another administrator approves it through the API."""
    return _propose("correction", {"transaction_id": event.transaction_id, "to_account": event.to_account},
                    event.reason, event.requested_by, event.idempotency_key)


@admin.function("SetMarket")
def set_market(event: SetMarket) -> dict[str, Any]:
    """Halting and resuming are proposed; forcing the window open or closed, or back to
    the calendar, happens at once but never over a halt."""
    from chalicelib.registry import service

    if event.action in ("halt", "resume"):
        reason = event.reason.strip() or "Resume trading"
        return _propose("market", {"action": event.action}, reason, event.requested_by, event.idempotency_key)
    return service.set_market(event.action, event.reason, container.ledger_store(), writes=container.proposal_store())


@admin.function("AuditLedger")
def audit_ledger(event: AuditLedger) -> dict[str, Any]:
    return container.ledger().audit()
