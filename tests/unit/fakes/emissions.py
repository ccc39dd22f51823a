"""The emissions system's store in memory (``chalicelib.emissions.ports.EmissionsPort``).

Every write builds the very actions ``chalicelib.emissions.adapters.EmissionsStore``
puts in its ``TransactWriteItems``, each with its label and the condition the adapter
gives it, checks them all, and applies all of them or none: a failed condition raises
``CommitFailed`` naming the failed labels in the order DynamoDB answers them (actions
grouped as PynamoDB sends them, ``SENDING_ORDER``). What the adapter writes without a
transaction is written the same way here: an import's values (a batch, no conditions,
replacing what an earlier staging of the same import left)
and the marking of its sources as used (one transaction per ``MARK_CHUNK`` sources).
Change records are stored as the adapter stores them (``old`` and ``new`` through JSON),
so a record that could not be written to the table cannot be written here either.
``tests/integration/test_emissions_store_contract.py`` runs the same cases on both.

Tests reach in through ``meanwhile(write, on=...)``: someone else writes between the
service's reads and its next transaction (``on`` names the port method, or any).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.table import SENDING_ORDER
from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.adapters import MARK_CHUNK
from chalicelib.emissions.domain.factors import FactorVersion
from chalicelib.emissions.domain.monitoring import FiscalYearData, StoredValue
from chalicelib.emissions.domain.sources import Site, Source, SourceStatus
from chalicelib.emissions.ports import Change, OrganisationData, YearHead

#: DynamoDB's limit on the actions of one transaction.
MAX_ACTIONS = 100


@dataclass(frozen=True)
class StoredChange:
    """A change record as the adapter's ``ChangeItem`` holds it (``old``/``new`` read back from JSON)."""

    org_id: str
    by: str
    at: str
    action: str
    target: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass
class EmissionsMemory:
    """The table's emissions items, by key (what is absent has no item)."""

    #: org -> the version of its set of sources (``EORG#<org>`` / ``HEAD``)
    heads: dict[str, int] = field(default_factory=dict)
    sites: dict[tuple[str, str], Site] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    #: (org, number) -> the source id that claimed it (``SRCNO#<number>``)
    numbers: dict[tuple[str, int], str] = field(default_factory=dict)
    years: dict[tuple[str, int], YearHead] = field(default_factory=dict)
    #: (org, fiscal year, source id, month) -> the month's single entry
    entries: dict[tuple[str, int, str, str], StoredValue] = field(default_factory=dict)
    #: (org, fiscal year, import id, source id, month) -> a value of that import
    imported: dict[tuple[str, int, str, str, str], StoredValue] = field(default_factory=dict)
    #: In the order written (the adapter's sort keys start with ``at``).
    changes: list[StoredChange] = field(default_factory=list)
    #: (key, valid from) -> an added factor version; key -> how many were added
    factors: dict[tuple[str, str], FactorVersion] = field(default_factory=dict)
    factor_keys: dict[str, int] = field(default_factory=dict)

    def state(self) -> dict[str, Any]:
        """A deep copy of everything: equal before and after means nothing was written."""
        return copy.deepcopy(vars(self))

    def changes_of(self, org_id: str) -> list[StoredChange]:
        return [change for change in self.changes if change.org_id == org_id]


class _Action(NamedTuple):
    kind: str  # condition_check | delete | save | update, as PynamoDB groups them
    label: str
    item: tuple[Any, ...]
    holds: bool
    apply: Callable[[], None]


def _nothing() -> None:
    return None


class FakeEmissionsStore:
    """``EmissionsPort`` in memory.

    - ``meanwhile(write, on=None, times=1)``: run ``write`` at the start of the next
      ``times`` transactions (of the port method ``on``, or of any): someone else
      wrote after the service read.
    - ``failures`` records the labels of each refused transaction, ``transactions``
      the port method of each one attempted.
    """

    def __init__(self, memory: EmissionsMemory | None = None) -> None:
        self.memory = memory if memory is not None else EmissionsMemory()
        self.failures: list[tuple[str, ...]] = []
        self.transactions: list[str] = []
        self._meanwhile: list[list[Any]] = []
        self._interfering = False

    def meanwhile(self, write: Callable[[], object], on: str | None = None, times: int = 1) -> None:
        self._meanwhile.append([write, on, times])

    def _interfere(self, method: str) -> None:
        if self._interfering:  # a write made "meanwhile" commits without interference
            return
        due = [entry for entry in self._meanwhile if entry[2] > 0 and entry[1] in (None, method)]
        for entry in due:
            entry[2] -= 1
        self._meanwhile = [entry for entry in self._meanwhile if entry[2] > 0]
        self._interfering = True
        try:
            for write, _, _ in due:
                write()
        finally:
            self._interfering = False

    def _commit(self, actions: list[_Action]) -> None:
        """One transaction: every condition checked, then all written or none."""
        items = [action.item for action in actions]
        if len(actions) > MAX_ACTIONS or len(set(items)) != len(items):
            # DynamoDB refuses the request itself (ValidationException): the adapter answers 503.
            raise ServiceUnavailable(details=[{"cause": "ValidationException"}])
        failed = tuple(action.label for kind in SENDING_ORDER for action in actions if action.kind == kind and not action.holds)
        if failed:
            self.failures.append(failed)
            raise CommitFailed(failed=failed)
        for action in actions:
            action.apply()

    def _begin(self, method: str) -> None:
        self.transactions.append(method)
        self._interfere(method)

    # --- reads (copies, as a read of the table is) ---------------------------------------

    def organisation(self, org_id: str) -> OrganisationData:
        sites = [site for (org, _), site in sorted(self.memory.sites.items()) if org == org_id]
        sources = [source for (org, _), source in sorted(self.memory.sources.items()) if org == org_id]
        return OrganisationData(sites, sources, self.memory.heads.get(org_id, 0))

    def source(self, org_id: str, source_id: str) -> Source | None:
        return self.memory.sources.get((org_id, source_id))

    def year_head(self, org_id: str, fiscal_year: int) -> YearHead:
        return self.memory.years.get((org_id, fiscal_year), YearHead())

    def entry(self, org_id: str, fiscal_year: int, source_id: str, month: str) -> StoredValue | None:
        return self.memory.entries.get((org_id, fiscal_year, source_id, month))

    def fiscal_year(self, org_id: str, fiscal_year: int) -> FiscalYearData:
        head = self.year_head(org_id, fiscal_year)
        entries = {(s, m): value for (org, year, s, m), value in sorted(self.memory.entries.items())
                   if (org, year) == (org_id, fiscal_year)}
        imported = {}
        if head.current_import is not None:
            imported = {(s, m): value for (org, year, import_id, s, m), value in sorted(self.memory.imported.items())
                        if (org, year, import_id) == (org_id, fiscal_year, head.current_import)}
        return FiscalYearData(head.revision, head.current_import, head.import_revision, entries, imported)

    def added_factors(self) -> list[FactorVersion]:
        return [version for _, version in sorted(self.memory.factors.items())]

    # --- the actions the adapter sends ------------------------------------------------------

    def _change(self, change: Change) -> _Action:
        # The adapter stores old and new as JSON: a record that cannot be serialised fails here too.
        stored = StoredChange(change.org_id, change.by, change.at, change.action, change.target,
                              json.loads(json.dumps(change.old, ensure_ascii=False, sort_keys=True)) if change.old is not None else None,
                              json.loads(json.dumps(change.new, ensure_ascii=False, sort_keys=True)) if change.new is not None else None)
        # Its sort key is "<at>#<random>": it never exists yet.
        return _Action("save", "change", ("EAUD", change.org_id, len(self.memory.changes)), True,
                       lambda: self.memory.changes.append(stored))

    def _bump_sources(self, org_id: str) -> _Action:
        def bump() -> None:
            self.memory.heads[org_id] = self.memory.heads.get(org_id, 0) + 1
        return _Action("update", "head", ("EORG", org_id, "HEAD"), True, bump)

    def _site_check(self, source: Source) -> _Action:
        return _Action("condition_check", "site", ("EORG", source.org_id, "SITE", source.site_id),
                       (source.org_id, source.site_id) in self.memory.sites, _nothing)

    def _claim(self, source: Source) -> _Action:
        key = (source.org_id, source.number)
        return _Action("save", "number", ("EORG", source.org_id, "SRCNO", source.number), key not in self.memory.numbers,
                       lambda: self.memory.numbers.__setitem__(key, source.source_id))

    def _release(self, source: Source) -> _Action:
        key = (source.org_id, source.number)
        return _Action("delete", "old_number", ("EORG", source.org_id, "SRCNO", source.number),
                       self.memory.numbers.get(key) == source.source_id, lambda: self.memory.numbers.pop(key))

    def _use(self, source: Source, month: str, *, not_retired_in: str | None = None) -> _Action:
        """A monitoring write counted on the source: still registered, with the factor
        read, and no other monitoring write since (``monitoring_count`` as read)."""
        key = (source.org_id, source.source_id)
        current = self.memory.sources.get(key)
        holds = (current is not None and current.status is SourceStatus.REGISTERED
                 and current.factor_key == (source.factor_key or "") and current.monitoring_count == source.monitoring_count)
        if not_retired_in is not None:
            holds = holds and current is not None and (current.retired_from is None or current.retired_from > not_retired_in)
        last = max(source.last_month or month, month)

        def use() -> None:
            stored = self.memory.sources[key]
            self.memory.sources[key] = replace(stored, monitoring_count=stored.monitoring_count + 1, last_month=last)
        return _Action("update", "source", ("EORG", source.org_id, "SRC", source.source_id), holds, use)

    def _advance_year(self, org_id: str, fiscal_year: int, read_revision: int, current_import: str | None = None) -> _Action:
        key = (org_id, fiscal_year)
        head = self.memory.years.get(key)
        holds = head is not None and head.revision == read_revision if read_revision else head is None

        def advance() -> None:
            before = self.memory.years.get(key, YearHead())
            if current_import is None:
                self.memory.years[key] = replace(before, revision=read_revision + 1)
            else:
                self.memory.years[key] = YearHead(read_revision + 1, current_import, read_revision + 1, before.imports | {current_import})
        return _Action("update", "year", ("EMON", org_id, fiscal_year, "HEAD"), holds, advance)

    # --- writes -------------------------------------------------------------------------------

    def create_site(self, site: Site, change: Change) -> None:
        self._begin("create_site")
        key = (site.org_id, site.site_id)
        self._commit([
            _Action("save", "site", ("EORG", site.org_id, "SITE", site.site_id), key not in self.memory.sites,
                    lambda: self.memory.sites.__setitem__(key, site)),
            self._change(change),
        ])

    def create_source(self, source: Source, change: Change) -> None:
        self._begin("create_source")
        key = (source.org_id, source.source_id)
        self._commit([
            _Action("save", "source", ("EORG", source.org_id, "SRC", source.source_id), key not in self.memory.sources,
                    lambda: self.memory.sources.__setitem__(key, source)),
            self._claim(source), self._site_check(source), self._bump_sources(source.org_id), self._change(change),
        ])

    def update_source(self, before: Source, after: Source, change: Change, *, require_unused: bool) -> None:
        self._begin("update_source")
        key = (after.org_id, after.source_id)
        current = self.memory.sources.get(key)
        # Exactly the source read: no other edit and no monitoring write came in between.
        holds = current is not None and current.version == before.version and current.monitoring_count == before.monitoring_count
        if require_unused:
            holds = holds and current is not None and current.monitoring_count == 0
        actions = [_Action("save", "source", ("EORG", after.org_id, "SRC", after.source_id), holds,
                           lambda: self.memory.sources.__setitem__(key, after)),
                   self._bump_sources(after.org_id), self._change(change)]
        if before.number != after.number:
            actions += [self._release(before), self._claim(after)]
        if before.site_id != after.site_id:
            actions.append(self._site_check(after))
        self._commit(actions)

    def delete_source(self, source: Source, change: Change) -> None:
        self._begin("delete_source")
        key = (source.org_id, source.source_id)
        current = self.memory.sources.get(key)
        holds = current is not None and current.version == source.version and current.monitoring_count == 0
        self._commit([
            _Action("delete", "source", ("EORG", source.org_id, "SRC", source.source_id), holds, lambda: self.memory.sources.pop(key)),
            self._release(source), self._bump_sources(source.org_id), self._change(change),
        ])

    def put_value(self, source: Source, value: StoredValue, fiscal_year: int, read_revision: int, change: Change) -> None:
        self._begin("put_value")
        key = (source.org_id, fiscal_year, value.source_id, value.month)
        self._commit([
            self._use(source, value.month, not_retired_in=value.month),
            _Action("save", "value", ("EMON", source.org_id, fiscal_year, value.source_id, value.month), True,
                    lambda: self.memory.entries.__setitem__(key, value)),
            self._advance_year(source.org_id, fiscal_year, read_revision), self._change(change),
        ])

    def stage_import(self, org_id: str, fiscal_year: int, import_id: str, values: list[StoredValue]) -> None:
        # A batch write, no transaction and no conditions: each value overwrites its key, and
        # what an earlier staging of the same import left in other cells is deleted.
        cells = {(value.source_id, value.month) for value in values}
        for key in [key for key in self.memory.imported if key[:3] == (org_id, fiscal_year, import_id) and key[3:] not in cells]:
            del self.memory.imported[key]
        for value in values:
            self.memory.imported[(org_id, fiscal_year, import_id, value.source_id, value.month)] = value

    def mark_used(self, org_id: str, sources: list[tuple[Source, str]]) -> None:
        # One transaction per chunk: the chunks before a refused one stay written.
        for start in range(0, len(sources), MARK_CHUNK):
            self._begin("mark_used")
            self._commit([self._use(source, month) for source, month in sources[start:start + MARK_CHUNK]])

    def switch_import(self, org_id: str, fiscal_year: int, import_id: str, read_revision: int, sources_version: int,
                      change: Change) -> None:
        self._begin("switch_import")
        version = self.memory.heads.get(org_id)
        unchanged = version == sources_version if sources_version else version is None
        self._commit([
            _Action("condition_check", "sources", ("EORG", org_id, "HEAD"), unchanged, _nothing),
            self._advance_year(org_id, fiscal_year, read_revision, current_import=import_id),
            self._change(change),
        ])

    def add_factor(self, version: FactorVersion, change: Change, added_before: int) -> None:
        self._begin("add_factor")
        key = (version.key, version.valid_from)
        added = self.memory.factor_keys.get(version.key)
        expected = added == added_before if added_before else added is None

        def count() -> None:
            self.memory.factor_keys[version.key] = self.memory.factor_keys.get(version.key, 0) + 1
        self._commit([
            _Action("save", "factor", ("EFAC", "VER", *key), key not in self.memory.factors,
                    lambda: self.memory.factors.__setitem__(key, version)),
            _Action("update", "key", ("EFAC", "KEY", version.key), expected, count),
            self._change(change),
        ])
