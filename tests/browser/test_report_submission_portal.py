"""A participant's own calculation report in a real browser against the local stack with
the demo data (Kanto Steelworks' FY2025 report under verification by the demo verifier):
it recalls the report with a reason, makes a new version from the current calculation and
submits it, every step shown in the API's state, in its version table and in both
languages at 1280 and 390 px, axe-core clean. Another organisation's report is refused as
missing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE

pytestmark = pytest.mark.e2e

REPORT = "FY2025-kanto-steel"
MOBILE_AXE.update({"report-participant", "report-recalled", "report-new-version", "report-resubmitted"})


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


def report(registry: Any) -> dict[str, Any]:
    return registry.get("kanto", f"/emissions/reports/{REPORT}")


def test_a_participant_recalls_its_report_makes_a_new_version_and_submits_it(portal, registry):
    before = report(registry)
    assert before["status"] == "under_verification"
    p = portal()
    p.login("kanto")
    p.go(f"#/reports/{REPORT}")
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "under_verification")
    expect(p.page.locator("#report-submit")).to_have_count(0)
    capture_clean(p, "report-participant")

    # Recall, with a reason: the verifier stops, the version is closed.
    p.page.fill("#recall-reason", "排出源No.3の燃料使用量を訂正するため")
    p.page.click("#report-recall")
    expect(p.page.locator("#reports-action-status")).to_have_text("報告書を取り下げました。")
    recalled = report(registry)
    assert recalled["status"] == "recalled" and recalled["version"] == before["version"]
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "recalled")
    expect(p.page.locator("#report-recall")).to_have_count(0)
    capture_clean(p, "report-recalled")

    # A new version from the current calculation: a draft, one version more, the old one kept.
    p.page.click("#report-new-version")
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "draft")
    draft = report(registry)
    assert (draft["status"], draft["version"]) == ("draft", before["version"] + 1)
    statuses = {v["version"]: v["status"] for v in draft["versions"]}
    assert (statuses[before["version"]], statuses[draft["version"]]) == ("recalled", "draft")
    expect(p.page.locator(f'tr[data-version="{before["version"]}"]')).to_have_attribute("data-status", "recalled")
    expect(p.page.locator(f'tr[data-version="{draft["version"]}"]')).to_have_attribute("data-status", "draft")
    capture_clean(p, "report-new-version")

    # Submitted: waiting for the verifier again; the participant may only recall.
    p.page.click("#report-submit")
    expect(p.page.locator("#reports-action-status")).to_have_text("報告書を提出しました。")
    submitted = report(registry)
    assert (submitted["status"], submitted["version"]) == ("submitted", draft["version"])
    expect(p.page.locator("#report-status")).to_have_attribute("data-status", "submitted")
    expect(p.page.locator("#report-submit")).to_have_count(0)
    expect(p.page.locator("#report-recall")).to_be_visible()
    capture_clean(p, "report-resubmitted")
    p.set_lang("en")
    expect(p.page.locator("#report-status")).to_have_text("Submitted (waiting for the verifier)")


def test_another_organisation_s_report_is_shown_as_missing(portal, registry):
    p = portal()
    p.login("minato")
    p.go(f"#/reports/{REPORT}")
    expect(p.page.locator("#reports-action-error, .error-box, [role=alert]").first).to_contain_text("REPORT_NOT_FOUND")
    expect(p.page.locator("#report-status")).to_have_count(0)
