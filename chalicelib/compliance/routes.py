"""Compliance routes: phases, true-up results, the phase report and overdue reports.

Administrators see every phase with every participant, the true-up table, the report and
the overdue list. A participant sees the phases it takes part in with its own row only,
and its own true-up result; any other phase answers the 404 of a missing one. A verifier
sees the phases' timelines (dates and deadlines), never a participant.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import container
from chalicelib.compliance.domain import errors as e
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.http.requests import current_correlation_id
from chalicelib.core.principal import Principal, Role

api = ApiBlueprint(__name__, "compliance", schemas="chalicelib.compliance.schemas")

EVERYONE = {Role.PARTICIPANT, Role.VERIFIER, Role.ADMIN}
PARTIES = {Role.PARTICIPANT, Role.ADMIN}
ADMINISTRATORS = {Role.ADMIN}


@api.route("/phases", summary="The phases: every one for administrators, the caller's own for participants",
           response="PhaseList", roles=EVERYONE)
def list_phases(principal: Principal) -> Any:
    return container.compliance().phases_for(principal)


@api.route("/phases/{phase_id}", summary="One phase: its timeline, report deadlines and participants (a participant: its own row)",
           response="PhaseView", roles=EVERYONE, errors_=(e.PhaseNotFound,))
def get_phase(principal: Principal, phase_id: str) -> Any:
    return container.compliance().phase_for(principal, phase_id)


@api.route("/phases/{phase_id}/true-up", summary="True-up results: the table (administrators) or the caller's own result",
           response="TrueUpView", roles=PARTIES, errors_=(e.PhaseNotFound,))
def get_true_up(principal: Principal, phase_id: str) -> Any:
    return container.compliance().true_up_for(principal, phase_id)


@api.route("/phases/{phase_id}/report", summary="The phase report as the results tables (?format=csv for CSV)",
           response="PhaseReport", roles=ADMINISTRATORS, query=("format",), errors_=(e.PhaseNotFound, e.InvalidReportFormat))
def get_phase_report(principal: Principal, phase_id: str, query: dict[str, str]) -> Any:
    from chalicelib.compliance.service import report_csv

    wanted = query.get("format", "json")
    if wanted not in ("json", "csv"):
        raise e.InvalidReportFormat(field="format")
    body = container.compliance().phase_report(phase_id)
    if wanted == "json":
        return body
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store", "X-Correlation-Id": current_correlation_id(),
        "Content-Disposition": f'attachment; filename="phase-report-{body["phase_id"]}.csv"'}
    return Response(body=report_csv(body), status_code=200, headers=headers)


@api.route("/phases/{phase_id}/overdue", summary="Calculation reports not submitted by the phase's deadlines (and late ones)",
           response="OverdueView", roles=ADMINISTRATORS, errors_=(e.PhaseNotFound,))
def get_overdue(principal: Principal, phase_id: str) -> Any:
    return container.compliance().overdue(phase_id)
