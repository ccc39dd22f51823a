// My listings (自社の掲載): every listing the organisation posted, whatever its status, and
// the form that posts a new one. Editing and withdrawing happen on the listing's page.

import { api, newIdempotencyKey } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDate, fmtNumber, jstDateString, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading } from "../../ui.js";
import { NOTES_MAX } from "./listing.js";
import { fmtPrice, matchingScreen, normalizeDigits, openQuantity, positiveInteger, sideBadge, SIDES, statusBadge, statusLine, unitLabel, UNIT_TYPES } from "./shared.js";

const FIELDS = ["side", "unit_type", "period", "quantity", "min_lot", "price_yen", "valid_until", "notes"];

function newForm() {
  return { side: "sell", unit_type: "JPA", period: "", quantity: "", min_lot: "", price_yen: "", valid_until: jstDateString(30), notes: "" };
}

function newState() {
  return { items: [], loading: true, loadError: null, form: newForm(), errors: {}, sendError: null, sending: false, key: null, keyBody: null, message: null, created: null };
}

async function load(screen, state, focus = null) {
  try {
    const answer = await api.listings({ mine: "true", limit: 100 });
    state.items = answer.items || [];
    state.loadError = null;
  } catch (error) {
    if (error.status === 401) return;
    state.loadError = error;
  }
  state.loading = false;
  screen.update({ focus });
}

/** The POST /listings body for the form, or the page's own errors. */
export function listingBody(form) {
  const errors = {};
  const body = { side: form.side, unit_type: form.unit_type };
  const period = normalizeDigits(form.period);
  if (period) {
    if (/^\d{1,2}$/.test(period)) body.period = period.padStart(2, "0");
    else errors.period = clientError("validation.period");
  }
  for (const name of ["quantity", "min_lot", "price_yen"]) {
    const value = positiveInteger(form[name]);
    if (value === null) errors[name] = clientError(normalizeDigits(form[name]) ? (name === "price_yen" ? "matching.validation.price" : "validation.amount") : "validation.required");
    else body[name] = value;
  }
  if (!errors.quantity && !errors.min_lot && body.min_lot > body.quantity) errors.min_lot = clientError("matching.validation.lot_above_quantity");
  if (!form.valid_until) errors.valid_until = clientError("validation.date");
  else body.valid_until = form.valid_until;
  const notes = form.notes.trim();
  if (notes.length > NOTES_MAX) errors.notes = clientError("matching.validation.too_long", { max: NOTES_MAX });
  else if (notes) body.notes = notes;
  return { body, errors };
}

async function create(screen, state, event) {
  event.preventDefault();
  if (state.sending) return;
  const { body, errors } = listingBody(state.form);
  state.errors = Object.fromEntries(Object.entries(errors).map(([name, error]) => [`new-${name}`, error]));
  state.sendError = null;
  state.message = null;
  if (Object.keys(state.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  const text = JSON.stringify(body);
  if (state.key === null || state.keyBody !== text) {
    state.key = newIdempotencyKey();
    state.keyBody = text;
  }
  state.sending = true;
  screen.update();
  try {
    const answer = await api.createListing(body, state.key);
    const listing = answer.listing || answer;
    state.sending = false;
    state.key = null;
    state.keyBody = null;
    state.form = newForm();
    state.created = listing.id;
    state.message = () => t("matching.mine.created", { id: listing.id });
    await load(screen, state, "mine-status");
  } catch (error) {
    state.sending = false;
    if (error.status === 401) return;
    if (!error.retryable) {
      state.key = null;
      state.keyBody = null;
    }
    const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
    for (const field of fields) if (FIELDS.includes(field)) state.errors[`new-${field}`] = error;
    if (!Object.keys(state.errors).length) state.sendError = error;
    screen.update({ focus: state.sendError ? "new-error" : "error-summary" });
  }
}

// --- rendering -------------------------------------------------------------------------------

function createForm(screen, state) {
  const form = state.form;
  const field = (name, control, extra = {}) => formField({ label: t(`matching.field.${name}`), field: `new-${name}`, error: state.errors[`new-${name}`], control, ...extra });
  const input = (name, attrs) => h("input", { id: `new-${name}`, name, type: "text", autocomplete: "off", value: form[name], oninput: (event) => { form[name] = event.target.value; }, ...attrs });
  const select = (name, options) => h("select", { id: `new-${name}`, name, value: form[name], onchange: (event) => { form[name] = event.target.value; } },
    options.map(([value, text]) => h("option", { value }, text)));
  return h(
    "form",
    { class: "listing-form", novalidate: true, onsubmit: (event) => create(screen, state, event), "aria-labelledby": "new-title" },
    h("h2", { id: "new-title" }, t("matching.mine.new_title")),
    h("p", null, t("matching.mine.new_intro")),
    errorSummary(Object.entries(state.errors).map(([name, error]) => ({ field: name, error }))),
    h("div", { class: "form-grid" },
      field("side", select("side", SIDES.map((side) => [side, t(`matching.side.${side}`)]))),
      field("unit_type", select("unit_type", UNIT_TYPES.map((type) => [type, type]))),
      field("period", input("period", { inputmode: "numeric", maxlength: "2", class: "short" }), { optional: true, hint: t("matching.field.period_hint") }),
      field("quantity", input("quantity", { inputmode: "numeric", class: "amount-input" }), { hint: t("matching.field.quantity_hint") }),
      field("min_lot", input("min_lot", { inputmode: "numeric", class: "amount-input" }), { hint: t("matching.field.min_lot_hint") }),
      field("price_yen", input("price_yen", { inputmode: "numeric", class: "amount-input" }), { hint: t("matching.field.price_hint") }),
      field("valid_until", input("valid_until", { type: "date" }))),
    field("notes", h("textarea", { id: "new-notes", name: "notes", rows: "3", maxlength: String(NOTES_MAX), value: form.notes, oninput: (event) => { form.notes = event.target.value; } }),
      { optional: true, hint: t("matching.field.notes_hint", { max: NOTES_MAX }) }),
    state.sendError ? errorBox(state.sendError, { id: "new-error" }) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "new-submit", disabled: state.sending, "aria-busy": state.sending ? "true" : null },
      state.sending ? t("move.sending") : t("matching.mine.submit"))),
  );
}

function table(state) {
  if (!state.items.length) return h("p", { id: "mine-empty" }, t("matching.mine.none"));
  return dataTable({
    caption: t("matching.mine.caption"),
    captionHidden: true,
    id: "mine-table",
    columns: [
      { label: t("matching.col.side") }, { label: t("matching.col.status") }, { label: t("col.unit_type") }, { label: t("matching.col.open_quantity"), num: true },
      { label: t("matching.col.price"), num: true }, { label: t("matching.col.valid_until") }, { label: t("matching.col.details") },
    ],
    rows: state.items.map((listing) => ({
      attrs: { "data-listing": listing.id, class: listing.id === state.created ? "just-created" : null },
      cells: [
        sideBadge(listing.side), statusBadge("listing", listing.status), unitLabel(listing), fmtNumber(openQuantity(listing)), fmtPrice(listing.price_yen),
        fmtDate(listing.valid_until),
        h("a", { href: `#/listing/${encodeURIComponent(listing.id)}` }, t("matching.mine.manage"),
          h("span", { class: "visually-hidden" }, ` (${t("matching.listing_label", { side: t(`matching.side.${listing.side}`), unit: unitLabel(listing), price: fmtPrice(listing.price_yen) })})`)),
      ],
    })),
  });
}

function render(screen, state) {
  return h(
    "section",
    { class: "matching mine" },
    pageHeading(t("matching.mine.title")),
    statusLine("mine-status", state.message),
    h("h2", { id: "mine-list-title" }, t("matching.mine.list_title")),
    state.loadError ? errorBox(state.loadError, { id: "mine-error" }) : state.loading ? loading() : table(state),
    createForm(screen, state),
  );
}

export function myListingsView(ctx) {
  const state = newState();
  const view = {
    titleKey: "matching.mine.title",
    start: () => load(screen, state),
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
