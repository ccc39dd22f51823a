"""The compliance use cases: define a phase, allocate from base years, true up after the
adjustment period, the phase report and the overdue reports.

Allocation issues each target's allowances through the registry's issuance, with this
system's allocation marker as a linked write in the very same ``TransactWriteItems``: the
marker exists if and only if the units were issued. The issuance's idempotency key is one
per phase and participant, so a rerun, or a second run racing the first, finds the
transaction already written and issues nothing new.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from chalicelib.compliance.domain import allocation, deadlines, report
from chalicelib.compliance.domain.errors import (
    AllocationChanged,
    AlreadyAllocated,
    BaseYearsNotReviewed,
    InvalidPhase,
    NoOperatorAccount,
    NotATarget,
    NothingToAssign,
    PhaseExists,
    PhaseNotFound,
    TrueUpTooEarly,
)
from chalicelib.compliance.domain.phases import Participant, Phase, check_phase
from chalicelib.compliance.domain.trueup import Outcome, decide
from chalicelib.compliance.ports import (
    AllocationRecord,
    ComplianceStorePort,
    IssueRequest,
    OrganisationsPort,
    RegistryPort,
    ReviewedEmissionsPort,
    StoredDecision,
    TradeStatisticsPort,
)
from chalicelib.core.clock import JST, now_jst
from chalicelib.core.principal import Principal, Role
from chalicelib.core.transactions import CommitFailed

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class TradingPeriod:
    """A phase's trading period (the notice board groups its statistics by it)."""

    phase_id: str
    start: date
    end: date


def _stamp(now: datetime) -> str:
    return now.astimezone(JST).isoformat(timespec="seconds")


def participant_view(participant: Participant) -> dict[str, Any]:
    return {"org_id": participant.org_id, "name": participant.name, "name_ja": participant.name_ja,
            "kind": participant.kind.value, "committed_reduction_t": participant.committed_reduction_t,
            "subsidy_yen": participant.subsidy_yen}


def phase_view(phase: Phase, participants: tuple[Participant, ...] | None = None, today: date | None = None) -> dict[str, Any]:
    shown = phase.participants if participants is None else participants
    return {
        "id": phase.phase_id, "name": phase.name, "name_ja": phase.name_ja,
        "base_years": list(phase.base_years), "commitment_year": phase.commitment_year,
        "commitment_start": phase.commitment_start.isoformat(), "commitment_end": phase.commitment_end.isoformat(),
        "adjustment_end": phase.adjustment_end.isoformat(),
        "trading_period": {"start": phase.trading_start.isoformat(), "end": phase.trading_end.isoformat()},
        "compliance_period": phase.compliance_period,
        "report_deadlines": [{"fiscal_year": d.fiscal_year, "due": d.due.isoformat()} for d in phase.deadlines],
        "state": _state(phase, today) if today else None,
        "target_participants": len(phase.targets), "trading_participants": len(phase.trading),
        "participants": [participant_view(p) for p in shown],
    }


def _state(phase: Phase, today: date) -> str:
    if today < phase.commitment_start:
        return "setting_up"
    if today <= phase.commitment_end:
        return "commitment_year"
    if today <= phase.adjustment_end:
        return "adjustment_period"
    return "ended"


def decision_view(participant: Participant, stored: StoredDecision | None) -> dict[str, Any]:
    base = {"org_id": participant.org_id, "name": participant.name, "name_ja": participant.name_ja, "kind": participant.kind.value,
            "subsidy_yen": participant.subsidy_yen}
    if stored is None:
        return {**base, "outcome": None, "emissions_t": None, "retired_t": None, "shortfall_t": None,
                "subsidy_to_return_yen": None, "decided_at": None}
    d = stored.decision
    return {**base, "outcome": d.outcome.value, "emissions_t": d.emissions_t, "retired_t": d.retired_t,
            "shortfall_t": d.shortfall_t, "subsidy_to_return_yen": d.subsidy_to_return_yen, "decided_at": stored.decided_at}


def allocation_view(record: AllocationRecord) -> dict[str, Any]:
    return {"org_id": record.org_id, "account": record.account, "base_year_emissions_t": record.base_year_emissions_t,
            "committed_reduction_t": record.committed_reduction_t, "assigned_t": record.assigned_t,
            "transaction_id": record.transaction_id or None, "allocated_at": record.allocated_at}


class ComplianceService:
    def __init__(self, store: ComplianceStorePort, *, registry: RegistryPort, emissions: ReviewedEmissionsPort,
                 trades: TradeStatisticsPort, organisations: OrganisationsPort, clock: Clock = now_jst) -> None:
        self.store = store
        self.registry = registry
        self.emissions = emissions
        self.trades = trades
        self.organisations = organisations
        self.clock = clock

    def _today(self) -> date:
        return self.clock().astimezone(JST).date()

    def _phase(self, phase_id: str) -> Phase:
        phase = self.store.phase(phase_id) if len(phase_id) <= 32 else None
        if phase is None:
            raise PhaseNotFound(phase_id=phase_id[:32])
        return phase

    # --- phases ---------------------------------------------------------------------

    def define_phase(self, phase: Phase, by: str) -> dict[str, Any]:
        """Define a phase once; the same definition again is a replay, another is refused."""
        check_phase(phase)
        named: list[Participant] = []
        for participant in phase.participants:
            organisation = self.organisations.get(participant.org_id)
            if organisation is None or organisation.kind.value != participant.kind.value:
                found = organisation.kind.value if organisation else "none"
                raise InvalidPhase(reason=f"{participant.org_id} is not an organisation of kind {participant.kind.value} ({found}).",
                                   reason_ja=f"{participant.org_id} は種別 {participant.kind.value} の組織ではありません（{found}）。",
                                   field="participants")
            named.append(replace(participant, name=organisation.name, name_ja=organisation.name_ja))
        phase = replace(phase, participants=tuple(named))
        try:
            self.store.define(phase, _stamp(self.clock()), by)
        except CommitFailed as failed:
            existing = self.store.phase(phase.phase_id)
            if existing is not None and existing.to_record() == phase.to_record():
                return {"phase": phase_view(existing, today=self._today()), "created": False}
            raise PhaseExists(phase_id=phase.phase_id, field="id") from failed
        return {"phase": phase_view(phase, today=self._today()), "created": True}

    def phases_for(self, principal: Principal) -> dict[str, Any]:
        """Administrators: every phase with every row. Participants: the phases they take
        part in, with their own row only. Verifiers: every phase's timeline, no rows."""
        today = self._today()
        shown = []
        for phase in sorted(self.store.phases(), key=lambda p: (p.commitment_year, p.phase_id)):
            rows = self._rows_for(principal, phase)
            if rows is not None:
                shown.append(phase_view(phase, rows, today))
        return {"phases": shown}

    def phase_for(self, principal: Principal, phase_id: str) -> dict[str, Any]:
        phase = self._phase(phase_id)
        rows = self._rows_for(principal, phase)
        if rows is None:
            raise PhaseNotFound(phase_id=phase_id)
        return phase_view(phase, rows, self._today())

    @staticmethod
    def _rows_for(principal: Principal, phase: Phase) -> tuple[Participant, ...] | None:
        if principal.is_admin:
            return phase.participants
        if principal.role is Role.VERIFIER:
            return ()
        own = phase.participant(principal.org_id)
        return (own,) if own is not None else None

    def trading_periods(self) -> list[TradingPeriod]:
        return [TradingPeriod(p.phase_id, p.trading_start, p.trading_end)
                for p in sorted(self.store.phases(), key=lambda p: (p.trading_start, p.phase_id))]

    # --- allocation -------------------------------------------------------------------

    def _base_figures(self, phase: Phase, participant: Participant) -> tuple[list[int], list[int]]:
        """The reviewed figures of the base years, and the years without one."""
        figures, missing = [], []
        for year in phase.base_years:
            reviewed = self.emissions.reviewed_emissions(participant.org_id, year)
            if reviewed is None:
                missing.append(year)
            else:
                figures.append(int(reviewed.t_co2))
        return figures, missing

    def _plan(self, phase: Phase, pending: list[Participant]) -> list[tuple[Participant, allocation.Assignment, str]]:
        """Each pending target's assignment and operator account; refused as a whole while
        any base year lacks a reviewed figure, an account is missing or nothing is left."""
        missing: list[dict[str, Any]] = []
        no_account: list[str] = []
        planned: list[tuple[Participant, allocation.Assignment, str]] = []
        for participant in pending:
            figures, years = self._base_figures(phase, participant)
            missing.extend({"org_id": participant.org_id, "fiscal_year": year} for year in years)
            account = self.registry.operator_account(participant.org_id)
            if account is None:
                no_account.append(participant.org_id)
            if not years and account is not None:
                planned.append((participant, allocation.assignment(participant, figures), account))
        if missing:
            raise BaseYearsNotReviewed(count=len(missing), details=missing)
        if no_account:
            raise NoOperatorAccount(count=len(no_account), details=[{"org_id": org} for org in no_account])
        empty = [a for _, a, _ in planned if a.assigned_t < 1]
        if empty:
            raise NothingToAssign(count=len(empty), details=[{"org_id": a.org_id, "base_year_emissions_t": a.base_year_emissions_t,
                                                               "committed_reduction_t": a.committed_reduction_t} for a in empty])
        return planned

    def allocation_plan(self, phase_id: str) -> dict[str, Any]:
        """What ``allocate_phase`` proposes (four eyes): every target not yet allocated,
        with its figures pinned, and those already allocated. Issues nothing."""
        phase = self._phase(phase_id)
        done = self.store.allocations(phase_id)
        planned = self._plan(phase, [p for p in phase.targets if p.org_id not in done])
        return {"phase_id": phase.phase_id, "already_allocated": sorted(done),
                "planned": [{"org_id": p.org_id, "account": account, "base_year_emissions_t": a.base_year_emissions_t,
                             "committed_reduction_t": a.committed_reduction_t, "assigned_t": a.assigned_t}
                            for p, a, account in planned]}

    def issuance_id(self, phase_id: str, org_id: str) -> str:
        """The registry transaction an allocation is written as (what a proposal records)."""
        return self.registry.issuance_id(allocation.allocation_key(phase_id, org_id))

    def _proposed(self, phase_id: str, org_id: str, proposed_t: int) -> tuple[Phase, allocation.Assignment, str]:
        """One target's allocation as proposed: refused unless it is a target, not yet
        allocated, and its figures are still those proposed (reads that target only)."""
        phase = self._phase(phase_id)
        participant = next((p for p in phase.targets if p.org_id == org_id), None)
        if participant is None:
            raise NotATarget(org_id=org_id, phase_id=phase.phase_id)
        if org_id in self.store.allocations(phase_id):
            raise AlreadyAllocated(org_id=org_id, phase_id=phase.phase_id)
        ((_, assigned, account),) = self._plan(phase, [participant])
        if assigned.assigned_t != proposed_t:
            raise AllocationChanged(org_id=org_id, assigned_t=assigned.assigned_t, proposed_t=proposed_t)
        return phase, assigned, account

    def check_allocation(self, phase_id: str, org_id: str, proposed_t: int) -> None:
        """What a proposal of this allocation must pass when it is made (and again when approved)."""
        self._proposed(phase_id, org_id, proposed_t)

    def allocate_one(self, phase_id: str, org_id: str, proposed_t: int, by: str, linked: tuple[Any, ...] = ()) -> dict[str, Any]:
        """One target's allocation, approved: issued with its marker (and ``linked``, the
        approval's mark) in one transaction, only if its figures are still those proposed."""
        phase, assigned, account = self._proposed(phase_id, org_id, proposed_t)
        record = AllocationRecord(phase.phase_id, org_id, account, assigned.base_year_emissions_t,
                                  assigned.committed_reduction_t, assigned.assigned_t, "", _stamp(self.clock()))
        request = IssueRequest(account=account, amount=assigned.assigned_t, period=phase.compliance_period,
                               reason=f"Allocation of phase {phase.phase_id} / フェーズ {phase.phase_id} の割当",
                               idempotency_key=allocation.allocation_key(phase.phase_id, org_id), initiated_by=by)
        outcome = self.registry.issue(request, (self.store.allocation_marker(record), *linked))
        if outcome.replayed:
            raise AlreadyAllocated(org_id=org_id, phase_id=phase.phase_id)
        return {"phase_id": phase.phase_id, "issued": [allocation_view(replace(record, transaction_id=outcome.transaction_id))]}

    def allocate(self, phase_id: str, by: str) -> dict[str, Any]:
        """Every pending target's allocation at once, without four eyes: for tools and tests
        over the service; the administrator function proposes instead (``allocation_plan``)."""
        phase = self._phase(phase_id)
        done = self.store.allocations(phase_id)
        planned = self._plan(phase, [p for p in phase.targets if p.org_id not in done])
        issued: list[dict[str, Any]] = []
        already = sorted(done)
        for participant, assigned, account in planned:
            key = allocation.allocation_key(phase.phase_id, participant.org_id)
            record = AllocationRecord(phase.phase_id, participant.org_id, account, assigned.base_year_emissions_t,
                                      assigned.committed_reduction_t, assigned.assigned_t, "", _stamp(self.clock()))
            request = IssueRequest(account=account, amount=assigned.assigned_t, period=phase.compliance_period,
                                   reason=f"Allocation of phase {phase.phase_id} / フェーズ {phase.phase_id} の割当",
                                   idempotency_key=key, initiated_by=by)
            outcome = self.registry.issue(request, (self.store.allocation_marker(record),))
            if outcome.replayed:  # a run racing this one issued it first
                already.append(participant.org_id)
                continue
            issued.append(allocation_view(replace(record, transaction_id=outcome.transaction_id)))
        if issued:
            message = f"Issued the allocations of {len(issued)} target participants."
            message_ja = f"{len(issued)} 件の目標保有参加者に割当量を発行しました。"
        else:
            message = "Nothing new was issued: every target participant of the phase already has its allocation."
            message_ja = "新たな発行はありません。このフェーズの目標保有参加者はすべて割当済みです。"
        return {"phase_id": phase.phase_id, "issued": issued, "already_allocated": sorted(already),
                "message": message, "message_ja": message_ja}

    def allocations(self, phase_id: str) -> dict[str, Any]:
        phase = self._phase(phase_id)
        done = self.store.allocations(phase_id)
        return {"phase_id": phase.phase_id, "allocations": [allocation_view(done[p.org_id]) for p in phase.targets if p.org_id in done]}

    # --- true-up ----------------------------------------------------------------------

    def true_up(self, phase_id: str) -> dict[str, Any]:
        phase = self._phase(phase_id)
        if self._today() <= phase.adjustment_end:
            raise TrueUpTooEarly(phase_id=phase.phase_id, adjustment_end=phase.adjustment_end.isoformat())
        stored = self.store.decisions(phase_id)
        changed: list[str] = []
        first = date(phase.base_years[0], 4, 1)
        for participant in phase.targets:
            before = stored.get(participant.org_id)
            if before is not None and before.decision.outcome.final:
                continue
            reviewed = self.emissions.reviewed_emissions(participant.org_id, phase.commitment_year)
            retired = self.registry.retired(participant.org_id, phase.compliance_period, first, phase.adjustment_end)
            decision = decide(participant, int(reviewed.t_co2) if reviewed is not None else None, retired)
            if before is not None and before.decision == decision:
                continue
            new = StoredDecision(decision, _stamp(self.clock()))
            try:
                self.store.record_decision(phase_id, new, replaces_undecided=before is not None)
            except CommitFailed:
                continue  # another run stored it first: that result stands
            stored[participant.org_id] = new
            changed.append(participant.org_id)
        stored = self.store.decisions(phase_id) if changed else stored
        rows = [decision_view(p, stored.get(p.org_id)) for p in phase.targets]
        if changed:
            message, message_ja = f"Stored the results of {len(changed)} target participants.", f"{len(changed)} 件の結果を記録しました。"
        else:
            message, message_ja = "Nothing changed: every result was already stored.", "変更はありません。すべての結果は記録済みです。"
        return {"phase_id": phase.phase_id, "results": rows, "changed": changed, "summary": _summary(rows),
                "message": message, "message_ja": message_ja}

    def true_up_for(self, principal: Principal, phase_id: str) -> dict[str, Any]:
        """Administrators: the table of every target. A target: its own result."""
        phase = self._phase(phase_id)
        stored = self.store.decisions(phase_id)
        if principal.is_admin:
            rows = [decision_view(p, stored.get(p.org_id)) for p in phase.targets]
        else:
            own = phase.participant(principal.org_id)
            if own is None or not own.kind.has_target:
                raise PhaseNotFound(phase_id=phase_id)
            rows = [decision_view(own, stored.get(own.org_id))]
        return {"phase_id": phase.phase_id, "adjustment_end": phase.adjustment_end.isoformat(),
                "commitment_year": phase.commitment_year, "results": rows, "summary": _summary(rows)}

    # --- the phase report -------------------------------------------------------------

    def phase_report(self, phase_id: str) -> dict[str, Any]:
        phase = self._phase(phase_id)
        done = self.store.allocations(phase_id)
        rows: list[report.ParticipantRow] = []
        for participant in phase.targets:
            if participant.org_id in done:
                base: int | None = done[participant.org_id].base_year_emissions_t
            else:
                figures, missing = self._base_figures(phase, participant)
                base = None if missing else allocation.base_year_emissions(figures)
            reviewed = self.emissions.reviewed_emissions(participant.org_id, phase.commitment_year)
            rows.append(report.ParticipantRow(participant.org_id, base, participant.committed_reduction_t or 0,
                                              int(reviewed.t_co2) if reviewed is not None else None))
        trades = self.trades.settled_between(phase.trading_start, phase.trading_end)
        totals = report.figures(rows, len(phase.trading), int(trades.deals), int(trades.volume_t), int(trades.amount_yen))
        names = {p.org_id: p for p in phase.participants}
        return {
            "phase_id": phase.phase_id, "name": phase.name, "name_ja": phase.name_ja,
            "commitment_year": phase.commitment_year,
            "trading_period": {"start": phase.trading_start.isoformat(), "end": phase.trading_end.isoformat()},
            "target_participants": totals.target_participants,
            "trading_participants": totals.trading_participants,
            "base_year_emissions_t": totals.base_year_emissions_t,
            "achieved_reduction_t": totals.achieved_reduction_t, "achieved_percent": totals.achieved_percent,
            "committed_reduction_t": totals.committed_reduction_t, "committed_percent": totals.committed_percent,
            "transactions": totals.transactions, "traded_volume_t": totals.traded_volume_t,
            "traded_amount_yen": totals.traded_amount_yen, "average_price_yen": totals.average_price_yen,
            "incomplete": list(totals.incomplete),
            "participants": [
                {"org_id": r.org_id, "name": names[r.org_id].name, "name_ja": names[r.org_id].name_ja,
                 "kind": names[r.org_id].kind.value, "base_year_emissions_t": r.base_year_emissions_t,
                 "committed_reduction_t": r.committed_reduction_t, "commitment_year_emissions_t": r.commitment_year_emissions_t,
                 "achieved_reduction_t": r.achieved_reduction_t}
                for r in rows
            ],
        }

    # --- deadlines --------------------------------------------------------------------

    def overdue(self, phase_id: str) -> dict[str, Any]:
        """Every target's reports of the phase's years: overdue (deadline passed, not
        submitted) and late (submitted after the deadline)."""
        phase = self._phase(phase_id)
        today = self._today()
        targets = {p.org_id: p for p in phase.targets}
        listed: list[dict[str, Any]] = []
        for deadline in sorted(phase.deadlines, key=lambda d: d.fiscal_year):
            latest: dict[str, Any] = {}
            for state in self.emissions.report_states(deadline.fiscal_year):
                if state.org_id in targets and (state.org_id not in latest or state.version > latest[state.org_id].version):
                    latest[state.org_id] = state
            for org_id, participant in targets.items():
                state = latest.get(org_id)
                filing = deadlines.Filing(org_id, deadline.fiscal_year, state.report_id if state else None,
                                          state.status if state else None, _submitted_on(state.submitted_at) if state else None)
                late = deadlines.lateness(filing, deadline.due, today)
                if late is not None:
                    listed.append({"org_id": org_id, "name": participant.name, "name_ja": participant.name_ja,
                                   "fiscal_year": late.fiscal_year, "due": late.due.isoformat(), "report_id": late.report_id,
                                   "status": late.status, "kind": late.kind, "days": late.days})
        return {"phase_id": phase.phase_id, "today": today.isoformat(),
                "report_deadlines": [{"fiscal_year": d.fiscal_year, "due": d.due.isoformat()} for d in phase.deadlines],
                "overdue": [row for row in listed if row["kind"] == "overdue"],
                "late": [row for row in listed if row["kind"] == "late"]}


def _submitted_on(value: str | datetime | date | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(JST).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed.astimezone(JST).date() if parsed.tzinfo else parsed.date()


def _summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    counts["not_run"] = 0
    for row in rows:
        counts[row["outcome"] or "not_run"] += 1
    counts["subsidy_to_return_yen"] = sum(row["subsidy_to_return_yen"] or 0 for row in rows)
    counts["shortfall_t"] = sum(row["shortfall_t"] or 0 for row in rows)
    return counts


REPORT_COLUMNS = ("phase_id", "target_participants", "trading_participants", "base_year_emissions_t", "achieved_reduction_t",
                  "achieved_percent", "committed_reduction_t", "committed_percent", "transactions", "traded_volume_t",
                  "average_price_yen")
PARTICIPANT_COLUMNS = ("org_id", "name", "name_ja", "kind", "base_year_emissions_t", "committed_reduction_t",
                       "commitment_year_emissions_t", "achieved_reduction_t")


def report_csv(body: dict[str, Any]) -> str:
    """The phase report as CSV: the results table's row, a blank line, one row per target."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerow(["" if body[c] is None else body[c] for c in REPORT_COLUMNS])
    writer.writerow([])
    writer.writerow(PARTICIPANT_COLUMNS)
    for row in body["participants"]:
        writer.writerow(["" if row[c] is None else row[c] for c in PARTICIPANT_COLUMNS])
    return out.getvalue()
