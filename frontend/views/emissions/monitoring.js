// モニタリングの登録 (monthly data entry): for a fiscal year and one registered source at a
// time, the twelve months with the quantity (decimal text, sent as the string typed), its
// unit within the source's family and optional evidence (uploaded through the documents
// flow and linked by its id). "Save" sends every changed month; each refusal is shown
// under its month with the API's own message and listed at the top.

import { api } from "../../api.js";
import { h, vh } from "../../dom.js";
import { t } from "../../i18n.js";
import { clientError, errorBody, errorBox, errorSummary, formField, loading, pageHeading } from "../../ui.js";
import {
  apiText, chosenFiscalYear, fiscalYearForm, fiscalYearLabel, liveStatus, localName, monthLabel, monthsOf, scrollTable, unitsLike,
  uploadDocument,
} from "./shared.js";

function newState(fiscalYear) {
  return {
    fiscalYear,
    loading: true,
    loadError: null,
    sources: [],
    sourceId: "",
    choice: "",
    stored: new Map(),
    drafts: new Map(),
    saving: false,
    message: null,
    summary: [],
    alive: true,
  };
}

const keyOf = (sourceId, month) => `${sourceId}|${month}`;

/** Normalise what was typed (full-width digits, separators, spaces); the API judges the rest. */
export function quantityText(text) {
  return String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "");
}

async function load(screen, state) {
  try {
    const [sources, monitoring] = await Promise.all([api.sources(), api.monitoring(state.fiscalYear)]);
    state.sources = sources.sources.filter((source) => source.status === "registered");
    for (const value of monitoring.values) state.stored.set(keyOf(value.source_id, value.month), value);
    state.sourceId = state.sources.find((source) => !source.excluded)?.id || state.sources[0]?.id || "";
    state.choice = state.sourceId;
  } catch (error) {
    state.loadError = error;
  }
  state.loading = false;
  screen.update();
}

/** The month's editable row (made from the stored value the first time it is asked for). */
function draftOf(state, source, month) {
  const key = keyOf(source.id, month);
  if (!state.drafts.has(key)) {
    const stored = state.stored.get(key);
    state.drafts.set(key, {
      quantity: stored ? stored.quantity : "",
      unit: stored ? stored.unit : source.unit || "",
      evidence: stored ? stored.evidence_document_id : null,
      upload: null,
      error: null,
    });
  }
  return state.drafts.get(key);
}

function isChanged(state, source, month, draft) {
  const stored = state.stored.get(keyOf(source.id, month));
  const quantity = quantityText(draft.quantity);
  if (!stored) return quantity !== "";
  return quantity !== stored.quantity || draft.unit !== stored.unit || (draft.evidence || null) !== (stored.evidence_document_id || null);
}

function retired(source, month) {
  return Boolean(source.retired_from && month >= source.retired_from);
}

async function save(screen, state) {
  const source = state.sources.find((item) => item.id === state.sourceId);
  if (!source || state.saving) return;
  state.message = null;
  state.summary = [];
  const months = monthsOf(state.fiscalYear).filter((month) => !retired(source, month));
  const pending = [];
  for (const month of months) {
    const draft = draftOf(state, source, month);
    draft.error = null;
    if (!isChanged(state, source, month, draft)) continue;
    if (quantityText(draft.quantity) === "") draft.error = { ...clientError("emissions.validation.quantity_required"), field: "quantity" };
    else pending.push([month, draft]);
  }
  if (!pending.length && !months.some((month) => draftOf(state, source, month).error)) {
    state.message = () => t("monitoring.nothing_to_save");
    screen.update({ focus: "monitoring-status" });
    return;
  }
  state.saving = true;
  screen.update();
  let saved = 0;
  for (const [month, draft] of pending) {
    const body = { quantity: quantityText(draft.quantity), unit: draft.unit };
    if (draft.evidence) body.evidence_document_id = draft.evidence;
    try {
      const value = await api.putMonitoring(source.id, month, body);
      state.stored.set(keyOf(source.id, month), value);
      state.drafts.delete(keyOf(source.id, month));
      saved += 1;
    } catch (error) {
      if (error.status === 401) return;
      draft.error = error;
    }
  }
  state.saving = false;
  state.summary = months
    .map((month) => [month, draftOf(state, source, month)])
    .filter(([, draft]) => draft.error)
    .map(([month, draft]) => ({ field: cellId(month, draft.error.field === "unit" ? "unit" : "quantity"), error: draft.error }));
  if (saved) state.message = () => t("monitoring.saved", { n: String(saved), source: localName(source) });
  screen.update({ focus: state.summary.length ? "error-summary" : "monitoring-status" });
}

async function attachEvidence(screen, state, source, month, file) {
  const draft = draftOf(state, source, month);
  if (!file) return;
  draft.upload = { stage: "announcing", filename: file.name, document: null, error: null };
  screen.update();
  try {
    const document = await uploadDocument(
      { kind: "evidence", file, purpose: `monitoring:${source.id}:${month}` },
      { progress: (stage) => { draft.upload.stage = stage; screen.update(); }, alive: () => state.alive },
    );
    draft.upload.document = document;
    draft.upload.stage = document.status;
    if (document.status === "accepted") draft.evidence = document.id;
  } catch (error) {
    if (error.status === 401) return;
    draft.upload.error = error;
    draft.upload.stage = "failed";
  }
  screen.update();
}

function cellId(month, field) {
  return `m-${month}-${field}`;
}

function evidenceCell(screen, state, source, month, draft, disabled) {
  const upload = draft.upload;
  const label = monthLabel(month);
  const statusId = cellId(month, "evidence-status");
  let status = null;
  if (upload) {
    const document = upload.document;
    status = [
      h("span", { class: `upload-stage upload-${upload.stage}` }, t(`upload.stage.${upload.stage}`, { name: upload.filename })),
      upload.error ? h("span", { class: "field-error" }, " ", errorBody(upload.error)) : null,
      document && document.status === "rejected"
        ? h("ul", { class: "reasons" }, (document.reasons || []).map((reason) => h("li", null, apiText(reason), " ", h("code", null, reason.code))))
        : null,
    ];
  } else if (draft.evidence) {
    status = h("span", null, t("monitoring.evidence_linked", { id: draft.evidence }));
  }
  return [
    h("input", {
      type: "file", id: cellId(month, "evidence"), name: cellId(month, "evidence"), class: "file-input", accept: ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg",
      disabled: disabled || (upload && ["announcing", "sending", "checking"].includes(upload.stage)),
      "aria-label": `${t("monitoring.col.evidence")} (${label})`, "aria-describedby": statusId,
      onchange: (event) => attachEvidence(screen, state, source, month, event.target.files[0]),
    }),
    h("div", { id: statusId, class: "evidence-status", "aria-live": "polite" }, status),
  ];
}

function monthRows(screen, state, source) {
  const units = unitsLike(source.unit);
  return monthsOf(state.fiscalYear).flatMap((month) => {
    const draft = draftOf(state, source, month);
    const label = monthLabel(month);
    const isRetired = retired(source, month);
    const stored = state.stored.get(keyOf(source.id, month));
    const errorId = cellId(month, "error");
    const invalid = draft.error ? (draft.error.field === "unit" ? "unit" : "quantity") : null;
    const rows = [
      h("tr", { "data-month": month, class: draft.error ? "has-error" : null },
        h("th", { scope: "row" }, label),
        h("td", null, h("input", {
          type: "text", id: cellId(month, "quantity"), name: cellId(month, "quantity"), class: "quantity-input", inputmode: "decimal", autocomplete: "off",
          value: draft.quantity, disabled: isRetired, "aria-label": `${t("monitoring.col.quantity")} (${label})`,
          "aria-invalid": invalid === "quantity" ? "true" : null, "aria-describedby": invalid === "quantity" ? errorId : null,
          oninput: (event) => { draft.quantity = event.target.value; },
        })),
        h("td", null, h("select", {
          id: cellId(month, "unit"), name: cellId(month, "unit"), value: draft.unit, disabled: isRetired,
          "aria-label": `${t("monitoring.col.unit")} (${label})`, "aria-invalid": invalid === "unit" ? "true" : null,
          "aria-describedby": invalid === "unit" ? errorId : null,
          onchange: (event) => { draft.unit = event.target.value; },
        }, (units.includes(draft.unit) || !draft.unit ? units : [draft.unit, ...units]).map((unit) => h("option", { value: unit }, unit)))),
        h("td", null, evidenceCell(screen, state, source, month, draft, isRetired)),
        h("td", { id: cellId(month, "state") }, isRetired ? t("monitoring.state.retired") : stored ? t("monitoring.state.saved") : t("monitoring.state.empty")),
      ),
    ];
    if (draft.error) {
      rows.push(h("tr", { class: "row-error" }, h("td", { colspan: "5" },
        h("p", { class: "field-error", id: errorId, "data-error-for": cellId(month, invalid), "data-error-code": draft.error.code || null }, vh(`${label}: `), errorBody(draft.error)))));
    }
    return rows;
  });
}

function sourceForm(screen, state) {
  return h(
    "form",
    {
      class: "inline-form",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        state.sourceId = state.choice;
        state.message = null;
        state.summary = [];
        screen.update({ focus: "monitoring-table-region" });
      },
    },
    formField({
      label: t("monitoring.source"),
      control: h("select", { id: "monitoring-source", name: "monitoring-source", value: state.choice, onchange: (event) => { state.choice = event.target.value; } },
        state.sources.map((source) => h("option", { value: source.id }, `${source.number}. ${localName(source)}${source.excluded ? ` (${t("monitoring.excluded")})` : ""}`))),
    }),
    h("button", { type: "submit", id: "monitoring-source-show" }, t("emissions.show")),
  );
}

export function monitoringView(ctx, requested) {
  const state = newState(chosenFiscalYear(ctx, requested));
  const view = {
    title: () => `${t("monitoring.title")} (${fiscalYearLabel(state.fiscalYear)})`,
    start: () => load(screen, state),
    stop: () => { state.alive = false; },
    render: () => render(screen, state),
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}

function render(screen, state) {
  const parts = [pageHeading(t("monitoring.title"), t("monitoring.subtitle")), fiscalYearForm(screen.ctx, { route: "monitoring", value: state.fiscalYear })];
  if (state.loadError) parts.push(errorBox(state.loadError, { id: "monitoring-error" }));
  else if (state.loading) parts.push(loading());
  else if (!state.sources.length) parts.push(h("p", { id: "no-sources" }, t("monitoring.no_sources")));
  else {
    const source = state.sources.find((item) => item.id === state.sourceId) || state.sources[0];
    const uploading = [...state.drafts.values()].some((draft) => draft.upload && ["announcing", "sending", "checking"].includes(draft.upload.stage));
    parts.push(
      liveStatus("monitoring-status", state.message),
      errorSummary(state.summary),
      sourceForm(screen, state),
      h("p", { class: "hint", id: "monitoring-hint" }, t("monitoring.hint", { units: unitsLike(source.unit).join(" / ") })),
      source.excluded ? h("p", { class: "notice notice-warning" }, t("monitoring.excluded_notice")) : null,
      scrollTable({
        id: "monitoring-table",
        caption: t("monitoring.caption", { source: `${source.number}. ${localName(source)}`, year: fiscalYearLabel(state.fiscalYear) }),
        className: "monitoring-table",
        head: [["month", "quantity", "unit", "evidence", "state"].map((column) => ({ label: t(`monitoring.col.${column}`) }))],
        body: monthRows(screen, state, source),
      }),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", id: "monitoring-save", class: "primary", disabled: state.saving || uploading, onclick: () => save(screen, state) }, t("monitoring.save")),
        state.saving ? h("span", { class: "loading", role: "status" }, t("sources.saving")) : null,
        h("a", { href: `#/calculation/${state.fiscalYear}`, id: "to-calculation" }, t("monitoring.to_calculation")),
      ),
    );
  }
  return h("section", { class: "emissions monitoring" }, parts);
}
