"""The identity system's ports in memory: a user pool that issues opaque tokens, the
verifier that knows them, and the administrator's user creation.

Tokens are plain strings the ``FakeVerifier`` maps to principals, so a test reads
which user and session a token stands for. The verifier keeps the real rule that
matters to the services: an administrator's token without MFA is refused unless the
caller asks otherwise (``admin_needs_mfa=False``, as sign-in does).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.core.principal import Principal, Role
from chalicelib.identity.domain.errors import (
    AuthFailed,
    InvalidToken,
    MfaCodeInvalid,
    MfaRequired,
    PasswordChangeRequired,
    UserExists,
)

#: The one code every fake authenticator app shows.
CODE = "123456"
SECRET = "JBSWY3DPEHPK3PXP"


class FakeVerifier:
    def __init__(self) -> None:
        self.principals: dict[str, Principal] = {}

    def verify(self, token: str, *, admin_needs_mfa: bool = True) -> Principal:
        principal = self.principals.get(token)
        if principal is None:
            raise InvalidToken("invalid token")
        if admin_needs_mfa and principal.is_admin and not principal.mfa:
            raise InvalidToken("administrator signed in without MFA")
        return principal


@dataclass
class FakeUser:
    password: str
    principal: Principal
    totp: bool = False
    temporary: bool = False


@dataclass
class FakeUserPool:
    """``UserPool``: passwords, TOTP and the first-password challenge, in memory."""

    verifier: FakeVerifier
    users: dict[str, FakeUser] = field(default_factory=dict)
    #: Access tokens for which TOTP enrolment was started (``begin_totp``).
    enrolling: list[str] = field(default_factory=list)
    _issued: int = 0

    def add(self, username: str, password: str, role: Role, org_id: str, *, totp: bool = False, temporary: bool = False) -> None:
        self.users[username] = FakeUser(password, Principal(username, role, org_id, sub=f"sub-{username}"), totp, temporary)

    def _tokens(self, username: str, *, mfa: bool) -> dict[str, Any]:
        self._issued += 1
        suffix = f"{username}:{self._issued}"
        principal = replace(self.users[username].principal, mfa=mfa)
        self.verifier.principals[f"id:{suffix}"] = principal
        return {"id_token": f"id:{suffix}", "access_token": f"access:{suffix}", "refresh_token": f"refresh:{suffix}",
                "expires_in": 3600}

    def _user_of(self, token: str, prefix: str) -> str:
        if not token.startswith(prefix) or token.split(":")[1] not in self.users:
            raise AuthFailed()
        return token.split(":")[1]

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        user = self.users.get(username)
        if user is None or user.password != password:
            raise AuthFailed()
        if user.temporary:
            raise PasswordChangeRequired(details=[{"session": f"new-password:{username}"}])
        if user.totp:
            raise MfaRequired(details=[{"session": f"mfa:{username}"}])
        return self._tokens(username, mfa=False)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        username = self._user_of(refresh_token, "refresh:")
        # The pre-token-generation trigger runs again: the claim follows TOTP as it is now.
        return {**self._tokens(username, mfa=self.users[username].totp), "refresh_token": refresh_token}

    def answer_mfa(self, username: str, session: str, code: str) -> dict[str, Any]:
        if session != f"mfa:{username}":
            raise AuthFailed()
        if code != CODE:
            raise MfaCodeInvalid(field="code")
        return self._tokens(username, mfa=True)

    def begin_totp(self, access_token: str) -> str:
        self._user_of(access_token, "access:")
        self.enrolling.append(access_token)
        return SECRET

    def finish_totp(self, access_token: str, code: str) -> None:
        username = self._user_of(access_token, "access:")
        if access_token not in self.enrolling or code != CODE:
            raise MfaCodeInvalid(field="code")
        self.users[username].totp = True

    def complete_new_password(self, username: str, session: str, new_password: str) -> dict[str, Any]:
        user = self.users.get(username)
        if user is None or session != f"new-password:{username}":
            raise AuthFailed()
        user.password, user.temporary = new_password, False
        return self._tokens(username, mfa=False)


@dataclass
class FakeUserAdministration:
    """``UserAdministration``: the users the administrator created, with their group."""

    created: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create_user(self, *, username: str, email: str, org_id: str, group: str, password: str | None) -> dict[str, Any]:
        if username in self.created:
            raise UserExists(username=username)
        self.created[username] = {"email": email, "org_id": org_id, "group": group, "password": password}
        return {"username": username, "status": "CONFIRMED" if password else "FORCE_CHANGE_PASSWORD"}
