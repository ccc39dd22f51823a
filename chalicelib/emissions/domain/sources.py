"""Sites and emission sources, as the seed's source-registration screen has them.

A source is saved as a ``draft`` (the screen's temporary save: it may be incomplete) or
``registered`` (complete: every rule below holds). Only registered sources take
monitoring data and count in the calculation. A source with monitoring data cannot be
deleted, nor its factor (or unit family) changed: it is retired from a month on
(``retired_from``), and takes no data from that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.emissions.domain.errors import SourceIncomplete
from chalicelib.emissions.domain.factors import FactorTable
from chalicelib.emissions.domain.quantities import FAMILY_OF


class Category(str, Enum):
    FUEL_COMBUSTION = "fuel_combustion"
    PURCHASED_ELECTRICITY = "purchased_electricity"
    PURCHASED_HEAT = "purchased_heat"
    NON_ENERGY = "non_energy"


class Basis(str, Enum):
    """The document that identifies the source."""

    FIRE_SERVICE_NOTIFICATION = "fire_service_notification"
    AIR_POLLUTION_PERMIT = "air_pollution_permit"
    DELIVERY_SLIPS = "delivery_slips"
    OTHER = "other"


class SourceStatus(str, Enum):
    DRAFT = "draft"
    REGISTERED = "registered"


@dataclass(frozen=True)
class Site:
    org_id: str
    site_id: str
    name_ja: str
    name_en: str | None
    address: str | None
    updated_by: str
    updated_at: str


@dataclass(frozen=True)
class Source:
    org_id: str
    source_id: str
    number: int
    status: SourceStatus
    site_id: str
    name_ja: str | None = None
    name_en: str | None = None
    categories: tuple[Category, ...] = ()
    factor_key: str | None = None
    #: The unit its monitoring data is usually given in (any unit of the factor's family is accepted).
    unit: str | None = None
    basis: Basis | None = None
    basis_text: str | None = None
    excluded: bool = False
    exclusion_reason: str | None = None
    cogeneration: bool = False
    external_supply: bool = False
    notes: str | None = None
    retired_from: str | None = None
    #: How many monitoring writes referenced it (never decreases): a source with any
    #: cannot be deleted, nor its factor changed.
    monitoring_count: int = 0
    #: The latest month that ever had monitoring data (a source is retired only after it).
    last_month: str | None = None
    version: int = 0
    updated_by: str = ""
    updated_at: str = ""
    created_at: str = ""

    @property
    def registered(self) -> bool:
        return self.status is SourceStatus.REGISTERED

    def retired_in(self, month: str) -> bool:
        return self.retired_from is not None and month >= self.retired_from

    @property
    def in_use(self) -> bool:
        return self.monitoring_count > 0


def completeness_problems(source: Source, factors: FactorTable) -> list[dict[str, str]]:
    """Why a source could not be registered as it is (empty: it can). Drafts are only
    checked for what they do say (a factor that does not exist, a unit of another family)."""
    problems: list[dict[str, str]] = []

    def problem(field_name: str, code: str) -> None:
        problems.append({"field": field_name, "problem": code})

    complete = source.registered
    if complete and not (source.name_ja or "").strip():
        problem("name_ja", "required")
    if complete and not source.categories:
        problem("categories", "at_least_one")
    if len(set(source.categories)) != len(source.categories):
        problem("categories", "duplicate")
    if source.factor_key is not None and source.factor_key not in factors:
        problem("factor_key", "unknown_factor")
    elif complete and source.factor_key is None:
        problem("factor_key", "required")
    if source.unit is not None and source.unit not in FAMILY_OF:
        problem("unit", "unknown_unit")
    elif source.unit is not None and source.factor_key is not None and source.factor_key in factors:
        if FAMILY_OF[source.unit] is not FAMILY_OF[factors.unit_of(source.factor_key)]:
            problem("unit", "not_in_factor_family")
    elif complete and source.unit is None:
        problem("unit", "required")
    if complete and source.basis is None:
        problem("basis", "required")
    if source.basis is Basis.OTHER and complete and not (source.basis_text or "").strip():
        problem("basis_text", "required_for_other")
    if source.excluded and complete and not (source.exclusion_reason or "").strip():
        problem("exclusion_reason", "required_when_excluded")
    if not source.excluded and source.exclusion_reason:
        problem("exclusion_reason", "only_when_excluded")
    return problems


def check_source(source: Source, factors: FactorTable) -> None:
    problems = completeness_problems(source, factors)
    if problems:
        raise SourceIncomplete(field=problems[0]["field"], problems=", ".join(f"{p['field']}: {p['problem']}" for p in problems),
                               details=[dict(p) for p in problems])
