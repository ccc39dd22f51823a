"""What the compliance use cases need, as protocols: its own store, and the other systems
it reads or asks (the container wires them; the unit tests use fakes, tests/unit/fakes).

- the registry: a target's operator holding account, the issuance of its allowances (with
  this system's marker in the very same transaction), and units retired toward a period;
- the emissions system: reviewed (accepted or determined) figures and report states;
- the notice board: settled deals between two dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.compliance.domain.phases import Phase
from chalicelib.compliance.domain.trueup import Decision
from chalicelib.core.organisations import Organisation


@dataclass(frozen=True)
class AllocationRecord:
    """A target's allocation of a phase, written in the issuance's own transaction."""

    phase_id: str
    org_id: str
    account: str
    base_year_emissions_t: int
    committed_reduction_t: int
    assigned_t: int
    transaction_id: str
    allocated_at: str


@dataclass(frozen=True)
class StoredDecision:
    decision: Decision
    decided_at: str


class ComplianceStorePort(Protocol):
    def define(self, phase: Phase, at: str, by: str) -> None:
        """Create the phase; ``CommitFailed(("phase",))`` if the id is taken."""

    def phase(self, phase_id: str) -> Phase | None: ...

    def phases(self) -> list[Phase]: ...

    def allocations(self, phase_id: str) -> dict[str, AllocationRecord]: ...

    def allocation_marker(self, record: AllocationRecord) -> Any:
        """The write (a ``LinkedWrite``) that records the allocation inside the issuance's
        transaction, on condition that the participant has none yet in the phase."""

    def decisions(self, phase_id: str) -> dict[str, StoredDecision]: ...

    def record_decision(self, phase_id: str, decision: StoredDecision, replaces_undecided: bool) -> None:
        """Store a true-up result: a new one, or over a stored "no accepted emissions";
        ``CommitFailed`` if the stored result is not what the caller read."""


@dataclass(frozen=True)
class IssueRequest:
    account: str
    amount: int
    period: str
    reason: str
    idempotency_key: str
    initiated_by: str


@dataclass(frozen=True)
class Issued:
    transaction_id: str
    #: The issuance had already been written under its key (nothing new was issued).
    replayed: bool


class RegistryPort(Protocol):
    def operator_account(self, org_id: str) -> str | None:
        """The organisation's open operator holding account (type 120), if any."""

    def issue(self, request: IssueRequest, linked: tuple[Any, ...]) -> Issued:
        """Issue JPAs into the account, with ``linked`` in the same transaction."""

    def issuance_id(self, idempotency_key: str) -> str:
        """The transaction id an issuance under this key is written as."""

    def retired(self, org_id: str, compliance_period: str, first: date, last: date) -> int:
        """Units the organisation retired toward the period, between the two dates (JST)."""


class ReviewedFigure(Protocol):
    """An accepted or determined emissions figure (never an unreviewed one)."""

    @property
    def t_co2(self) -> int: ...

    @property
    def basis(self) -> str: ...


class ReportStateView(Protocol):
    @property
    def org_id(self) -> str: ...

    @property
    def report_id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def submitted_at(self) -> str | datetime | None: ...


class ReviewedEmissionsPort(Protocol):
    def reviewed_emissions(self, org_id: str, fiscal_year: int) -> ReviewedFigure | None: ...

    def report_states(self, fiscal_year: int) -> list[Any]: ...


class TradeFiguresView(Protocol):
    @property
    def deals(self) -> int: ...

    @property
    def volume_t(self) -> int: ...

    @property
    def amount_yen(self) -> int: ...


class TradeStatisticsPort(Protocol):
    def settled_between(self, start: date, end: date) -> Any:
        """Settled deals with a settlement date (JST) in [start, end]: a ``TradeFiguresView``."""


class OrganisationsPort(Protocol):
    def get(self, org_id: str) -> Organisation | None: ...
