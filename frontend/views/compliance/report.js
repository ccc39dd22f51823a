// The phase report (フェーズの結果), for administrators: the seed's results table (targets,
// trading participants, base-year emissions, achieved and committed reductions with their
// share of the base, transactions, volume and average price), a bar chart of base,
// committed and achieved per participant (Chart.js, vendored) and the same values as a table.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtAmount, fmtNumber, t } from "../../i18n.js";
import { dataTable, errorBox, loading, pageHeading } from "../../ui.js";
import { localName } from "./phases.js";

const CHART_SCRIPT = "vendor/chart.js/chart.umd.min.js";
let chartLoading = null;

/** Chart.js (a UMD script served with the portal), loaded once on first use. */
function loadChart() {
  if (globalThis.Chart) return Promise.resolve(globalThis.Chart);
  if (!chartLoading) {
    chartLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = CHART_SCRIPT;
      script.onload = () => resolve(globalThis.Chart);
      script.onerror = () => {
        chartLoading = null;
        reject(new Error("chart.js did not load"));
      };
      document.head.append(script);
    });
  }
  return chartLoading;
}

function newState(phaseId) {
  return { phaseId, loading: true, error: null, data: null, Chart: null, chartFailed: false, chart: null };
}

async function load(screen, state) {
  try {
    state.data = await api.phaseReport(state.phaseId);
  } catch (error) {
    state.error = error;
  }
  try {
    if (state.data) state.Chart = await loadChart();
  } catch {
    state.chartFailed = true;
  }
  state.loading = false;
  screen.update();
}

const tonnes = (value) => (value === null || value === undefined ? t("common.none") : fmtAmount(value));
const withPercent = (amount, percent) =>
  percent === null ? fmtAmount(amount) : t("report.tonnes_percent", { amount: fmtAmount(amount), percent: fmtNumber(percent) });

function resultsTable(data) {
  const rows = [
    ["targets", t("report.targets"), fmtNumber(data.target_participants)],
    ["trading", t("report.trading"), fmtNumber(data.trading_participants)],
    ["base", t("report.base"), fmtAmount(data.base_year_emissions_t)],
    ["achieved", t("report.achieved"), withPercent(data.achieved_reduction_t, data.achieved_percent)],
    ["committed", t("report.committed"), withPercent(data.committed_reduction_t, data.committed_percent)],
    ["transactions", t("report.transactions"), fmtNumber(data.transactions)],
    ["volume", t("report.volume"), fmtAmount(data.traded_volume_t)],
    ["price", t("report.price"), data.average_price_yen === null ? t("report.no_price") : t("report.price_value", { price: fmtNumber(data.average_price_yen) })],
  ];
  return h("div", { class: "table-wrap" },
    h("table", { class: "data-table results-table", id: "report-results" },
      h("caption", null, t("report.table_caption")),
      h("tbody", null, rows.map(([key, label, value]) => h("tr", { "data-figure": key },
        h("th", { scope: "row" }, label), h("td", { class: "num" }, value))))));
}

function drawChart(state, data) {
  state.chart?.destroy();
  state.chart = null;
  if (state.chartFailed || !state.Chart) return h("p", { id: "report-chart-unavailable", role: "status" }, t("report.chart_unavailable"));
  const canvas = h("canvas", { id: "report-chart-canvas", role: "img", "aria-label": t("report.chart_label") });
  const rows = data.participants;
  state.chart = new state.Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((row) => localName(row)),
      datasets: [
        { label: t("report.col.base"), data: rows.map((row) => row.base_year_emissions_t), backgroundColor: "#1d4f91" },
        { label: t("phase.col.committed"), data: rows.map((row) => row.committed_reduction_t), backgroundColor: "#b35c00" },
        { label: t("report.col.achieved"), data: rows.map((row) => row.achieved_reduction_t), backgroundColor: "#2e7d32" },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } },
      scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } }, y: { beginAtZero: true, title: { display: true, text: "t-CO2" } } } },
  });
  return h("div", { class: "chart-box", id: "report-chart" }, canvas);
}

function participantTable(data) {
  return dataTable({
    caption: t("report.participants_caption"),
    id: "report-participants",
    columns: [
      { label: t("phase.col.organisation") },
      { label: t("report.col.base"), num: true },
      { label: t("phase.col.committed"), num: true },
      { label: t("report.col.commitment_emissions"), num: true },
      { label: t("report.col.achieved"), num: true },
    ],
    rows: data.participants.map((row) => ({
      attrs: { "data-org": row.org_id },
      cells: [localName(row), tonnes(row.base_year_emissions_t), tonnes(row.committed_reduction_t), tonnes(row.commitment_year_emissions_t),
        tonnes(row.achieved_reduction_t)],
    })),
  });
}

export function phaseReportView(ctx, phaseId) {
  const state = newState(phaseId);
  const view = {
    title: () => (state.data ? `${t("report.title")}: ${localName(state.data)}` : t("report.title")),
    start: () => load(screen, state),
    stop: () => state.chart?.destroy(),
    render() {
      const parts = [pageHeading(state.data ? `${t("report.title")}: ${localName(state.data)}` : t("report.title"), t("report.subtitle"))];
      if (state.error) parts.push(errorBox(state.error, { id: "report-error" }));
      else if (state.loading) parts.push(loading());
      else {
        const data = state.data;
        parts.push(resultsTable(data));
        if (data.incomplete.length) {
          const names = new Map(data.participants.map((row) => [row.org_id, localName(row)]));
          const list = data.incomplete.map((org) => names.get(org) || org).join(t("report.list_separator"));
          parts.push(h("p", { id: "report-incomplete" }, t("report.incomplete", { list })));
        }
        parts.push(h("h2", { id: "report-chart-title" }, t("report.chart_title")), drawChart(state, data));
        parts.push(h("h2", { id: "report-participants-title" }, t("report.participants")), participantTable(data));
      }
      parts.push(h("p", null, h("a", { href: `#/phases/${encodeURIComponent(phaseId)}`, id: "report-back" }, t("phase.back"))));
      return h("section", { class: "phase-report" }, parts);
    },
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}
