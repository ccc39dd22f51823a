"""What the emissions use cases need from storage, as protocols.

The adapter (``chalicelib.emissions.adapters``) implements them on DynamoDB; the unit
tests implement them in memory (``tests/unit/fakes/emissions.py``). A store refuses a
write whose conditions fail by raising ``CommitFailed`` naming them; every write is
one transaction together with its change record, so it happens whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.emissions.domain.factors import FactorVersion
from chalicelib.emissions.domain.monitoring import FiscalYearData, StoredValue
from chalicelib.emissions.domain.sources import Site, Source


@dataclass(frozen=True)
class Change:
    """The change record every write appends in its own transaction: who, when, what,
    and the values before and after."""

    org_id: str
    by: str
    at: str
    action: str
    target: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class OrganisationData:
    """An organisation's sites and sources, and the version of its set of sources
    (advanced by every write to a source)."""

    sites: list[Site]
    sources: list[Source]
    version: int


@dataclass(frozen=True)
class YearHead:
    """A fiscal year's revision (advanced by every write to it), its current import, and
    every import that was ever made current (so that a late replay of an old sheet can never
    come back over a newer one)."""

    revision: int = 0
    current_import: str | None = None
    import_revision: int = 0
    imports: frozenset[str] = frozenset()


class EmissionsPort(Protocol):
    # --- sites and sources (one partition per organisation) -------------------------
    def organisation(self, org_id: str) -> OrganisationData: ...

    def source(self, org_id: str, source_id: str) -> Source | None: ...

    def create_site(self, site: Site, change: Change) -> None: ...

    def create_source(self, source: Source, change: Change) -> None: ...

    def update_source(self, before: Source, after: Source, change: Change, *, require_unused: bool) -> None: ...

    def delete_source(self, source: Source, change: Change) -> None: ...

    # --- monitoring (one partition per organisation and fiscal year) ---------------------
    def fiscal_year(self, org_id: str, fiscal_year: int) -> FiscalYearData: ...

    def year_head(self, org_id: str, fiscal_year: int) -> YearHead: ...

    def entry(self, org_id: str, fiscal_year: int, source_id: str, month: str) -> StoredValue | None: ...

    def put_value(self, source: Source, value: StoredValue, fiscal_year: int, read_revision: int, change: Change) -> None: ...

    def stage_import(self, org_id: str, fiscal_year: int, import_id: str, values: list[StoredValue]) -> None: ...

    def mark_used(self, org_id: str, sources: list[tuple[Source, str]]) -> None: ...

    def switch_import(self, org_id: str, fiscal_year: int, import_id: str, read_revision: int, sources_version: int,
                      change: Change) -> None: ...

    # --- emission factors -------------------------------------------------------------
    def added_factors(self) -> list[FactorVersion]: ...

    def add_factor(self, version: FactorVersion, change: Change, added_before: int) -> None: ...


class EvidenceDocument(Protocol):
    @property
    def org_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def status(self) -> str: ...


class DocumentsPort(Protocol):
    """The documents system's store, read only: is a document accepted evidence?"""

    def get(self, document_id: str) -> EvidenceDocument | None: ...


class SheetFilesPort(Protocol):
    """Where performance sheets are handed out and read back (the documents bucket):
    a sheet built for download is put under ``sheets/`` and fetched with a presigned GET;
    an uploaded sheet is read by its key and version, never more than ``max_bytes``."""

    def put_sheet(self, key: str, data: bytes) -> None: ...

    def download_url(self, key: str, filename: str, expires_in: int) -> str: ...

    def read(self, bucket: str | None, key: str, version_id: str | None, max_bytes: int) -> bytes | None: ...


# --- calculation reports, verification and review -------------------------------------------


@dataclass(frozen=True)
class ReportHead:
    """The report of an organisation's fiscal year as it stands: its latest version and that
    version's status, ``revision`` (advanced by every transition: the sequence of the next
    history record), and the reviewed figure once the administrator accepted or determined it."""

    report_id: str
    org_id: str
    fiscal_year: int
    version: int
    status: str
    revision: int
    updated_at: str
    submitted_at: str | None = None
    cancellation_pending: bool = False
    ever_submitted: bool = False
    reviewed_t_co2: int | None = None
    reviewed_basis: str | None = None
    reviewed_version: int | None = None


@dataclass(frozen=True)
class ReportVersionRecord:
    """One version: the figures it pinned (the calculation's view, the factor versions
    included), its files' keys, and what happened to it (opinion, review, cancellation)."""

    report_id: str
    org_id: str
    fiscal_year: int
    version: int
    status: str
    created_by: str
    created_at: str
    total_t: int
    figures: dict[str, Any]
    files: dict[str, str]
    submitted_at: str | None = None
    verification: dict[str, Any] | None = None
    review: dict[str, Any] | None = None
    cancellation: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReportWrite:
    """One transition as ONE transaction: the head as read (``expected``: revision, status
    and version; ``None`` for a new report), the head after, the version whose status moves
    (conditioned on the status read), a new version (never overwriting one), the history
    record, and when a verifier acts, the assignment it must still hold."""

    head: ReportHead
    expected: ReportHead | None
    transition: Any
    version: ReportVersionRecord | None = None
    version_status_before: str | None = None
    new_version: ReportVersionRecord | None = None
    verifier_org: str | None = None


@dataclass(frozen=True)
class WorkingPaperRecord:
    """A verifier's working paper of a report, recorded once the documents system accepted
    it: the document (downloaded through ``GET /documents/{id}``), the verification body
    that uploaded it (the document's organisation), who and when."""

    report_id: str
    org_id: str
    fiscal_year: int
    document_id: str
    verifier_org: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    accepted_at: str
    #: When it was recorded, to the microsecond: the order of papers accepted in the same
    #: second (``accepted_at`` is the documents system's, to the second).
    recorded_at: str = ""


class ReportsPort(Protocol):
    def head(self, org_id: str, fiscal_year: int) -> ReportHead | None: ...

    def heads_of_org(self, org_id: str) -> list[ReportHead]: ...

    def heads_of_year(self, fiscal_year: int) -> list[ReportHead]: ...

    def heads(self, keys: list[tuple[str, int]]) -> list[ReportHead]: ...

    def version(self, org_id: str, fiscal_year: int, version: int) -> ReportVersionRecord | None: ...

    def history(self, org_id: str, fiscal_year: int) -> tuple[list[ReportVersionRecord], list[Any]]: ...

    def commit(self, write: ReportWrite) -> None: ...

    # --- working papers (in the report's own partition) ------------------------------------
    def working_papers(self, org_id: str, fiscal_year: int) -> list[WorkingPaperRecord]: ...

    def add_working_paper(self, paper: WorkingPaperRecord) -> bool:
        """Record it once: ``False`` (and nothing written) if that document is already recorded."""
        ...

    # --- verifiers' assignments ----------------------------------------------------------
    def assignment(self, org_id: str, fiscal_year: int) -> str | None: ...

    def assignments_of(self, verifier_org: str) -> list[tuple[str, int]]: ...

    def assign(self, org_id: str, fiscal_year: int, verifier_org: str, previous: str | None, by: str, at: str,
               head: ReportHead | None) -> None: ...


class ReportFilesPort(Protocol):
    """The reports' files in the documents bucket (``reports/``), handed out by presigned GET;
    evidence and working papers are read where the documents system keeps them."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int,
                     version_id: str | None = None) -> str: ...
