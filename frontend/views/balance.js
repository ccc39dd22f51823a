// Balance (残高照会結果表示): account, holder, balance, commitment reserve, transferable
// amount and the serial blocks held, a page of lines at a time (next_cursor), with a
// print layout.

import { api } from "../api.js";
import { h } from "../dom.js";
import { fmtAmount, fmtDateTime, fmtNumber, getLang, t } from "../i18n.js";
import { accountSelect, dataTable, errorBox, formField, loading, pageHeading, serialRange, summaryList } from "../ui.js";

/** Block lines per page (the API allows 1-500). */
export const BALANCE_PAGE = 50;

export function balanceView(ctx, requested) {
  const state = {
    accounts: null, account: requested, choice: requested, data: null, asOf: null, error: null, loading: true,
    cursors: [null], page: 0,
  };

  async function load() {
    state.loading = true;
    state.error = null;
    ctx.update(view);
    try {
      if (state.accounts === null) {
        const me = await ctx.me();
        state.accounts = me.accounts;
        if (!state.account || !state.accounts.some((account) => account.number === state.account)) {
          state.account = state.accounts[0]?.number || null;
        }
        state.choice = state.account;
      }
      state.data = state.account ? await api.balance(state.account, { limit: BALANCE_PAGE, cursor: state.cursors[state.page] }) : null;
      state.asOf = ctx.now();
    } catch (error) {
      state.error = error;
    }
    state.loading = false;
    ctx.update(view);
  }

  function nextPage() {
    if (!state.data?.next_cursor) return;
    state.cursors = [...state.cursors.slice(0, state.page + 1), state.data.next_cursor];
    state.page += 1;
    load();
  }

  function previousPage() {
    if (state.page === 0) return;
    state.page -= 1;
    load();
  }

  function show(event) {
    event.preventDefault();
    if (state.choice && state.choice !== state.account) ctx.navigate(`#/balance/${encodeURIComponent(state.choice)}`);
  }

  function renderBalance(data) {
    const holder = getLang() === "ja" ? data.holder_ja : data.holder;
    const holdings = data.holdings.map((holding) => [
      String(holding.no),
      holding.origin,
      holding.unit_type,
      holding.issued_period,
      holding.adopted_period,
      holding.project || t("common.none"),
      serialRange(holding.serial_start, holding.serial_end),
      fmtNumber(holding.amount),
    ]);
    return [
      summaryList([
        [t("balance.account"), h("span", { id: "balance-account" }, data.account)],
        [t("balance.holder"), h("span", { id: "balance-holder" }, holder)],
        data.status !== "open" ? [t("balance.status"), h("span", { class: "badge badge-halted" }, t(`account_status.${data.status}`))] : null,
        [t("balance.balance"), h("span", { id: "balance-balance", class: "amount" }, fmtAmount(data.balance))],
        [t("balance.reserve"), h("span", { id: "balance-reserve", class: "amount" }, fmtAmount(data.commitment_reserve))],
        [t("balance.transferable"), h("span", { id: "balance-transferable", class: "amount" }, fmtAmount(data.transferable))],
        [t("balance.as_of"), fmtDateTime(state.asOf)],
      ], "balance-summary"),
      h("h2", { id: "holdings-title" }, t("balance.holdings")),
      holdings.length
        ? dataTable({
            caption: t("balance.holdings"),
            captionHidden: true,
            id: "holdings",
            columns: [
              { label: t("col.no"), num: true },
              { label: t("col.origin") },
              { label: t("col.unit_type") },
              { label: t("col.issued_period") },
              { label: t("col.adopted_period") },
              { label: t("col.project") },
              { label: t("col.serials") },
              { label: t("col.amount"), num: true },
            ],
            rows: holdings,
          })
        : h("p", null, t("balance.no_holdings")),
      state.page > 0 || data.next_cursor
        ? h(
            "nav",
            { class: "pager no-print", "aria-label": t("balance.holdings") },
            h("button", { type: "button", class: "secondary", id: "holdings-prev", disabled: state.page === 0, onclick: previousPage }, t("history.prev")),
            h("span", { class: "page-number", id: "holdings-page" }, t("history.page", { n: state.page + 1 })),
            h("button", { type: "button", class: "secondary", id: "holdings-next", disabled: !data.next_cursor, onclick: nextPage }, t("history.next")),
          )
        : null,
      h("div", { class: "actions no-print" }, h("button", { type: "button", id: "print", onclick: () => window.print() }, t("common.print"))),
    ];
  }

  const view = {
    titleKey: "balance.title",
    start: load,
    render() {
      const parts = [pageHeading(t("balance.title"), t("balance.subtitle"))];
      if (state.accounts && state.accounts.length > 1) {
        parts.push(
          h(
            "form",
            { class: "inline-form no-print", onsubmit: show, novalidate: true },
            formField({
              label: t("balance.account_select"),
              control: accountSelect({ id: "balance-account-select", accounts: state.accounts, value: state.choice, onchange: (event) => { state.choice = event.target.value; } }),
            }),
            h("button", { type: "submit" }, t("balance.show")),
          ),
        );
      }
      if (state.error) parts.push(errorBox(state.error, { id: "balance-error" }));
      else if (state.loading) parts.push(loading());
      else if (!state.data) parts.push(h("p", null, t("balance.no_accounts")));
      else parts.push(renderBalance(state.data));
      return h("section", { class: "balance" }, parts);
    },
  };
  return view;
}
