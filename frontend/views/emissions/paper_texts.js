// The working papers' list (views/emissions/papers.js), in Japanese and English. i18n.js
// adds them to its dictionaries (so every test of the dictionaries covers them); kept here
// so that the shared dictionary file only grows by a few lines. No text of the API's errors.

export const PAPER_TEXTS = Object.freeze({
  ja: {
    "reports.papers_caption": "作業調書",
    "reports.papers_none": "この報告書の作業調書はまだありません。アップロードして受け付けられたものがここに表示されます。",
    "reports.papers_col.file": "ファイル",
    "reports.papers_col.format": "形式",
    "reports.papers_col.size": "サイズ",
    "reports.papers_col.by": "アップロードした人",
    "reports.papers_col.accepted": "受付日時",
    "reports.paper_size": "{size} バイト",
    "reports.paper_download_hint": "（ダウンロード）",
    "reports.paper_unavailable": "この作業調書は今はダウンロードできません。時間をおいて画面を再読み込みしてください。",
  },
  en: {
    "reports.papers_caption": "Working papers",
    "reports.papers_none": "No working paper of this report yet. Each one you upload is listed here once accepted.",
    "reports.papers_col.file": "File",
    "reports.papers_col.format": "Format",
    "reports.papers_col.size": "Size",
    "reports.papers_col.by": "Uploaded by",
    "reports.papers_col.accepted": "Accepted",
    "reports.paper_size": "{size} bytes",
    "reports.paper_download_hint": "(download)",
    "reports.paper_unavailable": "This working paper cannot be downloaded now. Reload the page in a while.",
  },
});
