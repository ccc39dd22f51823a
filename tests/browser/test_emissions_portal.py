"""The emissions management screens of the portal in a real browser against the local
stack with the demo data (Kanto Steelworks: two sites, seven sources, FY2025 in full):
the menu, source registration (temporary save, a refusal in the API's words, register,
delete), month entry with an evidence upload, the performance sheet (download, upload
through the documents flow, the bad cells of its review) and the calculation, whose
figures must be the API's. Each screen is captured in Japanese and English at 1280 and
390 px, with no horizontal overflow and no axe-core violation at any impact level.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import MOBILE_AXE, answered, expect_api_text

pytestmark = pytest.mark.e2e

FY = 2025
#: The new screens are also checked with axe at 390 px.
MOBILE_AXE.update({"sources", "sources-refused", "monitoring", "sheets", "sheets-problems", "calculation"})


def grouped(text: str) -> str:
    """The API's decimal string as the portal shows it: thousands separators, same decimals."""
    integer, _, decimals = text.partition(".")
    return f"{int(integer):,}" + (f".{decimals}" if decimals else "")


def capture_clean(p: Any, name: str) -> None:
    assert p.capture(name) == {}, f"axe-core found violations on {name}"


def sources_of(registry: Any) -> list[dict[str, Any]]:
    return registry.get("kanto", "/emissions/sources")["sources"]


def test_the_menu_shows_emissions_management_in_the_seed_s_order_to_target_organisations_only(portal):
    p = portal()
    p.login("kanto")
    links = p.page.locator("#nav-emissions a")
    expect(links).to_have_text(["排出源の登録", "モニタリングの登録", "実績管理表", "算定結果", "算定報告書"])
    expect(p.page.locator("#nav-registry a")).to_have_count(4)  # the registry's menu stays
    p.set_lang("en")
    expect(links).to_have_text(["Sources", "Monitoring", "Performance sheet", "Calculation", "Reports"])
    q = portal()
    q.login("aozora")  # a trading participant: no emissions target
    expect(q.page.locator("#nav-history")).to_be_visible()
    q.page.wait_for_load_state("networkidle")
    expect(q.page.locator("#nav-emissions")).to_have_count(0)


def test_a_source_is_saved_as_a_draft_refused_in_the_api_s_words_then_registered_and_deleted(portal, registry):
    p = portal()
    p.login("kanto")
    p.go("#/sources")
    expect(p.page.locator("#sources-table tbody tr")).to_have_count(len(sources_of(registry)))
    capture_clean(p, "sources")

    count = len(sources_of(registry))
    p.page.focus("#add-source")
    p.page.keyboard.press("Enter")  # keyboard alone: the new row's name takes the focus
    row = count
    assert p.page.evaluate("document.activeElement.id") == f"src-{row}-name_ja"
    number = p.page.input_value(f"#src-{row}-number")
    assert number == str(max(s["number"] for s in sources_of(registry)) + 1)
    p.page.keyboard.type("テスト用ボイラー")
    p.page.fill(f"#src-{row}-name_en", "Test boiler")
    p.page.click("#temp-save")
    status = p.page.locator("#sources-status")
    expect(status).to_have_text("1 件の排出源を保存しました（一時保存）。")
    assert p.page.evaluate("document.activeElement.id") == "sources-status"
    expect(p.page.locator(f"#src-{row}-status")).to_contain_text("一時保存")
    draft = next(s for s in sources_of(registry) if s["number"] == int(number))
    assert (draft["status"], draft["name_ja"], draft["name_en"], draft["categories"]) == ("draft", "テスト用ボイラー", "Test boiler", [])

    # Register it as it is: the API refuses (no category, no factor) and says why.
    with answered(p, f"/emissions/sources/{draft['id']}") as refusal:
        p.page.click("#register")
    assert refusal["code"] == "SOURCE_INCOMPLETE"
    expect(p.page.locator("#error-summary")).to_be_focused()
    expect_api_text(p, p.page.locator(f"#src-{row}-error"), refusal)
    invalid = p.page.locator(f"#sources-table tr[data-number='{number}'] [aria-invalid='true']")
    assert invalid.count() >= 1
    assert all(f"src-{row}-error" in (invalid.nth(i).get_attribute("aria-describedby") or "") for i in range(invalid.count()))
    capture_clean(p, "sources-refused")

    p.set_lang("en")
    p.page.check(f"#src-{row}-cat-0")
    p.page.select_option(f"#src-{row}-factor_key", "city_gas")
    expect(p.page.locator(f"#src-{row}-unit")).to_have_value("1000Nm3")  # the factor's unit, within its family
    p.page.select_option(f"#src-{row}-unit", "Nm3")
    p.page.select_option(f"#src-{row}-basis", "delivery_slips")
    p.page.click("#register")
    expect(status).to_have_text("1 source(s) registered.")
    expect(p.page.locator(f"#src-{row}-error")).to_have_count(0)
    registered = next(s for s in sources_of(registry) if s["number"] == int(number))
    assert (registered["status"], registered["categories"], registered["factor_key"], registered["unit"], registered["basis"]) == (
        "registered", ["fuel_combustion"], "city_gas", "Nm3", "delivery_slips")

    # A source without data can be deleted (after a confirmation).
    p.page.click(f"#src-{row}-delete")
    expect(p.page.locator(f"#src-{row}-delete-confirm")).to_be_focused()
    p.page.click(f"#src-{row}-delete-confirm")
    expect(status).to_contain_text(f"Deleted source No. {number}.")
    assert all(s["number"] != int(number) for s in sources_of(registry))
    # A source with data cannot: its button says why; it is retired from a month instead,
    # never from a month it already has data for.
    expect(p.page.locator("#src-0-delete")).to_be_disabled()
    first = sources_of(registry)[0]
    p.page.fill("#src-0-retired_from", f"{FY}-10")
    with answered(p, f"/emissions/sources/{first['id']}") as refusal:
        p.page.click("#temp-save")
    assert refusal["code"] == "MONITORING_AFTER_RETIREMENT"
    expect(p.page.locator("#src-0-error")).to_contain_text(refusal["message"])
    p.page.fill("#src-0-retired_from", f"{FY + 1}-04")
    p.page.click("#temp-save")
    expect(status).to_have_text("1 source(s) saved (temporary save).")
    retired = sources_of(registry)[0]
    assert (retired["retired_from"], retired["status"]) == (f"{FY + 1}-04", "registered")  # a temporary save keeps it registered


def test_a_month_is_entered_with_its_evidence_and_appears_in_the_calculation(portal, registry):
    sources = sources_of(registry)
    furnace = next(s for s in sources if s["unit"] == "L" and not s["excluded"])
    p = portal()
    p.login("kanto")
    p.go(f"#/monitoring/{FY}")
    p.page.select_option("#monitoring-source", furnace["id"])
    p.page.click("#monitoring-source-show")
    expect(p.page.locator("#monitoring-table caption")).to_contain_text(furnace["name_ja"])
    month = f"{FY}-06"

    # A quantity the API refuses: its own message under the month, in both languages.
    p.page.fill(f"#m-{month}-quantity", "4.2.1")
    with answered(p, f"/monitoring/{month}") as refusal:
        p.page.click("#monitoring-save")
    assert refusal["code"] == "INVALID_QUANTITY"
    expect_api_text(p, p.page.locator(f"#m-{month}-error"), refusal)
    expect(p.page.locator(f"#m-{month}-quantity")).to_have_attribute("aria-invalid", "true")

    # Evidence through the documents flow (announce, presigned POST, check on arrival).
    pdf = b"%PDF-1.7\n% fuel delivery slip\n" + b"0" * 256 + b"\n%%EOF\n"
    p.page.set_input_files(f"#m-{month}-evidence", files=[{"name": "delivery-2025-06.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    expect(p.page.locator(f"#m-{month}-evidence-status")).to_contain_text("「delivery-2025-06.pdf」を受け付けました。", timeout=30_000)
    p.page.fill(f"#m-{month}-quantity", "４５０００.５")  # full width, as typed in Japanese: sent as the string "45000.5"
    p.page.select_option(f"#m-{month}-unit", "kL")
    p.page.click("#monitoring-save")
    expect(p.page.locator("#monitoring-status")).to_contain_text("1 か月分を保存しました")
    expect(p.page.locator(f"#m-{month}-error")).to_have_count(0)
    value = next(v for v in registry.get("kanto", "/emissions/monitoring", fiscal_year=FY)["values"]
                 if v["source_id"] == furnace["id"] and v["month"] == month)
    assert (value["quantity"], value["unit"]) == ("45000.5", "kL")
    assert value["evidence_document_id"]
    assert registry.get("kanto", f"/documents/{value['evidence_document_id']}")["status"] == "accepted"
    capture_clean(p, "monitoring")

    p.page.click("#to-calculation")
    cell = p.page.locator(f"#calculation-sources tr[data-source='{furnace['id']}'] td[data-month='{month}']")
    calculation = registry.get("kanto", "/emissions/calculation", fiscal_year=FY)
    figure = next(m for s in calculation["sources"] if s["source_id"] == furnace["id"] for m in s["months"] if m["month"] == month)
    assert figure["unit"] in ("kL", "L") and not figure["missing"]
    expect(cell).to_have_text(grouped(figure["t_co2"]))


#: The sheet is uploaded for the current fiscal year, which the demo leaves empty (an
#: import replaces a whole year: FY2025's demo data stays as the other tests read it).
SHEET_FY = 2026


def _filled_sheet(registry: Any, cells: dict[str, Any]) -> bytes:
    """The organisation's own sheet from the API, filled in with openpyxl as a user would."""
    from openpyxl import load_workbook

    link = registry.get("kanto", f"/emissions/sheets/{SHEET_FY}")
    book = load_workbook(io.BytesIO(requests.get(link["url"], timeout=30).content))
    for cell, value in cells.items():
        book["実績管理表"][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(p: Any, registry: Any, data: bytes, name: str) -> dict[str, Any]:
    """Upload through the screen's file input; the document once the API has reviewed it."""
    p.page.set_input_files("#sheet-file", files=[{
        "name": name, "buffer": data, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with p.page.expect_response(lambda r: r.url.endswith("/documents") and r.request.method == "POST") as announced:
        p.page.click("#sheet-upload")
    document_id = announced.value.json()["document"]["id"]
    expect(p.page.locator("#sheet-stage")).to_have_attribute("data-stage", "accepted", timeout=30_000)
    expect(p.page.locator("#sheet-document-id")).to_contain_text(document_id)
    for _ in range(40):
        document = registry.get("kanto", f"/documents/{document_id}")
        if document.get("review"):
            break
        time.sleep(0.5)
    assert (document["status"], document["kind"], document["purpose"]) == (
        "accepted", "performance_sheet", f"performance_sheet:FY{SHEET_FY}")
    assert document["review"], "the emissions system reviews every accepted sheet"
    return document


def test_the_performance_sheet_is_downloaded_filled_and_its_bad_cells_or_its_import_shown(portal, registry):
    p = portal()
    p.login("kanto")
    p.go(f"#/sheets/{SHEET_FY}")
    expect(p.page.locator("#sheet-table tbody tr")).to_have_count(sum(1 for s in sources_of(registry) if s["status"] == "registered"))
    capture_clean(p, "sheets")
    p.page.click("#sheet-download")
    expect(p.page.locator("#sheets-download-status")).to_contain_text("ダウンロードを開始しました。")

    # A bad cell: the API's review lists it, and the screen shows it next to the table.
    refused = _upload(p, registry, _filled_sheet(registry, {"I9": "abc"}), f"jisseki-FY{SHEET_FY}.xlsx")
    review = refused["review"]
    assert review["outcome"] == "refused" and [(x["sheet"], x["cell"]) for x in review["problems"]] == [("実績管理表", "I9")]
    expect(p.page.locator("#sheet-review-status")).to_have_attribute("data-review-outcome", "refused")
    problems = p.page.locator("#sheet-problem-list li")
    expect(problems).to_have_count(1, timeout=20_000)
    expect(problems.first).to_contain_text("I9")
    for lang in ("en", "ja"):
        p.set_lang(lang)
        expect_api_text(p, problems.first, review["problems"][0])
    capture_clean(p, "sheets-problems")

    # The same sheet filled correctly is imported, and the calculation uses it.
    imported = _upload(p, registry, _filled_sheet(registry, {"I9": 12.5}), f"jisseki-FY{SHEET_FY}-2.xlsx")
    assert imported["review"]["outcome"] == "imported"
    expect(p.page.locator("#sheet-review-status")).to_have_attribute("data-review-outcome", "imported")
    assert registry.get("kanto", "/emissions/calculation", fiscal_year=SHEET_FY)["t_co2_exact"] not in ("0", "0.000")


def test_the_calculation_summary_shows_the_api_s_figures_in_both_languages(portal, registry):
    calculation = registry.get("kanto", "/emissions/calculation", fiscal_year=FY)
    p = portal()
    p.login("kanto")
    p.go(f"#/calculation/{FY}")
    for lang in ("ja", "en"):
        p.set_lang(lang)
        expect(p.page.locator("#calculation-total")).to_have_text(f"{grouped(calculation['t_co2'])} t-CO2")
        expect(p.page.locator("#calculation-total-t")).to_have_text(f"{calculation['total_t']:,} t-CO2")
        org = p.page.locator(f"#calculation-months tr[data-org='{calculation['org_id']}']")
        for month in calculation["months"]:
            expect(org.locator(f"td[data-month='{month['month']}']")).to_have_text(grouped(month["t_co2"]))
        expect(org.locator("td.year")).to_have_text(grouped(calculation["t_co2"]))
        for site in calculation["sites"]:
            expect(p.page.locator(f"#calculation-months tr[data-site='{site['site_id']}'] td.year")).to_have_text(grouped(site["t_co2"]))
        for source in calculation["sources"]:
            expect(p.page.locator(f"#calculation-sources tr[data-source='{source['source_id']}'] td.year")).to_have_text(grouped(source["t_co2"]))
        expect(p.page.locator("#calculation-factors tbody tr")).to_have_count(len(calculation["factor_versions"]))
        expect(p.page.locator("#calculation-excluded li")).to_have_count(len(calculation["excluded"]))
        for excluded in calculation["excluded"]:
            expect(p.page.locator(f"#calculation-excluded li[data-source='{excluded['source_id']}']")).to_contain_text(excluded["exclusion_reason"])
    p.set_lang("ja")
    capture_clean(p, "calculation")
