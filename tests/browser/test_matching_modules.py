"""The notice board's page logic on its own, under node (no browser, no stack): the board's
query and its checks, the bodies of a new listing, a change and a proposal with the
page's own refusals, the chart's data, and the transfer that settles a deal carrying
deal_id and the deal's prefill."""

from __future__ import annotations

import pytest

from tests.browser.test_portal_modules import NODE, node

pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run the portal's modules")


def test_the_board_query_maps_the_filters_and_refuses_a_bad_price_range():
    out = node(
        """
        import { boardQuery, checkFilters } from "./views/matching/board.js";
        const keys = (errors) => Object.fromEntries(Object.entries(errors).map(([name, error]) => [name, error.key]));
        console.log(JSON.stringify({
          plain: boardQuery({ side: "", unit_type: "", min_price: "", max_price: "", sort: "newest" }),
          full: boardQuery({ side: "sell", unit_type: "JPA", min_price: "１，０００", max_price: " 1200 ", sort: "price_asc" }),
          desc: boardQuery({ side: "buy", unit_type: "", min_price: "", max_price: "", sort: "price_desc" }),
          oldest: boardQuery({ side: "", unit_type: "", min_price: "", max_price: "", sort: "oldest" }),
          upside: keys(checkFilters({ min_price: "2000", max_price: "1000" })),
          bad: keys(checkFilters({ min_price: "12.5", max_price: "-3" })),
          ok: keys(checkFilters({ min_price: "1000", max_price: "1000" })),
        }));
        """
    )
    assert out["plain"] == {"sort": "date", "order": "desc", "limit": 20}
    assert out["full"] == {"sort": "price", "order": "asc", "limit": 20, "side": "sell", "unit_type": "JPA", "min_price": 1000, "max_price": 1200}
    assert (out["desc"]["sort"], out["desc"]["order"], out["desc"]["side"]) == ("price", "desc", "buy")
    assert (out["oldest"]["sort"], out["oldest"]["order"]) == ("date", "asc")
    assert out["upside"] == {"min_price": "matching.validation.price_order"}
    assert out["bad"] == {"min_price": "matching.validation.price", "max_price": "matching.validation.price"}
    assert out["ok"] == {}


def test_a_new_listing_a_change_and_a_proposal_are_sent_as_whole_numbers_or_refused_in_the_page():
    out = node(
        """
        import { listingBody } from "./views/matching/mine.js";
        import { editBody } from "./views/matching/listing.js";
        import { proposalBody } from "./views/matching/inquiries.js";
        const keys = (errors) => Object.fromEntries(Object.entries(errors).map(([name, error]) => [name, error.key]));
        const form = { side: "sell", unit_type: "JPA", period: "1", quantity: "５００", min_lot: "100", price_yen: "1,200",
                       valid_until: "2026-12-31", notes: "  <b>x</b> " };
        const listing = { price_yen: 1200, quantity: 500, notes: "", valid_until: "2026-12-31" };
        const good = listingBody(form);
        const bad = listingBody({ ...form, period: "123", quantity: "0", min_lot: "", price_yen: "12.5", valid_until: "" });
        const lot = listingBody({ ...form, min_lot: "600" });
        console.log(JSON.stringify({
          good: good.body, goodErrors: keys(good.errors), bad: keys(bad.errors), lot: keys(lot.errors),
          unchanged: editBody(listing, { price_yen: "1200", quantity: "500", notes: "", valid_until: "2026-12-31" }),
          changed: editBody(listing, { price_yen: "1,250", quantity: "600", notes: "new", valid_until: "2027-01-15" }).body,
          refusedEdit: keys(editBody(listing, { price_yen: "0", quantity: "", notes: "x".repeat(1001), valid_until: "" }).errors),
          proposal: proposalBody("INQ1", { quantity: "３０", price_yen: "1260" }),
          refusedProposal: keys(proposalBody("INQ1", { quantity: "-1", price_yen: "" }).errors),
        }));
        """
    )
    assert out["good"] == {"side": "sell", "unit_type": "JPA", "period": "01", "quantity": 500, "min_lot": 100, "price_yen": 1200,
                           "valid_until": "2026-12-31", "notes": "<b>x</b>"}
    assert out["goodErrors"] == {}
    assert out["bad"] == {"period": "validation.period", "quantity": "validation.amount", "min_lot": "validation.required",
                          "price_yen": "matching.validation.price", "valid_until": "validation.date"}
    assert out["lot"] == {"min_lot": "matching.validation.lot_above_quantity"}
    assert out["unchanged"] == {"body": {}, "errors": {}}
    assert out["changed"] == {"price_yen": 1250, "quantity": 600, "notes": "new", "valid_until": "2027-01-15"}
    assert out["refusedEdit"] == {"price_yen": "matching.validation.price", "quantity": "validation.required",
                                  "notes": "matching.validation.too_long", "valid_until": "validation.date"}
    assert out["proposal"] == {"body": {"inquiry_id": "INQ1", "quantity": 30, "price_yen": 1260}, "errors": {}}
    assert out["refusedProposal"] == {"quantity": "validation.amount", "price_yen": "validation.required"}


def test_the_chart_shows_the_average_price_as_a_line_and_the_volume_as_bars_in_the_current_language():
    out = node(
        """
        import { setLang } from "./i18n.js";
        import { chartData } from "./views/matching/statistics.js";
        const rows = [{ key: "2026-11-01", average_price_yen: 1212, volume_t: 30 }, { key: "2026-11-02", average_price_yen: null, volume_t: 0 }];
        const out = {};
        for (const lang of ["ja", "en"]) { setLang(lang); out[lang] = chartData(rows, (row) => row.key); }
        console.log(JSON.stringify(out));
        """
    )
    for lang, (price, volume) in {"ja": ("加重平均価格", "取引量（t-CO2）"), "en": ("Weighted average price", "Volume (t-CO2)")}.items():
        chart = out[lang]
        assert chart["labels"] == ["2026-11-01", "2026-11-02"]
        line, bars = chart["datasets"]
        assert (line["type"], line["label"], line["data"], line["yAxisID"]) == ("line", price, [1212, None], "price")
        assert (bars["type"], bars["label"], bars["data"], bars["yAxisID"]) == ("bar", volume, [30, 0], "volume")


def test_a_transfer_that_settles_a_deal_starts_from_the_deal_and_sends_its_id():
    out = node(
        """
        import { applyDealPrefill, newState } from "./views/movement/shared.js";
        import { buildBody } from "./views/movement/input.js";
        const screen = { transfer: true, accountField: "from_account" };
        const deal = { id: "D1", transfer: { from_account: "JP-120-6-0-31", to_account: "JP-121-1053-0-25", deal_id: "D1",
                                             lines: [{ unit_type: "JPA", amount: 30, issued_period: "01" }] } };
        const state = { ...newState(), accounts: [{ number: "JP-120-7-0-29" }, { number: "JP-120-6-0-31" }], from: "JP-120-7-0-29" };
        applyDealPrefill(state, deal);
        const plain = { ...newState(), from: "JP-120-6-0-31", to: "JP-121-1053-0-25",
                        lines: [{ unit_type: "JPA", issued_period: "", adopted_period: "", project: "", amount: "5" }] };
        console.log(JSON.stringify({ settling: buildBody(screen, state), plain: buildBody(screen, plain), from: state.from }));
        """
    )
    assert out["from"] == "JP-120-6-0-31"
    assert out["settling"] == {"from_account": "JP-120-6-0-31", "to_account": "JP-121-1053-0-25", "deal_id": "D1",
                               "lines": [{"unit_type": "JPA", "issued_period": "01", "amount": 30}]}
    assert out["plain"] == {"from_account": "JP-120-6-0-31", "to_account": "JP-121-1053-0-25", "lines": [{"unit_type": "JPA", "amount": 5}]}
