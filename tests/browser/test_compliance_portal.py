"""The compliance screens in a real browser against the local stack (`make run` with the
demo data): a target participant sees its phases and its own true-up result, the
administrator the true-up table and the phase report with its chart. Each screen is
captured in Japanese and English at 1280 and 390 px, with no overflow and no axe-core
violation at any impact level.

The true-up needs an accepted figure for the commitment year and a moment after the
adjustment period: a small script run against the stack writes the accepted report with the
reports' ``seed_reviewed_reports`` and runs the true-up with a clock after the adjustment
period; everything else is the stack's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from chalicelib.core.clock import now_jst
from tests.browser.conftest import MOBILE_AXE, ROOT, admin, user

pytestmark = pytest.mark.e2e

MOBILE_AXE.update({"phases", "trueup-participant", "trueup-table", "phase-report", "overdue"})
#: The phase's commitment year is the current fiscal year, so today's retirement counts.
_TODAY = now_jst().date()
CY = _TODAY.year if _TODAY.month >= 4 else _TODAY.year - 1
PHASE = {
    "id": "p-browser", "name": "Browser phase", "name_ja": "ブラウザ試験フェーズ", "base_years": [CY - 4, CY - 3, CY - 2],
    "commitment_year": CY, "adjustment_end": f"{CY + 1}-08-31", "trading_period": {"start": f"{CY}-04-01", "end": f"{CY + 1}-08-31"},
    "compliance_period": "07", "report_deadlines": [{"fiscal_year": CY, "due": f"{CY + 1}-06-30"}],
    "participants": [
        {"org_id": "kanto-steel", "kind": "target_subsidised", "committed_reduction_t": 100, "subsidy_yen": 30_000_000},
        {"org_id": "minato-foods", "kind": "target", "committed_reduction_t": 50},
        {"org_id": "aozora-trading", "kind": "trading"},
    ],
}
TRUE_UP = """
import json, sys
from datetime import datetime
from chalicelib import container
from chalicelib.admin.__main__ import STACK_FILE, _environment
import os
os.environ.update(_environment(json.loads(STACK_FILE.read_text())))
from devtools.demo_reports import seed_reviewed_reports
seed_reviewed_reports(None, [("kanto-steel", %(cy)d, 150)])
service = container.compliance()
service.clock = lambda: datetime.fromisoformat("%(after)s")
print(json.dumps(service.true_up("p-browser")))
"""


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


@pytest.fixture(scope="module")
def trued_up(stack, registry):
    """Kanto Steelworks retires 100 t for the phase's period; its FY emissions are 150 t:
    non-compliant, 50 t short, its 30,000,000 yen subsidy to be returned. Minato Foods has
    no reviewed figure: pending."""
    admin(stack, "define_phase", PHASE)
    answer = requests.post(f"{registry.base}/retirements", timeout=30,
                           headers={"Authorization": f"Bearer {registry.token('kanto')}", "Idempotency-Key": f"b-{uuid.uuid4()}"},
                           json={"account": registry.account("kanto"), "compliance_period": "07",
                                 "lines": [{"unit_type": "JPA", "amount": 100}]})
    assert answer.status_code == 201, answer.text
    run = subprocess.run([sys.executable, "-c", TRUE_UP % {"cy": CY, "after": f"{CY + 1}-09-01T09:00:00+09:00"}], cwd=ROOT,
                         env=stack["environment"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert [(r["org_id"], r["outcome"]) for r in result["results"]] == [("kanto-steel", "non_compliant"),
                                                                          ("minato-foods", "no_accepted_emissions")]
    return result


def test_a_participant_sees_its_phases_and_its_own_true_up_result(portal, trued_up):
    p = portal()
    p.login("kanto")
    p.page.click("#nav-phases")
    rows = p.page.locator("#phases tbody tr")
    expect(rows).to_have_count(2)  # the demo's phase in progress and this one, not the past phases
    expect(p.page.locator('#phases tr[data-phase="p-browser"]')).to_contain_text("ブラウザ試験フェーズ")
    capture_clean(p, "phases")
    p.page.click('#phases tr[data-phase="p-browser"] a')
    expect(p.page.locator("#page-title")).to_have_text("ブラウザ試験フェーズ")
    expect(p.page.locator("#phase-participants tbody tr")).to_have_count(1)  # its own row only
    expect(p.page.locator('#phase-participants tr[data-org="kanto-steel"]')).to_contain_text("30,000,000円")
    expect(p.page.locator('[data-outcome="non_compliant"]')).to_have_text("未遵守")
    expect(p.page.locator("#trueup-retired")).to_have_text("100 t-CO2")
    expect(p.page.locator("#trueup-emissions")).to_have_text("150 t-CO2")
    expect(p.page.locator("#trueup-shortfall")).to_have_text("50 t-CO2")
    expect(p.page.locator("#trueup-subsidy")).to_have_text("30,000,000円")
    capture_clean(p, "trueup-participant")
    p.set_lang("en")
    expect(p.page.locator('[data-outcome="non_compliant"]')).to_have_text("Non-compliant")
    expect(p.page.locator("#trueup-subsidy")).to_have_text("30,000,000 yen")
    expect(p.page.locator("#trueup-note")).to_have_text("Retirements fall 50 t-CO2 short of the emissions: the commitment is not met.")


def test_a_trading_participant_sees_its_row_and_no_true_up(portal, trued_up):
    p = portal()
    p.login("aozora")
    p.go("#/phases/p-browser")
    expect(p.page.locator('#phase-participants tr[data-org="aozora-trading"]')).to_contain_text("取引参加者")
    p.page.wait_for_load_state("networkidle")
    expect(p.page.locator("#trueup-title")).to_have_count(0)


def _admin_portal(portal, stack):
    from devtools.totp import code

    admin_user = user(stack, "admin")
    p = portal()
    p.open("#/login")
    p.page.fill("#username", "admin")
    p.page.fill("#password", admin_user["password"])
    p.page.click("#login-submit")
    p.page.wait_for_selector("#code")
    p.page.fill("#code", code(admin_user["totp_secret"]))
    p.page.click("#mfa-submit")
    p.page.wait_for_selector("#nav-phases")
    return p


def test_the_administrator_sees_the_true_up_table_and_the_phase_report_with_its_chart(portal, stack, trued_up):
    p = _admin_portal(portal, stack)
    p.go("#/phases/p-browser")
    expect(p.page.locator("#trueup-table tbody tr")).to_have_count(2)
    expect(p.page.locator('#trueup-table tr[data-org="minato-foods"] [data-outcome]')).to_have_text("判定保留（承認済み排出量なし）")
    expect(p.page.locator("#phase-participants tbody tr")).to_have_count(3)
    capture_clean(p, "trueup-table")
    p.page.click("#phase-report-link")
    expect(p.page.locator('#report-results tr[data-figure="targets"] td')).to_have_text("2")
    expect(p.page.locator('#report-results tr[data-figure="committed"] td')).to_contain_text("150 t-CO2")
    expect(p.page.locator("#report-participants tbody tr")).to_have_count(2)
    canvas = p.page.locator("#report-chart-canvas")
    expect(canvas).to_have_attribute("role", "img")
    p.page.wait_for_function("() => { const c = document.getElementById('report-chart-canvas'); return c && c.width > 0 && c.height > 0; }")
    assert p.page.evaluate("() => typeof window.Chart === 'function' && window.Chart.version") == "4.6.1"
    capture_clean(p, "phase-report")


def test_the_administrator_sees_the_reports_past_the_demo_phase_s_deadline(portal, stack):
    p = _admin_portal(portal, stack)
    p.go("#/phases/phase-2027")
    overdue = admin(stack, "overdue_reports", {"phase_id": "phase-2027"})
    # Minato Foods has no FY2025 report and its deadline (30 Sep 2026) has passed.
    assert ("minato-foods", 2025, "overdue") in [(r["org_id"], r["fiscal_year"], r["kind"]) for r in overdue["overdue"]]
    rows = p.page.locator("#overdue-table tbody tr")
    expect(rows).to_have_count(len(overdue["overdue"]) + len(overdue["late"]))
    expect(p.page.locator('#overdue-table tr[data-org="minato-foods"][data-kind="overdue"]')).to_contain_text("報告なし")
    capture_clean(p, "overdue")
