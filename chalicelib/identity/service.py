"""The identity system's use cases: sign-in and its challenges, "who am I", and the
administrator's organisations and users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.organisations import ROLE_BY_KIND, Organisation, OrganisationKind, OrganisationNotFound
from chalicelib.core.principal import Principal
from chalicelib.identity.domain.errors import MfaSetupRequired, RoleNotAllowed
from chalicelib.identity.domain.mfa import otpauth_uri
from chalicelib.identity.ports import AccountsOf, Organisations, OrganisationStore, UserAdministration, UserPool, Verifier


def _user(principal: Principal, store: Organisations) -> dict[str, Any]:
    organisation = store.get(principal.org_id)
    return {
        "username": principal.username,
        "role": principal.role.value,
        "org_id": principal.org_id,
        "org_name": organisation.name if organisation else "",
        "org_name_ja": organisation.name_ja if organisation else "",
    }


def _signed_in(tokens: dict[str, Any], *, directory: UserPool, verifier: Verifier, store: Organisations) -> dict[str, Any]:
    """The answer to a completed sign-in, unless the user is an administrator who has not
    enrolled a second factor: then no tokens, but the secret to enrol one."""
    principal = verifier.verify(tokens["id_token"], admin_needs_mfa=False)
    if principal.is_admin and not principal.mfa:
        secret = directory.begin_totp(tokens["access_token"])
        # The access token is the enrolment's session: Cognito's enrolment calls take it,
        # and it only lets its holder manage their own user (our API accepts ID tokens only).
        raise MfaSetupRequired(details=[{
            "session": tokens["access_token"],
            "secret_code": secret,
            "otpauth_uri": otpauth_uri(secret, principal.username),
        }])
    return {**tokens, "user": _user(principal, store)}


def login(username: str, password: str, *, directory: UserPool, verifier: Verifier, store: Organisations) -> dict[str, Any]:
    tokens = directory.sign_in(username, password)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def answer_mfa(username: str, session: str, code: str, *, directory: UserPool, verifier: Verifier, store: Organisations) -> dict[str, Any]:
    tokens = directory.answer_mfa(username, session, code)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def enrol_totp(session: str, code: str, *, directory: UserPool) -> dict[str, Any]:
    """Finish enrolment with the first code. The tokens of the sign-in that started it
    carry no MFA claim, so the user signs in again, this time with a code."""
    directory.finish_totp(session, code)
    return {"mfa": "totp", "sign_in_again": True}


def set_first_password(
    username: str, session: str, new_password: str, *, directory: UserPool, verifier: Verifier, store: Organisations
) -> dict[str, Any]:
    tokens = directory.complete_new_password(username, session, new_password)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def refresh(refresh_token: str, *, directory: UserPool, verifier: Verifier, store: Organisations) -> dict[str, Any]:
    tokens = directory.refresh(refresh_token)
    # An administrator's refreshed token keeps the MFA claim only while TOTP is enabled.
    principal = verifier.verify(tokens["id_token"])
    return {**tokens, "user": _user(principal, store)}


def me(principal: Principal, *, store: Organisations, accounts_of: AccountsOf) -> dict[str, Any]:
    organisation = store.get(principal.org_id)
    accounts = accounts_of.accounts_of(principal.org_id)
    return {
        "username": principal.username,
        "role": principal.role.value,
        "org_id": principal.org_id,
        "org_name": organisation.name if organisation else "",
        "org_name_ja": organisation.name_ja if organisation else "",
        "org_kind": organisation.kind.value if organisation else None,
        "accounts": sorted(accounts, key=lambda a: str(a["number"])),
    }


# --- administrator --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOrganisation:
    org_id: str
    name: str
    name_ja: str
    kind: str


@dataclass(frozen=True)
class NewUser:
    username: str
    email: str
    org_id: str
    role: str
    password: str | None = None


def organisation_view(organisation: Organisation) -> dict[str, Any]:
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "name_ja": organisation.name_ja,
        "kind": organisation.kind.value,
        "created_at": organisation.created_at,
    }


def create_organisation(command: NewOrganisation, *, organisations: OrganisationStore, now: str) -> dict[str, Any]:
    organisation = Organisation(org_id=command.org_id, name=command.name, name_ja=command.name_ja,
                                kind=OrganisationKind(command.kind), created_at=now)
    return organisation_view(organisations.create(organisation))


def create_user(command: NewUser, *, organisations: Organisations, pool: UserAdministration) -> dict[str, Any]:
    """A user of an existing organisation, with the one role its kind allows."""
    organisation = organisations.get(command.org_id)
    if organisation is None:
        raise OrganisationNotFound(org_id=command.org_id, field="org_id")
    if ROLE_BY_KIND[organisation.kind] != command.role:
        raise RoleNotAllowed(role=command.role, kind=organisation.kind.value, field="role")
    created = pool.create_user(username=command.username, email=command.email, org_id=command.org_id,
                               group=command.role, password=command.password)
    return {**created, "org_id": command.org_id, "role": command.role}
