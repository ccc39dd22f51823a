"""The calculation report screens in a real browser against the local stack with the demo
data (Kanto Steelworks' FY2025 report under verification by the demo verifier): the
verifier's menu and assigned reports, the report with its files and evidence, a working paper
uploaded and then listed (and downloaded) in both languages, a refused opinion in the API's
words, then a recorded opinion that locks the report; the participant sees the verified
report and no working paper; an administrator signed in with TOTP lists the year's reports,
is refused a determination without t-CO2 in the API's words, accepts the verified report in
English, then refuses the participant's approval cancellation request in Japanese. Both
languages at 1280 and 390 px, no overflow, axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE, answered, expect_api_text

pytestmark = pytest.mark.e2e

REPORT = "FY2025-kanto-steel"
MOBILE_AXE.update({"reports-verifier", "report-verifier", "report-verifier-papers", "report-verified", "reports-participant",
                   "reports-admin", "report-review", "report-cancellation-decision"})


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
    # No working paper yet: the empty state under the upload control.
    assert registry.get("verifier", f"/emissions/reports/{REPORT}/working-papers")["working_papers"] == []
    expect(p.page.locator("#papers-empty")).to_be_visible()
    expect(p.page.locator("#papers-table")).to_have_count(0)
    capture_clean(p, "report-verifier")

    # A working paper through the documents flow: listed once the check on arrival accepted it.
    paper = b"%PDF-1.7\n% sampling of the April bills\n" + b"0" * 2048 + b"\n%%EOF\n"
    p.page.set_input_files("#paper-file", files=[{"name": "検証調書_FY2025.pdf", "mimeType": "application/pdf", "buffer": paper}])
    p.page.click("#paper-upload")
    expect(p.page.locator("#paper-status [data-stage]")).to_have_attribute("data-stage", "accepted", timeout=30_000)
    rows = p.page.locator("#papers-table tbody tr")
    expect(rows).to_have_count(1, timeout=15_000)
    listed = registry.get("verifier", f"/emissions/reports/{REPORT}/working-papers")["working_papers"]
    assert [(w["filename"], w["size"], w["uploaded_by"]) for w in listed] == [("検証調書_FY2025.pdf", len(paper), "verifier")]
    expect(rows).to_have_attribute("data-document", listed[0]["document_id"])
    expect(p.page.locator("#papers-empty")).to_have_count(0)
    expect(p.page.locator("#papers-table caption")).to_have_text("作業調書")
    expect(rows).to_contain_text("検証調書_FY2025.pdf")
    expect(rows).to_contain_text(f"{len(paper):,} バイト")
    capture_clean(p, "report-verifier-papers")
    p.set_lang("en")
    expect(p.page.locator("#papers-table caption")).to_have_text("Working papers")
    expect(rows).to_contain_text(f"{len(paper):,} bytes")
    expect(rows).to_contain_text("PDF")
    # Each row downloads its paper through GET /documents/{id}.
    with p.page.expect_download() as download:
        p.page.click(f"#paper-download-{listed[0]['document_id']}")
    assert download.value.suggested_filename == "検証調書_FY2025.pdf"
    expect(p.page.locator("#reports-action-status")).to_contain_text('The download of "検証調書_FY2025.pdf" has started.')
    p.set_lang("ja")

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
    # Working papers are the verifier's: the participant's page has none, and the API answers as for a missing report.
    expect(p.page.locator("#paper-title")).to_have_count(0)
    refused = requests.get(f"{registry.base}/emissions/reports/{REPORT}/working-papers", timeout=10,
                           headers={"Authorization": f"Bearer {registry.token('kanto')}"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "REPORT_NOT_FOUND")


def test_an_administrator_accepts_the_verified_report_and_refuses_a_cancellation(portal, registry, stack):
    from tests.browser.test_controls_portal import admin_login

    p = portal()
    admin_login(p, stack, "admin")
    expect(p.page.locator("#nav-reports")).to_have_text("算定報告書の審査")
    p.go("#/reports/year/2025")
    row = p.page.locator(f"#reports-table tr[data-report='{REPORT}']")
    expect(row).to_have_attribute("data-status", "verified")
    expect(p.page.locator("#reports-table caption")).to_have_text("2025年度の算定報告書")
    capture_clean(p, "reports-admin")

    p.page.click(f"#report-link-{REPORT}")
    expect(p.page.locator("#review-panel h2")).to_have_text("審査")
    capture_clean(p, "report-review")
    # A determination without the emissions: refused in the API's words, nothing changes.
    p.page.select_option("#review-decision", "determine")
    expect(p.page.locator("#review-t-co2")).to_be_visible()
    p.page.fill("#review-reason", "保守的に算定した値で決定")
    with answered(p, "/review") as refusal:
        p.page.click("#review-submit")
    assert refusal["code"] == "T_CO2_REQUIRED"
    expect_api_text(p, p.page.locator("#reports-action-error"), refusal)
    assert registry.get("kanto", f"/emissions/reports/{REPORT}")["status"] == "verified"

    # Accepted in English.
    p.set_lang("en")
    expect(p.page.locator("#review-panel h2")).to_have_text("Review")
    p.page.select_option("#review-decision", "accept")
    expect(p.page.locator("#review-t-co2")).to_have_count(0)
    p.page.fill("#review-reason", "As verified")
    expect(p.page.locator("#review-submit")).to_have_text("Accept")
    p.page.click("#review-submit")
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "accepted")
    expect(p.page.locator("#reports-action-status")).to_contain_text("The report was accepted.")
    expect(p.page.locator("#review-panel")).to_have_count(0)
    accepted = registry.get("kanto", f"/emissions/reports/{REPORT}")
    total = accepted["versions"][-1]["verification"]["verified_t_co2"]
    assert accepted["status"] == "accepted" and accepted["reviewed"]["t_co2"] == total
    assert (accepted["history"][-1]["action"], accepted["history"][-1]["by"], accepted["history"][-1]["reason"]) == (
        "accept", "admin", "As verified")
    expect(p.page.locator("#report-history tbody tr").last).to_contain_text("admin")
    expect(p.page.locator("#report-reviewed")).to_contain_text(f"{total:,}")

    # The participant asks for the approval to be cancelled; the administrator refuses it, in Japanese.
    asked = requests.post(f"{registry.base}/emissions/reports/{REPORT}/cancellation-requests", timeout=10,
                          json={"reason": "算定範囲の誤り"}, headers={"Authorization": f"Bearer {registry.token('kanto')}"})
    assert asked.status_code == 201, asked.text
    p.set_lang("ja")
    p.page.reload()
    expect(p.page.locator("#cancellation-decision-title")).to_have_text("承認取消の申請")
    expect(p.page.locator("#cancellation-request")).to_contain_text("算定範囲の誤り")
    capture_clean(p, "report-cancellation-decision")
    with answered(p, "/cancellation-requests/decision") as refusal:
        p.page.click("#cancellation-refuse")
    assert refusal["code"] == "VALIDATION_ERROR"
    p.page.fill("#cancellation-decision-reason", "根拠が示されていない")
    p.page.click("#cancellation-refuse")
    expect(p.page.locator("#reports-action-status")).to_contain_text("承認取消の申請を却下しました。")
    expect(p.page.locator("#review-panel")).to_have_count(0)
    refused = registry.get("kanto", f"/emissions/reports/{REPORT}")
    assert (refused["status"], refused["cancellation_pending"]) == ("accepted", False)
    assert (refused["history"][-1]["action"], refused["history"][-1]["by"]) == ("refuse_cancellation", "admin")
