"""The trade matching notice board's screens in a real browser against the local stack
(`make run` with its demo data): the full path of a deal between two organisations, each
in its own browser context, Kanto Steelworks selling and Aozora Trading buying: list,
inquire, answer, propose, confirm, mark paid, confirm receipt, settle through the transfer
prefilled from the deal, and see the statistics move. Every screen is captured in
Japanese and English at 1280 and 390 px, with no horizontal overflow and no axe-core
violation at any impact level. The figures shown are checked against the API's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE, expect_api_text

pytestmark = pytest.mark.e2e

JST = ZoneInfo("Asia/Tokyo")
#: The board's screens are also checked with axe at 390 px (stacked tables, wrapped forms).
MOBILE_AXE.update({"matching-board", "matching-listing-inquirer", "matching-thread", "matching-deal-proposed", "matching-statistics"})

SELLER, BUYER = "kanto", "aozora"
QUANTITY, MIN_LOT, PRICE = 60, 10, 1_275
DEAL_QUANTITY, DEAL_PRICE = 30, 1_260


@contextmanager
def refused(p: Any, method: str, path: str) -> Iterator[dict[str, Any]]:
    """The API's error body for the page's next `method` request to `path` (filled in when the block ends)."""
    error: dict[str, Any] = {}
    with p.page.expect_response(lambda r: r.request.method == method and r.url.split("?")[0].endswith(path)) as info:
        yield error
    body = info.value.json()
    assert "error" in body, (info.value.status, body)
    error.update(body["error"])


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


def today() -> str:
    return datetime.now(JST).date().isoformat()


def yen(value: int) -> str:
    return f"{value:,} 円"


def statistics(registry: Any) -> dict[str, Any]:
    return registry.get(SELLER, "/market/statistics", **{"from": (datetime.now(JST).date() - timedelta(days=30)).isoformat(),
                                                         "to": today(), "group": "day"})


def unread(registry: Any, username: str) -> int:
    return registry.get(username, "/notifications")["unread"]


def test_a_deal_goes_from_listing_to_settlement_through_the_screens_and_moves_the_statistics(portal, registry):
    before = statistics(registry)
    seller_balance = registry.balance(SELLER)["balance"]
    buyer_balance = registry.balance(BUYER)["balance"]

    # --- the seller lists 60 t of JPA ---------------------------------------------------------------
    seller = portal()
    seller.login(SELLER)
    expect(seller.page.locator("#nav-matching a")).to_have_text(["掲示板", "自社の掲示", "事前交渉", "取引統計"])
    # The statistics before: the demo's month of settled deals.
    seller.page.click("#nav-market-statistics")
    expect(seller.page.locator("#stats-total-deals")).to_have_text(f"{before['total']['deals']:,}")
    expect(seller.page.locator("#stats-total-volume")).to_have_text(f"{before['total']['volume_t']:,} t-CO2")
    seller.page.click("#nav-my-listings")
    expect(seller.page.locator("#page-title")).to_have_text("自社の掲示")
    # The page's own checks first: a lot above the quantity, a price that is not a whole number.
    seller.page.fill("#new-quantity", str(QUANTITY))
    seller.page.fill("#new-min_lot", str(QUANTITY + 1))
    seller.page.fill("#new-price_yen", "1275.5")
    seller.page.click("#new-submit")
    expect(seller.page.locator("#error-summary")).to_be_focused()
    expect(seller.page.locator('[data-error-for="new-min_lot"]')).to_contain_text("最低取引単位は数量以下にしてください。")
    expect(seller.page.locator('[data-error-for="new-price_yen"]')).to_contain_text("価格は1以上の整数（円）で入力してください。")
    # A validity in the past: the API refuses it in its own words, next to the field.
    seller.page.fill("#new-min_lot", str(MIN_LOT))
    seller.page.fill("#new-price_yen", "１，２７５")  # full width, as typed in Japanese
    seller.page.fill("#new-valid_until", "2020-01-01")
    seller.page.fill("#new-notes", "<b>振込は5営業日以内</b>")
    with refused(seller, "POST", "/listings") as refusal:
        seller.page.click("#new-submit")
    assert refusal["code"] in ("INVALID_LISTING", "VALIDATION_ERROR")
    expect_api_text(seller, seller.page.locator('[data-error-for="new-valid_until"]').first, refusal)
    valid_until = (datetime.now(JST).date() + timedelta(days=20)).isoformat()
    seller.page.fill("#new-valid_until", valid_until)
    with seller.page.expect_response(lambda r: r.url.endswith("/listings") and r.request.method == "POST") as posted:
        seller.page.click("#new-submit")
    listing = posted.value.json()
    assert (listing["side"], listing["unit_type"], listing["quantity"], listing["min_lot"], listing["price_yen"], listing["notes"]) == (
        "sell", "JPA", QUANTITY, MIN_LOT, PRICE, "<b>振込は5営業日以内</b>")
    expect(seller.page.locator("#mine-status")).to_contain_text(listing["id"])
    expect(seller.page.locator(f"#mine-table tr[data-listing='{listing['id']}']")).to_contain_text("掲示中")
    capture_clean(seller, "matching-mine")

    # --- the buyer finds it on the board (no name shown), filtered and sorted -----------------------------
    buyer = portal()
    buyer.login(BUYER)
    buyer.page.click("#nav-board")
    buyer.page.select_option("#board-side", "sell")
    buyer.page.fill("#board-min_price", str(PRICE))
    buyer.page.fill("#board-max_price", str(PRICE))
    buyer.page.select_option("#board-sort", "price_asc")
    buyer.page.click("#board-search")
    row = buyer.page.locator(f"#board-table tr[data-listing='{listing['id']}']")
    expect(row).to_contain_text("1,275 円/t-CO2")
    expect(row).to_contain_text("60")
    board = registry.get(BUYER, "/listings", side="sell", min_price=PRICE, max_price=PRICE, sort="price", order="asc")
    expect(buyer.page.locator("#board-table tbody tr")).to_have_count(len(board["items"]))
    assert "関東製鋼" not in buyer.text("#board-table")
    capture_clean(buyer, "matching-board")
    # A price range upside down is the page's own refusal.
    buyer.page.fill("#board-min_price", "2000")
    buyer.page.fill("#board-max_price", "1000")
    buyer.page.click("#board-search")
    expect(buyer.page.locator('[data-error-for="board-min_price"]')).to_contain_text("下限価格は上限価格以下にしてください。")

    # --- the buyer inquires; the lister's name stays hidden -----------------------------------------------
    buyer.go(f"#/listing/{listing['id']}")
    expect(buyer.page.locator("#listing-price")).to_have_text("1,275 円/t-CO2")
    expect(buyer.page.locator("#listing-lister")).to_have_text("非公開（掲示者の回答後に表示）")
    expect(buyer.page.locator("#listing-notes")).to_have_text("<b>振込は5営業日以内</b>")  # shown inert, as text
    assert buyer.page.locator("#listing-notes b").count() == 0
    capture_clean(buyer, "matching-listing-inquirer")
    buyer.page.fill("#inquiry-message", "30 t を 1,260 円で購入を検討しています。")
    with buyer.page.expect_response(lambda r: r.url.endswith("/inquiries") and r.request.method == "POST") as opened:
        buyer.page.click("#inquire")
    inquiry = opened.value.json()
    expect(buyer.page.locator("#page-title")).to_have_text("問合せのやり取り")
    expect(buyer.page.locator("#thread-counterparty")).to_have_text("非公開（掲示者の回答後に表示）")
    expect(buyer.page.locator("#thread-messages li")).to_have_count(1)

    # --- the seller sees the notification, answers; the buyer then sees the seller's name --------------------
    assert unread(registry, SELLER) >= 1
    seller.go("#/board")  # any route asks for the count again
    expect(seller.page.locator("#notifications-unread")).to_have_text(str(unread(registry, SELLER)))
    seller.page.click("#notifications-link")
    expect(seller.page.locator("#notifications-list li.unread").first).to_be_visible()
    capture_clean(seller, "matching-notifications")
    seller.page.locator(f"#notifications-list li[data-ref='inquiry:{inquiry['id']}'][data-kind='inquiry'] a").click()
    expect(seller.page.locator("#page-title")).to_have_text("問合せのやり取り")
    expect(seller.page.locator("#thread-counterparty")).to_have_text("あおぞら商事株式会社")
    seller.page.fill("#reply-text", "30 t、1,260 円で承ります。")
    seller.page.click("#reply-send")
    expect(seller.page.locator("#thread-status")).to_have_text("メッセージを送信しました。")
    expect(seller.page.locator("#thread-messages li")).to_have_count(2)

    buyer.go(f"#/listing/{listing['id']}")
    expect(buyer.page.locator("#listing-lister")).to_have_text("関東製鋼株式会社")  # the lister answered: named now
    expect(buyer.page.locator("#inquiry-message")).to_have_count(0)  # the thread is open already
    buyer.page.click("#listing-thread-link")
    expect(buyer.page.locator("#thread-counterparty")).to_have_text("関東製鋼株式会社")
    expect(buyer.page.locator("#thread-messages li")).to_have_count(2)
    capture_clean(buyer, "matching-thread")

    # --- the buyer proposes 30 t at 1,260 yen; the seller confirms ----------------------------------------
    buyer.page.fill("#propose-quantity", str(QUANTITY + 1))  # above the open quantity: the API's refusal
    buyer.page.fill("#propose-price_yen", str(DEAL_PRICE))
    with refused(buyer, "POST", "/deals") as refusal:
        buyer.page.click("#propose")
    expect_api_text(buyer, buyer.page.locator('[data-error-for="propose-quantity"]').first, refusal)
    buyer.page.fill("#propose-quantity", str(DEAL_QUANTITY))
    with buyer.page.expect_response(lambda r: r.url.endswith("/deals") and r.request.method == "POST") as proposed:
        buyer.page.click("#propose")
    deal = proposed.value.json()
    assert (deal["status"], deal["quantity"], deal["price_yen"], deal["amount_yen"]) == (
        "proposed", DEAL_QUANTITY, DEAL_PRICE, DEAL_QUANTITY * DEAL_PRICE)
    expect(buyer.page.locator("#deal-amount")).to_have_text(yen(DEAL_QUANTITY * DEAL_PRICE))
    expect(buyer.page.locator("#deal-next")).to_have_text("相手方の回答を待っています。")
    expect(buyer.page.locator("#deal-confirm")).to_have_count(0)  # never the proposer's to confirm
    expect(buyer.page.locator(".steps li.current")).to_contain_text("提案")

    seller.go(f"#/deal/{deal['id']}")
    expect(seller.page.locator("#deal-confirm")).to_be_visible()
    expect(seller.page.locator("#deal-decline")).to_be_visible()
    expect(seller.page.locator("#deal-mark_paid")).to_have_count(0)
    capture_clean(seller, "matching-deal-proposed")
    seller.page.click("#deal-confirm")
    expect(seller.page.locator("#deal-confirm-confirm")).to_be_focused()
    seller.page.click("#deal-confirm-confirm")
    expect(seller.page.locator("#deal-status")).to_contain_text("合意しました。")
    expect(seller.page.locator("section.deal")).to_have_attribute("data-status", "confirmed")
    expect(seller.page.locator("#deal-mark_received")).to_have_count(0)  # the buyer pays first

    # --- the buyer marks it paid, the seller confirms receipt ---------------------------------------------
    buyer.page.click("#deal-refresh")  # the seller's confirmation, without reloading the page
    expect(buyer.page.locator(".steps li.current")).to_contain_text("合意")
    buyer.page.click("#deal-mark_paid")
    buyer.page.click("#deal-mark_paid-confirm")
    expect(buyer.page.locator("section.deal")).to_have_attribute("data-status", "paid")
    expect(buyer.page.locator("#deal-settle")).to_have_count(0)
    capture_clean(buyer, "matching-deal-paid")

    seller.page.reload()
    seller.page.click("#deal-mark_received")
    seller.page.click("#deal-mark_received-confirm")
    expect(seller.page.locator("section.deal")).to_have_attribute("data-status", "received")

    # --- the seller settles through the transfer prefilled from the deal ---------------------------------
    current = registry.get(SELLER, f"/deals/{deal['id']}")
    assert current["next_actions"] == ["settle"]
    seller.page.click("#deal-settle")
    expect(seller.page.locator("#deal-notice")).to_contain_text(deal["id"])
    expect(seller.page.locator("#to_account")).to_have_value(current["buyer_account"])
    expect(seller.page.locator("#lines-0-unit_type")).to_have_value("JPA")
    expect(seller.page.locator("#lines-0-amount")).to_have_value(str(DEAL_QUANTITY))
    capture_clean(seller, "matching-settle-input")
    seller.page.click("#to-confirm")
    expect(seller.page.locator("#confirm-to")).to_have_text(current["buyer_account"])
    expect(seller.page.locator("#confirm-total")).to_have_text(f"{DEAL_QUANTITY} t-CO2")
    with seller.page.expect_request(lambda r: r.url.endswith("/transfers") and r.method == "POST") as sent:
        seller.page.click("#execute")
    assert sent.value.post_data_json["deal_id"] == deal["id"]
    expect(seller.page.locator("#tx-number")).to_be_visible()
    transaction_id = seller.text("#tx-number")

    settled = registry.get(SELLER, f"/deals/{deal['id']}")
    assert (settled["status"], settled["transaction_id"]) == ("settled", transaction_id)
    assert registry.get(SELLER, f"/transactions/{transaction_id}")["deal_ref"] == deal["id"]
    assert registry.balance(SELLER)["balance"] == seller_balance - DEAL_QUANTITY
    assert registry.balance(BUYER)["balance"] == buyer_balance + DEAL_QUANTITY
    # Settled: the prefilled transfer is not offered again (nor to the buyer).
    buyer.go(f"#/settle/{deal['id']}")
    expect(buyer.page.locator("#load-error")).to_contain_text(f"取引 {deal['id']} は、いま移転を申請できる状態ではありません。")
    expect(buyer.page.locator("#to-confirm")).to_have_count(0)
    # The transaction's details name the deal, for both sides.
    buyer.go(f"#/history/{transaction_id}")
    expect(buyer.page.locator("#detail-deal")).to_have_text(deal["id"])
    seller.page.click("#deal-notice-link")
    expect(seller.page.locator("section.deal")).to_have_attribute("data-status", "settled")
    expect(seller.page.locator(".steps li.current")).to_contain_text("決済")
    expect(seller.page.locator("#deal-transaction")).to_have_text(transaction_id)
    capture_clean(seller, "matching-deal-settled")

    # The listing's open quantity went down by the deal's.
    assert registry.get(SELLER, f"/listings/{listing['id']}")["open_quantity"] == QUANTITY - DEAL_QUANTITY

    # --- the statistics moved by exactly this deal --------------------------------------------------------
    after = statistics(registry)
    assert after["total"]["deals"] == before["total"]["deals"] + 1
    assert after["total"]["volume_t"] == before["total"]["volume_t"] + DEAL_QUANTITY
    assert after["total"]["amount_yen"] == before["total"]["amount_yen"] + DEAL_QUANTITY * DEAL_PRICE
    buyer.page.click("#nav-market-statistics")
    for lang in ("ja", "en"):
        buyer.set_lang(lang)
        expect(buyer.page.locator("#stats-total-deals")).to_have_text(f"{after['total']['deals']:,}")
        expect(buyer.page.locator("#stats-total-volume")).to_have_text(f"{after['total']['volume_t']:,} t-CO2")
        expect(buyer.page.locator(f"#stats-table tr[data-key='{today()}']")).to_be_visible()
    buyer.set_lang("ja")
    day = next(row for row in after["rows"] if row["key"] == today())
    expect(buyer.page.locator(f"#stats-table tr[data-key='{today()}']")).to_contain_text(f"{day['average_price_yen']:,} 円/t-CO2")
    # The chart is drawn by the vendored Chart.js, one point per priced row.
    chart = buyer.page.locator("#stats-chart")
    expect(chart).to_have_attribute("data-points", str(sum(1 for row in after["rows"] if row["average_price_yen"] is not None)))
    assert buyer.page.evaluate("typeof window.Chart === 'function' && window.Chart.version") == "4.6.1"
    assert buyer.page.evaluate("document.getElementById('stats-chart').width") > 0
    capture_clean(buyer, "matching-statistics")


def test_a_verifier_reads_the_board_and_the_statistics_but_is_offered_no_listing_or_deal(portal, registry):
    p = portal()
    p.login("verifier")
    expect(p.page.locator("#nav-matching a")).to_have_text(["掲示板", "取引統計"])
    p.page.click("#nav-board")
    expect(p.page.locator("#board-table tbody tr")).to_have_count(len(registry.get("verifier", "/listings", sort="date", order="desc")["items"]))
    first = p.page.locator("#board-table tbody tr").first.get_attribute("data-listing")
    p.page.click(f"#listing-link-{first}")
    expect(p.page.locator("#listing-price")).to_be_visible()
    expect(p.page.locator("#inquiry-message")).to_have_count(0)  # reading only
    expect(p.page.locator("#edit-listing")).to_have_count(0)
    p.page.click("#nav-market-statistics")
    expect(p.page.locator("#stats-total-deals")).to_have_text(f"{statistics(registry)['total']['deals']:,}")
    # By phase: the phases the API knows (compliance management's), or a sentence saying there are none.
    p.page.fill("#stats-from", "2025-04-01")
    p.page.select_option("#stats-group", "phase")
    p.page.click("#stats-show")
    phases = registry.get("verifier", "/market/statistics", **{"from": "2025-04-01", "to": today(), "group": "phase"})
    if phases["rows"]:
        expect(p.page.locator("#stats-table tbody tr")).to_have_count(len(phases["rows"]))
    else:
        expect(p.page.locator("#stats-empty")).to_contain_text("重なる期がありません")
    expect(p.page.locator("#stats-total-deals")).to_have_text(f"{phases['total']['deals']:,}")


def test_the_lister_edits_and_withdraws_a_listing_which_then_refuses_inquiries(portal, registry):
    p = portal()
    p.login("minato")
    p.go("#/my-listings")
    p.set_lang("en")
    p.page.select_option("#new-side", "buy")
    p.page.fill("#new-quantity", "40")
    p.page.fill("#new-min_lot", "20")
    p.page.fill("#new-price_yen", "1190")
    with p.page.expect_response(lambda r: r.url.endswith("/listings") and r.request.method == "POST") as posted:
        p.page.click("#new-submit")
    listing = posted.value.json()
    p.page.click(f"#mine-table tr[data-listing='{listing['id']}'] a")
    expect(p.page.locator("#listing-lister")).to_have_text("Your organisation")
    p.page.click("#edit-listing")
    expect(p.page.locator("#edit-price_yen")).to_be_focused()
    p.page.fill("#edit-price_yen", "1210")
    p.page.fill("#edit-quantity", "50")
    p.page.fill("#edit-notes", "Payment within 3 business days")
    p.page.click("#edit-save")
    expect(p.page.locator("#listing-status")).to_have_text("The listing has been changed.")
    expect(p.page.locator("#listing-price")).to_have_text("¥1,210 per t-CO2")
    changed = registry.get("minato", f"/listings/{listing['id']}")
    assert (changed["price_yen"], changed["quantity"], changed["notes"]) == (1210, 50, "Payment within 3 business days")
    capture_clean(p, "matching-listing-lister")

    p.page.click("#withdraw")
    p.page.click("#withdraw-confirm")
    expect(p.page.locator("#listing-status")).to_have_text("The listing has been withdrawn.")
    expect(p.page.locator("#listing-status-badge")).to_have_text("Withdrawn")
    assert registry.get("minato", f"/listings/{listing['id']}")["status"] == "withdrawn"

    # Another organisation can no longer inquire: the page offers no form, and the API refuses.
    q = portal()
    q.login("kanto")
    q.go(f"#/listing/{listing['id']}")
    expect(q.page.locator("#listing-status-badge")).to_have_text("取下げ済み")
    expect(q.page.locator("#inquiry-message")).to_have_count(0)
    import requests

    refused = requests.post(f"{registry.base}/listings/{listing['id']}/inquiries", json={"message": "still there?"}, timeout=10,
                            headers={"Authorization": f"Bearer {registry.token('kanto')}"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "LISTING_NOT_OPEN"), refused.text


def _post(registry: Any, username: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import requests

    response = requests.post(f"{registry.base}{path}", json=body, timeout=10, headers={"Authorization": f"Bearer {registry.token(username)}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_the_board_filters_by_side_unit_type_and_price_sorts_and_pages_as_the_api_does(portal, registry):
    valid_until = (datetime.now(JST).date() + timedelta(days=10)).isoformat()
    for index in range(23):  # more than a page of buy listings for jCER
        _post(registry, "aozora", "/listings", {"side": "buy", "unit_type": "jCER", "quantity": 10 + index, "min_lot": 5,
                                               "price_yen": 900 + 7 * index, "valid_until": valid_until})
    first = registry.get("kanto", "/listings", side="buy", unit_type="jCER", sort="price", order="desc", limit=20)
    second = registry.get("kanto", "/listings", side="buy", unit_type="jCER", sort="price", order="desc", limit=20, cursor=first["next_cursor"])
    assert len(first["items"]) == 20 and second["items"]

    p = portal()
    p.login("kanto")
    p.page.click("#nav-board")
    p.set_lang("en")
    p.page.select_option("#board-side", "buy")
    p.page.select_option("#board-unit_type", "jCER")
    p.page.select_option("#board-sort", "price_desc")
    p.page.click("#board-search")
    rows = p.page.locator("#board-table tbody tr")
    expect(rows).to_have_count(20)
    assert [rows.nth(i).get_attribute("data-listing") for i in range(20)] == [item["id"] for item in first["items"]]
    expect(rows.first).to_contain_text(f"¥{first['items'][0]['price_yen']:,} per t-CO2")
    expect(p.page.locator("#board-prev")).to_be_disabled()
    p.page.click("#board-next")
    expect(p.page.locator("#board-page")).to_have_text("Page 2")
    expect(p.page.locator("#board-results-title")).to_be_focused()
    expect(rows).to_have_count(len(second["items"]))
    assert [rows.nth(i).get_attribute("data-listing") for i in range(len(second["items"]))] == [item["id"] for item in second["items"]]
    p.page.click("#board-prev")
    expect(p.page.locator("#board-page")).to_have_text("Page 1")
    expect(rows.first).to_have_attribute("data-listing", first["items"][0]["id"])

    # A price range: only the listings within it, cheapest first.
    p.page.fill("#board-min_price", "950")
    p.page.fill("#board-max_price", "1000")
    p.page.select_option("#board-sort", "price_asc")
    p.page.click("#board-search")
    within = registry.get("kanto", "/listings", side="buy", unit_type="jCER", min_price=950, max_price=1000, sort="price", order="asc")
    assert within["items"] and all(950 <= item["price_yen"] <= 1000 for item in within["items"])
    expect(rows).to_have_count(len(within["items"]))
    assert [rows.nth(i).get_attribute("data-listing") for i in range(len(within["items"]))] == [item["id"] for item in within["items"]]
    expect(p.page.locator("#board-next")).to_be_disabled()
    # Nothing matches: said so.
    p.page.fill("#board-min_price", "9999999")
    p.page.fill("#board-max_price", "")
    p.page.click("#board-search")
    expect(p.page.locator("#board-empty")).to_have_text("No listing matches these conditions.")


def test_only_the_side_whose_turn_it_is_gets_the_buttons_and_a_counter_proposal_is_a_new_version_that_may_be_declined(portal, registry):
    valid_until = (datetime.now(JST).date() + timedelta(days=10)).isoformat()
    listing = _post(registry, "minato", "/listings", {"side": "sell", "unit_type": "JPA", "quantity": 50, "min_lot": 10, "price_yen": 1300,
                                                     "valid_until": valid_until})
    thread = _post(registry, "kanto", f"/listings/{listing['id']}/inquiries", {"message": "20 t?"})
    deal = _post(registry, "kanto", "/deals", {"inquiry_id": thread["id"], "quantity": 20, "price_yen": 1280})

    # The seller (Minato) answers with other terms: version 2, now the buyer's to answer.
    seller = portal()
    seller.login("minato")
    seller.go(f"#/deal/{deal['id']}")
    expect(seller.page.locator("#deal-role")).to_have_text("売り手")
    expect(seller.page.locator("#deal-mark_paid")).to_have_count(0)
    seller.page.click("#deal-propose")
    expect(seller.page.locator("#counter-quantity")).to_be_focused()
    seller.page.fill("#counter-price_yen", "0")
    seller.page.click("#counter-send")
    expect(seller.page.locator('[data-error-for="counter-price_yen"]')).to_contain_text("価格は1以上の整数（円）で入力してください。")
    seller.page.fill("#counter-price_yen", "1295")
    seller.page.click("#counter-send")
    expect(seller.page.locator("#deal-status")).to_have_text("新しい版を提案しました。")
    expect(seller.page.locator("#deal-versions tbody tr")).to_have_count(2)
    expect(seller.page.locator("#deal-confirm")).to_have_count(0)
    assert registry.get("minato", f"/deals/{deal['id']}")["version"] == 2

    buyer = portal()
    buyer.login("kanto")
    buyer.go(f"#/deal/{deal['id']}")
    buyer.set_lang("en")
    expect(buyer.page.locator("#deal-price")).to_have_text("¥1,295 per t-CO2")
    expect(buyer.page.locator("#deal-proposed-by")).to_have_text("Seller (version 2)")
    # Meanwhile the seller changes the terms again: confirming the version read is refused in the API's words.
    _post(registry, "minato", "/deals", {"inquiry_id": thread["id"], "quantity": 20, "price_yen": 1290})
    buyer.page.click("#deal-confirm")
    with refused(buyer, "POST", f"/deals/{deal['id']}/confirm") as refusal:
        buyer.page.click("#deal-confirm-confirm")
    assert refusal["code"] == "DEAL_VERSION_CHANGED"
    expect_api_text(buyer, buyer.page.locator("#deal-action-error"), refusal)
    expect(buyer.page.locator("#deal-price")).to_have_text("¥1,290 per t-CO2")  # the deal as it is now
    capture_clean(buyer, "matching-deal-refused")
    buyer.page.click("#deal-decline")
    buyer.page.click("#deal-decline-confirm")
    expect(buyer.page.locator("#deal-status")).to_have_text("You have declined the proposal.")
    expect(buyer.page.locator("#deal-status-badge")).to_have_text("Declined")
    expect(buyer.page.locator(".deal-actions .actions button, #deal-propose")).to_have_count(0)
    assert registry.get("kanto", f"/deals/{deal['id']}")["status"] == "declined"
    assert registry.get("kanto", f"/listings/{listing['id']}")["open_quantity"] == 50
