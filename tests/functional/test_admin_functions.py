"""The administrator's console functions: validation, rules, and nothing written on refusal."""

from __future__ import annotations

import pytest

from chalicelib.admin import FUNCTIONS
from chalicelib.registry.domain.accounts import AccountNumber
from tests.conftest import scan_registry


def call(name, event):
    return FUNCTIONS[name](event, None)


def test_create_organisation_stores_both_names(demo):
    result = call("create_organisation", {"org_id": "hokkaido-paper", "name": "Hokkaido Paper Co.", "name_ja": "北海道製紙株式会社",
                                          "kind": "target"})
    assert result["org_id"] == "hokkaido-paper"
    assert result["name_ja"] == "北海道製紙株式会社"


def test_an_organisation_id_is_never_reused(demo):
    result = call("create_organisation", {"org_id": "kanto-steel", "name": "Impostor", "name_ja": "偽物", "kind": "trading"})
    assert result["error"]["code"] == "ORGANISATION_EXISTS"


def test_account_identifiers_advance_per_type_and_every_number_validates(demo):
    numbers = [call("open_account", {"org_id": "minato-foods", "type": 120})["number"] for _ in range(3)]
    identifiers = [AccountNumber.parse(n).identifier for n in numbers]
    assert identifiers == sorted(identifiers) and len(set(identifiers)) == 3
    assert identifiers[1] == identifiers[0] + 1


def test_there_is_only_one_issuing_and_one_retirement_account(demo):
    for account_type in (100, 300):
        result = call("open_account", {"org_id": "moe", "type": account_type})
        assert result["error"]["code"] == "ACCOUNT_EXISTS"


@pytest.mark.parametrize(
    ("org_id", "account_type", "code"),
    [
        ("aozora-trading", 120, "ACCOUNT_TYPE_NOT_ALLOWED"),
        ("kanto-steel", 100, "ACCOUNT_TYPE_NOT_ALLOWED"),
        ("sakura-verif", 121, "ACCOUNT_TYPE_NOT_ALLOWED"),
        ("no-such-org", 121, "ORGANISATION_NOT_FOUND"),
    ],
)
def test_an_account_type_must_fit_the_holder(demo, local_aws, org_id, account_type, code):
    before = scan_registry(local_aws)
    assert call("open_account", {"org_id": org_id, "type": account_type})["error"]["code"] == code
    assert scan_registry(local_aws) == before


def test_a_user_role_must_fit_the_organisation(demo):
    result = call("create_user", {"username": "mallory", "email": "m@example.jp", "org_id": "kanto-steel", "role": "admin",
                                  "password": "Mallory-Pass-2026!"})
    assert result["error"]["code"] == "ROLE_NOT_ALLOWED"


def test_a_created_user_can_sign_in_with_the_organisations_role(api, demo):
    created = call("create_user", {"username": "kanto2", "email": "k2@example.jp", "org_id": "kanto-steel", "role": "participant",
                                   "password": "Kanto-Second-2026!"})
    assert created["username"] == "kanto2"
    status, body = api.call("POST", "/auth/login", {"username": "kanto2", "password": "Kanto-Second-2026!"})
    assert (status, body["user"]["org_id"], body["user"]["role"]) == (200, "kanto-steel", "participant")


def test_a_user_created_without_a_password_must_change_the_temporary_one(api, demo, local_aws, aws_client):
    assert "error" not in call("create_user", {"username": "newcomer", "email": "n@example.jp", "org_id": "minato-foods", "role": "participant"})
    # Cognito mails a temporary password; set a known one the same way for the test.
    aws_client("cognito-idp").admin_set_user_password(
        UserPoolId=local_aws["USER_POOL_ID"], Username="newcomer", Password="Temporary-Pass-2026!", Permanent=False
    )
    status, body = api.call("POST", "/auth/login", {"username": "newcomer", "password": "Temporary-Pass-2026!"})
    assert (status, body["error"]["code"]) == (403, "PASSWORD_CHANGE_REQUIRED")
    session = body["error"]["details"][0]["session"]
    weak = api.call("POST", "/auth/new-password", {"username": "newcomer", "session": session, "new_password": "alllowercase1"})
    assert (weak[0], weak[1]["error"]["code"]) == (400, "INVALID_PASSWORD")
    status, body = api.call("POST", "/auth/new-password", {"username": "newcomer", "session": session, "new_password": "Chosen-By-Me-2026!"})
    assert (status, body["user"]["org_id"]) == (200, "minato-foods")
    assert api.call("POST", "/auth/login", {"username": "newcomer", "password": "Chosen-By-Me-2026!"})[0] == 200
    forged = api.call("POST", "/auth/new-password",
                      {"username": "kanto", "session": "forged-session-" + "x" * 40, "new_password": "Takeover-Pass-2026!"})
    assert (forged[0], forged[1]["error"]["code"]) == (401, "AUTH_FAILED")


def test_a_username_is_never_reused(demo):
    result = call("create_user", {"username": "kanto", "email": "x@example.jp", "org_id": "kanto-steel", "role": "participant",
                                  "password": "Kanto-Again-2026!"})
    assert result["error"]["code"] == "USER_EXISTS"


def test_a_weak_password_is_refused_and_leaves_no_user(api, demo):
    result = call("create_user", {"username": "weakling", "email": "w@example.jp", "org_id": "kanto-steel", "role": "participant",
                                  "password": "password1234"})
    assert result["error"]["code"] == "INVALID_PASSWORD"
    again = call("create_user", {"username": "weakling", "email": "w@example.jp", "org_id": "kanto-steel", "role": "participant",
                                 "password": "Strong-Enough-2026!"})
    assert again["username"] == "weakling"


def test_an_account_is_closed_once(demo):
    number = call("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    assert call("close_account", {"account": number})["status"] == "closed"
    assert call("close_account", {"account": number})["error"]["code"] == "ACCOUNT_NOT_OPEN"
    assert call("set_commitment_reserve", {"account": number, "commitment_reserve": 1})["error"]["code"] == "ACCOUNT_NOT_OPEN"


def test_closing_or_reserving_an_unknown_account_is_a_clean_refusal(demo):
    missing = str(AccountNumber.build(121, 987_654))
    assert call("close_account", {"account": missing})["error"]["code"] == "ACCOUNT_NOT_FOUND"
    assert call("set_commitment_reserve", {"account": missing, "commitment_reserve": 5})["error"]["code"] == "ACCOUNT_NOT_FOUND"
    assert call("close_account", {"account": "JP-121-1-0-00"})["error"]["code"] == "INVALID_ACCOUNT_NUMBER"


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("create_organisation", {"org_id": "x1", "name": "X", "name_ja": "X", "kind": "bank"}),
        ("create_organisation", {"org_id": "x1", "name": "X", "name_ja": "X", "kind": "trading", "extra": 1}),
        ("create_organisation", {"org_id": "../etc", "name": "X", "name_ja": "X", "kind": "trading"}),
        ("create_organisation", {"org_id": "x1", "name": "", "name_ja": "X", "kind": "trading"}),
        ("open_account", {"org_id": "kanto-steel", "type": "120"}),
        ("open_account", {"org_id": "kanto-steel", "type": 122}),
        ("open_account", {"org_id": "kanto-steel"}),
        ("set_commitment_reserve", {"account": "JP-120-1-0-56", "commitment_reserve": -1}),
        ("set_commitment_reserve", {"account": "JP-120-1-0-56", "commitment_reserve": 1.5}),
        ("set_commitment_reserve", {"account": "JP-120-1-0-56", "commitment_reserve": "800"}),
        ("create_user", {"username": "Bad Name", "email": "b@example.jp", "org_id": "kanto-steel", "role": "participant"}),
        ("create_user", {"username": "bob", "email": "not-an-email", "org_id": "kanto-steel", "role": "participant"}),
        ("create_user", {"username": "bob", "email": "b@example.jp", "org_id": "kanto-steel", "role": "owner"}),
        ("close_account", []),
        ("close_account", None),
    ],
)
def test_bad_events_are_validation_errors_and_write_nothing(demo, local_aws, name, event):
    before = scan_registry(local_aws)
    result = call(name, event)
    assert result["error"]["code"] == "VALIDATION_ERROR"
    assert result["error"]["message_ja"]
    assert scan_registry(local_aws) == before


def test_every_administrator_function_is_a_lambda_function_of_its_own_system():
    """Each is declared once, in its system's admin.py, and Lambda finds it there by name."""
    import importlib

    from app import app

    handlers = {function.name: function.handler_string for function in app.pure_lambda_functions}
    for name in FUNCTIONS:
        module, _, attribute = handlers[name].rpartition(".")
        assert module.startswith("chalicelib.") and module.endswith(".admin"), handlers[name]
        assert attribute == name
        assert getattr(importlib.import_module(module), attribute) is not None
