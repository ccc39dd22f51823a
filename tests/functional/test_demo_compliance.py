"""The demo's past phases reproduce the seed's results tables (DESIGN.md section 7) figure
by figure: the generated organisations and phases are written on moto through the
administrator functions, and ``phase_report`` computes the table from the generated
reviewed figures and settled deals.

The reviewed figures are written with the reports' ``seed_reviewed_reports`` and read back
through the container's real wiring (``EmissionsService.reviewed_emissions``). The deals
too once the notice board's ``seed_settled_deals`` exists (branch ``matching``); until
then they reach the report through the other side of the port holding the generated rows.
"""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import container
from devtools import demo_compliance
from tests.conftest import admin
from tests.unit.fakes.compliance import FakeTradeStatistics

#: DESIGN.md section 7, as printed there.
SEED_TABLES = {
    "phase-1": {"target_participants": 31, "trading_participants": 7, "base_year_emissions_t": 1_288_543,
                "achieved_reduction_t": 377_056, "achieved_percent": 29, "committed_reduction_t": 273_076, "committed_percent": 21,
                "transactions": 24, "traded_volume_t": 82_624, "average_price_yen": 1_212},
    "phase-2": {"target_participants": 61, "trading_participants": 12, "base_year_emissions_t": 1_122_593,
                "achieved_reduction_t": 280_192, "achieved_percent": 25, "committed_reduction_t": 217_167, "committed_percent": 19,
                "transactions": 51, "traded_volume_t": 54_643, "average_price_yen": 1_250},
}


@pytest.fixture(scope="module")
def loaded(demo):
    reviews, deals = demo_compliance.seeders()
    assert reviews is not None, "the reports' seed_reviewed_reports is merged"
    with pytest.MonkeyPatch.context() as patch:
        generated = demo_compliance.load()
        if deals is None:
            trades = FakeTradeStatistics([(date.fromisoformat(d["date"]), d["quantity"], d["price_yen"])
                                          for g in generated for d in g.deals])
            patch.setattr(container, "compliance_trades", lambda: trades)
        yield generated


@pytest.mark.parametrize("phase_id", sorted(SEED_TABLES))
def test_the_demo_phase_report_is_the_seed_table(loaded, phase_id):
    report = admin("phase_report", {"phase_id": phase_id})["report"]
    assert {key: report[key] for key in SEED_TABLES[phase_id]} == SEED_TABLES[phase_id]
    assert report["incomplete"] == []
    assert all(p["achieved_reduction_t"] >= p["committed_reduction_t"] for p in report["participants"])


def test_the_generator_is_deterministic_and_its_deals_stay_in_their_phase():
    first, again = demo_compliance.generate(demo_compliance.PHASE_1), demo_compliance.generate(demo_compliance.PHASE_1)
    assert first.reviewed == again.reviewed and first.deals == again.deals
    for spec in demo_compliance.PAST_PHASES:
        generated = demo_compliance.generate(spec)
        days = [date.fromisoformat(d["date"]) for d in generated.deals]
        assert spec.deals_from <= min(days) and max(days) <= spec.deals_to
        assert all(d["seller_org"] != d["buyer_org"] and d["quantity"] > 0 and d["price_yen"] > 0 for d in generated.deals)
    # No phase's deals fall inside another phase's trading period, so statistics by date tell them apart.
    phase_2_days = [date.fromisoformat(d["date"]) for d in demo_compliance.generate(demo_compliance.PHASE_2).deals]
    assert min(phase_2_days) > demo_compliance.PHASE_1.trading_end


def test_the_phase_in_progress_has_the_demo_participants(loaded, api, demo):
    token = api.login(demo["kanto"])
    status, body = api.call("GET", "/phases", token=token)
    assert status == 200
    assert [(p["id"], [r["org_id"] for r in p["participants"]]) for p in body["phases"]] == [("phase-2027", ["kanto-steel"])]
