"""The performance management sheet: an organisation's emission sources x the twelve
months of a fiscal year, as an .xlsx workbook to download, fill in (Excel or LibreOffice)
and upload as a ``performance_sheet`` document (DESIGN.md section 4).

A file-format adapter: openpyxl is imported inside the functions that need it, so
importing the app stays cheap, and nothing else of the emissions system is imported.

The workbook
------------
``実績管理表`` (the data sheet, shown first):

- rows 1-6, the header block: the title; B2:B5 labels with the organisation's names
  (C2 ja, D2 en), its id (C3), the fiscal year (C4, with the months it spans in D4) and
  when the sheet was made (C5); B6 says which cells to fill in;
- row 8, the header row: A No., B source, C source (English), D site, E unit, F emission
  factor, G the factor's unit, H t-CO2 per unit entered, I..T the twelve months April to
  March, U the year's total in the unit entered, V emissions t-CO2;
- rows 9.., one row per registered source in the order of its number, then the total row:
  the t-CO2 of each month (I..T) and of the year (V).

Only E (the unit, a drop-down list of the source's family) and I..T (the quantities) of
the source rows are unlocked; everything else is locked, H, U, V and the total row are
formulas, and the sheet and the workbook's structure are protected without a password.
That protection is there to prevent accidents (a sorted column, an overwritten formula),
not as a security boundary: anyone can lift it, so the reader checks everything again
and never reads a factor, a formula or a value the spreadsheet computed.

``説明 Instructions``: how to fill it in, in Japanese and English.

``_jvets`` (hidden): what the reader trusts for the layout: the format's name and layout
version, the organisation, the fiscal year, when it was made and the source number of
each data row.

Reading an upload
-----------------
The file is untrusted. Before openpyxl sees it, the ZIP container is checked (size, part
count and declared uncompressed sizes, which Python's zipfile enforces while inflating;
no encryption, no macros) and the raw XML is counted (cells, rows, shared strings,
elements, merged and hyperlinked areas, which openpyxl would expand cell by cell), so a
zip bomb, a million-row sheet or a whole-grid merge is refused as ``TOO_LARGE`` before it
is parsed. No XML part may declare a DTD (``UNSAFE_XML``): OOXML never uses one, and
without it neither external entities (XXE) nor entity expansion (billion laughs) exist.
That is why openpyxl's standard-library parser is safe here without ``defusedxml``
(which openpyxl would use if installed, but the check does not depend on it; expat
2.4.1 and later also limits entity amplification). The workbook is then read with formulas as
formulas (``data_only=False``): a cached result is never looked at, and an input cell
that holds a formula is itself refused. Every problem is one :class:`BadCell`; the sheet
is imported whole (``bad`` empty) or not at all (``values`` empty).

A quantity is a number >= 0 with at most 12 integer digits and 6 decimals. It may be a
number cell or text holding one: ASCII or full-width digits, with correctly grouped
thousands separators (``1,234.5``: Japanese practice, where the comma is never a decimal
mark), nothing else (no sign, exponent, unit or currency). A blank cell (or only spaces)
means "no data", which is not 0. Excel and LibreOffice store numbers as binary doubles
written in their shortest round-trip decimal form; a double read by openpyxl becomes
``Decimal(str(value))``, the shortest decimal that gives back that double, which is what
the participant typed (any decimal of up to 15 significant digits round-trips). The
double's exact binary expansion (``Decimal(value)``: 0.1 -> 0.1000000000000000055...)
would be noise. A value carrying binary noise from a calculation pasted as a value
(0.1 + 0.2 = 0.30000000000000004) is refused as too precise rather than silently rounded.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

# --- the interface ----------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSource:
    number: int                 # the organisation's source number (1..n)
    name: str                   # Japanese name as registered (user-typed text)
    name_en: str | None
    site: str                   # site name (user-typed text)
    factor_key: str             # e.g. "city_gas"
    unit: str                   # the unit the source reports in by default, e.g. "1000Nm3"
    accepted_units: tuple[str, ...]  # the units of its family, e.g. ("Nm3", "1000Nm3")
    factor: Decimal             # t-CO2 per factor_unit: shown in the sheet, never read back
    factor_unit: str            # e.g. "1000Nm3"; a quantity in another unit of the family converts


@dataclass(frozen=True)
class SheetHeader:
    org_id: str
    org_name: str
    org_name_ja: str
    fiscal_year: int            # FY2025 = April 2025 .. March 2026
    generated_at: str           # ISO timestamp


@dataclass(frozen=True)
class BadCell:
    sheet: str                  # worksheet title ("" for a whole-workbook problem)
    cell: str                   # e.g. "D7" ("" for a whole-workbook or whole-sheet problem)
    code: str                   # stable code (see PROBLEMS)
    message: str
    message_ja: str


@dataclass(frozen=True)
class SheetReading:
    #: (source number, "YYYY-MM") -> (quantity as an exact Decimal, unit as registered);
    #: blank cells are absent, and so is everything when ``bad`` is not empty.
    values: dict[tuple[int, str], tuple[Decimal, str]]
    bad: tuple[BadCell, ...]    # empty when the sheet may be imported whole
    #: (source number, "YYYY-MM") -> the cell that held the value, e.g. "I9" (to report
    #: a problem found later, when the values are imported, where the participant typed it).
    cells: dict[tuple[int, str], str] = field(default_factory=dict, compare=False)


# --- layout -------------------------------------------------------------------------------

DATA_SHEET = "実績管理表"
HELP_SHEET = "説明 Instructions"
META_SHEET = "_jvets"
FORMAT_NAME = "jvets-performance-sheet"
LAYOUT_VERSION = 1

HEADER_ROW = 8
FIRST_ROW = 9
COLUMNS = "ABCDEFGHIJKLMNOPQRSTUV"
NO, NAME, NAME_EN, SITE, UNIT, FACTOR, FACTOR_UNIT, PER_UNIT = "ABCDEFGH"
MONTH_COLUMNS = "IJKLMNOPQRST"
YEAR_TOTAL, EMISSIONS = "UV"
#: Rows of the metadata sheet: key in A, value in B; the source rows from META_FIRST_ROW.
META_KEYS = ("format", "layout_version", "org_id", "fiscal_year", "generated_at", "source_count")
META_FIRST_ROW = 9

#: The most sources one sheet holds (a franchise chain's stores each have a source).
MAX_SOURCES = 2000
#: A quantity: at most this many digits before and after the decimal point.
MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 6

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: The units the sheet converts between: unit -> (family, how many of the family's base unit).
UNITS: dict[str, tuple[str, Decimal]] = {
    "kL": ("liquid", Decimal(1)),
    "L": ("liquid", Decimal("0.001")),
    "t": ("mass", Decimal(1)),
    "kg": ("mass", Decimal("0.001")),
    "1000Nm3": ("gas", Decimal(1)),
    "Nm3": ("gas", Decimal("0.001")),
    "MWh": ("electricity", Decimal(1)),
    "kWh": ("electricity", Decimal("0.001")),
    "GJ": ("heat", Decimal(1)),
    "MJ": ("heat", Decimal("0.001")),
    "TJ": ("heat", Decimal(1000)),
}


def months(fiscal_year: int) -> list[str]:
    """The twelve months of a fiscal year, April to March, as ``YYYY-MM``."""
    return [f"{fiscal_year + (m < 4)}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月\n{_MONTHS_EN[int(number) - 1]} {year}"


def header_labels(fiscal_year: int) -> dict[str, str]:
    """The header row's label of each column."""
    labels = {
        NO: "No.",
        NAME: "排出源\nSource",
        NAME_EN: "排出源（英語）\nSource (English)",
        SITE: "事業所\nSite",
        UNIT: "単位\nUnit",
        FACTOR: "排出係数 t-CO2\nEmission factor",
        FACTOR_UNIT: "係数の単位\nFactor per",
        PER_UNIT: "t-CO2／入力単位\nt-CO2 per unit entered",
        YEAR_TOTAL: "年間計（入力単位）\nYear total (unit entered)",
        EMISSIONS: "排出量 t-CO2\nEmissions t-CO2",
    }
    labels.update({column: _month_label(month) for column, month in zip(MONTH_COLUMNS, months(fiscal_year), strict=True)})
    return {column: labels[column] for column in COLUMNS}


BLOCK_LABELS = {
    "B1": "実績管理表 / Performance management sheet",
    "B2": "組織名 / Organisation",
    "B3": "組織ID / Organisation ID",
    "B4": "年度 / Fiscal year",
    "B5": "作成日時 / Generated at",
    "B6": "黄色のセル（単位と各月の数量）に入力してください。 / Fill in the yellow cells (unit and monthly quantities).",
}
TOTAL_LABEL = "合計 t-CO2 / Total t-CO2"
#: Header-block cells whose values the builder writes (checked or ignored by the reader, never flagged).
BLOCK_VALUES = ("C2", "D2", "C3", "C4", "D4", "C5")


# --- problems -------------------------------------------------------------------------------

#: Every code the reader reports, with its English and Japanese message.
PROBLEMS: dict[str, tuple[str, str]] = {
    "TOO_LARGE": ("The file is too large to be a performance management sheet ({detail}).",
                  "ファイルが実績管理表として大きすぎます（{detail}）。"),
    "NOT_A_WORKBOOK": ("The file is not an .xlsx workbook that can be read ({detail}).",
                       "ファイルが読み取れる .xlsx ブックではありません（{detail}）。"),
    "UNSAFE_XML": ("The workbook contains an XML document type declaration, which .xlsx files never need.",
                   "ブックに .xlsx では使われない XML の文書型宣言（DTD）が含まれています。"),
    "MISSING_SHEET": ("The sheet '{detail}' is missing: upload the sheet as downloaded, without renaming or deleting sheets.",
                      "シート「{detail}」がありません。シート名の変更や削除をせずにアップロードしてください。"),
    "NOT_A_PERFORMANCE_SHEET": ("This workbook is not a performance management sheet made by the registry ({detail}).",
                                "このブックは登録簿が作成した実績管理表ではありません（{detail}）。"),
    "UNSUPPORTED_LAYOUT_VERSION": ("This sheet's layout version is {detail}: download a new sheet.",
                                   "このシートのレイアウト版（{detail}）には対応していません。新しいシートをダウンロードしてください。"),
    "WRONG_ORGANISATION": ("This sheet belongs to another organisation ({detail}).",
                           "このシートは別の組織のものです（{detail}）。"),
    "WRONG_FISCAL_YEAR": ("This sheet is for another fiscal year ({detail}).",
                          "このシートは別の年度のものです（{detail}）。"),
    "LAYOUT_CHANGED": ("The sheet's layout was changed here (expected '{detail}'): do not insert, delete or move rows or columns.",
                       "この箇所のレイアウトが変更されています（想定：「{detail}」）。行や列の挿入・削除・移動はしないでください。"),
    "ROW_MOVED": ("This row should hold source {detail}: do not insert, delete, move or sort rows.",
                  "この行は排出源 {detail} の行のはずです。行の挿入・削除・移動・並べ替えはしないでください。"),
    "UNKNOWN_SOURCE": ("Source {detail} is not registered for your organisation.",
                       "排出源 {detail} は貴組織に登録されていません。"),
    "SOURCE_NAME_CHANGED": ("The name in this row is not the registered name of source {detail}: download a new sheet.",
                            "この行の名称が排出源 {detail} の登録名と異なります。新しいシートをダウンロードしてください。"),
    "OUTSIDE_TABLE": ("Something was entered outside the table (row {detail}): rows and columns cannot be added.",
                      "表の外（{detail}行目）に入力があります。行や列は追加できません。"),
    "FORMULA_NOT_ALLOWED": ("Enter a value, not a formula.", "数式ではなく値を入力してください。"),
    "QUANTITY_NOT_A_NUMBER": ("The quantity is not a number ({detail}).", "数量が数値ではありません（{detail}）。"),
    "NEGATIVE_QUANTITY": ("The quantity is negative.", "数量が負の値です。"),
    "QUANTITY_NOT_FINITE": ("The quantity is not a finite number.", "数量が有限の数値ではありません。"),
    "TOO_PRECISE": (f"The quantity has more than {MAX_DECIMALS} decimals: round it.",
                    f"数量の小数が{MAX_DECIMALS}桁を超えています。丸めてください。"),
    "QUANTITY_TOO_LARGE": (f"The quantity has more than {MAX_INTEGER_DIGITS} digits before the decimal point.",
                           f"数量の整数部分が{MAX_INTEGER_DIGITS}桁を超えています。"),
    "UNIT_NOT_IN_FAMILY": ("The unit must be one of: {detail}.", "単位は次のいずれかにしてください：{detail}。"),
    "UNIT_MISSING": ("The row has quantities but no unit: choose one of {detail}.",
                     "数量が入力されていますが単位がありません。次から選んでください：{detail}。"),
    "TOO_MANY_PROBLEMS": ("More than {detail} problems: only the first are listed.",
                          "問題が{detail}件を超えたため、最初の分だけを表示しています。"),
}


def _bad(code: str, sheet: str = "", cell: str = "", detail: object = "") -> BadCell:
    message, message_ja = PROBLEMS[code]
    return BadCell(sheet, cell, code, message.format(detail=detail), message_ja.format(detail=detail))


# --- safety limits --------------------------------------------------------------------------

#: The upload limit of a performance_sheet document.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Declared uncompressed size of all parts: a sheet of MAX_SOURCES rows is about 3 MiB.
MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
MAX_PARTS = 200
#: Cells in all worksheets (a full sheet holds about 50,000), their rows, shared strings,
#: and XML elements in all parts: reading a workbook at these limits takes a few seconds.
MAX_CELLS = 100_000
MAX_ROWS = 20_000
MAX_STRINGS = 100_000
MAX_TAGS = 600_000
#: Elements of any other part (styles, comments, drawings...): openpyxl makes an object
#: of each, and a real one holds a few hundred.
MAX_PART_TAGS = 20_000
#: Merged and hyperlinked areas: openpyxl makes one object per cell they cover.
MAX_AREA_CELLS = 10_000
#: Problems listed before the report stops (one more says so).
MAX_PROBLEMS = 1000

_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_CELL_TAG = re.compile(_PREFIX + rb"c[\s/>]")
_ROW_TAG = re.compile(_PREFIX + rb"row[\s/>]")
_STRING_TAG = re.compile(_PREFIX + rb"si[\s/>]")
_AREA_REF = re.compile(_PREFIX + rb"(?:mergeCell|hyperlink)\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_XML_PART = (".xml", ".rels", ".vml")
_WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _area(ref: str) -> int | None:
    """Cells in an A1 range such as ``B2:D9``; ``None`` when it is not one."""
    corners = []
    for part in ref.strip().upper().split(":"):
        match = _A1.match(part)
        if match is None:
            return None
        corners.append((_column_number(match[1]), int(match[2])))
    if len(corners) == 1:
        return 1
    if len(corners) != 2:
        return None
    (c1, r1), (c2, r2) = corners
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def _inspect_container(data: bytes) -> list[BadCell]:
    """Check the ZIP container before any XML parser sees it."""
    if len(data) > MAX_FILE_BYTES:
        return [_bad("TOO_LARGE", detail=f"{len(data)} bytes, at most {MAX_FILE_BYTES}")]
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return [_bad("NOT_A_WORKBOOK", detail="an .xls file or a password-protected workbook")]
    if not data.startswith(b"PK\x03\x04"):
        return [_bad("NOT_A_WORKBOOK", detail="not a ZIP container")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _inspect_parts(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        return [_bad("NOT_A_WORKBOOK", detail=f"damaged ZIP: {type(error).__name__}")]


def _inspect_parts(archive: zipfile.ZipFile) -> list[BadCell]:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        return [_bad("TOO_LARGE", detail=f"{len(infos)} parts, at most {MAX_PARTS}")]
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        return [_bad("NOT_A_WORKBOOK", detail="a part appears twice")]
    for required in ("[Content_Types].xml", "_rels/.rels"):
        if required not in names:
            return [_bad("NOT_A_WORKBOOK", detail=f"no {required}")]
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return [_bad("NOT_A_WORKBOOK", detail="macro-enabled workbooks are not accepted")]
    for info in infos:
        if info.flag_bits & 0x1:
            return [_bad("NOT_A_WORKBOOK", detail="an encrypted part")]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return [_bad("NOT_A_WORKBOOK", detail="an unusual compression method")]
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return [_bad("TOO_LARGE", detail=f"{total} bytes uncompressed, at most {MAX_UNCOMPRESSED_BYTES}")]
    cells = rows = strings = tags = area = 0
    for info in infos:
        if not info.filename.lower().endswith(_XML_PART):
            continue
        # zipfile stops inflating at the declared size and checks the CRC at the end,
        # so a part cannot grow beyond what was counted above.
        content = archive.read(info)
        flat = content.replace(b"\x00", b"").lower()  # also catches UTF-16 and UTF-32 text
        if b"<!doctype" in flat or b"<!entity" in flat:
            return [_bad("UNSAFE_XML")]
        encoding = _ENCODING.match(flat)
        if encoding is not None and encoding[1] not in (b"utf-8", b"utf8", b"utf-16", b"utf-16le", b"utf-16be"):
            return [_bad("NOT_A_WORKBOOK", detail="an XML part in an unusual encoding")]
        part_tags = content.count(b"<")
        tags += part_tags
        # Counted in every part, whatever its name: the workbook's relationships may put a
        # worksheet anywhere (over-counting only makes the check stricter).
        cells += len(_CELL_TAG.findall(content))
        rows += len(_ROW_TAG.findall(content))
        for ref in _AREA_REF.findall(content):
            size = _area(ref.decode("ascii", "replace"))
            area += MAX_AREA_CELLS + 1 if size is None else size
        name = info.filename.lower()
        if name == "xl/sharedstrings.xml":
            strings += len(_STRING_TAG.findall(content))
        elif not _WORKSHEET_PART.match(name) and part_tags > MAX_PART_TAGS:
            return [_bad("TOO_LARGE", detail=f"{part_tags} XML elements in {info.filename[:60]}, at most {MAX_PART_TAGS}")]
    for what, count, limit in (("cells", cells, MAX_CELLS), ("rows", rows, MAX_ROWS), ("strings", strings, MAX_STRINGS),
                               ("XML elements", tags, MAX_TAGS), ("merged or linked cells", area, MAX_AREA_CELLS)):
        if count > limit:
            return [_bad("TOO_LARGE", detail=f"{count} {what}, at most {limit}")]
    return []


# --- building -------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@")
_UNIT_TEXT = re.compile(r"^[^\s\",;=+\-@'][^\",;']{0,15}$")


def _clean_text(text: str) -> str:
    """User-typed text as a cell can hold it: NFC, no control characters, Excel's length limit."""
    return _NOT_XML.sub("", unicodedata.normalize("NFC", text))[:32767]


def _put_text(cell: Any, text: str) -> None:
    """Store text as a string cell, whatever it starts with.

    openpyxl reads a string starting with ``=`` as a formula and ``#N/A`` and the like as
    error values; user text must be neither (spreadsheet injection), so the cell's type is
    set back to a string. ``quotePrefix`` makes Excel keep it text if someone edits it.
    """
    clean = _clean_text(text)
    if not clean:
        cell.value = None
        return
    cell.value = clean
    cell.data_type = "s"
    if clean.startswith(_FORMULA_START):
        cell.quotePrefix = True


def _ratio_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _per_unit_formula(source: SheetSource, row: int) -> str:
    """t-CO2 per unit entered: the factor, converted from the unit chosen in E."""
    _family, factor_scale = UNITS[source.factor_unit]
    formula = "NA()"
    for unit in reversed(source.accepted_units):
        ratio = UNITS[unit][1] / factor_scale
        formula = f'IF(${UNIT}{row}="{unit}",{_ratio_text(ratio)}*${FACTOR}{row},{formula})'
    return "=" + formula


class SheetCannotBeBuilt(ValueError):
    """The sources given to :func:`build_sheet` cannot be laid out: a programming error
    (a unit the sheet cannot convert, a duplicate number), never the participant's input."""

    REASONS: ClassVar[dict[str, str]] = {
        "unit": "the sheet cannot convert the unit {detail!r}",
        "families": "its units are of several families: {detail}",
        "default_unit": "its default unit {detail!r} is not among its accepted units",
        "factor": "its factor {detail} is not a finite number",
        "too_many": "a sheet holds at most {detail} sources",
        "numbers": "source numbers must be distinct and at least 1: {detail}",
    }

    def __init__(self, number: int | None, reason: str, detail: object) -> None:
        where = f"source {number}: " if number is not None else ""
        super().__init__(where + self.REASONS[reason].format(detail=detail))


def _check_source(source: SheetSource) -> None:
    units = (*source.accepted_units, source.unit, source.factor_unit)
    for unit in units:
        if unit not in UNITS or not _UNIT_TEXT.match(unit):
            raise SheetCannotBeBuilt(source.number, "unit", unit)
    if len({UNITS[unit][0] for unit in units}) != 1:
        raise SheetCannotBeBuilt(source.number, "families", sorted(set(units)))
    if source.unit not in source.accepted_units:
        raise SheetCannotBeBuilt(source.number, "default_unit", source.unit)
    if not source.factor.is_finite():
        raise SheetCannotBeBuilt(source.number, "factor", source.factor)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _register_styles(workbook: Any) -> dict[str, str]:
    """The sheet's cell styles, registered once: one assignment per cell keeps a sheet of
    thousands of sources quick to build."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="EDEDED")
    styles = {
        "heading": NamedStyle("JVETS heading", font=Font(bold=True), fill=PatternFill("solid", fgColor="D9E1F2"), border=border,
                              alignment=Alignment(wrap_text=True, horizontal="center", vertical="center")),
        "fixed": NamedStyle("JVETS fixed", border=border),
        "input": NamedStyle("JVETS input", border=border, fill=PatternFill("solid", fgColor="FFF2CC"), protection=Protection(locked=False)),
        "factor": NamedStyle("JVETS factor", border=border, fill=grey, number_format="0.000000"),
        "computed": NamedStyle("JVETS computed", border=border, fill=grey),
        "tco2": NamedStyle("JVETS t-CO2", border=border, fill=grey, number_format="#,##0.000"),
        "total": NamedStyle("JVETS total", border=border, fill=grey, font=Font(bold=True), number_format="#,##0.000"),
    }
    for named in styles.values():
        workbook.add_named_style(named)
    return {key: named.name for key, named in styles.items()}


def build_sheet(header: SheetHeader, sources: list[SheetSource]) -> bytes:
    """The organisation's performance management sheet for a fiscal year, as .xlsx bytes
    (raises :class:`SheetCannotBeBuilt`, a ValueError, for sources it cannot lay out)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    ordered = sorted(sources, key=lambda s: s.number)
    if len(ordered) > MAX_SOURCES:
        raise SheetCannotBeBuilt(None, "too_many", MAX_SOURCES)
    numbers = [source.number for source in ordered]
    if len(set(numbers)) != len(numbers) or any(number < 1 for number in numbers):
        raise SheetCannotBeBuilt(None, "numbers", numbers[:20])
    for source in ordered:
        _check_source(source)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    style = _register_styles(workbook)
    for coordinate, label in BLOCK_LABELS.items():
        _put_text(sheet[coordinate], label)
        sheet[coordinate].font = Font(bold=True, size=14 if coordinate == "B1" else None)
    _put_text(sheet["C2"], header.org_name_ja)
    _put_text(sheet["D2"], header.org_name)
    _put_text(sheet["C3"], header.org_id)
    sheet["C4"] = header.fiscal_year
    sheet["C4"].alignment = Alignment(horizontal="left")
    span = months(header.fiscal_year)
    _put_text(sheet["D4"], f"{span[0]} 〜 {span[-1]}")
    _put_text(sheet["C5"], header.generated_at)

    for column, label in header_labels(header.fiscal_year).items():
        cell = sheet[f"{column}{HEADER_ROW}"]
        cell.style = style["heading"]
        _put_text(cell, label)
    sheet.row_dimensions[HEADER_ROW].height = 45

    last = FIRST_ROW + len(ordered) - 1
    cell_style = {column: style["input"] if column == UNIT or column in MONTH_COLUMNS else style["fixed"] for column in COLUMNS}
    cell_style.update({PER_UNIT: style["factor"], YEAR_TOTAL: style["computed"], EMISSIONS: style["tco2"]})
    unit_rows: dict[tuple[str, ...], list[int]] = {}
    for row, source in enumerate(ordered, start=FIRST_ROW):
        for column in COLUMNS:
            sheet[f"{column}{row}"].style = cell_style[column]
        sheet[f"{NO}{row}"] = source.number
        _put_text(sheet[f"{NAME}{row}"], source.name)
        _put_text(sheet[f"{NAME_EN}{row}"], source.name_en or "")
        _put_text(sheet[f"{SITE}{row}"], source.site)
        _put_text(sheet[f"{UNIT}{row}"], source.unit)
        sheet[f"{FACTOR}{row}"] = source.factor
        _put_text(sheet[f"{FACTOR_UNIT}{row}"], source.factor_unit)
        sheet[f"{PER_UNIT}{row}"] = _per_unit_formula(source, row)
        sheet[f"{YEAR_TOTAL}{row}"] = f"=SUM({MONTH_COLUMNS[0]}{row}:{MONTH_COLUMNS[-1]}{row})"
        sheet[f"{EMISSIONS}{row}"] = f"={YEAR_TOTAL}{row}*{PER_UNIT}{row}"
        unit_rows.setdefault(source.accepted_units, []).append(row)
    for units, rows in unit_rows.items():
        sheet.add_data_validation(DataValidation(
            type="list", formula1='"' + ",".join(units) + '"', allow_blank=True, showErrorMessage=True,
            sqref=" ".join(f"{UNIT}{first}:{UNIT}{end}" if end > first else f"{UNIT}{first}" for first, end in _runs(rows)),
            errorTitle="単位 / Unit", error="一覧の単位を選んでください。 / Choose a unit from the list."))

    total = last + 1
    for column in COLUMNS:
        sheet[f"{column}{total}"].style = style["total"]
    _put_text(sheet[f"{NAME}{total}"], TOTAL_LABEL)
    if ordered:
        sheet.add_data_validation(DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True,
            sqref=f"{MONTH_COLUMNS[0]}{FIRST_ROW}:{MONTH_COLUMNS[-1]}{last}",
            errorTitle="数量 / Quantity", error="0以上の数値を入力してください。 / Enter a number, 0 or more."))
        for column in MONTH_COLUMNS:
            sheet[f"{column}{total}"] = f"=SUMPRODUCT({column}{FIRST_ROW}:{column}{last},${PER_UNIT}${FIRST_ROW}:${PER_UNIT}${last})"
        sheet[f"{EMISSIONS}{total}"] = f"=SUM({EMISSIONS}{FIRST_ROW}:{EMISSIONS}{last})"

    widths = {NO: 6, NAME: 30, NAME_EN: 26, SITE: 22, UNIT: 10, FACTOR: 13, FACTOR_UNIT: 10, PER_UNIT: 14, YEAR_TOTAL: 16, EMISSIONS: 16}
    for column in COLUMNS:
        sheet.column_dimensions[column].width = widths.get(column, 12)
    for coordinate in ("C2", "D2", "C3", "C5", "D4"):
        sheet[coordinate].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = f"{MONTH_COLUMNS[0]}{FIRST_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    # Protection against accidents, not a security boundary: no password, and the reader
    # trusts nothing that protection was meant to keep.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    _write_instructions(workbook.create_sheet(HELP_SHEET), header)
    _write_metadata(workbook.create_sheet(META_SHEET), header, ordered)
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.properties.creator = "JVETS"
    workbook.properties.title = _clean_text(f"実績管理表 FY{header.fiscal_year} {header.org_id}")
    workbook.properties.subject = "Performance management sheet"

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def instructions(header: SheetHeader) -> list[tuple[str, str]]:
    """The instruction sheet's lines, (Japanese, English)."""
    fy = header.fiscal_year
    return [
        (f"実績管理表 {fy}年度（{fy}年4月〜{fy + 1}年3月）", f"Performance management sheet, FY{fy} (April {fy} to March {fy + 1})"),
        (f"組織：{header.org_name_ja}（{header.org_id}）", f"Organisation: {header.org_name} ({header.org_id})"),
        ("「実績管理表」シートの黄色のセル（単位と各月の数量）だけを入力してください。",
         "Fill in only the yellow cells of the sheet '実績管理表': the unit and the monthly quantities."),
        ("数量はエネルギー購入伝票などの値を、0以上の数値で入力してください。"
         f"整数部分は{MAX_INTEGER_DIGITS}桁まで、小数は{MAX_DECIMALS}桁までです。",
         f"Enter each quantity from the purchase bill as a number, 0 or more, with at most {MAX_INTEGER_DIGITS} digits "
         f"before the decimal point and {MAX_DECIMALS} after it."),
        ("空欄は「データなし」として扱います（0とは異なります）。",
         "A blank cell means 'no data', which is not the same as 0."),
        ("桁区切りのカンマ（1,234.5）と全角数字は使えます。数量のセルに単位・記号・注記・数式を入れないでください。",
         "Thousands separators (1,234.5) and full-width digits are accepted. Do not put units, signs, notes or formulas "
         "in a quantity cell."),
        ("単位は一覧から選んでください。その排出源と同じ種類の単位だけが使えます（例：Nm3 と 1000Nm3）。",
         "Choose the unit from the list: only units of the source's family are accepted (for example Nm3 and 1000Nm3)."),
        ("行・列の挿入、削除、移動、並べ替えや、シート名の変更はしないでください。",
         "Do not insert, delete, move or sort rows or columns, and do not rename sheets."),
        ("シートの保護は誤操作を防ぐためのもので、パスワードはありません。",
         "The sheets are protected against accidental changes only; there is no password."),
        ("排出係数・合計・排出量は確認のための計算です。提出後、登録簿が登録済みの係数で計算し直します。",
         "The factors, totals and emissions shown are for checking only: the registry recalculates them with the "
         "registered factors."),
        ("記入したブックを書類の種類「実績管理表」としてアップロードしてください。"
         "問題のあるセルがあれば、そのセルと理由の一覧が示され、ブック全体が取り込まれません。",
         "Upload the workbook as a document of the kind 'performance sheet'. If any cell has a problem, the cells "
         "and reasons are listed and nothing is imported."),
    ]


def _write_instructions(sheet: Any, header: SheetHeader) -> None:
    from openpyxl.styles import Alignment, Font

    _put_text(sheet["A1"], "説明")
    _put_text(sheet["B1"], "Instructions")
    sheet["A1"].font = sheet["B1"].font = Font(bold=True, size=14)
    for row, (japanese, english) in enumerate(instructions(header), start=3):
        _put_text(sheet[f"A{row}"], japanese)
        _put_text(sheet[f"B{row}"], english)
        sheet[f"A{row}"].alignment = sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 70
    sheet.protection.sheet = True


def _write_metadata(sheet: Any, header: SheetHeader, ordered: list[SheetSource]) -> None:
    values: tuple[object, ...] = (FORMAT_NAME, LAYOUT_VERSION, header.org_id, header.fiscal_year, header.generated_at, len(ordered))
    for row, (key, value) in enumerate(zip(META_KEYS, values, strict=True), start=1):
        _put_text(sheet[f"A{row}"], key)
        if isinstance(value, str):
            _put_text(sheet[f"B{row}"], value)
        else:
            sheet[f"B{row}"] = value
    _put_text(sheet[f"A{META_FIRST_ROW - 1}"], "data_row")
    _put_text(sheet[f"B{META_FIRST_ROW - 1}"], "source_number")
    for index, source in enumerate(ordered):
        sheet[f"A{META_FIRST_ROW + index}"] = FIRST_ROW + index
        sheet[f"B{META_FIRST_ROW + index}"] = source.number
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


# --- reading ----------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－＋", "0123456789,.-+")
_PLAIN_NUMBER = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$|^\.[0-9]+$")
_MINUS = ("-", "−", "‐", "–")
_BLANK = " \t\r\n\u3000\u00a0"


class _Problems:
    """Collects problems up to MAX_PROBLEMS, then one TOO_MANY_PROBLEMS."""

    def __init__(self) -> None:
        self.items: list[BadCell] = []
        self.full = False

    def add(self, code: str, sheet: str = "", cell: str = "", detail: object = "") -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(_bad(code, sheet, cell, detail))
        elif not self.full:
            self.full = True
            self.items.append(_bad("TOO_MANY_PROBLEMS", detail=MAX_PROBLEMS))

    def __bool__(self) -> bool:
        return bool(self.items)


def _is_formula(cell: Any) -> bool:
    return bool(cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"))


def _text_of(value: object) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip(_BLANK)


def _same_text(found: object, expected: str) -> bool:
    return unicodedata.normalize("NFC", _text_of(found)) == unicodedata.normalize("NFC", _text_of(expected))


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip(_BLANK).isascii() and value.strip(_BLANK).isdigit():
        return int(value.strip(_BLANK))
    return None


def parse_quantity(value: object) -> tuple[Decimal | None, str | None, str]:
    """A quantity cell's value -> (quantity or None when blank, problem code or None, detail)."""
    if value is None:
        return None, None, ""
    if isinstance(value, bool):
        return None, "QUANTITY_NOT_A_NUMBER", "TRUE/FALSE"
    if isinstance(value, datetime | date | time | timedelta):
        return None, "QUANTITY_NOT_A_NUMBER", "a date or time"
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))  # the shortest decimal that round-trips: see the module's docstring
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFC", value).strip(_BLANK).translate(_FULL_WIDTH)
        if not text:
            return None, None, ""
        negative = text.startswith(_MINUS)
        digits = text[1:].strip(_BLANK) if negative else text
        if not _PLAIN_NUMBER.match(digits):
            return None, "QUANTITY_NOT_A_NUMBER", f"'{_clean_text(value)[:40]}'"
        number = Decimal(digits.replace(",", ""))
        if negative and number != 0:
            return None, "NEGATIVE_QUANTITY", ""
    else:
        return None, "QUANTITY_NOT_A_NUMBER", type(value).__name__
    if not number.is_finite():
        return None, "QUANTITY_NOT_FINITE", ""
    if number < 0:
        return None, "NEGATIVE_QUANTITY", ""
    if number == 0:
        return Decimal(0), None, ""
    _sign, digit_tuple, exponent = number.normalize().as_tuple()
    if not isinstance(exponent, int):  # pragma: no cover - a finite Decimal has an integer exponent
        return None, "QUANTITY_NOT_FINITE", ""
    if len(digit_tuple) + exponent > MAX_INTEGER_DIGITS:
        return None, "QUANTITY_TOO_LARGE", ""
    decimals = max(0, -exponent)
    if decimals > MAX_DECIMALS:
        return None, "TOO_PRECISE", ""
    try:
        return number.quantize(Decimal(1).scaleb(-decimals)), None, ""
    except InvalidOperation:  # pragma: no cover - excluded by the digit limits above
        return None, "QUANTITY_TOO_LARGE", ""


def _load(data: bytes) -> Any:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Unsupported extensions (Excel's or LibreOffice's) are dropped with a warning.
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), read_only=False, data_only=False, keep_vba=False, keep_links=False, rich_text=False)


def read_sheet(data: bytes, expected: SheetHeader, sources: list[SheetSource]) -> SheetReading:
    """Check an uploaded sheet cell by cell: its values, or every problem found."""
    refused = _inspect_container(data)
    if refused:
        return SheetReading({}, tuple(refused))
    try:
        workbook = _load(data)
    except Exception as error:  # noqa: BLE001 - openpyxl raises anything on a damaged file; an upload must never crash the import
        return SheetReading({}, (_bad("NOT_A_WORKBOOK", detail=f"unreadable: {type(error).__name__}"),))
    problems = _Problems()
    cells: dict[tuple[int, str], str] = {}
    values = _read_workbook(workbook, expected, {source.number: source for source in sources}, problems, cells)
    if problems:
        return SheetReading({}, tuple(problems.items))
    return SheetReading(values, (), {key: cells[key] for key in values})


def _read_workbook(workbook: Any, expected: SheetHeader, registered: dict[int, SheetSource],
                   problems: _Problems, cells: dict[tuple[int, str], str]) -> dict[tuple[int, str], tuple[Decimal, str]]:
    titles = [worksheet.title for worksheet in workbook.worksheets]  # not chart sheets
    for title in (DATA_SHEET, META_SHEET):
        if title not in titles:
            problems.add("MISSING_SHEET", title, detail=title)
    if problems:
        return {}
    meta, sheet = workbook[META_SHEET], workbook[DATA_SHEET]
    numbers = _read_metadata(meta, sheet, expected, problems)
    if numbers is None or problems:
        return {}
    labels_ok = _check_labels(sheet, expected.fiscal_year, len(numbers), problems)
    values: dict[tuple[int, str], tuple[Decimal, str]] = {}
    if labels_ok:
        for row, number in enumerate(numbers, start=FIRST_ROW):
            _read_row(sheet, row, number, registered, expected.fiscal_year, values, problems)
            for column, month in zip(MONTH_COLUMNS, months(expected.fiscal_year), strict=True):
                cells[(number, month)] = f"{column}{row}"
    _check_outside(sheet, len(numbers), registered, problems)
    return values


def _read_metadata(meta: Any, sheet: Any, expected: SheetHeader, problems: _Problems) -> list[int] | None:
    if _text_of(meta["B1"].value) != FORMAT_NAME or _is_formula(meta["B1"]):
        problems.add("NOT_A_PERFORMANCE_SHEET", META_SHEET, "B1", "no format mark")
        return None
    version = _integer(meta["B2"].value)
    if version != LAYOUT_VERSION:
        problems.add("UNSUPPORTED_LAYOUT_VERSION", META_SHEET, "B2", _clean_text(_text_of(meta["B2"].value))[:20])
        return None
    for where, org_cell, year_cell in ((meta, "B3", "B4"), (sheet, "C3", "C4")):
        title = where.title
        org = _text_of(where[org_cell].value)
        if org != expected.org_id:
            problems.add("WRONG_ORGANISATION", title, org_cell, f"{_clean_text(org)[:64]}, expected {expected.org_id}")
        year = _integer(where[year_cell].value)
        if year != expected.fiscal_year:
            shown = year if year is not None else _clean_text(_text_of(where[year_cell].value))[:20]
            problems.add("WRONG_FISCAL_YEAR", title, year_cell, f"FY{shown}, expected FY{expected.fiscal_year}")
    if problems:
        return None
    count = _integer(meta["B6"].value)
    if count is None or not 0 <= count <= MAX_SOURCES:
        problems.add("NOT_A_PERFORMANCE_SHEET", META_SHEET, "B6", "the number of sources")
        return None
    numbers: list[int] = []
    for index in range(count):
        row = META_FIRST_ROW + index
        number = _integer(meta[f"B{row}"].value)
        if _integer(meta[f"A{row}"].value) != FIRST_ROW + index or number is None or number < 1 or number in numbers:
            problems.add("NOT_A_PERFORMANCE_SHEET", META_SHEET, f"B{row}", "the list of sources")
            return None
        numbers.append(number)
    return numbers


def _check_labels(sheet: Any, fiscal_year: int, count: int, problems: _Problems) -> bool:
    """The fixed texts: title, header block and header row (columns), total row (rows)."""
    columns_ok = True
    for coordinate, label in BLOCK_LABELS.items():
        if not _same_text(sheet[coordinate].value, label):
            problems.add("LAYOUT_CHANGED", DATA_SHEET, coordinate, label.split(" / ")[-1])
    for column, label in header_labels(fiscal_year).items():
        coordinate = f"{column}{HEADER_ROW}"
        if not _same_text(sheet[coordinate].value, label) or _is_formula(sheet[coordinate]):
            problems.add("LAYOUT_CHANGED", DATA_SHEET, coordinate, label.replace("\n", " / "))
            columns_ok = False
    total = f"{NAME}{FIRST_ROW + count}"
    if not _same_text(sheet[total].value, TOTAL_LABEL):
        problems.add("LAYOUT_CHANGED", DATA_SHEET, total, TOTAL_LABEL)
    return columns_ok


def _read_row(sheet: Any, row: int, number: int, registered: dict[int, SheetSource], fiscal_year: int,
              values: dict[tuple[int, str], tuple[Decimal, str]], problems: _Problems) -> None:
    found = _integer(sheet[f"{NO}{row}"].value)
    if found is not None and found not in registered:
        problems.add("UNKNOWN_SOURCE", DATA_SHEET, f"{NO}{row}", found)
        return
    if found != number or _is_formula(sheet[f"{NO}{row}"]):
        problems.add("ROW_MOVED", DATA_SHEET, f"{NO}{row}", number)
        return
    source = registered[number]
    if not _same_text(sheet[f"{NAME}{row}"].value, _clean_text(source.name)):
        problems.add("SOURCE_NAME_CHANGED", DATA_SHEET, f"{NAME}{row}", number)
        return
    unit_cell = sheet[f"{UNIT}{row}"]
    unit: str | None = None
    listing = ", ".join(source.accepted_units)
    if _is_formula(unit_cell):
        problems.add("FORMULA_NOT_ALLOWED", DATA_SHEET, unit_cell.coordinate)
    elif unit_cell.value is not None and _text_of(unit_cell.value):
        written = unicodedata.normalize("NFKC", _text_of(unit_cell.value))
        unit = next((u for u in source.accepted_units if unicodedata.normalize("NFKC", u) == written), None)
        if unit is None:
            problems.add("UNIT_NOT_IN_FAMILY", DATA_SHEET, unit_cell.coordinate, listing)
    quantities: dict[str, Decimal] = {}
    for column, month in zip(MONTH_COLUMNS, months(fiscal_year), strict=True):
        cell = sheet[f"{column}{row}"]
        if _is_formula(cell):
            problems.add("FORMULA_NOT_ALLOWED", DATA_SHEET, cell.coordinate)
            continue
        if cell.data_type == "e":
            problems.add("QUANTITY_NOT_A_NUMBER", DATA_SHEET, cell.coordinate, _text_of(cell.value)[:20])
            continue
        quantity, code, detail = parse_quantity(cell.value)
        if code is not None:
            problems.add(code, DATA_SHEET, cell.coordinate, detail)
        elif quantity is not None:
            quantities[month] = quantity
    if quantities and unit is None and not _is_formula(unit_cell) and not _text_of(unit_cell.value):
        problems.add("UNIT_MISSING", DATA_SHEET, unit_cell.coordinate, listing)
    if unit is not None:
        for month, quantity in quantities.items():
            values[(number, month)] = (quantity, unit)


def _cells(sheet: Any) -> Iterable[Any]:
    # The cells the file holds, without creating the empty ones in between (iter_rows
    # would, up to the farthest cell): openpyxl keeps them in this dict.
    return list(sheet._cells.values())


def _check_outside(sheet: Any, count: int, registered: dict[int, SheetSource], problems: _Problems) -> None:
    """Anything entered outside the table, once per row (an added source row: UNKNOWN_SOURCE)."""
    total = FIRST_ROW + count
    known = set(BLOCK_LABELS) | set(BLOCK_VALUES)
    reported: set[int] = set()
    for cell in sorted(_cells(sheet), key=lambda c: (c.row, c.column)):
        if cell.value is None or (isinstance(cell.value, str) and not _text_of(cell.value)) or cell.row in reported:
            continue
        inside = (cell.row == HEADER_ROW or FIRST_ROW <= cell.row <= total) and cell.column <= len(COLUMNS)
        if inside or cell.coordinate in known:
            continue
        reported.add(cell.row)
        number = _integer(cell.value)
        if cell.column == 1 and cell.row > total and number is not None and number not in registered:
            problems.add("UNKNOWN_SOURCE", DATA_SHEET, cell.coordinate, number)
        else:
            problems.add("OUTSIDE_TABLE", DATA_SHEET, cell.coordinate, cell.row)
