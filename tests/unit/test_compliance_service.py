"""Compliance use cases on the in-memory fakes, with the real registry service underneath
(the registry's fake store writes the allocation marker with the issuance, or nothing).

The small phase, computed by hand:
- Kanto Steelworks (target): base years 1,000 / 1,001 / 1,003 t -> 3,004 / 3 = 1,001.33,
  rounded down 1,001 t; committed 100 t -> 901 JPA. FY2026: 880 t; it retires 901 t
  -> compliant.
- Minato Foods (target with a 50,000,000 yen subsidy): 500 / 520 / 541 -> 1,561 / 3 =
  520.33 -> 520 t; committed 60 t -> 460 JPA. FY2026: 470 t; it retires its 460 t
  -> non-compliant, 10 t short, the 50,000,000 yen subsidy to be returned.
- Aozora Trading (trading): nothing allocated, no true-up.
- Report: base 1,521 t; achieved (1,001 - 880) + (520 - 470) = 171 t = 11.24 % -> 11 %;
  committed 160 t = 10.52 % -> 11 %; deals 3, 250 t, 312,500 yen -> 1,250 yen/t.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from chalicelib.compliance.adapters import LedgerBridge
from chalicelib.compliance.domain.errors import (
    BaseYearsNotReviewed,
    InvalidPhase,
    NoOperatorAccount,
    PhaseExists,
    PhaseNotFound,
    TrueUpTooEarly,
)
from chalicelib.compliance.domain.phases import Deadline, Participant, ParticipantKind, Phase
from chalicelib.compliance.service import ComplianceService, report_csv
from chalicelib.core.clock import JST
from tests.unit.fakes.compliance import FakeComplianceStore, FakeReviewedEmissions, FakeTradeStatistics, State
from tests.unit.registry_world import USERS

P = ParticipantKind
PHASE = Phase(
    phase_id="p-test", name="Test phase", name_ja="テストフェーズ", base_years=(2022, 2023, 2024), commitment_year=2026,
    adjustment_end=date(2027, 8, 31), trading_start=date(2026, 4, 1), trading_end=date(2027, 8, 31), compliance_period="01",
    deadlines=(Deadline(2024, date(2025, 6, 30)), Deadline(2026, date(2027, 6, 30))),
    participants=(Participant("kanto-steel", P.TARGET, 100), Participant("minato-foods", P.TARGET_SUBSIDISED, 60, 50_000_000),
                  Participant("aozora-trading", P.TRADING)),
)
BASE = {("kanto-steel", 2022): 1000, ("kanto-steel", 2023): 1001, ("kanto-steel", 2024): 1003,
        ("minato-foods", 2022): 500, ("minato-foods", 2023): 520, ("minato-foods", 2024): 541}


class Today:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=JST)


@pytest.fixture
def setup(world):
    store = FakeComplianceStore(world.memory)
    emissions = FakeReviewedEmissions(dict(BASE))
    trades = FakeTradeStatistics([(date(2026, 5, 1), 100, 1200), (date(2026, 9, 1), 100, 1300), (date(2027, 8, 31), 50, 1250),
                                  (date(2027, 9, 1), 999, 9999)])
    today = Today(date(2026, 4, 1))
    service = ComplianceService(store, registry=LedgerBridge(world.ledger, world.accounts), emissions=emissions, trades=trades,
                                organisations=world.organisations, clock=today)
    service.define_phase(PHASE, "admin")
    return service, store, emissions, trades, today


def test_a_phase_is_defined_once_with_the_organisations_names(setup):
    service, store, *_ = setup
    phase = store.phase("p-test")
    assert [p.name for p in phase.participants] == ["Kanto Steelworks Co., Ltd.", "Minato Foods Co., Ltd.", "Aozora Trading Co., Ltd."]
    assert service.define_phase(PHASE, "admin")["created"] is False
    with pytest.raises(PhaseExists):
        service.define_phase(Phase(**{**PHASE.__dict__, "name": "Another name"}), "admin")


@pytest.mark.parametrize(("change", "reason"), [
    ({"base_years": (2022, 2022, 2024)}, "three different"),
    ({"commitment_year": 2024}, "before the commitment year"),
    ({"adjustment_end": date(2027, 3, 31)}, "adjustment period"),
    ({"trading_end": date(2027, 9, 1)}, "trading period"),
    ({"deadlines": (Deadline(2026, date(2027, 3, 1)),)}, "after that year ends"),
    ({"deadlines": (Deadline(2025, date(2026, 6, 1)),)}, "one report deadline"),
    ({"participants": (Participant("kanto-steel", P.TARGET),)}, "at least 1 t-CO2"),
    ({"participants": (Participant("minato-foods", P.TARGET_SUBSIDISED, 5),)}, "subsidy in yen"),
    ({"participants": (Participant("aozora-trading", P.TRADING, 5),)}, "no reduction commitment"),
    ({"participants": (Participant("kanto-steel", P.TARGET, 5, 100),)}, "only a subsidised target"),
    ({"participants": (Participant("kanto-steel", P.TARGET, 5), Participant("kanto-steel", P.TARGET, 6))}, "takes part once"),
    ({"participants": (Participant("kanto-steel", P.TARGET_SUBSIDISED, 5, 100),)}, "not an organisation of kind"),
    ({"participants": (Participant("nobody", P.TARGET, 5),)}, "not an organisation of kind"),
])
def test_a_broken_definition_is_refused_and_nothing_is_stored(setup, change, reason):
    service, store, *_ = setup
    with pytest.raises(InvalidPhase) as refusal:
        service.define_phase(Phase(**{**PHASE.__dict__, "phase_id": "p-other", **change}), "admin")
    assert reason in refusal.value.message
    assert store.phase("p-other") is None


def test_allocation_issues_the_hand_computed_amounts_once(setup, world):
    service, *_ = setup
    result = service.allocate("p-test", "admin")
    assert [(r["org_id"], r["base_year_emissions_t"], r["assigned_t"]) for r in result["issued"]] == [
        ("kanto-steel", 1001, 901), ("minato-foods", 520, 460)]
    assert world.balance("kanto") == 901 and world.balance("minato") == 460 and world.balance("aozora") == 0
    issuance = world.ledger.transaction(USERS["admin"], result["issued"][0]["transaction_id"])
    assert (issuance["type"], issuance["lines"][0]["issued_period"], issuance["lines"][0]["unit_type"]) == ("issuance", "01", "JPA")
    before = world.units()
    again = service.allocate("p-test", "admin")
    assert again["issued"] == [] and again["already_allocated"] == ["kanto-steel", "minato-foods"]
    assert again["message"].startswith("Nothing new was issued")
    assert world.units() == before


def test_two_allocations_racing_issue_once(setup, world):
    service, *_ = setup
    second: list[dict] = []
    # The second run happens entirely while the first is writing its first issuance.
    world.store.meanwhile(lambda: second.append(service.allocate("p-test", "admin")))
    first = service.allocate("p-test", "admin")
    assert [r["org_id"] for r in second[0]["issued"]] == ["kanto-steel", "minato-foods"]
    assert first["issued"] == [] and first["already_allocated"] == ["kanto-steel", "minato-foods"]
    assert world.balance("kanto") == 901 and world.balance("minato") == 460
    issuances = [m for m, _ in world.store.committed if m.kind == "issuance"]
    assert len(issuances) == 2


def test_allocation_is_refused_while_a_base_year_is_not_reviewed_listing_them(setup, world):
    service, _, emissions, *_ = setup
    del emissions.figures[("minato-foods", 2023)], emissions.figures[("kanto-steel", 2024)]
    before = world.units()
    with pytest.raises(BaseYearsNotReviewed) as refusal:
        service.allocate("p-test", "admin")
    assert refusal.value.details == [{"org_id": "kanto-steel", "fiscal_year": 2024}, {"org_id": "minato-foods", "fiscal_year": 2023}]
    assert world.units() == before


def test_allocation_needs_an_open_operator_holding_account(setup, world):
    service, *_ = setup
    world.accounts.set_account_status(world.n("minato"), "blocked")
    with pytest.raises(NoOperatorAccount) as refusal:
        service.allocate("p-test", "admin")
    assert refusal.value.details == [{"org_id": "minato-foods"}]
    assert world.balance("kanto") == 0


def _allocate_and_retire(service, world):
    service.allocate("p-test", "admin")
    world.retire("kanto", 901)
    world.retire("minato", 400)
    world.retire("minato", 60)
    world.issue("minato", 10, period="02")
    world.retire("minato", 10, period="02")  # another period: does not count


def test_true_up_waits_for_the_end_of_the_adjustment_period(setup, world):
    service, _, _, _, today = setup
    today.day = date(2027, 8, 31)
    with pytest.raises(TrueUpTooEarly):
        service.true_up("p-test")


def test_true_up_on_the_hand_computed_phase_and_a_rerun_changes_nothing(setup, world):
    service, store, emissions, _, today = setup
    _allocate_and_retire(service, world)
    emissions.figures[("kanto-steel", 2026)] = 880
    today.day = date(2027, 9, 1)
    result = service.true_up("p-test")
    rows = {r["org_id"]: r for r in result["results"]}
    assert (rows["kanto-steel"]["outcome"], rows["kanto-steel"]["retired_t"], rows["kanto-steel"]["shortfall_t"]) == ("compliant", 901, 0)
    assert rows["minato-foods"]["outcome"] == "no_accepted_emissions" and rows["minato-foods"]["retired_t"] == 460
    assert "aozora-trading" not in rows
    writes = store.decision_writes
    assert service.true_up("p-test")["changed"] == [] and store.decision_writes == writes
    # Minato's figure is accepted later: the next run decides it; Kanto's decision stays even if its figure changed.
    emissions.figures[("minato-foods", 2026)] = 470
    emissions.figures[("kanto-steel", 2026)] = 2000
    later = service.true_up("p-test")
    assert later["changed"] == ["minato-foods"]
    rows = {r["org_id"]: r for r in later["results"]}
    assert (rows["minato-foods"]["outcome"], rows["minato-foods"]["shortfall_t"], rows["minato-foods"]["subsidy_to_return_yen"]) == (
        "non_compliant", 10, 50_000_000)
    assert rows["kanto-steel"]["outcome"] == "compliant" and rows["kanto-steel"]["emissions_t"] == 880
    assert later["summary"] == {"compliant": 1, "non_compliant": 1, "no_accepted_emissions": 0, "not_run": 0,
                                "subsidy_to_return_yen": 50_000_000, "shortfall_t": 10}
    writes = store.decision_writes
    assert service.true_up("p-test")["changed"] == [] and store.decision_writes == writes


def test_each_participant_sees_its_own_true_up_result_and_administrators_the_table(setup, world):
    service, _, emissions, _, today = setup
    _allocate_and_retire(service, world)
    emissions.figures.update({("kanto-steel", 2026): 880, ("minato-foods", 2026): 470})
    today.day = date(2027, 9, 1)
    service.true_up("p-test")
    own = service.true_up_for(USERS["minato"], "p-test")["results"]
    assert [(r["org_id"], r["outcome"], r["subsidy_to_return_yen"]) for r in own] == [("minato-foods", "non_compliant", 50_000_000)]
    assert len(service.true_up_for(USERS["admin"], "p-test")["results"]) == 2
    for who in ("aozora", "verifier"):  # a trading participant has no true-up; a verifier none to see
        with pytest.raises(PhaseNotFound):
            service.true_up_for(USERS[who], "p-test")


def test_phases_show_participants_only_their_own_row(setup):
    service, *_ = setup
    assert [p["org_id"] for p in service.phase_for(USERS["admin"], "p-test")["participants"]] == [
        "kanto-steel", "minato-foods", "aozora-trading"]
    assert [p["org_id"] for p in service.phase_for(USERS["kanto"], "p-test")["participants"]] == ["kanto-steel"]
    assert service.phase_for(USERS["verifier"], "p-test")["participants"] == []
    assert service.phases_for(USERS["aozora"])["phases"][0]["participants"][0]["kind"] == "trading"
    with pytest.raises(PhaseNotFound):
        service.phase_for(USERS["kanto"], "p-none")


def test_a_participant_outside_a_phase_does_not_see_it(setup, world):
    service, store, *_ = setup
    service.define_phase(Phase(**{**PHASE.__dict__, "phase_id": "p-two", "participants": (Participant("kanto-steel", P.TARGET, 1),)}),
                         "admin")
    assert [p["id"] for p in service.phases_for(USERS["minato"])["phases"]] == ["p-test"]
    with pytest.raises(PhaseNotFound):
        service.phase_for(USERS["minato"], "p-two")
    assert [(t.phase_id, t.start, t.end) for t in service.trading_periods()] == [
        ("p-test", date(2026, 4, 1), date(2027, 8, 31)), ("p-two", date(2026, 4, 1), date(2027, 8, 31))]


def test_the_phase_report_of_the_hand_computed_phase(setup, world):
    service, _, emissions, trades, _ = setup
    service.allocate("p-test", "admin")
    emissions.figures.update({("kanto-steel", 2026): 880, ("minato-foods", 2026): 470})
    body = service.phase_report("p-test")
    assert trades.asked == [(date(2026, 4, 1), date(2027, 8, 31))]
    assert {k: body[k] for k in ("target_participants", "trading_participants", "base_year_emissions_t", "achieved_reduction_t",
                                 "achieved_percent", "committed_reduction_t", "committed_percent", "transactions",
                                 "traded_volume_t", "traded_amount_yen", "average_price_yen", "incomplete")} == {
        "target_participants": 2, "trading_participants": 1, "base_year_emissions_t": 1521, "achieved_reduction_t": 171,
        "achieved_percent": 11, "committed_reduction_t": 160, "committed_percent": 11, "transactions": 3,
        "traded_volume_t": 250, "traded_amount_yen": 312_500, "average_price_yen": 1250, "incomplete": []}
    text = report_csv(body)
    assert text.splitlines()[1] == "p-test,2,1,1521,171,11,160,11,3,250,1250"
    assert "kanto-steel,Kanto Steelworks Co., Ltd." not in text  # names with commas are quoted
    assert '"Kanto Steelworks Co., Ltd."' in text


def test_the_report_leaves_out_a_target_whose_commitment_year_is_not_reviewed(setup):
    service, _, emissions, *_ = setup
    emissions.figures[("kanto-steel", 2026)] = 880
    body = service.phase_report("p-test")
    assert (body["base_year_emissions_t"], body["achieved_reduction_t"], body["incomplete"]) == (1521, 121, ["minato-foods"])


def test_overdue_reports_follow_the_phase_deadlines(setup):
    service, _, emissions, _, today = setup
    emissions.states = [
        State(2024, "kanto-steel", "R-K24", 1, "submitted", "2025-06-30T17:00:00+09:00"),
        State(2024, "minato-foods", "R-M24", 1, "draft", None),
        State(2026, "kanto-steel", "R-K26", 1, "verified", "2027-07-02T10:00:00+09:00"),
        State(2026, "aozora-trading", "R-A26", 1, "draft", None),
    ]
    today.day = date(2025, 6, 30)  # the deadline day itself: nothing is overdue yet
    assert service.overdue("p-test")["overdue"] == []
    today.day = date(2027, 7, 10)
    body = service.overdue("p-test")
    assert [(r["org_id"], r["fiscal_year"], r["status"], r["days"]) for r in body["overdue"]] == [
        ("minato-foods", 2024, "draft", 740), ("minato-foods", 2026, "not_started", 10)]
    assert [(r["org_id"], r["fiscal_year"], r["days"]) for r in body["late"]] == [("kanto-steel", 2026, 2)]
