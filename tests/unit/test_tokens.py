"""ID token verification, with our own keys published through a fake JWKS fetcher."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from chalicelib.core.principal import Role
from chalicelib.identity.adapters import TokenVerifier
from chalicelib.identity.domain.errors import InvalidToken

ISSUER = "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_pool"
CLIENT = "client-1"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


POOL_KEY = _key()
OTHER_KEY = _key()


def _jwks(*keys_and_kids):
    keys = []
    for key, kid in keys_and_kids:
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


class FakeJwks:
    def __init__(self, document):
        self.document = document
        self.calls = 0

    def __call__(self, url):
        self.calls += 1
        return self.document


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "sub-1",
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "cognito:username": "kanto",
        "cognito:groups": ["participant"],
        "custom:org_id": "kanto-steel",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims, key=POOL_KEY, kid="k1", alg="RS256"):
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def fetcher():
    return FakeJwks(_jwks((POOL_KEY, "k1")))


@pytest.fixture
def verifier(fetcher):
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url="https://example/jwks", fetch=fetcher)


def test_a_valid_id_token_gives_the_caller_with_role_and_organisation(verifier):
    principal = verifier.verify("Bearer " + _token(_claims()))
    assert (principal.username, principal.role, principal.org_id) == ("kanto", Role.PARTICIPANT, "kanto-steel")


def test_the_keys_are_fetched_once_and_cached(verifier, fetcher):
    for _ in range(5):
        verifier.verify(_token(_claims()))
    assert fetcher.calls == 1


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (_claims(exp=int(time.time()) - 60), "expired"),
        (_claims(aud="another-client"), "issued for another client"),
        (_claims(iss=ISSUER.replace("_pool", "_other")), "issued by another user pool"),
        (_claims(token_use="access"), "not an ID token"),
        (_claims(**{"cognito:groups": []}), "the user has no role or organisation"),
        (_claims(**{"custom:org_id": None}), "the user has no role or organisation"),
        (_claims(token_use=None), "invalid token"),
    ],
)
def test_tokens_that_are_not_for_us_are_refused_with_the_reason(verifier, claims, reason):
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(_token(claims))
    assert refused.value.params["reason"] == reason
    assert refused.value.code == "INVALID_TOKEN"


def test_a_token_signed_by_another_key_with_the_pools_kid_is_refused(verifier):
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(_token(_claims(), key=OTHER_KEY))
    assert refused.value.params["reason"] == "bad signature"


def test_an_unknown_kid_refreshes_the_keys_at_most_once_a_minute(verifier, fetcher):
    for _ in range(3):
        with pytest.raises(InvalidToken):
            verifier.verify(_token(_claims(), key=OTHER_KEY, kid="rotated"))
    assert fetcher.calls == 1


def test_a_rotated_key_is_picked_up_after_the_refresh_interval(fetcher):
    now = [1000.0]
    verifier = TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url="u", fetch=fetcher, clock=lambda: now[0])
    verifier.verify(_token(_claims()))
    fetcher.document = _jwks((POOL_KEY, "k1"), (OTHER_KEY, "k2"))
    now[0] += 61
    assert verifier.verify(_token(_claims(), key=OTHER_KEY, kid="k2")).username == "kanto"


@pytest.mark.parametrize("token", ["", "   ", "abc", "a.b.c", "Bearer ", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_is_refused(verifier, token):
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_an_hs256_token_is_refused_whatever_its_claims(verifier):
    forged = jwt.encode(_claims(), "secret-secret-secret-secret-secret", algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(forged)
    assert refused.value.params["reason"] == "unexpected algorithm"


def test_an_unreachable_jwks_refuses_rather_than_fails():
    def broken(url):
        raise OSError("connection refused")

    verifier = TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url="u", fetch=broken)
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(_token(_claims()))
    assert refused.value.params["reason"] == "signing keys unavailable"


def test_the_least_powerful_role_wins_when_a_user_is_in_several_groups(verifier):
    principal = verifier.verify(_token(_claims(**{"cognito:groups": ["admin", "participant"]})))
    assert principal.role is Role.PARTICIPANT


# --- administrators and MFA ------------------------------------------------------------

ADMIN = {"cognito:username": "admin", "cognito:groups": ["admin"], "custom:org_id": "moe"}


@pytest.mark.parametrize("mfa", [None, "", "sms", "TOTP", True])
def test_an_administrators_token_without_the_totp_claim_is_refused(verifier, mfa):
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(_token(_claims(**ADMIN, **{"jvets:mfa": mfa})))
    assert refused.value.params["reason"] == "administrator signed in without MFA"
    assert refused.value.message_ja_text.startswith("セッションが無効です（管理者が多要素認証なしで")


def test_an_administrators_token_with_the_totp_claim_is_accepted(verifier):
    principal = verifier.verify(_token(_claims(**ADMIN, **{"jvets:mfa": "totp"})))
    assert (principal.role, principal.mfa) == (Role.ADMIN, True)
    assert principal.to_context()["mfa"] == "totp"


def test_sign_in_may_look_at_an_unenrolled_administrator_to_ask_for_enrolment(verifier):
    principal = verifier.verify(_token(_claims(**ADMIN)), admin_needs_mfa=False)
    assert (principal.role, principal.mfa) == (Role.ADMIN, False)


def test_participants_need_no_mfa_claim(verifier):
    assert verifier.verify(_token(_claims())).mfa is False
    assert verifier.verify(_token(_claims(**{"jvets:mfa": "totp"}))).mfa is True
