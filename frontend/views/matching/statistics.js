// Market statistics (取引統計): number of deals, volume and volume-weighted average price
// per day or per phase, from settled deals only, as a table and a price chart. The chart
// is drawn by Chart.js, vendored under vendor/chart.js/ (MIT, see its LICENSE.md) and
// loaded only when this page opens; the table carries the same figures for everyone who
// cannot see the chart.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDate, fmtNumber, getLang, jstDateString, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading, summaryList } from "../../ui.js";
import { fmtPrice, fmtYen, matchingScreen } from "./shared.js";

export const CHART_SCRIPT = "../../vendor/chart.js/chart.umd.min.js";
const GROUPS = ["day", "phase"];
const PRICE_COLOUR = "#1d5fa8";
const VOLUME_COLOUR = "rgba(30, 107, 52, 0.35)";
const INK = "#1b2733";

function newState() {
  const form = { from: jstDateString(-30), to: jstDateString(0), group: "day" };
  return { form, query: { ...form }, data: null, loading: true, error: null, errors: {}, chart: null, chartError: null, figure: null, canvas: null };
}

async function fetchStatistics(screen, state, focus = null) {
  const query = state.query;
  state.loading = true;
  state.error = null;
  screen.update();
  try {
    const data = await api.statistics(query);
    if (query !== state.query) return;
    state.data = data;
  } catch (error) {
    if (query !== state.query || error.status === 401) return;
    state.data = null;
    if (error.field === "from" || error.field === "to") state.errors[`stats-${error.field}`] = error;
    else state.error = error;
  }
  state.loading = false;
  screen.update({ focus: Object.keys(state.errors).length ? "error-summary" : focus });
  drawChart(screen, state);
}

function search(screen, state, event) {
  event.preventDefault();
  const { form } = state;
  state.errors = {};
  if (!form.from) state.errors["stats-from"] = clientError("validation.date");
  if (!form.to) state.errors["stats-to"] = clientError("validation.date");
  if (form.from && form.to && form.from > form.to) state.errors["stats-from"] = clientError("validation.date_order");
  if (Object.keys(state.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  state.query = { ...form };
  fetchStatistics(screen, state, "stats-results-title");
}

// --- the chart -------------------------------------------------------------------------------

/** Chart.js, loaded once from the vendored UMD build (it defines globalThis.Chart). */
async function chartLibrary() {
  if (!globalThis.Chart) await import(CHART_SCRIPT);
  return globalThis.Chart;
}

function rowLabel(state, row) {
  return state.data?.group === "phase"
    ? t("matching.stats.phase_label", { phase: row.key, from: fmtDate(row.start), to: fmtDate(row.end) })
    : fmtDate(row.start || row.key);
}

/** The chart's data in the current language: average price as a line, volume as bars. */
export function chartData(rows, label) {
  return {
    labels: rows.map(label),
    datasets: [
      {
        type: "line", label: t("matching.stats.average_price"), data: rows.map((row) => row.average_price_yen), yAxisID: "price",
        borderColor: PRICE_COLOUR, backgroundColor: PRICE_COLOUR, pointRadius: 3, spanGaps: true, tension: 0, order: 1,
      },
      { type: "bar", label: t("matching.stats.volume"), data: rows.map((row) => row.volume_t), yAxisID: "volume", backgroundColor: VOLUME_COLOUR, order: 2 },
    ],
  };
}

function chartOptions() {
  const ticks = { color: INK };
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    locale: getLang() === "ja" ? "ja-JP" : "en-GB",
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { labels: { color: INK } } },
    scales: {
      x: { ticks },
      price: { type: "linear", position: "left", beginAtZero: false, ticks, title: { display: true, text: t("matching.stats.axis_price"), color: INK } },
      volume: { type: "linear", position: "right", beginAtZero: true, ticks, grid: { drawOnChartArea: false }, title: { display: true, text: t("matching.stats.axis_volume"), color: INK } },
    },
  };
}

/** Draw (or redraw in the current language) the chart of the figures shown. */
async function drawChart(screen, state) {
  const rows = state.data?.rows || [];
  if (!state.canvas || !rows.length) return;
  try {
    const Chart = await chartLibrary();
    const data = chartData(rows, (row) => rowLabel(state, row));
    if (state.chart) {
      state.chart.data = data;
      state.chart.options = chartOptions();
      state.chart.update("none");
    } else {
      state.chart = new Chart(state.canvas, { data, options: chartOptions() });
    }
    state.canvas.dataset.points = String(rows.filter((row) => row.average_price_yen !== null).length);
    state.chartError = null;
  } catch {
    if (!state.chartError) {
      state.chartError = { code: "NETWORK_ERROR" };
      screen.update();
    }
  }
}

/** The chart's box: one node kept for the view's life, so Chart.js keeps its canvas. */
function chartFigure(state) {
  if (!state.figure) {
    state.canvas = h("canvas", { id: "stats-chart", role: "img" });
    state.figure = h("div", { class: "chart-box" }, state.canvas);
  }
  const rows = state.data.rows;
  const priced = rows.filter((row) => row.average_price_yen !== null);
  const low = priced.length ? Math.min(...priced.map((row) => row.average_price_yen)) : null;
  const high = priced.length ? Math.max(...priced.map((row) => row.average_price_yen)) : null;
  state.canvas.setAttribute("aria-label", priced.length
    ? t("matching.stats.chart_label", { n: String(priced.length), low: fmtPrice(low), high: fmtPrice(high) })
    : t("matching.stats.chart_empty"));
  state.canvas.setAttribute("aria-describedby", "stats-table-note");
  return h("figure", { class: "stats-figure", "aria-labelledby": "stats-chart-caption" },
    h("figcaption", { id: "stats-chart-caption" }, t("matching.stats.chart_caption")),
    state.figure);
}

// --- rendering -------------------------------------------------------------------------------

function form(screen, state) {
  const date = (name) => formField({
    label: t(`history.${name}`), field: `stats-${name}`, error: state.errors[`stats-${name}`],
    control: h("input", { id: `stats-${name}`, name, type: "date", value: state.form[name], required: true, oninput: (event) => { state.form[name] = event.target.value; } }),
  });
  return h(
    "form",
    { class: "stats-form inline-form no-print", novalidate: true, onsubmit: (event) => search(screen, state, event) },
    date("from"),
    date("to"),
    formField({
      label: t("matching.stats.group"),
      control: h("select", { id: "stats-group", name: "group", value: state.form.group, onchange: (event) => { state.form.group = event.target.value; } },
        GROUPS.map((group) => h("option", { value: group }, t(`matching.stats.group_${group}`)))),
    }),
    h("button", { type: "submit", class: "primary", id: "stats-show" }, t("emissions.show")),
  );
}

function results(state) {
  const data = state.data;
  const total = data.total;
  const parts = [
    summaryList([
      [t("matching.stats.deals"), h("span", { id: "stats-total-deals", class: "amount" }, fmtNumber(total.deals))],
      [t("matching.stats.volume"), h("span", { id: "stats-total-volume", class: "amount" }, t("common.amount", { amount: fmtNumber(total.volume_t) }))],
      [t("matching.stats.amount"), h("span", { id: "stats-total-amount", class: "amount" }, fmtYen(total.amount_yen))],
      [t("matching.stats.average_price"), h("span", { id: "stats-total-average", class: "amount" }, total.average_price_yen === null ? t("common.none") : fmtPrice(total.average_price_yen))],
    ], "compact"),
  ];
  if (!data.rows.length) {
    parts.push(h("p", { id: "stats-empty" }, t(data.group === "phase" ? "matching.stats.no_phases" : "matching.stats.none")));
    return parts;
  }
  parts.push(
    chartFigure(state),
    state.chartError ? errorBox(state.chartError, { id: "stats-chart-error" }) : null,
    h("p", { class: "hint", id: "stats-table-note" }, t("matching.stats.table_note")),
    dataTable({
      caption: t("matching.stats.table_caption"),
      id: "stats-table",
      columns: [
        { label: t(data.group === "phase" ? "matching.stats.col_phase" : "matching.stats.col_day") }, { label: t("matching.stats.deals"), num: true },
        { label: t("matching.stats.volume"), num: true }, { label: t("matching.stats.amount"), num: true }, { label: t("matching.stats.average_price"), num: true },
      ],
      rows: data.rows.map((row) => ({
        attrs: { "data-key": row.key },
        cells: [rowLabel(state, row), fmtNumber(row.deals), fmtNumber(row.volume_t), fmtYen(row.amount_yen), row.average_price_yen === null ? t("common.none") : fmtPrice(row.average_price_yen)],
      })),
    }),
  );
  return parts;
}

function render(screen, state) {
  const entries = Object.entries(state.errors).map(([field, error]) => ({ field, error }));
  // A redraw (a new language) redraws the chart's texts too, once the page is in place.
  if (state.chart) queueMicrotask(() => drawChart(screen, state));
  return h(
    "section",
    { class: "matching statistics" },
    pageHeading(t("matching.stats.title"), t("matching.stats.subtitle")),
    errorSummary(entries),
    form(screen, state),
    h("h2", { id: "stats-results-title", tabindex: "-1" }, t("matching.stats.results", { from: fmtDate(state.query.from), to: fmtDate(state.query.to) })),
    state.error ? errorBox(state.error, { id: "stats-error" }) : state.loading && !state.data ? loading() : state.data ? results(state) : null,
  );
}

export function statisticsView(ctx) {
  const state = newState();
  const view = {
    titleKey: "matching.stats.title",
    start: () => fetchStatistics(screen, state),
    stop: () => {
      state.chart?.destroy();
      state.chart = null;
    },
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
