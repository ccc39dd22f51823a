"""Adapter to the Cognito user pool (sign-in, refresh, administrator user creation)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from chalicelib.errors import ServiceUnavailable
from chalicelib.identity.errors import AuthFailed, InvalidPassword, PasswordChangeRequired, UserExists


def _tokens(response: dict[str, Any], refresh_token: str = "") -> dict[str, Any]:
    """The tokens of a completed sign-in (a refresh keeps the refresh token it used)."""
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
        if response.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            # The session lets the user choose a password (POST /auth/new-password).
            raise PasswordChangeRequired(details=[{"session": response.get("Session", "")}])
        return _tokens(response, parameters.get("REFRESH_TOKEN", ""))

    def complete_new_password(self, username: str, session: str, new_password: str) -> dict[str, Any]:
        """Answer the first sign-in's NEW_PASSWORD_REQUIRED challenge; returns tokens."""
        try:
            response = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "InvalidPasswordException":
                raise InvalidPassword(field="new_password") from error
            if code in {"NotAuthorizedException", "UserNotFoundException", "CodeMismatchException",
                        "ExpiredCodeException", "InvalidParameterException", "ResourceNotFoundException"}:
                raise AuthFailed() from error
            raise ServiceUnavailable(details=[{"cause": code}]) from error
        except ParamValidationError as error:  # a session Cognito could never have issued
            raise AuthFailed() from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error
        return _tokens(response)

    def sign_out_everywhere(self, username: str) -> None:
        """Revoke every refresh token of the user (ID tokens expire on their own)."""
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {"UserNotFoundException", "NotAuthorizedException"}:
                return  # nothing left to revoke
            raise ServiceUnavailable(details=[{"cause": code}]) from error
        except BotoCoreError as error:
            raise ServiceUnavailable(details=[{"cause": type(error).__name__}]) from error

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
