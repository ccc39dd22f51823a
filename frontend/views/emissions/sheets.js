// 実績管理表 (the performance management sheet) of a fiscal year: download it (the API
// answers with a link to the workbook, which the page follows), fill it in, upload it
// through the documents flow (kind performance_sheet) and see the document's status.
// When the document's answer carries a review (the import of the sheet), its bad cells
// are listed next to the year's table. Both the download route and the review may not
// exist yet on an API: the screen shows the API's own refusal, and no review until one
// is given.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDecimal, getLang, hasKey, t } from "../../i18n.js";
import { clientError, errorBox, formField, loading, pageHeading } from "../../ui.js";
import {
  apiText, chosenFiscalYear, fiscalYearForm, fiscalYearLabel, liveStatus, localName, monthLabel, monthsOf, reviewOf,
  reviewProblems, scrollTable, uploadDocument, userText,
} from "./shared.js";

const REVIEW_POLL_MS = 1_500;
const REVIEW_POLLS = 8;
const BUSY = ["announcing", "sending", "checking"];

function newState(fiscalYear) {
  return {
    fiscalYear,
    loading: true,
    loadError: null,
    sources: [],
    values: new Map(),
    download: { busy: false, error: null, message: null },
    upload: { file: null, stage: null, document: null, error: null },
    alive: true,
  };
}

async function load(screen, state) {
  try {
    const [sources, monitoring] = await Promise.all([api.sources(), api.monitoring(state.fiscalYear)]);
    state.sources = sources.sources.filter((source) => source.status === "registered");
    state.values = new Map(monitoring.values.map((value) => [`${value.source_id}|${value.month}`, value]));
  } catch (error) {
    state.loadError = error;
  }
  state.loading = false;
  screen.update();
}

async function download(screen, state) {
  const { download: box } = state;
  if (box.busy) return;
  Object.assign(box, { busy: true, error: null, message: null });
  screen.update();
  try {
    const answer = await api.sheet(state.fiscalYear);
    box.busy = false;
    if (answer && typeof answer.url === "string" && /^https?:\/\//.test(answer.url)) {
      box.message = () => t("sheets.download_started");
      screen.update({ focus: "sheets-download-status" });
      window.location.assign(answer.url);
      return;
    }
    box.error = { code: "UNEXPECTED_RESPONSE" };
  } catch (error) {
    if (error.status === 401) return;
    box.busy = false;
    box.error = error;
  }
  screen.update({ focus: "sheets-download-error" });
}

async function upload(screen, state, event) {
  event.preventDefault();
  const box = state.upload;
  if (BUSY.includes(box.stage)) return;
  box.error = null;
  box.document = null;
  if (!box.file) {
    box.error = clientError("sheets.choose_file");
    box.stage = null;
    screen.update({ focus: "sheet-file" });
    return;
  }
  const file = box.file;
  box.stage = "announcing";
  box.filename = file.name;
  screen.update({ focus: "sheets-upload-status" });
  try {
    box.document = await uploadDocument(
      { kind: "performance_sheet", file, purpose: `performance_sheet:FY${state.fiscalYear}` },
      { progress: (stage) => { box.stage = stage; screen.update(); }, alive: () => state.alive },
    );
    box.stage = box.document.status;
  } catch (error) {
    if (error.status === 401) return;
    box.error = error;
    box.stage = "failed";
  }
  screen.update({ focus: "sheets-upload-status" });
  if (box.document && box.document.status === "accepted") followReview(screen, state, box.document.id);
}

/** Ask again for an accepted sheet while its review is missing or still being made. */
async function followReview(screen, state, id) {
  for (let poll = 0; poll < REVIEW_POLLS && state.alive; poll += 1) {
    const current = state.upload.document;
    if (!current || current.id !== id) return;
    if (reviewOf(current)) return;
    await new Promise((resolve) => setTimeout(resolve, REVIEW_POLL_MS));
    try {
      const document = await api.document(id);
      if (state.upload.document?.id !== id) return;
      const before = JSON.stringify(reviewOf(state.upload.document));
      state.upload.document = document;
      if (JSON.stringify(reviewOf(document)) !== before) screen.update();
    } catch (error) {
      if (error.status === 401) return;
    }
  }
}

// --- rendering -------------------------------------------------------------------------------

function downloadSection(screen, state) {
  const box = state.download;
  return h(
    "section",
    { class: "sheet-download", "aria-labelledby": "sheets-download-title" },
    h("h2", { id: "sheets-download-title" }, t("sheets.download_title")),
    h("p", null, t("sheets.download_intro")),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "sheet-download", class: "primary", disabled: box.busy, onclick: () => download(screen, state) },
        t("sheets.download", { year: fiscalYearLabel(state.fiscalYear) }))),
    box.error ? errorBox(box.error, { id: "sheets-download-error" }) : null,
    liveStatus("sheets-download-status", box.message),
  );
}

function uploadStatus(state) {
  const box = state.upload;
  const document = box.document;
  const nodes = [];
  if (box.stage && box.stage !== "failed") {
    nodes.push(h("p", { id: "sheet-stage", "data-stage": box.stage, class: ["upload-stage", `upload-${box.stage}`] }, t(`upload.stage.${box.stage}`, { name: box.filename || "" })));
  }
  if (document && document.status === "rejected") {
    nodes.push(h("ul", { class: "reasons", id: "sheet-reasons" }, (document.reasons || []).map((reason) => h("li", null, apiText(reason), " ", h("code", null, reason.code)))));
  }
  if (document && document.status === "accepted") {
    const review = reviewOf(document);
    nodes.push(h("p", { class: "hint", id: "sheet-document-id" }, t("sheets.document_id", { id: document.id })));
    if (review) {
      const outcome = typeof review.outcome === "string" ? review.outcome : "";
      const key = `sheets.review_outcome.${outcome}`;
      nodes.push(h("p", { id: "sheet-review-status", "data-review-outcome": outcome }, t("sheets.review"), ": ", hasKey(key) ? t(key) : outcome || t("common.none")));
    } else {
      nodes.push(h("p", { class: "hint", id: "sheet-review-waiting" }, t("sheets.review_waiting")));
    }
  }
  return h("div", { id: "sheets-upload-status", class: "upload-status", role: "status", "aria-live": "polite", tabindex: "-1" }, nodes);
}

function uploadSection(screen, state) {
  const box = state.upload;
  const busy = BUSY.includes(box.stage);
  return h(
    "section",
    { class: "sheet-upload", "aria-labelledby": "sheets-upload-title" },
    h("h2", { id: "sheets-upload-title" }, t("sheets.upload_title")),
    h(
      "form",
      { class: "inline-form", novalidate: true, onsubmit: (event) => upload(screen, state, event) },
      formField({
        label: t("sheets.file"),
        hint: t("sheets.file_hint"),
        error: box.error && box.error.kind === "client" ? box.error : null,
        control: h("input", {
          type: "file", id: "sheet-file", name: "sheet-file", accept: ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", disabled: busy,
          onchange: (event) => { box.file = event.target.files[0] || null; },
        }),
      }),
      h("button", { type: "submit", id: "sheet-upload", class: "primary", disabled: busy }, t("sheets.upload")),
    ),
    box.error && box.error.kind !== "client" ? errorBox(box.error, { id: "sheets-upload-error" }) : null,
    uploadStatus(state),
  );
}

function yearTable(state) {
  const months = monthsOf(state.fiscalYear);
  return scrollTable({
    id: "sheet-table",
    caption: t("sheets.table_caption", { year: fiscalYearLabel(state.fiscalYear) }),
    head: [[{ label: t("calculation.col.number") }, { label: t("calculation.col.source") }, ...months.map((month) => ({ label: monthLabel(month), num: true }))]],
    body: state.sources.map((source) => h("tr", { "data-source": source.id },
      h("td", { class: "num" }, String(source.number)),
      h("th", { scope: "row" }, localName(source)),
      months.map((month) => {
        const value = state.values.get(`${source.id}|${month}`);
        return h("td", { class: "num" }, value ? `${fmtDecimal(value.quantity)} ${value.unit}` : t("common.none"));
      }))),
  });
}

function problemsAside(state) {
  const document = state.upload.document;
  const review = reviewOf(document);
  const problems = reviewProblems(document);
  return h(
    "aside",
    { class: "sheet-problems", "aria-labelledby": "sheet-problems-title", id: "sheet-problems" },
    h("h2", { id: "sheet-problems-title" }, t("sheets.problems_title")),
    !review
      ? h("p", { class: "hint" }, t("sheets.problems_none_yet"))
      : problems.length
        ? h("ol", { id: "sheet-problem-list", class: "problem-list" },
            problems.map((problem) => h("li", { "data-cell": `${problem.sheet || ""}!${problem.cell || ""}` },
              h("span", { class: "problem-place" }, problem.sheet || problem.cell
                ? [t("sheets.problem_sheet"), " ", userText(problem.sheet || t("common.none")), t("sheets.problem_cell", { cell: problem.cell || t("common.none") })]
                : t("sheets.problem_workbook")),
              " ",
              h("span", { class: "problem-message", lang: getLang() }, apiText(problem)),
              problem.code ? [" ", h("code", null, problem.code)] : null)))
        : h("p", { id: "sheet-no-problems" }, t("sheets.no_problems")),
  );
}

export function sheetsView(ctx, requested) {
  const state = newState(chosenFiscalYear(ctx, requested));
  const view = {
    title: () => `${t("sheets.title")} (${fiscalYearLabel(state.fiscalYear)})`,
    start: () => load(screen, state),
    stop: () => { state.alive = false; },
    render: () => render(screen, state),
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}

function render(screen, state) {
  const parts = [pageHeading(t("sheets.title"), t("sheets.subtitle")), fiscalYearForm(screen.ctx, { route: "sheets", value: state.fiscalYear })];
  parts.push(downloadSection(screen, state), uploadSection(screen, state));
  if (state.loadError) parts.push(errorBox(state.loadError, { id: "sheets-error" }));
  else if (state.loading) parts.push(loading());
  else {
    parts.push(h("div", { class: "sheet-layout" },
      h("div", { class: "sheet-main" }, state.sources.length ? yearTable(state) : h("p", null, t("monitoring.no_sources"))),
      problemsAside(state)));
  }
  return h("section", { class: "emissions sheets" }, parts);
}
