"""Emissions use cases: sites, sources, monitoring data, imports, factors and the
calculation, each taking a typed command and returning its result.

Access: a participant reads and writes its own organisation (naming another with
``org_id`` is answered as a missing organisation); an administrator reads any
organisation it names and corrects monitoring data through an administrator function;
anyone else is refused. Every write is one transaction with its change record (who,
when, what, before and after); one that loses a race with another request is read
again and retried a bounded number of times.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from chalicelib.core.clock import iso_now
from chalicelib.core.errors import JvetsError
from chalicelib.core.organisations import Organisation
from chalicelib.core.principal import Principal, Role
from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.calculation import Calculation, MonthlyValue, calculate, exact, shown
from chalicelib.emissions.domain.errors import (
    ConcurrentChange,
    EmissionsOrganisationNotFound,
    EvidenceNotAccepted,
    ImportRefused,
    ImportStale,
    InvalidMonth,
    MonitoringAfterRetirement,
    OrganisationRequired,
    SheetFileUnavailable,
    SheetPurposeInvalid,
    SiteNotFound,
    SourceInUse,
    SourceNotFound,
    SourceNotRegistered,
    SourceNumberTaken,
    SourceRetired,
)
from chalicelib.emissions.domain.factors import SHIPPED, FactorTable, FactorVersion, check_new_version
from chalicelib.emissions.domain.imports import fiscal_year_of_purpose, sheet_purpose
from chalicelib.emissions.domain.monitoring import StoredValue, effective
from chalicelib.emissions.domain.quantities import FAMILY_OF, convert, fiscal_year_of, months_of, parse_month, parse_quantity
from chalicelib.emissions.domain.reports import ReportState, ReviewedEmissions
from chalicelib.emissions.domain.sources import Basis, Category, Site, Source, SourceStatus, check_source
from chalicelib.emissions.ports import (
    Change,
    DocumentsPort,
    EmissionsPort,
    OrganisationData,
    ReportHead,
    ReportsPort,
    SheetFilesPort,
)

MAX_ATTEMPTS = 5
#: A downloaded sheet's link is valid this long; the object itself expires with the
#: bucket's lifecycle rule on ``sheets/`` (a day).
SHEET_LINK_SECONDS = 5 * 60
SHEET_PREFIX = "sheets/"
_IMPORT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class OrganisationsPort(Protocol):
    def get(self, org_id: str) -> Organisation | None: ...


# --- commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteCommand:
    name_ja: str
    name_en: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class SourceCommand:
    """Every field of the source-registration screen (a PUT replaces them all)."""

    number: int
    status: str
    site_id: str
    name_ja: str | None = None
    name_en: str | None = None
    categories: tuple[str, ...] = ()
    factor_key: str | None = None
    unit: str | None = None
    basis: str | None = None
    basis_text: str | None = None
    excluded: bool = False
    exclusion_reason: str | None = None
    cogeneration: bool = False
    external_supply: bool = False
    notes: str | None = None
    retired_from: str | None = None
    #: The version the caller last read (optional optimistic concurrency on a PUT).
    version: int | None = None


@dataclass(frozen=True)
class MonitoringCommand:
    source_id: str
    month: str
    quantity: str
    unit: str
    evidence_document_id: str | None = None
    #: Why an administrator corrects the value (recorded with the change).
    reason: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """One cell of a performance sheet: a source by its number, a month and its value."""

    source_number: int
    month: str
    quantity: str
    unit: str
    evidence_document_id: str | None = None


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    fiscal_year: int
    rows: int
    revision: int
    replayed: bool


@dataclass(frozen=True)
class SheetUpload:
    """An accepted ``performance_sheet`` document, as its ``DocumentAccepted`` event says."""

    document_id: str
    org_id: str
    key: str
    version_id: str | None
    purpose: str | None
    bucket: str | None = None
    uploaded_by: str | None = None


@dataclass(frozen=True)
class SheetOutcome:
    """What became of an uploaded sheet: ``imported`` (whole) or ``refused`` (nothing
    stored), with every problem (sheet, cell, code, message in en and ja)."""

    outcome: str
    problems: list[dict[str, str]]
    summary: dict[str, Any]


@dataclass(frozen=True)
class FactorCommand:
    key: str
    name_ja: str
    name_en: str
    unit: str
    t_co2_per_unit: str
    valid_from: str
    valid_to: str | None
    source: str


# --- views ----------------------------------------------------------------------------


def site_view(site: Site) -> dict[str, Any]:
    return {"id": site.site_id, "org_id": site.org_id, "name_ja": site.name_ja, "name_en": site.name_en,
            "address": site.address, "updated_by": site.updated_by, "updated_at": site.updated_at}


def source_view(source: Source) -> dict[str, Any]:
    return {
        "id": source.source_id, "org_id": source.org_id, "number": source.number, "status": source.status.value,
        "site_id": source.site_id, "name_ja": source.name_ja, "name_en": source.name_en,
        "categories": [c.value for c in source.categories], "factor_key": source.factor_key, "unit": source.unit,
        "basis": source.basis.value if source.basis else None, "basis_text": source.basis_text, "excluded": source.excluded,
        "exclusion_reason": source.exclusion_reason, "cogeneration": source.cogeneration,
        "external_supply": source.external_supply, "notes": source.notes, "retired_from": source.retired_from,
        "in_use": source.in_use, "last_month": source.last_month, "version": source.version,
        "created_at": source.created_at, "updated_by": source.updated_by, "updated_at": source.updated_at,
    }


def value_view(value: StoredValue) -> dict[str, Any]:
    return {"source_id": value.source_id, "month": value.month, "quantity": value.quantity, "unit": value.unit,
            "factor_version": value.factor_version, "evidence_document_id": value.evidence_document_id,
            "origin": value.origin, "updated_by": value.updated_by, "updated_at": value.updated_at}


def factor_view(version: FactorVersion) -> dict[str, Any]:
    return {"key": version.key, "version": version.version, "name_ja": version.name_ja, "name_en": version.name_en,
            "unit": version.unit, "t_co2_per_unit": exact(version.t_co2_per_unit), "valid_from": version.valid_from,
            "valid_to": version.valid_to, "source": version.source}


def calculation_view(result: Calculation) -> dict[str, Any]:
    def months(pairs: tuple[tuple[str, Decimal], ...]) -> list[dict[str, str]]:
        return [{"month": month, "t_co2": shown(value), "t_co2_exact": exact(value)} for month, value in pairs]

    return {
        "org_id": result.org_id,
        "fiscal_year": result.fiscal_year,
        "months": months(result.months),
        "t_co2": shown(result.t_co2),
        "t_co2_exact": exact(result.t_co2),
        "total_t": result.total_t,
        "sites": [{"site_id": s.site_id, "name_ja": s.name_ja, "name_en": s.name_en, "months": months(s.months),
                   "t_co2": shown(s.t_co2), "t_co2_exact": exact(s.t_co2)} for s in result.sites],
        "sources": [
            {"source_id": f.source.source_id, "number": f.source.number, "name_ja": f.source.name_ja or "",
             "name_en": f.source.name_en, "site_id": f.source.site_id, "factor_key": f.source.factor_key or "",
             "t_co2": shown(f.t_co2), "t_co2_exact": exact(f.t_co2),
             "months": [{"month": m.month, "quantity": exact(m.quantity) if m.quantity is not None else None, "unit": m.unit,
                         "t_co2": shown(m.t_co2) if m.t_co2 is not None else None,
                         "t_co2_exact": exact(m.t_co2) if m.t_co2 is not None else None,
                         "factor_version": m.factor_version, "missing": m.missing} for m in f.months]}
            for f in result.sources
        ],
        "excluded": [{"source_id": s.source_id, "number": s.number, "name_ja": s.name_ja or "",
                      "exclusion_reason": s.exclusion_reason or ""} for s in result.excluded],
        "missing": [{"source_id": s.source_id, "number": s.number, "month": month} for s, month in result.missing],
        "factor_versions": [factor_view(v) for v in result.factor_versions],
        "rounding": "per month exact; shown to 3 decimals (half up); total_t = the exact year total rounded down to whole t-CO2",
    }


def _source_record(source: Source) -> dict[str, Any]:
    record = source_view(source)
    for noisy in ("version", "updated_by", "updated_at", "in_use", "last_month"):
        record.pop(noisy)
    return record


# --- the use cases --------------------------------------------------------------------


class Emissions:
    def __init__(self, store: EmissionsPort, *, documents: DocumentsPort | None = None,
                 organisations: OrganisationsPort | None = None, now: Callable[[], str] = iso_now,
                 reports: ReportsPort | None = None) -> None:
        self.store = store
        self.reports = reports
        self.documents = documents
        self.organisations = organisations
        self.now = now

    # --- access ---------------------------------------------------------------------

    def readable_org(self, principal: Principal, org_id: str | None) -> str:
        """The organisation a caller reads: a participant its own, an administrator the
        one it names; anything else looks like a missing organisation."""
        if principal.role is Role.PARTICIPANT:
            if org_id not in (None, principal.org_id):
                raise EmissionsOrganisationNotFound(org_id=(org_id or "")[:64])
            return principal.org_id
        if principal.role is Role.ADMIN:
            if not org_id:
                raise OrganisationRequired(field="org_id")
            if self.organisations is not None and self.organisations.get(org_id) is None:
                raise EmissionsOrganisationNotFound(org_id=org_id[:64])
            return org_id
        raise EmissionsOrganisationNotFound(org_id=(org_id or principal.org_id)[:64])

    @staticmethod
    def writable_org(principal: Principal) -> str:
        if principal.role is not Role.PARTICIPANT:
            raise EmissionsOrganisationNotFound(org_id=principal.org_id[:64])
        return principal.org_id

    def _change(self, org_id: str, by: str, action: str, target: str, old: dict[str, Any] | None,
                new: dict[str, Any] | None) -> Change:
        return Change(org_id=org_id, by=by, at=self.now(), action=action, target=target, old=old, new=new)

    # --- factors ----------------------------------------------------------------------

    def factors(self) -> FactorTable:
        return FactorTable([*SHIPPED, *self.store.added_factors()])

    def list_factors(self) -> dict[str, Any]:
        return {"factors": [factor_view(v) for v in self.factors().versions]}

    def add_factor(self, command: FactorCommand, by: str) -> dict[str, Any]:
        version = FactorVersion(command.key, command.name_ja, command.name_en, command.unit, parse_quantity(command.t_co2_per_unit),
                                command.valid_from, command.valid_to, command.source)
        for _ in range(MAX_ATTEMPTS):
            added = self.store.added_factors()
            check_new_version(version, [*SHIPPED, *added])
            change = self._change("#factors", by, "add_emission_factor", version.version, None, factor_view(version))
            try:
                self.store.add_factor(version, change, added_before=len([v for v in added if v.key == version.key]))
            except CommitFailed:
                continue
            return factor_view(version)
        raise ConcurrentChange

    # --- sites ------------------------------------------------------------------------

    def list_sites(self, org_id: str) -> dict[str, Any]:
        return {"org_id": org_id, "sites": [site_view(s) for s in self.store.organisation(org_id).sites]}

    def create_site(self, org_id: str, command: SiteCommand, by: str) -> dict[str, Any]:
        site = Site(org_id, f"site-{uuid.uuid4().hex[:12]}", command.name_ja.strip(), command.name_en, command.address, by, self.now())
        self.store.create_site(site, self._change(org_id, by, "create_site", site.site_id, None, site_view(site)))
        return site_view(site)

    # --- sources ----------------------------------------------------------------------

    def list_sources(self, org_id: str) -> dict[str, Any]:
        data = self.store.organisation(org_id)
        return {"org_id": org_id, "sources": [source_view(s) for s in sorted(data.sources, key=lambda s: s.number)]}

    def get_source(self, org_id: str, source_id: str) -> dict[str, Any]:
        return source_view(self._source(org_id, source_id))

    def _source(self, org_id: str, source_id: str) -> Source:
        source = self.store.source(org_id, source_id)
        if source is None:
            raise SourceNotFound(source_id=source_id[:64])
        return source

    def _build(self, org_id: str, source_id: str, command: SourceCommand, by: str, base: Source | None) -> Source:
        if command.retired_from is not None:
            parse_month(command.retired_from)
        source = Source(
            org_id=org_id, source_id=source_id, number=command.number, status=SourceStatus(command.status), site_id=command.site_id,
            name_ja=command.name_ja, name_en=command.name_en, categories=tuple(Category(c) for c in command.categories),
            factor_key=command.factor_key, unit=command.unit, basis=Basis(command.basis) if command.basis else None,
            basis_text=command.basis_text, excluded=command.excluded, exclusion_reason=command.exclusion_reason,
            cogeneration=command.cogeneration, external_supply=command.external_supply, notes=command.notes,
            retired_from=command.retired_from,
            monitoring_count=base.monitoring_count if base else 0, last_month=base.last_month if base else None,
            version=(base.version + 1) if base else 1, updated_by=by, updated_at=self.now(),
            created_at=base.created_at if base else self.now(),
        )
        check_source(source, self.factors())
        return source

    def create_source(self, org_id: str, command: SourceCommand, by: str) -> dict[str, Any]:
        source = self._build(org_id, f"src-{uuid.uuid4().hex[:12]}", command, by, None)
        change = self._change(org_id, by, "create_source", source.source_id, None, _source_record(source))
        try:
            self.store.create_source(source, change)
        except CommitFailed as failed:
            raise self._source_refusal(failed, source) from failed
        return source_view(source)

    @staticmethod
    def _source_refusal(failed: CommitFailed, source: Source) -> JvetsError:
        if "site" in failed.failed:
            return SiteNotFound(field="site_id", site_id=source.site_id[:64])
        if "number" in failed.failed:
            return SourceNumberTaken(field="number", number=source.number)
        return ConcurrentChange()

    def update_source(self, org_id: str, source_id: str, command: SourceCommand, by: str) -> dict[str, Any]:
        for _ in range(MAX_ATTEMPTS):
            before = self._source(org_id, source_id)
            if command.version is not None and command.version != before.version:
                raise ConcurrentChange(field="version")
            after = self._build(org_id, source_id, command, by, before)
            factor_changed = before.factor_key != after.factor_key or (
                before.unit is not None and after.unit is not None and FAMILY_OF.get(before.unit) is not FAMILY_OF.get(after.unit)
            )
            to_draft = before.registered and not after.registered
            if before.in_use and factor_changed:
                raise SourceInUse(field="factor_key", source_id=source_id, what="changing its factor or unit family",
                                  what_ja="排出係数や単位の種類を変更")
            if before.in_use and to_draft:
                raise SourceInUse(field="status", source_id=source_id, what="returning it to draft", what_ja="一時保存に戻すことは")
            if after.retired_from is not None and before.last_month is not None and before.last_month >= after.retired_from:
                raise MonitoringAfterRetirement(field="retired_from", source_id=source_id, month=before.last_month,
                                                retired_from=after.retired_from)
            change = self._change(org_id, by, "update_source", source_id, _source_record(before), _source_record(after))
            try:
                self.store.update_source(before, after, change, require_unused=factor_changed or to_draft)
            except CommitFailed as failed:
                if "site" in failed.failed or "number" in failed.failed:
                    raise self._source_refusal(failed, after) from failed
                if command.version is not None:
                    raise ConcurrentChange(field="version") from failed
                continue
            return source_view(after)
        raise ConcurrentChange

    def delete_source(self, org_id: str, source_id: str, by: str) -> dict[str, Any]:
        for _ in range(MAX_ATTEMPTS):
            source = self._source(org_id, source_id)
            if source.in_use:
                raise SourceInUse(source_id=source_id, what="deleting it", what_ja="削除")
            try:
                self.store.delete_source(source, self._change(org_id, by, "delete_source", source_id, _source_record(source), None))
            except CommitFailed:
                continue
            return {"id": source_id, "deleted": True}
        raise ConcurrentChange

    # --- monitoring -------------------------------------------------------------------

    def _check_evidence(self, org_id: str, document_id: str | None) -> None:
        if document_id is None:
            return
        document = self.documents.get(document_id) if self.documents is not None and re.fullmatch(r"[0-9a-f]{32}", document_id) else None
        if document is None or document.org_id != org_id or document.kind != "evidence" or document.status != "accepted":
            raise EvidenceNotAccepted(field="evidence_document_id", document_id=document_id[:64])

    def _check_value(self, source: Source, month: str, quantity: str, unit: str, factors: FactorTable) -> FactorVersion:
        """A month's value for a source: the rules that do not need the table (raises the first refusal)."""
        if not source.registered:
            raise SourceNotRegistered(source_id=source.source_id)
        if source.retired_in(month):
            raise SourceRetired(source_id=source.source_id, retired_from=source.retired_from, month=month)
        amount = parse_quantity(quantity)
        factor = factors.for_month(source.factor_key or "", month)
        convert(amount, unit, factor.unit, factor.key)
        return factor

    def put_monitoring(self, org_id: str, command: MonitoringCommand, by: str, action: str = "put_monitoring") -> dict[str, Any]:
        month = parse_month(command.month)
        fiscal_year = fiscal_year_of(month)
        parse_quantity(command.quantity)
        factors = self.factors()
        for _ in range(MAX_ATTEMPTS):
            source = self._source(org_id, command.source_id)
            factor = self._check_value(source, month, command.quantity, command.unit, factors)
            self._check_evidence(org_id, command.evidence_document_id)
            head = self.store.year_head(org_id, fiscal_year)
            old = self.store.entry(org_id, fiscal_year, source.source_id, month)
            value = StoredValue(source.source_id, month, command.quantity, command.unit, factor.version, command.evidence_document_id,
                                head.revision + 1, "entry", by, self.now())
            new = value_view(value) | ({"reason": command.reason} if command.reason else {})
            change = self._change(org_id, by, action, f"{source.source_id}/{month}", value_view(old) if old else None, new)
            try:
                self.store.put_value(source, value, fiscal_year, head.revision, change)
            except CommitFailed:
                continue
            return value_view(value)
        raise ConcurrentChange

    def monitoring(self, org_id: str, fiscal_year: int) -> dict[str, Any]:
        data = self.store.fiscal_year(org_id, fiscal_year)
        cells = effective(data)
        return {"org_id": org_id, "fiscal_year": fiscal_year, "revision": data.revision, "current_import": data.current_import,
                "values": [value_view(cells[key]) for key in sorted(cells)]}

    def calculation(self, org_id: str, fiscal_year: int) -> dict[str, Any]:
        organisation = self.store.organisation(org_id)
        data = self.store.fiscal_year(org_id, fiscal_year)
        values: dict[tuple[str, str], MonthlyValue] = {key: stored.value() for key, stored in effective(data).items()}
        result = calculate(org_id, fiscal_year, organisation.sites, organisation.sources, values, self.factors())
        return calculation_view(result)

    # --- the seam of the performance sheet -------------------------------------------------

    def sources_for_sheet(self, org_id: str, fiscal_year: int) -> list[dict[str, Any]]:
        """The organisation's registered sources of a fiscal year (not retired before it
        starts), with what a sheet row shows: number, name, site, factor key, unit and the
        factor version of each month (``None`` where no version is valid)."""
        data = self.store.organisation(org_id)
        factors = self.factors()
        sites = {site.site_id: site for site in data.sites}
        first = months_of(fiscal_year)[0]
        rows = []
        for source in sorted(data.sources, key=lambda s: s.number):
            if not source.registered or (source.retired_from is not None and source.retired_from <= first):
                continue
            key = source.factor_key or ""
            monthly = {}
            for month in months_of(fiscal_year):
                versions = [v for v in factors.of(key) if v.covers(month)]
                monthly[month] = factor_view(versions[0]) if versions else None
            site = sites.get(source.site_id)
            rows.append({"source_id": source.source_id, "number": source.number, "name_ja": source.name_ja, "name_en": source.name_en,
                         "site_id": source.site_id, "site_name_ja": site.name_ja if site else None, "categories":
                         [c.value for c in source.categories], "excluded": source.excluded, "factor_key": key, "unit": source.unit,
                         "accepted_units": list(FAMILY_OF[source.unit].units) if source.unit else [],
                         "retired_from": source.retired_from, "factors": monthly})
        return rows

    def import_monitoring(self, org_id: str, fiscal_year: int, rows: list[ImportRow], import_id: str, by: str) -> ImportResult:
        """Every value of one import, atomically for readers: the values are written under
        the import's id (invisible), the sources they use are marked as used, and then one
        conditional write makes the import the fiscal year's current one, provided no
        source changed since the rows were checked. Accepted whole or refused whole
        (``IMPORT_REFUSED`` lists each bad row); the same ``import_id`` again is a replay."""
        if not _IMPORT_ID.match(import_id):
            raise ImportRefused(count=1, details=[{"row": None, "field": "import_id", "code": "INVALID_IMPORT_ID"}])
        factors = self.factors()
        for _ in range(MAX_ATTEMPTS):
            head = self.store.year_head(org_id, fiscal_year)
            if head.current_import == import_id or import_id in head.imports:
                # The same import again (a redelivered event): never switched in twice, and
                # never back over a newer import that became current since.
                return ImportResult(import_id, fiscal_year, len(rows), head.import_revision, replayed=True)
            organisation = self.store.organisation(org_id)
            values, used = self._check_rows(org_id, fiscal_year, rows, import_id, by, organisation, factors)
            self.store.stage_import(org_id, fiscal_year, import_id, values)
            try:
                self.store.mark_used(org_id, used)
            except CommitFailed:
                continue
            change = self._change(org_id, by, "import_monitoring", f"FY{fiscal_year}",
                                  {"current_import": head.current_import}, {"current_import": import_id, "rows": len(values)})
            for _attempt in range(MAX_ATTEMPTS):
                try:
                    self.store.switch_import(org_id, fiscal_year, import_id, head.revision, organisation.version, change)
                except CommitFailed as failed:
                    if "sources" in failed.failed:
                        break
                    head = self.store.year_head(org_id, fiscal_year)
                    continue
                return ImportResult(import_id, fiscal_year, len(values), head.revision + 1, replayed=False)
            else:
                raise ConcurrentChange
        raise ImportStale(import_id=import_id)

    def _check_rows(self, org_id: str, fiscal_year: int, rows: list[ImportRow], import_id: str, by: str,
                    organisation: OrganisationData, factors: FactorTable) -> tuple[list[StoredValue], list[tuple[Source, str]]]:
        by_number = {s.number: s for s in organisation.sources}
        months = set(months_of(fiscal_year))
        problems: list[dict[str, Any]] = []
        values: list[StoredValue] = []
        latest: dict[str, tuple[Source, str]] = {}
        seen: set[tuple[int, str]] = set()
        now = self.now()
        for index, row in enumerate(rows, start=1):
            source = by_number.get(row.source_number)
            try:
                if source is None:
                    raise SourceNotFound(field="source_number", source_id=str(row.source_number))
                if row.month not in months:
                    raise InvalidMonth(field="month", month=row.month[:20])
                if (row.source_number, row.month) in seen:
                    problems.append({"row": index, "field": "month", "code": "DUPLICATE_CELL"})
                    continue
                seen.add((row.source_number, row.month))
                factor = self._check_value(source, row.month, row.quantity, row.unit, factors)
                self._check_evidence(org_id, row.evidence_document_id)
            except JvetsError as error:
                problems.append({"row": index, "field": error.field, "code": error.code, "message": error.message,
                                 "message_ja": error.message_ja_text})
                continue
            values.append(StoredValue(source.source_id, row.month, row.quantity, row.unit, factor.version, row.evidence_document_id,
                                      0, f"import:{import_id}", by, now))
            if source.source_id not in latest or latest[source.source_id][1] < row.month:
                latest[source.source_id] = (source, row.month)
        if problems:
            raise ImportRefused(count=len(problems), details=problems[:200])
        return values, list(latest.values())


    # --- the performance sheet: download and import ----------------------------------------

    def sheet_sources(self, org_id: str, fiscal_year: int) -> list[Any]:
        """The rows of the organisation's sheet (``sheets.SheetSource``): the factor shown
        is the version valid in the year's first month that has one (shown, never read)."""
        from chalicelib.emissions.sheets import SheetSource

        factors = self.factors()
        rows = []
        for row in self.sources_for_sheet(org_id, fiscal_year):
            monthly = [f for f in row["factors"].values() if f is not None]
            if monthly:
                figure, factor_unit = Decimal(monthly[0]["t_co2_per_unit"]), monthly[0]["unit"]
            else:  # no version valid in the year: the latest one (the import refuses the months)
                latest = factors.of(row["factor_key"])[-1]
                figure, factor_unit = latest.t_co2_per_unit, latest.unit
            rows.append(SheetSource(row["number"], row["name_ja"] or "", row["name_en"], row["site_name_ja"] or "",
                                    row["factor_key"], row["unit"] or factor_unit, tuple(row["accepted_units"]), figure, factor_unit))
        return rows

    def download_sheet(self, org_id: str, fiscal_year: int, files: SheetFilesPort) -> dict[str, Any]:
        """Build the organisation's sheet for a fiscal year, put it in the bucket under a
        key of the server's choosing and answer a short-lived download link (the API
        never streams files)."""
        from chalicelib.emissions.sheets import SheetHeader, build_sheet

        organisation = self.organisations.get(org_id) if self.organisations is not None else None
        if organisation is None:
            raise EmissionsOrganisationNotFound(org_id=org_id[:64])
        sources = self.sheet_sources(org_id, fiscal_year)
        generated_at = self.now()
        data = build_sheet(SheetHeader(org_id, organisation.name, organisation.name_ja, fiscal_year, generated_at), sources)
        key = f"{SHEET_PREFIX}{org_id}/FY{fiscal_year}/{uuid.uuid4().hex}.xlsx"
        files.put_sheet(key, data)
        filename = f"JVETS_performance_sheet_{org_id}_FY{fiscal_year}.xlsx"
        return {"url": files.download_url(key, filename, SHEET_LINK_SECONDS), "expires_in": SHEET_LINK_SECONDS,
                "filename": filename, "org_id": org_id, "fiscal_year": fiscal_year, "sources": len(sources),
                "generated_at": generated_at, "size": len(data), "purpose": sheet_purpose(fiscal_year)}

    def import_sheet(self, upload: SheetUpload, files: SheetFilesPort) -> SheetOutcome:
        """Read an accepted sheet and import it whole, or refuse it whole with every bad
        cell. A refusal is an outcome, not a failure; a failure (the table or the bucket
        unavailable, the sources changing throughout) raises, so the event is delivered
        again, and the document's id as the import's id makes that a replay."""
        from chalicelib.emissions.sheets import MAX_FILE_BYTES, SheetHeader, read_sheet

        fiscal_year = fiscal_year_of_purpose(upload.purpose)
        if fiscal_year is None:
            return _refused([_problem("", "", SheetPurposeInvalid())], {"purpose": upload.purpose})
        summary: dict[str, Any] = {"fiscal_year": fiscal_year}
        data = files.read(upload.bucket, upload.key, upload.version_id, MAX_FILE_BYTES)
        if data is None:
            return _refused([_problem("", "", SheetFileUnavailable())], summary)
        sources = self.sheet_sources(upload.org_id, fiscal_year)
        reading = read_sheet(data, SheetHeader(upload.org_id, "", "", fiscal_year, ""), sources)
        if reading.bad:
            problems = [{"sheet": b.sheet, "cell": b.cell, "code": b.code, "message": b.message, "message_ja": b.message_ja}
                        for b in reading.bad]
            return _refused(problems, summary)
        keys = sorted(reading.values)
        rows = [ImportRow(number, month, format(reading.values[(number, month)][0], "f"), reading.values[(number, month)][1])
                for number, month in keys]
        try:
            result = self.import_monitoring(upload.org_id, fiscal_year, rows, upload.document_id,
                                            upload.uploaded_by or f"document:{upload.document_id}")
        except ImportRefused as refused:
            from chalicelib.emissions.sheets import DATA_SHEET

            problems = []
            for detail in refused.details or []:
                index = detail.get("row")
                cell = reading.cells.get(keys[index - 1], "") if isinstance(index, int) and 0 < index <= len(keys) else ""
                problems.append({"sheet": DATA_SHEET if cell else "", "cell": cell, "code": str(detail.get("code", "")),
                                 "message": str(detail.get("message") or refused.message),
                                 "message_ja": str(detail.get("message_ja") or refused.message_ja_text)})
            return _refused(problems, summary)
        return SheetOutcome("imported", [], {**summary, "import_id": result.import_id, "values": result.rows,
                                             "sources": len({number for number, _ in keys}), "revision": result.revision,
                                             "replayed": result.replayed})


    # --- what allocation, true-up and the overdue list read (chalicelib/compliance) ----------

    def reviewed_emissions(self, org_id: str, fiscal_year: int) -> ReviewedEmissions | None:
        """The organisation's emissions of the fiscal year as the administrator accepted or
        determined them (whole t-CO2), or ``None``: never an unreviewed figure."""
        if self.reports is None:
            return None
        head = self.reports.head(org_id, fiscal_year)
        return reviewed_of(head)

    def report_states(self, fiscal_year: int) -> list[ReportState]:
        """Where every organisation's report of the fiscal year stands (organisations
        without a report are not listed), by organisation."""
        if self.reports is None:
            return []
        return [ReportState(h.org_id, h.report_id, h.version, h.status, h.submitted_at)
                for h in sorted(self.reports.heads_of_year(fiscal_year), key=lambda h: h.org_id)]


#: The name other systems know the emissions use cases by (``docs/interfaces``).
EmissionsService = Emissions


def reviewed_of(head: ReportHead | None) -> ReviewedEmissions | None:
    if head is None or head.reviewed_t_co2 is None or head.reviewed_basis not in ("accepted", "determined") \
            or head.reviewed_version is None:
        return None
    basis: Literal["accepted", "determined"] = "accepted" if head.reviewed_basis == "accepted" else "determined"
    return ReviewedEmissions(head.org_id, head.fiscal_year, head.reviewed_t_co2, basis, head.report_id, head.reviewed_version)

def _problem(sheet: str, cell: str, error: JvetsError) -> dict[str, str]:
    return {"sheet": sheet, "cell": cell, "code": error.code, "message": error.message, "message_ja": error.message_ja_text}


def _refused(problems: list[dict[str, str]], summary: dict[str, Any]) -> SheetOutcome:
    return SheetOutcome("refused", problems, {**summary, "problems": len(problems)})
