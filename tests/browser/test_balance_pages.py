"""The balance screen pages its block lines as the API does (next_cursor): the totals
and the transferable amount stay on every page, the lines continue their numbering,
and the pages together show every block once, in both languages."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.conftest import admin, approved

LINES = 53  # more than one page of the portal's 50


def _amount(value: int) -> str:
    return f"{value:,} t-CO2"


def test_the_balance_screen_pages_the_block_lines(portal, stack, registry):
    source = admin(stack, "open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    target = admin(stack, "open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    # issuing only proposes now: the second administrator approves it
    approved(stack, "issue_units", {"account": source, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                    "amount": 1_000, "reason": "balance pages", "idempotency_key": f"pages-{source}"})
    headers = {"Authorization": f"Bearer {registry.token('aozora')}"}
    # both accounts are aozora's own, so no trust is needed: each transfer completes (201), never held (202)
    for index in range(LINES):  # each 1 t transfer arrives as a block of its own
        response = requests.post(f"{registry.base}/transfers", timeout=30,
                                 headers={**headers, "Idempotency-Key": f"pages-{target}-{index}"},
                                 json={"from_account": source, "to_account": target, "lines": [{"unit_type": "JPA", "amount": 1}]})
        assert response.status_code == 201, response.text
    first = registry.get("aozora", f"/accounts/{target}/balance", limit=50)
    assert len(first["holdings"]) == 50 and first["next_cursor"]

    p = portal()
    p.login("aozora")
    p.go(f"#/balance/{target}")
    expect(p.page.locator("#balance-balance")).to_have_text(_amount(LINES))
    expect(p.page.locator("#holdings tbody tr")).to_have_count(50)
    expect(p.page.locator("#holdings-page")).to_have_text("1 ページ目")
    expect(p.page.locator("#holdings-prev")).to_be_disabled()
    first_serials = p.page.locator("#holdings tbody tr td:nth-child(7)").all_inner_texts()
    transferable = p.text("#balance-transferable")

    p.page.click("#holdings-next")
    expect(p.page.locator("#holdings-page")).to_have_text("2 ページ目")
    expect(p.page.locator("#holdings tbody tr")).to_have_count(LINES - 50)
    expect(p.page.locator("#holdings tbody tr").first.locator("td").first).to_have_text("51")
    expect(p.page.locator("#holdings-next")).to_be_disabled()
    assert p.text("#balance-transferable") == transferable == _amount(LINES)  # the totals stay on every page
    second_serials = p.page.locator("#holdings tbody tr td:nth-child(7)").all_inner_texts()
    assert len(set(first_serials) | set(second_serials)) == LINES

    p.set_lang("en")
    expect(p.page.locator("#holdings-page")).to_have_text("Page 2")
    p.page.click("#holdings-prev")
    expect(p.page.locator("#holdings-page")).to_have_text("Page 1")
    expect(p.page.locator("#holdings tbody tr")).to_have_count(50)
    p.capture("balance-pages")
