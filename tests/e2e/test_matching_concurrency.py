"""The notice board's races against the running local stack (``make run``).

16 buyers, each holding the seller's proposal of 5 t, confirm at once against a listing
with 40 t open: exactly eight deals are confirmed, the open quantity ends at exactly zero,
every other confirmation is refused by rule. Then two settlements of one deal at once
(different Idempotency-Keys): one transfer moves the units, the other is refused; the
deal is settled once and the ledger's audit is clean.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from devtools.running import RunningStack
from tests.conftest import trusted

pytestmark = pytest.mark.e2e
BUYERS, LOT, OPEN = 16, 5, 40


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("matching-race")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin(stack):
    """The administrator functions run in this process against the stack's emulation (as
    ``python -m chalicelib.admin`` does, without a process per call)."""
    import os

    from chalicelib.admin import FUNCTIONS
    from devtools.stack import use_environment

    saved = dict(os.environ)
    use_environment(stack.info["environment"])

    def call(name, event):
        result = FUNCTIONS[name](event, None)
        assert "error" not in result, result
        return result

    yield call
    os.environ.clear()
    os.environ.update(saved)
    from chalicelib import container

    container.reset()


def _call(api, token, method, path, body=None, key=None):
    """Until a definitive answer: ``chalice local`` may drop a connection under a burst,
    and a 503 asks for a retry (every step here is safe to send again: a confirmation
    of a confirmed deal is refused by state, a transfer is replayed by its key)."""
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    for attempt in range(20):
        try:
            response = requests.request(method, f"{api}{path}", json=body, headers=headers, timeout=60)
        except requests.ConnectionError:
            time.sleep(0.05 * (attempt + 1))
            continue
        if response.status_code != 503:
            return response.status_code, response.json()
        time.sleep(0.05 * (attempt + 1))
    raise AssertionError(f"no definitive answer for {method} {path}")


def _buyer(stack, admin, index):
    org, username, password = f"race-buyer-{index:02d}", f"racebuyer{index:02d}", f"Race-Buyer-2026-{index:02d}!"
    admin("create_organisation", {"org_id": org, "name": f"Race Buyer {index}", "name_ja": f"競合買い手{index}", "kind": "trading"})
    account = admin("open_account", {"org_id": org, "type": 121})["number"]
    admin("create_user", {"username": username, "password": password, "role": "participant", "org_id": org,
                                "email": f"{username}@example.jp"})
    response = requests.post(f"{stack.info['api_url']}/auth/login", json={"username": username, "password": password}, timeout=30)
    response.raise_for_status()
    return {"org": org, "account": account, "token": response.json()["id_token"]}


def test_racing_confirmations_and_settlements(stack, admin):
    api = stack.info["api_url"]
    admin("set_market", {"action": "force_open", "reason": "notice board race"})
    seller = stack.login("kanto")
    status, listing = _call(api, seller, "POST", "/listings", {
        "side": "sell", "unit_type": "JPA", "period": "01", "quantity": OPEN, "min_lot": LOT, "price_yen": 1200,
        "valid_until": (date.today() + timedelta(days=30)).isoformat()})
    assert status == 201, listing
    buyers = [_buyer(stack, admin, index) for index in range(BUYERS)]
    deals = []
    for buyer in buyers:
        status, thread = _call(api, buyer["token"], "POST", f"/listings/{listing['id']}/inquiries", {"message": "5 t please"})
        assert status == 201, thread
        status, deal = _call(api, seller, "POST", "/deals", {"inquiry_id": thread["id"], "quantity": LOT, "price_yen": 1200})
        assert status == 201, deal
        deals.append((buyer, deal))

    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(BUYERS)

    def confirm(buyer, deal):
        start.wait()
        status, answer = _call(api, buyer["token"], "POST", f"/deals/{deal['id']}/confirm", {"version": deal["version"]})
        with lock:
            outcomes.append((status, answer["status"] if status == 200 else answer["error"]["code"]))

    threads = [threading.Thread(target=confirm, args=pair) for pair in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(outcomes)
    # DEAL_STATE_CONFLICT only answers a confirmation sent again after a dropped connection.
    assert set(counts) <= {(200, "confirmed"), (409, "LISTING_SOLD_OUT"), (409, "LISTING_NOT_OPEN"), (409, "DEAL_STATE_CONFLICT")}, counts
    assert sum(counts.values()) == BUYERS
    states = Counter(_call(api, seller, "GET", f"/deals/{deal['id']}")[1]["status"] for _, deal in deals)
    assert states == {"confirmed": OPEN // LOT, "proposed": BUYERS - OPEN // LOT}, states
    assert counts[(200, "confirmed")] + counts[(409, "DEAL_STATE_CONFLICT")] == OPEN // LOT, counts
    status, final = _call(api, seller, "GET", f"/listings/{listing['id']}")
    assert (final["open_quantity"], final["status"]) == (0, "filled")
    assert listing["id"] not in {item["id"] for item in _call(api, seller, "GET", "/listings?limit=100")[1]["items"]}

    # Two settlements of one deal at once.
    confirmed = [(buyer, deal) for buyer, deal in deals
                 if _call(api, seller, "GET", f"/deals/{deal['id']}")[1]["status"] == "confirmed"]
    buyer, deal = confirmed[0]
    assert _call(api, buyer["token"], "POST", f"/deals/{deal['id']}/paid")[0] == 200
    status, received = _call(api, seller, "POST", f"/deals/{deal['id']}/received")
    assert status == 200 and received["transfer"]["to_account"] == buyer["account"], received
    body = {**{k: v for k, v in received["transfer"].items() if k != "deal_id"}, "deal_id": deal["id"]}
    kanto_account = body["from_account"]
    # The seller trusts the buyer's account (as if added eight days ago, so it counts): a
    # settlement carries the deal's writes and is never held, so an untrusted receiver
    # would be refused RECEIVER_NOT_TRUSTED (tests/functional/test_trusted_receivers.py).
    trusted(kanto_account, buyer["account"], "kanto-steel", "kanto")
    before = _call(api, seller, "GET", f"/accounts/{kanto_account}/balance")[1]["balance"]
    settled: list[tuple[int, str]] = []
    both = threading.Barrier(2)

    def settle(index):
        both.wait()
        status, answer = _call(api, seller, "POST", "/transfers", body, key=f"race-settle-{index}-{uuid.uuid4()}")
        with lock:
            settled.append((status, answer["transaction"]["deal_ref"] if status == 201 else answer["error"]["code"]))

    pair = [threading.Thread(target=settle, args=(i,)) for i in range(2)]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join()
    assert sorted(s for s, _ in settled) == [201, 409], settled
    assert {code for s, code in settled if s == 409} <= {"DEAL_NOT_SETTLEABLE", "LINKED_CONDITION_FAILED"}
    after = _call(api, seller, "GET", f"/accounts/{kanto_account}/balance")[1]["balance"]
    assert before - after == LOT
    assert _call(api, buyer["token"], "GET", f"/deals/{deal['id']}")[1]["status"] == "settled"
    assert _call(api, buyer["token"], "GET", f"/accounts/{buyer['account']}/balance")[1]["balance"] == LOT
    audit = admin("audit_ledger", {})
    assert audit["ok"], audit["problems"]
