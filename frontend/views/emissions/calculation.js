// 算定結果 (the calculation of a fiscal year): the organisation's total (to 3 decimals,
// and total_t, rounded down to whole t-CO2), t-CO2 per month for the organisation and each
// site, per source and month (months without data marked), the factor versions used, the
// missing source-months and the excluded sources. Every figure is the API's string.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDecimal, fmtNumber, t } from "../../i18n.js";
import { dataTable, errorBox, loading, pageHeading, summaryList } from "../../ui.js";
import { chosenFiscalYear, fiscalYearForm, fiscalYearLabel, localName, monthLabel, monthsOf, scrollTable, userText } from "./shared.js";

function newState(fiscalYear) {
  return { fiscalYear, loading: true, error: null, data: null, sources: [] };
}

async function load(screen, state) {
  try {
    const [data, sources] = await Promise.all([api.calculation(state.fiscalYear), api.sources()]);
    state.data = data;
    state.sources = sources.sources;
  } catch (error) {
    state.error = error;
  }
  state.loading = false;
  screen.update();
}

const tonnes = (text) => (text === null || text === undefined ? t("common.none") : fmtDecimal(text));

function byMonth(items) {
  return new Map((items || []).map((item) => [item.month, item]));
}

function monthTable(state, data) {
  const months = monthsOf(data.fiscal_year);
  const row = (label, items, total, attrs) => {
    const found = byMonth(items);
    return h("tr", attrs,
      h("th", { scope: "row" }, label),
      months.map((month) => h("td", { class: "num", "data-month": month }, tonnes(found.get(month)?.t_co2 ?? "0.000"))),
      h("td", { class: "num year" }, tonnes(total)));
  };
  return scrollTable({
    id: "calculation-months",
    caption: t("calculation.months_caption"),
    head: [[{ label: t("calculation.col.scope") }, ...months.map((month) => ({ label: monthLabel(month), num: true })), { label: t("calculation.col.year"), num: true }]],
    body: [
      ...data.sites.map((site) => row(localName(site), site.months, site.t_co2, { "data-site": site.site_id })),
      row(t("calculation.organisation"), data.months, data.t_co2, { "data-org": data.org_id, class: "total-row" }),
    ],
  });
}

function sourceTable(state, data) {
  const months = monthsOf(data.fiscal_year);
  const sites = new Map(data.sites.map((site) => [site.site_id, site]));
  return scrollTable({
    id: "calculation-sources",
    caption: t("calculation.sources_caption"),
    head: [[
      { label: t("calculation.col.number"), num: true }, { label: t("calculation.col.source") }, { label: t("calculation.col.site") },
      { label: t("calculation.col.factor") }, ...months.map((month) => ({ label: monthLabel(month), num: true })), { label: t("calculation.col.year"), num: true },
    ]],
    body: data.sources.map((source) => {
      const found = byMonth(source.months);
      return h("tr", { "data-source": source.source_id },
        h("td", { class: "num" }, String(source.number)),
        h("th", { scope: "row" }, localName(source)),
        h("td", null, localName(sites.get(source.site_id))),
        h("td", null, factorName(data, source.factor_key)),
        months.map((month) => {
          const item = found.get(month);
          return h("td", { class: ["num", item?.missing && "missing"], "data-month": month },
            item && !item.missing ? tonnes(item.t_co2) : h("span", { class: "missing-mark" }, t("calculation.missing_mark")));
        }),
        h("td", { class: "num year" }, tonnes(source.t_co2)));
    }),
  });
}

function factorName(data, key) {
  const factor = data.factor_versions.find((item) => item.key === key);
  return factor ? localName(factor) : key || t("common.none");
}

function details(state, data) {
  const sourceByNumber = new Map(state.sources.map((source) => [source.number, source]));
  const nameOf = (number, fallback) => {
    const source = sourceByNumber.get(number);
    return source ? localName(source) : fallback;
  };
  return [
    h("h2", { id: "factors-title" }, t("calculation.factors")),
    data.factor_versions.length
      ? dataTable({
          caption: t("calculation.factors"),
          captionHidden: true,
          id: "calculation-factors",
          columns: [{ label: t("calculation.col.factor") }, { label: t("calculation.col.version") }, { label: t("calculation.col.coefficient"), num: true }, { label: t("calculation.col.valid") }],
          rows: data.factor_versions.map((factor) => [
            localName(factor),
            h("code", null, factor.version),
            t("calculation.per_unit", { value: fmtDecimal(factor.t_co2_per_unit), unit: factor.unit }),
            t("calculation.valid", { from: factor.valid_from, to: factor.valid_to || t("calculation.open_ended") }),
          ]),
        })
      : h("p", null, t("common.none")),
    h("h2", { id: "missing-title" }, t("calculation.missing", { n: String(data.missing.length) })),
    data.missing.length
      ? h("ul", { id: "calculation-missing", class: "compact-list" },
          data.missing.map((item) => h("li", { "data-source": item.source_id, "data-month": item.month },
            t("calculation.missing_item", { number: String(item.number), source: nameOf(item.number, ""), month: monthLabel(item.month) }))))
      : h("p", { id: "calculation-missing-none" }, t("calculation.no_missing")),
    h("h2", { id: "excluded-title" }, t("calculation.excluded")),
    data.excluded.length
      ? h("ul", { id: "calculation-excluded", class: "compact-list" },
          data.excluded.map((item) => h("li", { "data-source": item.source_id },
            t("calculation.excluded_item", { number: String(item.number), source: nameOf(item.number, item.name_ja) }),
            item.exclusion_reason ? [" ", t("calculation.reason"), ": ", userText(item.exclusion_reason)] : null)))
      : h("p", null, t("calculation.no_excluded")),
  ];
}

function renderData(state, data) {
  return [
    summaryList([
      [t("calculation.total_exact"), h("span", { id: "calculation-total", class: "amount" }, t("common.amount", { amount: tonnes(data.t_co2) }))],
      [t("calculation.total_t"), h("span", { id: "calculation-total-t", class: "amount emphasis" }, t("common.amount", { amount: fmtNumber(data.total_t) }))],
    ], "compact"),
    h("p", { class: "hint", id: "calculation-rounding" }, t("calculation.rounding")),
    h("h2", { id: "months-title" }, t("calculation.months_title")),
    monthTable(state, data),
    h("h2", { id: "sources-title" }, t("calculation.sources_title")),
    h("p", { class: "hint" }, t("calculation.missing_hint")),
    sourceTable(state, data),
    details(state, data),
  ];
}

export function calculationView(ctx, requested) {
  const state = newState(chosenFiscalYear(ctx, requested));
  const view = {
    title: () => `${t("calculation.title")} (${fiscalYearLabel(state.fiscalYear)})`,
    start: () => load(screen, state),
    render: () => {
      const parts = [pageHeading(t("calculation.title"), t("calculation.subtitle")), fiscalYearForm(ctx, { route: "calculation", value: state.fiscalYear })];
      if (state.error) parts.push(errorBox(state.error, { id: "calculation-error" }));
      else if (state.loading) parts.push(loading());
      else parts.push(renderData(state, state.data));
      return h("section", { class: "emissions calculation" }, parts);
    },
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}
