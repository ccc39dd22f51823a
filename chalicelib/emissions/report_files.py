"""The files of a calculation report version, built from its pinned figures: the workbook
(.xlsx, openpyxl), the printable PDF with Japanese text (fpdf2 with the bundled IPA Gothic
font, ``fonts/``) and the monitoring data it rests on (CSV, UTF-8 with a BOM so that
spreadsheet programs read the Japanese names).

openpyxl and fpdf2 are imported inside the builders: nothing here is loaded on the ledger's
path, only when a report version is made.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FONT = Path(__file__).resolve().parent / "fonts" / "ipag.ttf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv; charset=utf-8"
#: name -> (content type, extension)
FILES = {"workbook": (XLSX_TYPE, "xlsx"), "pdf": (PDF_TYPE, "pdf"), "monitoring": (CSV_TYPE, "csv")}


@dataclass(frozen=True)
class ReportHeader:
    report_id: str
    org_id: str
    org_name: str
    org_name_ja: str
    fiscal_year: int
    version: int
    created_at: str
    created_by: str


def filename(header: ReportHeader, name: str) -> str:
    extension = FILES[name][1]
    stem = {"workbook": "report", "pdf": "report", "monitoring": "monitoring"}[name]
    return f"JVETS_{stem}_{header.org_id}_FY{header.fiscal_year}_v{header.version}.{extension}"


def _months(source: dict[str, Any]) -> list[dict[str, Any]]:
    return list(source.get("months") or [])


def monitoring_rows(figures: dict[str, Any]) -> list[list[str]]:
    rows = []
    for source in figures.get("sources", []):
        for month in _months(source):
            rows.append([str(source["number"]), source["source_id"], source.get("name_ja") or "", source.get("factor_key") or "",
                         month["month"], month.get("quantity") or "", month.get("unit") or "", month.get("factor_version") or "",
                         month.get("t_co2_exact") or "", month.get("evidence_document_id") or "",
                         "missing" if month.get("missing") else ""])
    return rows


MONITORING_COLUMNS = ["source_number", "source_id", "source_name_ja", "factor_key", "month", "quantity", "unit", "factor_version",
                      "t_co2_exact", "evidence_document_id", "note"]


def build_monitoring_csv(figures: dict[str, Any]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(MONITORING_COLUMNS)
    writer.writerows(monitoring_rows(figures))
    return "\ufeff".encode() + text.getvalue().encode("utf-8")


def _summary_lines(header: ReportHeader, figures: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("報告書番号 / Report", f"{header.report_id} v{header.version}"),
        ("事業者 / Organisation", f"{header.org_name_ja} / {header.org_name} ({header.org_id})"),
        ("年度 / Fiscal year", f"{header.fiscal_year}年度 (FY{header.fiscal_year}: {header.fiscal_year}-04 〜 {header.fiscal_year + 1}-03)"),
        ("作成 / Made", f"{header.created_at} ({header.created_by})"),
        ("排出量合計 / Total emissions (t-CO2)", f"{figures.get('t_co2', '')}"),
        ("算定排出量（切り捨て）/ Total, rounded down (t-CO2)", f"{figures.get('total_t', '')}"),
        ("未入力の月 / Months without data", str(len(figures.get("missing") or []))),
    ]


def build_workbook(header: ReportHeader, figures: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "報告書"
    summary.append(["温室効果ガス排出量算定報告書 / Calculation report of CO2 emissions"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([])
    for label, value in _summary_lines(header, figures):
        summary.append([label, value])
    summary.append([])
    summary.append(["事業所 / Site", "排出量 / t-CO2"])
    for site in figures.get("sites", []):
        summary.append([site.get("name_ja") or site.get("site_id"), site.get("t_co2")])
    summary.append([])
    summary.append(["月 / Month", "排出量 / t-CO2"])
    for month in figures.get("months", []):
        summary.append([month["month"], month["t_co2"]])
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 60

    sources = book.create_sheet("排出源別月別")
    sources.append(["番号 / No.", "排出源 / Source", "排出係数 / Factor", "月 / Month", "数量 / Quantity", "単位 / Unit",
                    "係数の版 / Factor version", "排出量 / t-CO2", "排出量（精密値）/ exact", "証憑 / Evidence"])
    for source in figures.get("sources", []):
        for month in _months(source):
            sources.append([source["number"], source.get("name_ja") or "", source.get("factor_key") or "", month["month"],
                            month.get("quantity"), month.get("unit"), month.get("factor_version"), month.get("t_co2"),
                            month.get("t_co2_exact"), month.get("evidence_document_id")])
        sources.append([source["number"], source.get("name_ja") or "", "", "計 / Total", None, None, None, source.get("t_co2"),
                        source.get("t_co2_exact"), None])

    factors = book.create_sheet("排出係数")
    factors.append(["キー / Key", "版 / Version", "名称 / Name", "単位 / Unit", "t-CO2/単位", "有効期間 / Valid", "出典 / Source"])
    for factor in figures.get("factor_versions", []):
        factors.append([factor["key"], factor["version"], factor.get("name_ja"), factor["unit"], factor["t_co2_per_unit"],
                        f"{factor['valid_from']} 〜 {factor.get('valid_to') or ''}", factor.get("source")])

    excluded = book.create_sheet("除外排出源")
    excluded.append(["番号 / No.", "排出源 / Source", "理由 / Reason"])
    for source in figures.get("excluded", []):
        excluded.append([source["number"], source.get("name_ja"), source.get("exclusion_reason")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_pdf(header: ReportHeader, figures: dict[str, Any]) -> bytes:
    """A4 landscape: the summary, each source's months in t-CO2, the factor versions pinned
    and the excluded sources, in Japanese with the English beside it."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creator("JVETS registry")
    pdf.set_title(f"{header.report_id} v{header.version}")
    pdf.add_font("IPAGothic", fname=str(FONT))
    # Table headings are set in the "B" style: IPA Gothic has one weight, shaded headings tell them apart.
    pdf.add_font("IPAGothic", style="B", fname=str(FONT))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("IPAGothic", size=15)
    pdf.cell(0, 10, "温室効果ガス排出量算定報告書 / Calculation report of CO2 emissions", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("IPAGothic", size=9)
    for label, value in _summary_lines(header, figures):
        pdf.cell(95, 6, label, border=1)
        pdf.cell(0, 6, value, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    months = [m["month"] for m in figures.get("months", [])]
    pdf.set_font("IPAGothic", size=7)
    with pdf.table(col_widths=(8, 40, *([16] * len(months)), 22), text_align="RIGHT", line_height=4.5,
                   first_row_as_headings=True) as table:
        row = table.row()
        for text in ("No.", "排出源 / Source", *(m[2:] for m in months), "計 / Total"):
            row.cell(text)
        for source in figures.get("sources", []):
            row = table.row()
            row.cell(str(source["number"]))
            row.cell(source.get("name_ja") or "", align="LEFT")
            for month in _months(source):
                row.cell("未入力" if month.get("missing") else (month.get("t_co2") or "-"))
            row.cell(source.get("t_co2") or "")
        row = table.row()
        row.cell("")
        row.cell("合計 / Total", align="LEFT")
        for month in figures.get("months", []):
            row.cell(month["t_co2"])
        row.cell(str(figures.get("t_co2", "")))
    pdf.ln(4)
    pdf.set_font("IPAGothic", size=8)
    pdf.cell(0, 6, "使用した排出係数 / Emission factor versions pinned", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    with pdf.table(col_widths=(40, 50, 50, 20, 30, 87), line_height=4.5) as table:
        row = table.row()
        for text in ("キー / Key", "版 / Version", "名称 / Name", "単位", "t-CO2/単位", "出典 / Source"):
            row.cell(text)
        for factor in figures.get("factor_versions", []):
            row = table.row()
            for text in (factor["key"], factor["version"], factor.get("name_ja") or "", factor["unit"], factor["t_co2_per_unit"],
                         factor.get("source") or ""):
                row.cell(str(text))
    if figures.get("excluded"):
        pdf.ln(4)
        pdf.cell(0, 6, "除外した排出源 / Excluded (minor) sources", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with pdf.table(col_widths=(15, 90, 172), line_height=4.5) as table:
            for source in figures["excluded"]:
                row = table.row()
                for text in (str(source["number"]), source.get("name_ja") or "", source.get("exclusion_reason") or ""):
                    row.cell(text)
    return bytes(pdf.output())
