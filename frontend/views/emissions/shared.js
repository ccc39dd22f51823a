// What the emissions screens share: fiscal years and their months, unit families, names
// in the current language, the fiscal-year chooser, scrolling tables and the documents
// flow (announce => send the file to the bucket => wait for the check on arrival).
//
// Every function receives what it works on as parameters; nothing here keeps state.

import { api, uploadForm } from "../../api.js";
import { h } from "../../dom.js";
import { fmtMonth, getLang, t } from "../../i18n.js";
import { formField } from "../../ui.js";

/** The units a quantity may be given in, by family (the API converts within a family only). */
export const UNIT_FAMILIES = Object.freeze([
  ["L", "kL"],
  ["kg", "t"],
  ["Nm3", "1000Nm3"],
  ["kWh", "MWh"],
  ["MJ", "GJ"],
]);

/** Every unit of the family of `unit` (the unit alone when it is not known). */
export function unitsLike(unit) {
  if (!unit) return [];
  return UNIT_FAMILIES.find((family) => family.includes(unit)) || [unit];
}

export const CATEGORIES = Object.freeze(["fuel_combustion", "purchased_electricity", "purchased_heat", "non_energy"]);
export const BASES = Object.freeze(["fire_service_notification", "air_pollution_permit", "delivery_slips", "other"]);

/** The fiscal year (April to March) of a date, in Japan. */
export function fiscalYearOf(date) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo", year: "numeric", month: "numeric" }).formatToParts(date);
  const year = Number(parts.find((part) => part.type === "year").value);
  const month = Number(parts.find((part) => part.type === "month").value);
  return month >= 4 ? year : year - 1;
}

/** A fiscal year asked for in the address, else the current one. */
export function chosenFiscalYear(ctx, requested) {
  return /^\d{4}$/.test(requested || "") ? Number(requested) : fiscalYearOf(ctx.now());
}

/** "2025" -> ["2025-04", ..., "2026-03"]. */
export function monthsOf(fiscalYear) {
  return Array.from({ length: 12 }, (_, index) => {
    const month = ((index + 3) % 12) + 1;
    const year = index < 9 ? fiscalYear : fiscalYear + 1;
    return `${year}-${String(month).padStart(2, "0")}`;
  });
}

export function monthLabel(month) {
  return fmtMonth(month);
}

export function fiscalYearLabel(fiscalYear) {
  return t("emissions.fiscal_year", { year: String(fiscalYear) });
}

/** A name the API gives in both languages (English may be missing). */
export function localName(item) {
  if (!item) return t("common.none");
  return getLang() === "ja" ? item.name_ja || item.name_en || "" : item.name_en || item.name_ja || "";
}

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]/;

/**
 * Text the organisation wrote (a name, a reason, an address) shown as it is, marked as
 * Japanese when it is, so that a screen reader reads it right on the English page.
 */
export function userText(text, attrs = {}) {
  const value = String(text ?? "");
  return h("span", { lang: JAPANESE.test(value) ? "ja" : null, ...attrs }, value);
}

/**
 * The fiscal-year chooser: a select of years around the current one and "Show", which
 * follows the route (the address keeps the year, so a reload shows the same year).
 */
export function fiscalYearForm(ctx, { route, value, id = "fiscal-year" }) {
  const current = fiscalYearOf(ctx.now());
  const years = [];
  for (let year = current + 1; year >= Math.min(current - 4, value); year -= 1) years.push(year);
  if (!years.includes(value)) years.push(value);
  let choice = value;
  return h(
    "form",
    {
      class: "inline-form no-print",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        ctx.navigate(`#/${route}/${choice}`);
      },
    },
    formField({
      label: t("emissions.fiscal_year_select"),
      control: h(
        "select",
        { id, name: id, value: String(value), onchange: (event) => { choice = Number(event.target.value); } },
        years.map((year) => h("option", { value: String(year) }, fiscalYearLabel(year))),
      ),
    }),
    h("button", { type: "submit", id: `${id}-show` }, t("emissions.show")),
  );
}

/**
 * A wide table that scrolls inside its own region (the page never overflows): keyboard
 * users reach the region with Tab and scroll it with the arrow keys.
 * head: rows of header cells ([{label, scope?, colspan?, rowspan?, num?}]); body: <tr>s.
 */
export function scrollTable({ id, caption, head, body, foot = null, className = null }) {
  return h(
    "div",
    { class: "scroll-table", id: `${id}-region`, role: "region", tabindex: "0", "aria-labelledby": `${id}-caption` },
    h(
      "table",
      { class: ["grid-table", className], id },
      h("caption", { id: `${id}-caption` }, caption),
      h("thead", null, head.map((row) => h("tr", null, row.map((cell) => headerCell(cell))))),
      h("tbody", null, body),
      foot ? h("tfoot", null, foot) : null,
    ),
  );
}

function headerCell(cell) {
  return h("th", { scope: cell.scope || "col", colspan: cell.colspan || null, rowspan: cell.rowspan || null, class: cell.num ? "num" : null }, cell.label);
}

/**
 * A status message area that is always in the page (polite live region). message: a
 * function giving the text in the current language (so a change of language redraws it).
 */
export function liveStatus(id, thunk, { tone = "success" } = {}) {
  const message = typeof thunk === "function" ? thunk() : thunk;
  return h(
    "div",
    { id, class: ["live-status", message && `notice notice-${tone}`], role: "status", "aria-live": "polite", tabindex: message ? "-1" : null },
    message ? h("p", null, message) : null,
  );
}

// --- documents ---------------------------------------------------------------------------------

const CONTENT_TYPES = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The content type to announce for a file (the browser's, else from its extension). */
export function contentTypeOf(file) {
  if (file.type) return file.type;
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  return CONTENT_TYPES[extension] || "application/octet-stream";
}

const POLL_MS = 1_000;
const POLL_LIMIT = 60;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Announce a document, send the file to the bucket with the presigned form, then ask for
 * the document until the check on arrival decided (accepted or rejected).
 * progress(stage, document) is told "announcing", "sending" and "checking".
 * alive() says whether the screen still wants the answer (it stops polling otherwise).
 */
export async function uploadDocument({ kind, file, purpose = null }, { progress = () => {}, alive = () => true } = {}) {
  progress("announcing", null);
  const announced = await api.announceDocument({ kind, filename: file.name, content_type: contentTypeOf(file), size: file.size, ...(purpose ? { purpose } : {}) });
  let document = announced.document;
  progress("sending", document);
  await uploadForm(announced.upload, file);
  progress("checking", document);
  for (let attempt = 0; attempt < POLL_LIMIT && alive(); attempt += 1) {
    document = await api.document(document.id);
    if (document.status !== "awaiting_upload") return document;
    await sleep(POLL_MS);
  }
  return document;
}

/** A document's review (the import of a performance sheet) once the API gives one; null before. */
export function reviewOf(document) {
  const review = document && typeof document.review === "object" ? document.review : null;
  return review && !Array.isArray(review) ? review : null;
}

/** The bad cells of a review: [{sheet, cell, code, message, message_ja}] (defensively read). */
export function reviewProblems(document) {
  const review = reviewOf(document);
  const problems = review && Array.isArray(review.problems) ? review.problems : [];
  return problems.filter((problem) => problem && typeof problem === "object");
}

/** An API text given in both languages ({message, message_ja}) in the current one. */
export function apiText(item) {
  const english = item.message || "";
  const japanese = item.message_ja || "";
  return getLang() === "ja" ? japanese || english : english || japanese;
}
