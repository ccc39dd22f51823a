"""Every rule of the ledger refuses with its own 4xx code, writes nothing, and leaves
the audit clean; retries with the same Idempotency-Key move units once."""

from __future__ import annotations

import json
import uuid

import pytest

from chalicelib.admin import FUNCTIONS
from chalicelib.registry.domain.accounts import AccountNumber
from tests.conftest import admin, executed, scan_registry


@pytest.fixture(scope="module")
def ledger(api, demo):
    kanto, minato = demo["kanto"]["accounts"][0], demo["minato"]["accounts"][0]
    admin("set_market", {"action": "force_open", "reason": "tests"})
    allocation = {"unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "reason": "allocation"}
    executed("issue_units", {"account": kanto, "amount": 1000, **allocation})
    executed("issue_units", {"account": minato, "amount": 500, **allocation})
    executed("set_commitment_reserve", {"account": kanto, "commitment_reserve": 800})
    closed = admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    admin("close_account", {"account": closed})
    tokens = {name: api.login(demo[name]) for name in ("kanto", "minato", "verifier", "admin")}
    return {
        "kanto": kanto, "minato": minato, "aozora": demo["aozora"]["accounts"][0], "closed": closed,
        "retirement": demo["admin"]["accounts"][1], "tokens": tokens,
        "unknown": str(AccountNumber.build(121, 424242)),
    }


def _transfer(ledger, amount=10, **changes):
    body = {"from_account": ledger["kanto"], "to_account": ledger["minato"], "lines": [{"unit_type": "JPA", "amount": amount}]}
    body.update(changes)
    return body


def _line(**fields):
    return {"unit_type": "JPA", "amount": 10, **fields}


CASES = [
    # (case, who, path, body (a callable of the ledger fixture, a) or raw bytes, key, status, code)
    ("receiver check digit wrong", "kanto", "/transfers", lambda a: _transfer(a, to_account=a["minato"][:-2] + "00"),
     True, 400, "INVALID_ACCOUNT_NUMBER"),
    ("receiver malformed", "kanto", "/transfers", lambda a: _transfer(a, to_account="JP-120-abc"), True, 400, "INVALID_ACCOUNT_NUMBER"),
    ("sender malformed", "kanto", "/transfers", lambda a: _transfer(a, from_account="120-1-0"), True, 400, "INVALID_ACCOUNT_NUMBER"),
    ("receiver unknown", "kanto", "/transfers", lambda a: _transfer(a, to_account=a["unknown"]), True, 422, "UNKNOWN_RECEIVER"),
    ("receiver is sender", "kanto", "/transfers", lambda a: _transfer(a, to_account=a["kanto"]), True, 400, "SAME_ACCOUNT"),
    ("sender of another organisation", "kanto", "/transfers", lambda a: _transfer(a, from_account=a["minato"], to_account=a["kanto"]),
     True, 404, "ACCOUNT_NOT_FOUND"),
    ("sender does not exist", "kanto", "/transfers", lambda a: _transfer(a, from_account=a["unknown"]), True, 404, "ACCOUNT_NOT_FOUND"),
    ("receiver closed", "kanto", "/transfers", lambda a: _transfer(a, to_account=a["closed"]), True, 409, "ACCOUNT_NOT_OPEN"),
    ("receiver is the retirement account", "kanto", "/transfers", lambda a: _transfer(a, to_account=a["retirement"]),
     True, 422, "RECEIVER_NOT_ALLOWED"),
    ("amount zero", "kanto", "/transfers", lambda a: _transfer(a, amount=0), True, 400, "VALIDATION_ERROR"),
    ("amount negative", "kanto", "/transfers", lambda a: _transfer(a, amount=-5), True, 400, "VALIDATION_ERROR"),
    ("amount fraction", "kanto", "/transfers", lambda a: _transfer(a, amount=1.5), True, 400, "VALIDATION_ERROR"),
    ("amount string", "kanto", "/transfers", lambda a: _transfer(a, amount="10"), True, 400, "VALIDATION_ERROR"),
    ("amount boolean", "kanto", "/transfers", lambda a: _transfer(a, amount=True), True, 400, "VALIDATION_ERROR"),
    ("amount above a billion", "kanto", "/transfers", lambda a: _transfer(a, amount=1_000_000_001), True, 400, "VALIDATION_ERROR"),
    ("eleven lines", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(amount=1)] * 11), True, 400, "VALIDATION_ERROR"),
    ("no lines", "kanto", "/transfers", lambda a: _transfer(a, lines=[]), True, 400, "VALIDATION_ERROR"),
    ("unknown unit type", "kanto", "/transfers", lambda a: _transfer(a, lines=[{"unit_type": "EUA", "amount": 1}]), True, 400, "VALIDATION_ERROR"),
    ("period not two digits", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(issued_period="1")]), True, 400, "VALIDATION_ERROR"),
    ("project with markup", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(project="<b>x</b>")]), True, 400, "VALIDATION_ERROR"),
    ("unknown field", "kanto", "/transfers", lambda a: _transfer(a, note="hi"), True, 400, "VALIDATION_ERROR"),
    ("unknown field in a line", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(price=1200)]), True, 400, "VALIDATION_ERROR"),
    ("receiver missing", "kanto", "/transfers", lambda a: {"from_account": a["kanto"], "lines": [_line()]}, True, 400, "VALIDATION_ERROR"),
    ("body not JSON", "kanto", "/transfers", b"{from_account:", True, 400, "MALFORMED_JSON"),
    ("body an array", "kanto", "/transfers", lambda a: [_transfer(a)], True, 400, "VALIDATION_ERROR"),
    ("no Idempotency-Key", "kanto", "/transfers", lambda a: _transfer(a), None, 400, "IDEMPOTENCY_KEY_REQUIRED"),
    ("Idempotency-Key too short", "kanto", "/transfers", lambda a: _transfer(a), "short", 400, "IDEMPOTENCY_KEY_REQUIRED"),
    ("Idempotency-Key with spaces", "kanto", "/transfers", lambda a: _transfer(a), "key with spaces 123", 400, "IDEMPOTENCY_KEY_REQUIRED"),
    ("more units than held", "kanto", "/transfers", lambda a: _transfer(a, amount=5000), True, 409, "INSUFFICIENT_UNITS"),
    ("a unit type not held", "kanto", "/transfers", lambda a: _transfer(a, lines=[{"unit_type": "jCER", "amount": 1}]),
     True, 409, "INSUFFICIENT_UNITS"),
    ("a period not held", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(issued_period="02")]), True, 409, "INSUFFICIENT_UNITS"),
    ("two lines over the same units", "kanto", "/transfers", lambda a: _transfer(a, lines=[_line(amount=600), _line(amount=600)]),
     True, 409, "INSUFFICIENT_UNITS"),
    ("below the commitment reserve", "kanto", "/transfers", lambda a: _transfer(a, amount=201), True, 409, "RESERVE_BREACH"),
    ("verifier moving a participant's units", "verifier", "/transfers", lambda a: _transfer(a), True, 404, "ACCOUNT_NOT_FOUND"),
    ("retire from another organisation", "kanto", "/retirements", lambda a: {"account": a["minato"], "compliance_period": "01", "lines": [_line()]},
     True, 404, "ACCOUNT_NOT_FOUND"),
    ("retire with a bad period", "kanto", "/retirements", lambda a: {"account": a["kanto"], "compliance_period": "2008", "lines": [_line()]},
     True, 400, "VALIDATION_ERROR"),
    ("retire more than held", "kanto", "/retirements", lambda a: {"account": a["kanto"], "compliance_period": "01", "lines": [_line(amount=1001)]},
     True, 409, "INSUFFICIENT_UNITS"),
    ("retire without a key", "kanto", "/retirements", lambda a: {"account": a["kanto"], "compliance_period": "01", "lines": [_line()]},
     None, 400, "IDEMPOTENCY_KEY_REQUIRED"),
    ("retire the retirement account", "admin", "/retirements", lambda a: {"account": a["retirement"], "compliance_period": "01", "lines": [_line()]},
     True, 400, "SAME_ACCOUNT"),
]


@pytest.mark.parametrize(("case", "who", "path", "body", "key", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_refused_movement_writes_nothing(api, ledger, local_aws, case, who, path, body, key, status, code):
    before = scan_registry(local_aws)
    headers = {"Idempotency-Key": f"refusal-{uuid.uuid4()}" if key is True else key} if key else {}
    if isinstance(body, bytes):
        got, answer = api.call("POST", path, raw=body, token=ledger["tokens"][who], headers=headers)
    else:
        got, answer = api.call("POST", path, body(ledger), token=ledger["tokens"][who], headers=headers)
    assert (got, answer["error"]["code"]) == (status, code), answer
    assert answer["error"]["message_ja"]
    assert scan_registry(local_aws) == before


@pytest.mark.parametrize(
    ("who", "path", "status", "code"),
    [
        ("kanto", "/accounts/{minato}/balance", 404, "ACCOUNT_NOT_FOUND"),
        ("verifier", "/accounts/{kanto}/balance", 404, "ACCOUNT_NOT_FOUND"),
        ("kanto", "/accounts/JP-120-1-0-00/balance", 400, "INVALID_ACCOUNT_NUMBER"),
        ("kanto", "/accounts/{minato}/transactions", 404, "ACCOUNT_NOT_FOUND"),
        ("kanto", "/accounts/{kanto}/transactions?from=2026-13-01", 400, "INVALID_DATE_RANGE"),
        ("kanto", "/accounts/{kanto}/transactions?from=2026-12-01&to=2026-11-01", 400, "INVALID_DATE_RANGE"),
        ("kanto", "/accounts/{kanto}/transactions?limit=100000", 400, "INVALID_LIMIT"),
        ("kanto", "/accounts/{kanto}/transactions?limit=ten", 400, "INVALID_LIMIT"),
        ("kanto", "/accounts/{kanto}/transactions?limit=0", 400, "INVALID_LIMIT"),
        ("kanto", "/accounts/{kanto}/transactions?cursor=not-a-cursor", 400, "INVALID_CURSOR"),
        ("kanto", "/transactions/TX000000000000000000", 404, "TRANSACTION_NOT_FOUND"),
        ("kanto", "/transactions/..%2F..%2Fetc%2Fpasswd", 404, "TRANSACTION_NOT_FOUND"),
    ],
)
def test_views_refuse_what_the_caller_may_not_see_or_cannot_mean(api, ledger, who, path, status, code):
    got, answer = api.call("GET", path.format(**ledger), token=ledger["tokens"][who])
    assert (got, answer["error"]["code"]) == (status, code)
    if code == "INVALID_LIMIT":
        assert answer["error"]["field"] == "limit"


def test_no_token_is_401_on_every_ledger_route(api, ledger):
    for method, path in [("POST", "/transfers"), ("POST", "/retirements"), ("GET", f"/accounts/{ledger['kanto']}/balance"),
                         ("GET", f"/accounts/{ledger['kanto']}/transactions"), ("GET", "/transactions/TX000000000000000000")]:
        assert api.call(method, path, {})[0] == 401


def test_transfers_are_refused_while_the_window_is_closed_with_the_next_opening(api, ledger):
    admin("set_market", {"action": "force_close", "reason": "tests"})
    try:
        status, answer = api.call("POST", "/transfers", _transfer(ledger), token=ledger["tokens"]["kanto"],
                                  headers={"Idempotency-Key": f"closed-{uuid.uuid4()}"})
        assert (status, answer["error"]["code"]) == (409, "MARKET_CLOSED")
        assert answer["error"]["message_ja"] == "現在は移転できません。事務局により取引時間外とされています。"
        retired = api.call("POST", "/retirements", {"account": ledger["minato"], "compliance_period": "01", "lines": [_line(amount=1)]},
                           token=ledger["tokens"]["minato"], headers={"Idempotency-Key": f"closed-{uuid.uuid4()}"})
        assert retired[0] == 201
    finally:
        admin("set_market", {"action": "force_open", "reason": "tests"})


def test_a_halt_gives_the_reason_and_resume_follows_the_calendar(api, ledger):
    executed("set_market", {"action": "halt", "reason": "System maintenance"})
    try:
        _, market = api.call("GET", "/market")
        assert (market["status"], market["reason"]) == ("halted", "System maintenance")
        status, answer = api.call("POST", "/transfers", _transfer(ledger), token=ledger["tokens"]["kanto"],
                                  headers={"Idempotency-Key": f"halt-{uuid.uuid4()}"})
        assert (status, answer["error"]["code"], answer["error"]["details"][0]["reason"]) == (409, "MARKET_CLOSED", "System maintenance")
        assert answer["error"]["message"] == "Transfers are not accepted now: trading is halted by the administrator."
        assert FUNCTIONS["set_market"]({"action": "halt"}, None)["error"]["code"] == "VALIDATION_ERROR"
    finally:
        executed("set_market", {"action": "resume"})  # only an approved resume ends a halt
        admin("set_market", {"action": "force_open", "reason": "tests"})


def test_the_same_key_and_body_return_the_same_transaction_and_move_once(api, ledger):
    key, body = f"retry-{uuid.uuid4()}", _transfer(ledger, amount=7)
    first = api.call("POST", "/transfers", body, token=ledger["tokens"]["kanto"], headers={"Idempotency-Key": key})
    second = api.call("POST", "/transfers", body, token=ledger["tokens"]["kanto"], headers={"Idempotency-Key": key})
    assert first[0] == second[0] == 201
    assert first[1]["transaction"]["id"] == second[1]["transaction"]["id"]
    _, balance = api.call("GET", f"/accounts/{ledger['minato']}/balance", token=ledger["tokens"]["minato"])
    assert sum(1 for h in balance["holdings"] if h["amount"] == 7) == 1


def test_the_same_key_with_another_body_is_a_mismatch(api, ledger):
    key = f"mismatch-{uuid.uuid4()}"
    assert api.call("POST", "/transfers", _transfer(ledger, amount=3), token=ledger["tokens"]["kanto"], headers={"Idempotency-Key": key})[0] == 201
    status, answer = api.call("POST", "/transfers", _transfer(ledger, amount=4), token=ledger["tokens"]["kanto"], headers={"Idempotency-Key": key})
    assert (status, answer["error"]["code"]) == (409, "IDEMPOTENCY_MISMATCH")


def test_a_retry_after_the_balance_was_spent_still_returns_the_transaction(api, ledger):
    key, body = f"spent-{uuid.uuid4()}", {"account": ledger["minato"], "compliance_period": "01", "lines": [_line(amount=1)]}
    first = api.call("POST", "/retirements", body, token=ledger["tokens"]["minato"], headers={"Idempotency-Key": key})
    _, balance = api.call("GET", f"/accounts/{ledger['minato']}/balance", token=ledger["tokens"]["minato"])
    spend_all = {"account": ledger["minato"], "compliance_period": "01", "lines": [_line(amount=balance["balance"])]}
    assert api.call("POST", "/retirements", spend_all, token=ledger["tokens"]["minato"], headers={"Idempotency-Key": f"all-{uuid.uuid4()}"})[0] == 201
    again = api.call("POST", "/retirements", body, token=ledger["tokens"]["minato"], headers={"Idempotency-Key": key})
    assert again[0] == 201 and again[1]["transaction"]["id"] == first[1]["transaction"]["id"]


def test_a_transfer_needing_more_blocks_than_one_transaction_holds_is_refused_whole(api, ledger, demo, local_aws):
    account = admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    period_02 = {"unit_type": "JPA", "issued_period": "02", "adopted_period": "02"}
    for index in range(50):
        executed("issue_units", {"account": account, "amount": 2, "reason": f"block {index}", **period_02})
        # Interleave another holder so that the blocks are not contiguous serials.
        executed("issue_units", {"account": ledger["minato"], "amount": 1, "reason": "gap", **period_02})
    token = api.login(demo["aozora"])
    before = scan_registry(local_aws)
    # To the holder's own account: no trusted-list check takes room in the transaction.
    body = {"from_account": account, "to_account": demo["aozora"]["accounts"][0], "lines": [{"unit_type": "JPA", "amount": 100}]}
    status, answer = api.call("POST", "/transfers", body, token=token, headers={"Idempotency-Key": f"many-{uuid.uuid4()}"})
    assert (status, answer["error"]["code"]) == (422, "TOO_MANY_BLOCKS")
    assert "92" in answer["error"]["message"]  # 46 blocks of 2 t fit
    assert scan_registry(local_aws) == before
    body["lines"][0]["amount"] = 92
    assert api.call("POST", "/transfers", body, token=token, headers={"Idempotency-Key": f"fits-{uuid.uuid4()}"})[0] == 201


def test_the_audit_is_clean_after_all_refusals(ledger):
    result = admin("audit_ledger", {})
    assert result["ok"], json.dumps(result["problems"], ensure_ascii=False)
