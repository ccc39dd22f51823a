// What the three steps of a transfer or a retirement share: the constants, the screen
// (the facts fixed for the view's life), the state (everything that changes), the
// sender's balance, and the pieces more than one step shows.
//
// Every function here and in input.js, confirm.js and done.js receives the screen and
// the state it works on as parameters: nothing is captured from a surrounding closure.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, getLang, t } from "../../i18n.js";

export const MAX_LINES = 10;
export const UNIT_TYPES = ["JPA", "jCER"];
export const LINE_FIELDS = ["unit_type", "issued_period", "adopted_period", "project", "amount"];
export const STEPS = ["input", "confirm", "done"];

/**
 * The facts of one movement view that never change: the procedure ("transfer" or
 * "retire"), the name of the sender's field in the API's body, the app's ctx, and
 * update(options), which re-renders this view if it is still the one shown.
 */
export function movementScreen(ctx, kind, view, dealId = null) {
  const transfer = kind === "transfer";
  return Object.freeze({
    ctx,
    kind,
    transfer,
    dealId: transfer ? dealId : null,
    accountField: transfer ? "from_account" : "account",
    update: (options) => ctx.update(view, options),
  });
}

export function newLine() {
  return { unit_type: "JPA", issued_period: "", adopted_period: "", project: "", amount: "" };
}

/**
 * Everything that changes while the view lives. step: "input" | "confirm" | "done";
 * body: the request the confirm page shows; key/keyBody: its Idempotency-Key and the
 * body it was made for; receiver: the receiver's holder lookup ({number, pending |
 * holder | error}); result: the transaction the API recorded.
 */
export function newState() {
  return {
    step: "input",
    loading: true,
    loadError: null,
    accounts: [],
    from: "",
    to: "",
    receiverOk: false,
    period: "01",
    lines: [newLine()],
    balance: null,
    balanceError: null,
    errors: {},
    body: null,
    key: null,
    keyBody: null,
    receiver: null,
    sending: false,
    sendError: null,
    result: null,
    deal: null,
    held: null,
  };
}

/** Full-width digits to ASCII, thousands separators and spaces removed. */
export function normalizeDigits(text) {
  return String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "");
}

/** "1" -> "01"; "" stays "" (any period). */
export function normalizePeriod(text) {
  const value = normalizeDigits(text);
  return /^\d$/.test(value) ? `0${value}` : value;
}

/** The sender's balance into state.balance (or state.balanceError), unless the sender changed meanwhile. */
export async function loadBalance(screen, state) {
  const account = state.from;
  state.balance = null;
  state.balanceError = null;
  try {
    const balance = await api.balance(account);
    if (account === state.from) state.balance = balance;
  } catch (error) {
    if (account === state.from) state.balanceError = error;
  }
  screen.update();
}

/** The sender's company name in the current language. */
export function holderName(state) {
  if (!state.balance) return t("common.none");
  return getLang() === "ja" ? state.balance.holder_ja : state.balance.holder;
}

/**
 * A transfer that settles a deal of the notice board starts from the deal's prefill
 * (GET /deals/{id} "transfer": from_account, to_account, lines): the receiver and the
 * lines are filled in, and the request carries deal_id.
 */
export function applyDealPrefill(state, deal) {
  const prefill = deal.transfer || {};
  state.deal = deal;
  if (prefill.from_account && state.accounts.some((account) => account.number === prefill.from_account)) state.from = prefill.from_account;
  if (prefill.to_account) state.to = prefill.to_account;
  if (Array.isArray(prefill.lines) && prefill.lines.length) {
    state.lines = prefill.lines.map((line) => {
      const filled = newLine();
      for (const name of LINE_FIELDS) if (line[name] !== null && line[name] !== undefined) filled[name] = String(line[name]);
      return filled;
    });
  }
}

/** Which deal this transfer settles, with a link back to it. */
export function dealNotice(state) {
  if (!state.deal) return null;
  return h(
    "div",
    { class: "notice", role: "status", id: "deal-notice", "data-deal": state.deal.id },
    h("p", null, t("transfer.deal_notice", { id: state.deal.id })),
    h("p", null, h("a", { href: `#/deal/${encodeURIComponent(state.deal.id)}`, id: "deal-notice-link" }, t("transfer.deal_link"))),
  );
}

/** For a transfer while the trading window is not open: why it will be refused, and when it opens. */
export function marketNotice(screen) {
  const market = screen.ctx.market();
  if (!screen.transfer || !market || market.status === "open") return null;
  return h(
    "div",
    { class: "notice notice-warning", role: "status", id: "market-notice" },
    h("p", null, t(market.status === "halted" ? "transfer.market_halted" : "transfer.market_notice")),
    market.next_open ? h("p", null, t("market.next_open", { time: fmtDateTime(market.next_open, { seconds: false, weekday: true }) })) : null,
  );
}
