"""The registry's controls in a real browser against the local stack with the demo data:
a participant's trusted receiving accounts (add: waits for the delay; remove: at once),
a transfer outside the list held and cancelled on the delayed-transfers screen, and an
administrator approving another's proposal on the approval screen (with TOTP, as every
administrator signs in), while participants see nothing of proposals. Each screen is
captured in Japanese and English at 1280 and 390 px with no axe-core violation.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE, admin, answered, expect_api_text, user

pytestmark = pytest.mark.e2e
MOBILE_AXE.update({"trusted", "trusted-added", "delayed", "proposals", "proposal", "proposal-approved"})


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


def admin_login(p: Any, stack: dict[str, Any], username: str) -> None:
    from devtools.totp import code

    p.open("#/login")
    p.page.fill("#username", username)
    p.page.fill("#password", user(stack, username)["password"])
    p.page.click("#login-submit")
    expect(p.page.locator("#page-title")).to_have_text("確認コードの入力")
    p.page.fill("#code", code(user(stack, username)["totp_secret"]))
    p.page.click("#mfa-submit")
    expect(p.page.locator("#header-user")).to_contain_text(username)


def test_a_participant_adds_a_trusted_account_that_waits_and_removes_it_at_once(portal, registry, stack):
    fresh = admin(stack, "open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    kanto = registry.account("kanto")
    p = portal()
    p.login("kanto")
    expect(p.page.locator("#nav-controls a")).to_have_text(["信頼済み移転先", "保留中の移転"])
    p.page.click("#nav-trusted")
    listed = registry.get("kanto", f"/accounts/{kanto}/trusted")["items"]
    rows = p.page.locator("#trusted-list tbody tr")
    expect(rows).to_have_count(len(listed))
    for item in listed:
        expect(p.page.locator(f'#trusted-list tr[data-account="{item["account"]}"]')).to_contain_text("有効" if item["effective"] else "待機中")
    capture_clean(p, "trusted")

    p.page.fill("#trusted-receiver", fresh.lower())
    p.page.click("#trusted-add")
    expect(p.page.locator("#trusted-status")).to_contain_text(f"{fresh} を追加しました。")
    row = p.page.locator(f'#trusted-list tr[data-account="{fresh}"]')
    expect(row).to_contain_text("待機中")
    entry = next(i for i in registry.get("kanto", f"/accounts/{kanto}/trusted")["items"] if i["account"] == fresh)
    assert entry["effective"] is False
    capture_clean(p, "trusted-added")

    p.page.fill("#trusted-receiver", fresh)
    with answered(p, f"/accounts/{kanto}/trusted") as refusal:
        p.page.click("#trusted-add")
    assert refusal["code"] == "ALREADY_TRUSTED"
    expect_api_text(p, p.page.locator('[data-error-for="trusted-receiver"]'), refusal)

    row.get_by_role("button").click()
    expect(p.page.locator("#trusted-status")).to_contain_text(f"{fresh} を削除しました。")
    expect(row).to_have_count(0)
    assert fresh not in [i["account"] for i in registry.get("kanto", f"/accounts/{kanto}/trusted")["items"]]


def test_a_transfer_outside_the_list_is_held_then_cancelled_by_the_holder(portal, registry, stack):
    fresh = admin(stack, "open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    before = registry.balance("kanto")
    p = portal()
    p.login("kanto")
    p.go("#/transfer")
    p.page.fill("#to_account", fresh)
    p.page.fill("#lines-0-amount", "3")
    p.page.click("#to-confirm")
    p.page.click("#execute")
    expect(p.page.locator("#page-title")).to_have_text("移転を保留しました")
    expect(p.page.locator("#held-notice")).to_contain_text("信頼済み移転先ではない")
    held_id = p.text("#tx-number").strip()
    assert registry.balance("kanto")["balance"] == before["balance"]  # nothing moved

    p.page.click("#held-link")
    row = p.page.locator(f'#delayed-list tr[data-id="{held_id}"]')
    expect(row).to_have_attribute("data-status", "delayed")
    expect(row).to_contain_text("保留中")
    capture_clean(p, "delayed")
    row.get_by_role("button").click()
    expect(p.page.locator("#delayed-status")).to_contain_text(f"移転 {held_id} を取り消しました。")
    expect(row).to_have_attribute("data-status", "cancelled")
    assert registry.get("kanto", f"/delayed-transfers/{held_id}")["delayed_transfer"]["status"] == "cancelled"
    assert registry.balance("kanto")["balance"] == before["balance"]


def test_another_administrator_approves_a_proposal_on_the_approval_screen(portal, registry, stack):
    aozora = registry.account("aozora")
    before = registry.balance("aozora")["balance"]
    proposal = admin(stack, "issue_units", {"account": aozora, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                            "amount": 40, "reason": "Browser test allocation", "requested_by": "admin"})["proposal"]
    p = portal()
    admin_login(p, stack, "admin2")
    expect(p.page.locator("#nav-controls a")).to_have_text(["承認待ちの提案", "算定報告書の審査"])
    p.page.click("#nav-proposals")
    row = p.page.locator(f'#proposals-pending tr[data-id="{proposal["id"]}"]')
    expect(row).to_contain_text(aozora)
    expect(row).to_contain_text("発行")
    capture_clean(p, "proposals")
    row.get_by_role("link").click()
    expect(p.page.locator("#proposal-reason")).to_have_text("Browser test allocation")
    expect(p.page.locator("#proposal-steps tbody tr")).to_have_count(1)
    capture_clean(p, "proposal")
    p.page.fill("#proposal-decision-reason", "Checked against the allocation plan")
    p.page.click("#proposal-approve")
    expect(p.page.locator("#proposal-status")).to_have_text("承認し、実行しました。")
    expect(p.page.locator("#proposal-steps tbody tr")).to_have_count(2)
    transaction = p.text("#proposal-transaction").strip()
    assert registry.balance("aozora")["balance"] == before + 40
    assert registry.get("aozora", f"/transactions/{transaction}")["amount"] == 40
    capture_clean(p, "proposal-approved")

    # The proposer sees the approval screen without the buttons: another administrator decides.
    own = admin(stack, "issue_units", {"account": aozora, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                       "amount": 1, "reason": "Own proposal", "requested_by": "admin2"})["proposal"]
    p.go(f"#/proposals/{own['id']}")
    expect(p.page.locator("#proposal-own")).to_be_visible()
    expect(p.page.locator("#proposal-approve")).to_have_count(0)


def test_participants_see_nothing_of_proposals(portal):
    p = portal()
    p.login("kanto")
    expect(p.page.locator("#nav-proposals")).to_have_count(0)
    p.go("#/proposals")
    expect(p.page.locator("#proposals-admins-only")).to_be_visible()
    expect(p.page.locator("#proposals-pending")).to_have_count(0)
