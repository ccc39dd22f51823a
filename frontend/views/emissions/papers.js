// 作業調書 (a report's working papers) on the verifier's report page: the table under the
// upload control, newest first, read again once an upload is accepted; each row downloads
// its paper through GET /documents/{id} (a 5-minute link). Only the verifier assigned to the
// report (and administrators) may list them; the API answers anyone else as for a missing
// report. Every figure is the API's; the page only shows it.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDateTime, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, loading } from "../../ui.js";
import { userText } from "./shared.js";

/** How often, and how far apart, the list is read again until a newly accepted paper is in it
 * (the emissions system records it just after the documents system accepted it). */
const REFRESH_POLLS = 10;
const REFRESH_MS = 500;

const FORMATS = Object.freeze({
  "application/pdf": "PDF",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
  "image/png": "PNG",
  "image/jpeg": "JPEG",
});

export function newPapers() {
  return { items: null, error: null };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read the report's working papers into state.papers. With `expected` (a document id), read
 * again a few times until that document is listed. Returns false after a 401 (app.js ends
 * the session: nothing more to do).
 */
export async function loadPapers(state, { expected = null, alive = () => true } = {}) {
  const reportId = state.reportId;
  const polls = expected ? REFRESH_POLLS : 1;
  for (let attempt = 0; attempt < polls && alive(); attempt += 1) {
    if (attempt) await sleep(REFRESH_MS);
    try {
      const answer = await api.workingPapers(reportId);
      if (state.reportId !== reportId) return true;
      state.papers.items = answer.working_papers;
      state.papers.error = null;
      if (!expected || answer.working_papers.some((paper) => paper.document_id === expected)) return true;
    } catch (error) {
      if (error.status === 401) return false;
      state.papers.error = error;
      return true;
    }
  }
  return true;
}

/** A text with a file's name in it, the name marked as Japanese when it is (so that an
 * English page names a Japanese file correctly for screen readers). */
export function textWithName(key, name) {
  const [before, after = ""] = t(key, { name: "\u0000" }).split("\u0000");
  return [before, userText(name), after];
}

async function downloadPaper(screen, state, paper) {
  state.actionError = null;
  try {
    const document = await api.document(paper.document_id);
    if (!document.download) {
      state.actionError = clientError("reports.paper_unavailable");
      screen.update({ focus: "reports-action-error" });
      return;
    }
    state.message = () => textWithName("reports.download_started", document.filename);
    screen.update({ focus: "reports-action-status" });
    window.location.assign(document.download.url);
  } catch (error) {
    if (error.status === 401) return;
    state.actionError = error;
    screen.update({ focus: "reports-action-error" });
  }
}

/** The table of the report's working papers (or its empty state, or why it could not be read). */
export function papersList(screen, state) {
  const box = state.papers;
  if (box.error) return errorBox(box.error, { id: "papers-error" });
  if (box.items === null) return loading();
  if (!box.items.length) return h("p", { id: "papers-empty" }, t("reports.papers_none"));
  return dataTable({
    caption: t("reports.papers_caption"),
    id: "papers-table",
    columns: [{ label: t("reports.papers_col.file") }, { label: t("reports.papers_col.format") },
      { label: t("reports.papers_col.size"), num: true }, { label: t("reports.papers_col.by") }, { label: t("reports.papers_col.accepted") }],
    rows: box.items.map((paper) => ({
      attrs: { "data-document": paper.document_id },
      cells: [
        h("button", { type: "button", class: "link-button", id: `paper-download-${paper.document_id}`, onclick: () => downloadPaper(screen, state, paper) },
          userText(paper.filename), h("span", { class: "visually-hidden" }, t("reports.paper_download_hint"))),
        FORMATS[paper.content_type] || paper.content_type,
        t("reports.paper_size", { size: fmtNumber(paper.size) }),
        paper.uploaded_by,
        fmtDateTime(paper.accepted_at),
      ],
    })),
  });
}
