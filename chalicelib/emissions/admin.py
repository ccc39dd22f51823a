"""The emissions system's administrator functions: emission factor versions and
corrections of monitoring data (``chalicelib.core.admin`` explains the declaration)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.admin import AdminFunctions

if TYPE_CHECKING:
    from chalicelib.emissions.schemas import AddEmissionFactor, AssignVerifier, CorrectMonitoring, DecideCancellation, ReviewReport
    from chalicelib.emissions.service import Emissions

admin = AdminFunctions(__name__, schemas="chalicelib.emissions.schemas")
blueprint = admin.blueprint


def _emissions() -> Emissions:
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.service import Emissions

    return Emissions(container.store(EmissionsStore), documents=container.document_store(), organisations=container.organisations())


@admin.function("AddEmissionFactor")
def add_emission_factor(event: AddEmissionFactor) -> dict[str, Any]:
    from chalicelib.emissions.service import FactorCommand

    command = FactorCommand(event.key, event.name_ja, event.name_en, event.unit, event.t_co2_per_unit, event.valid_from, event.valid_to,
                            event.source)
    return {"factor": _emissions().add_factor(command, f"admin:{event.requested_by}")}


@admin.function("CorrectMonitoring")
def correct_monitoring(event: CorrectMonitoring) -> dict[str, Any]:
    from chalicelib.emissions.domain.errors import EmissionsOrganisationNotFound
    from chalicelib.emissions.service import MonitoringCommand

    if container.organisations().get(event.org_id) is None:
        raise EmissionsOrganisationNotFound(org_id=event.org_id)
    command = MonitoringCommand(event.source_id, event.month, event.quantity, event.unit, event.evidence_document_id, event.reason)
    value = _emissions().put_monitoring(event.org_id, command, f"admin:{event.requested_by}", action="correct_monitoring")
    return {"value": value}


# --- calculation reports: verifiers' assignments and the administrator's review --------------------


def _reports() -> Any:
    from chalicelib.emissions.adapters import ReportStore
    from chalicelib.emissions.reporting import Reports

    return Reports(container.store(ReportStore), _emissions(), documents=container.document_store(), organisations=container.organisations())


@admin.function("AssignVerifier")
def assign_verifier(event: AssignVerifier) -> dict[str, Any]:
    """Assign a verification body to an organisation's reports of the fiscal years given."""
    return _reports().assign_verifier(event.org_id, list(event.fiscal_years), event.verifier_org, f"admin:{event.requested_by}")


@admin.function("ReviewReport")
def review_report(event: ReviewReport) -> dict[str, Any]:
    """Accept a verified report, return it for amends, or determine its emissions (the API's
    ``POST /emissions/reports/{id}/review`` makes the same decision)."""
    from chalicelib.emissions.reporting import Caller

    report = _reports().review(Caller.admin(event.requested_by), event.report_id, event.decision, event.reason, event.t_co2)
    return {"report": _summary(report)}


@admin.function("DecideCancellation")
def decide_cancellation(event: DecideCancellation) -> dict[str, Any]:
    """Grant an approval cancellation request (the report reopens as a new version, the old one
    kept and marked cancelled) or refuse it (the API's
    ``POST /emissions/reports/{id}/cancellation-requests/decision`` makes the same decision)."""
    from chalicelib.emissions.reporting import Caller

    report = _reports().decide_cancellation(Caller.admin(event.requested_by), event.report_id, event.decision, event.reason)
    return {"report": _summary(report)}


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its figures (an administrator function's answer stays small)."""
    return {key: value for key, value in report.items() if key != "figures"}
