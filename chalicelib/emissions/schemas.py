"""The emissions system's request, response and administrator event models.

Amounts and quantities travel as decimal strings (``"123.456"``), never as JSON
numbers: a quantity sent as a number is refused (strict validation).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from chalicelib.core.http.schemas import EventModel, RequestModel, ResponseModel

CategoryName = Literal["fuel_combustion", "purchased_electricity", "purchased_heat", "non_energy"]
BasisName = Literal["fire_service_notification", "air_pollution_permit", "delivery_slips", "other"]
Month = Annotated[str, Field(min_length=7, max_length=7, examples=["2025-04"], description="YYYY-MM")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=2000)]
Quantity = Annotated[str, Field(min_length=1, max_length=40, examples=["120000", "1500.5"],
                                description="A non-negative decimal number as text: at most 12 digits, a point and 6 decimals")]
Unit = Annotated[str, Field(min_length=1, max_length=20, examples=["kWh", "kL", "1000Nm3"])]
DocumentId = Annotated[str, Field(min_length=1, max_length=64)]
Decimal3 = Annotated[str, Field(examples=["66.600"], description="t-CO2 to 3 decimals (half up)")]
DecimalExact = Annotated[str, Field(examples=["66.6"], description="t-CO2, exact")]


# --- sites ----------------------------------------------------------------------------


class SiteRequest(RequestModel):
    name_ja: Name
    name_en: Name | None = None
    address: Annotated[str, Field(max_length=300)] | None = None


class SiteView(ResponseModel):
    id: str
    org_id: str
    name_ja: str
    name_en: str | None
    address: str | None
    updated_by: str
    updated_at: str


class SiteList(ResponseModel):
    org_id: str
    sites: list[SiteView]


# --- sources --------------------------------------------------------------------------


class SourceRequest(RequestModel):
    """The source-registration screen: ``draft`` may be incomplete, ``registered`` may not."""

    number: Annotated[int, Field(ge=1, le=99_999)]
    status: Literal["draft", "registered"]
    site_id: Annotated[str, Field(min_length=1, max_length=64)]
    name_ja: Name | None = None
    name_en: Name | None = None
    categories: Annotated[list[CategoryName], Field(max_length=4)] = []
    factor_key: Annotated[str, Field(min_length=1, max_length=48, examples=["city_gas"])] | None = None
    unit: Unit | None = None
    basis: BasisName | None = None
    basis_text: Annotated[str, Field(max_length=300)] | None = None
    excluded: bool = False
    exclusion_reason: Annotated[str, Field(max_length=300)] | None = None
    cogeneration: bool = False
    external_supply: bool = False
    notes: Text | None = None
    retired_from: Month | None = None
    #: The version last read: a PUT with an older one is refused (CONCURRENT_CHANGE).
    version: Annotated[int, Field(ge=1)] | None = None


class SourceView(ResponseModel):
    id: str
    org_id: str
    number: int
    status: Literal["draft", "registered"]
    site_id: str
    name_ja: str | None
    name_en: str | None
    categories: list[CategoryName]
    factor_key: str | None
    unit: str | None
    basis: BasisName | None
    basis_text: str | None
    excluded: bool
    exclusion_reason: str | None
    cogeneration: bool
    external_supply: bool
    notes: str | None
    retired_from: str | None
    in_use: bool
    last_month: str | None
    version: int
    created_at: str
    updated_by: str
    updated_at: str


class SourceList(ResponseModel):
    org_id: str
    sources: list[SourceView]


class SourceDeleted(ResponseModel):
    id: str
    deleted: bool


# --- monitoring -----------------------------------------------------------------------


class MonitoringRequest(RequestModel):
    quantity: Quantity
    unit: Unit
    evidence_document_id: DocumentId | None = None


class MonitoringValue(ResponseModel):
    source_id: str
    month: str
    quantity: str
    unit: str
    factor_version: str
    evidence_document_id: str | None
    origin: str
    updated_by: str
    updated_at: str


class MonitoringList(ResponseModel):
    org_id: str
    fiscal_year: int
    revision: int
    current_import: str | None
    values: list[MonitoringValue]


# --- factors --------------------------------------------------------------------------


class FactorView(ResponseModel):
    key: str
    version: str
    name_ja: str
    name_en: str
    unit: str
    t_co2_per_unit: str
    valid_from: str
    valid_to: str | None
    source: str


class FactorList(ResponseModel):
    factors: list[FactorView]


# --- the calculation ----------------------------------------------------------------------


class MonthTotal(ResponseModel):
    month: str
    t_co2: Decimal3
    t_co2_exact: DecimalExact


class SourceMonth(ResponseModel):
    month: str
    quantity: str | None
    unit: str | None
    t_co2: Decimal3 | None
    t_co2_exact: DecimalExact | None
    factor_version: str | None
    missing: bool


class SourceCalculation(ResponseModel):
    source_id: str
    number: int
    name_ja: str
    name_en: str | None
    site_id: str
    factor_key: str
    t_co2: Decimal3
    t_co2_exact: DecimalExact
    months: list[SourceMonth]


class SiteCalculation(ResponseModel):
    site_id: str
    name_ja: str
    name_en: str | None
    months: list[MonthTotal]
    t_co2: Decimal3
    t_co2_exact: DecimalExact


class ExcludedSource(ResponseModel):
    source_id: str
    number: int
    name_ja: str
    exclusion_reason: str


class MissingMonth(ResponseModel):
    source_id: str
    number: int
    month: str


class SheetDownload(ResponseModel):
    """A performance management sheet to download: a presigned GET valid for ``expires_in``
    seconds. Fill it in and upload it as a ``performance_sheet`` document announced with
    ``purpose``."""

    url: str
    expires_in: int
    filename: Annotated[str, Field(examples=["JVETS_performance_sheet_kanto-steel_FY2026.xlsx"])]
    org_id: str
    fiscal_year: int
    sources: Annotated[int, Field(description="Rows of the sheet: the registered sources of the fiscal year")]
    generated_at: str
    size: int
    purpose: Annotated[str, Field(examples=["performance_sheet:FY2026"],
                                  description="The purpose to announce the filled sheet with (POST /documents)")]


class CalculationView(ResponseModel):
    org_id: str
    fiscal_year: int
    months: list[MonthTotal]
    t_co2: Decimal3
    t_co2_exact: DecimalExact
    total_t: Annotated[int, Field(description="The exact year total rounded down to whole t-CO2")]
    sites: list[SiteCalculation]
    sources: list[SourceCalculation]
    excluded: list[ExcludedSource]
    missing: list[MissingMonth]
    factor_versions: list[FactorView]
    rounding: str


# --- administrator functions ---------------------------------------------------------------

Requester = Annotated[str, Field(min_length=1, max_length=128)]


class AddEmissionFactor(EventModel):
    """Add a version of an emission factor (a new key, or a key's next validity period)."""

    key: Annotated[str, Field(min_length=2, max_length=48)]
    name_ja: Name
    name_en: Name
    unit: Unit
    t_co2_per_unit: Quantity
    valid_from: Annotated[str, Field(min_length=10, max_length=10, examples=["2027-04-01"])]
    valid_to: Annotated[str, Field(min_length=10, max_length=10)] | None = None
    source: Annotated[str, Field(min_length=1, max_length=500)]
    requested_by: Requester = "administrator"


class CorrectMonitoring(EventModel):
    """Correct one month's monitoring value of an organisation's source, with the reason."""

    org_id: Annotated[str, Field(min_length=1, max_length=64)]
    source_id: Annotated[str, Field(min_length=1, max_length=64)]
    month: Month
    quantity: Quantity
    unit: Unit
    evidence_document_id: DocumentId | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    requested_by: Requester = "administrator"


# --- calculation reports, verification and review ------------------------------------------------

ReportStatusName = Literal["draft", "submitted", "under_verification", "verified", "returned", "recalled", "superseded", "accepted",
                           "determined", "cancelled"]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
VersionNumber = Annotated[int, Field(ge=1, le=9999, description="The version the caller last read (refused if the report moved on)")]


class ReportRequest(RequestModel):
    """Make a draft of the caller's report for a fiscal year from the current calculation."""

    fiscal_year: Annotated[int, Field(ge=2000, le=2100, examples=[2025])]


class ReportActionRequest(RequestModel):
    version: VersionNumber | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None


class ReasonRequest(RequestModel):
    reason: Reason
    version: VersionNumber | None = None


class MisstatementRequest(RequestModel):
    reference: Annotated[str, Field(min_length=1, max_length=200)]
    explanation: Reason
    material: bool


class OpinionRequest(RequestModel):
    """The verification report: the opinion, the verified emissions in whole t-CO2 (required
    unless not verified), the reasons of a negative opinion, uncorrected misstatements and
    recommended improvements."""

    opinion: Literal["verified", "verified_with_comments", "not_verified"]
    verified_t_co2: Annotated[int, Field(ge=0, le=10**12)] | None = None
    reasons: Annotated[list[Reason], Field(max_length=50)] = []
    misstatements: Annotated[list[MisstatementRequest], Field(max_length=50)] = []
    improvements: Annotated[list[Reason], Field(max_length=50)] = []


class WorkingPaperRequest(RequestModel):
    filename: Annotated[str, Field(min_length=1, max_length=200, examples=["検証調書_2025.pdf"])]
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["application/pdf"])]
    size: Annotated[int, Field(ge=1, le=1_073_741_824)]


class Reviewed(ResponseModel):
    t_co2: int
    basis: Literal["accepted", "determined"]
    version: int


class ReportSummary(ResponseModel):
    id: Annotated[str, Field(examples=["FY2025-kanto-steel"])]
    org_id: str
    fiscal_year: int
    version: int
    status: ReportStatusName
    revision: int
    updated_at: str
    submitted_at: str | None
    cancellation_pending: bool
    reviewed: Reviewed | None


class ReportList(ResponseModel):
    reports: list[ReportSummary]


class ReportVersionView(ResponseModel):
    version: int
    status: ReportStatusName
    created_by: str
    created_at: str
    submitted_at: str | None
    total_t: int
    t_co2: str
    monitoring_revision: int | None
    missing: int
    factor_versions: list[str]
    files: list[str]
    verification: dict[str, Any] | None
    review: dict[str, Any] | None
    cancellation: dict[str, Any] | None


class ReportTransitionView(ResponseModel):
    sequence: int
    version: int
    action: str
    from_status: str | None
    to_status: str
    by: str
    role: str
    at: str
    reason: str | None
    details: dict[str, Any]


class ReportView(ReportSummary):
    verifier_org: str | None
    versions: list[ReportVersionView]
    history: list[ReportTransitionView]
    figures: dict[str, Any] | None


class ReportFileLink(ResponseModel):
    url: str
    expires_in: int
    filename: str
    version: int
    name: Literal["workbook", "pdf", "monitoring"]


class EvidenceLink(ResponseModel):
    url: str
    expires_in: int


class EvidenceDocumentView(ResponseModel):
    document_id: str
    cited_by: list[str]
    filename: str | None
    download: EvidenceLink | None


class ReportEvidence(ResponseModel):
    report_id: str
    version: int
    documents: list[EvidenceDocumentView]


class WorkingPaperView(ResponseModel):
    document_id: Annotated[str, Field(description="Download it through GET /documents/{document_id}")]
    filename: Annotated[str, Field(examples=["検証調書_2025.pdf"])]
    content_type: str
    size: Annotated[int, Field(description="Bytes")]
    uploaded_by: str
    accepted_at: str
    verifier_org: Annotated[str, Field(description="The verification body that uploaded it")]


class WorkingPaperList(ResponseModel):
    report_id: str
    working_papers: Annotated[list[WorkingPaperView], Field(description="Newest first")]


class AssignVerifier(EventModel):
    """Assign a verification body (an organisation of kind verification_body) to an
    organisation's reports of one or more fiscal years."""

    org_id: Annotated[str, Field(min_length=1, max_length=64)]
    verifier_org: Annotated[str, Field(min_length=1, max_length=64)]
    fiscal_years: Annotated[list[Annotated[int, Field(ge=2000, le=2100)]], Field(min_length=1, max_length=10)]
    requested_by: Requester = "administrator"


class ReviewReport(EventModel):
    """The administrator's review of a verified report: accept it, return it for amends
    (reason), or determine the emissions (whole t-CO2, reason)."""

    report_id: Annotated[str, Field(min_length=1, max_length=80)]
    decision: Literal["accept", "return_for_amends", "determine"]
    t_co2: Annotated[int, Field(ge=0, le=10**12)] | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    requested_by: Requester = "administrator"


class DecideCancellation(EventModel):
    """Grant (the report reopens as a new version) or refuse an approval cancellation request."""

    report_id: Annotated[str, Field(min_length=1, max_length=80)]
    decision: Literal["grant", "refuse"]
    reason: Reason
    requested_by: Requester = "administrator"


class ReviewRequest(RequestModel):
    """The signed-in administrator's review of a verified report: accept it (reason optional),
    return it for amends (reason), or determine the emissions (whole t-CO2 and reason). The
    reviewer recorded is the administrator signed in, never a field of the body."""

    decision: Literal["accept", "return_for_amends", "determine"]
    reason: Annotated[str, Field(max_length=2000)] | None = None
    t_co2: Annotated[int, Field(ge=0, le=10**12, description="Whole t-CO2; required to determine")] | None = None


class CancellationDecisionRequest(RequestModel):
    """The signed-in administrator grants (the report reopens as a new version) or refuses the
    pending approval cancellation request, with the reason."""

    decision: Literal["grant", "refuse"]
    reason: Reason
