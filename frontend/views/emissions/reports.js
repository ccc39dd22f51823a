// 算定報告書 (calculation reports) and 検証 (verification). One screen for both users:
// - a participant lists its reports, makes a draft of a fiscal year from the current
//   calculation, submits it, recalls it while it waits for the verifier, downloads its files
//   and asks for an approval cancellation once it is verified;
// - a verifier lists the reports assigned to its body, downloads the report, its monitoring
//   data and every evidence document it cites, uploads working papers (and sees those accepted,
//   views/emissions/papers.js), returns the report with its reasons or records the verification
//   report (the opinion), after which it locks;
// - an administrator lists the reports of a fiscal year and reviews a verified one, or decides
//   an approval cancellation request (views/emissions/review.js).
// Every figure, status and refusal is the API's; the page only shows and sends.

import { api, uploadForm } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, formField, loading, pageHeading, summaryList } from "../../ui.js";
import { loadPapers, newPapers, papersList, textWithName } from "./papers.js";
import { newReview, reviewPanel } from "./review.js";
import { chosenFiscalYear, contentTypeOf, fiscalYearForm, fiscalYearLabel, liveStatus, userText } from "./shared.js";

const FILES = ["pdf", "workbook", "monitoring"];
const OPINIONS = ["verified", "verified_with_comments", "not_verified"];
const LOCKED = new Set(["verified", "accepted", "determined"]);

function newState(reportId, fiscalYear) {
  return {
    reportId, fiscalYear, role: null, loading: true, error: null, reports: [], report: null, evidence: null,
    busy: false, actionError: null, message: null, reason: "", cancelReason: "",
    opinion: { opinion: "verified", verified_t_co2: "", reasons: "", improvements: "", misstatements: [], error: null },
    paper: { file: null, stage: null, document: null, error: null },
    papers: newPapers(),
    review: newReview(),
    alive: true,
  };
}

async function load(screen, state) {
  try {
    const me = await screen.ctx.me();
    state.role = me.role;
    if (state.reportId) {
      state.report = await api.report(state.reportId);
      state.evidence = await api.reportEvidence(state.reportId, visibleVersion(state.report));
      if (state.role === "verifier" && !(await loadPapers(state))) return;
    } else {
      state.reports = (await api.reports(state.role === "admin" ? { fiscal_year: state.fiscalYear } : undefined)).reports;
    }
    state.error = null;
  } catch (error) {
    if (error.status === 401) return;
    state.error = error;
  }
  state.loading = false;
  screen.update();
}

function visibleVersion(report) {
  return report.versions.length ? report.versions[report.versions.length - 1].version : report.version;
}

const statusText = (status) => t(`reports.status.${status}`);

// --- actions ----------------------------------------------------------------------------------

async function act(screen, state, call, doneKey, focus = "reports-action-status") {
  if (state.busy) return;
  state.busy = true;
  state.actionError = null;
  state.message = null;
  screen.update();
  try {
    const answer = await call();
    state.busy = false;
    if (answer && answer.id && !state.reportId) {
      screen.ctx.navigate(`#/reports/${encodeURIComponent(answer.id)}`);
      return;
    }
    if (answer && answer.id) state.report = answer;
    state.message = () => t(doneKey);
    state.reason = "";
    state.cancelReason = "";
    state.review = newReview();
    if (state.reportId) state.evidence = await api.reportEvidence(state.reportId, visibleVersion(state.report)).catch(() => state.evidence);
    screen.update({ focus });
  } catch (error) {
    if (error.status === 401) return;
    state.busy = false;
    state.actionError = error;
    screen.update({ focus: "reports-action-error" });
  }
}

async function download(screen, state, name) {
  try {
    const link = await api.reportFile(state.reportId, name, visibleVersion(state.report));
    state.message = () => t("reports.download_started", { name: link.filename });
    screen.update({ focus: "reports-action-status" });
    window.location.assign(link.url);
  } catch (error) {
    if (error.status === 401) return;
    state.actionError = error;
    screen.update({ focus: "reports-action-error" });
  }
}

async function uploadPaper(screen, state, event) {
  event.preventDefault();
  const box = state.paper;
  if (["announcing", "sending", "checking"].includes(box.stage)) return;
  box.error = null;
  if (!box.file) {
    box.error = clientError("reports.paper_choose");
    screen.update({ focus: "paper-file" });
    return;
  }
  const file = box.file;
  box.stage = "announcing";
  box.filename = file.name;
  screen.update({ focus: "paper-status" });
  try {
    const announced = await api.workingPaper(state.reportId, { filename: file.name, content_type: contentTypeOf(file), size: file.size });
    box.stage = "sending";
    screen.update();
    await uploadForm(announced.upload, file);
    box.stage = "checking";
    screen.update();
    let document = announced.document;
    for (let attempt = 0; attempt < 30 && state.alive && document.status === "awaiting_upload"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      document = await api.document(document.id);
    }
    box.document = document;
    box.stage = document.status;
  } catch (error) {
    if (error.status === 401) return;
    box.error = error;
    box.stage = "failed";
  }
  screen.update({ focus: "paper-status" });
  if (box.stage === "accepted" && await loadPapers(state, { expected: box.document.id, alive: () => state.alive })) screen.update();
}

function opinionBody(state) {
  const form = state.opinion;
  const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);
  const body = {
    opinion: form.opinion,
    reasons: form.opinion === "not_verified" ? lines(form.reasons) : [],
    improvements: lines(form.improvements),
    misstatements: form.misstatements
      .filter((item) => item.reference.trim() || item.explanation.trim())
      .map((item) => ({ reference: item.reference.trim(), explanation: item.explanation.trim(), material: item.material })),
  };
  const tonnes = form.verified_t_co2.trim();
  if (tonnes !== "") body.verified_t_co2 = /^\d{1,12}$/.test(tonnes) ? Number(tonnes) : tonnes;
  return body;
}

async function recordOpinion(screen, state, event) {
  event.preventDefault();
  const form = state.opinion;
  form.error = null;
  const tonnes = form.verified_t_co2.trim();
  if (form.opinion !== "not_verified" && !/^\d{1,12}$/.test(tonnes)) {
    form.error = clientError("reports.opinion_tonnes_required");
    screen.update({ focus: "opinion-tonnes" });
    return;
  }
  await act(screen, state, () => api.recordOpinion(state.reportId, opinionBody(state)), "reports.done.opinion");
}

// --- rendering --------------------------------------------------------------------------------

function listTexts(role) {
  if (role === "participant") return { title: "reports.title", subtitle: "reports.subtitle", none: "reports.none", caption: "reports.list_caption" };
  if (role === "admin") return { title: "review.list_title", subtitle: "review.list_subtitle", none: "review.list_none", caption: "review.list_caption" };
  return { title: "reports.verifier_title", subtitle: "reports.verifier_subtitle", none: "reports.none_assigned", caption: "reports.assigned_caption" };
}

function listPage(screen, state) {
  const participant = state.role === "participant";
  const texts = listTexts(state.role);
  const parts = [pageHeading(t(texts.title), t(texts.subtitle))];
  if (state.role === "admin") parts.push(fiscalYearForm(screen.ctx, { route: "reports/year", value: state.fiscalYear, id: "reports-year" }));
  if (participant) {
    parts.push(h("section", { class: "report-create", "aria-labelledby": "reports-create-title" },
      h("h2", { id: "reports-create-title" }, t("reports.create_title")),
      h("p", null, t("reports.create_intro")),
      fiscalYearForm(screen.ctx, { route: "reports/new", value: state.fiscalYear, id: "report-year" }),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "report-create", class: "primary", disabled: state.busy,
          onclick: () => act(screen, state, () => api.createReport(state.fiscalYear), "reports.done.create") },
        t("reports.create", { year: fiscalYearLabel(state.fiscalYear) })))));
  }
  parts.push(actionFeedback(state));
  if (state.error) parts.push(errorBox(state.error, { id: "reports-error" }));
  else if (state.loading) parts.push(loading());
  else if (!state.reports.length) parts.push(h("p", { id: "reports-empty" }, t(texts.none, { year: fiscalYearLabel(state.fiscalYear) })));
  else {
    parts.push(dataTable({
      caption: t(texts.caption, { year: fiscalYearLabel(state.fiscalYear) }),
      id: "reports-table",
      columns: [{ label: t("reports.col.report") }, { label: t("reports.col.organisation") }, { label: t("reports.col.year") },
        { label: t("reports.col.version"), num: true }, { label: t("reports.col.status") }, { label: t("reports.col.submitted") },
        { label: t("reports.col.reviewed"), num: true }],
      rows: state.reports.map((report) => ({
        attrs: { "data-report": report.id, "data-status": report.status },
        cells: [
          h("a", { href: `#/reports/${encodeURIComponent(report.id)}`, id: `report-link-${report.id}` }, report.id),
          report.org_id,
          fiscalYearLabel(report.fiscal_year),
          String(report.version),
          statusText(report.status),
          report.submitted_at ? fmtDateTime(report.submitted_at) : t("common.none"),
          report.reviewed ? t("common.amount", { amount: fmtNumber(report.reviewed.t_co2) }) : t("common.none"),
        ],
      })),
    }));
  }
  return h("section", { class: "emissions reports" }, parts);
}

function actionFeedback(state) {
  return [
    state.actionError ? errorBox(state.actionError, { id: "reports-action-error" }) : null,
    liveStatus("reports-action-status", state.message),
  ];
}

function reasonField(state, id, key, prop, label) {
  return formField({
    label,
    control: h("textarea", { id, name: id, rows: "3", maxlength: "2000", value: state[prop], oninput: (event) => { state[prop] = event.target.value; } }),
    optional: key === "optional",
  });
}

function participantActions(screen, state, report) {
  const id = report.id;
  const nodes = [];
  if (report.status === "draft") {
    nodes.push(h("button", { type: "button", id: "report-submit", class: "primary", disabled: state.busy,
      onclick: () => act(screen, state, () => api.submitReport(id, report.version), "reports.done.submit") }, t("reports.submit")));
  }
  if (["draft", "returned", "recalled"].includes(report.status)) {
    nodes.push(h("button", { type: "button", id: "report-new-version", disabled: state.busy,
      onclick: () => act(screen, state, () => api.createReport(report.fiscal_year), "reports.done.create") }, t("reports.new_version")));
  }
  if (["submitted", "under_verification"].includes(report.status)) {
    nodes.push(h("form", { class: "stacked-form", novalidate: true, onsubmit: (event) => { event.preventDefault(); act(screen, state, () => api.recallReport(id, state.reason, report.version), "reports.done.recall"); } },
      reasonField(state, "recall-reason", "optional", "reason", t("reports.recall_reason")),
      h("button", { type: "submit", id: "report-recall", disabled: state.busy }, t("reports.recall"))));
  }
  if (LOCKED.has(report.status) && !report.cancellation_pending) {
    nodes.push(h("form", { class: "stacked-form", novalidate: true, onsubmit: (event) => { event.preventDefault(); act(screen, state, () => api.requestCancellation(id, state.cancelReason, report.version), "reports.done.cancellation"); } },
      reasonField(state, "cancel-reason", "required", "cancelReason", t("reports.cancel_reason")),
      h("button", { type: "submit", id: "report-cancellation", disabled: state.busy }, t("reports.cancel"))));
  }
  if (report.cancellation_pending) nodes.push(h("p", { id: "report-cancellation-pending" }, t("reports.cancellation_pending")));
  return nodes.length ? h("section", { class: "report-actions", "aria-labelledby": "report-actions-title" },
    h("h2", { id: "report-actions-title" }, t("reports.actions")), nodes) : null;
}

function misstatementRows(screen, state) {
  const form = state.opinion;
  return h("fieldset", { class: "misstatements", id: "misstatements" },
    h("legend", null, t("reports.misstatements")),
    form.misstatements.map((item, index) => h("div", { class: "misstatement", "data-index": String(index) },
      formField({ label: t("reports.misstatement_reference"), control: h("input", { id: `mis-${index}-reference`, value: item.reference, maxlength: "200", oninput: (event) => { item.reference = event.target.value; } }) }),
      formField({ label: t("reports.misstatement_explanation"), control: h("input", { id: `mis-${index}-explanation`, value: item.explanation, maxlength: "2000", oninput: (event) => { item.explanation = event.target.value; } }) }),
      h("div", { class: "field checkbox" },
        h("input", { type: "checkbox", id: `mis-${index}-material`, checked: item.material, onchange: (event) => { item.material = event.target.checked; } }),
        h("label", { for: `mis-${index}-material` }, t("reports.misstatement_material"))))),
    h("button", { type: "button", id: "misstatement-add", onclick: () => {
      form.misstatements.push({ reference: "", explanation: "", material: false });
      screen.update({ focus: `mis-${form.misstatements.length - 1}-reference` });
    } }, t("reports.misstatement_add")));
}

function opinionForm(screen, state) {
  const form = state.opinion;
  return h("form", { class: "stacked-form opinion-form", id: "opinion-form", novalidate: true, onsubmit: (event) => recordOpinion(screen, state, event) },
    h("h3", { id: "opinion-title" }, t("reports.opinion_title")),
    formField({
      label: t("reports.opinion"),
      control: h("select", { id: "opinion", name: "opinion", value: form.opinion, onchange: (event) => { form.opinion = event.target.value; screen.update(); } },
        OPINIONS.map((value) => h("option", { value }, t(`reports.opinion.${value}`)))),
    }),
    formField({
      label: t("reports.verified_t_co2"), hint: t("reports.verified_t_co2_hint"), optional: form.opinion === "not_verified",
      error: form.error,
      control: h("input", { id: "opinion-tonnes", name: "opinion-tonnes", inputmode: "numeric", value: form.verified_t_co2, oninput: (event) => { form.verified_t_co2 = event.target.value; } }),
    }),
    form.opinion === "not_verified"
      ? formField({ label: t("reports.opinion_reasons"), hint: t("reports.one_per_line"),
          control: h("textarea", { id: "opinion-reasons", rows: "3", value: form.reasons, oninput: (event) => { form.reasons = event.target.value; } }) })
      : null,
    misstatementRows(screen, state),
    formField({ label: t("reports.improvements"), hint: t("reports.one_per_line"), optional: true,
      control: h("textarea", { id: "opinion-improvements", rows: "3", value: form.improvements, oninput: (event) => { form.improvements = event.target.value; } }) }),
    h("button", { type: "submit", id: "opinion-submit", class: "primary", disabled: state.busy }, t("reports.opinion_submit")));
}

function paperSection(screen, state, uploadable) {
  const box = state.paper;
  const busy = ["announcing", "sending", "checking"].includes(box.stage);
  return h("section", { class: "working-papers", "aria-labelledby": "paper-title" },
    h("h3", { id: "paper-title" }, t("reports.papers_title")),
    uploadable ? paperUpload(screen, state, box, busy) : null,
    papersList(screen, state));
}

function paperUpload(screen, state, box, busy) {
  return [
    h("form", { class: "inline-form", novalidate: true, onsubmit: (event) => uploadPaper(screen, state, event) },
      formField({ label: t("reports.paper_file"), hint: t("reports.paper_hint"), error: box.error && box.error.kind === "client" ? box.error : null,
        control: h("input", { type: "file", id: "paper-file", name: "paper-file", accept: ".pdf,.xlsx,.png,.jpg,.jpeg", disabled: busy,
          onchange: (event) => { box.file = event.target.files[0] || null; } }) }),
      h("button", { type: "submit", id: "paper-upload", disabled: busy }, t("reports.paper_upload"))),
    box.error && box.error.kind !== "client" ? errorBox(box.error, { id: "paper-error" }) : null,
    h("div", { id: "paper-status", role: "status", "aria-live": "polite", tabindex: "-1" },
      box.stage && box.stage !== "failed" ? h("p", { "data-stage": box.stage }, textWithName(`upload.stage.${box.stage}`, box.filename || "")) : null),
  ];
}

function verifierActions(screen, state, report) {
  const id = report.id;
  const nodes = [];
  if (report.status === "submitted") {
    nodes.push(h("button", { type: "button", id: "verification-begin", class: "primary", disabled: state.busy,
      onclick: () => act(screen, state, () => api.beginVerification(id), "reports.done.begin") }, t("reports.begin")));
  }
  nodes.push(paperSection(screen, state, report.status === "under_verification" || LOCKED.has(report.status)));
  if (report.status === "under_verification") {
    nodes.push(opinionForm(screen, state));
    nodes.push(h("form", { class: "stacked-form", novalidate: true, onsubmit: (event) => { event.preventDefault(); act(screen, state, () => api.returnReport(id, state.reason), "reports.done.return"); } },
      h("h3", null, t("reports.return_title")),
      reasonField(state, "return-reason", "required", "reason", t("reports.return_reason")),
      h("button", { type: "submit", id: "verification-return", disabled: state.busy }, t("reports.return"))));
  }
  return nodes.length ? h("section", { class: "report-actions", "aria-labelledby": "report-actions-title" },
    h("h2", { id: "report-actions-title" }, t("reports.actions")), nodes) : null;
}

function verificationSummary(verification) {
  if (!verification) return null;
  return h("div", { class: "verification", id: "report-verification" },
    summaryList([
      [t("reports.opinion"), h("span", { id: "report-opinion", "data-opinion": verification.opinion }, t(`reports.opinion.${verification.opinion}`))],
      [t("reports.verified_t_co2"), verification.verified_t_co2 === null || verification.verified_t_co2 === undefined
        ? t("common.none") : t("common.amount", { amount: fmtNumber(verification.verified_t_co2) })],
      verification.reasons?.length ? [t("reports.opinion_reasons"), h("ul", null, verification.reasons.map((text) => h("li", null, userText(text))))] : null,
      verification.misstatements?.length ? [t("reports.misstatements"), h("ul", null, verification.misstatements.map((item) =>
        h("li", null, userText(item.reference), ": ", userText(item.explanation), " ", item.material ? t("reports.material") : t("reports.not_material"))))] : null,
      verification.improvements?.length ? [t("reports.improvements"), h("ul", null, verification.improvements.map((text) => h("li", null, userText(text))))] : null,
    ], "compact"));
}

function detailPage(screen, state) {
  const parts = [pageHeading(t("reports.detail_title", { id: state.reportId }), null)];
  parts.push(h("p", { class: "no-print" }, h("a", { href: "#/reports", id: "reports-back" }, t("reports.back"))));
  if (state.error) return h("section", { class: "emissions reports" }, parts, errorBox(state.error, { id: "reports-error" }));
  if (state.loading) return h("section", { class: "emissions reports" }, parts, loading());
  const report = state.report;
  const current = report.versions[report.versions.length - 1] || null;
  parts.push(summaryList([
    [t("reports.col.organisation"), report.org_id],
    [t("reports.col.year"), fiscalYearLabel(report.fiscal_year)],
    [t("reports.col.version"), h("span", { id: "report-version" }, String(report.version))],
    [t("reports.col.status"), h("span", { id: "report-status", "data-status": report.status }, statusText(report.status))],
    [t("reports.total_t"), h("span", { id: "report-total", class: "amount emphasis" }, current ? t("common.amount", { amount: fmtNumber(current.total_t) }) : t("common.none"))],
    [t("reports.col.reviewed"), h("span", { id: "report-reviewed" }, report.reviewed
      ? t("reports.reviewed_value", { amount: fmtNumber(report.reviewed.t_co2), basis: t(`reports.basis.${report.reviewed.basis}`) }) : t("common.none"))],
    [t("reports.verifier"), report.verifier_org || t("common.none")],
  ]));
  parts.push(actionFeedback(state));
  parts.push(h("section", { class: "report-files", "aria-labelledby": "report-files-title" },
    h("h2", { id: "report-files-title" }, t("reports.files")),
    h("div", { class: "actions" }, FILES.map((name) => h("button", { type: "button", id: `report-file-${name}`, onclick: () => download(screen, state, name) }, t(`reports.file.${name}`)))),
    h("h3", { id: "report-evidence-title" }, t("reports.evidence")),
    state.evidence && state.evidence.documents.length
      ? h("ul", { id: "report-evidence", class: "compact-list" }, state.evidence.documents.map((item) => h("li", { "data-document": item.document_id },
          item.download ? h("a", { href: item.download.url, id: `evidence-${item.document_id}` }, userText(item.filename || item.document_id)) : userText(item.filename || item.document_id),
          " ", t("reports.cited_by", { cells: item.cited_by.join(", ") }))))
      : h("p", { id: "report-evidence-none" }, t("reports.no_evidence"))));
  if (current) parts.push(verificationSummary(current.verification));
  parts.push(state.role === "verifier" ? verifierActions(screen, state, report) : state.role === "participant" ? participantActions(screen, state, report)
    : state.role === "admin" ? reviewPanel(screen, state, report, act) : null);
  parts.push(h("h2", { id: "report-versions-title" }, t("reports.versions")));
  parts.push(dataTable({
    caption: t("reports.versions"), captionHidden: true, id: "report-versions",
    columns: [{ label: t("reports.col.version"), num: true }, { label: t("reports.col.status") }, { label: t("reports.col.made") },
      { label: t("reports.col.submitted") }, { label: t("reports.total_t"), num: true }],
    rows: report.versions.map((version) => ({ attrs: { "data-version": String(version.version), "data-status": version.status }, cells: [
      String(version.version), statusText(version.status), `${fmtDateTime(version.created_at)} (${version.created_by})`,
      version.submitted_at ? fmtDateTime(version.submitted_at) : t("common.none"), t("common.amount", { amount: fmtNumber(version.total_t) }),
    ] })),
  }));
  parts.push(h("h2", { id: "report-history-title" }, t("reports.history")));
  parts.push(dataTable({
    caption: t("reports.history"), captionHidden: true, id: "report-history",
    columns: [{ label: t("reports.col.when") }, { label: t("reports.col.version"), num: true }, { label: t("reports.col.action") },
      { label: t("reports.col.status") }, { label: t("reports.col.by") }, { label: t("reports.col.reason") }],
    rows: report.history.map((item) => ({ attrs: { "data-action": item.action }, cells: [
      fmtDateTime(item.at), String(item.version), t(`reports.action.${item.action}`),
      `${item.from_status ? statusText(item.from_status) : t("common.none")} → ${statusText(item.to_status)}`, item.by,
      item.reason ? userText(item.reason) : t("common.none"),
    ] })),
  }));
  return h("section", { class: "emissions reports" }, parts);
}

export function reportsView(ctx, first, second) {
  const creating = first === "new";
  const listing = first === "year";
  const reportId = creating || listing || !first ? null : first;
  const state = newState(reportId, chosenFiscalYear(ctx, creating || listing ? second : null));
  const view = {
    title: () => (reportId ? t("reports.detail_title", { id: reportId }) : t(listTexts(state.role).title)),
    start: () => load(screen, state),
    stop: () => { state.alive = false; },
    render: () => (reportId ? detailPage(screen, state) : listPage(screen, state)),
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}
