"""What the identity system's use cases need, as protocols: the user pool (Cognito), the
token verifier, the organisation directory and the registry's list of an organisation's
accounts. The adapters implement them; the unit tests' fakes do too."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.core.organisations import Organisation
from chalicelib.core.principal import Principal


class UserPool(Protocol):
    """The user pool (Cognito): sign-in, its challenges and TOTP enrolment."""

    def sign_in(self, username: str, password: str) -> dict[str, Any]: ...
    def refresh(self, refresh_token: str) -> dict[str, Any]: ...
    def answer_mfa(self, username: str, session: str, code: str) -> dict[str, Any]: ...
    def begin_totp(self, access_token: str) -> str: ...
    def finish_totp(self, access_token: str, code: str) -> None: ...
    def complete_new_password(self, username: str, session: str, new_password: str) -> dict[str, Any]: ...


class Verifier(Protocol):
    def verify(self, token: str, *, admin_needs_mfa: bool = True) -> Principal: ...


class Organisations(Protocol):
    def get(self, org_id: str) -> Organisation | None: ...


class AccountsOf(Protocol):
    """The accounts an organisation holds (the registry answers it)."""

    def accounts_of(self, org_id: str) -> list[Any]: ...


class OrganisationStore(Organisations, Protocol):
    def create(self, organisation: Organisation) -> Organisation: ...


class UserAdministration(Protocol):
    def create_user(self, *, username: str, email: str, org_id: str, group: str, password: str | None) -> dict[str, Any]: ...
