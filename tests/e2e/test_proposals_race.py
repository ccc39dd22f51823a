"""Racing approvals against the running local stack: for each of several proposals made
from the console, the demo's two administrators (neither of them the proposer) approve
at the same instant over HTTP, each signed in with TOTP. Each proposal executes exactly
once: one approval answers 200 with the transaction, the other 409
PROPOSAL_NOT_PENDING; the balance grows by the proposals' total; the audit is clean.
"""

from __future__ import annotations

import threading

import pytest
import requests

from devtools.running import RunningStack

pytestmark = pytest.mark.e2e
PROPOSALS, AMOUNT = 6, 7


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("approvals")).start()
    yield running
    running.stop()


def test_two_approvals_at_once_execute_each_proposal_once(stack):
    api = stack.info["api_url"]
    account = stack.user("minato")["accounts"][0]
    tokens = {name: stack.login(name) for name in ("admin", "admin2")}
    participant = stack.login("minato")

    def balance() -> int:
        return requests.get(f"{api}/accounts/{account}/balance", headers={"Authorization": f"Bearer {participant}"},
                            timeout=30).json()["balance"]

    before = balance()
    proposals = [stack.admin("issue_units", {"account": account, "unit_type": "JPA", "issued_period": "02", "adopted_period": "02",
                                             "amount": AMOUNT, "reason": f"race {n}", "requested_by": "console-operator",
                                             "idempotency_key": f"approval-race-{n}"})["proposal"]["id"] for n in range(PROPOSALS)]
    answers: dict[str, list[tuple[int, str | None, str | None]]] = {proposal: [] for proposal in proposals}
    lock = threading.Lock()

    def approve(proposal: str, who: str, start: threading.Barrier) -> None:
        start.wait()
        response = requests.post(f"{api}/proposals/{proposal}/approve", json={"reason": f"{who} approves"}, timeout=60,
                                 headers={"Authorization": f"Bearer {tokens[who]}"})
        body = response.json()
        with lock:
            answers[proposal].append((response.status_code, body.get("error", {}).get("code"),
                                      (body.get("result") or {}).get("transaction", {}).get("id")))

    for proposal in proposals:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=approve, args=(proposal, who, start)) for who in ("admin", "admin2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for proposal, results in answers.items():
        statuses = sorted(status for status, _, _ in results)
        assert statuses == [200, 409], results
        assert [code for status, code, _ in results if status == 409] == ["PROPOSAL_NOT_PENDING"]
        shown = requests.get(f"{api}/proposals/{proposal}", headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=30).json()
        executed = next(tx for status, _, tx in results if status == 200)
        assert shown["proposal"]["status"] == "approved" and shown["proposal"]["transaction_id"] == executed
    assert balance() == before + PROPOSALS * AMOUNT
    audit = stack.admin("audit_ledger", {})
    assert audit["ok"], audit["problems"]
