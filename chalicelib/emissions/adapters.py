"""The emissions system's items in the table (``chalicelib.core.table``) and its store.

Key design (``pk`` / ``sk``), so that a fiscal year's calculation is a handful of
queries whatever the number of sources:

- ``EORG#<org>`` / ``HEAD``: the version of the organisation's set of sources, advanced
  by every write to a source (an import becomes current only if it is unchanged).
- ``EORG#<org>`` / ``SITE#<id>``: a site.
- ``EORG#<org>`` / ``SRC#<id>``: an emission source, with ``monitoring_count`` (monitoring
  writes that used it; condition expressions cannot count, so every write that adds
  monitoring data adds 1 in the same transaction) and ``last_month``.
- ``EORG#<org>`` / ``SRCNO#<number>``: the source number's claim (numbers are unique per
  organisation: created with the source, in the same transaction, if it does not exist).
- ``EMON#<org>#<fiscal year>`` / ``HEAD``: the year's ``revision`` (advanced by every
  write to the year) and its current import with the revision it became current at.
- ``EMON#<org>#<fiscal year>`` / ``MON#<source id>#<YYYY-MM>``: a month's single entry.
- ``EIMP#<org>#<fiscal year>#<import id>`` / ``MON#<source id>#<YYYY-MM>``: a month's
  value in one import (read only while that import is current).
- ``EAUD#<org>`` / ``<at>#<id>``: the change record of each write (who, when, what,
  before and after), written in the write's own transaction; ``EAUD##factors`` for factors.
- ``EFAC`` / ``VER#<key>#<valid from>``: an emission factor version added by an
  administrator (the shipped SHK 2006 list is in the code); ``EFAC`` / ``KEY#<key>``
  counts a key's added versions, so that two overlapping versions cannot both be added.

A calculation reads ``EORG#<org>`` (sites and sources), ``EMON#<org>#<FY>`` (entries and
the head), the current import's partition and ``EFAC``: four queries (more only when a
partition passes 1 MB per page).
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import BinaryAttribute, BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import GetError, PutError, QueryError

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.table import LinkedWrite, TableItem, response_code, transact, unavailable
from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.factors import FactorVersion
from chalicelib.emissions.domain.monitoring import FiscalYearData, StoredValue
from chalicelib.emissions.domain.reports import Transition
from chalicelib.emissions.domain.sources import Basis, Category, Site, Source, SourceStatus
from chalicelib.emissions.ports import (
    Change,
    OrganisationData,
    ReportHead,
    ReportVersionRecord,
    ReportWrite,
    WorkingPaperRecord,
    YearHead,
)

#: Sources marked as used per transaction of an import (TransactWriteItems holds 100).
MARK_CHUNK = 90


class EmissionsHeadItem(TableItem, discriminator="emissions_head"):
    version = NumberAttribute(default=0)

    @staticmethod
    def key(org_id: str) -> tuple[str, str]:
        return f"EORG#{org_id}", "HEAD"


class SiteItem(TableItem, discriminator="emission_site"):
    site_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name_ja = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, site_id: str) -> tuple[str, str]:
        return f"EORG#{org_id}", f"SITE#{site_id}"


class SourceItem(TableItem, discriminator="emission_source"):
    source_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute()
    site_id = UnicodeAttribute()
    name_ja = UnicodeAttribute(null=True)
    name_en = UnicodeAttribute(null=True)
    categories = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))
    factor_key = UnicodeAttribute(null=True)
    unit = UnicodeAttribute(null=True)
    basis = UnicodeAttribute(null=True)
    basis_text = UnicodeAttribute(null=True)
    excluded = BooleanAttribute(default=False)
    exclusion_reason = UnicodeAttribute(null=True)
    cogeneration = BooleanAttribute(default=False)
    external_supply = BooleanAttribute(default=False)
    notes = UnicodeAttribute(null=True)
    retired_from = UnicodeAttribute(null=True)
    monitoring_count = NumberAttribute(default=0)
    last_month = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, source_id: str) -> tuple[str, str]:
        return f"EORG#{org_id}", f"SRC#{source_id}"


class SourceNumberItem(TableItem, discriminator="emission_source_number"):
    source_id = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, number: int) -> tuple[str, str]:
        return f"EORG#{org_id}", f"SRCNO#{number:06d}"


class YearHeadItem(TableItem, discriminator="emissions_year"):
    revision = NumberAttribute(default=0)
    current_import = UnicodeAttribute(null=True)
    import_revision = NumberAttribute(default=0)
    #: Every import ever made current, added in the switch itself.
    imports = UnicodeSetAttribute(null=True)

    @staticmethod
    def key(org_id: str, fiscal_year: int) -> tuple[str, str]:
        return f"EMON#{org_id}#{fiscal_year}", "HEAD"


class MonitoringItem(TableItem, discriminator="monitoring_value"):
    source_id = UnicodeAttribute()
    month = UnicodeAttribute()
    #: The decimal string exactly as given (never a number type: no float anywhere).
    quantity = UnicodeAttribute()
    unit = UnicodeAttribute()
    factor_version = UnicodeAttribute()
    evidence_document_id = UnicodeAttribute(null=True)
    revision = NumberAttribute(default=0)
    origin = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def entry_key(org_id: str, fiscal_year: int, source_id: str, month: str) -> tuple[str, str]:
        return f"EMON#{org_id}#{fiscal_year}", f"MON#{source_id}#{month}"

    @staticmethod
    def import_key(org_id: str, fiscal_year: int, import_id: str, source_id: str, month: str) -> tuple[str, str]:
        return f"EIMP#{org_id}#{fiscal_year}#{import_id}", f"MON#{source_id}#{month}"


class ChangeItem(TableItem, discriminator="emissions_change"):
    by = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    old = UnicodeAttribute(null=True)
    new = UnicodeAttribute(null=True)

    @staticmethod
    def key(org_id: str, at: str) -> tuple[str, str]:
        return f"EAUD#{org_id}", f"{at}#{uuid.uuid4().hex[:16]}"


class FactorItem(TableItem, discriminator="emission_factor"):
    factor_key = UnicodeAttribute()
    name_ja = UnicodeAttribute()
    name_en = UnicodeAttribute()
    unit = UnicodeAttribute()
    #: t-CO2 per unit as a decimal string.
    t_co2_per_unit = UnicodeAttribute()
    valid_from = UnicodeAttribute()
    valid_to = UnicodeAttribute(null=True)
    source = UnicodeAttribute()

    @staticmethod
    def key(factor_key: str, valid_from: str) -> tuple[str, str]:
        return "EFAC", f"VER#{factor_key}#{valid_from}"


class FactorKeyItem(TableItem, discriminator="emission_factor_key"):
    added = NumberAttribute(default=0)

    @staticmethod
    def key(factor_key: str) -> tuple[str, str]:
        return "EFAC", f"KEY#{factor_key}"


# --- conversions ----------------------------------------------------------------------------


def _site(item: SiteItem) -> Site:
    return Site(item.org_id, item.site_id, item.name_ja, item.name_en, item.address, item.updated_by, item.updated_at)


def _source(item: SourceItem) -> Source:
    return Source(
        org_id=item.org_id, source_id=item.source_id, number=int(item.number), status=SourceStatus(item.status), site_id=item.site_id,
        name_ja=item.name_ja, name_en=item.name_en, categories=tuple(Category(c) for c in item.categories or ()),
        factor_key=item.factor_key, unit=item.unit, basis=Basis(item.basis) if item.basis else None, basis_text=item.basis_text,
        excluded=bool(item.excluded), exclusion_reason=item.exclusion_reason, cogeneration=bool(item.cogeneration),
        external_supply=bool(item.external_supply), notes=item.notes, retired_from=item.retired_from,
        monitoring_count=int(item.monitoring_count or 0), last_month=item.last_month, version=int(item.version),
        updated_by=item.updated_by, updated_at=item.updated_at, created_at=item.created_at,
    )


def _source_item(source: Source) -> SourceItem:
    return SourceItem(
        *SourceItem.key(source.org_id, source.source_id), source_id=source.source_id, org_id=source.org_id, number=source.number,
        status=source.status.value, site_id=source.site_id, name_ja=source.name_ja, name_en=source.name_en,
        categories=[c.value for c in source.categories], factor_key=source.factor_key, unit=source.unit,
        basis=source.basis.value if source.basis else None, basis_text=source.basis_text, excluded=source.excluded,
        exclusion_reason=source.exclusion_reason, cogeneration=source.cogeneration, external_supply=source.external_supply,
        notes=source.notes, retired_from=source.retired_from, monitoring_count=source.monitoring_count, last_month=source.last_month,
        version=source.version, created_at=source.created_at, updated_by=source.updated_by, updated_at=source.updated_at,
    )


def _value(item: MonitoringItem) -> StoredValue:
    return StoredValue(item.source_id, item.month, item.quantity, item.unit, item.factor_version, item.evidence_document_id,
                       int(item.revision or 0), item.origin, item.updated_by, item.updated_at)


def _value_item(key: tuple[str, str], value: StoredValue) -> MonitoringItem:
    return MonitoringItem(*key, source_id=value.source_id, month=value.month, quantity=value.quantity, unit=value.unit,
                          factor_version=value.factor_version, evidence_document_id=value.evidence_document_id,
                          revision=value.revision, origin=value.origin, updated_by=value.updated_by, updated_at=value.updated_at)


def _factor(item: FactorItem) -> FactorVersion:
    from decimal import Decimal

    return FactorVersion(item.factor_key, item.name_ja, item.name_en, item.unit, Decimal(item.t_co2_per_unit), item.valid_from,
                         item.valid_to, item.source)


def _change(change: Change) -> LinkedWrite:
    item = ChangeItem(*ChangeItem.key(change.org_id, change.at), by=change.by, at=change.at, action=change.action, target=change.target,
                      old=json.dumps(change.old, ensure_ascii=False, sort_keys=True) if change.old is not None else None,
                      new=json.dumps(change.new, ensure_ascii=False, sort_keys=True) if change.new is not None else None)
    return LinkedWrite.put("change", item, ChangeItem.pk.does_not_exist())


def _bump_sources(org_id: str) -> LinkedWrite:
    return LinkedWrite.update("head", EmissionsHeadItem(*EmissionsHeadItem.key(org_id)),
                              [EmissionsHeadItem.version.add(1), EmissionsHeadItem.item_type.set(EmissionsHeadItem)])


def _commit(writes: Iterable[LinkedWrite]) -> None:
    """One TransactWriteItems; a failed condition is reported by its label, and a conflict
    with another transaction in flight as a 503 the caller may retry."""
    try:
        transact(writes)
    except CommitFailed as failed:
        if not failed.failed:
            raise ServiceUnavailable(details=[{"cause": "TransactionConflict"}]) from failed
        raise


def _query(pk: str, condition: Any = None) -> list[Any]:
    try:
        return list(TableItem.query(pk, condition, consistent_read=True))
    except QueryError as error:
        raise unavailable(error) from error


class EmissionsStore:
    """``EmissionsPort`` on the table."""

    # --- reads ----------------------------------------------------------------------------

    def organisation(self, org_id: str) -> OrganisationData:
        sites, sources, version = [], [], 0
        for item in _query(f"EORG#{org_id}"):
            if isinstance(item, SiteItem):
                sites.append(_site(item))
            elif isinstance(item, SourceItem):
                sources.append(_source(item))
            elif isinstance(item, EmissionsHeadItem):
                version = int(item.version)
        return OrganisationData(sites, sources, version)

    def source(self, org_id: str, source_id: str) -> Source | None:
        try:
            return _source(SourceItem.get(*SourceItem.key(org_id, source_id), consistent_read=True))
        except SourceItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def year_head(self, org_id: str, fiscal_year: int) -> YearHead:
        try:
            item = YearHeadItem.get(*YearHeadItem.key(org_id, fiscal_year), consistent_read=True)
        except YearHeadItem.DoesNotExist:
            return YearHead()
        except GetError as error:
            raise unavailable(error) from error
        return YearHead(int(item.revision), item.current_import, int(item.import_revision or 0), frozenset(item.imports or ()))

    def entry(self, org_id: str, fiscal_year: int, source_id: str, month: str) -> StoredValue | None:
        try:
            return _value(MonitoringItem.get(*MonitoringItem.entry_key(org_id, fiscal_year, source_id, month), consistent_read=True))
        except MonitoringItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error

    def fiscal_year(self, org_id: str, fiscal_year: int) -> FiscalYearData:
        head = YearHead()
        entries: dict[tuple[str, str], StoredValue] = {}
        for item in _query(f"EMON#{org_id}#{fiscal_year}"):
            if isinstance(item, YearHeadItem):
                head = YearHead(int(item.revision), item.current_import, int(item.import_revision or 0))
            elif isinstance(item, MonitoringItem):
                entries[(item.source_id, item.month)] = _value(item)
        imported: dict[tuple[str, str], StoredValue] = {}
        if head.current_import is not None:
            for item in _query(f"EIMP#{org_id}#{fiscal_year}#{head.current_import}"):
                if isinstance(item, MonitoringItem):
                    imported[(item.source_id, item.month)] = _value(item)
        return FiscalYearData(head.revision, head.current_import, head.import_revision, entries, imported)

    def added_factors(self) -> list[FactorVersion]:
        return [_factor(item) for item in _query("EFAC", TableItem.sk.startswith("VER#")) if isinstance(item, FactorItem)]

    # --- writes ---------------------------------------------------------------------------

    def create_site(self, site: Site, change: Change) -> None:
        item = SiteItem(*SiteItem.key(site.org_id, site.site_id), site_id=site.site_id, org_id=site.org_id, name_ja=site.name_ja,
                        name_en=site.name_en, address=site.address, updated_by=site.updated_by, updated_at=site.updated_at)
        _commit([LinkedWrite.put("site", item, SiteItem.pk.does_not_exist()), _change(change)])

    def _site_check(self, source: Source) -> LinkedWrite:
        return LinkedWrite.check("site", SiteItem, *SiteItem.key(source.org_id, source.site_id), SiteItem.pk.exists())

    def _claim(self, source: Source) -> LinkedWrite:
        claim = SourceNumberItem(*SourceNumberItem.key(source.org_id, source.number), source_id=source.source_id)
        return LinkedWrite.put("number", claim, SourceNumberItem.pk.does_not_exist())

    def _release(self, source: Source) -> LinkedWrite:
        claim = SourceNumberItem(*SourceNumberItem.key(source.org_id, source.number))
        return LinkedWrite.delete("old_number", claim, SourceNumberItem.source_id == source.source_id)

    def create_source(self, source: Source, change: Change) -> None:
        _commit([LinkedWrite.put("source", _source_item(source), SourceItem.pk.does_not_exist()), self._claim(source),
                 self._site_check(source), _bump_sources(source.org_id), _change(change)])

    def update_source(self, before: Source, after: Source, change: Change, *, require_unused: bool) -> None:
        # Exactly the source read: no other edit and no monitoring write came in between.
        condition = (SourceItem.version == before.version) & (SourceItem.monitoring_count == before.monitoring_count)
        if require_unused:
            condition &= SourceItem.monitoring_count == 0
        writes = [LinkedWrite.put("source", _source_item(after), condition), _bump_sources(after.org_id), _change(change)]
        if before.number != after.number:
            writes += [self._release(before), self._claim(after)]
        if before.site_id != after.site_id:
            writes.append(self._site_check(after))
        _commit(writes)

    def delete_source(self, source: Source, change: Change) -> None:
        item = SourceItem(*SourceItem.key(source.org_id, source.source_id))
        condition = (SourceItem.version == source.version) & (SourceItem.monitoring_count == 0)
        _commit([LinkedWrite.delete("source", item, condition), self._release(source), _bump_sources(source.org_id), _change(change)])

    @staticmethod
    def _use(source: Source, month: str, extra: Any = None) -> LinkedWrite:
        """Count a monitoring write on the source: it is still registered with the factor
        read, and no other monitoring write came in between (``last_month`` is a max)."""
        condition = ((SourceItem.status == SourceStatus.REGISTERED.value) & (SourceItem.factor_key == (source.factor_key or ""))
                     & (SourceItem.monitoring_count == source.monitoring_count))
        if extra is not None:
            condition &= extra
        last = max(source.last_month or month, month)
        return LinkedWrite.update("source", SourceItem(*SourceItem.key(source.org_id, source.source_id)),
                                  [SourceItem.monitoring_count.add(1), SourceItem.last_month.set(last)], condition)

    @staticmethod
    def _advance_year(org_id: str, fiscal_year: int, read_revision: int, *actions: Any) -> LinkedWrite:
        expected = (YearHeadItem.revision == read_revision) if read_revision else YearHeadItem.pk.does_not_exist()
        return LinkedWrite.update("year", YearHeadItem(*YearHeadItem.key(org_id, fiscal_year)),
                                  [YearHeadItem.revision.set(read_revision + 1), YearHeadItem.item_type.set(YearHeadItem), *actions],
                                  expected)

    def put_value(self, source: Source, value: StoredValue, fiscal_year: int, read_revision: int, change: Change) -> None:
        not_retired = SourceItem.retired_from.does_not_exist() | (SourceItem.retired_from > value.month)
        item = _value_item(MonitoringItem.entry_key(source.org_id, fiscal_year, value.source_id, value.month), value)
        _commit([self._use(source, value.month, not_retired), LinkedWrite.put("value", item),
                 self._advance_year(source.org_id, fiscal_year, read_revision), _change(change)])

    def stage_import(self, org_id: str, fiscal_year: int, import_id: str, values: list[StoredValue]) -> None:
        # Exactly these values under the import's id: what an earlier attempt of the same
        # import staged for a cell this one has not (its rows mapped to other sources then)
        # would count once the import is current.
        cells = {MonitoringItem.import_key(org_id, fiscal_year, import_id, value.source_id, value.month)[1] for value in values}
        leftovers = [item for item in _query(f"EIMP#{org_id}#{fiscal_year}#{import_id}") if item.sk not in cells]
        try:
            with MonitoringItem.batch_write() as batch:
                for item in leftovers:
                    batch.delete(item)
                for value in values:
                    batch.save(_value_item(MonitoringItem.import_key(org_id, fiscal_year, import_id, value.source_id, value.month), value))
        except PutError as error:
            raise unavailable(error) from error

    def mark_used(self, org_id: str, sources: list[tuple[Source, str]]) -> None:
        for start in range(0, len(sources), MARK_CHUNK):
            _commit([self._use(source, month) for source, month in sources[start:start + MARK_CHUNK]])

    def switch_import(self, org_id: str, fiscal_year: int, import_id: str, read_revision: int, sources_version: int,
                      change: Change) -> None:
        head = EmissionsHeadItem.key(org_id)
        unchanged = (EmissionsHeadItem.version == sources_version) if sources_version else EmissionsHeadItem.pk.does_not_exist()
        _commit([
            LinkedWrite.check("sources", EmissionsHeadItem, *head, unchanged),
            self._advance_year(org_id, fiscal_year, read_revision, YearHeadItem.current_import.set(import_id),
                               YearHeadItem.import_revision.set(read_revision + 1), YearHeadItem.imports.add({import_id})),
            _change(change),
        ])

    def add_factor(self, version: FactorVersion, change: Change, added_before: int) -> None:
        item = FactorItem(*FactorItem.key(version.key, version.valid_from), factor_key=version.key, name_ja=version.name_ja,
                          name_en=version.name_en, unit=version.unit, t_co2_per_unit=str(version.t_co2_per_unit),
                          valid_from=version.valid_from, valid_to=version.valid_to, source=version.source)
        expected = (FactorKeyItem.added == added_before) if added_before else FactorKeyItem.pk.does_not_exist()
        _commit([
            LinkedWrite.put("factor", item, FactorItem.pk.does_not_exist()),
            LinkedWrite.update("key", FactorKeyItem(*FactorKeyItem.key(version.key)),
                               [FactorKeyItem.added.add(1), FactorKeyItem.item_type.set(FactorKeyItem)], expected),
            _change(change),
        ])


# --- the performance sheet's files ------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetFiles:
    """``SheetFilesPort`` on the documents bucket, with the container's S3 client. The API
    may write and read ``sheets/`` only (``infra/policies.yaml``); an uploaded sheet is
    read where its ``DocumentAccepted`` event says it is."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @staticmethod
    def _unavailable(error: Exception) -> ServiceUnavailable:
        cause = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
        return ServiceUnavailable(details=[{"cause": cause}])

    def put_sheet(self, key: str, data: bytes) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=XLSX_TYPE)
        except (ClientError, BotoCoreError) as error:
            raise self._unavailable(error) from error

    def download_url(self, key: str, filename: str, expires_in: int) -> str:
        from chalicelib.documents.domain.documents import content_disposition

        params = {"Bucket": self._bucket, "Key": key, "ResponseContentDisposition": content_disposition(filename),
                  "ResponseContentType": XLSX_TYPE}
        try:
            return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))
        except (ClientError, BotoCoreError) as error:
            raise self._unavailable(error) from error

    def read(self, bucket: str | None, key: str, version_id: str | None, max_bytes: int) -> bytes | None:
        """The object's first ``max_bytes + 1`` bytes at most (a larger file is refused by
        the reader as too large without being held whole); ``None`` if it is gone."""
        version = {"VersionId": version_id} if version_id else {}
        try:
            answer = self._client.get_object(Bucket=bucket or self._bucket, Key=key, Range=f"bytes=0-{max_bytes}", **version)
            return bytes(answer["Body"].read(max_bytes + 1))
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}:
                return None
            raise self._unavailable(error) from error
        except BotoCoreError as error:
            raise self._unavailable(error) from error


# --- calculation reports, verification and review -----------------------------------------------
#
# - ``ERPTFY#<fiscal year>`` / ``ORG#<org>``: the report's head (its latest version, that
#   version's status, ``revision``, and the reviewed figure): every transition is conditioned on
#   it, ``report_states`` of a year is one query, ``reviewed_emissions`` one GetItem.
# - ``ERPTORG#<org>`` / ``FY#<fiscal year>``: the organisation's list of reports (written once).
# - ``ERPT#<org>#<fiscal year>`` / ``V#<version>``: a version with its pinned figures
#   (zlib-compressed JSON) and ``T#<sequence>``: the history, one record per transition.
# - ``ERPT#<org>#<fiscal year>`` / ``WP#<document id>``: a working paper the documents system
#   accepted (written once, conditioned on not existing: a redelivered event writes nothing;
#   keyed by the document, so that a second delivery finds it whatever its time).
# - ``EVASG#<org>`` / ``FY#<fiscal year>``: the verification body assigned;
#   ``EVBODY#<body>`` / ``<fiscal year>#<org>``: what a body is assigned to.

#: Pinned figures larger than this (compressed) are refused (an item holds 400 KB).
MAX_FIGURES_BYTES = 300_000


class ReportHeadItem(TableItem, discriminator="report_head"):
    report_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    fiscal_year = NumberAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    revision = NumberAttribute()
    updated_at = UnicodeAttribute()
    submitted_at = UnicodeAttribute(null=True)
    cancellation_pending = BooleanAttribute(default=False)
    ever_submitted = BooleanAttribute(default=False)
    reviewed_t_co2 = NumberAttribute(null=True)
    reviewed_basis = UnicodeAttribute(null=True)
    reviewed_version = NumberAttribute(null=True)

    @staticmethod
    def key(org_id: str, fiscal_year: int) -> tuple[str, str]:
        return f"ERPTFY#{fiscal_year}", f"ORG#{org_id}"


class ReportIndexItem(TableItem, discriminator="report_index"):
    report_id = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, fiscal_year: int) -> tuple[str, str]:
        return f"ERPTORG#{org_id}", f"FY#{fiscal_year}"


class ReportVersionItem(TableItem, discriminator="report_version"):
    report_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    fiscal_year = NumberAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    total_t = NumberAttribute()
    figures = BinaryAttribute(legacy_encoding=False)
    files = UnicodeAttribute()
    submitted_at = UnicodeAttribute(null=True)
    verification = UnicodeAttribute(null=True)
    review = UnicodeAttribute(null=True)
    cancellation = UnicodeAttribute(null=True)

    @staticmethod
    def key(org_id: str, fiscal_year: int, version: int) -> tuple[str, str]:
        return f"ERPT#{org_id}#{fiscal_year}", f"V#{version:04d}"


class ReportTransitionItem(TableItem, discriminator="report_transition"):
    version = NumberAttribute()
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    by = UnicodeAttribute()
    role = UnicodeAttribute()
    at = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    details = UnicodeAttribute(null=True)

    @staticmethod
    def key(org_id: str, fiscal_year: int, sequence: int) -> tuple[str, str]:
        return f"ERPT#{org_id}#{fiscal_year}", f"T#{sequence:06d}"


class WorkingPaperItem(TableItem, discriminator="report_working_paper"):
    report_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    verifier_org = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    uploaded_by = UnicodeAttribute()
    accepted_at = UnicodeAttribute()
    recorded_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(org_id: str, fiscal_year: int, document_id: str) -> tuple[str, str]:
        return f"ERPT#{org_id}#{fiscal_year}", f"WP#{document_id}"


class VerifierAssignmentItem(TableItem, discriminator="verifier_assignment"):
    verifier_org = UnicodeAttribute()
    assigned_by = UnicodeAttribute()
    assigned_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, fiscal_year: int) -> tuple[str, str]:
        return f"EVASG#{org_id}", f"FY#{fiscal_year}"


class VerifierIndexItem(TableItem, discriminator="verifier_index"):
    org_id = UnicodeAttribute()
    fiscal_year = NumberAttribute()

    @staticmethod
    def key(verifier_org: str, org_id: str, fiscal_year: int) -> tuple[str, str]:
        return f"EVBODY#{verifier_org}", f"{fiscal_year}#{org_id}"


def _json(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else None


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def _head(item: ReportHeadItem) -> ReportHead:
    return ReportHead(
        report_id=item.report_id, org_id=item.org_id, fiscal_year=int(item.fiscal_year), version=int(item.version),
        status=item.status, revision=int(item.revision), updated_at=item.updated_at, submitted_at=item.submitted_at,
        cancellation_pending=bool(item.cancellation_pending), ever_submitted=bool(item.ever_submitted),
        reviewed_t_co2=int(item.reviewed_t_co2) if item.reviewed_t_co2 is not None else None, reviewed_basis=item.reviewed_basis,
        reviewed_version=int(item.reviewed_version) if item.reviewed_version is not None else None,
    )


def head_item(head: ReportHead) -> ReportHeadItem:
    return ReportHeadItem(
        *ReportHeadItem.key(head.org_id, head.fiscal_year), report_id=head.report_id, org_id=head.org_id,
        fiscal_year=head.fiscal_year, version=head.version, status=head.status, revision=head.revision, updated_at=head.updated_at,
        submitted_at=head.submitted_at, cancellation_pending=head.cancellation_pending, ever_submitted=head.ever_submitted,
        reviewed_t_co2=head.reviewed_t_co2, reviewed_basis=head.reviewed_basis, reviewed_version=head.reviewed_version,
    )


def index_item(org_id: str, fiscal_year: int, report_id: str) -> ReportIndexItem:
    return ReportIndexItem(*ReportIndexItem.key(org_id, fiscal_year), report_id=report_id)


def _version(item: ReportVersionItem) -> ReportVersionRecord:
    return ReportVersionRecord(
        report_id=item.report_id, org_id=item.org_id, fiscal_year=int(item.fiscal_year), version=int(item.version), status=item.status,
        created_by=item.created_by, created_at=item.created_at, total_t=int(item.total_t),
        figures=json.loads(zlib.decompress(item.figures).decode("utf-8")), files=json.loads(item.files),
        submitted_at=item.submitted_at, verification=_loads(item.verification), review=_loads(item.review),
        cancellation=_loads(item.cancellation),
    )


def compressed_figures(figures: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"), 6)


def version_item(record: ReportVersionRecord) -> ReportVersionItem:
    figures = compressed_figures(record.figures)
    if len(figures) > MAX_FIGURES_BYTES:
        from chalicelib.emissions.domain.errors import ReportTooLarge

        raise ReportTooLarge(size=len(figures))
    return ReportVersionItem(
        *ReportVersionItem.key(record.org_id, record.fiscal_year, record.version), report_id=record.report_id, org_id=record.org_id,
        fiscal_year=record.fiscal_year, version=record.version, status=record.status, created_by=record.created_by,
        created_at=record.created_at, total_t=record.total_t, figures=figures, files=json.dumps(record.files, sort_keys=True),
        submitted_at=record.submitted_at, verification=_json(record.verification), review=_json(record.review),
        cancellation=_json(record.cancellation),
    )


def transition_item(org_id: str, fiscal_year: int, transition: Transition) -> ReportTransitionItem:
    return ReportTransitionItem(
        *ReportTransitionItem.key(org_id, fiscal_year, transition.sequence), version=transition.version, action=transition.action,
        from_status=transition.from_status, to_status=transition.to_status, by=transition.by, role=transition.role,
        at=transition.at, reason=transition.reason, details=_json(transition.details or None),
    )


def _transition(report_id: str, item: ReportTransitionItem) -> Transition:
    return Transition(report_id=report_id, sequence=int(item.sk[2:]), version=int(item.version), action=item.action,
                      from_status=item.from_status, to_status=item.to_status, by=item.by, role=item.role, at=item.at,
                      reason=item.reason, details=_loads(item.details) or {})


def _get(model: Any, key: tuple[str, str]) -> Any:
    try:
        return model.get(*key, consistent_read=True)
    except model.DoesNotExist:
        return None
    except GetError as error:
        raise unavailable(error) from error


class ReportStore:
    """``ReportsPort`` on the table."""

    def head(self, org_id: str, fiscal_year: int) -> ReportHead | None:
        item = _get(ReportHeadItem, ReportHeadItem.key(org_id, fiscal_year))
        return _head(item) if item is not None else None

    def heads_of_org(self, org_id: str) -> list[ReportHead]:
        keys = [(org_id, int(item.sk[3:])) for item in _query(f"ERPTORG#{org_id}") if isinstance(item, ReportIndexItem)]
        return self.heads(keys)

    def heads_of_year(self, fiscal_year: int) -> list[ReportHead]:
        return [_head(item) for item in _query(f"ERPTFY#{fiscal_year}") if isinstance(item, ReportHeadItem)]

    def heads(self, keys: list[tuple[str, int]]) -> list[ReportHead]:
        if not keys:
            return []
        try:
            items = list(ReportHeadItem.batch_get([ReportHeadItem.key(o, y) for o, y in keys], consistent_read=True))
        except GetError as error:
            raise unavailable(error) from error
        return sorted((_head(item) for item in items), key=lambda h: (-h.fiscal_year, h.org_id))

    def version(self, org_id: str, fiscal_year: int, version: int) -> ReportVersionRecord | None:
        item = _get(ReportVersionItem, ReportVersionItem.key(org_id, fiscal_year, version))
        return _version(item) if item is not None else None

    def history(self, org_id: str, fiscal_year: int) -> tuple[list[ReportVersionRecord], list[Transition]]:
        versions, transitions = [], []
        from chalicelib.emissions.domain.reports import report_id_of

        report_id = report_id_of(org_id, fiscal_year)
        # ``T#`` and ``V#`` sort before ``WP#``: the working papers are not read with the history.
        for item in _query(f"ERPT#{org_id}#{fiscal_year}", TableItem.sk < "WP#"):
            if isinstance(item, ReportVersionItem):
                versions.append(_version(item))
            elif isinstance(item, ReportTransitionItem):
                transitions.append(_transition(report_id, item))
        return versions, transitions

    def commit(self, write: ReportWrite) -> None:
        head = write.head
        expected = write.expected
        if expected is None:
            condition = ReportHeadItem.pk.does_not_exist()
        else:
            condition = ((ReportHeadItem.revision == expected.revision) & (ReportHeadItem.status == expected.status)
                         & (ReportHeadItem.version == expected.version))
        writes = [LinkedWrite.put("head", head_item(head), condition),
                  LinkedWrite.put("transition", transition_item(head.org_id, head.fiscal_year, write.transition),
                                  ReportTransitionItem.pk.does_not_exist())]
        if expected is None:
            writes.append(LinkedWrite.put("index", index_item(head.org_id, head.fiscal_year, head.report_id)))
        if write.version is not None:
            writes.append(LinkedWrite.put("version", version_item(write.version),
                                          ReportVersionItem.status == (write.version_status_before or write.version.status)))
        if write.new_version is not None:
            writes.append(LinkedWrite.put("new_version", version_item(write.new_version), ReportVersionItem.pk.does_not_exist()))
        if write.verifier_org is not None:
            writes.append(LinkedWrite.check("assignment", VerifierAssignmentItem,
                                            *VerifierAssignmentItem.key(head.org_id, head.fiscal_year),
                                            VerifierAssignmentItem.verifier_org == write.verifier_org))
        _commit(writes)

    # --- working papers -------------------------------------------------------------------

    def working_papers(self, org_id: str, fiscal_year: int) -> list[WorkingPaperRecord]:
        return [WorkingPaperRecord(item.report_id, org_id, fiscal_year, item.document_id, item.verifier_org, item.filename,
                                   item.content_type, int(item.size), item.uploaded_by, item.accepted_at, item.recorded_at or "")
                for item in _query(f"ERPT#{org_id}#{fiscal_year}", TableItem.sk.startswith("WP#"))
                if isinstance(item, WorkingPaperItem)]

    def add_working_paper(self, paper: WorkingPaperRecord) -> bool:
        item = WorkingPaperItem(*WorkingPaperItem.key(paper.org_id, paper.fiscal_year, paper.document_id), report_id=paper.report_id,
                                document_id=paper.document_id, verifier_org=paper.verifier_org, filename=paper.filename,
                                content_type=paper.content_type, size=paper.size, uploaded_by=paper.uploaded_by,
                                accepted_at=paper.accepted_at, recorded_at=paper.recorded_at or None)
        try:
            item.save(condition=WorkingPaperItem.pk.does_not_exist())
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                return False
            raise unavailable(error) from error
        return True

    # --- verifiers' assignments ------------------------------------------------------------

    def assignment(self, org_id: str, fiscal_year: int) -> str | None:
        item = _get(VerifierAssignmentItem, VerifierAssignmentItem.key(org_id, fiscal_year))
        return item.verifier_org if item is not None else None

    def assignments_of(self, verifier_org: str) -> list[tuple[str, int]]:
        return [(item.org_id, int(item.fiscal_year)) for item in _query(f"EVBODY#{verifier_org}")
                if isinstance(item, VerifierIndexItem)]

    def assign(self, org_id: str, fiscal_year: int, verifier_org: str, previous: str | None, by: str, at: str,
               head: ReportHead | None) -> None:
        item = VerifierAssignmentItem(*VerifierAssignmentItem.key(org_id, fiscal_year), verifier_org=verifier_org, assigned_by=by,
                                      assigned_at=at)
        unchanged = (VerifierAssignmentItem.verifier_org == previous) if previous else VerifierAssignmentItem.pk.does_not_exist()
        writes = [LinkedWrite.put("assignment", item, unchanged),
                  LinkedWrite.put("index", VerifierIndexItem(*VerifierIndexItem.key(verifier_org, org_id, fiscal_year), org_id=org_id,
                                                             fiscal_year=fiscal_year))]
        if previous and previous != verifier_org:
            writes.append(LinkedWrite.delete("old_index", VerifierIndexItem(*VerifierIndexItem.key(previous, org_id, fiscal_year))))
        key = ReportHeadItem.key(org_id, fiscal_year)
        if head is None:
            writes.append(LinkedWrite.check("report", ReportHeadItem, *key, ReportHeadItem.pk.does_not_exist()))
        else:
            writes.append(LinkedWrite.check("report", ReportHeadItem, *key,
                                            (ReportHeadItem.revision == head.revision) & (ReportHeadItem.status == head.status)))
        _commit(writes)


class ReportFiles:
    """``ReportFilesPort`` on the documents bucket (the API writes ``reports/`` only)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)
        except (ClientError, BotoCoreError) as error:
            raise SheetFiles._unavailable(error) from error

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int, version_id: str | None = None) -> str:
        from chalicelib.documents.domain.documents import content_disposition

        params = {"Bucket": self._bucket, "Key": key, "ResponseContentDisposition": content_disposition(filename),
                  "ResponseContentType": content_type}
        if version_id:
            params["VersionId"] = version_id
        try:
            return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))
        except (ClientError, BotoCoreError) as error:
            raise SheetFiles._unavailable(error) from error
