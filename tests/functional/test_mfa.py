"""Administrators must sign in with a second factor (TOTP); others may.

Through the app (``chalice.test``) on moto's Cognito, with moto's real TOTP check on and
the pre-token-generation rule running where moto signs ID tokens
(``devtools/cognito_triggers.py``). Codes are computed from the secret the API hands
out, as an authenticator app would.
"""

from __future__ import annotations

import time

import jwt
import pytest

from chalicelib.identity.domain.mfa import MFA_CLAIM
from chalicelib.identity.triggers import token_claims
from devtools.totp import code
from tests.conftest import admin

PASSWORD = "Second-Admin-2026!"


def _error(answer):
    return answer["error"]


def _wrong(secret: str) -> str:
    """A well-formed code that is not the current one (nor the neighbouring ones)."""
    now = time.time()
    right = {code(secret, now + step) for step in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture(scope="module")
def new_admin(demo):
    admin("create_user", {"username": "second-admin", "email": "second-admin@example.jp", "org_id": "moe",
                          "role": "admin", "password": PASSWORD})
    return {"username": "second-admin", "password": PASSWORD}


def _login(api, user, password=None):
    return api.call("POST", "/auth/login", {"username": user["username"], "password": password or user["password"]})


def test_an_administrator_without_an_authenticator_gets_the_key_to_enrol_and_no_tokens(api, new_admin):
    status, answer = _login(api, new_admin)
    assert status == 401
    error = _error(answer)
    assert error["code"] == "MFA_SETUP_REQUIRED"
    assert error["message_ja"].startswith("管理者は多要素認証が必須です")
    (detail,) = error["details"]
    assert set(detail) == {"session", "secret_code", "otpauth_uri"}
    assert detail["otpauth_uri"].startswith("otpauth://totp/JVETS%20Registry:second-admin?secret=" + detail["secret_code"])
    assert "id_token" not in answer and "id_token" not in str(error)


def test_a_wrong_password_says_nothing_about_mfa(api, new_admin):
    status, answer = _login(api, new_admin, password="Not-The-Password-2026!")
    assert (status, _error(answer)["code"]) == (401, "AUTH_FAILED")
    assert "details" not in _error(answer)


def test_enrolment_refuses_a_wrong_code_and_changes_nothing(api, new_admin):
    detail = _error(_login(api, new_admin)[1])["details"][0]
    status, answer = api.call("POST", "/auth/mfa/setup", {"session": detail["session"], "code": _wrong(detail["secret_code"])})
    assert (status, _error(answer)["code"]) == (401, "MFA_CODE_INVALID")
    # Still not enrolled: the next sign-in asks to enrol again.
    assert _error(_login(api, new_admin)[1])["code"] == "MFA_SETUP_REQUIRED"


@pytest.mark.parametrize("body", [
    {"session": "x" * 40, "code": "12345"},
    {"session": "x" * 40, "code": "12345a"},
    {"session": "short", "code": "123456"},
    {"code": "123456"},
])
def test_enrolment_and_codes_are_validated_before_cognito(api, body):
    status, answer = api.call("POST", "/auth/mfa/setup", body)
    assert (status, _error(answer)["code"]) == (400, "VALIDATION_ERROR")
    status, answer = api.call("POST", "/auth/mfa", {"username": "admin", **body})
    assert (status, _error(answer)["code"]) == (400, "VALIDATION_ERROR")


def test_enrolled_administrator_signs_in_with_password_then_code(api, new_admin):
    detail = _error(_login(api, new_admin)[1])["details"][0]
    secret = detail["secret_code"]
    status, answer = api.call("POST", "/auth/mfa/setup", {"session": detail["session"], "code": code(secret)})
    assert (status, answer) == (200, {"mfa": "totp", "sign_in_again": True})
    new_admin["totp_secret"] = secret

    # The password alone is no longer enough: Cognito asks for the code.
    status, answer = _login(api, new_admin)
    assert (status, _error(answer)["code"]) == (401, "MFA_REQUIRED")
    session = _error(answer)["details"][0]["session"]

    status, answer = api.call("POST", "/auth/mfa", {"username": "second-admin", "session": session, "code": _wrong(secret)})
    assert (status, _error(answer)["code"]) == (401, "MFA_CODE_INVALID")

    status, answer = _login(api, new_admin)
    session = _error(answer)["details"][0]["session"]
    status, answer = api.call("POST", "/auth/mfa", {"username": "second-admin", "session": session, "code": code(secret)})
    assert status == 200, answer
    assert answer["user"]["role"] == "admin"
    assert _claims(answer["id_token"])[MFA_CLAIM] == "totp"
    status, me = api.call("GET", "/me", token=answer["id_token"])
    assert (status, me["role"]) == (200, "admin")

    # A refresh keeps the claim while TOTP stays on.
    status, refreshed = api.call("POST", "/auth/refresh", {"refresh_token": answer["refresh_token"]})
    assert status == 200, refreshed
    assert _claims(refreshed["id_token"])[MFA_CLAIM] == "totp"
    new_admin["tokens"] = answer


def test_an_administrator_who_turns_totp_off_loses_the_claim_and_is_refused(api, new_admin, aws_client, local_aws):
    tokens = new_admin["tokens"]
    # Cognito lets users manage their own MFA with their access token; the app cannot stop that...
    aws_client("cognito-idp").set_user_mfa_preference(
        AccessToken=tokens["access_token"], SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
    # ... but the next token has no claim: a refresh is refused, and so is the token
    # the password alone now gets straight from Cognito.
    status, answer = api.call("POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert (status, _error(answer)["code"]) == (401, "INVALID_TOKEN")
    assert "without MFA" in _error(answer)["message"]
    direct = aws_client("cognito-idp").initiate_auth(
        ClientId=local_aws["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "second-admin", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert MFA_CLAIM not in _claims(direct["IdToken"])
    status, answer = api.call("GET", "/me", token=direct["IdToken"])
    assert (status, _error(answer)["code"]) == (401, "INVALID_TOKEN")
    assert _error(answer)["message_ja"] == "セッションが無効です（管理者が多要素認証なしでログインしています）。もう一度ログインしてください。"
    # Through the API, the administrator is asked to enrol again.
    assert _error(_login(api, new_admin)[1])["code"] == "MFA_SETUP_REQUIRED"


def test_a_new_administrator_sets_a_password_then_must_enrol(api, demo, aws_client, local_aws):
    admin("create_user", {"username": "third-admin", "email": "third-admin@example.jp", "org_id": "moe", "role": "admin"})
    aws_client("cognito-idp").admin_set_user_password(UserPoolId=local_aws["USER_POOL_ID"], Username="third-admin",
                                                      Password="Temporary-Pass-2026!", Permanent=False)
    status, answer = api.call("POST", "/auth/login", {"username": "third-admin", "password": "Temporary-Pass-2026!"})
    assert _error(answer)["code"] == "PASSWORD_CHANGE_REQUIRED"
    session = _error(answer)["details"][0]["session"]
    status, answer = api.call("POST", "/auth/new-password",
                              {"username": "third-admin", "session": session, "new_password": "Chosen-Admin-Pass-2026!"})
    assert (status, _error(answer)["code"]) == (401, "MFA_SETUP_REQUIRED")


def test_participants_and_verifiers_sign_in_with_a_password_alone(api, demo):
    for name in ("kanto", "verifier"):
        status, answer = _login(api, demo[name])
        assert status == 200, answer
        assert MFA_CLAIM not in _claims(answer["id_token"])


def test_an_mfa_session_cannot_be_replayed(api, demo):
    user = demo["admin"]
    session = _error(_login(api, user)[1])["details"][0]["session"]
    body = {"username": "admin", "session": session, "code": code(user["totp_secret"])}
    assert api.call("POST", "/auth/mfa", body)[0] == 200
    status, answer = api.call("POST", "/auth/mfa", body)
    assert (status, _error(answer)["code"]) == (401, "AUTH_FAILED")


def test_the_deployed_trigger_adds_the_claim_only_for_enabled_totp(demo, local_aws):
    """The Lambda handler Cognito invokes in AWS, run against moto's pool (AdminGetUser)."""
    def event(username):
        return {"version": "1", "triggerSource": "TokenGeneration_Authentication", "region": "ap-northeast-1",
                "userPoolId": local_aws["USER_POOL_ID"], "userName": username,
                "callerContext": {"awsSdkVersion": "x", "clientId": local_aws["USER_POOL_CLIENT_ID"]},
                "request": {"userAttributes": {}, "groupConfiguration": {"groupsToOverride": ["admin"]}},
                "response": {"claimsOverrideDetails": None}}

    enrolled = token_claims(event("admin"), None)["response"]["claimsOverrideDetails"]
    assert enrolled == {"claimsToAddOrOverride": {MFA_CLAIM: "totp"}}
    plain = token_claims(event("kanto"), None)["response"]["claimsOverrideDetails"]
    assert plain == {"claimsToSuppress": [MFA_CLAIM]}
