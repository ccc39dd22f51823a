// Transfer history (移転明細照会): a JST date range (by default the last 30 days), the
// incoming and outgoing totals over the range, one row per transaction with the
// correction flag (訂正), paging by next_cursor, and a details view with serial ranges.

import { api } from "../api.js";
import { h, vh } from "../dom.js";
import { fmtAmount, fmtDate, fmtDateTime, fmtNumber, getLang, jstDateString, t } from "../i18n.js";
import { accountSelect, clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading, serialRange, summaryList } from "../ui.js";

const PAGE_SIZES = [5, 10, 20, 50];
const DEFAULT_PAGE_SIZE = 20;
/** What to do next, for the refusals the API's message leaves open. */
const HINTS = { INVALID_CURSOR: "history.search_again_hint" };

/** The last query, so that "back" from a transaction's details returns to the same page. */
let remembered = null;

/** Forget the last query (on sign-out: the next user starts from the defaults). */
export function forgetHistory() {
  remembered = null;
}

function name(lang, english, japanese) {
  return (lang === "ja" ? japanese || english : english || japanese) || "";
}

function partyCell(lang, english, japanese, account) {
  if (!account) return t("common.none");
  const shown = name(lang, english, japanese);
  return [h("span", { class: "party-name" }, shown || account), shown ? h("span", { class: "party-account" }, account) : null];
}

export function historyView(ctx) {
  const state = {
    accounts: null,
    account: "",
    from: jstDateString(-30),
    to: jstDateString(0),
    limit: DEFAULT_PAGE_SIZE,
    query: null,
    cursors: [null],
    page: 0,
    data: null,
    loading: true,
    error: null,
    errors: {},
  };
  if (remembered) Object.assign(state, remembered);

  async function load() {
    try {
      const me = await ctx.me();
      state.accounts = me.accounts;
      if (!state.accounts.some((account) => account.number === state.account)) state.account = state.accounts[0]?.number || "";
      if (!state.account) {
        state.loading = false;
        ctx.update(view);
        return;
      }
      if (!state.query || state.query.account !== state.account) {
        state.query = { account: state.account, from: state.from, to: state.to, limit: state.limit };
        state.cursors = [null];
        state.page = 0;
      }
      await fetchPage();
    } catch (error) {
      state.loading = false;
      state.error = error;
      ctx.update(view);
    }
  }

  async function fetchPage(focus = null) {
    state.loading = true;
    state.error = null;
    ctx.update(view);
    const query = state.query;
    try {
      state.data = await api.history(query.account, { from: query.from, to: query.to, limit: query.limit, cursor: state.cursors[state.page] });
      remembered = { account: state.account, from: state.from, to: state.to, limit: state.limit, query, cursors: state.cursors, page: state.page };
    } catch (error) {
      state.data = null;
      if (error.field === "from" || error.field === "to") state.errors[`history-${error.field}`] = error;
      else state.error = error;
    }
    state.loading = false;
    ctx.update(view, { focus: state.errors["history-from"] || state.errors["history-to"] ? "error-summary" : focus });
  }

  function search(event) {
    event.preventDefault();
    state.errors = {};
    if (!state.from) state.errors["history-from"] = clientError("validation.date");
    if (!state.to) state.errors["history-to"] = clientError("validation.date");
    if (state.from && state.to && state.from > state.to) state.errors["history-from"] = clientError("validation.date_order");
    if (Object.keys(state.errors).length) {
      ctx.update(view, { focus: "error-summary" });
      return;
    }
    state.query = { account: state.account, from: state.from, to: state.to, limit: state.limit };
    state.cursors = [null];
    state.page = 0;
    fetchPage("results-title");
  }

  function nextPage() {
    if (!state.data?.next_cursor) return;
    state.cursors = [...state.cursors.slice(0, state.page + 1), state.data.next_cursor];
    state.page += 1;
    fetchPage("results-title");
  }

  function previousPage() {
    if (state.page === 0) return;
    state.page -= 1;
    fetchPage("results-title");
  }

  function renderForm() {
    const accountControl = state.accounts.length > 1
      ? formField({
          label: t("history.account"),
          control: accountSelect({ id: "history-account", accounts: state.accounts, value: state.account, onchange: (event) => { state.account = event.target.value; } }),
        })
      : summaryList([[t("history.account"), h("span", { id: "history-account" }, state.account)]], "compact");
    return h(
      "form",
      { class: "history-form no-print", novalidate: true, onsubmit: search },
      accountControl,
      h(
        "div",
        { class: "date-range" },
        formField({
          label: t("history.from"), field: "history-from", error: state.errors["history-from"],
          control: h("input", { id: "history-from", name: "from", type: "date", value: state.from, required: true, oninput: (event) => { state.from = event.target.value; } }),
        }),
        h("span", { class: "range-sep", "aria-hidden": "true" }, t("history.range_sep")),
        formField({
          label: t("history.to"), field: "history-to", error: state.errors["history-to"],
          control: h("input", { id: "history-to", name: "to", type: "date", value: state.to, required: true, oninput: (event) => { state.to = event.target.value; } }),
        }),
        formField({
          label: t("history.page_size"),
          control: h("select", { id: "history-limit", name: "limit", value: String(state.limit), onchange: (event) => { state.limit = Number(event.target.value); } },
            PAGE_SIZES.map((size) => h("option", { value: String(size) }, t("history.page_size_option", { n: size })))),
        }),
      ),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "history-search" }, t("history.search"))),
    );
  }

  function renderResults(data) {
    const lang = getLang();
    const rows = data.items.map((item) => ({
      attrs: { "data-tx-id": item.id, class: item.correction ? "corrected" : null },
      cells: [
        fmtDate(item.date),
        t(`tx_type.${item.type}`),
        t(`tx_status.${item.status}`),
        partyCell(lang, item.from_name, item.from_name_ja, item.from_account),
        partyCell(lang, item.to_name, item.to_name_ja, item.to_account),
        item.in ? fmtNumber(item.in) : "",
        item.out ? fmtNumber(item.out) : "",
        item.correction ? h("span", { class: "badge badge-correction" }, t("history.correction_flag")) : "",
        h("a", { href: `#/history/${encodeURIComponent(item.id)}`, class: "details-link" }, t("history.details"), vh(` ${item.id}`)),
      ],
    }));
    return [
      summaryList([
        [t("history.account"), h("span", { id: "history-result-account" }, data.account)],
        [t("history.period"), h("span", { id: "history-period" }, t("history.period_value", { from: fmtDate(data.from), to: fmtDate(data.to) }))],
        [t("history.incoming"), h("span", { id: "history-incoming", class: "amount" }, fmtAmount(data.incoming_total))],
        [t("history.outgoing"), h("span", { id: "history-outgoing", class: "amount" }, fmtAmount(data.outgoing_total))],
      ], "history-summary"),
      h("h2", { id: "results-title", tabindex: "-1" }, t("history.results"), state.page > 0 ? ` (${t("history.page", { n: state.page + 1 })})` : ""),
      rows.length
        ? dataTable({
            caption: t("history.results"),
            captionHidden: true,
            id: "history-table",
            className: "history-table",
            columns: [
              { label: t("col.date") }, { label: t("col.type") }, { label: t("col.status") }, { label: t("col.from_name") }, { label: t("col.to_name") },
              { label: t("col.in"), num: true }, { label: t("col.out"), num: true }, { label: t("col.correction") }, { label: t("col.details") },
            ],
            rows,
          })
        : h("p", { id: "history-empty" }, t("history.none")),
      state.page > 0 || data.next_cursor
        ? h(
            "nav",
            { class: "pager no-print", "aria-label": t("history.results") },
            h("button", { type: "button", class: "secondary", id: "history-prev", disabled: state.page === 0, onclick: previousPage }, t("history.prev")),
            h("span", { class: "page-number", id: "history-page" }, t("history.page", { n: state.page + 1 })),
            h("button", { type: "button", class: "secondary", id: "history-next", disabled: !data.next_cursor, onclick: nextPage }, t("history.next")),
          )
        : null,
      h("p", { class: "note" }, t("history.correction_note")),
    ];
  }

  const view = {
    titleKey: "history.title",
    start: load,
    render() {
      const parts = [pageHeading(t("history.title")), h("p", { class: "no-print" }, t("history.intro"))];
      if (state.accounts === null && state.loading) return h("section", { class: "history" }, parts, loading());
      if (state.accounts && !state.accounts.length) return h("section", { class: "history" }, parts, h("p", null, t("balance.no_accounts")));
      parts.push(errorSummary(Object.entries(state.errors).map(([field, error]) => ({ field, error }))));
      if (state.accounts) parts.push(renderForm());
      if (state.error) parts.push(errorBox(state.error, { id: "history-error", hints: HINTS }));
      else if (state.loading) parts.push(loading());
      else if (state.data) parts.push(renderResults(state.data));
      return h("section", { class: "history" }, parts);
    },
  };
  return view;
}

export function transactionView(ctx, id) {
  const state = { data: null, error: null, loading: true };

  async function load() {
    try {
      state.data = await api.transaction(id);
    } catch (error) {
      state.error = error;
    }
    state.loading = false;
    ctx.update(view);
  }

  function renderTransaction(tx) {
    const lang = getLang();
    const party = (english, japanese, account) => (account ? t("detail.party", { name: name(lang, english, japanese) || account, account }) : t("common.none"));
    const link = (other) => h("a", { href: `#/history/${encodeURIComponent(other)}` }, other);
    return [
      summaryList([
        [t("detail.id"), h("span", { id: "detail-id" }, tx.id)],
        [t("detail.type"), t(`tx_type.${tx.type}`)],
        [t("detail.status"), t(`tx_status.${tx.status}`)],
        [t("detail.date"), fmtDate(tx.date)],
        [t("detail.created_at"), fmtDateTime(tx.created_at)],
        [t("detail.from"), h("span", { id: "detail-from" }, party(tx.from_name, tx.from_name_ja, tx.from_account))],
        [t("detail.to"), h("span", { id: "detail-to" }, party(tx.to_name, tx.to_name_ja, tx.to_account))],
        [t("detail.amount"), h("span", { id: "detail-amount", class: "amount" }, fmtAmount(tx.amount))],
        tx.correction ? [t("detail.correction"), h("span", { class: "badge badge-correction", id: "detail-correction" }, t("history.correction_flag"))] : null,
        tx.corrects ? [t("detail.corrects"), link(tx.corrects)] : null,
        tx.corrected_by ? [t("detail.corrected_by"), link(tx.corrected_by)] : null,
        tx.compliance_period ? [t("detail.compliance_period"), tx.compliance_period] : null,
        tx.reason ? [t("detail.reason"), h("span", { id: "detail-reason" }, tx.reason)] : null,
        tx.deal_ref ? [t("detail.deal"), h("a", { href: `#/deal/${encodeURIComponent(tx.deal_ref)}`, id: "detail-deal" }, tx.deal_ref)] : null,
        [t("detail.initiated_by"), tx.initiated_by === "administrator" ? t("detail.initiated_by_admin") : tx.initiated_by],
      ]),
      h("h2", null, t("detail.lines")),
      dataTable({
        caption: t("detail.lines"),
        captionHidden: true,
        columns: [
          { label: t("col.line"), num: true }, { label: t("col.unit_type") }, { label: t("col.issued_period") }, { label: t("col.adopted_period") },
          { label: t("col.project") }, { label: t("col.amount"), num: true },
        ],
        rows: tx.lines.map((line, index) => [
          String(index + 1), line.unit_type, line.issued_period || t("common.any"), line.adopted_period || t("common.any"),
          line.project || t("common.any"), fmtNumber(line.amount),
        ]),
      }),
      h("h2", null, t("detail.blocks")),
      dataTable({
        caption: t("detail.blocks"),
        captionHidden: true,
        id: "detail-blocks",
        columns: [
          { label: t("col.no"), num: true }, { label: t("col.origin") }, { label: t("col.unit_type") }, { label: t("col.issued_period") },
          { label: t("col.adopted_period") }, { label: t("col.project") }, { label: t("col.serials") }, { label: t("col.amount"), num: true },
        ],
        rows: tx.blocks.map((block, index) => [
          String(index + 1), block.origin, block.unit_type, block.issued_period, block.adopted_period, block.project || t("common.none"),
          serialRange(block.serial_start, block.serial_end), fmtNumber(block.amount),
        ]),
      }),
    ];
  }

  const view = {
    titleKey: "detail.title",
    start: load,
    render() {
      const parts = [pageHeading(t("detail.title"))];
      if (state.error) parts.push(errorBox(state.error, { id: "detail-error" }));
      else if (state.loading) parts.push(loading());
      else parts.push(renderTransaction(state.data));
      parts.push(h("div", { class: "actions no-print" }, h("a", { href: "#/history", class: "button-link", id: "detail-back" }, t("detail.back"))));
      return h("section", { class: "transaction" }, parts);
    },
  };
  return view;
}
