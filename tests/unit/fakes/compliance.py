"""In-memory compliance store and the other systems' sides of compliance's ports.

The allocation marker is a ``FakeLinkedWrite`` on the registry fake's ``linked_items``:
the fake ledger store writes it with the issuance, or not at all, as the adapter's
single ``TransactWriteItems`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.compliance.domain.phases import Phase
from chalicelib.compliance.domain.trueup import Outcome
from chalicelib.compliance.ports import AllocationRecord, StoredDecision
from chalicelib.core.transactions import CommitFailed
from tests.unit.fakes.registry import FakeLinkedWrite, Memory


class FakeComplianceStore:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.defined: dict[str, tuple[Phase, str, str]] = {}
        self.results: dict[tuple[str, str], StoredDecision] = {}
        self.decision_writes = 0

    def define(self, phase: Phase, at: str, by: str) -> None:
        if phase.phase_id in self.defined:
            raise CommitFailed(("phase",))
        self.defined[phase.phase_id] = (phase, at, by)

    def phase(self, phase_id: str) -> Phase | None:
        found = self.defined.get(phase_id)
        return found[0] if found else None

    def phases(self) -> list[Phase]:
        return [phase for phase, _, _ in self.defined.values()]

    def allocations(self, phase_id: str) -> dict[str, AllocationRecord]:
        prefix = f"ALLOC#{phase_id}#"
        return {key.removeprefix(prefix): value for key, value in self.memory.linked_items.items() if key.startswith(prefix)}

    def allocation_marker(self, record: AllocationRecord) -> FakeLinkedWrite:
        return FakeLinkedWrite(f"allocation:{record.org_id}", f"ALLOC#{record.phase_id}#{record.org_id}", None, record, kind="save")

    def decisions(self, phase_id: str) -> dict[str, StoredDecision]:
        return {org: stored for (phase, org), stored in self.results.items() if phase == phase_id}

    def record_decision(self, phase_id: str, decision: StoredDecision, replaces_undecided: bool) -> None:
        key = (phase_id, decision.decision.org_id)
        current = self.results.get(key)
        holds = (current is not None and current.decision.outcome is Outcome.NO_ACCEPTED_EMISSIONS) if replaces_undecided else current is None
        if not holds:
            raise CommitFailed(("decision",))
        self.results[key] = decision
        self.decision_writes += 1


@dataclass(frozen=True)
class Reviewed:
    org_id: str
    fiscal_year: int
    t_co2: int
    basis: str = "accepted"
    report_id: str = "R-1"
    version: int = 1


@dataclass(frozen=True)
class State:
    fiscal_year: int
    org_id: str
    report_id: str
    version: int
    status: str
    submitted_at: str | None


@dataclass
class FakeReviewedEmissions:
    """The emissions system's side: reviewed figures and report states, as a test sets them."""

    figures: dict[tuple[str, int], int] = field(default_factory=dict)
    states: list[State] = field(default_factory=list)

    def reviewed_emissions(self, org_id: str, fiscal_year: int) -> Reviewed | None:
        value = self.figures.get((org_id, fiscal_year))
        return None if value is None else Reviewed(org_id, fiscal_year, value)

    def report_states(self, fiscal_year: int) -> list[State]:
        return [s for s in self.states if s.fiscal_year == fiscal_year]


@dataclass(frozen=True)
class Figures:
    deals: int
    volume_t: int
    amount_yen: int


@dataclass
class FakeTradeStatistics:
    """The notice board's side: settled deals, each (settlement date, quantity, price)."""

    deals: list[tuple[date, int, int]] = field(default_factory=list)
    asked: list[tuple[date, date]] = field(default_factory=list)

    def settled_between(self, start: date, end: date) -> Any:
        self.asked.append((start, end))
        chosen = [(q, p) for day, q, p in self.deals if start <= day <= end]
        return Figures(len(chosen), sum(q for q, _ in chosen), sum(q * p for q, p in chosen))
