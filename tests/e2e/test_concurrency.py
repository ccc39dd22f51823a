"""Racing transfers out of one account against the running local stack.

16 threads send 1-tonne transfers out of an account whose transferable amount is 50
(60 held, reserve 10), 96 requests in all, each sent twice with the same
Idempotency-Key and retried on 503. Exactly 50 complete; every other request is
refused by rule; nothing is lost or created; the audit is clean.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter

import pytest
import requests

from devtools.running import RunningStack

pytestmark = pytest.mark.e2e
THREADS, PER_THREAD, HELD, RESERVE = 16, 6, 60, 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("race")).start()
    yield running
    running.stop()


def _send(url, token, body, key):
    """Send until a definitive answer: 201 or a refusal by rule (never give up on 503)."""
    for attempt in range(50):
        response = requests.post(url, json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}, timeout=60)
        if response.status_code != 503:
            return response
        time.sleep(min(1.0, 0.05 * 2 ** min(attempt, 5)) * random.random())
    raise AssertionError("no definitive answer after 50 attempts")


def test_racing_transfers_complete_exactly_what_the_balance_allows(stack):
    api = stack.info["api_url"]
    # Aozora's demo account: it holds nothing after the demo's correction and trusts both
    # receivers (a new account would trust nobody yet, and its transfers would be held).
    sender = stack.user("aozora")["accounts"][0]
    token = stack.login("aozora")
    held = requests.get(f"{api}/accounts/{sender}/balance", headers={"Authorization": token}, timeout=30).json()["balance"]
    assert held == 0, "the race needs the demo's empty Aozora account"
    for part in range(3):
        stack.approved("issue_units", {"account": sender, "unit_type": "JPA", "issued_period": "03", "adopted_period": "03",
                                    "amount": HELD // 3, "reason": f"race {part}", "idempotency_key": f"race-issue-{part}"})
    stack.approved("set_commitment_reserve", {"account": sender, "commitment_reserve": RESERVE})
    stack.admin("set_market", {"action": "force_open", "reason": "concurrency test"})
    receivers = [stack.user("kanto")["accounts"][0], stack.user("minato")["accounts"][0]]
    before = {n: requests.get(f"{api}/accounts/{n}/balance", headers={"Authorization": stack.login(u)}, timeout=30).json()["balance"]
              for n, u in zip(receivers, ["kanto", "minato"], strict=True)}

    outcomes: list[tuple[str, int, str, str]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for n in range(PER_THREAD):
            key = f"race-{index}-{n}-{uuid.uuid4()}"
            body = {"from_account": sender, "to_account": receivers[(index + n) % 2], "lines": [{"unit_type": "JPA", "amount": 1}]}
            first = _send(f"{api}/transfers", token, body, key)
            second = _send(f"{api}/transfers", token, body, key)
            for response in (first, second):
                payload = response.json()
                code = payload["transaction"]["id"] if response.status_code == 201 else payload["error"]["code"]
                with lock:
                    outcomes.append((key, response.status_code, code, body["to_account"]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    by_key: dict[str, set[tuple[int, str]]] = {}
    for key, status, code, _ in outcomes:
        by_key.setdefault(key, set()).add((status, code))
    completed = {key: next(iter(answers)) for key, answers in by_key.items() if any(s == 201 for s, _ in answers)}
    # A key that completed returned the same transaction both times.
    assert all(len(answers) == 1 for key, answers in by_key.items() if key in completed)
    assert len(completed) == HELD - RESERVE
    refusals = Counter(code for key, status, code, _ in outcomes if key not in completed)
    assert set(refusals) <= {"RESERVE_BREACH", "INSUFFICIENT_UNITS"}, refusals
    assert len({tx for _, tx in completed.values()}) == HELD - RESERVE

    balance = requests.get(f"{api}/accounts/{sender}/balance", headers={"Authorization": token}, timeout=30).json()
    assert (balance["balance"], balance["transferable"]) == (RESERVE, 0)
    received = Counter(to for key, status, code, to in outcomes if key in completed and status == 201)
    for number, user in zip(receivers, ["kanto", "minato"], strict=True):
        after = requests.get(f"{api}/accounts/{number}/balance", headers={"Authorization": stack.login(user)}, timeout=30).json()["balance"]
        assert after - before[number] == received[number] // 2  # each completed key answered twice
    audit = stack.admin("audit_ledger", {})
    assert audit["ok"], audit["problems"]


def test_a_short_soak_moves_every_unit_it_reports_and_keeps_the_audit_clean():
    """The soak of `make soak` (2,000 transfers), cut to 40 from 4 clients for the suite."""
    from devtools import soak

    result = soak.run(40, 4)
    assert result["balances_match"] and result["audit_ok"], result
    assert not any(name.startswith("server error") for name in result["outcomes"])
    assert sum(count for name, count in result["outcomes"].items() if name.startswith(("completed", "refused"))) == 40
