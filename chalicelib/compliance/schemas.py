"""The compliance system's response models and administrator event models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.core.http.schemas import EventModel, RequestModel, ResponseModel

PhaseId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$", examples=["phase-1"])]
FiscalYear = Annotated[int, Field(ge=2000, le=2100)]
IsoDate = Annotated[str, Field(min_length=10, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2007-08-31"])]
Requester = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]
KindName = Literal["target_subsidised", "target", "trading"]
OutcomeName = Literal["compliant", "non_compliant", "no_accepted_emissions"]


# --- administrator events ----------------------------------------------------------------


class ParticipantEvent(EventModel):
    org_id: Annotated[str, Field(min_length=1, max_length=64)]
    kind: KindName
    committed_reduction_t: Annotated[int, Field(ge=1, le=10**12)] | None = None
    subsidy_yen: Annotated[int, Field(ge=1, le=10**13)] | None = None


class DeadlineEvent(EventModel):
    fiscal_year: FiscalYear
    due: IsoDate


class TradingPeriodEvent(EventModel):
    start: IsoDate
    end: IsoDate


class DefinePhase(EventModel):
    """Define a phase: its timeline, report deadlines and participants (once)."""

    id: PhaseId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_ja: Annotated[str, Field(min_length=1, max_length=200)]
    base_years: Annotated[list[FiscalYear], Field(min_length=3, max_length=3)]
    commitment_year: FiscalYear
    adjustment_end: IsoDate
    trading_period: TradingPeriodEvent
    compliance_period: Annotated[str, Field(pattern=r"^[0-9]{2}$")] = "01"
    report_deadlines: Annotated[list[DeadlineEvent], Field(max_length=4)] = []
    participants: Annotated[list[ParticipantEvent], Field(min_length=1, max_length=2000)]
    requested_by: Requester = "administrator"


class PhaseEvent(EventModel):
    """Name a phase (allocate_phase, true_up, phase_report, overdue_reports)."""

    phase_id: PhaseId
    requested_by: Requester = "administrator"


class PhaseReportEvent(PhaseEvent):
    format: Literal["json", "csv"] = "json"


# --- responses ---------------------------------------------------------------------------


class ParticipantView(ResponseModel):
    org_id: str
    name: str
    name_ja: str
    kind: KindName
    committed_reduction_t: int | None
    subsidy_yen: int | None


class DeadlineView(ResponseModel):
    fiscal_year: int
    due: str


class PeriodView(ResponseModel):
    start: str
    end: str


class PhaseView(ResponseModel):
    id: str
    name: str
    name_ja: str
    base_years: list[int]
    commitment_year: int
    commitment_start: str
    commitment_end: str
    adjustment_end: str
    trading_period: PeriodView
    compliance_period: str
    report_deadlines: list[DeadlineView]
    state: Literal["setting_up", "commitment_year", "adjustment_period", "ended"] | None
    target_participants: int
    trading_participants: int
    #: Administrators: every participant; a participant: its own row; a verifier: none.
    participants: list[ParticipantView]


class PhaseList(ResponseModel):
    phases: list[PhaseView]


class TrueUpRow(ResponseModel):
    org_id: str
    name: str
    name_ja: str
    kind: KindName
    subsidy_yen: int | None
    outcome: OutcomeName | None
    emissions_t: int | None
    retired_t: int | None
    shortfall_t: int | None
    subsidy_to_return_yen: int | None
    decided_at: str | None


class TrueUpSummary(ResponseModel):
    compliant: int
    non_compliant: int
    no_accepted_emissions: int
    not_run: int
    subsidy_to_return_yen: int
    shortfall_t: int


class TrueUpView(ResponseModel):
    phase_id: str
    adjustment_end: str
    commitment_year: int
    results: list[TrueUpRow]
    summary: TrueUpSummary


class ReportParticipant(ResponseModel):
    org_id: str
    name: str
    name_ja: str
    kind: KindName
    base_year_emissions_t: int | None
    committed_reduction_t: int
    commitment_year_emissions_t: int | None
    achieved_reduction_t: int | None


class PhaseReport(ResponseModel):
    phase_id: str
    name: str
    name_ja: str
    commitment_year: int
    trading_period: PeriodView
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
    #: Targets left out of the sums: a base year or the commitment year not reviewed.
    incomplete: list[str]
    participants: list[ReportParticipant]


class OverdueRow(ResponseModel):
    org_id: str
    name: str
    name_ja: str
    fiscal_year: int
    due: str
    report_id: str | None
    status: str
    kind: Literal["overdue", "late"]
    days: int


class OverdueView(ResponseModel):
    phase_id: str
    today: str
    report_deadlines: list[DeadlineView]
    overdue: list[OverdueRow]
    late: list[OverdueRow]


class AllocationPayload(RequestModel):
    """A proposal to issue one target's allocation of a phase (four eyes): the figures
    are pinned when proposed; the approval issues only if they still hold."""

    phase_id: PhaseId
    org_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    base_year_emissions_t: Annotated[int, Field(ge=0, le=10**12)]
    committed_reduction_t: Annotated[int, Field(ge=0, le=10**12)]
    assigned_t: Annotated[int, Field(ge=1, le=10**12)]
