"""Sign-in, token refresh and the caller's own profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.errors import Forbidden
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.principal import Principal
from chalicelib.identity import service
from chalicelib.identity.domain.errors import (
    AuthFailed,
    InvalidPassword,
    InvalidToken,
    MfaCodeInvalid,
    MfaRequired,
    MfaSetupRequired,
    PasswordChangeRequired,
)

if TYPE_CHECKING:
    from chalicelib.identity.schemas import LoginRequest, LogoutRequest, MfaRequest, MfaSetupRequest, NewPasswordRequest, RefreshRequest

api = ApiBlueprint(__name__, "identity", schemas="chalicelib.identity.schemas")


def _adapters() -> dict[str, Any]:
    """What the sign-in use cases need: the user pool, the token verifier, the organisations."""
    return {"directory": container.directory(), "verifier": container.token_verifier(), "store": container.organisations()}


@api.route(
    "/auth/login",
    "POST",
    summary="Sign in with username and password (Cognito USER_PASSWORD_AUTH)",
    body="LoginRequest",
    response="TokenResponse",
    public=True,
    errors_=(AuthFailed, PasswordChangeRequired, MfaRequired, MfaSetupRequired),
)
def login(body: LoginRequest) -> dict[str, Any]:
    return service.login(
        body.username,
        body.password,
        **_adapters(),
    )


@api.route(
    "/auth/mfa",
    "POST",
    summary="Second step of sign-in: the authenticator's code, with the session from MFA_REQUIRED",
    body="MfaRequest",
    response="TokenResponse",
    public=True,
    errors_=(AuthFailed, MfaCodeInvalid, MfaSetupRequired),
)
def mfa(body: MfaRequest) -> dict[str, Any]:
    return service.answer_mfa(body.username, body.session, body.code, **_adapters())


@api.route(
    "/auth/mfa/setup",
    "POST",
    summary="Enrol an authenticator app: its first code, with the session from MFA_SETUP_REQUIRED",
    body="MfaSetupRequest",
    response="MfaEnrolled",
    public=True,
    errors_=(AuthFailed, MfaCodeInvalid),
)
def mfa_setup(body: MfaSetupRequest) -> dict[str, Any]:
    return service.enrol_totp(body.session, body.code, directory=container.directory())


@api.route(
    "/auth/new-password",
    "POST",
    summary="First sign-in: set a new password with the session from PASSWORD_CHANGE_REQUIRED",
    body="NewPasswordRequest",
    response="TokenResponse",
    public=True,
    errors_=(AuthFailed, InvalidPassword, MfaSetupRequired),
)
def new_password(body: NewPasswordRequest) -> dict[str, Any]:
    return service.set_first_password(
        body.username,
        body.session,
        body.new_password,
        **_adapters(),
    )


@api.route(
    "/auth/refresh",
    "POST",
    summary="Exchange a refresh token for new ID and access tokens",
    body="RefreshRequest",
    response="TokenResponse",
    public=True,
    errors_=(AuthFailed, InvalidToken),
)
def refresh(body: RefreshRequest) -> dict[str, Any]:
    return service.refresh(
        body.refresh_token,
        **_adapters(),
    )


@api.route(
    "/auth/logout",
    "POST",
    summary="Sign out everywhere: revoke the caller's refresh tokens (with the caller's own access token)",
    body="LogoutRequest",
    response="SignedOut",
    errors_=(AuthFailed, Forbidden),
)
def logout(principal: Principal, body: LogoutRequest) -> dict[str, Any]:
    container.directory().sign_out_everywhere(body.access_token, principal.username)
    return {"signed_out": True}


@api.route("/me", summary="The caller: role, organisation and the accounts it holds", response="Me")
def me(principal: Principal) -> dict[str, Any]:
    return service.me(principal, store=container.organisations(), accounts_of=container.registry_store())
