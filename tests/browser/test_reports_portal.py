"""The calculation report screens in a real browser against the local stack with the demo
data (Kanto Steelworks' FY2025 report under verification by the demo verifier): the
verifier's menu and assigned reports, the report with its files and evidence, a refused
opinion in the API's words, then a recorded opinion that locks the report; the participant
sees the verified report. Both languages at 1280 and 390 px, no overflow, axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE, answered, expect_api_text

pytestmark = pytest.mark.e2e

REPORT = "FY2025-kanto-steel"
MOBILE_AXE.update({"reports-verifier", "report-verifier", "report-verified", "reports-participant"})


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


def test_a_verifier_records_an_opinion_in_both_languages(portal, registry):
    p = portal()
    p.login("verifier")
    expect(p.page.locator("#nav-verification a")).to_have_text(["担当する報告書"])
    p.go("#/reports")
    row = p.page.locator(f"#reports-table tr[data-report='{REPORT}']")
    expect(row).to_have_attribute("data-status", "under_verification")
    capture_clean(p, "reports-verifier")

    p.page.click(f"#report-link-{REPORT}")
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "under_verification")
    api_report = registry.get("verifier", f"/emissions/reports/{REPORT}")
    total = api_report["versions"][-1]["total_t"]
    expect(p.page.locator("#report-total")).to_contain_text(f"{total:,}")
    expect(p.page.locator("#report-evidence li")).to_have_count(1)
    expect(p.page.locator("#report-history tbody tr")).to_have_count(len(api_report["history"]))
    capture_clean(p, "report-verifier")

    # A verified opinion with a material misstatement contradicts itself: the API's words.
    p.page.fill("#opinion-tonnes", str(total))
    p.page.click("#misstatement-add")
    assert p.page.evaluate("document.activeElement.id") == "mis-0-reference"
    p.page.fill("#mis-0-reference", "No.2 ガスボイラー 2025-07")
    p.page.fill("#mis-0-explanation", "検針票の転記誤り（0.4 t-CO2）")
    p.page.check("#mis-0-material")
    with answered(p, "/verification/opinion") as refusal:
        p.page.click("#opinion-submit")
    assert refusal["code"] == "INVALID_OPINION"
    expect_api_text(p, p.page.locator("#reports-action-error"), refusal)
    assert registry.get("verifier", f"/emissions/reports/{REPORT}")["status"] == "under_verification"

    p.page.uncheck("#mis-0-material")
    p.page.select_option("#opinion", "verified_with_comments")
    p.page.fill("#opinion-improvements", "請求書の保管方法を事業所間で統一すること")
    p.page.click("#opinion-submit")
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "verified")
    expect(p.page.locator("#reports-action-status")).to_contain_text("検証結果を登録しました")
    expect(p.page.locator("#report-opinion")).to_have_attribute("data-opinion", "verified_with_comments")
    expect(p.page.locator("#opinion-form")).to_have_count(0)
    recorded = registry.get("verifier", f"/emissions/reports/{REPORT}")
    verification = recorded["versions"][-1]["verification"]
    assert recorded["status"] == "verified" and verification["verified_t_co2"] == total
    assert verification["misstatements"] == [{"reference": "No.2 ガスボイラー 2025-07", "explanation": "検針票の転記誤り（0.4 t-CO2）",
                                              "material": False}]
    assert verification["improvements"] == ["請求書の保管方法を事業所間で統一すること"]
    capture_clean(p, "report-verified")
    p.set_lang("en")
    expect(p.page.locator("#report-status")).to_have_text("Verified (locked)")
    expect(p.page.locator("#report-opinion")).to_have_text("Verified with comments")


def test_the_participant_sees_its_reports_and_the_verified_one_locked(portal, registry):
    p = portal()
    p.login("kanto")
    expect(p.page.locator("#nav-emissions a").last).to_have_text("算定報告書")
    p.go("#/reports")
    listed = registry.get("kanto", "/emissions/reports")["reports"]
    expect(p.page.locator("#reports-table tbody tr")).to_have_count(len(listed))
    capture_clean(p, "reports-participant")
    p.go(f"#/reports/{REPORT}")
    # The verifier's opinion (the test above) locked it: no submit or recall, only the approval cancellation request.
    assert registry.get("kanto", f"/emissions/reports/{REPORT}")["status"] == "verified"
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "verified")
    expect(p.page.locator("#report-submit")).to_have_count(0)
    expect(p.page.locator("#report-recall")).to_have_count(0)
    expect(p.page.locator("#report-cancellation")).to_be_visible()
    expect(p.page.locator("#report-opinion")).to_have_attribute("data-opinion", "verified_with_comments")
