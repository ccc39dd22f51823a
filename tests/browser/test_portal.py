"""The participant portal in a real browser against the real local stack (as `make run`
starts it): sign-in, the header, balance, transfer, history, retirement, help, languages,
logout and session expiry. Every screen is captured in Japanese and English at 1280 and
390 px, checked for horizontal overflow and with axe-core.

The tests share one registry and run in file order; each one reads the figures it needs
from the API before it acts, so it does not depend on what the others moved.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, admin, answered, api_error_body, approved, expect_api_text, user

pytestmark = pytest.mark.e2e

JST = ZoneInfo("Asia/Tokyo")


def amount(value: int) -> str:
    return f"{value:,} t-CO2"


def session_json(portal) -> dict:
    return portal.page.evaluate("JSON.parse(sessionStorage.getItem('jvets.session') || 'null')")


# --- sign-in and the header -----------------------------------------------------------------------


def test_the_login_page_is_japanese_by_default_and_a_wrong_password_is_explained_in_both_languages(portal):
    p = portal()
    p.open()
    assert p.lang() == "ja"
    expect(p.page.locator("#page-title")).to_have_text("ログイン")
    expect(p.page).to_have_title(re.compile("ログイン"))
    p.capture("login")

    p.page.click("#login-submit")  # nothing typed: our own messages, next to each field
    expect(p.page.locator('[data-error-for="username"]')).to_have_text("入力してください。")
    expect(p.page.locator('[data-error-for="password"]')).to_have_text("入力してください。")

    p.page.fill("#username", "kanto")
    p.page.fill("#password", "not-the-password")
    with answered(p, "/auth/login") as refusal:
        p.page.click("#login-submit")
    assert refusal["code"] == "AUTH_FAILED"
    error = p.page.locator("#login-error")
    expect_api_text(p, error, refusal)
    p.set_lang("en")
    expect(p.page.locator("#page-title")).to_have_text("Sign in")
    p.capture("login-error")


def test_a_first_sign_in_sets_a_new_password_and_a_refused_one_is_explained(portal, stack):
    import boto3

    admin(stack, "create_user", {"username": "newcomer", "email": "newcomer@example.jp", "org_id": "aozora-trading", "role": "participant"})
    environment = stack["info"]["environment"]
    cognito = boto3.client("cognito-idp", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name=environment["AWS_REGION"],
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    # Cognito mails a temporary password; set a known one the same way.
    cognito.admin_set_user_password(UserPoolId=environment["USER_POOL_ID"], Username="newcomer",
                                    Password="Temporary-Pass-2026!", Permanent=False)
    p = portal()
    p.open("#/login")
    p.page.fill("#username", "newcomer")
    p.page.fill("#password", "Temporary-Pass-2026!")
    p.page.click("#login-submit")
    expect(p.page.locator("#page-title")).to_have_text("新しいパスワードの設定")
    p.capture("new-password")

    p.page.fill("#new_password", "too-short")
    p.page.click("#new-password-submit")
    expect(p.page.locator('[data-error-for="new_password"]')).to_have_text("12文字以上で入力してください。")
    p.page.fill("#new_password", "alllowercase1")
    p.page.fill("#confirm_password", "alllowercase2")
    p.page.click("#new-password-submit")
    expect(p.page.locator('[data-error-for="confirm_password"]')).to_have_text("確認用のパスワードが一致しません。")
    p.page.fill("#confirm_password", "alllowercase1")
    with answered(p, "/auth/new-password") as refusal:
        p.page.click("#new-password-submit")  # long enough, but the pool's policy refuses it
    assert refusal["code"] == "INVALID_PASSWORD"
    expect_api_text(p, p.page.locator('[data-error-for="new_password"]'), refusal)
    p.set_lang("en")
    p.page.fill("#new_password", "Chosen-By-Me-2026!")
    p.page.fill("#confirm_password", "Chosen-By-Me-2026!")
    p.page.click("#new-password-submit")
    expect(p.page.locator("#header-user")).to_contain_text("newcomer")
    expect(p.page.locator("#page-title")).to_have_text("Balance")


def test_an_administrator_enrols_an_authenticator_then_signs_in_with_a_code(portal, stack):
    from devtools.totp import code

    admin(stack, "create_user", {"username": "portal-admin", "email": "portal-admin@example.jp", "org_id": "moe",
                                 "role": "admin", "password": "Portal-Admin-2026!"})
    p = portal()
    p.open("#/login")
    p.page.fill("#username", "portal-admin")
    p.page.fill("#password", "Portal-Admin-2026!")
    p.page.click("#login-submit")
    expect(p.page.locator("#page-title")).to_have_text("多要素認証の設定")
    secret = p.text("#mfa-secret").strip()
    assert len(secret) >= 8
    assert p.page.locator("#mfa-link").get_attribute("href").startswith("otpauth://totp/")
    p.capture("mfa-setup")

    p.page.fill("#code", "12ab")
    p.page.click("#mfasetup-submit")
    expect(p.page.locator('[data-error-for="code"]')).to_have_text("6桁の数字で入力してください。")
    wrong = next(c for c in ("000000", "111111", "222222") if c not in {code(secret, time.time() + d) for d in (-30, 0, 30)})
    p.page.fill("#code", wrong)
    p.page.click("#mfasetup-submit")
    expect(p.page.locator('[data-error-for="code"]')).to_contain_text("MFA_CODE_INVALID")
    p.page.fill("#code", code(secret))
    p.page.click("#mfasetup-submit")
    expect(p.page.locator("#notice")).to_have_text("認証アプリを登録しました。パスワードと確認コードでもう一度ログインしてください。")
    expect(p.page.locator("#username")).to_have_value("portal-admin")

    p.page.fill("#password", "Portal-Admin-2026!")
    p.page.click("#login-submit")
    expect(p.page.locator("#page-title")).to_have_text("確認コードの入力")
    p.capture("mfa-code")
    p.set_lang("en")
    expect(p.page.locator("#page-title")).to_have_text("Enter your code")
    p.page.fill("#code", code(secret))
    p.page.click("#mfa-submit")
    expect(p.page.locator("#header-user")).to_contain_text("portal-admin")


def test_the_header_shows_the_organisation_the_user_the_jst_clock_and_the_trading_window(portal, stack):
    p = portal()
    p.login("kanto")
    expect(p.page.locator("#header-org")).to_have_text("関東製鋼株式会社")
    expect(p.page.locator("#header-user")).to_contain_text("kanto")
    expect(p.page.locator("#market-badge")).to_have_attribute("data-status", "open")
    expect(p.page.locator("#market-badge")).to_have_text("取引時間中")
    # The browser runs on London time; the clock shows Japan's date and hour.
    clock = p.page.locator("#clock")
    expect(clock).to_contain_text(datetime.now(JST).strftime("%Y/%m/%d"))
    assert datetime.now(JST).strftime("%H:") in clock.inner_text() or datetime.now(JST).strftime("%M") == "00"
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=3_000)  # ticks every second without a reload
    for link in ("#nav-balance", "#nav-transfer", "#nav-retire", "#nav-history", "#help-link", "#lang-toggle", "#logout"):
        expect(p.page.locator(link)).to_be_visible()
    p.set_lang("en")
    expect(p.page.locator("#header-org")).to_have_text("Kanto Steelworks Co., Ltd.")
    expect(p.page.locator("#market-badge")).to_have_text("Open")


def test_the_trading_window_in_the_header_refreshes_without_a_reload_and_a_closed_window_refuses_transfers(portal, stack):
    p = portal()
    p.page.clock.install()
    p.login("kanto")
    p.go("#/transfer")
    p.page.wait_for_selector("#to_account")
    expect(p.page.locator("#market-badge")).to_have_attribute("data-status", "open")
    expect(p.page.locator("#market-notice")).to_have_count(0)
    p.page.fill("#to_account", user(stack, "minato")["accounts"][0])
    p.page.fill("#lines-0-amount", "1")
    p.page.click("#to-confirm")
    expect(p.page.locator("#execute")).to_be_visible()

    admin(stack, "set_market", {"action": "force_close", "reason": "browser tests"})
    try:
        p.page.clock.fast_forward(31_000)  # the next poll of /market
        expect(p.page.locator("#market-badge")).to_have_attribute("data-status", "closed")
        expect(p.page.locator("#market-badge")).to_have_text("取引時間外")
        expect(p.page.locator("#market-notice")).to_be_visible()
        with answered(p, "/transfers") as refusal:
            p.page.click("#execute")
        assert refusal["code"] == "MARKET_CLOSED"
        error = p.page.locator("#send-error")
        expect_api_text(p, error, refusal)
        p.capture("transfer-market-closed")
        p.set_lang("en")
        # Halted by the secretariat: the reason is the administrator's text, shown as text.
        approved(stack, "set_market", {"action": "halt", "reason": "<b>Registry maintenance</b>"})
        p.page.clock.fast_forward(31_000)
        expect(p.page.locator("#market-badge")).to_have_attribute("data-status", "halted")
        expect(p.page.locator("#market-badge")).to_have_text("Halted")
        expect(p.page.locator("#market-extra")).to_contain_text("Reason: <b>Registry maintenance</b>")
        expect(p.page.locator("#market-notice")).to_contain_text("Trading has been halted by the secretariat.")
    finally:
        approved(stack, "set_market", {"action": "resume"})  # only an approved resume ends a halt
        admin(stack, "set_market", {"action": "force_open", "reason": "browser tests"})
    p.page.clock.fast_forward(31_000)
    expect(p.page.locator("#market-badge")).to_have_attribute("data-status", "open")
    expect(p.page.locator("#market-notice")).to_have_count(0)


# --- balance -------------------------------------------------------------------------------------


def test_the_balance_screen_shows_the_seed_figures_and_the_holdings_and_prints_cleanly(portal, registry):
    expected = registry.balance("kanto")
    p = portal()
    p.login("kanto")
    expect(p.page.locator("#page-title")).to_have_text("残高照会")
    expect(p.page.locator("#balance-account")).to_have_text(registry.account("kanto"))
    expect(p.page.locator("#balance-holder")).to_have_text("関東製鋼株式会社")
    expect(p.page.locator("#balance-balance")).to_have_text(amount(expected["balance"]))
    expect(p.page.locator("#balance-reserve")).to_have_text(amount(expected["commitment_reserve"]))
    expect(p.page.locator("#balance-transferable")).to_have_text(amount(expected["transferable"]))
    assert (expected["balance"], expected["commitment_reserve"], expected["transferable"]) == (1125, 800, 325)
    rows = p.page.locator("#holdings tbody tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).locator("td").last.inner_text() for i in range(4)] == ["50", "50", "1,000", "25"]
    third = rows.nth(2).locator("td")
    assert [third.nth(i).inner_text() for i in range(7)] == ["3", "JP", "JPA", "01", "01", "－", "101 ～ 1100"]
    expect(rows.nth(3)).to_contain_text("jCER")
    expect(rows.nth(3)).to_contain_text("CDM-0001")
    p.capture("balance")

    p.page.emulate_media(media="print")
    for hidden in (".main-nav", "#print", "#lang-toggle", "#logout", ".site-footer"):
        expect(p.page.locator(hidden)).to_be_hidden()
    expect(p.page.locator("#holdings")).to_be_visible()
    expect(p.page.locator("#balance-transferable")).to_be_visible()
    p.assert_fits()
    p.page.screenshot(path=str(SCREENSHOTS / "balance-print-ja-1280.png"), full_page=True)
    pdf = p.page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    p.page.emulate_media(media="screen")
    expect(p.page.locator(".main-nav")).to_be_visible()


def test_a_participant_with_several_accounts_chooses_which_balance_to_show(portal, stack, registry):
    opened = admin(stack, "open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    first = registry.account("aozora")
    p = portal()
    p.login("aozora")
    select = p.page.locator("#balance-account-select")
    expect(select).to_be_visible()
    expect(select.locator("option")).to_have_count(2)
    expect(p.page.locator("#balance-account")).to_have_text(first)
    select.select_option(opened)
    p.page.click("form.inline-form button[type=submit]")
    expect(p.page.locator("#balance-account")).to_have_text(opened)
    expect(p.page.locator("#balance-balance")).to_have_text(amount(0))
    expect(p.page.get_by_text("この口座が保有しているクレジットはありません。")).to_be_visible()
    assert p.page.url.endswith(f"#/balance/{opened}")
    p.set_lang("en")
    expect(p.page.get_by_text("This account holds no allowances.")).to_be_visible()


# --- transfer ------------------------------------------------------------------------------------


def test_a_wrong_check_digit_and_an_amount_above_the_transferable_amount_are_explained_in_japanese_then_english(portal, registry):
    before = registry.balance("kanto")
    p = portal()
    p.login("kanto")
    p.go("#/transfer")
    receiver = p.page.locator("#to_account")
    receiver.wait_for()
    expect(p.page.locator("#sender-transferable")).to_have_text(amount(before["transferable"]))

    # Checked as the user types: nothing while the number is unfinished, then the verdict.
    receiver.press_sequentially("JP-121-1053-0-2")
    expect(p.page.locator('[data-error-for="to_account"]')).to_have_count(0)
    receiver.press_sequentially("6")
    message = p.page.locator('[data-error-for="to_account"]')
    expect(message).to_have_text("チェックデジットが一致しません。口座番号をご確認ください。")
    expect(receiver).to_have_attribute("aria-invalid", "true")
    p.set_lang("en")
    expect(message).to_have_text("The check digits do not match. Check the account number.")
    p.set_lang("ja")
    # A number with a wrong check digit is never sent.
    p.page.fill("#lines-0-amount", "1")
    p.page.click("#to-confirm")
    expect(p.page.locator("section.movement")).to_have_attribute("data-step", "input")
    expect(p.page.locator("#error-summary")).to_contain_text("チェックデジットが一致しません")
    receiver.fill("JP-121-1053-0-25")
    expect(p.page.locator("#to_account-feedback")).to_have_text("✓ 口座番号の形式とチェックデジットを確認しました。")
    expect(receiver).not_to_have_attribute("aria-invalid", "true")

    # Well formed but unknown: the API's refusal, next to the receiver field.
    p.page.click("#to-confirm")
    with answered(p, "/transfers") as refusal:
        p.page.click("#execute")
    assert refusal["code"] == "UNKNOWN_RECEIVER"
    expect_api_text(p, message, refusal)

    # More than the transferable amount: the API's refusal, next to the lines.
    receiver.fill(registry.account("minato"))
    p.page.fill("#lines-0-amount", str(before["transferable"] + 1))
    p.page.click("#to-confirm")
    expect(p.page.locator("#confirm-total")).to_have_text(amount(before["transferable"] + 1))
    with answered(p, "/transfers") as refusal:
        p.page.click("#execute")
    assert refusal["code"] == "RESERVE_BREACH"
    assert f"{before['transferable']} t-CO2" in refusal["message_ja"]
    lines_error = p.page.locator('[data-error-for="lines"]')
    expect(lines_error).to_contain_text("エラーコード: RESERVE_BREACH")
    expect_api_text(p, lines_error, refusal)
    expect(p.page.locator("#error-summary")).to_contain_text(f"{refusal['message_ja']} (RESERVE_BREACH)")
    p.capture("transfer-errors")
    p.set_lang("en")
    expect(lines_error).to_contain_text("Error code: RESERVE_BREACH")
    p.set_lang("ja")

    # More jCER than held: next to that line's amount.
    p.page.select_option("#lines-0-unit_type", "jCER")
    p.page.fill("#lines-0-amount", "26")
    p.page.click("#to-confirm")
    with answered(p, "/transfers") as refusal:
        p.page.click("#execute")
    assert refusal["code"] == "INSUFFICIENT_UNITS"
    expect_api_text(p, p.page.locator('[data-error-for="lines.0.amount"]'), refusal)
    assert registry.balance("kanto") == before  # nothing moved


def test_a_transfer_in_three_steps_moves_units_once_and_shows_in_both_histories_and_balances(portal, registry):
    kanto_before, minato_before = registry.balance("kanto"), registry.balance("minato")
    minato = registry.account("minato")
    p = portal()
    p.login("kanto")
    p.go("#/transfer")
    p.page.wait_for_selector("#to_account")
    expect(p.page.locator("#sender-transferable")).to_have_text(amount(kanto_before["transferable"]))

    p.page.fill("#to_account", minato)
    p.page.fill("#lines-0-issued_period", "01")
    p.page.fill("#lines-0-adopted_period", "1")  # one digit becomes "01"
    p.page.fill("#lines-0-amount", "100")
    for _ in range(3):
        p.page.click("#add-line")
    expect(p.page.locator("fieldset.line")).to_have_count(4)
    expect(p.page.locator("#line-count")).to_have_text("4 / 10 行")
    p.page.click("#lines-3-remove")
    p.page.click("#lines-2-remove")
    expect(p.page.locator("fieldset.line")).to_have_count(2)
    p.page.select_option("#lines-1-unit_type", "jCER")
    p.page.fill("#lines-1-project", "CDM-0001")
    p.page.fill("#lines-1-amount", "５")  # full-width digits are accepted
    p.capture("transfer-input")

    p.page.click("#to-confirm")
    expect(p.page.locator("section.movement")).to_have_attribute("data-step", "confirm")
    expect(p.page.locator("#confirm-from")).to_have_text(registry.account("kanto"))
    expect(p.page.locator("#confirm-to")).to_have_text(minato)
    expect(p.page.locator("#confirm-to-name")).to_have_text("みなと食品株式会社")  # the receiver, as the registry shows it
    expect(p.page.locator("#confirm-total")).to_have_text(amount(105))
    rows = p.page.locator("#confirm-lines tbody tr")
    expect(rows).to_have_count(2)
    assert [c.inner_text() for c in rows.nth(0).locator("td").all()] == ["1", "JPA", "01", "01", "指定なし", "100"]
    assert [c.inner_text() for c in rows.nth(1).locator("td").all()] == ["2", "jCER", "指定なし", "指定なし", "CDM-0001", "5"]
    p.capture("transfer-confirm")  # switching languages keeps the same request and key

    sent: list[dict] = []
    p.page.on("request", lambda r: sent.append({"key": r.headers.get("idempotency-key"), "body": r.post_data_json})
              if r.method == "POST" and r.url.endswith("/transfers") else None)
    p.page.locator("#execute").dblclick()
    expect(p.page.locator("#tx-number")).to_have_text(re.compile(r"^TX[0-9A-F]+$"))
    tx = p.page.locator("#tx-number").inner_text()
    assert len(sent) == 1, sent
    assert re.fullmatch(r"[0-9a-f-]{36}", sent[0]["key"])
    assert sent[0]["body"] == {"from_account": registry.account("kanto"), "to_account": minato, "lines": [
        {"unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 100},
        {"unit_type": "jCER", "project": "CDM-0001", "amount": 5}]}
    expect(p.page.locator("#done-total")).to_have_text(amount(105))
    expect(p.page.locator("#done-blocks tbody tr")).not_to_have_count(0)
    p.capture("transfer-complete")

    # Exactly one transaction, in both parties' balances and histories.
    assert [i["id"] for i in registry.history("kanto") if i["id"] == tx] == [tx]
    p.page.click("text=残高照会へ")
    expect(p.page.locator("#balance-balance")).to_have_text(amount(kanto_before["balance"] - 105))
    expect(p.page.locator("#balance-transferable")).to_have_text(amount(kanto_before["transferable"] - 105))
    p.go("#/history")
    row = p.page.locator(f'tr[data-tx-id="{tx}"]')
    expect(row).to_contain_text("国内移転")
    expect(row).to_contain_text("みなと食品株式会社")
    expect(row.locator("td").nth(6)).to_have_text("105")

    q = portal()
    q.login("minato")
    expect(q.page.locator("#balance-balance")).to_have_text(amount(minato_before["balance"] + 105))
    q.go("#/history")
    row = q.page.locator(f'tr[data-tx-id="{tx}"]')
    expect(row).to_contain_text("関東製鋼株式会社")
    expect(row.locator("td").nth(5)).to_have_text("105")
    expect(row.locator("td").nth(6)).to_have_text("")


# --- history -------------------------------------------------------------------------------------


def test_history_shows_the_last_30_days_with_totals_correction_flags_paging_and_details(portal, registry):
    expected = registry.get("kanto", f"/accounts/{registry.account('kanto')}/transactions")
    items = registry.history("kanto")
    p = portal()
    p.login("kanto")
    p.go("#/history")
    expect(p.page.locator("#history-from")).to_have_value(expected["from"])
    expect(p.page.locator("#history-to")).to_have_value(expected["to"])
    expect(p.page.locator("#history-incoming")).to_have_text(amount(expected["incoming_total"]))
    expect(p.page.locator("#history-outgoing")).to_have_text(amount(expected["outgoing_total"]))
    expect(p.page.locator("#history-table tbody tr")).to_have_count(len(items))
    corrected = p.page.locator("tr.corrected")
    expect(corrected).to_have_count(sum(1 for i in items if i["correction"]))
    expect(corrected.first).to_contain_text("訂正")
    p.capture("history")

    # Paging by next_cursor, 5 rows a page.
    assert len(items) > 5
    p.page.select_option("#history-limit", "5")
    p.page.click("#history-search")
    expect(p.page.locator("#history-table tbody tr")).to_have_count(5)
    expect(p.page.locator("#history-page")).to_have_text("1 ページ目")
    p.page.click("#history-next")
    expect(p.page.locator("#history-page")).to_have_text("2 ページ目")
    expect(p.page.locator("#history-table tbody tr")).to_have_count(min(5, len(items) - 5))
    shown = p.page.locator("#history-table tbody tr").first.get_attribute("data-tx-id")
    assert shown == items[5]["id"]
    p.page.click("#history-prev")
    expect(p.page.locator("#history-page")).to_have_text("1 ページ目")
    p.page.click("#history-next")

    # A date range with no transactions, and a reversed one refused before it is sent.
    p.page.fill("#history-from", "2020-01-01")
    p.page.fill("#history-to", "2020-01-31")
    p.page.select_option("#history-limit", "20")
    p.page.click("#history-search")
    expect(p.page.locator("#history-empty")).to_be_visible()
    expect(p.page.locator("#history-incoming")).to_have_text(amount(0))
    p.page.fill("#history-from", "2020-02-01")
    p.page.click("#history-search")
    expect(p.page.locator('[data-error-for="history-from"]')).to_have_text("照会開始日は照会終了日以前の日付を指定してください。")
    p.page.fill("#history-from", expected["from"])
    p.page.fill("#history-to", expected["to"])
    p.page.click("#history-search")

    # Details of the corrected transfer: its serial ranges and the reason.
    correction = next(i for i in items if i["correction"])
    p.page.locator(f'tr[data-tx-id="{correction["id"]}"] a.details-link').click()
    expect(p.page.locator("#detail-id")).to_have_text(correction["id"])
    record = registry.get("kanto", f"/transactions/{correction['id']}")
    blocks = p.page.locator("#detail-blocks tbody tr")
    expect(blocks).to_have_count(len(record["blocks"]))
    expect(blocks.first).to_contain_text(f"{record['blocks'][0]['serial_start']} ～ {record['blocks'][0]['serial_end']}")
    expect(p.page.locator("#detail-reason")).to_have_text(record["reason"])
    expect(p.page.locator("#detail-correction")).to_have_text("訂正")
    p.capture("transaction-details")
    p.page.click("#detail-back")
    expect(p.page.locator(f'tr[data-tx-id="{correction["id"]}"]')).to_be_visible()


# --- retirement ----------------------------------------------------------------------------------


def test_a_retirement_in_three_steps_survives_a_lost_response_without_retiring_twice(portal, registry):
    before = registry.balance("minato")
    retirements_before = [i for i in registry.history("minato") if i["type"] == "retirement"]
    p = portal()
    p.login("minato")
    p.go("#/retire")
    p.page.wait_for_selector("#compliance_period")
    expect(p.page.locator("#sender-balance")).to_have_text(amount(before["balance"]))
    expect(p.page.locator("#compliance_period")).to_have_value("01")
    p.page.fill("#lines-0-amount", "10")
    p.capture("retire-input")
    p.page.click("#to-confirm")
    expect(p.page.locator("#confirm-period")).to_have_text("01")
    expect(p.page.locator("#confirm-total")).to_have_text(amount(10))
    p.capture("retire-confirm")

    # The registry records the retirement but the answer never arrives.
    keys: list[str] = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()
            route.abort()
        else:
            route.continue_()

    p.page.route("**/retirements", lose_the_first_answer)
    p.page.click("#execute")
    error = p.page.locator("#send-error")
    expect(error).to_contain_text("サーバーに接続できませんでした。")
    expect(error).to_contain_text("NETWORK_ERROR")
    expect(p.page.locator("#execute")).to_have_text("再試行")
    p.capture("retire-retry")
    p.page.click("#execute")
    expect(p.page.locator("#tx-number")).to_be_visible()
    assert len(keys) == 2 and keys[0] == keys[1]
    p.capture("retire-complete")

    retirements = [i for i in registry.history("minato") if i["type"] == "retirement"]
    assert len(retirements) == len(retirements_before) + 1
    assert retirements[-1]["id"] == p.page.locator("#tx-number").inner_text()
    assert registry.balance("minato")["balance"] == before["balance"] - 10
    p.page.click("#again")  # a fresh retirement starts from the input
    expect(p.page.locator("section.movement")).to_have_attribute("data-step", "input")
    expect(p.page.locator("#lines-0-amount")).to_have_value("")
    expect(p.page.locator("#sender-balance")).to_have_text(amount(before["balance"] - 10))
    p.page.click("#nav-balance")
    expect(p.page.locator("#balance-balance")).to_have_text(amount(before["balance"] - 10))


# --- languages, logout, session ----------------------------------------------------------------------


def test_the_language_choice_persists_across_reloads_and_html_lang_follows(portal):
    p = portal()
    p.open()
    assert p.lang() == "ja"
    p.set_lang("en")
    assert p.page.evaluate("localStorage.getItem('jvets.lang')") == "en"
    p.page.reload()
    p.page.wait_for_selector("#page-title")
    assert p.lang() == "en"
    expect(p.page.locator("#page-title")).to_have_text("Sign in")
    expect(p.page.locator("#lang-toggle")).to_have_text("日本語")
    expect(p.page.locator("#lang-toggle")).to_have_attribute("lang", "ja")
    p.login("kanto")
    expect(p.page.locator("#page-title")).to_have_text("Balance")
    assert p.lang() == "en"
    p.page.reload()
    expect(p.page.locator("#balance-holder")).to_have_text("Kanto Steelworks Co., Ltd.")
    assert p.lang() == "en"
    p.set_lang("ja")
    p.page.reload()
    expect(p.page.locator("#page-title")).to_have_text("残高照会")
    assert p.lang() == "ja"


def test_logout_returns_to_the_login_page_and_the_screens_are_closed_afterwards(portal, stack):
    p = portal()
    p.login("kanto")
    refresh_token = session_json(p)["refreshToken"]
    with p.page.expect_response(lambda r: r.url.endswith("/auth/logout")) as logged_out:
        p.page.click("#logout")
    assert logged_out.value.status == 200
    # The refresh token was revoked in Cognito, not only forgotten by the page.
    refreshed = requests.post(f"{stack['info']['api_url']}/auth/refresh", json={"refresh_token": refresh_token}, timeout=10)
    assert (refreshed.status_code, refreshed.json()["error"]["code"]) == (401, "AUTH_FAILED")
    expect(p.page.locator("#page-title")).to_have_text("ログイン")
    expect(p.page.locator("#notice")).to_have_text("ログアウトしました。")
    assert session_json(p) is None
    expect(p.page.locator("#logout")).to_have_count(0)
    p.capture("logged-out")
    p.go("#/history")
    expect(p.page.locator("#username")).to_be_visible()
    p.page.go_back()
    expect(p.page.locator("#balance-balance")).to_have_count(0)


def test_a_refused_token_returns_to_login_keeping_the_language_and_then_to_the_same_page(portal):
    p = portal()
    p.login("kanto")
    p.set_lang("en")
    p.page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('jvets.session'));
        s.idToken = s.idToken.slice(0, -12) + 'AAAAAAAAAAAA';
        sessionStorage.setItem('jvets.session', JSON.stringify(s));
    }""")
    p.go("#/history")
    expect(p.page.locator("#notice")).to_have_text("Your session is no longer valid and you have been signed out. Please sign in again.")
    expect(p.page.locator("#page-title")).to_have_text("Sign in")
    assert p.lang() == "en" and session_json(p) is None
    p.capture("session-invalid")
    p.page.fill("#username", "kanto")
    p.page.fill("#password", user(p.stack, "kanto")["password"])
    p.page.click("#login-submit")
    expect(p.page.locator("#page-title")).to_have_text("Transfer history")  # back where the user was


def test_the_session_is_refreshed_before_it_expires_while_the_page_is_open(portal):
    p = portal()
    p.page.clock.install()
    p.login("kanto")
    before = session_json(p)
    refreshes: list[str] = []
    p.page.on("request", lambda r: refreshes.append(r.method) if r.url.endswith("/auth/refresh") else None)
    # To one minute before expiry (expires_in from the login): past the refresh margin.
    p.page.clock.fast_forward(int(before["expiresAt"] - p.page.evaluate("Date.now()")) - 60_000)
    deadline = time.monotonic() + 10
    while session_json(p)["expiresAt"] == before["expiresAt"] and time.monotonic() < deadline:
        time.sleep(0.1)
    after = session_json(p)
    assert refreshes == ["POST"]
    assert after["expiresAt"] > before["expiresAt"] and after["refreshToken"] == before["refreshToken"]
    p.go("#/history")
    expect(p.page.locator("#history-incoming")).to_be_visible()  # still signed in


def test_an_expired_session_returns_to_login_keeping_the_language(portal):
    p = portal()
    p.login("kanto")
    p.set_lang("en")
    stored = session_json(p)
    assert stored["expiresAt"] - p.page.evaluate("Date.now()") > 60_000  # from expires_in
    p.page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('jvets.session'));
        s.expiresAt = Date.now() - 1000;
        sessionStorage.setItem('jvets.session', JSON.stringify(s));
    }""")
    p.page.reload()
    expect(p.page.locator("#notice")).to_have_text("Your session has expired and you have been signed out. Please sign in again.")
    assert p.lang() == "en" and session_json(p) is None
    p.set_lang("ja")
    expect(p.page.locator("#notice")).to_have_text("セッションの有効期限が切れたため、ログアウトしました。もう一度ログインしてください。")
    p.capture("session-expired")


# --- help, text safety, keyboard, error dictionary ----------------------------------------------------


def test_the_help_page_is_in_both_languages_and_open_without_signing_in(portal):
    p = portal()
    p.open("#/help")
    expect(p.page.locator("#page-title")).to_have_text("ヘルプ・お問合せ")
    body = p.page.locator("main")
    for text in ("保有クレジット残高", "コミットメントリザーブ量", "移転可能クレジット量", "10:00～18:00", "12月29日～1月3日", "お問合せ"):
        expect(body).to_contain_text(text)
    p.capture("help")
    p.set_lang("en")
    for text in ("Reading the balance", "How to transfer", "10:00 to 18:00", "29 December to 3 January", "Contact"):
        expect(body).to_contain_text(text)
    p.login("kanto")
    p.page.click("#help-link")
    expect(p.page.locator("#page-title")).to_have_text("Help & contact")


#: The balance API, whatever page of block lines the portal asks for (?limit=…&cursor=…):
#: a glob ending in /balance would miss the paged request.
BALANCE = re.compile(r"/accounts/[^/?]+/balance(\?|$)")


def test_names_from_the_api_are_shown_as_text_never_as_html(portal, registry):
    payload = '<img src=x onerror="window.__xss=1"><b>Kanto</b>'
    p = portal()

    def poison(route):
        response = route.fetch()
        body = response.json()
        if "user" in body:
            body["user"]["org_name_ja"] = payload
        if "holder_ja" in body:
            body["holder_ja"] = payload
        route.fulfill(response=response, json=body)

    p.page.route("**/auth/login", poison)
    p.page.route(BALANCE, poison)
    p.login("kanto")
    expect(p.page.locator("#header-org")).to_have_text(payload)
    expect(p.page.locator("#balance-holder")).to_have_text(payload)
    assert p.page.locator("header img, main img, main b").count() == 0
    assert p.page.evaluate("window.__xss") is None


def test_the_portal_works_with_the_keyboard_alone(portal):
    p = portal()
    p.open("#/login")
    p.page.keyboard.press("Tab")
    assert p.page.evaluate("document.activeElement.className") == "skip-link"
    p.page.keyboard.press("Enter")
    assert p.page.evaluate("document.activeElement.id") == "main"
    for _ in range(10):
        p.page.keyboard.press("Tab")
        if p.page.evaluate("document.activeElement.id") == "username":
            break
    assert p.page.evaluate("document.activeElement.id") == "username"
    p.page.keyboard.type("kanto")
    p.page.keyboard.press("Tab")
    p.page.keyboard.type(user(p.stack, "kanto")["password"])
    p.page.keyboard.press("Enter")
    expect(p.page.locator("#balance-balance")).to_be_visible()
    p.page.focus("#nav-transfer")
    p.page.keyboard.press("Enter")
    p.page.wait_for_selector("#add-line")
    assert p.page.evaluate("document.activeElement.id") == "page-title"  # focus moves to the new page
    p.page.focus("#add-line")
    p.page.keyboard.press("Enter")
    expect(p.page.locator("fieldset.line")).to_have_count(2)
    assert p.page.evaluate("document.activeElement.id") == "lines-1-unit_type"
    p.page.focus("#to-confirm")
    p.page.keyboard.press("Enter")  # nothing filled: the summary takes the focus
    assert p.page.evaluate("document.activeElement.id") == "error-summary"
    p.page.keyboard.press("Tab")
    p.page.keyboard.press("Enter")  # the first entry leads to its field
    assert p.page.evaluate("document.activeElement.id") == "to_account"
    labels = p.page.evaluate("""() => [...document.querySelectorAll('main input, main select')]
        .filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id)""")
    assert labels == []


def test_no_error_code_the_live_api_documents_has_a_second_text_in_the_portal(portal, stack):
    document = requests.get(f"{stack['info']['api_url']}/openapi.json", timeout=10).json()
    codes = {code for operations in document["paths"].values() for operation in operations.values()
             for response in operation["responses"].values() if ":" in response["description"]
             for code in re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", response["description"].split(":", 1)[1])}
    assert {"AUTH_FAILED", "RESERVE_BREACH", "INVALID_TOKEN"} <= codes
    p = portal()
    p.open()
    keys = p.page.evaluate("() => import('/i18n.js').then((m) => ({ja: Object.keys(m.dictionaries.ja), en: Object.keys(m.dictionaries.en)}))")
    for lang in ("ja", "en"):
        assert sorted(c for c in codes if f"error.{c}" in keys[lang]) == []


def test_any_api_error_shows_its_own_text_with_a_screen_s_hint_and_a_failure_without_an_api_body_the_portal_s(portal):
    p = portal()
    p.login("kanto")
    p.go("#/history")
    expect(p.page.locator("#history-incoming")).to_be_visible()

    # A code the portal has never heard of (as a new system's will be): the API's words.
    novel = {"error": {"code": "SOMETHING_NEW", "message": "A refusal the portal has no text for.", "message_ja": "ポータルに文言のない拒否です。"}}
    p.page.route(BALANCE, lambda route: route.fulfill(status=409, json=novel))
    p.go("#/balance")
    box = p.page.locator("#balance-error")
    expect_api_text(p, box, novel["error"])
    p.capture("balance-api-error")

    # API Gateway's own timeout (no error body of ours): the portal's text, retryable.
    p.page.unroute(BALANCE)
    p.page.route(BALANCE, lambda route: route.fulfill(status=504, json={"message": "Endpoint request timed out"}))
    p.go("#/history")
    expect(p.page.locator("#history-incoming")).to_be_visible()
    p.go("#/balance")
    expect(box).to_contain_text("サーバーが応答しませんでした（混雑または時間切れ）。")
    expect(box).to_contain_text("GATEWAY_ERROR")
    p.set_lang("en")
    expect(box).to_contain_text("The server did not answer (busy or timed out).")
    p.set_lang("ja")
    p.page.unroute(BALANCE)

    # A refusal the history screen adds guidance to: the API's message, then the hint.
    cursor = api_error_body("INVALID_CURSOR")
    p.page.route(re.compile(r"/transactions\?"), lambda route: route.fulfill(status=400, json=cursor))
    p.go("#/history")
    error = p.page.locator("#history-error")
    expect_api_text(p, error, cursor["error"])
    expect(error.locator(".error-hint")).to_have_text("最初から照会し直してください。")
    p.capture("history-api-error")
    p.set_lang("en")
    expect(error.locator(".error-hint")).to_have_text("Search again from the start.")
