"""Four eyes: one administrator proposes, another approves, and only the approval moves
anything, once, in the transaction that marks the proposal approved.

Through the app (``chalice.test``) on the moto server, with the demo's two
administrators signed in with TOTP; the racing approvals run the approval use case from
threads (the end-to-end race over HTTP is in tests/e2e/test_proposals_race.py).
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from chalicelib import container
from chalicelib.admin import FUNCTIONS
from chalicelib.core.clock import now_jst
from chalicelib.registry.domain.control_errors import ApprovalNeedsMfa
from chalicelib.registry.proposals import DecideCommand, Proposals, ProposeCommand
from devtools.approvals import approve
from tests.conftest import admin, executed, scan_registry


@pytest.fixture(scope="module")
def world(api, demo):
    admin("set_market", {"action": "force_open", "reason": "proposals"})
    tokens = {name: api.login(demo[name]) for name in ("admin", "admin2", "kanto", "aozora")}
    return {"tokens": tokens, "kanto": demo["kanto"]["accounts"][0], "aozora": demo["aozora"]["accounts"][0],
            "minato": demo["minato"]["accounts"][0]}


def _issue(account: str, amount: int = 10) -> dict:
    return {"account": account, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": amount}


def _propose(api, world, kind, payload, by="admin", reason="tests"):
    return api.call("POST", "/proposals", {"kind": kind, "payload": payload, "reason": reason}, token=world["tokens"][by],
                    headers={"Idempotency-Key": f"prop-{uuid.uuid4()}"})


def _balance(api, world, account, as_="admin"):
    return api.call("GET", f"/accounts/{account}/balance", token=world["tokens"][as_])[1]["balance"]


def _without_proposals(items):
    return [item for item in items if item["pk"]["S"] != "PROPOSALS"]


def test_the_proposer_cannot_approve_and_only_the_other_administrators_approval_executes(api, world):
    before = _balance(api, world, world["kanto"])
    status, body = _propose(api, world, "issuance", _issue(world["kanto"], 25), reason="FY allocation")
    assert status == 201, body
    proposal = body["proposal"]
    assert (proposal["status"], proposal["proposed_by"], proposal["channel"]) == ("proposed", "admin", "api")
    assert _balance(api, world, world["kanto"]) == before  # proposing moves nothing

    status, refused = api.call("POST", f"/proposals/{proposal['id']}/approve", {}, token=world["tokens"]["admin"])
    assert (status, refused["error"]["code"]) == (403, "OWN_PROPOSAL")
    assert refused["error"]["message_ja"]
    status, refused = api.call("POST", f"/proposals/{proposal['id']}/reject", {"reason": "mine"}, token=world["tokens"]["admin"])
    assert (status, refused["error"]["code"]) == (403, "OWN_PROPOSAL")
    assert _balance(api, world, world["kanto"]) == before

    status, approved = api.call("POST", f"/proposals/{proposal['id']}/approve", {"reason": "checked"}, token=world["tokens"]["admin2"])
    assert status == 200, approved
    transaction = approved["result"]["transaction"]
    assert (transaction["type"], transaction["amount"], transaction["initiated_by"]) == ("issuance", 25, "admin")
    assert approved["proposal"]["status"] == "approved"
    assert approved["proposal"]["transaction_id"] == transaction["id"]
    assert [(s["action"], s["by"], s["reason"]) for s in approved["proposal"]["steps"]] == [
        ("proposed", "admin", "FY allocation"), ("approved", "admin2", "checked")]
    assert _balance(api, world, world["kanto"]) == before + 25

    again = api.call("POST", f"/proposals/{proposal['id']}/approve", {}, token=world["tokens"]["admin2"])
    assert (again[0], again[1]["error"]["code"]) == (409, "PROPOSAL_NOT_PENDING")
    assert _balance(api, world, world["kanto"]) == before + 25


def test_a_console_function_only_proposes(api, world, local_aws):
    before = scan_registry(local_aws)
    result = FUNCTIONS["issue_units"]({**_issue(world["aozora"], 7), "reason": "console", "requested_by": "admin"}, None)
    assert result["proposal"]["status"] == "proposed" and result["proposal"]["channel"] == "console"
    assert "transaction" not in result
    assert _without_proposals(scan_registry(local_aws)) == _without_proposals(before)


def test_a_rejected_proposal_executes_nothing(api, world, local_aws):
    status, body = _propose(api, world, "issuance", _issue(world["kanto"], 13))
    proposal_id = body["proposal"]["id"]
    before = _without_proposals(scan_registry(local_aws))
    assert api.call("POST", f"/proposals/{proposal_id}/reject", {}, token=world["tokens"]["admin2"])[1]["error"]["code"] == "VALIDATION_ERROR"
    status, rejected = api.call("POST", f"/proposals/{proposal_id}/reject", {"reason": "wrong amount"}, token=world["tokens"]["admin2"])
    assert (status, rejected["proposal"]["status"], rejected["proposal"]["decided_by"]) == (200, "rejected", "admin2")
    assert rejected["proposal"]["steps"][-1] == {"action": "rejected", "by": "admin2", "at": rejected["proposal"]["decided_at"],
                                                  "reason": "wrong amount", "code": None}
    approved = api.call("POST", f"/proposals/{proposal_id}/approve", {}, token=world["tokens"]["admin2"])
    assert (approved[0], approved[1]["error"]["code"]) == (409, "PROPOSAL_NOT_PENDING")
    assert approved[1]["error"]["details"][0]["status"] == "rejected"
    assert _without_proposals(scan_registry(local_aws)) == before


def test_an_expired_proposal_executes_nothing_and_the_schedule_marks_it(api, world, local_aws):
    lapsed = Proposals(container.proposal_store(), container.control_settings(), clock=lambda: now_jst() - timedelta(days=4),
                       executors=container.proposals().executors)
    proposal = lapsed.propose(ProposeCommand("issuance", _issue(world["kanto"], 11), "old", "admin", "api", f"old-{uuid.uuid4()}")).proposal
    assert api.call("GET", f"/proposals/{proposal['id']}", token=world["tokens"]["admin2"])[1]["proposal"]["status"] == "expired"
    before = _without_proposals(scan_registry(local_aws))
    status, refused = api.call("POST", f"/proposals/{proposal['id']}/approve", {}, token=world["tokens"]["admin2"])
    assert (status, refused["error"]["code"]) == (409, "PROPOSAL_EXPIRED")
    assert _without_proposals(scan_registry(local_aws)) == before
    assert container.proposals().expire_due()["expired"] >= 1
    stored = container.proposal_store().get(proposal["id"])
    assert (stored.status.value, stored.decided_by, stored.steps[-1].action) == ("expired", "scheduler", "expired")
    assert container.proposals().expire_due()["expired"] == 0  # once


def test_an_approval_that_no_longer_fits_fails_with_the_ledgers_code_and_leaves_the_proposal_open(api, world, local_aws):
    executed("issue_units", {**_issue(world["kanto"], 40), "reason": "to send"})
    sent = api.call("POST", "/transfers", {"from_account": world["kanto"], "to_account": world["aozora"],
                                           "lines": [{"unit_type": "JPA", "amount": 3}]},
                    token=world["tokens"]["kanto"], headers={"Idempotency-Key": f"fit-{uuid.uuid4()}"})[1]["transaction"]
    status, body = _propose(api, world, "correction", {"transaction_id": sent["id"]}, reason="sent by mistake")
    assert status == 201, body
    # Meanwhile the receiver moves the units on.
    moved = api.call("POST", "/transfers", {"from_account": world["aozora"], "to_account": world["minato"],
                                            "lines": [{"unit_type": "JPA", "amount": 3}]},
                     token=world["tokens"]["aozora"], headers={"Idempotency-Key": f"fit-{uuid.uuid4()}"})
    assert moved[0] == 201, moved
    before = _without_proposals(scan_registry(local_aws))
    status, refused = api.call("POST", f"/proposals/{body['proposal']['id']}/approve", {}, token=world["tokens"]["admin2"])
    assert (status, refused["error"]["code"]) == (409, "UNITS_NO_LONGER_HELD")
    assert _without_proposals(scan_registry(local_aws)) == before  # nothing half done
    proposal = api.call("GET", f"/proposals/{body['proposal']['id']}", token=world["tokens"]["admin2"])[1]["proposal"]
    assert proposal["status"] == "proposed"
    assert (proposal["steps"][-1]["action"], proposal["steps"][-1]["code"], proposal["steps"][-1]["by"]) == (
        "attempt_failed", "UNITS_NO_LONGER_HELD", "admin2")


def test_two_approvals_at_once_execute_once(api, world):
    before = _balance(api, world, world["minato"])
    proposals = [_propose(api, world, "issuance", _issue(world["minato"], 5))[1]["proposal"]["id"] for _ in range(4)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def decide(proposal_id: str, approver: str, start: threading.Barrier) -> None:
        start.wait()
        answer = approve(proposal_id, approver)
        with lock:
            outcomes.append("approved" if "error" not in answer else answer["error"]["code"])

    for proposal_id in proposals:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=decide, args=(proposal_id, who, start)) for who in ("admin2", "admin3")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes.count("approved") == len(proposals), outcomes
    assert set(outcomes) <= {"approved", "PROPOSAL_NOT_PENDING"}
    assert _balance(api, world, world["minato"]) == before + 5 * len(proposals)


def test_reserve_and_halt_and_resume_go_through_proposals(api, world):
    status, body = _propose(api, world, "commitment_reserve", {"account": world["aozora"], "commitment_reserve": 2})
    assert status == 201, body
    assert api.call("GET", f"/accounts/{world['aozora']}", token=world["tokens"]["aozora"])[1]["commitment_reserve"] != 2
    status, approved = api.call("POST", f"/proposals/{body['proposal']['id']}/approve", {}, token=world["tokens"]["admin2"])
    assert (status, approved["result"]["commitment_reserve"]) == (200, 2)
    assert api.call("GET", f"/accounts/{world['aozora']}", token=world["tokens"]["aozora"])[1]["commitment_reserve"] == 2
    executed("set_commitment_reserve", {"account": world["aozora"], "commitment_reserve": 0})

    halt = _propose(api, world, "market", {"action": "halt"}, reason="Registry maintenance")[1]["proposal"]
    assert api.call("GET", "/market")[1]["status"] != "halted"
    assert api.call("POST", f"/proposals/{halt['id']}/approve", {}, token=world["tokens"]["admin2"])[0] == 200
    market = api.call("GET", "/market")[1]
    assert (market["status"], market["reason"]) == ("halted", "Registry maintenance")
    try:
        # The console cannot lift a halt by forcing the window: only an approved resume can.
        refused = FUNCTIONS["set_market"]({"action": "force_open", "reason": "sneaky"}, None)
        assert refused["error"]["code"] == "MARKET_HALTED"
        assert api.call("GET", "/market")[1]["status"] == "halted"
    finally:
        executed("set_market", {"action": "resume"})
        admin("set_market", {"action": "force_open", "reason": "proposals"})
    assert api.call("GET", "/market")[1]["status"] == "open"


@pytest.mark.parametrize(("kind", "payload", "status", "code", "field"), [
    ("allocation_of_nothing", {}, 422, "UNKNOWN_PROPOSAL_KIND", "kind"),
    ("issuance", {"account": "JP-120-1-0-56", "unit_type": "JPA"}, 400, "VALIDATION_ERROR", "payload.issued_period"),
    ("issuance", {"account": "JP-121-1053-0-26", "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 1},
     400, "INVALID_ACCOUNT_NUMBER", "payload.account"),
    ("correction", {"transaction_id": "TX000000000000000000"}, 404, "TRANSACTION_NOT_FOUND", "payload.transaction_id"),
    ("market", {"action": "force_open"}, 400, "VALIDATION_ERROR", "payload.action"),
])
def test_a_bad_proposal_is_refused_and_writes_nothing(api, world, local_aws, kind, payload, status, code, field):
    before = scan_registry(local_aws)
    answer = _propose(api, world, kind, payload)
    assert (answer[0], answer[1]["error"]["code"], answer[1]["error"].get("field")) == (status, code, field), answer
    assert scan_registry(local_aws) == before


def test_participants_see_nothing_of_proposals(api, world):
    proposal = _propose(api, world, "issuance", _issue(world["kanto"], 1))[1]["proposal"]
    for method, path, body in (("GET", "/proposals", None), ("GET", f"/proposals/{proposal['id']}", None),
                               ("POST", f"/proposals/{proposal['id']}/approve", {}),
                               ("POST", f"/proposals/{proposal['id']}/reject", {"reason": "x"}),
                               ("POST", "/proposals", {"kind": "issuance", "payload": _issue(world["kanto"]), "reason": "x"})):
        status, answer = api.call(method, path, body, token=world["tokens"]["kanto"], headers={"Idempotency-Key": f"p-{uuid.uuid4()}"})
        assert (status, answer["error"]["code"]) == (403, "FORBIDDEN"), (method, path, answer)
        assert proposal["id"] not in str(answer)


def test_administrators_list_pending_proposals_and_an_approval_needs_an_mfa_session(api, world):
    proposal = _propose(api, world, "issuance", _issue(world["kanto"], 2))[1]["proposal"]
    listed = api.call("GET", "/proposals?status=proposed", token=world["tokens"]["admin2"])[1]
    assert proposal["id"] in [item["id"] for item in listed["items"]]
    assert {"issuance", "correction", "commitment_reserve", "market"} <= set(listed["kinds"])
    assert all(item["status"] == "proposed" for item in listed["items"])
    with pytest.raises(ApprovalNeedsMfa):
        container.proposals().approve(DecideCommand(proposal["id"], "admin2", mfa=False))
    assert container.proposal_store().get(proposal["id"]).status.value == "proposed"


def test_the_same_proposal_request_replays_and_a_different_one_with_the_key_is_refused(api, world):
    key = f"same-{uuid.uuid4()}"
    body = {"kind": "issuance", "payload": _issue(world["kanto"], 3), "reason": "replay"}
    first = api.call("POST", "/proposals", body, token=world["tokens"]["admin"], headers={"Idempotency-Key": key})
    second = api.call("POST", "/proposals", body, token=world["tokens"]["admin"], headers={"Idempotency-Key": key})
    assert first[0] == second[0] == 201 and first[1]["proposal"]["id"] == second[1]["proposal"]["id"]
    other = api.call("POST", "/proposals", {**body, "reason": "other"}, token=world["tokens"]["admin"], headers={"Idempotency-Key": key})
    assert (other[0], other[1]["error"]["code"]) == (409, "IDEMPOTENCY_MISMATCH")


def test_the_audit_is_clean_after_every_proposal(world):
    result = admin("audit_ledger", {})
    assert result["ok"], result["problems"]
