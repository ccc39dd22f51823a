"""The compliance administrator functions: define a phase, allocate it, true it up, its
report and its overdue reports (``chalicelib.core.admin`` explains the declaration)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.admin import AdminFunctions

if TYPE_CHECKING:
    from chalicelib.compliance.domain.phases import Phase
    from chalicelib.compliance.schemas import DefinePhase, PhaseEvent, PhaseReportEvent

admin = AdminFunctions(__name__, schemas="chalicelib.compliance.schemas")
blueprint = admin.blueprint


def phase_of(event: DefinePhase) -> Phase:
    from datetime import date

    from chalicelib.compliance.domain.errors import InvalidPhase
    from chalicelib.compliance.domain.phases import Deadline, Participant, ParticipantKind, Phase

    try:
        first, second, third = event.base_years
        return Phase(
            phase_id=event.id, name=event.name, name_ja=event.name_ja, base_years=(first, second, third),
            commitment_year=event.commitment_year, adjustment_end=date.fromisoformat(event.adjustment_end),
            trading_start=date.fromisoformat(event.trading_period.start), trading_end=date.fromisoformat(event.trading_period.end),
            compliance_period=event.compliance_period,
            deadlines=tuple(Deadline(d.fiscal_year, date.fromisoformat(d.due)) for d in event.report_deadlines),
            participants=tuple(Participant(p.org_id, ParticipantKind(p.kind), p.committed_reduction_t, p.subsidy_yen)
                               for p in event.participants),
        )
    except ValueError as error:
        raise InvalidPhase(reason="a date is not a calendar date.", reason_ja="日付が正しくありません。") from error


@admin.function("DefinePhase")
def define_phase(event: DefinePhase) -> dict[str, Any]:
    """Define a phase once (the same definition again answers it with created false)."""
    return container.compliance().define_phase(phase_of(event), event.requested_by)


@admin.function("PhaseEvent")
def allocate_phase(event: PhaseEvent) -> dict[str, Any]:
    """Propose (four eyes: a console event cannot prove who sent it) each pending target's
    allocation with its figures pinned; another administrator's approval issues it, once.
    A rerun proposes nothing new (the pending proposals answer) and says what is issued;
    a target whose last proposal was rejected or lapsed is proposed again."""
    from chalicelib.compliance.proposals import KIND
    from chalicelib.registry.proposals import ProposeCommand

    plan = container.compliance().allocation_plan(event.phase_id)
    proposals = []
    for row in plan["planned"]:
        command = ProposeCommand(kind=KIND, payload={"phase_id": plan["phase_id"], **row},
                                 reason=f"Allocation of phase {plan['phase_id']} to {row['org_id']}: {row['assigned_t']} t",
                                 proposed_by=event.requested_by, channel="console",
                                 idempotency_key=f"allocation-{plan['phase_id']}-{row['org_id']}-{row['assigned_t']}", renew=True)
        proposals.append(container.proposals().propose(command).proposal)
    if proposals:
        message = f"Proposed the allocations of {len(proposals)} target participants; another administrator approves each."
        message_ja = f"{len(proposals)} 件の目標保有参加者への割当を提案しました。別の管理者がそれぞれ承認します。"
    else:
        message = "Nothing new was issued: every target participant of the phase already has its allocation."
        message_ja = "新たな発行はありません。このフェーズの目標保有参加者はすべて割当済みです。"
    return {"phase_id": plan["phase_id"], "proposals": proposals, "already_allocated": plan["already_allocated"],
            "message": message, "message_ja": message_ja}


@admin.function("PhaseEvent")
def true_up(event: PhaseEvent) -> dict[str, Any]:
    """After the adjustment period: each target's retirements against its reviewed emissions."""
    return container.compliance().true_up(event.phase_id)


@admin.function("PhaseReportEvent")
def phase_report(event: PhaseReportEvent) -> dict[str, Any]:
    """The phase's results table (and per-participant rows); ``format: csv`` adds the CSV text."""
    from chalicelib.compliance.service import report_csv

    body = container.compliance().phase_report(event.phase_id)
    return {"report": body, "csv": report_csv(body)} if event.format == "csv" else {"report": body}


@admin.function("PhaseEvent")
def overdue_reports(event: PhaseEvent) -> dict[str, Any]:
    """The phase's calculation reports not submitted by their deadline (and those submitted late)."""
    return container.compliance().overdue(event.phase_id)
