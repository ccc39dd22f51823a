"""Quantities, units and months.

A quantity is a decimal string (never a float): digits with at most one decimal point,
non-negative, at most 12 integer digits and 6 decimals. It is kept as the exact
``Decimal`` it spells. Units convert only within their family, by exact powers of ten.

A fiscal year ``FY`` runs from April of ``FY`` to March of ``FY + 1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.emissions.domain.errors import InvalidFiscalYear, InvalidMonth, InvalidQuantity, UnitNotAccepted

MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 6
_QUANTITY = re.compile(rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{1,{MAX_DECIMALS}}})?$")
_MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
_FISCAL_YEAR = re.compile(r"^[0-9]{4}$")
#: Fiscal years the scheme may hold data for.
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2005, 2100


def parse_quantity(text: object) -> Decimal:
    """The exact value of a quantity string; anything else is refused."""
    if not isinstance(text, str) or not _QUANTITY.match(text):
        raise InvalidQuantity(field="quantity", quantity=str(text)[:40], max_integer=MAX_INTEGER_DIGITS, max_decimals=MAX_DECIMALS)
    return Decimal(text)


@dataclass(frozen=True)
class UnitFamily:
    name: str
    #: Each unit and its size in the family's base unit.
    units: dict[str, Decimal]


FAMILIES: tuple[UnitFamily, ...] = (
    UnitFamily("liquid_volume", {"L": Decimal(1), "kL": Decimal(1000)}),
    UnitFamily("mass", {"kg": Decimal(1), "t": Decimal(1000)}),
    UnitFamily("gas_volume", {"Nm3": Decimal(1), "1000Nm3": Decimal(1000)}),
    UnitFamily("electricity", {"kWh": Decimal(1), "MWh": Decimal(1000)}),
    UnitFamily("energy", {"MJ": Decimal(1), "GJ": Decimal(1000)}),
)
FAMILY_OF: dict[str, UnitFamily] = {unit: family for family in FAMILIES for unit in family.units}


def family_of(unit: str) -> UnitFamily | None:
    return FAMILY_OF.get(unit)


def convert(quantity: Decimal, unit: str, to_unit: str, factor_key: str = "") -> Decimal:
    """The same quantity in ``to_unit`` (exact); a unit of another family is refused,
    naming the units accepted."""
    family = FAMILY_OF[to_unit]
    if unit not in family.units:
        accepted = list(family.units)
        raise UnitNotAccepted(field="unit", unit=unit[:20], factor_key=factor_key or to_unit, accepted=", ".join(accepted),
                              details=[{"accepted_units": accepted}])
    if unit == to_unit:
        return quantity
    return quantity * family.units[unit] / family.units[to_unit]


# --- months and fiscal years ------------------------------------------------------------


def parse_month(text: str) -> str:
    """A month ``YYYY-MM`` within the scheme's years."""
    match = _MONTH.match(text or "")
    if match is None or not FIRST_FISCAL_YEAR <= int(match["year"]) <= LAST_FISCAL_YEAR + 1:
        raise InvalidMonth(field="month", month=(text or "")[:20])
    return text


def fiscal_year_of(month: str) -> int:
    year, number = int(month[:4]), int(month[5:7])
    return year if number >= 4 else year - 1


def months_of(fiscal_year: int) -> list[str]:
    """April of the year to March of the next, in order."""
    return [f"{fiscal_year}-{m:02d}" for m in range(4, 13)] + [f"{fiscal_year + 1}-{m:02d}" for m in range(1, 4)]


def parse_fiscal_year(text: str | None) -> int:
    if text is None or not _FISCAL_YEAR.match(text) or not FIRST_FISCAL_YEAR <= int(text) <= LAST_FISCAL_YEAR:
        raise InvalidFiscalYear(field="fiscal_year")
    return int(text)


def first_day(month: str) -> str:
    return f"{month}-01"


def last_day(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    if number == 12:
        return f"{year}-12-31"
    days = 29 if number == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else (28 if number == 2 else 0)
    if not days:
        days = 30 if number in (4, 6, 9, 11) else 31
    return f"{month}-{days:02d}"
