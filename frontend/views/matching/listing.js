// A listing's page: what is offered or wanted, at what price and until when. Another
// organisation sends an inquiry from here (the lister's name stays hidden until the lister
// answers); the lister edits its price, quantity, notes and validity, withdraws it, and
// sees the threads opened on it.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDate, fmtDateTime, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading, summaryList } from "../../ui.js";
import {
  fmtPrice, isMine, matchingScreen, normalizeDigits, openQuantity, partyName, positiveInteger, sideBadge, statusBadge, statusLine,
  unitLabel, userText,
} from "./shared.js";

const EDIT_FIELDS = ["price_yen", "quantity", "notes", "valid_until"];
export const MESSAGE_MAX = 2000;
export const NOTES_MAX = 1000;

function newState(id) {
  return {
    id, listing: null, threads: [], thread: null, trader: false, loading: true, loadError: null,
    inquiry: { text: "", sending: false, error: null, errors: {} },
    edit: null, editErrors: {}, editError: null, saving: false,
    withdrawing: false, confirmWithdraw: false, withdrawError: null, message: null,
  };
}

async function load(screen, state) {
  try {
    const [listing, me] = await Promise.all([api.listing(state.id), screen.ctx.me()]);
    state.listing = listing;
    state.trader = me.role === "participant"; // verifiers and administrators read the board only
    const threads = state.trader ? (await api.inquiries()).items : [];
    state.threads = threads.filter((thread) => thread.listing_id === state.id);
    // The inquirer's own thread names the lister once the lister has answered.
    const own = state.threads.find((thread) => thread.role === "inquirer");
    if (own?.answered) state.thread = await api.inquiry(own.id);
  } catch (error) {
    if (error.status === 401) return;
    if (!state.listing) state.loadError = error;
  }
  state.loading = false;
  screen.update();
}

// --- inquiring -------------------------------------------------------------------------------

async function inquire(screen, state, event) {
  event.preventDefault();
  const box = state.inquiry;
  if (box.sending) return;
  box.error = null;
  box.errors = {};
  const text = box.text.trim();
  if (!text) box.errors["inquiry-message"] = clientError("validation.required");
  else if (text.length > MESSAGE_MAX) box.errors["inquiry-message"] = clientError("matching.validation.too_long", { max: MESSAGE_MAX });
  if (Object.keys(box.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  box.sending = true;
  screen.update();
  try {
    const inquiry = await api.inquire(state.id, { message: text });
    box.sending = false;
    screen.ctx.navigate(`#/inquiry/${encodeURIComponent(inquiry.id)}`);
  } catch (error) {
    box.sending = false;
    if (error.status === 401) return;
    if (error.field === "message") box.errors["inquiry-message"] = error;
    else box.error = error;
    screen.update({ focus: box.error ? "inquiry-error" : "error-summary" });
  }
}

function inquirySection(screen, state) {
  const box = state.inquiry;
  const mine = state.threads[0];
  if (mine) {
    return h("section", { class: "listing-inquiry", "aria-labelledby": "inquiry-title" },
      h("h2", { id: "inquiry-title" }, t("matching.listing.inquiry_title")),
      h("p", null, t("matching.listing.already_inquired")),
      h("p", null, h("a", { href: `#/inquiry/${encodeURIComponent(mine.id)}`, id: "listing-thread-link", class: "button-link" }, t("matching.listing.open_thread"))));
  }
  if (state.listing.status !== "open") return null;
  const entries = Object.entries(box.errors).map(([field, error]) => ({ field, error }));
  return h(
    "section",
    { class: "listing-inquiry", "aria-labelledby": "inquiry-title" },
    h("h2", { id: "inquiry-title" }, t("matching.listing.inquiry_title")),
    h("p", null, t("matching.listing.inquiry_intro")),
    errorSummary(entries),
    h(
      "form",
      { novalidate: true, onsubmit: (event) => inquire(screen, state, event) },
      formField({
        label: t("matching.listing.message"),
        hint: t("matching.listing.message_hint", { max: MESSAGE_MAX }),
        field: "inquiry-message",
        error: box.errors["inquiry-message"],
        control: h("textarea", { id: "inquiry-message", name: "message", rows: "4", maxlength: String(MESSAGE_MAX), value: box.text, oninput: (event) => { box.text = event.target.value; } }),
      }),
      box.error ? errorBox(box.error, { id: "inquiry-error" }) : null,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "inquire", disabled: box.sending, "aria-busy": box.sending ? "true" : null },
        box.sending ? t("move.sending") : t("matching.listing.inquire"))),
    ),
  );
}

// --- the lister's tools ------------------------------------------------------------------------

function startEdit(screen, state) {
  const listing = state.listing;
  state.edit = { price_yen: String(listing.price_yen), quantity: String(listing.quantity), notes: listing.notes || "", valid_until: listing.valid_until };
  state.editErrors = {};
  state.editError = null;
  state.message = null;
  screen.update({ focus: "edit-price_yen" });
}

/** The PATCH body for what changed (after the page's checks), or the errors. */
export function editBody(listing, edit) {
  const errors = {};
  const body = {};
  const price = positiveInteger(edit.price_yen);
  if (price === null) errors.price_yen = clientError(normalizeDigits(edit.price_yen) ? "matching.validation.price" : "validation.required");
  else if (price !== listing.price_yen) body.price_yen = price;
  const quantity = positiveInteger(edit.quantity);
  if (quantity === null) errors.quantity = clientError(normalizeDigits(edit.quantity) ? "validation.amount" : "validation.required");
  else if (quantity !== listing.quantity) body.quantity = quantity;
  const notes = edit.notes.trim();
  if (notes.length > NOTES_MAX) errors.notes = clientError("matching.validation.too_long", { max: NOTES_MAX });
  else if (notes !== (listing.notes || "")) body.notes = notes;
  if (!edit.valid_until) errors.valid_until = clientError("validation.date");
  else if (edit.valid_until !== listing.valid_until) body.valid_until = edit.valid_until;
  return { body, errors };
}

async function save(screen, state, event) {
  event.preventDefault();
  if (state.saving) return;
  const { body, errors } = editBody(state.listing, state.edit);
  state.editErrors = Object.fromEntries(Object.entries(errors).map(([name, error]) => [`edit-${name}`, error]));
  state.editError = null;
  if (Object.keys(state.editErrors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  if (!Object.keys(body).length) {
    state.edit = null;
    screen.update({ focus: "edit-listing" });
    return;
  }
  state.saving = true;
  screen.update();
  try {
    state.listing = await api.updateListing(state.id, body);
    state.edit = null;
    state.saving = false;
    state.message = () => t("matching.listing.saved");
    screen.update({ focus: "listing-status" });
  } catch (error) {
    state.saving = false;
    if (error.status === 401) return;
    const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
    for (const field of fields) if (EDIT_FIELDS.includes(field)) state.editErrors[`edit-${field}`] = error;
    if (!Object.keys(state.editErrors).length) state.editError = error;
    screen.update({ focus: state.editError ? "edit-error" : "error-summary" });
  }
}

async function withdraw(screen, state) {
  if (state.withdrawing) return;
  state.withdrawing = true;
  state.withdrawError = null;
  screen.update();
  try {
    state.listing = await api.withdrawListing(state.id);
    state.confirmWithdraw = false;
    state.message = () => t("matching.listing.withdrawn");
    state.withdrawing = false;
    screen.update({ focus: "listing-status" });
  } catch (error) {
    state.withdrawing = false;
    if (error.status === 401) return;
    state.withdrawError = error;
    screen.update({ focus: "withdraw-error" });
  }
}

function editForm(screen, state) {
  const edit = state.edit;
  const field = (name, control, extra = {}) => formField({ label: t(`matching.field.${name}`), field: `edit-${name}`, error: state.editErrors[`edit-${name}`], control, ...extra });
  const input = (name, attrs) => h("input", { id: `edit-${name}`, name, autocomplete: "off", value: edit[name], oninput: (event) => { edit[name] = event.target.value; }, ...attrs });
  return h(
    "form",
    { class: "listing-edit", novalidate: true, onsubmit: (event) => save(screen, state, event), "aria-labelledby": "edit-title" },
    h("h2", { id: "edit-title" }, t("matching.listing.edit_title")),
    errorSummary(Object.entries(state.editErrors).map(([name, error]) => ({ field: name, error }))),
    field("price_yen", input("price_yen", { type: "text", inputmode: "numeric", class: "amount-input" }), { hint: t("matching.field.price_hint") }),
    field("quantity", input("quantity", { type: "text", inputmode: "numeric", class: "amount-input" }), { hint: t("matching.field.quantity_hint") }),
    field("valid_until", input("valid_until", { type: "date" })),
    field("notes", h("textarea", { id: "edit-notes", name: "notes", rows: "3", maxlength: String(NOTES_MAX), value: edit.notes, oninput: (event) => { edit.notes = event.target.value; } }), { optional: true }),
    state.editError ? errorBox(state.editError, { id: "edit-error" }) : null,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", id: "edit-save", disabled: state.saving, "aria-busy": state.saving ? "true" : null }, state.saving ? t("move.sending") : t("matching.listing.save")),
      h("button", { type: "button", class: "secondary", id: "edit-cancel", disabled: state.saving, onclick: () => { state.edit = null; screen.update({ focus: "edit-listing" }); } }, t("matching.cancel"))),
  );
}

function listerTools(screen, state) {
  const listing = state.listing;
  const open = listing.status === "open";
  return h(
    "section",
    { class: "listing-tools", "aria-labelledby": "tools-title" },
    h("h2", { id: "tools-title" }, t("matching.listing.tools_title")),
    state.edit ? editForm(screen, state) : open
      ? h("div", { class: "actions" },
          h("button", { type: "button", id: "edit-listing", onclick: () => startEdit(screen, state) }, t("matching.listing.edit")),
          state.confirmWithdraw
            ? h("span", { class: "confirm-delete", role: "group", "aria-label": t("matching.listing.withdraw_confirm") },
                h("span", null, t("matching.listing.withdraw_confirm")),
                h("button", { type: "button", class: "danger", id: "withdraw-confirm", disabled: state.withdrawing, onclick: () => withdraw(screen, state) }, t("matching.listing.withdraw_yes")),
                h("button", { type: "button", class: "secondary", id: "withdraw-cancel", onclick: () => { state.confirmWithdraw = false; screen.update({ focus: "withdraw" }); } }, t("matching.cancel")))
            : h("button", { type: "button", class: "danger", id: "withdraw", onclick: () => { state.confirmWithdraw = true; screen.update({ focus: "withdraw-confirm" }); } }, t("matching.listing.withdraw")))
      : h("p", null, t("matching.listing.closed_note")),
    state.withdrawError ? errorBox(state.withdrawError, { id: "withdraw-error" }) : null,
    h("h2", { id: "threads-title" }, t("matching.listing.threads_title")),
    state.threads.length
      ? dataTable({
          caption: t("matching.listing.threads_title"),
          captionHidden: true,
          id: "listing-threads",
          columns: [{ label: t("matching.col.opened_at") }, { label: t("matching.col.thread_state") }, { label: t("matching.col.details") }],
          rows: state.threads.map((thread) => ({
            attrs: { "data-inquiry": thread.id },
            cells: [
              fmtDateTime(thread.created_at),
              t(thread.current_deal ? "matching.inquiries.has_deal" : thread.answered ? "matching.inquiries.answered" : "matching.inquiries.unanswered"),
              h("a", { href: `#/inquiry/${encodeURIComponent(thread.id)}` }, t("matching.inquiries.open")),
            ],
          })),
        })
      : h("p", { id: "listing-no-threads" }, t("matching.listing.no_threads")),
  );
}

// --- rendering -------------------------------------------------------------------------------

export function listingRows(listing, lister = null) {
  return [
    [t("matching.col.side"), sideBadge(listing.side, "listing-side")],
    [t("matching.col.status"), statusBadge("listing", listing.status, "listing-status-badge")],
    [t("col.unit_type"), h("span", { id: "listing-unit" }, unitLabel(listing))],
    [t("matching.col.quantity"), h("span", { id: "listing-quantity", class: "amount" }, t("common.amount", { amount: fmtNumber(listing.quantity) }))],
    [t("matching.col.open_quantity"), h("span", { id: "listing-open", class: "amount" }, t("common.amount", { amount: fmtNumber(openQuantity(listing)) }))],
    [t("matching.col.min_lot"), h("span", { id: "listing-min-lot" }, t("common.amount", { amount: fmtNumber(listing.min_lot) }))],
    [t("matching.col.price"), h("span", { id: "listing-price", class: "amount" }, fmtPrice(listing.price_yen))],
    [t("matching.col.valid_until"), h("span", { id: "listing-valid" }, fmtDate(listing.valid_until))],
    [t("matching.col.lister"), listing.mine ? h("span", { id: "listing-lister" }, t("matching.your_org")) : partyName(lister, "listing-lister")],
    listing.created_at ? [t("matching.col.listed_at"), fmtDateTime(listing.created_at)] : null,
    [t("matching.field.notes"), listing.notes ? userText(listing.notes, { id: "listing-notes", class: "user-notes" }) : t("common.none")],
  ];
}

function render(screen, state) {
  const parts = [pageHeading(t("matching.listing.title"))];
  if (state.loadError) parts.push(errorBox(state.loadError, { id: "listing-error" }));
  else if (state.loading) parts.push(loading());
  else {
    const mine = isMine(state.listing);
    parts.push(
      statusLine("listing-status", state.message),
      summaryList(listingRows(state.listing, state.thread?.lister), "listing-summary"),
      mine ? listerTools(screen, state) : state.trader ? inquirySection(screen, state) : null,
    );
  }
  parts.push(h("p", { class: "no-print" }, h("a", { href: "#/board" }, t("matching.to_board"))));
  return h("section", { class: "matching listing", "data-listing": state.id }, parts);
}

export function listingView(ctx, id) {
  const state = newState(id);
  const view = {
    title: () => t("matching.listing.title"),
    start: () => load(screen, state),
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
