// Shared pieces of the screens: error messages, form fields, tables, step indicators.

import { h, fieldId, vh } from "./dom.js";
import { getLang, hasKey, t } from "./i18n.js";

// --- errors -------------------------------------------------------------------------------
//
// Three kinds of error reach the screens, all shown through errorText/errorBody:
// - a refusal from the API (an ApiError with apiMessage/apiMessageJa): its own message, in
//   the current language. The portal keeps no copy of the API's texts;
// - a failure with no API body (an ApiError whose code is one of api.js PORTAL_ERRORS, or
//   {code} for CONFIG_UNAVAILABLE): the dictionaries' "error.<CODE>";
// - a check made in the page before sending (clientError): a dictionary key, no code.

/** A client-side validation message (from the dictionaries, no code). */
export function clientError(key, params = {}) {
  return { kind: "client", key, params };
}

/** The API's own message in the current language ("" when the failure never reached it). */
export function apiMessage(error) {
  const english = error.apiMessage || "";
  const japanese = error.apiMessageJa || "";
  return getLang() === "ja" ? japanese || english : english || japanese;
}

/** What went wrong, in the current language: the API's message, else the portal's own text. */
export function errorText(error) {
  if (error.kind === "client") return t(error.key, error.params);
  const message = apiMessage(error);
  if (message) return message;
  const key = `error.${error.code}`;
  return t(hasKey(key) ? key : "error.UNKNOWN");
}

/**
 * An error shown in words: its text, its code and, where a screen has one for this code,
 * a hint of what to do next. hints: {CODE: dictionary key}.
 */
export function errorBody(error, hints = null) {
  const hint = error.kind === "client" ? null : hints?.[error.code];
  return [
    h("span", { class: "error-text" }, errorText(error)),
    error.kind === "client" ? null : [" ", h("span", { class: "error-code" }, `${t("common.error_code")}: `, h("code", null, error.code))],
    hint ? [" ", h("span", { class: "error-hint" }, t(hint))] : null,
  ];
}

/** An error block for a whole form or page (announced when it appears). */
export function errorBox(error, { id = null, field = null, hints = null } = {}) {
  return h("div", { class: "error-box", role: "alert", id, tabindex: id ? "-1" : null, "data-error-code": error.code || null, "data-error-for": field }, h("p", null, errorBody(error, hints)));
}

/**
 * A summary of the errors at the top of a form; each entry moves focus to its field.
 * entries: [{field, error}] (field may be null for errors of the whole form).
 */
export function errorSummary(entries) {
  if (entries.length === 0) return null;
  return h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1", id: "error-summary" },
    h("h2", null, t("common.error_summary")),
    h(
      "ul",
      null,
      entries.map(({ field, error }) => {
        const text = [errorText(error), error.kind === "client" ? "" : ` (${error.code})`].join("");
        return h(
          "li",
          null,
          field
            ? h("button", {
                type: "button",
                class: "link-button",
                onclick: () => document.getElementById(fieldId(field))?.focus(),
              }, text)
            : text,
        );
      }),
    ),
  );
}

// --- form fields ------------------------------------------------------------------------

/**
 * A labelled control with an optional hint, live status and error next to it.
 * The control must have an id; errors get data-error-for="<field>".
 */
export function formField({ label, control, hint = null, error = null, optional = false, status = null, field = null, className = null }) {
  const id = control.id;
  const describedBy = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) describedBy.push(hintNode.id);
  const errorNode = error
    ? h("p", { class: "field-error", id: `${id}-error`, "data-error-for": field || id, "data-error-code": error.code || null }, errorBody(error))
    : null;
  if (errorNode) {
    describedBy.push(errorNode.id);
    control.setAttribute("aria-invalid", "true");
  }
  if (status) describedBy.push(status.id);
  if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" "));
  return h(
    "div",
    { class: ["field", error && "has-error", className] },
    h("label", { for: id }, label, optional ? h("span", { class: "optional" }, ` ${t("common.optional")}`) : null),
    hintNode,
    control,
    status,
    errorNode,
  );
}

/** A <select> of account numbers. */
export function accountSelect({ id, accounts, value, onchange }) {
  return h(
    "select",
    { id, name: id, value, onchange },
    accounts.map((account) => h("option", { value: account.number }, account.number)),
  );
}

// --- display ----------------------------------------------------------------------------

/** A definition list of label/value rows. */
export function summaryList(rows, className = null) {
  return h(
    "dl",
    { class: ["summary", className] },
    rows.filter(Boolean).map(([label, value, attrs]) => h("div", { class: "summary-row", ...(attrs || {}) }, h("dt", null, label), h("dd", null, value))),
  );
}

/**
 * A data table that stacks into labelled cards on narrow screens.
 * columns: [{label, num}]; rows: [[cell, ...]] or [{cells, attrs}].
 */
export function dataTable({ caption, columns, rows, className = null, captionHidden = false, id = null }) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: ["data-table", className], id },
      caption ? h("caption", { class: captionHidden ? "visually-hidden" : null }, caption) : null,
      h("thead", null, h("tr", null, columns.map((column) => h("th", { scope: "col", class: column.num ? "num" : null }, column.label)))),
      h(
        "tbody",
        null,
        rows.map((row) => {
          const cells = Array.isArray(row) ? row : row.cells;
          const attrs = Array.isArray(row) ? {} : row.attrs || {};
          return h(
            "tr",
            attrs,
            cells.map((cell, index) =>
              h("td", { "data-label": columns[index].label, class: columns[index].num ? "num" : null }, h("div", { class: "cell" }, cell ?? t("common.none")))),
          );
        }),
      ),
    ),
  );
}

/** The "input => confirm => completed" indicator of a three-step procedure. */
export function stepIndicator(labels, current) {
  return h(
    "ol",
    { class: "steps", "aria-label": t("steps.label") },
    labels.map((label, index) =>
      h(
        "li",
        { class: [index === current && "current", index < current && "done"], "aria-current": index === current ? "step" : null },
        h("span", { class: "step-number", "aria-hidden": "true" }, String(index + 1)),
        h("span", { class: "step-label" }, label),
      ),
    ),
  );
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("common.loading"));
}

/** "50 ～ 100" / "50 – 100" */
export function serialRange(start, end) {
  return t("serial.range", { start: String(start), end: String(end) });
}

export function pageHeading(text, subtitle = null) {
  return [h("h1", { tabindex: "-1", id: "page-title" }, text), subtitle ? h("p", { class: "subtitle" }, subtitle) : null];
}

export { vh };
