"""Compliance through the app on moto: phases over HTTP, allocation through the registry's
issuance (the marker in the same TransactWriteItems), allocation proposed (four eyes) and two approvals racing,
the true-up with a subsidy to return, the phase report as JSON and CSV, overdue reports.

The reviewed figures are the emissions system's own: accepted reports written with the
reports' ``seed_reviewed_reports`` and read through ``EmissionsService.reviewed_emissions``
and ``report_states``. The notice board's settled deals come from branch ``matching``;
until it merges, the container's ``compliance_trades`` is replaced here by the other side
of the port holding the deals this test sets (``tests.unit.fakes.compliance``).
"""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime

import pytest

from chalicelib import container
from chalicelib.admin import FUNCTIONS
from chalicelib.compliance.adapters import LedgerBridge
from chalicelib.core.clock import JST, now_jst
from devtools.approvals import approve
from devtools.demo_reports import seed_reviewed_reports
from tests.conftest import admin, scan_registry
from tests.unit.fakes.compliance import FakeTradeStatistics

#: The phase's commitment year is the current fiscal year (April to March, JST), so today
#: is inside it whenever the test runs.
_TODAY = now_jst().date()
CY = _TODAY.year if _TODAY.month >= 4 else _TODAY.year - 1
PHASE = {
    "id": "p-func", "name": "Functional phase", "name_ja": "機能試験フェーズ", "base_years": [CY - 4, CY - 3, CY - 2],
    "commitment_year": CY, "adjustment_end": f"{CY + 1}-08-31", "trading_period": {"start": f"{CY}-04-01", "end": f"{CY + 1}-08-31"},
    "report_deadlines": [{"fiscal_year": CY - 2, "due": f"{CY - 1}-06-30"}, {"fiscal_year": CY, "due": f"{CY + 1}-06-30"}],
    "participants": [
        {"org_id": "kanto-steel", "kind": "target_subsidised", "committed_reduction_t": 100, "subsidy_yen": 30_000_000},
        {"org_id": "minato-foods", "kind": "target", "committed_reduction_t": 60},
        {"org_id": "aozora-trading", "kind": "trading"},
    ],
}
BASE = {("kanto-steel", CY - 4): 1000, ("kanto-steel", CY - 3): 1001, ("kanto-steel", CY - 2): 1003,
        ("minato-foods", CY - 4): 500, ("minato-foods", CY - 3): 520, ("minato-foods", CY - 2): 541}


def accept(figures):
    """Accepted calculation reports at these figures ({(org, fiscal year): t-CO2})."""
    seed_reviewed_reports(None, [(org, year, t) for (org, year), t in figures.items()])


@pytest.fixture(scope="module")
def sides(demo):
    """Minato Foods' middle base year is not reviewed yet; the notice board's side of the port."""
    accept({key: value for key, value in BASE.items() if key != ("minato-foods", CY - 3)})
    trades = FakeTradeStatistics()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container, "compliance_trades", lambda: trades)
        yield trades


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(demo[name]) for name in ("admin", "kanto", "minato", "aozora", "verifier")}


@pytest.fixture(scope="module")
def phase(sides, demo):
    admin("set_market", {"action": "force_open", "reason": "compliance"})
    return admin("define_phase", PHASE)["phase"]


def _balance(api, tokens, demo, user):
    status, body = api.call("GET", f"/accounts/{demo[user]['accounts'][0]}/balance", token=tokens[user])
    assert status == 200, body
    return body["balance"]


def test_a_phase_is_defined_once(phase, sides):
    assert (phase["target_participants"], phase["trading_participants"], phase["state"]) == (2, 1, "commitment_year")
    assert FUNCTIONS["define_phase"](PHASE, None)["created"] is False
    changed = FUNCTIONS["define_phase"]({**PHASE, "name": "Another"}, None)
    assert changed["error"]["code"] == "PHASE_EXISTS"
    wrong_kind = FUNCTIONS["define_phase"]({**PHASE, "id": "p-wrong", "participants": [
        {"org_id": "kanto-steel", "kind": "target", "committed_reduction_t": 5}]}, None)
    assert wrong_kind["error"]["code"] == "INVALID_PHASE" and wrong_kind["error"]["message_ja"]


def test_participants_see_their_own_row_administrators_all_verifiers_none(api, tokens, phase):
    seen = {}
    for user in ("admin", "kanto", "minato", "aozora", "verifier"):
        status, body = api.call("GET", "/phases/p-func", token=tokens[user])
        assert status == 200, body
        seen[user] = [p["org_id"] for p in body["participants"]]
    assert seen == {"admin": ["kanto-steel", "minato-foods", "aozora-trading"], "kanto": ["kanto-steel"],
                    "minato": ["minato-foods"], "aozora": ["aozora-trading"], "verifier": []}
    status, body = api.call("GET", "/phases", token=tokens["kanto"])
    assert status == 200 and [p["id"] for p in body["phases"]] == ["p-func"]
    assert body["phases"][0]["participants"][0]["subsidy_yen"] == 30_000_000
    status, body = api.call("GET", "/phases/p-none", token=tokens["admin"])
    assert (status, body["error"]["code"]) == (404, "PHASE_NOT_FOUND")


def test_allocation_is_refused_while_a_base_year_is_not_reviewed_and_writes_nothing(phase, sides, local_aws):
    before = scan_registry(local_aws)
    refused = FUNCTIONS["allocate_phase"]({"phase_id": "p-func"}, None)["error"]
    assert refused["code"] == "BASE_YEARS_NOT_REVIEWED" and refused["message_ja"]
    assert refused["details"] == [{"org_id": "minato-foods", "fiscal_year": CY - 3}]
    assert scan_registry(local_aws) == before
    accept({("minato-foods", CY - 3): BASE[("minato-foods", CY - 3)]})


def _approve_all(proposed):
    """Approve each allocation proposal as the second administrator (four eyes)."""
    issued = []
    for proposal in proposed["proposals"]:
        approved = approve(proposal["id"])
        assert "error" not in approved, approved
        issued.extend(approved["result"]["issued"])
    return issued


def test_allocation_is_proposed_then_issued_once_on_approval_and_a_rerun_says_so(api, tokens, demo, phase, local_aws):
    start = _balance(api, tokens, demo, "kanto")
    proposed = admin("allocate_phase", {"phase_id": "p-func"})
    assert [(p["kind"], p["status"], p["payload"]["org_id"], p["payload"]["assigned_t"]) for p in proposed["proposals"]] == [
        ("allocation", "proposed", "kanto-steel", 901), ("allocation", "proposed", "minato-foods", 460)]
    assert _balance(api, tokens, demo, "kanto") == start  # a console function only proposes
    own = approve(proposed["proposals"][0]["id"], approver="administrator")
    assert own["error"]["code"] == "OWN_PROPOSAL"
    issued = _approve_all(proposed)
    assert [(r["org_id"], r["base_year_emissions_t"], r["assigned_t"]) for r in issued] == [
        ("kanto-steel", 1001, 901), ("minato-foods", 520, 460)]
    assert _balance(api, tokens, demo, "kanto") == 901 and _balance(api, tokens, demo, "minato") == 460
    status, issuance = api.call("GET", f"/transactions/{issued[0]['transaction_id']}", token=tokens["kanto"])
    assert status == 200 and issuance["type"] == "issuance" and issuance["amount"] == 901
    before = scan_registry(local_aws)
    again = admin("allocate_phase", {"phase_id": "p-func"})
    assert again["proposals"] == [] and again["already_allocated"] == ["kanto-steel", "minato-foods"]
    assert "Nothing new was issued" in again["message"] and again["message_ja"]
    assert approve(proposed["proposals"][0]["id"])["error"]["code"]  # an approved proposal does not run twice
    assert scan_registry(local_aws) == before
    assert admin("audit_ledger", {})["ok"]


def test_two_approvals_of_one_allocation_racing_issue_once(api, tokens, demo, phase, sides, monkeypatch):
    admin("define_phase", {**PHASE, "id": "p-race", "participants": PHASE["participants"][:1]})
    before = _balance(api, tokens, demo, "kanto")
    runs_of_propose = [FUNCTIONS["allocate_phase"]({"phase_id": "p-race"}, None) for _ in range(2)]
    assert runs_of_propose[0]["proposals"] == runs_of_propose[1]["proposals"]  # the rerun proposes nothing new
    (proposal,) = runs_of_propose[0]["proposals"]
    barrier = threading.Barrier(2, timeout=30)
    real_issue = LedgerBridge.issue

    def issue_together(self, request, linked):
        barrier.wait()  # both approvals have read "proposed, not allocated"; now both write
        return real_issue(self, request, linked)

    monkeypatch.setattr(LedgerBridge, "issue", issue_together)
    results: list[dict] = []
    runs = [threading.Thread(target=lambda: results.append(approve(proposal["id"]))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(60)
    assert len(results) == 2, results
    assert sorted("error" in r for r in results) == [False, True], results
    (won,) = [r for r in results if "error" not in r]
    assert won["proposal"]["status"] == "approved" and len(won["result"]["issued"]) == 1
    assert _balance(api, tokens, demo, "kanto") == before + 901
    assert admin("audit_ledger", {})["ok"]


def test_a_rejected_allocation_is_proposed_again_by_the_next_run(api, tokens, demo, phase, sides, local_aws):
    from chalicelib.registry.proposals import DecideCommand

    admin("define_phase", {**PHASE, "id": "p-again", "participants": PHASE["participants"][:1]})
    before = _balance(api, tokens, demo, "kanto")
    (first,) = admin("allocate_phase", {"phase_id": "p-again"})["proposals"]
    rejected = container.proposals().reject(DecideCommand(first["id"], "admin2", mfa=True, reason="Wrong phase"))
    assert rejected.proposal["status"] == "rejected"
    (second,) = admin("allocate_phase", {"phase_id": "p-again"})["proposals"]  # proposed again, not the rejected one replayed
    assert (second["id"] != first["id"], second["status"], second["payload"]) == (True, "proposed", first["payload"])
    assert admin("allocate_phase", {"phase_id": "p-again"})["proposals"] == [second]  # a rerun answers the pending one
    assert container.proposals().get(first["id"])["status"] == "rejected"  # every step kept
    approved = approve(second["id"])
    assert approved["proposal"]["status"] == "approved" and approved["result"]["issued"][0]["assigned_t"] == 901
    assert _balance(api, tokens, demo, "kanto") == before + 901
    assert admin("allocate_phase", {"phase_id": "p-again"})["already_allocated"] == ["kanto-steel"]


def _retire(api, tokens, demo, user, amount, period="01"):
    body = {"account": demo[user]["accounts"][0], "compliance_period": period, "lines": [{"unit_type": "JPA", "amount": amount}]}
    status, answer = api.call("POST", "/retirements", body, token=tokens[user], headers={"Idempotency-Key": f"c-{uuid.uuid4()}"})
    assert status == 201, answer


def test_true_up_after_the_adjustment_period_and_a_rerun_changes_nothing(api, tokens, demo, phase, sides, local_aws, monkeypatch):
    _retire(api, tokens, demo, "kanto", 900)
    _retire(api, tokens, demo, "minato", 460)
    accept({("kanto-steel", CY): 950, ("minato-foods", CY): 455})
    assert FUNCTIONS["true_up"]({"phase_id": "p-func"}, None)["error"]["code"] == "TRUE_UP_TOO_EARLY"
    real = container.compliance

    def after_the_adjustment_period():
        service = real()
        service.clock = lambda: datetime(CY + 1, 9, 1, 9, tzinfo=JST)
        return service

    monkeypatch.setattr(container, "compliance", after_the_adjustment_period)
    result = admin("true_up", {"phase_id": "p-func"})
    rows = {r["org_id"]: r for r in result["results"]}
    assert (rows["kanto-steel"]["outcome"], rows["kanto-steel"]["retired_t"], rows["kanto-steel"]["shortfall_t"],
            rows["kanto-steel"]["subsidy_to_return_yen"]) == ("non_compliant", 900, 50, 30_000_000)
    assert (rows["minato-foods"]["outcome"], rows["minato-foods"]["retired_t"]) == ("compliant", 460)
    before = scan_registry(local_aws)
    again = admin("true_up", {"phase_id": "p-func"})
    assert again["changed"] == [] and again["results"] == result["results"]
    assert scan_registry(local_aws) == before
    status, own = api.call("GET", "/phases/p-func/true-up", token=tokens["kanto"])
    assert status == 200 and [(r["org_id"], r["outcome"], r["subsidy_to_return_yen"]) for r in own["results"]] == [
        ("kanto-steel", "non_compliant", 30_000_000)]
    status, table = api.call("GET", "/phases/p-func/true-up", token=tokens["admin"])
    assert status == 200 and len(table["results"]) == 2 and table["summary"]["subsidy_to_return_yen"] == 30_000_000
    assert api.call("GET", "/phases/p-func/true-up", token=tokens["aozora"])[1]["error"]["code"] == "PHASE_NOT_FOUND"


def test_the_phase_report_as_json_and_csv(api, tokens, phase, sides):
    trades = sides
    trades.deals[:] = [(date(CY, 6, 1), 100, 1200), (date(CY + 1, 1, 5), 30, 1300), (date(CY + 1, 9, 1), 99, 5000)]
    status, body = api.call("GET", "/phases/p-func/report", token=tokens["admin"])
    assert status == 200, body
    assert (body["base_year_emissions_t"], body["achieved_reduction_t"], body["achieved_percent"], body["committed_reduction_t"],
            body["committed_percent"], body["transactions"], body["traded_volume_t"], body["average_price_yen"]) == (
        1521, 116, 8, 160, 11, 2, 130, 1223)
    response = api.client.http.get("/phases/p-func/report?format=csv", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.body.decode().splitlines()[1] == "p-func,2,1,1521,116,8,160,11,2,130,1223"
    assert admin("phase_report", {"phase_id": "p-func", "format": "csv"})["csv"] == response.body.decode()
    status, refused = api.call("GET", "/phases/p-func/report?format=xml", token=tokens["admin"])
    assert (status, refused["error"]["code"]) == (400, "INVALID_FORMAT")


def test_overdue_reports_for_administrators(api, tokens, phase, sides):
    admin("create_organisation", {"org_id": "late-paper", "name": "Late Paper Co., Ltd.", "name_ja": "遅延製紙株式会社", "kind": "target"})
    admin("define_phase", {**PHASE, "id": "p-late", "participants": [
        {"org_id": "kanto-steel", "kind": "target_subsidised", "committed_reduction_t": 100, "subsidy_yen": 30_000_000},
        {"org_id": "late-paper", "kind": "target", "committed_reduction_t": 10}]})
    status, body = api.call("GET", "/phases/p-late/overdue", token=tokens["admin"])
    assert status == 200, body
    # Kanto Steelworks' accepted report of FY CY-2 was submitted in time; Late Paper has none; FY CY is not due yet.
    assert [(r["org_id"], r["fiscal_year"], r["status"], r["kind"]) for r in body["overdue"]] == [
        ("late-paper", CY - 2, "not_started", "overdue")]
    assert body["late"] == []
    assert admin("overdue_reports", {"phase_id": "p-late"}) == body
