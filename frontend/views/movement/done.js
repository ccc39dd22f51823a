// Step 3, the completion notice: the transaction the API recorded (its number, parties,
// total and serial blocks), links onward, and "again" for a fresh request.

import { h } from "../../dom.js";
import { fmtAmount, fmtDateTime, fmtNumber, getLang, t } from "../../i18n.js";
import { dataTable, pageHeading, serialRange, summaryList } from "../../ui.js";
import { dealNotice, loadBalance, newLine } from "./shared.js";

/** A fresh request from the same sender: back to an empty input, the balance read again. */
function again(screen, state) {
  const from = state.from;
  Object.assign(state, {
    step: "input", to: "", receiverOk: false, period: "01", lines: [newLine()], errors: {}, body: null, key: null, keyBody: null,
    sendError: null, result: null, held: null, from, deal: null,
  });
  screen.update({ focus: "page-title" });
  loadBalance(screen, state);
}

function renderHeld(screen, state) {
  const held = state.held;
  return [
    pageHeading(t("move.held_title")),
    h("div", { class: "notice notice-success", role: "status", id: "held-notice" },
      h("p", null, t("move.held_message", { due: fmtDateTime(held.due_at) })),
      h("p", { class: "tx-number-line" }, `${t("move.tx_number")}: `, h("strong", { id: "tx-number", class: "tx-number" }, held.id))),
    summaryList([
      [t("move.tx_number"), held.id],
      [t("move.processed_at"), fmtDateTime(held.created_at)],
      [t("detail.to"), t("detail.party", { name: (getLang() === "ja" ? held.to_name_ja : held.to_name) || held.to_account, account: held.to_account })],
      [t("move.total"), h("span", { id: "done-total", class: "amount" }, fmtAmount(held.amount))],
    ]),
    h("div", { class: "actions no-print" },
      h("a", { href: "#/delayed", class: "button-link", id: "held-link" }, t("move.held_link")),
      h("a", { href: "#/balance", class: "button-link" }, t("common.to_balance")),
      h("button", { type: "button", class: "secondary", id: "again", onclick: () => again(screen, state) }, t(`${screen.kind}.again`))),
  ];
}

export function renderDone(screen, state) {
  if (state.held) return renderHeld(screen, state);
  const { kind, transfer } = screen;
  const tx = state.result;
  const lang = getLang();
  const party = (name, nameJa, account) => (account ? t("detail.party", { name: (lang === "ja" ? nameJa : name) || account, account }) : t("common.none"));
  return [
    pageHeading(t(`${kind}.done_title`)),
    h(
      "div",
      { class: "notice notice-success", role: "status" },
      h("p", null, t(`${kind}.done_message`)),
      h("p", { class: "tx-number-line" }, `${t("move.tx_number")}: `, h("strong", { id: "tx-number", class: "tx-number" }, tx.id)),
    ),
    dealNotice(state),
    summaryList([
      [t("move.tx_number"), tx.id],
      [t("move.processed_at"), fmtDateTime(tx.created_at)],
      [t("detail.from"), party(tx.from_name, tx.from_name_ja, tx.from_account)],
      [t(transfer ? "detail.to" : "retire.destination"), party(tx.to_name, tx.to_name_ja, tx.to_account)],
      tx.compliance_period ? [t("retire.period"), tx.compliance_period] : null,
      [t("move.total"), h("span", { id: "done-total", class: "amount" }, fmtAmount(tx.amount))],
    ]),
    h("h2", null, t("move.blocks")),
    dataTable({
      caption: t("move.blocks"),
      captionHidden: true,
      id: "done-blocks",
      columns: [
        { label: t("col.origin") }, { label: t("col.unit_type") }, { label: t("col.issued_period") }, { label: t("col.adopted_period") },
        { label: t("col.project") }, { label: t("col.serials") }, { label: t("col.amount"), num: true },
      ],
      rows: tx.blocks.map((block) => [
        block.origin, block.unit_type, block.issued_period, block.adopted_period, block.project || t("common.none"),
        serialRange(block.serial_start, block.serial_end), fmtNumber(block.amount),
      ]),
    }),
    h(
      "div",
      { class: "actions no-print" },
      h("a", { href: "#/balance", class: "button-link" }, t("common.to_balance")),
      h("a", { href: "#/history", class: "button-link" }, t("common.to_history")),
      h("button", { type: "button", class: "secondary", id: "again", onclick: () => again(screen, state) }, t(`${kind}.again`)),
    ),
  ];
}
