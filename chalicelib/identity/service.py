"""Sign-in and "who am I" use cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.identity.errors import MfaSetupRequired
from chalicelib.identity.mfa import otpauth_uri
from chalicelib.identity.principal import Principal
from chalicelib.identity.tokens import TokenVerifier

if TYPE_CHECKING:  # adapters are imported where they are used: cold start
    from chalicelib.identity.cognito import CognitoDirectory
    from chalicelib.registry.adapters.store import RegistryStore


def _user(principal: Principal, store: RegistryStore) -> dict[str, Any]:
    organisation = store.get_organisation(principal.org_id)
    return {
        "username": principal.username,
        "role": principal.role.value,
        "org_id": principal.org_id,
        "org_name": organisation.name if organisation else "",
        "org_name_ja": organisation.name_ja if organisation else "",
    }


def _signed_in(tokens: dict[str, Any], *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
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


def login(username: str, password: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
    tokens = directory.sign_in(username, password)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def answer_mfa(username: str, session: str, code: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
    tokens = directory.answer_mfa(username, session, code)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def enrol_totp(session: str, code: str, *, directory: CognitoDirectory) -> dict[str, Any]:
    """Finish enrolment with the first code. The tokens of the sign-in that started it
    carry no MFA claim, so the user signs in again, this time with a code."""
    directory.finish_totp(session, code)
    return {"mfa": "totp", "sign_in_again": True}


def set_first_password(
    username: str, session: str, new_password: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore
) -> dict[str, Any]:
    tokens = directory.complete_new_password(username, session, new_password)
    return _signed_in(tokens, directory=directory, verifier=verifier, store=store)


def refresh(refresh_token: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
    tokens = directory.refresh(refresh_token)
    # An administrator's refreshed token keeps the MFA claim only while TOTP is enabled.
    principal = verifier.verify(tokens["id_token"])
    return {**tokens, "user": _user(principal, store)}


def me(principal: Principal, *, store: RegistryStore) -> dict[str, Any]:
    organisation, accounts = store.organisation_with_accounts(principal.org_id)
    return {
        "username": principal.username,
        "role": principal.role.value,
        "org_id": principal.org_id,
        "org_name": organisation.name if organisation else "",
        "org_name_ja": organisation.name_ja if organisation else "",
        "accounts": sorted(accounts, key=lambda a: str(a["number"])),
    }
