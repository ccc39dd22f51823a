"""Emission factors: versioned reference data.

A factor ``key`` (``city_gas``) has one or more versions, each with its figure in t-CO2
per unit, the unit, the dates it is valid from and to (whole months: from the first of
a month, to the last of a month or open-ended) and where the figure comes from. The
versions of one key never overlap, so each month has at most one version of each key,
and a month's figure names the version it used (``city_gas@2010-04-01``).

The scheme ships the SHK (2006) list (DESIGN.md section 4); administrators add
versions (``add_emission_factor``) that may not overlap the existing ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.emissions.domain.errors import (
    FactorVersionOverlaps,
    InvalidFactorVersion,
    NoFactorForMonth,
    UnknownFactor,
)
from chalicelib.emissions.domain.quantities import FAMILY_OF, first_day, last_day

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-3][0-9]$")
SHK_2006 = "SHK 2006: 算定・報告・公表制度における算定方法・排出係数一覧 (Ministry of the Environment / METI)"


@dataclass(frozen=True)
class FactorVersion:
    key: str
    name_ja: str
    name_en: str
    unit: str
    #: t-CO2 per ``unit``, exact.
    t_co2_per_unit: Decimal
    valid_from: str
    #: The last day it applies to; ``None``: until a later version is added.
    valid_to: str | None
    source: str

    @property
    def version(self) -> str:
        return f"{self.key}@{self.valid_from}"

    def covers(self, month: str) -> bool:
        return self.valid_from <= first_day(month) and (self.valid_to is None or last_day(month) <= self.valid_to)


def _shk(key: str, name_ja: str, name_en: str, unit: str, figure: str, valid_from: str = "2006-04-01",
         valid_to: str | None = None) -> FactorVersion:
    return FactorVersion(key, name_ja, name_en, unit, Decimal(figure), valid_from, valid_to, SHK_2006)


#: The shipped list (t-CO2 per unit).
SHIPPED: tuple[FactorVersion, ...] = (
    _shk("gasoline", "ガソリン", "Gasoline", "kL", "2.32"),
    _shk("kerosene", "灯油", "Kerosene", "kL", "2.49"),
    _shk("diesel", "軽油", "Diesel oil", "kL", "2.58"),
    _shk("heavy_oil_a", "A重油", "Heavy oil A", "kL", "2.71"),
    _shk("heavy_oil_bc", "B・C重油", "Heavy oil B/C", "kL", "3.00"),
    _shk("lpg", "液化石油ガス（LPG）", "Liquefied petroleum gas (LPG)", "t", "3.00"),
    _shk("lng", "液化天然ガス（LNG）", "Liquefied natural gas (LNG)", "t", "2.70"),
    _shk("city_gas", "都市ガス", "City gas", "1000Nm3", "2.08", valid_to="2010-03-31"),
    _shk("city_gas", "都市ガス", "City gas", "1000Nm3", "2.23", valid_from="2010-04-01"),
    _shk("electricity_default", "購入電力（代替値）", "Purchased electricity (default)", "MWh", "0.555"),
)


def check_version(version: FactorVersion) -> None:
    """A version's own figures and dates."""
    problem = None
    if not _KEY.match(version.key):
        problem = ("the key is lower-case letters, digits and _", "キーは英小文字・数字・_ で指定してください")
    elif version.unit not in FAMILY_OF:
        problem = (f"the unit must be one of {', '.join(FAMILY_OF)}", "単位が正しくありません")
    elif not version.t_co2_per_unit.is_finite() or version.t_co2_per_unit <= 0 or version.t_co2_per_unit >= 1_000_000:
        problem = ("the factor must be positive and below 1,000,000", "係数は0より大きく1,000,000未満にしてください")
    elif not _DATE.match(version.valid_from) or not version.valid_from.endswith("-01"):
        problem = ("valid_from is the first day of a month (YYYY-MM-01)", "有効開始日は月の初日（YYYY-MM-01）にしてください")
    elif version.valid_to is not None and (
        not _DATE.match(version.valid_to) or version.valid_to != last_day(version.valid_to[:7]) or version.valid_to < version.valid_from
    ):
        problem = ("valid_to is the last day of a month on or after valid_from", "有効終了日は開始日以降の月末日にしてください")
    elif not version.source.strip() or not version.name_ja.strip():
        problem = ("the name and the source of the figure are required", "名称と出典は必須です")
    if problem:
        raise InvalidFactorVersion(reason=problem[0], reason_ja=problem[1])


def _overlap(a: FactorVersion, b: FactorVersion) -> bool:
    a_end, b_end = a.valid_to or "9999-12-31", b.valid_to or "9999-12-31"
    return a.valid_from <= b_end and b.valid_from <= a_end


def check_new_version(new: FactorVersion, existing: list[FactorVersion]) -> None:
    """A new version of a key: valid on its own, overlapping no version of the key, and
    in the key's unit family (a month's data must convert to every version's unit)."""
    check_version(new)
    same_key = [v for v in existing if v.key == new.key]
    for version in same_key:
        if FAMILY_OF[version.unit] is not FAMILY_OF[new.unit]:
            raise InvalidFactorVersion(reason=f"{new.key} is measured in {version.unit}", reason_ja=f"{new.key} の単位は {version.unit} です")
        if _overlap(new, version):
            raise FactorVersionOverlaps(factor_key=new.key, version=version.version, valid_from=version.valid_from,
                                        valid_to=version.valid_to or "…")


class FactorTable:
    """Every version of every key (shipped and added)."""

    def __init__(self, versions: list[FactorVersion]) -> None:
        self.versions = sorted(versions, key=lambda v: (v.key, v.valid_from))
        self._by_version = {v.version: v for v in self.versions}

    def __contains__(self, key: object) -> bool:
        return any(v.key == key for v in self.versions)

    def of(self, key: str) -> list[FactorVersion]:
        found = [v for v in self.versions if v.key == key]
        if not found:
            raise UnknownFactor(field="factor_key", factor_key=key[:48])
        return found

    def unit_of(self, key: str) -> str:
        """The unit the key's figures are per (the latest version's; all share a family)."""
        return self.of(key)[-1].unit

    def for_month(self, key: str, month: str) -> FactorVersion:
        for version in self.of(key):
            if version.covers(month):
                return version
        raise NoFactorForMonth(factor_key=key, month=month)

    def version(self, version_id: str) -> FactorVersion | None:
        return self._by_version.get(version_id)
