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
export function movementScreen(ctx, kind, view) {
  const transfer = kind === "transfer";
  return Object.freeze({
    ctx,
    kind,
    transfer,
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
