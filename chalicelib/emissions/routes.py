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
