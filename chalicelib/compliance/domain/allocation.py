"""Allocation from base years (DESIGN.md section 4): base-year emissions are the average
of the three reviewed base-year figures, rounded down to whole t-CO2 (no tonne is counted
that was not emitted); the assigned amount is that minus the committed reduction."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.compliance.domain.phases import Participant


@dataclass(frozen=True)
class MissingFigure:
    """A base year of a target without an accepted or determined figure."""

    org_id: str
    fiscal_year: int


@dataclass(frozen=True)
class Assignment:
    org_id: str
    base_year_emissions_t: int
    committed_reduction_t: int
    assigned_t: int


def base_year_emissions(figures: list[int] | tuple[int, ...]) -> int:
    """The average of the three base years, rounded down (integers only, no float)."""
    return sum(figures) // len(figures)


def assignment(participant: Participant, figures: list[int] | tuple[int, ...]) -> Assignment:
    base = base_year_emissions(figures)
    committed = participant.committed_reduction_t or 0
    return Assignment(participant.org_id, base, committed, base - committed)


def allocation_key(phase_id: str, org_id: str) -> str:
    """The issuance's idempotency key: one per phase and participant, so two runs (even
    at the same instant) derive the same transaction and only one is written."""
    return f"allocation:{phase_id}:{org_id}"
