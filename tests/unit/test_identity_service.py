"""The identity use cases on in-memory ports: sign-in and its challenges, an
administrator's compulsory TOTP enrolment, "who am I", and the administrator's
organisations and users."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.core.organisations import Organisation, OrganisationExists, OrganisationKind, OrganisationNotFound
from chalicelib.core.principal import Principal, Role
from chalicelib.identity import service
from chalicelib.identity.domain.errors import (
    AuthFailed,
    InvalidToken,
    MfaCodeInvalid,
    MfaRequired,
    MfaSetupRequired,
    PasswordChangeRequired,
    RoleNotAllowed,
    UserExists,
)
from chalicelib.registry.domain.accounts import AccountType
from tests.unit.fakes import FakeAccounts, FakeOrganisations, FakeUserAdministration, FakeUserPool, FakeVerifier, Memory
from tests.unit.fakes.identity import CODE, SECRET
from tests.unit.registry_world import ORGANISATIONS


@pytest.fixture
def pool() -> FakeUserPool:
    users = FakeUserPool(FakeVerifier())
    users.add("kanto", "kanto-password", Role.PARTICIPANT, "kanto-steel")
    users.add("admin", "admin-password", Role.ADMIN, "jvets")
    users.add("newcomer", "temporary-1", Role.PARTICIPANT, "minato-foods", temporary=True)
    return users


@pytest.fixture
def organisations() -> FakeOrganisations:
    return FakeOrganisations(*ORGANISATIONS)


def ports(pool: FakeUserPool, organisations: FakeOrganisations) -> dict:
    return {"directory": pool, "verifier": pool.verifier, "store": organisations}


def test_a_participant_signs_in_with_tokens_and_who_they_are(pool, organisations):
    answer = service.login("kanto", "kanto-password", **ports(pool, organisations))
    assert {"id_token", "access_token", "refresh_token", "expires_in"} <= set(answer)
    assert answer["user"] == {"username": "kanto", "role": "participant", "org_id": "kanto-steel",
                              "org_name": "Kanto Steelworks Co., Ltd.", "org_name_ja": "関東製鋼株式会社"}
    with pytest.raises(AuthFailed):
        service.login("kanto", "wrong", **ports(pool, organisations))


def test_an_administrator_without_mfa_gets_the_secret_to_enrol_and_no_tokens(pool, organisations):
    with pytest.raises(MfaSetupRequired) as refused:
        service.login("admin", "admin-password", **ports(pool, organisations))
    assert (refused.value.code, refused.value.status) == ("MFA_SETUP_REQUIRED", 401)
    (details,) = refused.value.details
    assert details["session"] == pool.enrolling[0] and details["session"].startswith("access:admin:")
    assert details["secret_code"] == SECRET
    uri = urlparse(details["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/JVETS%20Registry:admin")
    assert parse_qs(uri.query)["secret"] == [SECRET]

    assert service.enrol_totp(details["session"], CODE, directory=pool) == {"mfa": "totp", "sign_in_again": True}
    with pytest.raises(MfaRequired) as challenged:  # from now on every sign-in asks for a code
        service.login("admin", "admin-password", **ports(pool, organisations))
    session = challenged.value.details[0]["session"]
    with pytest.raises(MfaCodeInvalid):
        service.answer_mfa("admin", session, "000000", **ports(pool, organisations))
    answer = service.answer_mfa("admin", session, CODE, **ports(pool, organisations))
    assert answer["user"]["role"] == "admin"
    assert pool.verifier.verify(answer["id_token"]).mfa  # the token passes the API's verifier
    refreshed = service.refresh(answer["refresh_token"], **ports(pool, organisations))
    assert refreshed["user"]["org_id"] == "jvets" and refreshed["refresh_token"] == answer["refresh_token"]


def test_enrolment_needs_the_first_code_of_the_new_secret(pool, organisations):
    with pytest.raises(MfaSetupRequired) as refused:
        service.login("admin", "admin-password", **ports(pool, organisations))
    with pytest.raises(MfaCodeInvalid):
        service.enrol_totp(refused.value.details[0]["session"], "999999", directory=pool)
    assert not pool.users["admin"].totp


def test_an_administrators_refresh_keeps_working_only_while_totp_is_on(pool, organisations):
    pool.users["admin"].totp = True
    with pytest.raises(MfaRequired) as challenged:
        service.login("admin", "admin-password", **ports(pool, organisations))
    tokens = service.answer_mfa("admin", challenged.value.details[0]["session"], CODE, **ports(pool, organisations))
    pool.users["admin"].totp = False  # turned off: the next token has no MFA claim
    with pytest.raises(InvalidToken) as refused:
        service.refresh(tokens["refresh_token"], **ports(pool, organisations))
    assert refused.value.params["reason"] == "administrator signed in without MFA"


def test_a_first_password_is_chosen_before_signing_in(pool, organisations):
    with pytest.raises(PasswordChangeRequired) as challenged:
        service.login("newcomer", "temporary-1", **ports(pool, organisations))
    answer = service.set_first_password("newcomer", challenged.value.details[0]["session"], "a-long-new-password",
                                        **ports(pool, organisations))
    assert answer["user"]["org_name_ja"] == "みなと食品株式会社"
    assert service.login("newcomer", "a-long-new-password", **ports(pool, organisations))["user"]["username"] == "newcomer"


def test_me_lists_the_organisations_accounts(organisations):
    accounts = FakeAccounts(Memory(), organisations)
    aozora = organisations.get("aozora-trading")
    numbers = [accounts.open_account(aozora, AccountType.PERSON_HOLDING, 0, "").number for _ in range(2)]
    accounts.open_account(organisations.get("kanto-steel"), AccountType.OPERATOR_HOLDING, 0, "")
    me = service.me(Principal("aozora", Role.PARTICIPANT, "aozora-trading"), store=organisations, accounts_of=accounts)
    assert (me["username"], me["role"], me["org_id"], me["org_name_ja"]) == (
        "aozora", "participant", "aozora-trading", "青空トレーディング株式会社")
    assert me["org_kind"] == "trading"
    assert me["accounts"] == [{"number": number, "type": 121, "status": "open"} for number in sorted(numbers)]
    nobody = service.me(Principal("ghost", Role.PARTICIPANT, "gone"), store=organisations, accounts_of=accounts)
    assert (nobody["org_name"], nobody["accounts"]) == ("", [])


# --- the administrator ---------------------------------------------------------------------------


@pytest.mark.parametrize(("org_id", "role"), [("jvets", "admin"), ("tokai-verification", "verifier"), ("kanto-steel", "participant"),
                                              ("minato-foods", "participant"), ("aozora-trading", "participant")])
def test_a_user_gets_the_one_role_the_organisations_kind_allows(organisations, org_id, role):
    users = FakeUserAdministration()
    created = service.create_user(service.NewUser("someone", "someone@example.jp", org_id, role, "pw-123456789"),
                                  organisations=organisations, pool=users)
    assert (created["username"], created["org_id"], created["role"]) == ("someone", org_id, role)
    assert users.created["someone"]["group"] == role
    for other in {"admin", "verifier", "participant"} - {role}:
        with pytest.raises(RoleNotAllowed) as refused:
            service.create_user(service.NewUser("other", "o@example.jp", org_id, other), organisations=organisations, pool=users)
        assert (refused.value.field, refused.value.status) == ("role", 422)
    assert set(users.created) == {"someone"}


def test_a_user_needs_an_organisation_and_a_new_name(organisations):
    users = FakeUserAdministration()
    with pytest.raises(OrganisationNotFound) as refused:
        service.create_user(service.NewUser("x", "x@example.jp", "nobody", "participant"), organisations=organisations, pool=users)
    assert refused.value.field == "org_id" and users.created == {}
    service.create_user(service.NewUser("x", "x@example.jp", "kanto-steel", "participant"), organisations=organisations, pool=users)
    with pytest.raises(UserExists):
        service.create_user(service.NewUser("x", "x@example.jp", "kanto-steel", "participant"), organisations=organisations, pool=users)


def test_an_organisation_is_created_once(organisations):
    command = service.NewOrganisation("sakura-energy", "Sakura Energy", "さくらエネルギー", "target")
    view = service.create_organisation(command, organisations=organisations, now="2026-04-01T11:00:00+09:00")
    assert view == {"org_id": "sakura-energy", "name": "Sakura Energy", "name_ja": "さくらエネルギー", "kind": "target",
                    "created_at": "2026-04-01T11:00:00+09:00"}
    assert organisations.get("sakura-energy") == Organisation("sakura-energy", "Sakura Energy", "さくらエネルギー",
                                                              OrganisationKind.TARGET, "2026-04-01T11:00:00+09:00")
    with pytest.raises(OrganisationExists):
        service.create_organisation(command, organisations=organisations, now="later")
