// A deal's page (取引): its steps (proposed, confirmed, paid, received, settled), both
// organisations, quantity, price and amount, every version of the proposal, and the
// buttons of the side whose turn it is, as the API lists them in next_actions:
// confirm or decline (the side that did not make the proposal), a new version of the
// proposal (either side while it is pending), mark paid (the buyer), confirm receipt (the
// seller) and, once received, the registry transfer prefilled from the deal (the seller).

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading, summaryList } from "../../ui.js";
import { dealStepIndicator, fmtPrice, fmtYen, matchingScreen, normalizeDigits, partyName, positiveInteger, statusBadge, statusLine } from "./shared.js";

/** The API's next_actions that are a POST on the deal, by the path they take. */
export const DEAL_ACTIONS = Object.freeze({ confirm: "confirm", decline: "decline", mark_paid: "paid", mark_received: "received" });
/** What each action says when it is done. */
const DONE = { confirm: "matching.deal.confirmed", decline: "matching.deal.declined", mark_paid: "matching.deal.paid_marked", mark_received: "matching.deal.received_marked" };

function newState(id) {
  return {
    id, deal: null, loading: true, loadError: null, busy: null, actionError: null, message: null, confirming: null,
    counter: { open: false, quantity: "", price_yen: "", sending: false, error: null, errors: {} },
  };
}

async function load(screen, state, focus = null) {
  try {
    state.deal = await api.deal(state.id);
    state.loadError = null;
  } catch (error) {
    if (error.status === 401) return;
    state.loadError = error;
  }
  state.loading = false;
  screen.update({ focus });
}

async function act(screen, state, action) {
  if (state.busy) return;
  state.busy = action;
  state.actionError = null;
  state.message = null;
  screen.update();
  try {
    const body = action === "confirm" || action === "decline" ? { version: state.deal.version } : {};
    state.deal = await api.dealAction(state.id, DEAL_ACTIONS[action], body);
    state.busy = null;
    state.confirming = null;
    state.message = () => t(DONE[action]);
    screen.update({ focus: "deal-status" });
  } catch (error) {
    state.busy = null;
    if (error.status === 401) return;
    state.actionError = error;
    // The deal may have moved on meanwhile (the other side acted): show it as it is now.
    await load(screen, state, "deal-action-error");
  }
}

async function counter(screen, state, event) {
  event.preventDefault();
  const box = state.counter;
  if (box.sending) return;
  box.errors = {};
  box.error = null;
  const quantity = positiveInteger(box.quantity);
  const price = positiveInteger(box.price_yen);
  if (quantity === null) box.errors["counter-quantity"] = clientError(normalizeDigits(box.quantity) ? "validation.amount" : "validation.required");
  if (price === null) box.errors["counter-price_yen"] = clientError(normalizeDigits(box.price_yen) ? "matching.validation.price" : "validation.required");
  if (Object.keys(box.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  box.sending = true;
  screen.update();
  try {
    const deal = await api.propose({ inquiry_id: state.deal.inquiry_id, quantity, price_yen: price });
    box.sending = false;
    box.open = false;
    state.message = () => t("matching.deal.proposed_again");
    if (deal.id !== state.id) {
      screen.ctx.navigate(`#/deal/${encodeURIComponent(deal.id)}`);
      return;
    }
    state.deal = deal;
    screen.update({ focus: "deal-status" });
  } catch (error) {
    box.sending = false;
    if (error.status === 401) return;
    const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
    for (const field of fields) if (field === "quantity" || field === "price_yen") box.errors[`counter-${field}`] = error;
    if (!Object.keys(box.errors).length) box.error = error;
    screen.update({ focus: box.error ? "counter-error" : "error-summary" });
  }
}

// --- rendering -------------------------------------------------------------------------------

function when(value) {
  return value ? fmtDateTime(value) : t("common.none");
}

function summary(deal) {
  return summaryList([
    [t("matching.col.status"), statusBadge("deal", deal.status, "deal-status-badge")],
    [t("matching.col.your_role"), h("span", { id: "deal-role" }, t(`matching.deal_role.${deal.role}`))],
    [t("matching.col.seller"), partyName(deal.seller, "deal-seller")],
    [t("matching.col.buyer"), partyName(deal.buyer, "deal-buyer")],
    [t("col.unit_type"), h("span", { id: "deal-unit" }, deal.period ? t("matching.unit_with_period", { unit: deal.unit_type, period: deal.period }) : deal.unit_type)],
    [t("matching.col.quantity"), h("span", { id: "deal-quantity", class: "amount" }, t("common.amount", { amount: fmtNumber(deal.quantity) }))],
    [t("matching.col.price"), h("span", { id: "deal-price", class: "amount" }, fmtPrice(deal.price_yen))],
    [t("matching.col.amount_yen"), h("span", { id: "deal-amount", class: "amount emphasis" }, fmtYen(deal.amount_yen))],
    [t("matching.col.proposed_by"), h("span", { id: "deal-proposed-by" }, t(`matching.deal_role.${deal.proposed_by}`), " ", t("matching.deal.version", { version: String(deal.version) }))],
    deal.seller_account ? [t("matching.col.seller_account"), h("span", { id: "deal-seller-account" }, deal.seller_account)] : null,
    deal.buyer_account ? [t("matching.col.buyer_account"), h("span", { id: "deal-buyer-account" }, deal.buyer_account)] : null,
    [t("matching.col.confirmed_at"), when(deal.confirmed_at)],
    [t("matching.col.paid_at"), when(deal.paid_at)],
    [t("matching.col.received_at"), when(deal.received_at)],
    [t("matching.col.settled_at"), when(deal.settled_at)],
    deal.transaction_id
      ? [t("move.tx_number"), h("a", { href: `#/history/${encodeURIComponent(deal.transaction_id)}`, id: "deal-transaction" }, deal.transaction_id)]
      : null,
  ], "deal-summary");
}

function versionsTable(deal) {
  return dataTable({
    caption: t("matching.deal.versions"),
    captionHidden: true,
    id: "deal-versions",
    columns: [
      { label: t("matching.col.version"), num: true }, { label: t("matching.col.proposed_by") }, { label: t("matching.col.quantity"), num: true },
      { label: t("matching.col.price"), num: true }, { label: t("matching.col.amount_yen"), num: true }, { label: t("matching.col.at") },
    ],
    rows: deal.versions.map((version) => ({
      attrs: { "data-version": String(version.version) },
      cells: [String(version.version), t(`matching.deal_role.${version.by}`), fmtNumber(version.quantity), fmtPrice(version.price_yen), fmtYen(version.amount_yen), fmtDateTime(version.at)],
    })),
  });
}

function actionButton(screen, state, action, { className = "primary", confirmKey = null } = {}) {
  const busy = state.busy === action;
  const label = t(`matching.deal.action.${action}`);
  if (confirmKey && state.confirming === action) {
    return h("span", { class: "confirm-delete", role: "group", "aria-label": t(confirmKey) },
      h("span", null, t(confirmKey)),
      h("button", { type: "button", class: className, id: `deal-${action}-confirm`, disabled: Boolean(state.busy), "aria-busy": busy ? "true" : null, onclick: () => act(screen, state, action) },
        busy ? t("move.sending") : t("matching.deal.yes")),
      h("button", { type: "button", class: "secondary", id: `deal-${action}-cancel`, onclick: () => { state.confirming = null; screen.update({ focus: `deal-${action}` }); } }, t("matching.cancel")));
  }
  return h("button", {
    type: "button", class: className, id: `deal-${action}`, disabled: Boolean(state.busy), "aria-busy": busy ? "true" : null,
    onclick: () => {
      if (confirmKey) {
        state.confirming = action;
        screen.update({ focus: `deal-${action}-confirm` });
      } else {
        act(screen, state, action);
      }
    },
  }, busy ? t("move.sending") : label);
}

function counterForm(screen, state) {
  const box = state.counter;
  if (!box.open) {
    return h("button", { type: "button", class: "secondary", id: "deal-propose", onclick: () => {
      Object.assign(box, { open: true, quantity: String(state.deal.quantity), price_yen: String(state.deal.price_yen), errors: {}, error: null });
      screen.update({ focus: "counter-quantity" });
    } }, t("matching.deal.action.propose"));
  }
  const field = (name) => formField({
    label: t(`matching.field.${name}`), field: `counter-${name}`, error: box.errors[`counter-${name}`],
    control: h("input", { id: `counter-${name}`, name, type: "text", inputmode: "numeric", autocomplete: "off", class: "amount-input", value: box[name], oninput: (event) => { box[name] = event.target.value; } }),
  });
  return h(
    "form",
    { class: "proposal-form", novalidate: true, onsubmit: (event) => counter(screen, state, event), "aria-labelledby": "counter-title" },
    h("h3", { id: "counter-title" }, t("matching.deal.counter_title")),
    errorSummary(Object.entries(box.errors).map(([name, error]) => ({ field: name, error }))),
    h("div", { class: "form-grid" }, field("quantity"), field("price_yen")),
    box.error ? errorBox(box.error, { id: "counter-error" }) : null,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", id: "counter-send", disabled: box.sending }, box.sending ? t("move.sending") : t("matching.thread.propose")),
      h("button", { type: "button", class: "secondary", id: "counter-cancel", onclick: () => { box.open = false; screen.update({ focus: "deal-propose" }); } }, t("matching.cancel"))),
  );
}

function nextStep(deal) {
  const key = `matching.deal.next.${deal.status}.${deal.role}`;
  return h("p", { id: "deal-next" }, t(deal.status === "proposed" ? `matching.deal.next.proposed.${deal.next_actions.includes("confirm") ? "answer" : "wait"}` : key));
}

function actions(screen, state) {
  const deal = state.deal;
  const next = deal.next_actions || [];
  const buttons = [];
  if (next.includes("confirm")) buttons.push(actionButton(screen, state, "confirm", { confirmKey: "matching.deal.confirm_question" }));
  if (next.includes("decline")) buttons.push(actionButton(screen, state, "decline", { className: "danger", confirmKey: "matching.deal.decline_question" }));
  if (next.includes("mark_paid")) buttons.push(actionButton(screen, state, "mark_paid", { confirmKey: "matching.deal.paid_question" }));
  if (next.includes("mark_received")) buttons.push(actionButton(screen, state, "mark_received", { confirmKey: "matching.deal.received_question" }));
  if (next.includes("settle")) {
    buttons.push(h("a", { href: `#/settle/${encodeURIComponent(deal.id)}`, class: "button-link primary", id: "deal-settle" }, t("matching.deal.action.settle")));
  }
  return h(
    "section",
    { class: "deal-actions", "aria-labelledby": "deal-actions-title" },
    h("h2", { id: "deal-actions-title" }, t("matching.deal.actions_title")),
    deal.role === "observer" ? h("p", null, t("matching.deal.observer")) : nextStep(deal),
    buttons.length ? h("div", { class: "actions" }, buttons) : null,
    next.includes("propose") ? counterForm(screen, state) : null,
    state.actionError ? errorBox(state.actionError, { id: "deal-action-error" }) : null,
    // The other side's steps arrive as notifications; this shows the deal as it is now.
    h("p", { class: "no-print" }, h("button", { type: "button", class: "secondary small", id: "deal-refresh", disabled: Boolean(state.busy),
      onclick: () => { state.message = null; state.actionError = null; load(screen, state, "deal-refresh"); } }, t("common.reload"))),
  );
}

function render(screen, state) {
  const parts = [];
  if (state.loadError) parts.push(pageHeading(t("matching.deal.title")), errorBox(state.loadError, { id: "deal-error" }));
  else if (state.loading) parts.push(pageHeading(t("matching.deal.title")), loading());
  else {
    const deal = state.deal;
    parts.push(
      deal.status === "declined" ? null : dealStepIndicator(deal),
      pageHeading(t("matching.deal.title"), t("matching.deal.subtitle", { id: deal.id })),
      statusLine("deal-status", state.message),
      actions(screen, state),
      h("h2", { id: "deal-summary-title" }, t("matching.deal.summary_title")),
      summary(deal),
      h("h2", { id: "deal-versions-title" }, t("matching.deal.versions")),
      versionsTable(deal),
      h("p", { class: "no-print" }, h("a", { href: `#/inquiry/${encodeURIComponent(deal.inquiry_id)}`, id: "deal-thread" }, t("matching.deal.to_thread"))),
    );
  }
  return h("section", { class: "matching deal", "data-deal": state.id, "data-status": state.deal?.status || null }, parts);
}

export function dealView(ctx, id) {
  const state = newState(id);
  const view = {
    titleKey: "matching.deal.title",
    start: () => load(screen, state),
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
