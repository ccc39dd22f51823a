"""One contract, two implementations of ``EmissionsPort``: every case runs against the
unit tier's ``FakeEmissionsStore`` and against ``EmissionsStore`` on the moto table.

Each write is one conditional TransactWriteItems with its change record. A case makes
conditions fail (alone and together): both implementations must refuse with the same
``CommitFailed.failed`` labels and leave the case's items exactly as they were; a write
that goes through must leave the same items in both (read back through the port, plus
the number claims and change records no port reads). The view each case ends with on
the fake is held against the one it ends with on the table.

Cases use the port directly with values they build (so both backends see the very same
ids): each case has its own organisation and factor key, numbered from the case's
name, so one moto table serves the whole module without being emptied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.factors import FactorVersion
from chalicelib.emissions.domain.monitoring import StoredValue
from chalicelib.emissions.domain.sources import Basis, Category, Site, Source, SourceStatus
from chalicelib.emissions.ports import Change
from tests.unit.fakes import FakeEmissionsStore

START = datetime(2026, 4, 1, 11, 0, tzinfo=JST)
FY = 2025


class FakeBackend:
    name = "fake"

    def __init__(self) -> None:
        self.store = FakeEmissionsStore()

    def claims(self, org_id: str) -> dict[int, str]:
        return {number: source_id for (org, number), source_id in self.store.memory.numbers.items() if org == org_id}

    def changes(self, org_id: str) -> list[dict[str, Any]]:
        return [asdict(change) for change in self.store.memory.changes_of(org_id)]

    def staged(self, org_id: str, fiscal_year: int, import_id: str) -> dict[tuple[str, str], StoredValue]:
        return {(s, m): value for (org, year, i, s, m), value in sorted(self.store.memory.imported.items())
                if (org, year, i) == (org_id, fiscal_year, import_id)}


class DynamoBackend:
    name = "dynamodb"

    def __init__(self, store: Any) -> None:
        self.store = store

    def claims(self, org_id: str) -> dict[int, str]:
        from chalicelib.core.table import TableItem
        from chalicelib.emissions.adapters import SourceNumberItem

        return {int(item.sk.removeprefix("SRCNO#")): item.source_id
                for item in TableItem.query(f"EORG#{org_id}", TableItem.sk.startswith("SRCNO#"), consistent_read=True)
                if isinstance(item, SourceNumberItem)}

    def changes(self, org_id: str) -> list[dict[str, Any]]:
        from chalicelib.core.table import TableItem

        return [{"org_id": org_id, "by": item.by, "at": item.at, "action": item.action, "target": item.target,
                 "old": json.loads(item.old) if item.old is not None else None,
                 "new": json.loads(item.new) if item.new is not None else None}
                for item in TableItem.query(f"EAUD#{org_id}", consistent_read=True)]

    def staged(self, org_id: str, fiscal_year: int, import_id: str) -> dict[tuple[str, str], StoredValue]:
        from chalicelib.core.table import TableItem
        from chalicelib.emissions.adapters import MonitoringItem, _value

        return {(item.source_id, item.month): _value(item)
                for item in TableItem.query(f"EIMP#{org_id}#{fiscal_year}#{import_id}", consistent_read=True)
                if isinstance(item, MonitoringItem)}


@pytest.fixture(scope="module")
def dynamodb(local_aws: dict[str, str]) -> DynamoBackend:
    from chalicelib import container
    from chalicelib.emissions.adapters import EmissionsStore

    return DynamoBackend(container.store(EmissionsStore))


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Any:
    return FakeBackend() if request.param == "fake" else request.getfixturevalue("dynamodb")


#: Case key (test name and parameters other than the backend) -> the case's number.
_CASES: dict[str, int] = {}
#: Case key -> the view the case ended with on each backend.
_ENDED: dict[str, dict[str, Any]] = {}


@pytest.fixture
def case(backend: Any, request: pytest.FixtureRequest) -> Any:
    callspec = getattr(request.node, "callspec", None)
    params = sorted((name, repr(value)) for name, value in (callspec.params.items() if callspec else ()) if name != "backend")
    key = f"{request.node.originalname}{params}"
    scene = Scene(backend, _CASES.setdefault(key, len(_CASES) + 1))
    yield scene
    ended = _ENDED.setdefault(key, {})
    ended[backend.name] = scene.view()
    if len(ended) == 2:
        assert ended["fake"] == ended["dynamodb"], "the fake and the table ended the case differently"


class Scene:
    """One case on one backend: its own organisation, factor key and clock."""

    def __init__(self, backend: Any, number: int) -> None:
        self.backend = backend
        self.store = backend.store
        self.org = f"contract-emissions-{number}"
        self.factor_key = f"contract_factor_{number}"
        self.now = START

    def stamp(self) -> str:
        self.now += timedelta(milliseconds=1)
        return self.now.isoformat(timespec="microseconds")

    def change(self, action: str, target: str, new: dict[str, Any] | None = None, org: str | None = None) -> Change:
        return Change(org or self.org, "contract", self.stamp(), action, target, None, new or {"case": action})

    # --- what the cases write ------------------------------------------------------------------

    def site(self, site_id: str = "site-1") -> Site:
        site = Site(self.org, site_id, "本社工場", "Head works", None, "contract", self.stamp())
        self.store.create_site(site, self.change("create_site", site_id))
        return site

    def source(self, source_id: str = "src-1", number: int = 1, site_id: str = "site-1", *, commit: bool = True,
               **fields: Any) -> Source:
        stamp = self.stamp()
        source = Source(**{"org_id": self.org, "source_id": source_id, "number": number, "status": SourceStatus.REGISTERED,
                           "site_id": site_id, "name_ja": f"排出源{number}", "categories": (Category.FUEL_COMBUSTION,),
                           "factor_key": "kerosene", "unit": "L", "basis": Basis.FIRE_SERVICE_NOTIFICATION, "version": 1,
                           "updated_by": "contract", "updated_at": stamp, "created_at": stamp, **fields})
        if commit:
            self.store.create_source(source, self.change("create_source", source_id))
        return source

    def update(self, before: Source, *, require_unused: bool = False, **fields: Any) -> Source:
        after = replace(before, version=before.version + 1, updated_at=self.stamp(), **fields)
        self.store.update_source(before, after, self.change("update_source", before.source_id), require_unused=require_unused)
        return after

    def value(self, source: Source, month: str, quantity: str = "10", origin: str = "entry", revision: int = 1) -> StoredValue:
        return StoredValue(source.source_id, month, quantity, "L", "kerosene@2006-04-01", None, revision, origin, "contract",
                           self.stamp())

    def put(self, source: Source, month: str, read_revision: int, quantity: str = "10") -> None:
        value = self.value(source, month, quantity, revision=read_revision + 1)
        self.store.put_value(source, value, FY, read_revision, self.change("put_monitoring", f"{source.source_id}/{month}"))

    def read(self, source_id: str = "src-1") -> Source:
        source = self.store.source(self.org, source_id)
        assert source is not None
        return source

    # --- what is stored --------------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        head = self.store.year_head(self.org, FY)
        return {"organisation": self.store.organisation(self.org), "year": self.store.fiscal_year(self.org, FY), "head": head,
                "staged": {i: self.backend.staged(self.org, FY, i) for i in ("import-0001", "import-0002")},
                "factors": [v for v in self.store.added_factors() if v.key == self.factor_key],
                "claims": self.backend.claims(self.org), "changes": self.backend.changes(self.org),
                "factor_changes": [c for c in self.backend.changes("#factors") if c["target"].startswith(f"{self.factor_key}@")]}

    def refused(self, write: Callable[[], object]) -> tuple[str, ...]:
        """The labels ``write`` is refused with; it must have written nothing."""
        before = self.view()
        with pytest.raises(CommitFailed) as refusal:
            write()
        assert self.view() == before, "a refused write changed the case's items"
        return refusal.value.failed


# --- sources --------------------------------------------------------------------------------------------


def test_a_source_needs_its_site_an_unclaimed_number_and_a_new_id(case):
    site = case.site()
    source = case.source()
    assert case.refused(lambda: case.source("src-2", 1, "site-nope")) == ("site", "number")
    assert case.refused(lambda: case.source("src-1", 2)) == ("source",)
    assert case.refused(lambda: case.store.create_site(site, case.change("create_site", "site-1"))) == ("site",)
    case.source("src-2", 2)
    view = case.view()
    assert (view["organisation"].version, view["claims"]) == (2, {1: "src-1", 2: "src-2"})
    assert [s.source_id for s in view["organisation"].sources] == ["src-1", "src-2"] and view["organisation"].sources[0] == source
    assert [c["action"] for c in view["changes"]] == ["create_site", "create_source", "create_source"]


def test_a_source_changes_as_read_and_keeps_its_number_unique(case):
    case.site()
    source, other = case.source(), case.source("src-2", 2)
    stale = source
    source = case.update(source, notes="メモ")
    assert case.refused(lambda: case.update(stale, notes="古い")) == ("source",)
    assert case.refused(lambda: case.update(source, number=2)) == ("number",)
    assert case.refused(lambda: case.update(source, site_id="site-nope")) == ("site",)
    assert case.refused(lambda: case.update(source, number=2, site_id="site-nope")) == ("site", "number")
    case.site("site-2")
    source = case.update(source, number=7, site_id="site-2")
    assert case.view()["claims"] == {2: "src-2", 7: "src-1"}
    case.store.delete_source(other, case.change("delete_source", "src-2"))
    assert case.refused(lambda: case.store.delete_source(other, case.change("delete_source", "src-2"))) == ("source", "old_number")
    assert case.view()["claims"] == {7: "src-1"} and case.view()["organisation"].version == 5


def test_a_source_with_data_cannot_be_deleted_or_changed_as_unused(case):
    case.site()
    source = case.source()
    case.put(source, "2025-06", 0)
    used = case.read()
    assert (used.monitoring_count, used.last_month) == (1, "2025-06")
    assert case.refused(lambda: case.store.delete_source(used, case.change("delete_source", "src-1"))) == ("source",)
    assert case.refused(lambda: case.update(used, require_unused=True, factor_key="diesel")) == ("source",)
    assert case.update(used, notes="使用中でも変更できる項目").monitoring_count == 1


# --- monitoring -------------------------------------------------------------------------------------------

BREAKS: dict[str, Callable[[Any, Source], Source]] = {
    "the source is a draft now": lambda case, source: case.update(source, status=SourceStatus.DRAFT),
    "its factor changed": lambda case, source: case.update(source, factor_key="diesel"),
    "it is retired from the month": lambda case, source: case.update(source, retired_from="2025-06"),
    "another monitoring write came first": lambda case, source: (case.put(source, "2025-05", 0), source)[1],
}


@pytest.mark.parametrize("broken", list(BREAKS))
def test_a_monitoring_write_needs_the_source_as_read(case, broken):
    case.site()
    source = case.source()
    BREAKS[broken](case, source)
    revision = case.store.year_head(case.org, FY).revision
    assert case.refused(lambda: case.put(source, "2025-06", revision)) == ("source",)
    assert case.refused(lambda: case.put(source, "2025-06", revision + 1)) == ("source", "year")


def test_a_monitoring_write_advances_the_year_it_read(case):
    case.site()
    source = case.source()
    assert case.refused(lambda: case.put(source, "2025-06", 1)) == ("year",)  # no year yet
    case.put(source, "2025-06", 0)
    source = case.read()
    assert case.refused(lambda: case.put(source, "2025-07", 0)) == ("year",)
    case.put(source, "2025-04", 1, quantity="5")
    case.put(case.read(), "2025-06", 2, quantity="12")
    view = case.view()
    assert (view["head"].revision, view["head"].current_import) == (3, None)
    assert {cell: (v.quantity, v.revision) for cell, v in view["year"].entries.items()} == {
        ("src-1", "2025-04"): ("5", 2), ("src-1", "2025-06"): ("12", 3)}
    assert (case.read().monitoring_count, case.read().last_month) == (3, "2025-06")  # last_month never goes back


# --- the import -------------------------------------------------------------------------------------------


def test_an_import_becomes_current_in_one_write_if_no_source_changed(case):
    case.site()
    source, other = case.source(), case.source("src-2", 2)
    case.put(source, "2025-04", 0)
    organisation = case.store.organisation(case.org)
    values = [case.value(s, m, origin="import:import-0001", revision=0) for s, m in ((source, "2025-04"), (other, "2025-05"))]
    case.store.stage_import(case.org, FY, "import-0001", values)
    assert case.view()["year"].imported == {}  # staged, not current
    used = [(case.read(), "2025-04"), (other, "2025-05")]
    assert case.refused(lambda: case.store.mark_used(case.org, [(source, "2025-04")])) == ("source",)  # count as read: 0
    case.store.mark_used(case.org, used)
    assert [(s.monitoring_count, s.last_month) for s in case.store.organisation(case.org).sources] == [(2, "2025-04"), (1, "2025-05")]
    switch = lambda revision, version: case.store.switch_import(  # noqa: E731
        case.org, FY, "import-0001", revision, version, case.change("import_monitoring", f"FY{FY}"))
    assert case.refused(lambda: switch(1, organisation.version - 1)) == ("sources",)
    assert case.refused(lambda: switch(0, organisation.version)) == ("year",)
    assert case.refused(lambda: switch(0, 0)) == ("sources", "year")
    switch(1, organisation.version)
    view = case.view()
    assert (view["head"].revision, view["head"].current_import, view["head"].import_revision) == (2, "import-0001", 2)
    assert sorted(view["year"].imported) == [("src-1", "2025-04"), ("src-2", "2025-05")]
    assert list(view["year"].entries) == [("src-1", "2025-04")]


def test_staging_an_import_again_leaves_exactly_its_values(case):
    """An import staged again under its id (retried after its sources changed, or run
    again after it was refused as stale) holds what the last staging wrote, nothing else."""
    case.site()
    source, other = case.source(), case.source("src-2", 2)
    first = [case.value(source, m, origin="import:import-0001", revision=0) for m in ("2025-04", "2025-05")]
    case.store.stage_import(case.org, FY, "import-0001", first)
    case.store.stage_import(case.org, FY, "import-0002", first[:1])
    again = [case.value(source, "2025-05", "11", origin="import:import-0001", revision=0),
             case.value(other, "2025-04", origin="import:import-0001", revision=0)]
    case.store.stage_import(case.org, FY, "import-0001", again)
    staged = case.view()["staged"]
    assert staged["import-0001"] == {("src-1", "2025-05"): again[0], ("src-2", "2025-04"): again[1]}
    assert staged["import-0002"] == {("src-1", "2025-04"): first[0]}  # another import's values are its own


# --- factors ----------------------------------------------------------------------------------------------


def test_a_factor_key_counts_its_added_versions(case):
    def version(valid_from: str, valid_to: str | None = None) -> FactorVersion:
        return FactorVersion(case.factor_key, "契約", "Contract", "GJ", Decimal("0.06"), valid_from, valid_to, "contract tests")

    def add(added: FactorVersion, before: int) -> None:
        case.store.add_factor(added, case.change("add_emission_factor", added.version, org="#factors"), added_before=before)

    first = version("2006-04-01", "2020-03-31")
    assert case.refused(lambda: add(first, 1)) == ("key",)
    add(first, 0)
    second = version("2020-04-01")
    assert case.refused(lambda: add(second, 0)) == ("key",)
    assert case.refused(lambda: add(version("2006-04-01"), 1)) == ("factor",)
    assert case.refused(lambda: add(version("2006-04-01"), 0)) == ("factor", "key")
    add(second, 1)
    view = case.view()
    assert view["factors"] == [first, second]
    assert [c["target"] for c in view["factor_changes"]] == [first.version, second.version]
