"""The seed's own registry screens, replayed through the HTTP API.

Company B (Kanto Steelworks) of the transfer-detail screen: issuance 1,000 JPA; 100 JPA
in from A; 50 JPA out to A; issuance 50 jCER; 25 jCER out to C; the 50 sent to A
corrected back to B. With A's JPA issued before B's, the balance screen then shows
1,125 t held, 800 t reserve, 325 t transferable, and holdings JPA 50, JPA 50, JPA 1,000,
jCER 25; the history shows 1,200 t in and 75 t out.
"""

from __future__ import annotations

import uuid

import pytest

from chalicelib.admin import FUNCTIONS
from chalicelib.core.clock import now_jst
from tests.conftest import admin, executed


@pytest.fixture(scope="module")
def scenario(api, demo):
    a, b, c = demo["aozora"], demo["kanto"], demo["minato"]
    tokens = {name: api.login(demo[name]) for name in ("aozora", "kanto", "minato", "admin", "verifier")}
    accounts = {"A": a["accounts"][0], "B": b["accounts"][0], "C": c["accounts"][0]}
    admin("set_market", {"action": "force_open", "reason": "scenario"})

    def transfer(who, sender, receiver, unit_type, amount):
        status, body = api.call(
            "POST", "/transfers",
            {"from_account": accounts[sender], "to_account": accounts[receiver], "lines": [{"unit_type": unit_type, "amount": amount}]},
            token=tokens[who], headers={"Idempotency-Key": f"scenario-{uuid.uuid4()}"},
        )
        assert status == 201, body
        return body["transaction"]

    period_01 = {"issued_period": "01", "adopted_period": "01"}
    issued_a = executed("issue_units", {"account": accounts["A"], "unit_type": "JPA", **period_01, "amount": 100, "reason": "allocation A"})
    issued_b = executed("issue_units", {"account": accounts["B"], "unit_type": "JPA", **period_01, "amount": 1000, "reason": "allocation B"})
    a_to_b = transfer("aozora", "A", "B", "JPA", 100)
    b_to_a = transfer("kanto", "B", "A", "JPA", 50)
    credit = executed("issue_units", {"account": accounts["B"], "unit_type": "jCER", **period_01, "project": "CDM-0001", "amount": 50,
                                   "reason": "converted CERs"})
    b_to_c = transfer("kanto", "B", "C", "jCER", 25)
    correction = executed("correct_transaction", {"transaction_id": b_to_a["id"], "reason": "sent to the wrong account"})
    executed("set_commitment_reserve", {"account": accounts["B"], "commitment_reserve": 800})
    return {
        "tokens": tokens, "accounts": accounts,
        "transactions": {"issued_a": issued_a["transaction"], "issued_b": issued_b["transaction"], "a_to_b": a_to_b,
                         "b_to_a": b_to_a, "credit": credit["transaction"], "b_to_c": b_to_c, "correction": correction["transaction"]},
    }


def test_the_balance_screen_of_company_b(api, scenario):
    status, body = api.call("GET", f"/accounts/{scenario['accounts']['B']}/balance", token=scenario["tokens"]["kanto"])
    assert status == 200
    assert (body["balance"], body["commitment_reserve"], body["transferable"]) == (1125, 800, 325)
    assert body["holder_ja"] == "関東製鋼株式会社"
    assert [(h["no"], h["origin"], h["unit_type"], h["amount"]) for h in body["holdings"]] == [
        (1, "JP", "JPA", 50), (2, "JP", "JPA", 50), (3, "JP", "JPA", 1000), (4, "JP", "jCER", 25),
    ]
    # A's allowances were issued first (serials 1-100): B sent back the lowest 50, they
    # returned as their own block, and B's own 1,000 follow.
    assert [(h["serial_start"], h["serial_end"]) for h in body["holdings"]] == [(1, 50), (51, 100), (101, 1100), (26, 50)]
    assert body["holdings"][3]["project"] == "CDM-0001"


def test_the_transfer_detail_screen_of_company_b(api, scenario):
    today = now_jst().date().isoformat()
    status, body = api.call("GET", f"/accounts/{scenario['accounts']['B']}/transactions?from={today}&to={today}", token=scenario["tokens"]["kanto"])
    assert status == 200
    assert (body["incoming_total"], body["outgoing_total"]) == (1200, 75)
    rows = [(r["type"], r["from_name"], r["to_name"], r["in"], r["out"], r["correction"]) for r in body["items"]]
    a, b, c = "Aozora Trading Co., Ltd.", "Kanto Steelworks Co., Ltd.", "Minato Foods Co., Ltd."
    assert rows == [
        ("issuance", None, b, 1000, 0, False),
        ("transfer", a, b, 100, 0, False),
        ("transfer", b, a, 0, 50, False),
        ("issuance", None, b, 50, 0, False),
        ("transfer", b, c, 0, 25, False),
        ("transfer", a, b, 50, 0, True),
    ]
    assert all(r["status"] == "completed" and r["date"] == today for r in body["items"])
    assert body["next_cursor"] is None


def test_history_pages_keep_the_totals_of_the_whole_range(api, scenario):
    number, token = scenario["accounts"]["B"], scenario["tokens"]["kanto"]
    today = now_jst().date().isoformat()
    seen, cursor = [], None
    while True:
        path = f"/accounts/{number}/transactions?from={today}&to={today}&limit=4" + (f"&cursor={cursor}" if cursor else "")
        status, page = api.call("GET", path, token=token)
        assert status == 200
        assert (page["incoming_total"], page["outgoing_total"]) == (1200, 75)
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 6


def test_a_range_before_the_transactions_is_empty_with_zero_totals(api, scenario):
    status, body = api.call("GET", f"/accounts/{scenario['accounts']['B']}/transactions?from=2005-12-01&to=2005-12-31",
                            token=scenario["tokens"]["kanto"])
    assert (status, body["items"], body["incoming_total"], body["outgoing_total"]) == (200, [], 0, 0)


def _serials(transaction):
    return [(blk["serial_start"], blk["serial_end"]) for blk in transaction["blocks"]]


def test_the_correction_links_to_the_original_and_moves_the_same_serials(api, scenario):
    original, correction = scenario["transactions"]["b_to_a"], scenario["transactions"]["correction"]
    assert correction["correction"] is True and correction["corrects"] == original["id"]
    assert _serials(correction) == _serials(original) == [(1, 50)]
    status, body = api.call("GET", f"/transactions/{original['id']}", token=scenario["tokens"]["aozora"])
    assert (status, body["corrected_by"]) == (200, correction["id"])
    # Once corrected, another proposal to correct it is refused at once.
    other = FUNCTIONS["correct_transaction"]({"transaction_id": original["id"], "reason": "once more"}, None)
    assert other["error"]["code"] == "ALREADY_CORRECTED"


def test_transaction_details_are_for_the_parties_and_administrators_only(api, scenario):
    tx = scenario["transactions"]["a_to_b"]
    for who in ("aozora", "kanto", "admin"):
        status, body = api.call("GET", f"/transactions/{tx['id']}", token=scenario["tokens"][who])
        assert status == 200 and body["blocks"][0]["serial_start"] == 1
        assert set(body["chain"]) == {scenario["accounts"]["A"]}  # a link of its sender's chain
    for who in ("minato", "verifier"):
        status, body = api.call("GET", f"/transactions/{tx['id']}", token=scenario["tokens"][who])
        assert (status, body["error"]["code"]) == (404, "TRANSACTION_NOT_FOUND")


def test_holder_names_are_stored_as_they_were(api, scenario):
    tx = scenario["transactions"]["b_to_c"]
    assert (tx["from_name_ja"], tx["to_name_ja"]) == ("関東製鋼株式会社", "みなと食品株式会社")


def test_the_audit_is_clean_after_the_scenario(scenario):
    result = admin("audit_ledger", {})
    assert result["ok"], result["problems"]
    assert result["transactions"] == 7
