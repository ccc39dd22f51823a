// Proposals to approve (承認待ちの提案), administrators only: the pending proposals and the
// decided ones, and one proposal with every step and the approval screen (approve and
// execute, or reject with a reason). Nobody decides their own proposal.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtAmount, fmtDateTime, hasKey, t } from "../../i18n.js";
import { dataTable, errorBox, formField, loading, pageHeading, summaryList } from "../../ui.js";
import { statusBadge } from "./delayed.js";

function kindText(kind) {
  return hasKey(`proposals.kind.${kind}`) ? t(`proposals.kind.${kind}`) : kind;
}

/** What a proposal would do, in words (a kind the portal does not know shows its fields). */
/** A status message kept as [key, params] so that it follows the language. */
function doneText([key, params]) {
  return t(key, params.at ? { ...params, at: fmtDateTime(params.at) } : params);
}

export function summary(proposal) {
  const p = proposal.payload || {};
  switch (proposal.kind) {
    case "issuance":
      return t("proposals.summary.issuance", { account: p.account, unit_type: p.unit_type, amount: fmtAmount(p.amount) });
    case "correction":
      return t("proposals.summary.correction", { transaction_id: p.transaction_id });
    case "commitment_reserve":
      return t("proposals.summary.commitment_reserve", { account: p.account, amount: fmtAmount(p.commitment_reserve) });
    case "market":
      return t(p.action === "halt" ? "proposals.summary.halt" : "proposals.summary.resume");
    default:
      return Object.entries(p).map(([key, value]) => `${key}: ${value}`).join(", ");
  }
}

const proposalBadge = statusBadge;

export function proposalsView(ctx, requested) {
  const state = { me: null, list: null, proposal: null, result: null, error: null, loading: true, reason: "", sending: false,
    decideError: null, done: null };

  async function load() {
    state.loading = true;
    ctx.update(view);
    try {
      state.me = await ctx.me();
      if (state.me.role !== "admin") {
        state.loading = false;
        ctx.update(view);
        return;
      }
      if (requested) state.proposal = (await api.proposal(requested)).proposal;
      else state.list = await api.proposals();
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    state.loading = false;
    ctx.update(view);
  }

  async function decide(approve) {
    if (state.sending) return;
    state.sending = true;
    state.decideError = null;
    state.done = null;
    ctx.update(view);
    try {
      const answer = approve ? await api.approveProposal(requested, state.reason) : await api.rejectProposal(requested, state.reason);
      state.proposal = answer.proposal;
      state.result = answer.result || null;
      state.done = [approve ? "proposals.approved" : "proposals.rejected", {}];
      state.sending = false;
      ctx.update(view, { focus: "proposal-status" });
    } catch (error) {
      state.sending = false;
      if (error.status === 401) return;
      state.decideError = error;
      try {
        state.proposal = (await api.proposal(requested)).proposal;  // the refused attempt is one of its steps now
      } catch {
        // keep what is shown
      }
      ctx.update(view, { focus: "proposal-decide-error" });
    }
  }

  function table(items, id, caption) {
    return dataTable({
      caption,
      id,
      columns: [
        { label: t("proposals.col.id") }, { label: t("proposals.col.kind") }, { label: t("proposals.col.summary") },
        { label: t("proposals.col.by") }, { label: t("proposals.col.at") }, { label: t("proposals.col.lapses") },
        { label: t("proposals.col.status") },
      ],
      rows: items.map((item) => ({
        attrs: { "data-id": item.id, "data-status": item.status },
        cells: [
          h("a", { href: `#/proposals/${encodeURIComponent(item.id)}` }, item.id),
          kindText(item.kind), summary(item), item.proposed_by, fmtDateTime(item.proposed_at), fmtDateTime(item.lapses_at),
          proposalBadge(item.status),
        ],
      })),
    });
  }

  function renderList(list) {
    const pending = list.items.filter((item) => item.status === "proposed");
    const decided = list.items.filter((item) => item.status !== "proposed");
    return [
      h("h2", { id: "proposals-pending-title" }, t("proposals.pending")),
      pending.length ? table(pending, "proposals-pending", t("proposals.pending")) : h("p", { id: "proposals-none" }, t("proposals.none")),
      h("h2", { id: "proposals-decided-title" }, t("proposals.decided")),
      decided.length ? table(decided, "proposals-decided", t("proposals.decided")) : h("p", null, t("proposals.none_decided")),
    ];
  }

  function renderProposal(p) {
    const parts = [
      summaryList([
        [t("proposals.col.kind"), kindText(p.kind)],
        [t("proposals.col.summary"), h("span", { id: "proposal-summary" }, summary(p))],
        [t("proposals.reason"), h("span", { id: "proposal-reason" }, p.reason)],
        [t("proposals.col.by"), p.proposed_by],
        [t("proposals.channel"), t(`proposals.channel.${p.channel}`)],
        [t("proposals.col.at"), fmtDateTime(p.proposed_at)],
        [t("proposals.col.lapses"), fmtDateTime(p.lapses_at)],
        [t("proposals.col.status"), h("span", { id: "proposal-status-badge" }, proposalBadge(p.status))],
        p.transaction_id ? [t("proposals.transaction"), h("a", { href: `#/history/${encodeURIComponent(p.transaction_id)}`, id: "proposal-transaction" }, p.transaction_id)] : null,
      ]),
      h("h2", null, t("proposals.payload")),
      summaryList(Object.entries(p.payload).map(([key, value]) => [key, value === null ? t("common.none") : String(value)]), "proposal-payload"),
      h("h2", null, t("proposals.steps")),
      dataTable({
        caption: t("proposals.steps"),
        captionHidden: true,
        id: "proposal-steps",
        columns: [
          { label: t("proposals.col.step") }, { label: t("proposals.col.step_by") }, { label: t("proposals.col.step_at") },
          { label: t("proposals.col.step_reason") }, { label: t("proposals.col.step_code") },
        ],
        rows: p.steps.map((step) => [t(`proposals.step.${step.action}`), step.by, fmtDateTime(step.at), step.reason || null, step.code || null]),
      }),
    ];
    if (p.status === "proposed") {
      parts.push(h("h2", { id: "proposal-decide-title" }, t("proposals.decide")));
      if (state.me && state.me.username === p.proposed_by) {
        parts.push(h("p", { class: "notice", id: "proposal-own" }, t("proposals.own")));
      } else {
        parts.push(h("form", { class: "decide-form", novalidate: true, "aria-labelledby": "proposal-decide-title", onsubmit: (event) => event.preventDefault() },
          formField({
            label: t("proposals.decision_reason"),
            control: h("textarea", { id: "proposal-decision-reason", name: "reason", rows: "2", maxlength: "500", value: state.reason,
              oninput: (event) => { state.reason = event.target.value; } }),
          }),
          h("div", { class: "actions" },
            h("button", { type: "button", id: "proposal-approve", disabled: state.sending, onclick: () => decide(true) }, t("proposals.approve")),
            h("button", { type: "button", id: "proposal-reject", class: "secondary", disabled: state.sending, onclick: () => decide(false) }, t("proposals.reject")))));
      }
    }
    return parts;
  }

  const view = {
    title: () => (requested ? t("proposals.detail_title", { id: requested }) : t("proposals.title")),
    start: load,
    render() {
      const parts = [pageHeading(requested ? t("proposals.detail_title", { id: requested }) : t("proposals.title"),
        requested ? null : t("proposals.subtitle"))];
      if (requested) parts.push(h("p", { class: "no-print" }, h("a", { href: "#/proposals", id: "proposals-back" }, t("proposals.back"))));
      if (state.done) parts.push(h("p", { class: "notice notice-success", role: "status", id: "proposal-status", tabindex: "-1" }, doneText(state.done)));
      if (state.decideError) parts.push(errorBox(state.decideError, { id: "proposal-decide-error" }));
      if (state.error) parts.push(errorBox(state.error, { id: "proposals-error" }));
      else if (state.loading && !state.list && !state.proposal) parts.push(loading());
      else if (state.me && state.me.role !== "admin") parts.push(h("p", { class: "notice", id: "proposals-admins-only" }, t("proposals.admins_only")));
      else if (requested && state.proposal) parts.push(renderProposal(state.proposal));
      else if (state.list) parts.push(renderList(state.list));
      return h("section", { class: "proposals" }, parts);
    },
  };
  return view;
}
