"""The identity system's request, response and administrator event models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.core.http.schemas import EventModel, RequestModel, ResponseModel

Username = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@+-]+$")]
Password = Annotated[str, Field(min_length=1, max_length=256)]
RoleName = Literal["participant", "verifier", "admin"]


class LoginRequest(RequestModel):
    username: Username
    password: Password


class NewPasswordRequest(RequestModel):
    username: Username
    session: Annotated[str, Field(min_length=20, max_length=2048)]
    new_password: Annotated[str, Field(min_length=12, max_length=256)]


OneTimeCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit code of the authenticator app")]


class MfaRequest(RequestModel):
    username: Username
    session: Annotated[str, Field(min_length=20, max_length=2048, description="From MFA_REQUIRED's details")]
    code: OneTimeCode


class MfaSetupRequest(RequestModel):
    session: Annotated[str, Field(min_length=20, max_length=8192, description="From MFA_SETUP_REQUIRED's details")]
    code: OneTimeCode


class MfaEnrolled(ResponseModel):
    mfa: Literal["totp"]
    sign_in_again: Literal[True]


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class UserInfo(ResponseModel):
    username: str
    role: RoleName
    org_id: str
    org_name: str
    org_name_ja: str


class TokenResponse(ResponseModel):
    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserInfo


class LogoutRequest(RequestModel):
    access_token: Annotated[str, Field(min_length=20, max_length=8192, description="The caller's access token from sign-in")]


class SignedOut(ResponseModel):
    signed_out: Literal[True]


class AccountSummary(ResponseModel):
    number: str
    type: int
    status: Literal["open", "blocked", "closed"]


class Me(ResponseModel):
    username: str
    role: RoleName
    org_id: str
    org_name: str
    org_name_ja: str
    #: The kind of organisation (the portal shows emissions management to target organisations).
    org_kind: Literal["administrator", "verification_body", "target_subsidised", "target", "trading"] | None = None
    accounts: list[AccountSummary]




# --- administrator events ---------------------------------------------------------------

Text = Annotated[str, Field(min_length=1, max_length=200)]
OrgId = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


class CreateOrganisation(EventModel):
    """Register an organisation: a participant, a verification body or the administrator."""

    org_id: OrgId
    name: Text
    name_ja: Text
    kind: Literal["administrator", "verification_body", "target_subsidised", "target", "trading"]


class CreateUser(EventModel):
    """Create a user of an organisation, with the role its kind allows."""

    username: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    org_id: OrgId
    role: Literal["participant", "verifier", "admin"]
    #: Set a permanent password directly (demo and tests); omit to have Cognito send
    #: the user a temporary one that must be changed at first sign-in.
    password: Annotated[str, Field(min_length=12, max_length=256)] | None = None
