// Trusted receiving accounts (信頼済み移転先): the list of an account with when each entry
// counts, adding one (it counts after the delay) and removing one (at once).

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, getLang, t } from "../../i18n.js";
import { accountSelect, dataTable, errorBox, formField, loading, pageHeading } from "../../ui.js";

function hours(value) {
  return String(Math.round(value * 10) / 10);
}

/** A status message kept as [key, params] so that it follows the language. */
function doneText([key, params]) {
  return t(key, params.at ? { ...params, at: fmtDateTime(params.at) } : params);
}

export function trustedView(ctx, requested) {
  const state = {
    accounts: null, account: requested, choice: requested, data: null, error: null, loading: true,
    receiver: "", addError: null, sending: false, done: null, actionError: null,
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
      state.data = state.account ? await api.trusted(state.account) : null;
    } catch (error) {
      state.error = error;
    }
    state.loading = false;
    ctx.update(view);
  }

  function show(event) {
    event.preventDefault();
    if (state.choice && state.choice !== state.account) ctx.navigate(`#/trusted/${encodeURIComponent(state.choice)}`);
  }

  async function add(event) {
    event.preventDefault();
    if (state.sending) return;
    state.sending = true;
    state.addError = null;
    state.done = null;
    ctx.update(view);
    try {
      const entry = await api.addTrusted(state.account, state.receiver.trim().toUpperCase());
      state.done = ["trusted.added", { account: entry.account, at: entry.effective_at }];
      state.receiver = "";
      state.sending = false;
      await load();
      ctx.update(view, { focus: "trusted-status" });
    } catch (error) {
      state.sending = false;
      if (error.status === 401) return;
      state.addError = error;
      ctx.update(view, { focus: "trusted-receiver" });
    }
  }

  async function remove(receiver) {
    state.actionError = null;
    state.done = null;
    try {
      await api.removeTrusted(state.account, receiver);
      state.done = ["trusted.removed", { account: receiver }];
      await load();
      ctx.update(view, { focus: "trusted-status" });
    } catch (error) {
      if (error.status === 401) return;
      state.actionError = error;
      ctx.update(view, { focus: "trusted-action-error" });
    }
  }

  function renderList(data) {
    const lang = getLang();
    if (!data.items.length) return h("p", { id: "trusted-none" }, t("trusted.none"));
    return dataTable({
      caption: t("trusted.list"),
      id: "trusted-list",
      columns: [
        { label: t("trusted.col.account") }, { label: t("trusted.col.holder") }, { label: t("trusted.col.added") },
        { label: t("trusted.col.effective_at") }, { label: t("trusted.col.state") }, { label: t("trusted.col.action") },
      ],
      rows: data.items.map((item) => ({
        attrs: { "data-account": item.account },
        cells: [
          item.account,
          lang === "ja" ? item.holder_ja : item.holder,
          fmtDateTime(item.added_at),
          fmtDateTime(item.effective_at),
          h("span", { class: ["badge", item.effective ? "badge-open" : "badge-closed"] }, t(item.effective ? "trusted.effective" : "trusted.pending")),
          h("button", { type: "button", class: "secondary", onclick: () => remove(item.account) }, t("trusted.remove", { account: item.account })),
        ],
      })),
    });
  }

  const view = {
    titleKey: "trusted.title",
    start: load,
    render() {
      const delay = state.data ? hours(state.data.delay_hours) : "168";
      const parts = [pageHeading(t("trusted.title"), t("trusted.subtitle", { hours: delay }))];
      if (state.accounts && state.accounts.length > 1) {
        parts.push(h("form", { class: "inline-form", onsubmit: show, novalidate: true },
          formField({
            label: t("trusted.account_select"),
            control: accountSelect({ id: "trusted-account-select", accounts: state.accounts, value: state.choice, onchange: (event) => { state.choice = event.target.value; } }),
          }),
          h("button", { type: "submit" }, t("trusted.show"))));
      }
      if (state.done) parts.push(h("p", { class: "notice notice-success", role: "status", id: "trusted-status", tabindex: "-1" }, doneText(state.done)));
      if (state.actionError) parts.push(errorBox(state.actionError, { id: "trusted-action-error" }));
      if (state.error) parts.push(errorBox(state.error, { id: "trusted-error" }));
      else if (state.loading && !state.data) parts.push(loading());
      else if (!state.account) parts.push(h("p", null, t("trusted.no_accounts")));
      else if (state.data) {
        parts.push(renderList(state.data));
        parts.push(h("h2", { id: "trusted-add-title" }, t("trusted.add_title")));
        parts.push(h("form", { class: "inline-form", onsubmit: add, novalidate: true, "aria-labelledby": "trusted-add-title" },
          formField({
            label: t("trusted.add_label"),
            hint: t("trusted.add_hint", { hours: delay }),
            error: state.addError,
            control: h("input", { id: "trusted-receiver", name: "trusted-receiver", type: "text", autocomplete: "off", spellcheck: "false",
              value: state.receiver, oninput: (event) => { state.receiver = event.target.value; } }),
          }),
          h("button", { type: "submit", id: "trusted-add", disabled: state.sending }, t("trusted.add"))));
      }
      return h("section", { class: "trusted" }, parts);
    },
  };
  return view;
}
