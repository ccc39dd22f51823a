"""The administrator's console-invoked functions.

Each takes a JSON event, validates it with pydantic, runs one service and returns
JSON: the result, or ``{"error": {"code", "message", "message_ja"}}`` on a refusal.
In AWS they are Lambda functions invoked from the console; locally the same handlers
run through ``python -m chalicelib.admin FUNCTION '<json>'``.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib import container
from chalicelib.api.errors import InternalError
from chalicelib.clock import iso_now
from chalicelib.errors import JvetsError, ValidationFailed
from chalicelib.identity.errors import RoleNotAllowed
from chalicelib.observability import logger
from chalicelib.registry import services
from chalicelib.registry.domain.accounts import AccountType
from chalicelib.registry.domain.errors import OrganisationNotFound
from chalicelib.registry.domain.organisations import ROLE_BY_KIND, OrganisationKind

Text = Annotated[str, Field(min_length=1, max_length=200)]
OrgId = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
AccountNumberText = Annotated[str, Field(min_length=1, max_length=40)]


class AdminEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class CreateOrganisation(AdminEvent):
    org_id: OrgId
    name: Text
    name_ja: Text
    kind: Literal["administrator", "verification_body", "target_subsidised", "target", "trading"]


class CreateUser(AdminEvent):
    username: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    org_id: OrgId
    role: Literal["participant", "verifier", "admin"]
    #: Set a permanent password directly (demo and tests); omit to have Cognito send
    #: the user a temporary one that must be changed at first sign-in.
    password: Annotated[str, Field(min_length=12, max_length=256)] | None = None


class OpenAccount(AdminEvent):
    org_id: OrgId
    type: Literal[100, 120, 121, 230, 300]
    commitment_period: Annotated[int, Field(ge=0, le=99)] = 0


class AccountEvent(AdminEvent):
    account: AccountNumberText


class SetCommitmentReserve(AdminEvent):
    account: AccountNumberText
    commitment_reserve: Annotated[int, Field(ge=0, le=10_000_000_000)]


Reason = Annotated[str, Field(min_length=1, max_length=500)]
Period = Annotated[str, Field(pattern=r"^[0-9]{2}$")]
Requester = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]


class IssueUnits(AdminEvent):
    account: AccountNumberText
    unit_type: Literal["JPA", "jCER"]
    issued_period: Period
    adopted_period: Period
    #: Credits only: the CDM project number.
    project: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,32}$")] | None = None
    amount: Annotated[int, Field(ge=1, le=1_000_000_000)]
    reason: Reason
    idempotency_key: Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None
    requested_by: Requester = "administrator"

    @model_validator(mode="after")
    def _project_for_credits_only(self) -> "IssueUnits":
        from chalicelib.registry.domain.ledger import UNIT_TYPES

        if UNIT_TYPES[self.unit_type].credit != (self.project is not None):
            raise ValueError("project is required for credits and not allowed for allowances")
        return self


class CorrectTransaction(AdminEvent):
    transaction_id: Annotated[str, Field(min_length=1, max_length=40)]
    reason: Reason
    to_account: AccountNumberText | None = None
    requested_by: Requester = "administrator"


class SetMarket(AdminEvent):
    action: Literal["halt", "resume", "force_open", "force_close", "auto"]
    reason: Annotated[str, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _halt_needs_a_reason(self) -> "SetMarket":
        if self.action == "halt" and not self.reason.strip():
            raise ValueError("a halt needs a reason")
        return self


class AuditLedger(AdminEvent):
    pass


def _issue_units(event: IssueUnits) -> dict[str, Any]:
    import uuid

    payload = event.model_dump(mode="json", exclude={"idempotency_key", "requested_by"})
    key = event.idempotency_key or f"issue-{uuid.uuid4()}"
    return {"transaction": container.ledger().issue(payload, event.requested_by, key)}


def _correct_transaction(event: CorrectTransaction) -> dict[str, Any]:
    payload = event.model_dump(mode="json", exclude={"requested_by"})
    return {"transaction": container.ledger().correct(payload, event.requested_by)}


def _set_market(event: SetMarket) -> dict[str, Any]:
    from chalicelib.registry.market import set_market

    return set_market(event.action, event.reason, container.ledger_store())


def _audit_ledger(event: AuditLedger) -> dict[str, Any]:
    from chalicelib.registry.audit import audit_ledger

    return audit_ledger(container.ledger_store())


def _create_organisation(event: CreateOrganisation) -> dict[str, Any]:
    return services.create_organisation(
        event.org_id,
        event.name,
        event.name_ja,
        OrganisationKind(event.kind),
        store=container.registry_store(),
        now=iso_now(),
    )


def _create_user(event: CreateUser) -> dict[str, Any]:
    organisation = container.registry_store().get_organisation(event.org_id)
    if organisation is None:
        raise OrganisationNotFound(org_id=event.org_id, field="org_id")
    if ROLE_BY_KIND[organisation.kind] != event.role:
        raise RoleNotAllowed(role=event.role, kind=organisation.kind.value, field="role")
    created = container.directory().create_user(
        username=event.username, email=event.email, org_id=event.org_id, group=event.role, password=event.password
    )
    return {**created, "org_id": event.org_id, "role": event.role}


def _open_account(event: OpenAccount) -> dict[str, Any]:
    return services.open_account(
        event.org_id,
        AccountType(event.type),
        event.commitment_period,
        store=container.registry_store(),
        now=iso_now(),
    )


def _close_account(event: AccountEvent) -> dict[str, Any]:
    return services.close_account(event.account, store=container.registry_store())


def _set_commitment_reserve(event: SetCommitmentReserve) -> dict[str, Any]:
    return services.set_commitment_reserve(event.account, event.commitment_reserve, store=container.registry_store())


AdminFunction = Callable[[Any, Any], dict[str, Any]]


def _handler(name: str, model: type[AdminEvent], run: Callable[[Any], dict[str, Any]]) -> AdminFunction:
    def handler(event: Any, context: Any = None) -> dict[str, Any]:
        from chalicelib.api.routing import validate

        logger.append_keys(admin_function=name)
        try:
            result = run(validate(event, model))
        except JvetsError as error:
            logger.info("admin function refused", extra={"code": error.code})
            return {"error": error.to_dict()}
        except Exception:  # noqa: BLE001 - report a bug as a typed error, log the cause
            logger.exception("admin function failed")
            return {"error": InternalError().to_dict()}
        logger.info("admin function completed")
        return result

    handler.__name__ = name
    handler.__doc__ = model.__doc__
    return handler


FUNCTIONS: dict[str, AdminFunction] = {
    "create_organisation": _handler("create_organisation", CreateOrganisation, _create_organisation),
    "create_user": _handler("create_user", CreateUser, _create_user),
    "open_account": _handler("open_account", OpenAccount, _open_account),
    "close_account": _handler("close_account", AccountEvent, _close_account),
    "set_commitment_reserve": _handler("set_commitment_reserve", SetCommitmentReserve, _set_commitment_reserve),
    "issue_units": _handler("issue_units", IssueUnits, _issue_units),
    "correct_transaction": _handler("correct_transaction", CorrectTransaction, _correct_transaction),
    "set_market": _handler("set_market", SetMarket, _set_market),
    "audit_ledger": _handler("audit_ledger", AuditLedger, _audit_ledger),
}

__all__ = ["FUNCTIONS", "ValidationFailed"]
