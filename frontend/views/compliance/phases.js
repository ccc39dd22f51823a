// Phases (フェーズ): the list of phases the caller may see, and one phase's timeline, report
// deadlines and participants (a participant: its own row), with the true-up: a target
// participant's own result, or the administrators' table of every target.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtAmount, fmtDate, fmtDateTime, fmtNumber, getLang, hasKey, t } from "../../i18n.js";
import { dataTable, errorBox, loading, pageHeading, summaryList } from "../../ui.js";

export const localName = (item) => (getLang() === "ja" ? item.name_ja || item.name : item.name || item.name_ja);
const fiscalYear = (year) => t("phases.fiscal_year", { year: String(year) });
const period = (start, end) => t("phases.period", { start: fmtDate(start), end: fmtDate(end) });
const yen = (amount) => (amount === null || amount === undefined ? t("common.none") : t("phase.yen", { amount: fmtNumber(amount) }));

function newState(phaseId) {
  return { phaseId, loading: true, error: null, me: null, phases: null, phase: null, trueUp: null, trueUpError: null, overdue: null,
    overdueError: null };
}

async function load(screen, state) {
  try {
    state.me = await screen.ctx.me();
    if (state.phaseId === null) {
      state.phases = (await api.phases()).phases;
    } else {
      state.phase = await api.phase(state.phaseId);
      const own = state.phase.participants[0];
      const seesTrueUp = state.me.role === "admin" || (state.me.role === "participant" && own && own.kind !== "trading");
      if (seesTrueUp) {
        try {
          state.trueUp = await api.trueUp(state.phaseId);
        } catch (error) {
          state.trueUpError = error;
        }
      }
      if (state.me.role === "admin") {
        try {
          state.overdue = await api.overdue(state.phaseId);
        } catch (error) {
          state.overdueError = error;
        }
      }
    }
  } catch (error) {
    state.error = error;
  }
  state.loading = false;
  screen.update();
}

function stateBadge(value) {
  return value ? h("span", { class: `badge badge-phase-${value}`, "data-state": value }, t(`phases.state.${value}`)) : t("common.none");
}

function phaseList(state) {
  if (!state.phases.length) return h("p", { id: "phases-none" }, t("phases.none"));
  return dataTable({
    caption: t("phases.caption"),
    captionHidden: true,
    id: "phases",
    columns: [
      { label: t("phases.col.name") },
      { label: t("phases.col.commitment") },
      { label: t("phases.col.adjustment") },
      { label: t("phases.col.trading") },
      { label: t("phases.col.state") },
      { label: t("phases.col.participants"), num: true },
    ],
    rows: state.phases.map((phase) => ({
      attrs: { "data-phase": phase.id },
      cells: [
        h("a", { href: `#/phases/${encodeURIComponent(phase.id)}` }, localName(phase)),
        fiscalYear(phase.commitment_year),
        fmtDate(phase.adjustment_end),
        period(phase.trading_period.start, phase.trading_period.end),
        stateBadge(phase.state),
        t("phases.counts", { targets: fmtNumber(phase.target_participants), trading: fmtNumber(phase.trading_participants) }),
      ],
    })),
  });
}

function participantsTable(state, phase) {
  const admin = state.me.role === "admin";
  return [
    h("h2", { id: "participants-title" }, admin ? t("phase.participants") : t("phase.own_row")),
    dataTable({
      caption: t("phase.participants_caption"),
      captionHidden: true,
      id: "phase-participants",
      columns: [
        { label: t("phase.col.organisation") },
        { label: t("phase.col.kind") },
        { label: t("phase.col.committed"), num: true },
        { label: t("phase.col.subsidy"), num: true },
      ],
      rows: phase.participants.map((p) => ({
        attrs: { "data-org": p.org_id },
        cells: [localName(p), t(`phase.kind.${p.kind}`), p.committed_reduction_t === null ? null : fmtAmount(p.committed_reduction_t),
          p.subsidy_yen === null ? null : yen(p.subsidy_yen)],
      })),
    }),
  ];
}

function outcomeBadge(outcome) {
  const key = outcome || "none";
  return h("span", { class: `badge badge-outcome-${key}`, "data-outcome": key }, t(`trueup.outcome.${key}`));
}

function ownResult(data) {
  const row = data.results[0];
  const parts = [h("h2", { id: "trueup-title" }, t("trueup.own_title"))];
  if (!row.outcome) {
    parts.push(h("p", { id: "trueup-not-run" }, t("trueup.not_run")));
    return h("section", { class: "trueup", "aria-labelledby": "trueup-title" }, parts);
  }
  const note = row.outcome === "compliant" ? t("trueup.compliant_note")
    : row.outcome === "non_compliant" ? t("trueup.non_compliant_note", { shortfall: fmtAmount(row.shortfall_t) })
      : t("trueup.pending_note");
  parts.push(
    summaryList([
      [t("trueup.outcome"), outcomeBadge(row.outcome)],
      [t("trueup.emissions"), h("span", { id: "trueup-emissions", class: "amount" }, row.emissions_t === null ? t("common.none") : fmtAmount(row.emissions_t))],
      [t("trueup.retired"), h("span", { id: "trueup-retired", class: "amount" }, fmtAmount(row.retired_t))],
      row.outcome === "non_compliant" ? [t("trueup.shortfall"), h("span", { id: "trueup-shortfall", class: "amount" }, fmtAmount(row.shortfall_t))] : null,
      row.outcome === "non_compliant" && row.subsidy_to_return_yen
        ? [t("trueup.subsidy_return"), h("span", { id: "trueup-subsidy", class: "amount" }, yen(row.subsidy_to_return_yen))] : null,
      [t("trueup.decided_at"), fmtDateTime(row.decided_at)],
    ], "trueup-summary"),
    h("p", { id: "trueup-note", class: `note note-${row.outcome}` }, note),
  );
  return h("section", { class: "trueup", "aria-labelledby": "trueup-title" }, parts);
}

function resultTable(data) {
  const s = data.summary;
  return h("section", { class: "trueup", "aria-labelledby": "trueup-title" },
    h("h2", { id: "trueup-title" }, t("trueup.title")),
    h("p", { id: "trueup-table-summary" }, t("trueup.summary", {
      compliant: fmtNumber(s.compliant), non_compliant: fmtNumber(s.non_compliant), pending: fmtNumber(s.no_accepted_emissions),
      not_run: fmtNumber(s.not_run), subsidy: yen(s.subsidy_to_return_yen),
    })),
    dataTable({
      caption: t("trueup.table_caption"),
      id: "trueup-table",
      columns: [
        { label: t("phase.col.organisation") },
        { label: t("trueup.outcome") },
        { label: t("trueup.emissions"), num: true },
        { label: t("trueup.retired"), num: true },
        { label: t("trueup.shortfall"), num: true },
        { label: t("trueup.subsidy_return"), num: true },
      ],
      rows: data.results.map((row) => ({
        attrs: { "data-org": row.org_id },
        cells: [localName(row), outcomeBadge(row.outcome), row.emissions_t === null ? null : fmtAmount(row.emissions_t),
          row.retired_t === null ? null : fmtAmount(row.retired_t), row.shortfall_t === null ? null : fmtAmount(row.shortfall_t),
          row.subsidy_to_return_yen === null ? null : yen(row.subsidy_to_return_yen)],
      })),
    }));
}

/** A report's state in words (the reports screens' texts); "not_started": no report at all. */
function reportStatus(status) {
  const key = `reports.status.${status}`;
  return hasKey(key) ? t(key) : t("overdue.not_started");
}

function overdueSection(data) {
  const rows = [...data.overdue, ...data.late];
  return h("section", { class: "overdue", "aria-labelledby": "overdue-title" },
    h("h2", { id: "overdue-title" }, t("overdue.title")),
    rows.length
      ? dataTable({
          caption: t("overdue.caption", { today: fmtDate(data.today) }),
          id: "overdue-table",
          columns: [
            { label: t("phase.col.organisation") },
            { label: t("overdue.col.year") },
            { label: t("overdue.col.due") },
            { label: t("overdue.col.status") },
            { label: t("overdue.col.days"), num: true },
          ],
          rows: rows.map((row) => ({
            attrs: { "data-org": row.org_id, "data-kind": row.kind, "data-year": String(row.fiscal_year) },
            cells: [localName(row), fiscalYear(row.fiscal_year), fmtDate(row.due), t(`overdue.kind.${row.kind}`, { status: reportStatus(row.status) }),
              t("overdue.days", { days: fmtNumber(row.days) })],
          })),
        })
      : h("p", { id: "overdue-none" }, t("overdue.none")));
}

function phaseDetail(state) {
  const phase = state.phase;
  const deadlines = phase.report_deadlines.length
    ? h("ul", { id: "phase-deadlines" }, phase.report_deadlines.map((d) => h("li", null, t("phase.deadline_item", { year: String(d.fiscal_year), due: fmtDate(d.due) }))))
    : t("phase.no_deadlines");
  const parts = [
    summaryList([
      [t("phase.state"), stateBadge(phase.state)],
      [t("phase.base_years"), phase.base_years.map(fiscalYear).join(getLang() === "ja" ? "、" : ", ")],
      [t("phase.commitment_year"), `${fiscalYear(phase.commitment_year)} (${period(phase.commitment_start, phase.commitment_end)})`],
      [t("phase.adjustment_end"), fmtDate(phase.adjustment_end)],
      [t("phase.trading"), period(phase.trading_period.start, phase.trading_period.end)],
      [t("phase.compliance_period"), phase.compliance_period],
      [t("phase.deadlines"), deadlines],
    ], "phase-summary"),
  ];
  if (phase.participants.length) parts.push(participantsTable(state, phase));
  if (state.trueUpError) parts.push(errorBox(state.trueUpError, { id: "trueup-error" }));
  else if (state.trueUp) parts.push(state.me.role === "admin" ? resultTable(state.trueUp) : ownResult(state.trueUp));
  if (state.overdueError) parts.push(errorBox(state.overdueError, { id: "overdue-error" }));
  else if (state.overdue) parts.push(overdueSection(state.overdue));
  if (state.me.role === "admin") {
    parts.push(h("p", { class: "actions" }, h("a", { href: `#/phase-report/${encodeURIComponent(phase.id)}`, id: "phase-report-link" }, t("phase.report_link"))));
  }
  parts.push(h("p", null, h("a", { href: "#/phases", id: "phases-back" }, t("phase.back"))));
  return parts;
}

export function phasesView(ctx, phaseId) {
  const state = newState(phaseId);
  const view = {
    title: () => (state.phase ? localName(state.phase) : t(phaseId ? "phase.title" : "phases.title")),
    start: () => load(screen, state),
    render() {
      if (state.phaseId === null) {
        const subtitle = state.me?.role === "admin" ? t("phases.subtitle_admin") : t("phases.subtitle");
        const parts = [pageHeading(t("phases.title"), subtitle)];
        if (state.error) parts.push(errorBox(state.error, { id: "phases-error" }));
        else if (state.loading) parts.push(loading());
        else parts.push(phaseList(state));
        return h("section", { class: "phases" }, parts);
      }
      const parts = [pageHeading(state.phase ? localName(state.phase) : t("phase.title"))];
      if (state.error) parts.push(errorBox(state.error, { id: "phase-error" }), h("p", null, h("a", { href: "#/phases" }, t("phase.back"))));
      else if (state.loading) parts.push(loading());
      else parts.push(phaseDetail(state));
      return h("section", { class: "phase" }, parts);
    },
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}
