"""The phase report, as the seed's results tables (DESIGN.md sections 5 and 7):
participants with targets, trading participants, total base-year emissions, achieved and
committed reductions in t-CO2 and % of base, number of transactions, traded volume and
average price. Percentages and the average price are rounded half up to whole numbers."""

from __future__ import annotations

from dataclasses import dataclass


def ratio_half_up(numerator: int, denominator: int) -> int | None:
    """round(numerator / denominator) half up, in integers (None when nothing to divide by)."""
    if denominator <= 0:
        return None
    return (2 * numerator + denominator) // (2 * denominator)


def percent(part: int, whole: int) -> int | None:
    return ratio_half_up(100 * part, whole)


@dataclass(frozen=True)
class ParticipantRow:
    """One target's line: base, committed and achieved (base - commitment-year emissions,
    None while that year's figure is not reviewed)."""

    org_id: str
    base_year_emissions_t: int | None
    committed_reduction_t: int
    commitment_year_emissions_t: int | None

    @property
    def achieved_reduction_t(self) -> int | None:
        if self.base_year_emissions_t is None or self.commitment_year_emissions_t is None:
            return None
        return self.base_year_emissions_t - self.commitment_year_emissions_t


@dataclass(frozen=True)
class PhaseFigures:
    target_participants: int
    trading_participants: int
    base_year_emissions_t: int
    achieved_reduction_t: int
    achieved_percent: int | None
    committed_reduction_t: int
    committed_percent: int | None
    transactions: int
    traded_volume_t: int
    traded_amount_yen: int
    average_price_yen: int | None
    #: Targets whose base years or commitment year are not reviewed (left out of the sums).
    incomplete: tuple[str, ...]


def figures(rows: list[ParticipantRow], trading_participants: int, deals: int, volume_t: int, amount_yen: int) -> PhaseFigures:
    base = sum(r.base_year_emissions_t or 0 for r in rows)
    achieved = sum(r.achieved_reduction_t or 0 for r in rows)
    committed = sum(r.committed_reduction_t for r in rows)
    return PhaseFigures(
        target_participants=len(rows), trading_participants=trading_participants,
        base_year_emissions_t=base, achieved_reduction_t=achieved, achieved_percent=percent(achieved, base),
        committed_reduction_t=committed, committed_percent=percent(committed, base),
        transactions=deals, traded_volume_t=volume_t, traded_amount_yen=amount_yen,
        average_price_yen=ratio_half_up(amount_yen, volume_t),
        incomplete=tuple(r.org_id for r in rows if r.achieved_reduction_t is None),
    )
