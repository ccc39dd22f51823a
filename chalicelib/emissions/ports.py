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
