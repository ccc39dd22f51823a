"""Sign-in, refresh, /me and the custom authorizer, through chalice.test on moto."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from tests.conftest import token_from_another_pool


@pytest.fixture(scope="module")
def kanto(demo):
    return demo["kanto"]


def _claims(local_aws, **overrides):
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.ap-northeast-1.amazonaws.com/{local_aws['USER_POOL_ID']}",
        "aud": local_aws["USER_POOL_CLIENT_ID"],
        "sub": "00000000-0000-0000-0000-000000000000",
        "token_use": "id",
        "iat": now - 7200,
        "exp": now - 3600,
        "cognito:username": "kanto",
        "cognito:groups": ["participant"],
        "custom:org_id": "kanto-steel",
    }
    claims.update(overrides)
    return claims


def _moto_signing_key():
    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def test_login_returns_tokens_and_the_user_with_role_and_organisation(api, kanto):
    status, body = api.call("POST", "/auth/login", {"username": "kanto", "password": kanto["password"]})
    assert status == 200
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in", "user"}
    assert body["expires_in"] > 0
    assert body["user"] == {
        "username": "kanto",
        "role": "participant",
        "org_id": "kanto-steel",
        "org_name": "Kanto Steelworks Co., Ltd.",
        "org_name_ja": "関東製鋼株式会社",
    }


@pytest.mark.parametrize(
    ("username", "password"), [("kanto", "wrong-password"), ("nobody", "Whatever-2026!"), ("kanto", "kanto-demo-2026!")]
)
def test_wrong_credentials_give_401_auth_failed_without_saying_which(api, username, password):
    status, body = api.call("POST", "/auth/login", {"username": username, "password": password})
    assert status == 401
    assert body["error"]["code"] == "AUTH_FAILED"
    assert body["error"]["message_ja"]


def test_refresh_gives_a_new_id_token_that_works(api, kanto):
    _, login = api.call("POST", "/auth/login", {"username": "kanto", "password": kanto["password"]})
    status, body = api.call("POST", "/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert status == 200
    assert body["user"]["org_id"] == "kanto-steel"
    assert api.call("GET", "/me", token=body["id_token"])[0] == 200


def test_a_bad_refresh_token_gives_401(api):
    status, body = api.call("POST", "/auth/refresh", {"refresh_token": "not-a-refresh-token"})
    assert (status, body["error"]["code"]) == (401, "AUTH_FAILED")


def test_me_lists_the_organisation_and_its_accounts(api, kanto):
    status, body = api.call("GET", "/me", token=api.login(kanto))
    assert status == 200
    assert body["username"] == "kanto"
    assert body["role"] == "participant"
    assert body["org_name_ja"] == "関東製鋼株式会社"
    assert [a["number"] for a in body["accounts"]] == kanto["accounts"]
    assert body["accounts"][0] == {"number": kanto["accounts"][0], "type": 120, "status": "open"}


def test_me_for_the_administrator_lists_the_government_accounts(api, demo):
    _, body = api.call("GET", "/me", token=api.login(demo["admin"]))
    assert body["role"] == "admin"
    assert sorted(a["type"] for a in body["accounts"]) == [100, 300]


def test_no_token_gives_401(api):
    status, _ = api.call("GET", "/me")
    assert status == 401


def _refused(api, token):
    status, body = api.call("GET", "/me", token=token)
    assert status == 401, body
    assert body["error"]["code"] == "INVALID_TOKEN"
    return body["error"]


def test_an_expired_token_signed_by_the_pool_gives_401(api, local_aws):
    token = jwt.encode(_claims(local_aws), _moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert "expired" in _refused(api, token)["message"]


def test_the_same_claims_unexpired_and_signed_by_the_pool_are_accepted(api, local_aws, demo):
    now = int(time.time())
    claims = _claims(local_aws, iat=now, exp=now + 600)
    token = jwt.encode(claims, _moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert api.call("GET", "/me", token=token)[0] == 200


def test_a_token_signed_by_another_key_gives_401(api, local_aws):
    now = int(time.time())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(local_aws, iat=now, exp=now + 600), other, algorithm="RS256", headers={"kid": "dummy"})
    assert "signature" in _refused(api, token)["message"]


def test_a_token_from_another_user_pool_gives_401(api, aws_client):
    token = token_from_another_pool(aws_client, "another-scheme", "intruder", "moe", "admin")
    assert "another user pool" in _refused(api, token)["message"]


def test_a_token_for_another_client_of_the_same_pool_gives_401(api, aws_client, local_aws, kanto):
    idp = aws_client("cognito-idp")
    other = idp.create_user_pool_client(UserPoolId=local_aws["USER_POOL_ID"], ClientName="other-app",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    token = idp.initiate_auth(ClientId=other, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "kanto", "PASSWORD": kanto["password"]})["AuthenticationResult"]["IdToken"]
    assert "another client" in _refused(api, token)["message"]


def test_an_access_token_is_not_accepted_in_place_of_an_id_token(api, kanto):
    _, login = api.call("POST", "/auth/login", {"username": "kanto", "password": kanto["password"]})
    assert _refused(api, login["access_token"])


def test_the_public_routes_need_no_token(api):
    assert api.call("GET", "/health") == (200, {"status": "ok", "stage": "local"})
    assert api.call("GET", "/openapi.json")[0] == 200


def test_logout_revokes_the_refresh_tokens_of_the_caller(api, demo):
    minato = demo["minato"]
    _, login = api.call("POST", "/auth/login", {"username": "minato", "password": minato["password"]})
    assert api.call("POST", "/auth/refresh", {"refresh_token": login["refresh_token"]})[0] == 200
    # Someone else's access token signs nobody out.
    _, other = api.call("POST", "/auth/login", {"username": "kanto", "password": demo["kanto"]["password"]})
    status, body = api.call("POST", "/auth/logout", {"access_token": other["access_token"]}, token=login["id_token"])
    assert (status, body["error"]["code"]) == (403, "FORBIDDEN")
    assert api.call("POST", "/auth/refresh", {"refresh_token": other["refresh_token"]})[0] == 200
    status, body = api.call("POST", "/auth/logout", {"access_token": "not-an-access-token-at-all"}, token=login["id_token"])
    assert (status, body["error"]["code"]) == (401, "AUTH_FAILED")
    status, body = api.call("POST", "/auth/logout", {"access_token": login["access_token"]}, token=login["id_token"])
    assert (status, body) == (200, {"signed_out": True})
    status, body = api.call("POST", "/auth/refresh", {"refresh_token": login["refresh_token"]})
    assert (status, body["error"]["code"]) == (401, "AUTH_FAILED")
    assert api.call("POST", "/auth/login", {"username": "minato", "password": minato["password"]})[0] == 200


def test_logout_needs_a_token(api):
    assert api.call("POST", "/auth/logout", {"access_token": "x" * 40})[0] == 401
