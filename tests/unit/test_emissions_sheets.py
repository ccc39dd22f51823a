"""The performance management sheet: built for download, filled in as a participant
would, read back exactly, and refused cell by cell when anything is wrong."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from unittest import mock

import openpyxl
import pytest

from chalicelib.emissions import sheets
from chalicelib.emissions.sheets import (
    DATA_SHEET,
    HELP_SHEET,
    META_SHEET,
    BadCell,
    SheetHeader,
    SheetSource,
    build_sheet,
    months,
    parse_quantity,
    read_sheet,
)

HEADER = SheetHeader("kanto-steel", "Kanto Steelworks", "関東製鋼", 2025, "2026-04-01T09:00:00+09:00")
SOURCES = [
    SheetSource(1, "都市ガス ボイラー", "City gas boiler", "本社工場", "city_gas", "1000Nm3", ("Nm3", "1000Nm3"), Decimal("2.23"), "1000Nm3"),
    SheetSource(2, "購入電力", "Purchased electricity", "本社工場", "electricity", "kWh", ("kWh", "MWh"), Decimal("0.555"), "MWh"),
    SheetSource(3, "灯油 暖房", None, "千葉事業所", "kerosene", "kL", ("L", "kL"), Decimal("2.49"), "kL"),
]
APRIL, MAY, JUNE, JULY = "2025-04", "2025-05", "2025-06", "2025-07"
D = DATA_SHEET

LIBREOFFICE_SHEET = Path(__file__).parent / "data" / "performance_sheet_libreoffice.xlsx"
LIBREOFFICE_FILL = {"I9": 120, "J9": 130.5, "K9": "1,234.5", "E10": "MWh", "I10": 0.1, "J10": "0.000001", "E11": "L", "I11": 0}
LIBREOFFICE_VALUES = {
    (1, APRIL): (Decimal(120), "1000Nm3"), (1, MAY): (Decimal("130.5"), "1000Nm3"), (1, JUNE): (Decimal("1234.5"), "1000Nm3"),
    (2, APRIL): (Decimal("0.1"), "MWh"), (2, MAY): (Decimal("0.000001"), "MWh"), (3, APRIL): (Decimal(0), "L"),
}


@cache
def good() -> bytes:
    return build_sheet(HEADER, SOURCES)


def edit(data: bytes, change) -> bytes:
    """Open the workbook with openpyxl, change it, save it: what a spreadsheet program does."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def fill(data: bytes, values: dict[str, object], sheet: str = DATA_SHEET) -> bytes:
    def change(workbook):
        for coordinate, value in values.items():
            workbook[sheet][coordinate] = value
    return edit(data, change)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return output.getvalue()


def raw_edit(data: bytes, part: str, pattern: bytes, replacement: bytes) -> bytes:
    """Rewrite the XML of one part, as a hand-made or hostile file could be."""
    files = parts(data)
    files[part], count = re.subn(pattern, replacement, files[part], count=1)
    assert count == 1, pattern
    return rezip(files)


def raw_cell(data: bytes, coordinate: str, xml: bytes) -> bytes:
    return raw_edit(data, "xl/worksheets/sheet1.xml", rb'<c r="' + coordinate.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', xml)


def found(reading) -> set[tuple[str, str, str]]:
    return {(bad.code, bad.sheet, bad.cell) for bad in reading.bad}


# --- the interface and the layout -----------------------------------------------------------


def test_a_fiscal_year_runs_from_april_to_march():
    assert months(2025) == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                            "2025-12", "2026-01", "2026-02", "2026-03"]


def test_the_workbook_has_the_data_sheet_first_the_instructions_and_hidden_metadata():
    workbook = openpyxl.load_workbook(io.BytesIO(good()))
    assert workbook.sheetnames == [DATA_SHEET, HELP_SHEET, META_SHEET]
    assert workbook.active.title == DATA_SHEET
    assert workbook[META_SHEET].sheet_state == "hidden"
    assert workbook.security.lockStructure
    meta = workbook[META_SHEET]
    assert [meta[f"B{row}"].value for row in range(1, 7)] == [
        "jvets-performance-sheet", 1, "kanto-steel", 2025, "2026-04-01T09:00:00+09:00", 3]
    assert [(meta[f"A{row}"].value, meta[f"B{row}"].value) for row in (9, 10, 11)] == [(9, 1), (10, 2), (11, 3)]
    instructions = workbook[HELP_SHEET]
    assert "黄色のセル" in instructions["A5"].value and "yellow cells" in instructions["B5"].value


def test_the_data_sheet_shows_sources_units_factors_and_the_header_block():
    sheet = openpyxl.load_workbook(io.BytesIO(good()))[DATA_SHEET]
    assert (sheet["C2"].value, sheet["D2"].value, sheet["C3"].value, sheet["C4"].value) == (
        "関東製鋼", "Kanto Steelworks", "kanto-steel", 2025)
    assert [sheet.cell(8, column).value.split("\n")[-1] for column in range(1, 23)] == [
        "No.", "Source", "Source (English)", "Site", "Unit", "Emission factor", "Factor per", "t-CO2 per unit entered",
        "Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025",
        "Jan 2026", "Feb 2026", "Mar 2026", "Year total (unit entered)", "Emissions t-CO2"]
    assert [sheet[f"A{row}"].value for row in (9, 10, 11)] == [1, 2, 3]
    assert (sheet["B9"].value, sheet["C9"].value, sheet["D9"].value, sheet["E9"].value) == (
        "都市ガス ボイラー", "City gas boiler", "本社工場", "1000Nm3")
    assert (sheet["F10"].value, sheet["G10"].value) == (0.555, "MWh")
    assert sheet["C11"].value is None  # no English name
    assert sheet["B12"].value == "合計 t-CO2 / Total t-CO2"
    assert sheet.freeze_panes == "I9"


def test_inputs_are_unlocked_and_everything_else_is_locked_formulas_under_protection():
    sheet = openpyxl.load_workbook(io.BytesIO(good()))[DATA_SHEET]
    assert sheet.protection.sheet and not sheet.protection.password  # accidents, not a security boundary
    for row in (9, 10, 11):
        for column in "ABCDEFGHIJKLMNOPQRSTUV":
            cell = sheet[f"{column}{row}"]
            assert cell.protection.locked == (column not in "EIJKLMNOPQRST"), cell.coordinate
    assert sheet["H9"].value == '=IF($E9="Nm3",0.001*$F9,IF($E9="1000Nm3",1*$F9,NA()))'
    assert sheet["H10"].value == '=IF($E10="kWh",0.001*$F10,IF($E10="MWh",1*$F10,NA()))'
    assert sheet["U9"].value == "=SUM(I9:T9)" and sheet["V9"].value == "=U9*H9"
    assert sheet["I12"].value == "=SUMPRODUCT(I9:I11,$H$9:$H$11)" and sheet["V12"].value == "=SUM(V9:V11)"
    assert all(sheet[c].protection.locked for c in ("H9", "U9", "V9", "I12", "V12", "F9"))


def test_the_unit_cell_offers_the_units_of_the_family_and_quantities_must_be_zero_or_more():
    sheet = openpyxl.load_workbook(io.BytesIO(good()))[DATA_SHEET]
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert rules["E9"].type == "list" and rules["E9"].formula1 == '"Nm3,1000Nm3"'
    assert rules["E10"].formula1 == '"kWh,MWh"' and rules["E11"].formula1 == '"L,kL"'
    assert rules["I9:T11"].type == "decimal" and rules["I9:T11"].operator == "greaterThanOrEqual"


def test_the_builder_refuses_a_unit_it_cannot_convert_and_duplicate_numbers():
    odd = SheetSource(1, "x", None, "y", "steam", "t-steam", ("t-steam",), Decimal(1), "t-steam")
    with pytest.raises(ValueError, match="cannot convert"):
        build_sheet(HEADER, [odd])
    mixed = SheetSource(1, "x", None, "y", "gas", "Nm3", ("Nm3", "kL"), Decimal(1), "1000Nm3")
    with pytest.raises(ValueError, match="families"):
        build_sheet(HEADER, [mixed])
    with pytest.raises(ValueError, match="distinct and at least 1"):
        build_sheet(HEADER, [SOURCES[0], SOURCES[0]])


def test_an_organisation_without_sources_gets_an_empty_table_that_reads_back_empty():
    data = build_sheet(HEADER, [])
    assert read_sheet(data, HEADER, []) == sheets.SheetReading({}, ())


# --- injection --------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=1+1", "#N/A"]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_goes_into_the_sheet_as_text_never_as_a_formula(text):
    header = SheetHeader("kanto-steel", text, text, 2025, "2026-04-01T09:00:00+09:00")
    source = SheetSource(1, text, text, text, "city_gas", "Nm3", ("Nm3", "1000Nm3"), Decimal("2.23"), "1000Nm3")
    data = build_sheet(header, [source])
    sheet = openpyxl.load_workbook(io.BytesIO(data))[DATA_SHEET]
    for coordinate in ("C2", "D2", "B9", "C9", "D9"):
        assert sheet[coordinate].data_type == "s" and sheet[coordinate].value == text, coordinate
    xml = parts(data)["xl/worksheets/sheet1.xml"].decode()
    for coordinate in ("C2", "D2", "B9", "C9", "D9"):
        cell = re.search(rf'<c r="{coordinate}"[^>]*>.*?</c>', xml)
        assert cell and "<f>" not in cell[0] and 't="inlineStr"' in cell[0], cell
    # and the sheet still reads back: the name is compared as text
    assert read_sheet(fill(data, {"I9": 5}), header, [source]).values == {(1, APRIL): (Decimal(5), "Nm3")}


def test_control_characters_in_user_text_are_dropped_rather_than_breaking_the_file():
    source = SheetSource(1, "ボイラー\x00\x07\ud800", None, "工場\x1b", "city_gas", "Nm3", ("Nm3",), Decimal(1), "1000Nm3")
    data = build_sheet(HEADER, [source])
    sheet = openpyxl.load_workbook(io.BytesIO(data))[DATA_SHEET]
    assert (sheet["B9"].value, sheet["D9"].value) == ("ボイラー", "工場")
    assert read_sheet(data, HEADER, [source]).bad == ()


# --- reading back what a participant filled in ----------------------------------------------


def test_round_trip_numbers_numeric_text_blanks_and_a_unit_changed_within_the_family():
    data = fill(good(), {
        "I9": 120, "J9": 130.5, "K9": "1,234.5", "L9": "  ７８．２５ ", "M9": None, "N9": 0, "O9": "   ",
        "E10": "MWh", "I10": 0.1, "J10": "0.000001", "K10": 1e-6, "T10": 999999999999,
        "E11": "L", "I11": "999,999,999,999.999999", "J11": 1234.567891,
    })
    reading = read_sheet(data, HEADER, SOURCES)
    assert reading.bad == ()
    assert reading.values == {
        (1, APRIL): (Decimal(120), "1000Nm3"), (1, MAY): (Decimal("130.5"), "1000Nm3"),
        (1, JUNE): (Decimal("1234.5"), "1000Nm3"), (1, JULY): (Decimal("78.25"), "1000Nm3"),
        (1, "2025-09"): (Decimal(0), "1000Nm3"),
        (2, APRIL): (Decimal("0.1"), "MWh"), (2, MAY): (Decimal("0.000001"), "MWh"), (2, JUNE): (Decimal("0.000001"), "MWh"),
        (2, "2026-03"): (Decimal(999999999999), "MWh"),
        (3, APRIL): (Decimal("999999999999.999999"), "L"), (3, MAY): (Decimal("1234.567891"), "L"),
    }
    assert all(str(quantity) == format(quantity, "f") for quantity, _ in reading.values.values())  # no exponents


def test_an_untouched_sheet_means_no_data():
    assert read_sheet(good(), HEADER, SOURCES) == sheets.SheetReading({}, ())


def test_factors_totals_and_cached_results_in_the_file_are_never_read():
    tampered = fill(good(), {"I9": 10, "F9": 999, "G9": "t", "H9": 5, "U9": 1e9, "V9": "=1/0", "V12": -1})
    assert read_sheet(tampered, HEADER, SOURCES) == sheets.SheetReading({(1, APRIL): (Decimal(10), "1000Nm3")}, ())


def test_a_source_registered_after_the_download_is_simply_not_in_the_sheet():
    newer = [*SOURCES, SheetSource(4, "LPG", None, "本社工場", "lpg", "t", ("kg", "t"), Decimal("3.00"), "t")]
    assert read_sheet(fill(good(), {"I9": 1}), HEADER, newer).values == {(1, APRIL): (Decimal(1), "1000Nm3")}


def test_a_unit_typed_in_full_width_is_the_registered_unit():
    reading = read_sheet(fill(good(), {"E10": "ＭＷｈ", "I10": 3}), HEADER, SOURCES)
    assert reading.values == {(2, APRIL): (Decimal(3), "MWh")}


@pytest.mark.parametrize(("value", "expected"), [
    (None, (None, None)), ("", (None, None)), ("\u3000", (None, None)),
    (0, (Decimal(0), None)), (0.0, (Decimal(0), None)), (-0.0, (Decimal(0), None)), ("-0", (Decimal(0), None)),
    (12, (Decimal(12), None)), (0.1, (Decimal("0.1"), None)), (1e-6, (Decimal("0.000001"), None)),
    (1.5e11, (Decimal(150000000000), None)), ("1,234,567.5", (Decimal("1234567.5"), None)), (".5", (Decimal("0.5"), None)),
    ("１，２３４", (Decimal(1234), None)), ("12.3000000", (Decimal("12.3"), None)), (Decimal("7.10"), (Decimal("7.1"), None)),
    ("1,23", (None, "QUANTITY_NOT_A_NUMBER")), ("1.234,5", (None, "QUANTITY_NOT_A_NUMBER")), ("12kL", (None, "QUANTITY_NOT_A_NUMBER")),
    ("1e3", (None, "QUANTITY_NOT_A_NUMBER")), ("+5", (None, "QUANTITY_NOT_A_NUMBER")), ("¥100", (None, "QUANTITY_NOT_A_NUMBER")),
    ("NaN", (None, "QUANTITY_NOT_A_NUMBER")), ("Infinity", (None, "QUANTITY_NOT_A_NUMBER")), ("①", (None, "QUANTITY_NOT_A_NUMBER")),
    (True, (None, "QUANTITY_NOT_A_NUMBER")), (datetime(2025, 4, 1), (None, "QUANTITY_NOT_A_NUMBER")),
    (-1, (None, "NEGATIVE_QUANTITY")), (-0.5, (None, "NEGATIVE_QUANTITY")), ("−3", (None, "NEGATIVE_QUANTITY")),
    ("－３", (None, "NEGATIVE_QUANTITY")), (float("inf"), (None, "QUANTITY_NOT_FINITE")), (float("nan"), (None, "QUANTITY_NOT_FINITE")),
    (0.1234567, (None, "TOO_PRECISE")), (0.1 + 0.2, (None, "TOO_PRECISE")), ("0.0000001", (None, "TOO_PRECISE")),
    (1e12, (None, "QUANTITY_TOO_LARGE")), ("1,000,000,000,000", (None, "QUANTITY_TOO_LARGE")),
])
def test_a_quantity_is_a_plain_number_zero_or_more_of_bounded_precision(value, expected):
    quantity, code, _detail = parse_quantity(value)
    assert (quantity, code) == expected
    if quantity is not None:
        assert str(quantity) == format(quantity, "f")


# --- bad sheets -----------------------------------------------------------------------------------


def _insert_row(workbook):
    workbook[D].insert_rows(10)
    workbook[D]["A10"], workbook[D]["B10"], workbook[D]["I10"] = 4, "追加した排出源", 5


def _swap_rows(workbook):
    sheet = workbook[D]
    for column in "ABCDEFG":
        sheet[f"{column}9"].value, sheet[f"{column}10"].value = sheet[f"{column}10"].value, sheet[f"{column}9"].value


def _other_sheet(header: SheetHeader, sources=SOURCES) -> bytes:
    return fill(build_sheet(header, sources), {"I9": 1})


def _drop_part(data: bytes, name: str) -> bytes:
    files = parts(data)
    del files[name]
    return rezip(files)


#: (id, how the good sheet is spoiled, the problems expected: (code, sheet, cell)).
BAD_SHEETS = [
    ("text in a quantity", lambda: fill(good(), {"I9": "abc"}), {("QUANTITY_NOT_A_NUMBER", D, "I9")}),
    ("a number with its unit", lambda: fill(good(), {"J9": "12 kL"}), {("QUANTITY_NOT_A_NUMBER", D, "J9")}),
    ("a negative number", lambda: fill(good(), {"K10": -5}), {("NEGATIVE_QUANTITY", D, "K10")}),
    ("a negative number as text", lambda: fill(good(), {"K10": "-5"}), {("NEGATIVE_QUANTITY", D, "K10")}),
    ("a formula in a quantity", lambda: fill(good(), {"I10": "=1+1"}), {("FORMULA_NOT_ALLOWED", D, "I10")}),
    ("a formula with a cached result", lambda: raw_cell(good(), "I9", b'<c r="I9" t="n"><f>1+1</f><v>2</v></c>'),
     {("FORMULA_NOT_ALLOWED", D, "I9")}),
    ("an array formula", lambda: raw_cell(good(), "J9", b'<c r="J9"><f t="array" ref="J9">SUM(1)</f><v>1</v></c>'),
     {("FORMULA_NOT_ALLOWED", D, "J9")}),
    ("TRUE in a quantity", lambda: fill(good(), {"L11": True}), {("QUANTITY_NOT_A_NUMBER", D, "L11")}),
    ("a date in a quantity", lambda: fill(good(), {"M11": datetime(2025, 4, 1)}), {("QUANTITY_NOT_A_NUMBER", D, "M11")}),
    ("an error value", lambda: raw_cell(good(), "N9", b'<c r="N9" t="e"><v>#DIV/0!</v></c>'), {("QUANTITY_NOT_A_NUMBER", D, "N9")}),
    ("an infinite number", lambda: raw_cell(good(), "O9", b'<c r="O9"><v>1E999</v></c>'), {("QUANTITY_NOT_FINITE", D, "O9")}),
    ("seven decimals", lambda: fill(good(), {"P9": 1.1234567}), {("TOO_PRECISE", D, "P9")}),
    ("thirteen integer digits", lambda: fill(good(), {"Q9": 1e13}), {("QUANTITY_TOO_LARGE", D, "Q9")}),
    ("a decimal comma", lambda: fill(good(), {"R9": "1.234,5"}), {("QUANTITY_NOT_A_NUMBER", D, "R9")}),
    ("a unit of another family", lambda: fill(good(), {"E9": "kL", "I9": 1}), {("UNIT_NOT_IN_FAMILY", D, "E9")}),
    ("a unit that does not exist", lambda: fill(good(), {"E10": "GWh"}), {("UNIT_NOT_IN_FAMILY", D, "E10")}),
    ("quantities without a unit", lambda: fill(good(), {"E11": None, "I11": 3}), {("UNIT_MISSING", D, "E11")}),
    ("a formula as the unit", lambda: fill(good(), {"E9": '="Nm3"'}), {("FORMULA_NOT_ALLOWED", D, "E9")}),
    ("an unregistered source number", lambda: fill(good(), {"A10": 99}), {("UNKNOWN_SOURCE", D, "A10")}),
    ("a source row added below the table", lambda: fill(good(), {"A13": 7, "B13": "新しい排出源", "I13": 4}),
     {("UNKNOWN_SOURCE", D, "A13")}),
    ("a row inserted", lambda: edit(good(), _insert_row),
     {("UNKNOWN_SOURCE", D, "A10"), ("ROW_MOVED", D, "A11"), ("LAYOUT_CHANGED", D, "B12"), ("OUTSIDE_TABLE", D, "B13")}),
    ("a row deleted", lambda: edit(good(), lambda wb: wb[D].delete_rows(10)),
     {("ROW_MOVED", D, "A10"), ("ROW_MOVED", D, "A11"), ("LAYOUT_CHANGED", D, "B12")}),
    ("rows swapped", lambda: edit(good(), _swap_rows), {("ROW_MOVED", D, "A9"), ("ROW_MOVED", D, "A10")}),
    ("a source renamed in the sheet", lambda: fill(good(), {"B10": "電力"}), {("SOURCE_NAME_CHANGED", D, "B10")}),
    ("a column inserted", lambda: edit(good(), lambda wb: wb[D].insert_cols(9)),
     {("LAYOUT_CHANGED", D, f"{column}8") for column in "IJKLMNOPQRSTUV"} | {("OUTSIDE_TABLE", D, f"W{row}") for row in (8, 9, 10, 11, 12)}),
    ("a month header changed", lambda: fill(good(), {"K8": "June"}), {("LAYOUT_CHANGED", D, "K8")}),
    ("two columns swapped", lambda: fill(good(), {"I8": "2025年5月\nMay 2025", "J8": "2025年4月\nApr 2025"}),
     {("LAYOUT_CHANGED", D, "I8"), ("LAYOUT_CHANGED", D, "J8")}),
    ("a note outside the table", lambda: fill(good(), {"X9": "memo", "B20": "確認済み"}),
     {("OUTSIDE_TABLE", D, "X9"), ("OUTSIDE_TABLE", D, "B20")}),
    ("another organisation's sheet", lambda: _other_sheet(SheetHeader("minato-foods", "Minato Foods", "みなと食品", 2025, "x")),
     {("WRONG_ORGANISATION", META_SHEET, "B3"), ("WRONG_ORGANISATION", D, "C3")}),
    ("another fiscal year's sheet", lambda: _other_sheet(SheetHeader("kanto-steel", "Kanto", "関東製鋼", 2024, "x")),
     {("WRONG_FISCAL_YEAR", META_SHEET, "B4"), ("WRONG_FISCAL_YEAR", D, "C4")}),
    ("the visible organisation id changed", lambda: fill(good(), {"C3": "minato-foods"}), {("WRONG_ORGANISATION", D, "C3")}),
    ("the hidden organisation id changed", lambda: fill(good(), {"B3": "minato-foods"}, META_SHEET),
     {("WRONG_ORGANISATION", META_SHEET, "B3")}),
    ("the data sheet renamed", lambda: edit(good(), lambda wb: setattr(wb[D], "title", "Sheet1")), {("MISSING_SHEET", D, "")}),
    ("the metadata sheet deleted", lambda: edit(good(), lambda wb: wb.remove(wb[META_SHEET])), {("MISSING_SHEET", META_SHEET, "")}),
    ("a foreign workbook", lambda: edit(good(), lambda wb: wb.remove(wb[D])), {("MISSING_SHEET", D, "")}),
    ("the format mark changed", lambda: fill(good(), {"B1": "something-else"}, META_SHEET),
     {("NOT_A_PERFORMANCE_SHEET", META_SHEET, "B1")}),
    ("a future layout version", lambda: fill(good(), {"B2": 2}, META_SHEET), {("UNSUPPORTED_LAYOUT_VERSION", META_SHEET, "B2")}),
    ("a source listed twice in the metadata", lambda: fill(good(), {"B10": 1}, META_SHEET),
     {("NOT_A_PERFORMANCE_SHEET", META_SHEET, "B10")}),
    ("several problems at once", lambda: fill(good(), {"I9": "x", "J10": -1, "E11": "t", "K11": 1.0000001}),
     {("QUANTITY_NOT_A_NUMBER", D, "I9"), ("NEGATIVE_QUANTITY", D, "J10"), ("UNIT_NOT_IN_FAMILY", D, "E11"), ("TOO_PRECISE", D, "K11")}),
    ("a PDF", lambda: b"%PDF-1.7\n...", {("NOT_A_WORKBOOK", "", "")}),
    ("an empty file", lambda: b"", {("NOT_A_WORKBOOK", "", "")}),
    ("an old .xls or encrypted workbook", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), {("NOT_A_WORKBOOK", "", "")}),
    ("a truncated file", lambda: good()[: len(good()) // 2], {("NOT_A_WORKBOOK", "", "")}),
    ("a ZIP that is not a workbook", lambda: rezip({"readme.txt": b"hello"}), {("NOT_A_WORKBOOK", "", "")}),
    ("a workbook without its worksheet part", lambda: _drop_part(good(), "xl/worksheets/sheet1.xml"), {("MISSING_SHEET", D, "")}),
    ("a macro-enabled workbook", lambda: rezip({**parts(good()), "xl/vbaProject.bin": b"\x00" * 64}), {("NOT_A_WORKBOOK", "", "")}),
    ("a document type declaration", lambda: raw_edit(good(), "xl/workbook.xml", rb"^(<\?xml[^>]*\?>)?",
                                                     rb'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
     {("UNSAFE_XML", "", "")}),
    ("larger than the upload limit", lambda: good() + bytes(sheets.MAX_FILE_BYTES), {("TOO_LARGE", "", "")}),
]


@pytest.mark.parametrize(("spoil", "expected"), [case[1:] for case in BAD_SHEETS], ids=[case[0] for case in BAD_SHEETS])
def test_a_bad_sheet_is_refused_whole_with_each_problem(spoil, expected):
    reading = read_sheet(spoil(), HEADER, SOURCES)
    assert found(reading) == expected
    assert reading.values == {}
    assert len(reading.bad) == len(expected)  # one problem, one entry
    for bad in reading.bad:
        assert bad.message and bad.message_ja and bad.code in sheets.PROBLEMS
        assert bad.message != bad.message_ja


def test_the_table_of_bad_sheets_is_long_and_uses_the_codes_of_the_issue():
    assert len(BAD_SHEETS) >= 25
    codes = {code for *_, expected in BAD_SHEETS for code, _sheet, _cell in expected}
    assert {"QUANTITY_NOT_A_NUMBER", "NEGATIVE_QUANTITY", "UNIT_NOT_IN_FAMILY", "UNKNOWN_SOURCE", "WRONG_ORGANISATION",
            "WRONG_FISCAL_YEAR", "LAYOUT_CHANGED", "NOT_A_WORKBOOK", "TOO_LARGE"} <= codes


def test_a_bad_cell_names_the_sheet_and_cell_and_says_why_in_both_languages():
    (bad,) = read_sheet(fill(good(), {"E10": "kL", "I10": 1}), HEADER, SOURCES).bad
    assert bad == BadCell(D, "E10", "UNIT_NOT_IN_FAMILY", "The unit must be one of: kWh, MWh.", "単位は次のいずれかにしてください：kWh, MWh。")


def test_a_sheet_with_thousands_of_problems_lists_the_first_thousand_and_says_so():
    many = [SheetSource(n, f"排出源{n}", None, "工場", "city_gas", "Nm3", ("Nm3",), Decimal(1), "1000Nm3") for n in range(1, 101)]
    data = build_sheet(HEADER, many)
    files = parts(data)
    files["xl/worksheets/sheet1.xml"] = re.sub(rb'<c r="([I-T][0-9]+)" s="([0-9]+)" t="n" />',
                                               rb'<c r="\1" s="\2" t="inlineStr"><is><t>x</t></is></c>', files["xl/worksheets/sheet1.xml"])
    reading = read_sheet(rezip(files), HEADER, many)
    assert len(reading.bad) == sheets.MAX_PROBLEMS + 1 and reading.bad[-1].code == "TOO_MANY_PROBLEMS"


# --- hostile files ------------------------------------------------------------------------------------


def _quickly_refused(data: bytes, code: str) -> None:
    """Refused before openpyxl parses anything: counted (``load_workbook`` is never
    called), not timed, so the test holds on a loaded machine too."""
    with mock.patch("openpyxl.load_workbook", side_effect=AssertionError("openpyxl parsed the file")) as parse:
        reading = read_sheet(data, HEADER, SOURCES)
    assert [bad.code for bad in reading.bad] == [code], reading.bad
    assert parse.call_count == 0


def _with_sheet_xml(change) -> bytes:
    files = parts(good())
    files["xl/worksheets/sheet1.xml"] = change(files["xl/worksheets/sheet1.xml"])
    return rezip(files)


def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_inflating_it():
    bomb = rezip({**parts(good()), "xl/media/padding.xml": b" " * (sheets.MAX_UNCOMPRESSED_BYTES + 1)})
    assert len(bomb) < 100_000
    _quickly_refused(bomb, "TOO_LARGE")


def test_a_part_larger_than_it_declares_is_a_damaged_file():
    files = parts(good())
    files["xl/sharedStrings.xml"] = b"<sst>" + b" " * 1_000_000 + b"</sst>"
    data = bytearray(rezip(files))
    # Lower the declared size in the central directory: zipfile stops there and the CRC fails.
    entry = data.rfind(b"xl/sharedStrings.xml") - 46  # its central directory entry
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = (100).to_bytes(4, "little")
    _quickly_refused(bytes(data), "NOT_A_WORKBOOK")


def test_a_million_row_sheet_is_refused_before_it_is_parsed():
    _quickly_refused(_with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", b"<row/>" * 1_000_000 + b"</sheetData>")), "TOO_LARGE")


def test_too_many_cells_are_refused_before_they_are_parsed():
    cells = b"<row>" + b"<c><v>1</v></c>" * (sheets.MAX_CELLS + 1) + b"</row>"
    _quickly_refused(_with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>")), "TOO_LARGE")


def test_a_merged_area_covering_the_whole_grid_is_refused_before_openpyxl_expands_it():
    merge = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    _quickly_refused(_with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merge)), "TOO_LARGE")


def test_entity_expansion_is_refused_before_any_parser_sees_it():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
              + b"]><sst>&lol9;</sst>")
    _quickly_refused(rezip({**parts(good()), "xl/sharedStrings.xml": laughs}), "UNSAFE_XML")
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "http://evil/x.dtd"><sst/>'.encode("utf-16")
    _quickly_refused(rezip({**parts(good()), "xl/sharedStrings.xml": utf16}), "UNSAFE_XML")


def test_the_file_limit_is_the_performance_sheet_upload_limit():
    from chalicelib.documents.domain.documents import RULES, DocumentKind

    assert RULES[DocumentKind.PERFORMANCE_SHEET].max_bytes == sheets.MAX_FILE_BYTES


def test_a_full_size_sheet_fits_the_limits_with_room_to_spare():
    """Measured on 0 and 250 sources and extrapolated to MAX_SOURCES (building 2,000 takes a second)."""
    def measure(count: int) -> tuple[int, int, int]:
        many = [SheetSource(n, f"排出源{n}" * 5, f"Source {n}" * 5, "工場" * 10, "city_gas", "Nm3", ("Nm3", "1000Nm3"), Decimal("2.23"),
                            "1000Nm3") for n in range(1, count + 1)]
        files = parts(fill(build_sheet(HEADER, many), {f"{c}{9 + i}": 123456.789 for c in "IJKLMNOPQRST" for i in range(count)}))
        cells = sum(len(sheets._CELL_TAG.findall(xml)) for name, xml in files.items() if "worksheets/" in name)
        return cells, sum(map(len, files.values())), sum(xml.count(b"<") for xml in files.values())

    empty, some = measure(0), measure(250)
    full = [e + (s - e) * sheets.MAX_SOURCES // 250 for e, s in zip(empty, some, strict=True)]
    assert full[0] * 2 < sheets.MAX_CELLS
    assert full[1] * 4 < sheets.MAX_UNCOMPRESSED_BYTES
    assert full[2] * 2 < sheets.MAX_TAGS


# --- files written by other programs ---------------------------------------------------------------


def _shared_strings(data: bytes) -> bytes:
    """Rewrite inline strings as shared strings, as Excel and LibreOffice write them."""
    files = parts(data)
    table: list[bytes] = []

    def share(match: re.Match[bytes]) -> bytes:
        table.append(match[2])
        return match[1] + b' t="s"><v>' + str(len(table) - 1).encode() + b"</v></c>"

    for name in [n for n in files if n.startswith("xl/worksheets/")]:
        files[name] = re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is>(<t[^>]*>.*?</t>)</is></c>', share, files[name])
    files["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                     + b"".join(b"<si>" + t + b"</si>" for t in table) + b"</sst>")
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                     b'spreadsheetml.sharedStrings+xml"/></Types>')
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                             b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return rezip(files)


def test_shared_strings_and_numbers_stored_as_text_read_like_inline_ones():
    data = _shared_strings(fill(good(), {"I9": "1,500", "J9": 2.5, "E10": "MWh", "I10": "0.25"}))
    assert b'<c r="I9" s="7" t="s">' in parts(data)["xl/worksheets/sheet1.xml"]
    reading = read_sheet(data, HEADER, SOURCES)
    assert reading.bad == ()
    assert reading.values == {(1, APRIL): (Decimal(1500), "1000Nm3"), (1, MAY): (Decimal("2.5"), "1000Nm3"),
                              (2, APRIL): (Decimal("0.25"), "MWh")}


def test_formula_string_results_and_cells_without_a_style_are_read_as_what_they_are():
    data = raw_cell(fill(good(), {"J9": 1}), "I9", b'<c r="I9" t="str"><v>42</v></c>')
    assert read_sheet(data, HEADER, SOURCES).values == {(1, APRIL): (Decimal(42), "1000Nm3"), (1, MAY): (Decimal(1), "1000Nm3")}


def test_a_sheet_saved_again_by_libreoffice_reads_back_exactly():
    """Made by tests/unit/data/make_libreoffice_sheet.py: run it again if the layout changes."""
    data = LIBREOFFICE_SHEET.read_bytes()
    files = parts(data)
    assert b"LibreOffice" in files["docProps/app.xml"] and "xl/sharedStrings.xml" in files
    reading = read_sheet(data, HEADER, SOURCES)
    assert reading.bad == ()
    assert reading.values == LIBREOFFICE_VALUES


def test_a_style_part_with_a_huge_number_of_formats_is_refused_before_openpyxl_builds_them():
    files = parts(good())
    files["xl/styles.xml"] = re.sub(rb'<cellXfs count="[0-9]+">', b'<cellXfs count="50000">' + b'<xf numFmtId="0"/>' * 50_000,
                                    files["xl/styles.xml"])
    _quickly_refused(rezip(files), "TOO_LARGE")


def test_a_worksheet_hidden_at_an_unusual_path_is_still_counted():
    files = parts(good())
    files["xl/elsewhere/sheet9.xml"] = b"<worksheet><sheetData/>" + b'<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
    _quickly_refused(rezip(files), "TOO_LARGE")


def test_a_part_whose_compressed_data_is_garbage_is_a_damaged_file():
    data = bytearray(good())
    start = data.find(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")  # its local header's name, then data
    data[start + 10:start + 60] = bytes(range(50))
    _quickly_refused(bytes(data), "NOT_A_WORKBOOK")


def test_importing_the_codec_does_not_import_openpyxl():
    import subprocess
    import sys

    code = "import sys, chalicelib.emissions.sheets; print('openpyxl' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout.strip() == "False"
