"""Emissions management routes: sites, emission sources, monitoring data, emission
factors and the calculation of a fiscal year.

Participants write and read their own organisation; administrators read any
organisation they name with ``?org_id=`` (and correct through administrator
functions); verifiers are refused until the verification issue grants them reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import container
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.http.requests import current_correlation_id, resolve
from chalicelib.core.http.responses import json_response
from chalicelib.core.principal import Principal, Role
from chalicelib.emissions.domain import errors as e

if TYPE_CHECKING:
    from chalicelib.emissions.schemas import MonitoringRequest, SiteRequest, SourceRequest
    from chalicelib.emissions.service import Emissions, SourceCommand

api = ApiBlueprint(__name__, "emissions", schemas="chalicelib.emissions.schemas")

READERS = {Role.PARTICIPANT, Role.ADMIN}
WRITERS = {Role.PARTICIPANT}
_SOURCE_ERRORS = (e.SourceIncomplete, e.SourceNumberTaken, e.SiteNotFound, e.UnknownFactor, e.InvalidMonth, e.ConcurrentChange)


def _emissions() -> Emissions:
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.service import Emissions

    return Emissions(container.store(EmissionsStore), documents=container.document_store(), organisations=container.organisations())


def _created(model: str, payload: dict[str, Any]) -> Response:
    body = resolve(f"chalicelib.emissions.schemas:{model}").model_validate(payload).model_dump(mode="json")
    return json_response(201, body, current_correlation_id())


def _source_command(body: SourceRequest) -> SourceCommand:
    from chalicelib.emissions.service import SourceCommand

    fields = body.model_dump()
    fields["categories"] = tuple(fields["categories"])
    return SourceCommand(**fields)


def _fiscal_year(query: dict[str, str]) -> int:
    from chalicelib.emissions.domain.quantities import parse_fiscal_year

    return parse_fiscal_year(query.get("fiscal_year"))


@api.route("/emissions/sites", "POST", summary="Add a site of the caller's organisation", body="SiteRequest", response="SiteView",
           status=201, roles=WRITERS)
def create_site(principal: Principal, body: SiteRequest) -> Response:
    from chalicelib.emissions.service import SiteCommand

    service = _emissions()
    site = service.create_site(service.writable_org(principal), SiteCommand(body.name_ja, body.name_en, body.address), principal.username)
    return _created("SiteView", site)


@api.route("/emissions/sites", summary="The sites of the organisation", response="SiteList", roles=READERS, query=("org_id",),
           errors_=(e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def list_sites(principal: Principal, query: dict[str, str]) -> Any:
    service = _emissions()
    return service.list_sites(service.readable_org(principal, query.get("org_id")))


@api.route("/emissions/sources", "POST", summary="Register an emission source (or save it as a draft)", body="SourceRequest",
           response="SourceView", status=201, roles=WRITERS, errors_=_SOURCE_ERRORS)
def create_source(principal: Principal, body: SourceRequest) -> Response:
    service = _emissions()
    return _created("SourceView", service.create_source(service.writable_org(principal), _source_command(body), principal.username))


@api.route("/emissions/sources", summary="The emission sources of the organisation, by number", response="SourceList", roles=READERS,
           query=("org_id",), errors_=(e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def list_sources(principal: Principal, query: dict[str, str]) -> Any:
    service = _emissions()
    return service.list_sources(service.readable_org(principal, query.get("org_id")))


@api.route("/emissions/sources/{source_id}", summary="One emission source", response="SourceView", roles=READERS, query=("org_id",),
           errors_=(e.SourceNotFound, e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def get_source(principal: Principal, source_id: str, query: dict[str, str]) -> Any:
    service = _emissions()
    return service.get_source(service.readable_org(principal, query.get("org_id")), source_id)


@api.route("/emissions/sources/{source_id}", "PUT",
           summary="Change an emission source (every field; retire it from a month with retired_from)", body="SourceRequest",
           response="SourceView", roles=WRITERS, errors_=(*_SOURCE_ERRORS, e.SourceNotFound, e.SourceInUse, e.MonitoringAfterRetirement))
def update_source(principal: Principal, source_id: str, body: SourceRequest) -> Any:
    service = _emissions()
    return service.update_source(service.writable_org(principal), source_id, _source_command(body), principal.username)


@api.route("/emissions/sources/{source_id}", "DELETE", summary="Delete an emission source that has no monitoring data",
           response="SourceDeleted", roles=WRITERS, errors_=(e.SourceNotFound, e.SourceInUse, e.ConcurrentChange))
def delete_source(principal: Principal, source_id: str) -> Any:
    service = _emissions()
    return service.delete_source(service.writable_org(principal), source_id, principal.username)


@api.route("/emissions/sources/{source_id}/monitoring/{month}", "PUT",
           summary="A month's monitoring data of a source: the quantity as a decimal string, its unit, the evidence",
           body="MonitoringRequest", response="MonitoringValue", roles=WRITERS,
           errors_=(e.SourceNotFound, e.InvalidMonth, e.InvalidQuantity, e.UnitNotAccepted, e.NoFactorForMonth, e.SourceNotRegistered,
                    e.SourceRetired, e.EvidenceNotAccepted, e.ConcurrentChange))
def put_monitoring(principal: Principal, source_id: str, month: str, body: MonitoringRequest) -> Any:
    from chalicelib.emissions.service import MonitoringCommand

    service = _emissions()
    command = MonitoringCommand(source_id, month, body.quantity, body.unit, body.evidence_document_id)
    return service.put_monitoring(service.writable_org(principal), command, principal.username)


@api.route("/emissions/monitoring", summary="The monitoring data of a fiscal year (April to March) that counts",
           response="MonitoringList", roles=READERS, query=("fiscal_year", "org_id"),
           errors_=(e.InvalidFiscalYear, e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def list_monitoring(principal: Principal, query: dict[str, str]) -> Any:
    service = _emissions()
    org_id = service.readable_org(principal, query.get("org_id"))
    return service.monitoring(org_id, _fiscal_year(query))


@api.route("/emissions/factors", summary="Every version of every emission factor (t-CO2 per unit, validity, source)",
           response="FactorList")
def list_factors(principal: Principal) -> Any:
    return _emissions().list_factors()


@api.route("/emissions/calculation",
           summary="A fiscal year's emissions per source, site and organisation; total_t is the exact total rounded down",
           response="CalculationView", roles=READERS, query=("fiscal_year", "org_id"),
           errors_=(e.InvalidFiscalYear, e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def get_calculation(principal: Principal, query: dict[str, str]) -> Any:
    service = _emissions()
    org_id = service.readable_org(principal, query.get("org_id"))
    return service.calculation(org_id, _fiscal_year(query))


@api.route("/emissions/sheets/{fiscal_year}",
           summary="The organisation's performance management sheet (.xlsx) of a fiscal year: a 5-minute download link",
           response="SheetDownload", roles=READERS, query=("org_id",),
           errors_=(e.InvalidFiscalYear, e.EmissionsOrganisationNotFound, e.OrganisationRequired))
def download_sheet(principal: Principal, fiscal_year: str, query: dict[str, str]) -> Any:
    from chalicelib.core.settings import get_settings
    from chalicelib.emissions.adapters import SheetFiles
    from chalicelib.emissions.domain.quantities import parse_fiscal_year

    service = _emissions()
    org_id = service.readable_org(principal, query.get("org_id"))
    files = SheetFiles(container.s3_client(), get_settings().documents_bucket)
    return service.download_sheet(org_id, parse_fiscal_year(fiscal_year), files)


# --- calculation reports, verification ------------------------------------------------------------
#
# Participants make, submit and recall their own organisation's reports and request an approval
# cancellation; verifiers see, download and verify only what their body is assigned to (anything
# else is the 404 of a missing report); administrators read every report and review it (signed in
# with MFA, below, or through the console's administrator functions).

REPORT_READERS = {Role.PARTICIPANT, Role.VERIFIER, Role.ADMIN}
VERIFIERS = {Role.VERIFIER}
_TRANSITION_ERRORS = (e.ReportNotFound, e.InvalidReportTransition, e.ReportLocked, e.ReportChanged, e.ReasonRequired)


def _reports() -> Any:
    from chalicelib.core.settings import get_settings
    from chalicelib.emissions.adapters import ReportFiles, ReportStore
    from chalicelib.emissions.reporting import Reports

    return Reports(container.store(ReportStore), _emissions(), files=ReportFiles(container.s3_client(), get_settings().documents_bucket),
                   documents=container.document_store(), organisations=container.organisations())


def _caller(principal: Principal) -> Any:
    from chalicelib.emissions.reporting import Caller

    return Caller.of(principal)


def _version_query(query: dict[str, str]) -> int | None:
    text = query.get("version")
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise e.ReportNotFound(report_id=f"version {text[:8]}")
    return int(text)


@api.route("/emissions/reports", summary="Calculation reports: a participant's own, a verifier's assigned, any for an administrator",
           response="ReportList", roles=REPORT_READERS, query=("fiscal_year", "org_id"),
           errors_=(e.InvalidFiscalYear, e.OrganisationRequired))
def list_reports(principal: Principal, query: dict[str, str]) -> Any:
    fiscal_year = _fiscal_year(query) if "fiscal_year" in query else None
    return _reports().list_reports(_caller(principal), fiscal_year=fiscal_year, org_id=query.get("org_id"))


@api.route("/emissions/reports", "POST",
           summary="Make a draft calculation report of a fiscal year from the current calculation (pins every figure and factor version)",
           body="ReportRequest", response="ReportView", status=201, roles=WRITERS,
           errors_=(e.InvalidReportTransition, e.ReportLocked, e.ReportChanged, e.ReportTooLarge))
def create_report(principal: Principal, body: Any) -> Response:
    return _created("ReportView", _reports().create(_caller(principal), body.fiscal_year))


@api.route("/emissions/reports/{report_id}", summary="A report: its versions, its history (who, when, why) and the pinned figures",
           response="ReportView", roles=REPORT_READERS, errors_=(e.ReportNotFound,))
def get_report(principal: Principal, report_id: str) -> Any:
    return _reports().get_report(_caller(principal), report_id)


@api.route("/emissions/reports/{report_id}/files/{name}",
           summary="A 5-minute download link for a report version's file: workbook (.xlsx), pdf, or monitoring (CSV)",
           response="ReportFileLink", roles=REPORT_READERS, query=("version",), errors_=(e.ReportNotFound, e.ReportFileNotFound))
def report_file(principal: Principal, report_id: str, name: str, query: dict[str, str]) -> Any:
    return _reports().file_link(_caller(principal), report_id, name, _version_query(query))


@api.route("/emissions/reports/{report_id}/evidence",
           summary="Every evidence document a report version cites, each with a 5-minute download link",
           response="ReportEvidence", roles=REPORT_READERS, query=("version",), errors_=(e.ReportNotFound,))
def report_evidence(principal: Principal, report_id: str, query: dict[str, str]) -> Any:
    return _reports().evidence_links(_caller(principal), report_id, _version_query(query))


@api.route("/emissions/reports/{report_id}/submit", "POST", summary="Submit the draft for verification",
           body="ReportActionRequest", response="ReportView", roles=WRITERS, errors_=(*_TRANSITION_ERRORS, e.ReportIncomplete))
def submit_report(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().submit(_caller(principal), report_id, body.version)


@api.route("/emissions/reports/{report_id}/recall", "POST", summary="Recall a report waiting for (or with) the verifier",
           body="ReportActionRequest", response="ReportView", roles=WRITERS, errors_=_TRANSITION_ERRORS)
def recall_report(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().recall(_caller(principal), report_id, body.reason, body.version)


@api.route("/emissions/reports/{report_id}/cancellation-requests", "POST",
           summary="Request the cancellation of a verified (or reviewed) report's approval, with the reason",
           body="ReasonRequest", response="ReportView", status=201, roles=WRITERS,
           errors_=(*_TRANSITION_ERRORS, e.CancellationAlreadyRequested))
def request_cancellation(principal: Principal, report_id: str, body: Any) -> Response:
    return _created("ReportView", _reports().request_cancellation(_caller(principal), report_id, body.reason, body.version))


@api.route("/emissions/reports/{report_id}/verification/begin", "POST", summary="The assigned verifier starts verifying a submitted report",
           body="ReportActionRequest", response="ReportView", roles=VERIFIERS, errors_=_TRANSITION_ERRORS)
def begin_verification(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().begin_verification(_caller(principal), report_id)


@api.route("/emissions/reports/{report_id}/verification/return", "POST",
           summary="The assigned verifier returns the report to the participant with the reasons",
           body="ReasonRequest", response="ReportView", roles=VERIFIERS, errors_=_TRANSITION_ERRORS)
def return_report(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().return_to_participant(_caller(principal), report_id, body.reason)


@api.route("/emissions/reports/{report_id}/verification/opinion", "POST",
           summary="The assigned verifier records the verification report (opinion, verified t-CO2, misstatements, improvements); "
                   "the report locks",
           body="OpinionRequest", response="ReportView", roles=VERIFIERS, errors_=(*_TRANSITION_ERRORS, e.InvalidOpinion))
def record_opinion(principal: Principal, report_id: str, body: Any) -> Any:
    from chalicelib.emissions.reporting import OpinionCommand

    command = OpinionCommand(body.opinion, body.verified_t_co2, tuple(body.reasons),
                             tuple((m.reference, m.explanation, m.material) for m in body.misstatements), tuple(body.improvements))
    return _reports().record_opinion(_caller(principal), report_id, command)


@api.route("/emissions/reports/{report_id}/working-papers", "POST",
           summary="The assigned verifier's upload link for a working paper of this report (key scoped to the report)",
           body="WorkingPaperRequest", response="chalicelib.documents.schemas:DocumentUpload", status=201, roles=VERIFIERS,
           errors_=(e.ReportNotFound, e.InvalidReportTransition))
def working_paper(principal: Principal, report_id: str, body: Any) -> Response:
    from chalicelib.documents import service as documents
    from chalicelib.emissions.reporting import WORKING_PAPER_KIND

    def announce(purpose: str) -> dict[str, Any]:
        announcement = documents.Announcement(WORKING_PAPER_KIND, body.filename, body.content_type, body.size, purpose)
        return documents.announce(principal, announcement, documents=container.document_store(), objects=container.object_store())

    result = _reports().working_paper_upload(_caller(principal), report_id, body.filename, body.content_type, body.size, announce)
    payload = resolve("chalicelib.documents.schemas:DocumentUpload").model_validate(result).model_dump(mode="json")
    return json_response(201, payload, current_correlation_id())


@api.route("/emissions/reports/{report_id}/working-papers",
           summary="The report's working papers, newest first: the assigned verifier's own and, for an administrator, every one "
                   "(each downloaded through GET /documents/{id})",
           response="WorkingPaperList", roles=REPORT_READERS, errors_=(e.ReportNotFound,))
def list_working_papers(principal: Principal, report_id: str) -> Any:
    return _reports().working_papers(_caller(principal), report_id)


# --- the administrator's review, signed in with MFA -----------------------------------------------
#
# The same decisions as the console's review_report / decide_cancellation (the same service
# methods), recorded under the signed-in administrator's username. Participants and verifiers
# get the 403 of any route their role may not call; a session without a second factor gets
# REVIEW_NEEDS_MFA (the authorizer already refuses such an administrator
# token; this is the decision's own check).

ADMINS = {Role.ADMIN}
_REVIEW_ERRORS = (*_TRANSITION_ERRORS, e.OpinionNotVerified, e.DeterminationNeedsEmissions, e.UnknownReviewDecision,
                  e.CancellationPending)


def _with_mfa(principal: Principal) -> Any:
    if not principal.mfa:
        raise e.ReviewNeedsMfa()
    return _caller(principal)


@api.route("/emissions/reports/{report_id}/review", "POST",
           summary="The administrator's review of a verified report (MFA session): accept, return_for_amends (reason) or "
                   "determine (t_co2, reason)",
           body="ReviewRequest", response="ReportView", roles=ADMINS,
           errors_=(*_REVIEW_ERRORS, e.ReviewNeedsMfa))
def review_decision(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().review(_with_mfa(principal), report_id, body.decision, body.reason, body.t_co2)


@api.route("/emissions/reports/{report_id}/cancellation-requests/decision", "POST",
           summary="The administrator grants (the report reopens as a new version) or refuses the pending approval cancellation "
                   "request (MFA session)",
           body="CancellationDecisionRequest", response="ReportView", roles=ADMINS,
           errors_=(*_TRANSITION_ERRORS, e.NoCancellationRequested, e.UnknownReviewDecision, e.ReviewNeedsMfa))
def cancellation_decision(principal: Principal, report_id: str, body: Any) -> Any:
    return _reports().decide_cancellation(_with_mfa(principal), report_id, body.decision, body.reason)
