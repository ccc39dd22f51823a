// What the notice board's screens share: the sides, unit types and sorts the API knows,
// yen and price formatting, names that may be hidden, badges, the deal's steps and which
// side of a deal the signed-in organisation is on.
//
// Every function receives what it works on as parameters; nothing here keeps state.

import { h } from "../../dom.js";
import { fmtNumber, getLang, hasKey, t } from "../../i18n.js";
import { stepIndicator } from "../../ui.js";
import { userText } from "../emissions/shared.js";

export const SIDES = Object.freeze(["sell", "buy"]);
export const UNIT_TYPES = Object.freeze(["JPA", "jCER"]);
/** The board's orders (board.js turns each into GET /listings' sort and order). */
export const SORTS = Object.freeze(["price_asc", "price_desc", "newest", "oldest"]);
export const PAGE_SIZE = 20;
/** A deal's steps in order; a declined or withdrawn proposal stops at the first. */
export const DEAL_STEPS = Object.freeze(["proposed", "confirmed", "paid", "received", "settled"]);

export { userText };

/**
 * The facts of one screen that never change: the app's ctx and update(options), which
 * re-renders this view if it is still shown.
 */
export function matchingScreen(ctx, view, extra = {}) {
  return Object.freeze({ ctx, update: (options) => ctx.update(view, options), ...extra });
}

/** 1212 -> "1,212 円" / "¥1,212". */
export function fmtYen(value) {
  return t("matching.yen", { amount: fmtNumber(value) });
}

/** A price per t-CO2: "1,212 円/t-CO2" / "¥1,212 per t-CO2". */
export function fmtPrice(value) {
  return t("matching.price_per_t", { amount: fmtNumber(value) });
}

/** Full-width digits to ASCII, separators and spaces removed ("１，２００" -> "1200"). */
export function normalizeDigits(text) {
  return String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "");
}

/** A positive whole number typed by the user, or null. */
export function positiveInteger(text) {
  const value = normalizeDigits(text);
  return /^\d{1,12}$/.test(value) && Number(value) >= 1 ? Number(value) : null;
}

/** A name the API gives in both languages ({name, name_ja} or prefixed fields). */
export function localOrg(english, japanese) {
  return (getLang() === "ja" ? japanese || english : english || japanese) || "";
}

/** A dictionary text for a value the API names (a status, a side), or the value itself. */
export function known(prefix, value) {
  const key = `${prefix}.${value}`;
  return hasKey(key) ? t(key) : String(value ?? t("common.none"));
}

export function sideBadge(side, id = null) {
  return h("span", { class: `badge badge-side-${side}`, id, "data-side": side }, known("matching.side", side));
}

export function statusBadge(kind, status, id = null) {
  return h("span", { class: `badge badge-${kind}-${status}`, id, "data-status": status }, known(`matching.${kind}_status`, status));
}

/** The listing's unit type and period: "JPA (01)" or "JPA". */
export function unitLabel(listing) {
  return listing.period ? t("matching.unit_with_period", { unit: listing.unit_type, period: listing.period }) : listing.unit_type;
}

/** The quantity still open for deals (the API's open_quantity, else the listed quantity). */
export function openQuantity(listing) {
  return listing.open_quantity ?? listing.remaining_quantity ?? listing.quantity;
}

/** Whether the signed-in organisation posted this listing (the API says so: the board never names the lister). */
export function isMine(listing) {
  return listing.mine === true;
}

/** An organisation the API names ({org_id, name, name_ja}) in the current language. */
export function partyName(party, id = null) {
  if (!party) return h("span", { class: "hidden-name", id }, t("matching.name_hidden"));
  return userText(localOrg(party.name, party.name_ja), { id, class: "org-name" });
}

/** The deal's steps, the current one marked (a declined proposal stays at the first). */
export function dealStepIndicator(deal) {
  const reached = DEAL_STEPS.indexOf(deal.status);
  return stepIndicator(DEAL_STEPS.map((step) => t(`matching.deal_step.${step}`)), reached === -1 ? 0 : reached);
}

/** A live region for short confirmations ("Saved."): always in the page. */
export function statusLine(id, message) {
  return h("div", { id, class: ["live-status", message && "notice notice-success"], role: "status", "aria-live": "polite", tabindex: message ? "-1" : null },
    message ? h("p", null, typeof message === "function" ? message() : message) : null);
}
