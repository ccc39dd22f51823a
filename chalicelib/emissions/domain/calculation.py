"""The calculation of a fiscal year's emissions.

Rounding rule (also in the README): each month of each source is
``quantity converted to the factor's unit x the factor version of that month``, an
exact ``Decimal`` (no rounding at all, whatever the number of digits); sources, sites
and the organisation add those exact figures. Figures are shown to 3 decimals (half
up) for reading; only the organisation's year total is rounded for use, DOWN to whole
t-CO2 (``total_t``, the unit the registry counts in), so that no tonne is ever counted
that was not emitted.

Registered sources that are not excluded count; excluded (minor) sources are listed
with their reason and not counted; drafts are not part of the calculation. A month a
counted source should have data for (before it is retired) and has none is listed as
missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from chalicelib.emissions.domain.factors import FactorTable, FactorVersion
from chalicelib.emissions.domain.quantities import convert, months_of
from chalicelib.emissions.domain.sources import Site, Source

SHOWN = Decimal("0.001")
#: Enough digits that no product or sum of bounded quantities is ever rounded.
PRECISION = 80


def shown(value: Decimal) -> str:
    """A figure to 3 decimals, half up, as text."""
    return str(value.quantize(SHOWN, rounding=ROUND_HALF_UP))


def exact(value: Decimal) -> str:
    """The exact figure as plain text (no exponent)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_down(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class MonthlyValue:
    """A month's monitoring value of a source, with the factor version it pinned."""

    source_id: str
    month: str
    quantity: Decimal
    unit: str
    factor_version: str
    evidence_document_id: str | None = None


@dataclass(frozen=True)
class MonthFigure:
    month: str
    quantity: Decimal | None
    unit: str | None
    t_co2: Decimal | None
    factor_version: str | None
    #: The month needs data and has none.
    missing: bool


@dataclass(frozen=True)
class SourceFigures:
    source: Source
    months: tuple[MonthFigure, ...]
    t_co2: Decimal


@dataclass(frozen=True)
class SiteFigures:
    site_id: str
    name_ja: str
    name_en: str | None
    months: tuple[tuple[str, Decimal], ...]
    t_co2: Decimal


@dataclass(frozen=True)
class Calculation:
    org_id: str
    fiscal_year: int
    sources: tuple[SourceFigures, ...]
    sites: tuple[SiteFigures, ...]
    months: tuple[tuple[str, Decimal], ...]
    t_co2: Decimal
    total_t: int
    excluded: tuple[Source, ...]
    missing: tuple[tuple[Source, str], ...]
    factor_versions: tuple[FactorVersion, ...]


def t_co2_of(value: MonthlyValue, factor: FactorVersion) -> Decimal:
    """One month of one source, exact."""
    with localcontext() as context:
        context.prec = PRECISION
        return convert(value.quantity, value.unit, factor.unit, factor.key) * factor.t_co2_per_unit


def calculate(org_id: str, fiscal_year: int, sites: list[Site], sources: list[Source],
              values: Mapping[tuple[str, str], MonthlyValue], factors: FactorTable) -> Calculation:
    months = months_of(fiscal_year)
    counted = sorted((s for s in sources if s.registered and not s.excluded), key=lambda s: s.number)
    excluded = tuple(sorted((s for s in sources if s.registered and s.excluded), key=lambda s: s.number))
    used: dict[str, FactorVersion] = {}
    figures: list[SourceFigures] = []
    missing: list[tuple[Source, str]] = []
    with localcontext() as context:
        context.prec = PRECISION
        by_month = dict.fromkeys(months, Decimal(0))
        by_site: dict[str, dict[str, Decimal]] = {}
        for source in counted:
            lines: list[MonthFigure] = []
            total = Decimal(0)
            site_months = by_site.setdefault(source.site_id, dict.fromkeys(months, Decimal(0)))
            for month in months:
                value = values.get((source.source_id, month))
                if value is None:
                    expected = not source.retired_in(month)
                    if expected:
                        missing.append((source, month))
                    lines.append(MonthFigure(month, None, None, None, None, expected))
                    continue
                factor = factors.version(value.factor_version) or factors.for_month(source.factor_key or "", month)
                used[factor.version] = factor
                amount = t_co2_of(value, factor)
                total += amount
                by_month[month] += amount
                site_months[month] += amount
                lines.append(MonthFigure(month, value.quantity, value.unit, amount, factor.version, False))
            figures.append(SourceFigures(source, tuple(lines), total))
        names = {site.site_id: site for site in sites}
        site_figures = []
        for site_id in sorted(by_site, key=lambda i: (names[i].name_ja if i in names else i, i)):
            site = names.get(site_id)
            site_months = by_site[site_id]
            site_figures.append(SiteFigures(site_id, site.name_ja if site else site_id, site.name_en if site else None,
                                            tuple(site_months.items()), sum(site_months.values(), Decimal(0))))
        year = sum(by_month.values(), Decimal(0))
    return Calculation(
        org_id=org_id, fiscal_year=fiscal_year, sources=tuple(figures), sites=tuple(site_figures),
        months=tuple(by_month.items()), t_co2=year, total_t=round_down(year), excluded=excluded,
        missing=tuple(missing), factor_versions=tuple(sorted(used.values(), key=lambda v: v.version)),
    )
