"""The identity system's adapters: the Cognito user pool (sign-in, MFA, refresh,
administrator user creation) and the verification of its ID tokens against the pool's
published keys (JWKS).

Token verification runs the same in AWS and locally (moto publishes a JWKS for its pools
too). Keys are cached per container; an unknown ``kid`` triggers at most one refresh a
minute.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from chalicelib.core.errors import Forbidden, ServiceUnavailable
from chalicelib.core.principal import Principal, role_from_groups
from chalicelib.identity.domain.errors import (
    AuthFailed,
    InvalidPassword,
    InvalidToken,
    MfaCodeInvalid,
    MfaRequired,
    PasswordChangeRequired,
    UserExists,
)
from chalicelib.identity.domain.mfa import SOFTWARE_TOKEN_MFA, has_totp

#: Cognito's answers to a bad session, token or user: one "sign in again" for the caller.
_AUTH_CODES = frozenset({
    "NotAuthorizedException", "UserNotFoundException", "ExpiredCodeException", "InvalidParameterException",
    "ResourceNotFoundException", "PasswordResetRequiredException",
})
#: The one-time code itself was wrong.
_CODE_MISMATCH = frozenset({"CodeMismatchException", "EnableSoftwareTokenMFAException"})


def _tokens(response: dict[str, Any], refresh_token: str = "") -> dict[str, Any]:
    """The tokens of a completed sign-in (a refresh keeps the refresh token it used), or
    the challenge Cognito asks next."""
    challenge = response.get("ChallengeName")
    if challenge == "NEW_PASSWORD_REQUIRED":
        # The session lets the user choose a password (POST /auth/new-password).
        raise PasswordChangeRequired(details=[{"session": response.get("Session", "")}])
    if challenge == SOFTWARE_TOKEN_MFA:
        # The session lets the user give their authenticator's code (POST /auth/mfa).
        raise MfaRequired(details=[{"session": response.get("Session", "")}])
    result = response.get("AuthenticationResult")
    if not result:
        raise AuthFailed()
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken") or refresh_token,
        "expires_in": int(result.get("ExpiresIn", 3600)),
    }


class CognitoDirectory:
    def __init__(self, client: Any, user_pool_id: str, client_id: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._client_id = client_id

    def _auth(self, flow: str, parameters: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._client.initiate_auth(ClientId=self._client_id, AuthFlow=flow, AuthParameters=parameters)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}:
                raise AuthFailed() from error
            if code == "InvalidParameterException":
                raise AuthFailed() from error
            raise ServiceUnavailable(details=[{"cause": code}]) from error
        except ParamValidationError as error:
            raise AuthFailed() from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error
        return _tokens(response, parameters.get("REFRESH_TOKEN", ""))

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """A user-level Cognito call (session or access token): a bad session, token or
        user is AUTH_FAILED, a wrong one-time code MFA_CODE_INVALID."""
        try:
            return getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in _CODE_MISMATCH:
                raise MfaCodeInvalid(field="code") from error
            if code == "InvalidPasswordException":  # only the new-password challenge sends one
                raise InvalidPassword(field="new_password") from error
            if code in _AUTH_CODES:
                raise AuthFailed() from error
            raise ServiceUnavailable(details=[{"cause": code}]) from error
        except ParamValidationError as error:  # a session or token Cognito could never have issued
            raise AuthFailed() from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error

    def answer_mfa(self, username: str, session: str, code: str) -> dict[str, Any]:
        """Answer the SOFTWARE_TOKEN_MFA challenge of a sign-in; returns tokens."""
        response = self._call(
            "respond_to_auth_challenge",
            ClientId=self._client_id,
            ChallengeName=SOFTWARE_TOKEN_MFA,
            Session=session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )
        return _tokens(response)

    def begin_totp(self, access_token: str) -> str:
        """Start TOTP enrolment for the user of ``access_token``: the new shared secret."""
        return self._call("associate_software_token", AccessToken=access_token)["SecretCode"]

    def finish_totp(self, access_token: str, code: str) -> None:
        """Check the first code of the new secret, then make TOTP the user's MFA: from
        now on every sign-in asks for a code."""
        response = self._call("verify_software_token", AccessToken=access_token, UserCode=code,
                              FriendlyDeviceName="JVETS authenticator")
        if response.get("Status") != "SUCCESS":
            raise MfaCodeInvalid(field="code")
        self._call("set_user_mfa_preference", AccessToken=access_token,
                   SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    def enabled_mfas(self, username: str) -> list[str]:
        """The MFA methods the user has enabled (the pre-token-generation trigger)."""
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as error:
            raise ServiceUnavailable(details=[{"cause": error.response["Error"]["Code"]}]) from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error
        return list(user.get("UserMFASettingList") or [])

    def complete_new_password(self, username: str, session: str, new_password: str) -> dict[str, Any]:
        """Answer the first sign-in's NEW_PASSWORD_REQUIRED challenge; returns tokens."""
        try:
            response = self._call(
                "respond_to_auth_challenge",
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except MfaCodeInvalid as error:  # no code was asked for: a bad session
            raise AuthFailed() from error
        return _tokens(response)

    def sign_out_everywhere(self, access_token: str, username: str) -> None:
        """Revoke every refresh token of the user whose access token this is (ID tokens
        expire on their own). Cognito's own user-level call: no IAM right is needed. A
        token of another user than ``username`` is refused, and revokes nothing."""
        owner = self._call("get_user", AccessToken=access_token)["Username"]
        if owner.lower() != username.lower():  # the pool's user names are case-insensitive
            raise Forbidden()
        self._call("global_sign_out", AccessToken=access_token)

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        return self._auth("USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password})

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        return self._auth("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})

    def create_user(
        self, *, username: str, email: str, org_id: str, group: str, password: str | None
    ) -> dict[str, Any]:
        attributes = [{"Name": "custom:org_id", "Value": org_id}, {"Name": "email", "Value": email}]
        kwargs: dict[str, Any] = {}
        if password is not None:
            # The administrator sets the password directly; no invitation mail is sent.
            kwargs["MessageAction"] = "SUPPRESS"
        try:
            response = self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=attributes,
                DesiredDeliveryMediums=["EMAIL"],
                **kwargs,
            )
            if password is not None:
                self._client.admin_set_user_password(
                    UserPoolId=self._pool, Username=username, Password=password, Permanent=True
                )
            self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=group)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "UsernameExistsException":
                raise UserExists(username=username) from error
            if code == "InvalidPasswordException":
                self._client.admin_delete_user(UserPoolId=self._pool, Username=username)
                raise InvalidPassword(field="password") from error
            raise ServiceUnavailable(details=[{"cause": code}]) from error
        return {"username": username, "status": response["User"].get("UserStatus", "")}


# --- ID tokens -------------------------------------------------------------------------

JwksFetcher = Callable[[str], dict[str, Any]]
_REFRESH_INTERVAL = 60.0
_LEEWAY_SECONDS = 5


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL from settings
        return json.loads(response.read())


class TokenVerifier:
    """Checks signature, expiry, issuer, audience and ``token_use`` of an ID token."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        fetch: JwksFetcher = fetch_jwks,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            if kid not in self._keys and self._clock() - self._fetched_at >= _REFRESH_INTERVAL:
                try:
                    document = self._fetch(self._jwks_url)
                except (OSError, ValueError) as error:
                    raise InvalidToken(reason="signing keys unavailable") from error
                self._keys = {
                    item["kid"]: jwt.PyJWK(item).key for item in document.get("keys", []) if "kid" in item
                }
                self._fetched_at = self._clock()
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(reason="unknown signing key")
        return key

    def verify(self, token: str, *, admin_needs_mfa: bool = True) -> Principal:
        """The caller the token names. An administrator's token must carry the MFA
        claim (``chalicelib.identity.domain.mfa``); only sign-in itself, which then asks the
        administrator to enrol, looks at such a token with ``admin_needs_mfa=False``."""
        if not token or not token.strip():
            raise InvalidToken(reason="missing token")
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(reason="malformed token") from error
        if header.get("alg") != "RS256":
            raise InvalidToken(reason="unexpected algorithm")
        key = self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken(reason="expired") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidToken(reason="issued for another client") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken(reason="issued by another user pool") from error
        except jwt.InvalidSignatureError as error:
            raise InvalidToken(reason="bad signature") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(reason="invalid token") from error
        if claims.get("token_use") != "id":
            raise InvalidToken(reason="not an ID token")
        role = role_from_groups(claims.get("cognito:groups") or [])
        org_id = claims.get("custom:org_id")
        username = claims.get("cognito:username")
        if role is None or not org_id or not username:
            raise InvalidToken(reason="the user has no role or organisation")
        principal = Principal(username=username, role=role, org_id=org_id, sub=claims["sub"], mfa=has_totp(claims))
        if admin_needs_mfa and principal.is_admin and not principal.mfa:
            raise InvalidToken(reason="administrator signed in without MFA")
        return principal
