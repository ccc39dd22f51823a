"""Sign-in and "who am I" use cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def login(username: str, password: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
    tokens = directory.sign_in(username, password)
    principal = verifier.verify(tokens["id_token"])
    return {**tokens, "user": _user(principal, store)}


def set_first_password(
    username: str, session: str, new_password: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore
) -> dict[str, Any]:
    tokens = directory.complete_new_password(username, session, new_password)
    principal = verifier.verify(tokens["id_token"])
    return {**tokens, "user": _user(principal, store)}


def refresh(refresh_token: str, *, directory: CognitoDirectory, verifier: TokenVerifier, store: RegistryStore) -> dict[str, Any]:
    tokens = directory.refresh(refresh_token)
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
