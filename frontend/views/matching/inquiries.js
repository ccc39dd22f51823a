// Pre-contact (事前交渉): the organisation's inquiry threads, and one thread with its
// messages, a reply box and the proposal of a deal (quantity and price). The inquirer sees
// the lister's name once the lister has answered; the lister always sees the inquirer's.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading, summaryList } from "../../ui.js";
import { MESSAGE_MAX } from "./listing.js";
import { fmtPrice, matchingScreen, normalizeDigits, openQuantity, partyName, positiveInteger, sideBadge, statusBadge, statusLine, unitLabel, userText } from "./shared.js";

// --- the list ------------------------------------------------------------------------------

function threadState(thread) {
  return t(thread.current_deal ? "matching.inquiries.has_deal" : thread.answered ? "matching.inquiries.answered" : "matching.inquiries.unanswered");
}

function renderList(state) {
  const parts = [pageHeading(t("matching.inquiries.title")), h("p", null, t("matching.inquiries.intro"))];
  if (state.error) parts.push(errorBox(state.error, { id: "inquiries-error" }));
  else if (state.loading) parts.push(loading());
  else if (!state.items.length) parts.push(h("p", { id: "inquiries-empty" }, t("matching.inquiries.none")));
  else {
    parts.push(dataTable({
      caption: t("matching.inquiries.caption"),
      captionHidden: true,
      id: "inquiries-table",
      columns: [{ label: t("matching.col.opened_at") }, { label: t("matching.col.role") }, { label: t("matching.col.thread_state") }, { label: t("matching.col.details") }],
      rows: state.items.map((thread) => ({
        attrs: { "data-inquiry": thread.id, "data-listing": thread.listing_id },
        cells: [
          fmtDateTime(thread.created_at),
          t(`matching.thread_role.${thread.role}`),
          threadState(thread),
          h("a", { href: `#/inquiry/${encodeURIComponent(thread.id)}` }, t("matching.inquiries.open"),
            h("span", { class: "visually-hidden" }, ` (${fmtDateTime(thread.created_at)})`)),
        ],
      })),
    }));
  }
  return h("section", { class: "matching inquiries" }, parts);
}

export function inquiriesView(ctx) {
  const state = { items: [], loading: true, error: null };
  const view = {
    titleKey: "matching.inquiries.title",
    async start() {
      try {
        state.items = (await api.inquiries()).items;
      } catch (error) {
        if (error.status === 401) return;
        state.error = error;
      }
      state.loading = false;
      ctx.update(view);
    },
    render: () => renderList(state),
  };
  return view;
}

// --- one thread ----------------------------------------------------------------------------

function newThreadState(id) {
  return {
    id, thread: null, loading: true, loadError: null,
    reply: { text: "", sending: false, error: null, errors: {} },
    proposal: { quantity: "", price_yen: "", sending: false, error: null, errors: {} },
    message: null,
  };
}

async function loadThread(screen, state, focus = null) {
  try {
    state.thread = await api.inquiry(state.id);
    const listing = state.thread.listing;
    if (listing && state.proposal.quantity === "" && state.proposal.price_yen === "") {
      state.proposal.quantity = String(openQuantity(listing));
      state.proposal.price_yen = String(listing.price_yen);
    }
  } catch (error) {
    if (error.status === 401) return;
    state.loadError = error;
  }
  state.loading = false;
  screen.update({ focus });
}

async function send(screen, state, event) {
  event.preventDefault();
  const box = state.reply;
  if (box.sending) return;
  box.error = null;
  box.errors = {};
  const text = box.text.trim();
  if (!text) box.errors["reply-text"] = clientError("validation.required");
  else if (text.length > MESSAGE_MAX) box.errors["reply-text"] = clientError("matching.validation.too_long", { max: MESSAGE_MAX });
  if (Object.keys(box.errors).length) {
    screen.update({ focus: "reply-text" });
    return;
  }
  box.sending = true;
  screen.update();
  try {
    await api.sendMessage(state.id, { text });
    box.text = "";
    box.sending = false;
    state.message = () => t("matching.thread.sent");
    await loadThread(screen, state, "thread-status");
  } catch (error) {
    box.sending = false;
    if (error.status === 401) return;
    if (error.field === "text") box.errors["reply-text"] = error;
    else box.error = error;
    screen.update({ focus: box.error ? "reply-error" : "reply-text" });
  }
}

/** The POST /deals body for the proposal form, or the page's own errors. */
export function proposalBody(inquiryId, form) {
  const errors = {};
  const quantity = positiveInteger(form.quantity);
  const price = positiveInteger(form.price_yen);
  if (quantity === null) errors.quantity = clientError(normalizeDigits(form.quantity) ? "validation.amount" : "validation.required");
  if (price === null) errors.price_yen = clientError(normalizeDigits(form.price_yen) ? "matching.validation.price" : "validation.required");
  return { body: { inquiry_id: inquiryId, quantity, price_yen: price }, errors };
}

async function propose(screen, state, event) {
  event.preventDefault();
  const box = state.proposal;
  if (box.sending) return;
  const { body, errors } = proposalBody(state.id, box);
  box.errors = Object.fromEntries(Object.entries(errors).map(([name, error]) => [`propose-${name}`, error]));
  box.error = null;
  if (Object.keys(box.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  box.sending = true;
  screen.update();
  try {
    const deal = await api.propose(body);
    box.sending = false;
    screen.ctx.navigate(`#/deal/${encodeURIComponent(deal.id)}`);
  } catch (error) {
    box.sending = false;
    if (error.status === 401) return;
    const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
    for (const field of fields) if (field === "quantity" || field === "price_yen") box.errors[`propose-${field}`] = error;
    if (!Object.keys(box.errors).length) box.error = error;
    screen.update({ focus: box.error ? "propose-error" : "error-summary" });
  }
}

function messagesList(thread) {
  if (!thread.messages.length) return h("p", { id: "thread-no-messages" }, t("matching.thread.no_messages"));
  return h(
    "ol",
    { class: "messages", id: "thread-messages", "aria-label": t("matching.thread.messages") },
    thread.messages.map((message) => {
      const author = message.mine ? t("matching.thread.you") : message.from_side === "lister" ? partyName(thread.lister) : partyName(thread.inquirer);
      return h(
        "li",
        { class: ["message", message.mine ? "message-mine" : "message-theirs"], "data-message": message.id, "data-from": message.from_side },
        h("p", { class: "message-meta" },
          h("span", { class: "message-author" }, author, " ", h("span", { class: "message-side" }, `(${t(`matching.thread_role.${message.from_side}`)})`)),
          " ", h("time", { datetime: message.at }, fmtDateTime(message.at))),
        h("p", { class: "message-text" }, userText(message.text)),
      );
    }),
  );
}

function replyForm(screen, state) {
  const box = state.reply;
  return h(
    "form",
    { class: "reply-form", novalidate: true, onsubmit: (event) => send(screen, state, event), "aria-labelledby": "reply-title" },
    h("h2", { id: "reply-title" }, t("matching.thread.reply_title")),
    formField({
      label: t("matching.thread.reply"),
      hint: t("matching.listing.message_hint", { max: MESSAGE_MAX }),
      field: "reply-text",
      error: box.errors["reply-text"],
      control: h("textarea", { id: "reply-text", name: "text", rows: "3", maxlength: String(MESSAGE_MAX), value: box.text, oninput: (event) => { box.text = event.target.value; } }),
    }),
    box.error ? errorBox(box.error, { id: "reply-error" }) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "reply-send", disabled: box.sending, "aria-busy": box.sending ? "true" : null },
      box.sending ? t("move.sending") : t("matching.thread.send"))),
  );
}

function proposalForm(screen, state) {
  const box = state.proposal;
  const thread = state.thread;
  const field = (name, hint) => formField({
    label: t(`matching.field.${name}`), hint, field: `propose-${name}`, error: box.errors[`propose-${name}`],
    control: h("input", { id: `propose-${name}`, name, type: "text", inputmode: "numeric", autocomplete: "off", class: "amount-input", value: box[name], oninput: (event) => { box[name] = event.target.value; } }),
  });
  const pending = thread.current_deal;
  return h(
    "form",
    { class: "proposal-form", novalidate: true, onsubmit: (event) => propose(screen, state, event), "aria-labelledby": "propose-title" },
    h("h2", { id: "propose-title" }, t("matching.thread.propose_title")),
    h("p", null, t(pending ? "matching.thread.propose_again_intro" : "matching.thread.propose_intro")),
    errorSummary(Object.entries(box.errors).map(([name, error]) => ({ field: name, error }))),
    h("div", { class: "form-grid" },
      field("quantity", thread.listing ? t("matching.thread.open_hint", { open: fmtNumber(openQuantity(thread.listing)), lot: fmtNumber(thread.listing.min_lot) }) : null),
      field("price_yen", t("matching.field.price_hint"))),
    box.error ? errorBox(box.error, { id: "propose-error" }) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "propose", disabled: box.sending, "aria-busy": box.sending ? "true" : null },
      box.sending ? t("move.sending") : t("matching.thread.propose"))),
  );
}

function renderThread(screen, state) {
  const parts = [pageHeading(t("matching.thread.title"))];
  if (state.loadError) parts.push(errorBox(state.loadError, { id: "thread-error" }));
  else if (state.loading) parts.push(loading());
  else {
    const thread = state.thread;
    const listing = thread.listing;
    const other = thread.role === "lister" ? thread.inquirer : thread.lister;
    parts.push(
      statusLine("thread-status", state.message),
      summaryList([
        [t("matching.col.role"), h("span", { id: "thread-role" }, t(`matching.thread_role.${thread.role}`))],
        [t("matching.col.counterparty"), [partyName(other, "thread-counterparty"),
          !other ? h("span", { class: "hint" }, ` ${t("matching.thread.name_rule")}`) : null]],
        listing ? [t("matching.col.listing"), [sideBadge(listing.side), " ", h("a", { href: `#/listing/${encodeURIComponent(listing.id)}`, id: "thread-listing" },
          t("matching.thread.listing_line", { unit: unitLabel(listing), price: fmtPrice(listing.price_yen) }))]] : null,
        listing ? [t("matching.col.status"), statusBadge("listing", listing.status)] : null,
        thread.current_deal ? [t("matching.col.deal"), h("a", { href: `#/deal/${encodeURIComponent(thread.current_deal)}`, id: "thread-deal" }, t("matching.thread.open_deal"))] : null,
      ]),
      h("h2", { id: "messages-title" }, t("matching.thread.messages")),
      messagesList(thread),
      h("p", { class: "no-print" }, h("button", { type: "button", class: "secondary small", id: "thread-refresh",
        onclick: () => { state.message = null; loadThread(screen, state, "thread-refresh"); } }, t("common.reload"))),
      thread.role === "observer" ? null : replyForm(screen, state),
      thread.role !== "observer" && listing && listing.status === "open" ? proposalForm(screen, state) : null,
    );
  }
  parts.push(h("p", { class: "no-print" }, h("a", { href: "#/inquiries" }, t("matching.to_inquiries"))));
  return h("section", { class: "matching thread", "data-inquiry": state.id }, parts);
}

export function inquiryView(ctx, id) {
  const state = newThreadState(id);
  const view = {
    titleKey: "matching.thread.title",
    start: () => loadThread(screen, state),
    render: () => renderThread(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
