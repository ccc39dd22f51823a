"""The true-up after the adjustment period (DESIGN.md section 5): each target must have
retired, for the commitment year's compliance period, at least its reviewed emissions of
that year; otherwise it is non-compliant and a subsidised target returns its subsidy.
Surplus stays banked in its account. Without a reviewed figure nothing can be decided yet."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.compliance.domain.phases import Participant


class Outcome(str, Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    NO_ACCEPTED_EMISSIONS = "no_accepted_emissions"

    @property
    def final(self) -> bool:
        """A decision is kept for good; "nothing decided yet" may be decided later."""
        return self is not Outcome.NO_ACCEPTED_EMISSIONS


@dataclass(frozen=True)
class Decision:
    org_id: str
    outcome: Outcome
    emissions_t: int | None
    retired_t: int
    shortfall_t: int
    subsidy_to_return_yen: int


def decide(participant: Participant, emissions_t: int | None, retired_t: int) -> Decision:
    if emissions_t is None:
        return Decision(participant.org_id, Outcome.NO_ACCEPTED_EMISSIONS, None, retired_t, 0, 0)
    shortfall = max(emissions_t - retired_t, 0)
    if shortfall == 0:
        return Decision(participant.org_id, Outcome.COMPLIANT, emissions_t, retired_t, 0, 0)
    return Decision(participant.org_id, Outcome.NON_COMPLIANT, emissions_t, retired_t, shortfall, participant.subsidy_yen or 0)
