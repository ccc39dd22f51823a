"""The emissions domain: quantities and units, fiscal years, factor versions by date,
source completeness, and the calculation against hand-computed figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.emissions.domain.calculation import MonthlyValue, calculate, exact, shown
from chalicelib.emissions.domain.errors import (
    FactorVersionOverlaps,
    InvalidFactorVersion,
    InvalidFiscalYear,
    InvalidMonth,
    InvalidQuantity,
    NoFactorForMonth,
    SourceIncomplete,
    UnitNotAccepted,
    UnknownFactor,
)
from chalicelib.emissions.domain.factors import SHIPPED, FactorTable, FactorVersion, check_new_version
from chalicelib.emissions.domain.quantities import convert, fiscal_year_of, months_of, parse_fiscal_year, parse_month, parse_quantity
from chalicelib.emissions.domain.sources import Basis, Category, Site, Source, SourceStatus, check_source

FACTORS = FactorTable(list(SHIPPED))


@pytest.mark.parametrize("text", ["0", "12", "0.5", "123456789012.123456", "007.10"])
def test_quantities_are_exact_decimal_strings(text):
    assert parse_quantity(text) == Decimal(text)


@pytest.mark.parametrize("bad", ["", "-1", "1.", ".5", "1e3", "1,000", " 1", "1.1234567", "1234567890123", "NaN", "Infinity", 1.5, 2, None, "１２"])
def test_anything_else_is_refused_as_a_quantity(bad):
    with pytest.raises(InvalidQuantity):
        parse_quantity(bad)


@pytest.mark.parametrize(("quantity", "unit", "to", "expected"), [
    ("1500", "L", "kL", "1.5"), ("1.5", "kL", "kL", "1.5"), ("120000", "kWh", "MWh", "120"), ("2500", "kg", "t", "2.5"),
    ("12345", "Nm3", "1000Nm3", "12.345"), ("3.5", "GJ", "MJ", "3500"), ("0.000001", "L", "kL", "0.000000001"),
])
def test_units_convert_exactly_within_their_family(quantity, unit, to, expected):
    assert convert(Decimal(quantity), unit, to) == Decimal(expected)


@pytest.mark.parametrize(("unit", "to"), [("kWh", "kL"), ("L", "t"), ("m3", "1000Nm3"), ("GJ", "MWh"), ("kl", "kL")])
def test_a_unit_of_another_family_is_refused_with_the_accepted_units(unit, to):
    with pytest.raises(UnitNotAccepted) as refused:
        convert(Decimal(1), unit, to, "x")
    assert refused.value.details[0]["accepted_units"]
    assert to in refused.value.details[0]["accepted_units"]


def test_fiscal_years_run_from_april_to_march():
    assert months_of(2010)[0] == "2010-04" and months_of(2010)[-1] == "2011-03" and len(months_of(2010)) == 12
    assert fiscal_year_of("2011-03") == 2010 and fiscal_year_of("2011-04") == 2011
    assert parse_fiscal_year("2025") == 2025
    for bad in (None, "25", "FY2025", "1999", "2025.0"):
        with pytest.raises(InvalidFiscalYear):
            parse_fiscal_year(bad)
    for bad in ("2025-13", "2025-4", "2025/04", "", "1999-04"):
        with pytest.raises(InvalidMonth):
            parse_month(bad)


def test_the_city_gas_factor_changes_between_fy2009_and_fy2010():
    assert FACTORS.for_month("city_gas", "2010-03").t_co2_per_unit == Decimal("2.08")
    assert FACTORS.for_month("city_gas", "2010-03").version == "city_gas@2006-04-01"
    assert FACTORS.for_month("city_gas", "2010-04").t_co2_per_unit == Decimal("2.23")
    assert FACTORS.for_month("city_gas", "2010-04").version == "city_gas@2010-04-01"
    assert FACTORS.for_month("electricity_default", "2026-01").t_co2_per_unit == Decimal("0.555")
    with pytest.raises(NoFactorForMonth):
        FACTORS.for_month("gasoline", "2006-03")
    with pytest.raises(UnknownFactor):
        FACTORS.for_month("coal", "2010-04")


def _version(key="city_gas", figure="2.30", valid_from="2030-04-01", valid_to=None, unit="1000Nm3"):
    return FactorVersion(key, "都市ガス", "City gas", unit, Decimal(figure), valid_from, valid_to, "test")


def test_a_new_factor_version_may_not_overlap_or_change_family():
    with pytest.raises(FactorVersionOverlaps):  # city gas 2.23 is open-ended
        check_new_version(_version(), list(SHIPPED))
    closed = [v for v in SHIPPED if v.key != "city_gas"] + [_version(figure="2.08", valid_from="2006-04-01", valid_to="2010-03-31"),
                                                           _version(figure="2.23", valid_from="2010-04-01", valid_to="2030-03-31")]
    check_new_version(_version(), closed)
    with pytest.raises(FactorVersionOverlaps):
        check_new_version(_version(valid_from="2030-03-01"), closed)
    with pytest.raises(InvalidFactorVersion):
        check_new_version(_version(unit="kL"), closed)
    for bad in (_version(valid_from="2030-04-02"), _version(valid_to="2030-05-30"), _version(figure="0"),
                _version(valid_from="2031-04-01", valid_to="2030-04-30"), _version(key="City Gas"), _version(unit="m3")):
        with pytest.raises(InvalidFactorVersion):
            check_new_version(bad, closed)
    check_new_version(_version(key="steam_industrial", unit="GJ", figure="0.060", valid_from="2006-04-01"), list(SHIPPED))


def _source(number=1, source_id=None, **fields):
    values = {"org_id": "kanto-steel", "source_id": source_id or f"src-{number}", "number": number, "status": SourceStatus.REGISTERED,
              "site_id": "site-1", "name_ja": "ボイラー", "categories": (Category.FUEL_COMBUSTION,), "factor_key": "kerosene",
              "unit": "kL", "basis": Basis.FIRE_SERVICE_NOTIFICATION}
    values.update(fields)
    return Source(**values)


def test_a_registered_source_must_be_complete_and_a_draft_need_not():
    check_source(_source(), FACTORS)
    check_source(_source(status=SourceStatus.DRAFT, name_ja=None, categories=(), factor_key=None, unit=None, basis=None), FACTORS)
    cases = {
        "name_ja": _source(name_ja=" "), "categories": _source(categories=()), "factor_key": _source(factor_key=None),
        "unit": _source(unit="kWh"), "basis_text": _source(basis=Basis.OTHER), "exclusion_reason": _source(excluded=True),
        "basis": _source(basis=None),
    }
    for field_name, source in cases.items():
        with pytest.raises(SourceIncomplete) as refused:
            check_source(source, FACTORS)
        assert field_name in [d["field"] for d in refused.value.details], field_name
    with pytest.raises(SourceIncomplete):
        check_source(_source(status=SourceStatus.DRAFT, factor_key="coal"), FACTORS)
    check_source(_source(basis=Basis.OTHER, basis_text="納品書"), FACTORS)


def _value(source_id, month, quantity, unit, key):
    return MonthlyValue(source_id, month, Decimal(quantity), unit, FACTORS.for_month(key, month).version)


def test_the_calculation_against_hand_computed_figures():
    """Electricity 120,000 kWh = 120 MWh x 0.555 = 66.6 t; kerosene 1,500 L = 1.5 kL x 2.49 = 3.735 t;
    city gas 12,345 Nm3 = 12.345 x 2.23 = 27.52935 t. Year 66.6 + 3.735 + 27.52935 + 0.555 = 98.41935: 98 t."""
    sites = [Site("kanto-steel", "site-1", "本社工場", "Head works", None, "kanto", ""),
             Site("kanto-steel", "site-2", "第二工場", None, None, "", "")]
    power = _source(1, categories=(Category.PURCHASED_ELECTRICITY,), factor_key="electricity_default", unit="kWh")
    boiler = _source(2, factor_key="kerosene", unit="L")
    gas = _source(3, site_id="site-2", factor_key="city_gas", unit="Nm3", retired_from="2011-01")
    minor = _source(4, factor_key="gasoline", excluded=True, exclusion_reason="軽微な排出源")
    draft = _source(5, status=SourceStatus.DRAFT)
    values = {(v.source_id, v.month): v for v in [
        _value("src-1", "2010-04", "120000", "kWh", "electricity_default"),
        _value("src-1", "2010-05", "1", "MWh", "electricity_default"),
        _value("src-2", "2010-04", "1500", "L", "kerosene"),
        _value("src-3", "2010-04", "12345", "Nm3", "city_gas"),
        _value("src-4", "2010-04", "100", "kL", "gasoline"),
        _value("src-5", "2010-04", "100", "kL", "kerosene"),
    ]}
    result = calculate("kanto-steel", 2010, sites, [draft, minor, gas, boiler, power], values, FACTORS)
    by_number = {figures.source.number: figures for figures in result.sources}
    assert sorted(by_number) == [1, 2, 3]
    assert by_number[1].t_co2 == Decimal("67.155")
    assert by_number[2].months[0].t_co2 == Decimal("3.735")
    assert by_number[3].t_co2 == Decimal("27.52935") and shown(by_number[3].t_co2) == "27.529"
    assert by_number[3].months[0].factor_version == "city_gas@2010-04-01"
    assert result.t_co2 == Decimal("98.41935") and result.total_t == 98
    assert dict(result.months)["2010-04"] == Decimal("97.86435")
    assert [s.number for s in result.excluded] == [4]
    sites_total = {site.site_id: site.t_co2 for site in result.sites}
    assert sites_total == {"site-1": Decimal("70.890"), "site-2": Decimal("27.52935")}
    assert sum(sites_total.values()) == result.t_co2
    # Missing: power 10 months, boiler 11, gas Apr-Dec minus April = 8 (retired from January 2011).
    missing = [(s.number, m) for s, m in result.missing]
    assert len([m for m in missing if m[0] == 1]) == 10 and len([m for m in missing if m[0] == 2]) == 11
    assert [m for n, m in missing if n == 3] == [f"2010-{m:02d}" for m in range(5, 13)]
    assert {v.version for v in result.factor_versions} == {"electricity_default@2006-04-01", "kerosene@2006-04-01", "city_gas@2010-04-01"}


def test_the_same_quantity_of_city_gas_in_fy2009_and_fy2010():
    gas = _source(1, factor_key="city_gas", unit="1000Nm3")
    fy2009 = calculate("o", 2009, [], [gas], {("src-1", "2009-10"): _value("src-1", "2009-10", "10", "1000Nm3", "city_gas")}, FACTORS)
    fy2010 = calculate("o", 2010, [], [gas], {("src-1", "2010-10"): _value("src-1", "2010-10", "10", "1000Nm3", "city_gas")}, FACTORS)
    assert (fy2009.t_co2, fy2009.total_t) == (Decimal("20.80"), 20)
    assert (fy2010.t_co2, fy2010.total_t) == (Decimal("22.30"), 22)


def test_the_total_is_rounded_down_never_up():
    power = _source(1, factor_key="electricity_default", unit="kWh")
    # 1,801.8 kWh x 0.555 = 0.999999 t in each of 12 months: 11.999988 t, counted as 11.
    values = {("src-1", m): _value("src-1", m, "1801.8", "kWh", "electricity_default") for m in months_of(2025)}
    result = calculate("o", 2025, [], [power], values, FACTORS)
    assert result.t_co2 == Decimal("11.999988") and result.total_t == 11 and shown(result.t_co2) == "12.000"
    assert exact(Decimal("1.500")) == "1.5" and exact(Decimal("20")) == "20" and exact(Decimal("1E+2")) == "100"


def test_no_digits_are_lost_at_the_largest_quantities():
    power = _source(1, factor_key="electricity_default", unit="kWh")
    values = {("src-1", m): _value("src-1", m, "999999999999.999999", "kWh", "electricity_default") for m in months_of(2025)}
    result = calculate("o", 2025, [], [power], values, FACTORS)
    assert result.t_co2 == Decimal("999999999999.999999") * 12 / 1000 * Decimal("0.555")
    assert exact(result.t_co2) == "6659999999.99999999334"
