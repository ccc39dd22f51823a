// Delayed transfers (保留中の移転): transfers held because their receiver was not on the
// sender's trusted list, with when each is due, its outcome, and cancelling one.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtAmount, fmtDateTime, getLang, t } from "../../i18n.js";
import { dataTable, errorBox, errorText, loading, pageHeading } from "../../ui.js";

const BADGES = {
  delayed: "badge-correction", completed: "badge-open", cancelled: "badge-closed", failed: "badge-halted",
  proposed: "badge-correction", approved: "badge-open", rejected: "badge-closed", expired: "badge-halted",
};

/** A status message kept as [key, params] so that it follows the language. */
function doneText([key, params]) {
  return t(key, params.at ? { ...params, at: fmtDateTime(params.at) } : params);
}

export function statusBadge(status) {
  return h("span", { class: ["badge", BADGES[status] || "badge-closed"] }, t(`txstatus.${status}`));
}

export function delayedView(ctx) {
  const state = { data: null, error: null, loading: true, done: null, actionError: null, cancelling: null };

  async function load() {
    state.loading = true;
    ctx.update(view);
    try {
      state.data = await api.delayedTransfers();
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    state.loading = false;
    ctx.update(view);
  }

  async function cancel(id) {
    if (state.cancelling) return;
    state.cancelling = id;
    state.actionError = null;
    state.done = null;
    ctx.update(view);
    try {
      await api.cancelDelayed(id);
      state.done = ["delayed.cancelled", { id }];
      state.cancelling = null;
      await load();
      ctx.update(view, { focus: "delayed-status" });
    } catch (error) {
      state.cancelling = null;
      if (error.status === 401) return;
      state.actionError = error;
      await load();
      ctx.update(view, { focus: "delayed-action-error" });
    }
  }

  function outcome(item) {
    if (item.status === "delayed") {
      return h("button", { type: "button", class: "secondary", disabled: state.cancelling === item.id, onclick: () => cancel(item.id) },
        t("delayed.cancel", { id: item.id }));
    }
    if (item.failure) {
      const reason = errorText({ code: item.failure.code, apiMessage: item.failure.message, apiMessageJa: item.failure.message_ja });
      return h("span", { class: "field-error" }, t("delayed.failed_because", { reason }));
    }
    return item.decided_at ? fmtDateTime(item.decided_at) : null;
  }

  function renderList(items) {
    const lang = getLang();
    if (!items.length) return h("p", { id: "delayed-none" }, t("delayed.none"));
    return dataTable({
      caption: t("delayed.list"),
      id: "delayed-list",
      columns: [
        { label: t("delayed.col.created") }, { label: t("delayed.col.to") }, { label: t("delayed.col.amount"), num: true },
        { label: t("delayed.col.due") }, { label: t("delayed.col.status") }, { label: t("delayed.col.action") },
      ],
      rows: items.map((item) => ({
        attrs: { "data-id": item.id, "data-status": item.status },
        cells: [
          fmtDateTime(item.created_at),
          t("detail.party", { name: (lang === "ja" ? item.to_name_ja : item.to_name) || item.to_account, account: item.to_account }),
          fmtAmount(item.amount),
          fmtDateTime(item.due_at),
          statusBadge(item.status),
          outcome(item),
        ],
      })),
    });
  }

  const view = {
    titleKey: "delayed.title",
    start: load,
    render() {
      const delay = state.data ? String(Math.round(state.data.delay_hours * 10) / 10) : "26";
      const parts = [pageHeading(t("delayed.title"), t("delayed.subtitle", { hours: delay }))];
      if (state.done) parts.push(h("p", { class: "notice notice-success", role: "status", id: "delayed-status", tabindex: "-1" }, doneText(state.done)));
      if (state.actionError) parts.push(errorBox(state.actionError, { id: "delayed-action-error" }));
      if (state.error) parts.push(errorBox(state.error, { id: "delayed-error" }));
      else if (state.loading && !state.data) parts.push(loading());
      else if (state.data) parts.push(renderList(state.data.items));
      return h("section", { class: "delayed" }, parts);
    },
  };
  return view;
}
