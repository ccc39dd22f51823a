"""GET /accounts/{number}: visible to the holder's users and administrators only."""

from __future__ import annotations

import pytest

from chalicelib.admin import FUNCTIONS
from chalicelib.registry.domain.accounts import AccountNumber
from tests.conftest import executed


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(user) for name, user in demo.items()}


def test_the_holder_reads_its_account(api, demo, tokens):
    number = demo["kanto"]["accounts"][0]
    status, body = api.call("GET", f"/accounts/{number}", token=tokens["kanto"])
    assert status == 200
    assert body == {
        "number": number,
        "type": 120,
        "holder_org_id": "kanto-steel",
        "holder": "Kanto Steelworks Co., Ltd.",
        "holder_ja": "関東製鋼株式会社",
        "status": "open",
        "commitment_reserve": 0,
        "balance": 0,
        "transferable": 0,
        "created_at": body["created_at"],
    }


def test_the_administrator_reads_any_account(api, demo, tokens):
    for user in ("kanto", "minato", "aozora"):
        number = demo[user]["accounts"][0]
        assert api.call("GET", f"/accounts/{number}", token=tokens["admin"])[0] == 200


def test_another_organisation_gets_exactly_the_404_of_an_account_that_does_not_exist(api, demo, tokens):
    minato_account = demo["minato"]["accounts"][0]
    missing = str(AccountNumber.build(120, 999_999))
    status_other, body_other = api.call("GET", f"/accounts/{minato_account}", token=tokens["kanto"])
    status_missing, body_missing = api.call("GET", f"/accounts/{missing}", token=tokens["kanto"])
    assert status_other == status_missing == 404
    assert body_other["error"]["code"] == body_missing["error"]["code"] == "ACCOUNT_NOT_FOUND"
    assert body_other["error"]["message"].replace(minato_account, "N") == body_missing["error"]["message"].replace(missing, "N")


@pytest.mark.parametrize("user", ["verifier", "aozora"])
def test_verifiers_and_other_participants_cannot_read_a_participant_account(api, demo, tokens, user):
    status, body = api.call("GET", f"/accounts/{demo['kanto']['accounts'][0]}", token=tokens[user])
    assert (status, body["error"]["code"]) == (404, "ACCOUNT_NOT_FOUND")


def test_participants_cannot_read_the_government_accounts(api, demo, tokens):
    for number in demo["admin"]["accounts"]:
        assert api.call("GET", f"/accounts/{number}", token=tokens["kanto"])[0] == 404


@pytest.mark.parametrize("number", ["JP-121-1053-0-26", "JP-120-1-0-57", "XX-120-1-0-56", "JP-120-1-0", "1053", "JP-999-1-0-00"])
def test_a_malformed_number_or_wrong_check_digits_give_400(api, tokens, number):
    status, body = api.call("GET", f"/accounts/{number}", token=tokens["kanto"])
    assert (status, body["error"]["code"]) == (400, "INVALID_ACCOUNT_NUMBER")


def test_an_account_opened_by_the_admin_function_has_a_valid_number_and_is_listed_in_me(api, tokens):
    opened = FUNCTIONS["open_account"]({"org_id": "aozora-trading", "type": 121}, None)
    assert AccountNumber.parse(opened["number"]).type == 121
    _, me = api.call("GET", "/me", token=tokens["aozora"])
    assert opened["number"] in [a["number"] for a in me["accounts"]]
    status, body = api.call("GET", f"/accounts/{opened['number']}", token=tokens["aozora"])
    assert (status, body["holder_ja"]) == (200, "あおぞら商事株式会社")


def test_a_closed_account_shows_as_closed_to_its_holder(api, tokens):
    opened = FUNCTIONS["open_account"]({"org_id": "aozora-trading", "type": 121}, None)
    assert FUNCTIONS["close_account"]({"account": opened["number"]}, None)["status"] == "closed"
    _, body = api.call("GET", f"/accounts/{opened['number']}", token=tokens["aozora"])
    assert body["status"] == "closed"
    _, me = api.call("GET", "/me", token=tokens["aozora"])
    assert {"number": opened["number"], "type": 121, "status": "closed"} in me["accounts"]


def test_the_commitment_reserve_set_by_the_admin_shows_in_the_account(api, demo, tokens):
    number = demo["minato"]["accounts"][0]
    result = executed("set_commitment_reserve", {"account": number, "commitment_reserve": 800})
    assert result["commitment_reserve"] == 800
    _, body = api.call("GET", f"/accounts/{number}", token=tokens["minato"])
    assert (body["commitment_reserve"], body["balance"], body["transferable"]) == (800, 0, 0)


def test_any_signed_in_user_sees_the_holder_name_of_an_account_before_transferring(api, demo, tokens):
    number = demo["minato"]["accounts"][0]
    status, body = api.call("GET", f"/accounts/{number}/holder", token=tokens["kanto"])
    assert (status, body) == (200, {"number": number, "type": 120, "holder": "Minato Foods Co., Ltd.",
                                    "holder_ja": "みなと食品株式会社", "status": "open"})
    assert "balance" not in body
    missing = str(AccountNumber.build(121, 777_777))
    assert api.call("GET", f"/accounts/{missing}/holder", token=tokens["kanto"])[1]["error"]["code"] == "ACCOUNT_NOT_FOUND"
    assert api.call("GET", "/accounts/JP-121-1053-0-26/holder", token=tokens["kanto"])[1]["error"]["code"] == "INVALID_ACCOUNT_NUMBER"
    assert api.call("GET", f"/accounts/{number}/holder")[0] == 401


def test_a_blocked_account_neither_sends_nor_receives_until_unblocked(api, demo, tokens):
    import uuid

    kanto, aozora = demo["kanto"]["accounts"][0], demo["aozora"]["accounts"][0]
    assert FUNCTIONS["set_market"]({"action": "force_open", "reason": "blocking"}, None).get("error") is None
    executed("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                             "amount": 20, "reason": "allocation"})

    def transfer(sender: str, receiver: str, token: str) -> tuple[int, dict]:
        return api.call("POST", "/transfers", {"from_account": sender, "to_account": receiver,
                                               "lines": [{"unit_type": "JPA", "amount": 1}]},
                        token=token, headers={"Idempotency-Key": f"block-{uuid.uuid4()}"})

    blocked = FUNCTIONS["set_account_status"]({"account": aozora, "action": "block", "reason": "court order"}, None)
    assert blocked["status"] == "blocked"
    assert api.call("GET", f"/accounts/{aozora}", token=tokens["aozora"])[1]["status"] == "blocked"
    listed = {a["number"]: a["status"] for a in api.call("GET", "/me", token=tokens["aozora"])[1]["accounts"]}
    assert listed[aozora] == "blocked"
    status, body = transfer(kanto, aozora, tokens["kanto"])
    assert (status, body["error"]["code"], body["error"]["field"]) == (409, "ACCOUNT_NOT_OPEN", "to_account")
    again = FUNCTIONS["set_account_status"]({"account": aozora, "action": "block", "reason": "twice"}, None)
    assert again["error"]["code"] == "STATUS_CHANGE_NOT_ALLOWED" and again["error"]["message_ja"]

    assert FUNCTIONS["set_account_status"]({"account": aozora, "action": "unblock", "reason": "lifted"}, None)["status"] == "open"
    assert transfer(kanto, aozora, tokens["kanto"])[0] == 201
    assert FUNCTIONS["set_account_status"]({"account": aozora, "action": "unblock", "reason": "x"}, None)["error"]["code"] == \
        "STATUS_CHANGE_NOT_ALLOWED"
    assert FUNCTIONS["audit_ledger"]({}, None)["ok"]


@pytest.mark.parametrize("event", [
    {"account": "JP-121-1-0-47", "action": "freeze", "reason": "x"},
    {"account": "JP-121-1-0-47", "action": "block"},
    {"account": "JP-121-1-0-47", "action": "block", "reason": ""},
])
def test_blocking_needs_an_action_and_a_reason(event):
    assert FUNCTIONS["set_account_status"](event, None)["error"]["code"] == "VALIDATION_ERROR"


def test_blocking_an_account_that_does_not_exist_is_not_found():
    result = FUNCTIONS["set_account_status"]({"account": str(AccountNumber.build(121, 999)), "action": "block", "reason": "x"},
                                             None)
    assert result["error"]["code"] == "ACCOUNT_NOT_FOUND"
