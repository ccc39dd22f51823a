"""The emissions rules at the service level, on the in-memory ports: sites and sources,
monitoring data, the import seam, factor versions, the calculation against hand-computed
figures, access, and the change record of every write. Every refusal writes nothing
(``World.refused`` compares the whole store before and after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from chalicelib.core.organisations import Organisation, OrganisationKind
from chalicelib.core.principal import Principal, Role
from chalicelib.documents.domain.documents import Document, DocumentKind, DocumentStatus
from chalicelib.emissions.domain.errors import (
    ConcurrentChange,
    EmissionsOrganisationNotFound,
    EvidenceNotAccepted,
    FactorVersionOverlaps,
    ImportRefused,
    ImportStale,
    InvalidQuantity,
    MonitoringAfterRetirement,
    NoFactorForMonth,
    OrganisationRequired,
    SiteNotFound,
    SourceIncomplete,
    SourceInUse,
    SourceNotFound,
    SourceNotRegistered,
    SourceNumberTaken,
    SourceRetired,
    UnitNotAccepted,
)
from chalicelib.emissions.service import (
    MAX_ATTEMPTS,
    Emissions,
    FactorCommand,
    ImportRow,
    MonitoringCommand,
    SiteCommand,
    SourceCommand,
)
from tests.unit.fakes import FakeDocumentStore, FakeEmissionsStore, FakeOrganisations

E = TypeVar("E", bound=BaseException)
KANTO, MINATO = "kanto-steel", "minato-foods"
USERS = {
    "kanto": Principal("kanto", Role.PARTICIPANT, KANTO),
    "minato": Principal("minato", Role.PARTICIPANT, MINATO),
    "admin": Principal("admin", Role.ADMIN, "jvets", mfa=True),
    "verifier": Principal("verifier", Role.VERIFIER, "tokai-verification"),
}
ORGANISATIONS = (
    Organisation("jvets", "JVETS Secretariat", "JVETS事務局", OrganisationKind.ADMINISTRATOR),
    Organisation(KANTO, "Kanto Steelworks Co., Ltd.", "関東製鋼株式会社", OrganisationKind.TARGET),
    Organisation(MINATO, "Minato Foods Co., Ltd.", "みなと食品株式会社", OrganisationKind.TARGET_SUBSIDISED),
)
#: What a registered source needs, as the registration screen sends it (kerosene in litres).
COMPLETE = {"status": "registered", "categories": ("fuel_combustion",), "factor_key": "kerosene", "unit": "L",
            "basis": "fire_service_notification"}
ELECTRICITY = {"categories": ("purchased_electricity",), "factor_key": "electricity_default", "unit": "kWh"}
CITY_GAS = {"factor_key": "city_gas", "unit": "Nm3"}


class Clock:
    """Each reading is one millisecond after the last (JST), so every write has its own instant."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> str:
        self.ticks += 1
        seconds, millis = divmod(self.ticks, 1000)
        return f"2026-04-01T11:{seconds // 60:02d}:{seconds % 60:02d}.{millis:03d}000+09:00"


class World:
    """The emissions system on fakes, with short verbs (the caller is Kanto unless named)."""

    def __init__(self) -> None:
        self.store = FakeEmissionsStore()
        self.memory = self.store.memory
        self.documents = FakeDocumentStore()
        self.clock = Clock()
        self.service = Emissions(self.store, documents=self.documents, organisations=FakeOrganisations(*ORGANISATIONS), now=self.clock)

    def site(self, name_ja: str = "本社工場", org: str = KANTO, by: str = "kanto") -> str:
        return str(self.service.create_site(org, SiteCommand(name_ja, "Head works"), by)["id"])

    def command(self, number: int, site_id: str, **fields: Any) -> SourceCommand:
        return SourceCommand(**{"number": number, "site_id": site_id, "name_ja": f"排出源{number}", **COMPLETE, **fields})

    def source(self, number: int, site_id: str, org: str = KANTO, by: str = "kanto", **fields: Any) -> dict[str, Any]:
        return self.service.create_source(org, self.command(number, site_id, **fields), by)

    def update(self, source: dict[str, Any], org: str = KANTO, **fields: Any) -> dict[str, Any]:
        fields = {"number": source["number"], "site_id": source["site_id"], **fields}
        return self.service.update_source(org, source["id"], self.command(**fields), "kanto")

    def put(self, source_id: str, month: str, quantity: Any, unit: str, evidence: str | None = None, org: str = KANTO,
            by: str = "kanto") -> dict[str, Any]:
        return self.service.put_monitoring(org, MonitoringCommand(source_id, month, quantity, unit, evidence), by)

    def evidence(self, org: str = KANTO, kind: DocumentKind = DocumentKind.EVIDENCE,
                 status: DocumentStatus = DocumentStatus.ACCEPTED) -> str:
        document_id = f"{len(self.documents.items) + 1:032x}"
        self.documents.items[document_id] = Document(document_id, org, kind, "bill.pdf", "application/pdf", 1000, status,
                                                     "2026-04-01T09:00:00+09:00", "kanto")
        return document_id

    def calculation(self, fiscal_year: int, org: str = KANTO) -> dict[str, Any]:
        return self.service.calculation(org, fiscal_year)

    def refused(self, error: type[E], action: Callable[[], object]) -> E:
        """The error ``action`` is refused with; nothing may have been written."""
        before = self.memory.state()
        with pytest.raises(error) as refusal:
            action()
        assert self.memory.state() == before, "a refused write stored something"
        return refusal.value


@pytest.fixture
def em() -> World:
    return World()


@pytest.fixture
def plant(em: World) -> dict[str, Any]:
    """Kanto's two sites and five sources: electricity (kWh) at the head works; kerosene (L),
    city gas (Nm3), excluded gasoline and a draft at the second works."""
    head, second = em.site("本社工場"), em.site("第二工場")
    return {"head": head, "second": second, 1: em.source(1, head, **ELECTRICITY), 2: em.source(2, second),
            3: em.source(3, second, **CITY_GAS),
            4: em.source(4, second, factor_key="gasoline", unit="kL", excluded=True, exclusion_reason="軽微な排出源"),
            5: em.source(5, second, status="draft", name_ja=None, categories=(), factor_key=None, unit=None, basis=None)}


# --- sites and sources ----------------------------------------------------------------------------


def test_a_draft_may_be_incomplete_and_a_registered_source_may_not(em):
    site = em.site()
    draft = em.source(1, site, status="draft", name_ja=None, categories=(), factor_key=None, unit=None, basis=None)
    assert (draft["status"], draft["version"], draft["in_use"], draft["updated_by"]) == ("draft", 1, False, "kanto")
    refused = em.refused(SourceIncomplete, lambda: em.update(draft, name_ja=None, categories=(), factor_key=None, unit=None))
    assert [d["field"] for d in refused.details] == ["name_ja", "categories", "factor_key", "unit"]
    assert em.update(draft)["status"] == "registered"
    # A draft is still checked for what it does say.
    assert em.refused(SourceIncomplete, lambda: em.source(2, site, status="draft", factor_key="coal")).details == [
        {"field": "factor_key", "problem": "unknown_factor"}]
    assert em.refused(SourceIncomplete, lambda: em.source(2, site, status="draft", unit="kWh")).details == [
        {"field": "unit", "problem": "not_in_factor_family"}]


@pytest.mark.parametrize(("fields", "problem"), [
    ({"basis": "other"}, {"field": "basis_text", "problem": "required_for_other"}),
    ({"basis": "other", "basis_text": "  "}, {"field": "basis_text", "problem": "required_for_other"}),
    ({"excluded": True}, {"field": "exclusion_reason", "problem": "required_when_excluded"}),
    ({"exclusion_reason": "軽微"}, {"field": "exclusion_reason", "problem": "only_when_excluded"}),
])
def test_basis_other_needs_its_text_and_an_excluded_source_its_reason(em, fields, problem):
    site = em.site()
    refused = em.refused(SourceIncomplete, lambda: em.source(1, site, **fields))
    assert (refused.details, refused.field, refused.status) == ([problem], problem["field"], 400)


def test_basis_other_with_its_text_and_excluded_with_a_reason_are_registered(em):
    site = em.site()
    other = em.source(1, site, basis="other", basis_text="購買伝票")
    excluded = em.source(2, site, excluded=True, exclusion_reason="軽微な排出源")
    assert (other["basis"], other["basis_text"], excluded["excluded"], excluded["exclusion_reason"]) == (
        "other", "購買伝票", True, "軽微な排出源")


def test_source_numbers_are_unique_within_an_organisation(em):
    site, theirs = em.site(), em.site(org=MINATO, by="minato")
    first = em.source(1, site)
    assert em.refused(SourceNumberTaken, lambda: em.source(1, site)).params["number"] == 1
    assert em.store.failures == [("number",)]
    assert em.source(1, theirs, org=MINATO, by="minato")["number"] == 1  # another organisation's numbers are its own
    second = em.source(2, site)
    assert em.refused(SourceNumberTaken, lambda: em.update(second, number=1)).field == "number"
    # A number given up (renumbered, or deleted) may be used again.
    assert em.service.update_source(KANTO, first["id"], em.command(7, site), "kanto")["number"] == 7
    assert em.source(1, site, name_ja="再利用")["number"] == 1
    assert em.service.delete_source(KANTO, second["id"], "kanto") == {"id": second["id"], "deleted": True}
    assert em.source(2, site)["number"] == 2
    assert sorted(em.memory.numbers) == [(KANTO, 1), (KANTO, 2), (KANTO, 7), (MINATO, 1)]


def test_a_source_needs_a_site_of_its_own_organisation(em):
    theirs = em.site(org=MINATO, by="minato")
    assert em.refused(SiteNotFound, lambda: em.source(1, theirs)).field == "site_id"
    assert em.refused(SiteNotFound, lambda: em.source(1, "site-nope")).params["site_id"] == "site-nope"
    assert em.store.failures == [("site",), ("site",)]


def test_a_change_to_a_source_read_in_an_older_version_is_refused(em):
    site = em.site()
    source = em.source(1, site)
    assert em.update(source, notes="メモ")["version"] == 2
    assert em.refused(ConcurrentChange, lambda: em.update(source, version=1)).field == "version"
    assert em.update(source, version=2, notes="改訂")["version"] == 3


def test_a_source_with_data_cannot_be_deleted_change_its_factor_or_return_to_draft(em, plant):
    used = plant[2]
    em.put(used["id"], "2025-08", "10", "L")
    assert em.service.get_source(KANTO, used["id"])["in_use"]
    assert em.refused(SourceInUse, lambda: em.service.delete_source(KANTO, used["id"], "kanto")).status == 409
    assert em.refused(SourceInUse, lambda: em.update(used, factor_key="diesel")).field == "factor_key"
    assert em.refused(SourceInUse, lambda: em.update(used, status="draft")).field == "status"
    assert em.refused(SourceIncomplete, lambda: em.update(used, unit="kWh")).details[0]["problem"] == "not_in_factor_family"
    # Another unit of the same family is fine.
    assert em.update(used, unit="kL")["unit"] == "kL"
    # A source without data may change all of these.
    assert em.update(plant[3], factor_key="lng", unit="t")["factor_key"] == "lng"


def test_a_source_is_retired_only_after_its_data_and_takes_none_from_then(em, plant):
    used = plant[2]
    em.put(used["id"], "2025-08", "10", "L")
    refused = em.refused(MonitoringAfterRetirement, lambda: em.update(used, retired_from="2025-08"))
    assert refused.params == {"source_id": used["id"], "month": "2025-08", "retired_from": "2025-08"}
    assert em.update(used, retired_from="2025-09")["retired_from"] == "2025-09"
    assert em.refused(SourceRetired, lambda: em.put(used["id"], "2025-09", "1", "L")).params["month"] == "2025-09"
    assert em.refused(SourceRetired, lambda: em.put(used["id"], "2026-01", "1", "L")).status == 409
    assert em.put(used["id"], "2025-07", "1", "L")["month"] == "2025-07"


# --- monitoring -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [1.5, 10, "-1", "1e3", "1,000", " 1", "1.", ".5", "1.1234567", "1234567890123", "NaN",
                                      "Infinity", "0x10", "", "１０"])
def test_quantities_are_decimal_strings_only(em, plant, quantity):
    refused = em.refused(InvalidQuantity, lambda: em.put(plant[2]["id"], "2025-06", quantity, "L"))
    assert (refused.field, refused.status) == ("quantity", 400)


def test_a_quantity_is_kept_exactly_as_given(em, plant):
    value = em.put(plant[2]["id"], "2025-06", "0001500.250000", "L")
    assert (value["quantity"], value["unit"], value["factor_version"], value["origin"]) == ("0001500.250000", "L",
                                                                                          "kerosene@2006-04-01", "entry")
    assert em.service.monitoring(KANTO, 2025)["values"][0]["quantity"] == "0001500.250000"


@pytest.mark.parametrize(("number", "unit", "accepted"), [
    (1, "kL", ["kWh", "MWh"]), (1, "GJ", ["kWh", "MWh"]), (2, "kWh", ["L", "kL"]), (2, "gallon", ["L", "kL"]),
    (3, "t", ["Nm3", "1000Nm3"]),
])
def test_a_unit_outside_the_factors_family_is_refused_naming_the_accepted_units(em, plant, number, unit, accepted):
    refused = em.refused(UnitNotAccepted, lambda: em.put(plant[number]["id"], "2025-06", "10", unit))
    assert (refused.field, refused.details) == ("unit", [{"accepted_units": accepted}])
    assert ", ".join(accepted) in refused.message and ", ".join(accepted) in refused.message_ja_text


def test_every_unit_of_the_family_is_accepted(em, plant):
    assert [em.put(plant[1]["id"], month, "1", unit)["unit"] for month, unit in (("2025-04", "kWh"), ("2025-05", "MWh"))] == [
        "kWh", "MWh"]


def test_evidence_must_be_an_accepted_evidence_document_of_the_same_organisation(em, plant):
    source_id = plant[1]["id"]
    ours = em.evidence()
    assert em.put(source_id, "2025-04", "100", "kWh", evidence=ours)["evidence_document_id"] == ours
    for document_id in (em.evidence(org=MINATO), em.evidence(status=DocumentStatus.AWAITING_UPLOAD),
                        em.evidence(status=DocumentStatus.REJECTED), em.evidence(kind=DocumentKind.PERFORMANCE_SHEET),
                        "f" * 32, "F" * 32, "not-a-document-id"):
        refused = em.refused(EvidenceNotAccepted, lambda document_id=document_id: em.put(source_id, "2025-05", "1", "kWh", document_id))
        assert (refused.field, refused.status) == ("evidence_document_id", 422)


def test_monitoring_data_is_for_registered_sources_with_a_factor_for_the_month(em, plant):
    assert em.refused(SourceNotRegistered, lambda: em.put(plant[5]["id"], "2025-06", "1", "L")).status == 409
    assert em.refused(NoFactorForMonth, lambda: em.put(plant[1]["id"], "2005-06", "1", "kWh")).params["month"] == "2005-06"
    assert em.refused(SourceNotFound, lambda: em.put("src-000000000000", "2025-06", "1", "L")).status == 404


def test_a_second_value_for_a_month_replaces_the_first(em, plant):
    source_id = plant[2]["id"]
    em.put(source_id, "2025-06", "10", "L")
    em.put(source_id, "2025-06", "20", "L")
    assert [v["quantity"] for v in em.service.monitoring(KANTO, 2025)["values"]] == ["20"]
    assert em.service.get_source(KANTO, source_id)["last_month"] == "2025-06"
    assert em.memory.changes[-1].old["quantity"] == "10" and em.memory.changes[-1].new["quantity"] == "20"


def test_a_factor_changed_between_the_read_and_the_write_is_read_again(em, plant):
    source = plant[2]
    em.store.meanwhile(lambda: em.update(source, factor_key="diesel"), on="put_value")
    value = em.put(source["id"], "2025-06", "1", "kL")
    assert em.store.failures == [("source",)]
    assert value["factor_version"] == "diesel@2006-04-01"


def test_data_written_between_the_read_and_a_factor_change_keeps_the_factor(em, plant):
    source = plant[2]
    em.store.meanwhile(lambda: em.put(source["id"], "2025-06", "1", "kL"), on="update_source")
    with pytest.raises(SourceInUse):
        em.update(source, factor_key="diesel")
    assert em.store.failures == [("source",)]
    assert em.service.get_source(KANTO, source["id"])["factor_key"] == "kerosene"


def test_a_monitoring_write_racing_others_in_its_year_is_retried_then_refused(em, plant):
    em.store.meanwhile(lambda: em.put(plant[1]["id"], "2025-04", "1", "kWh"), on="put_value")
    em.put(plant[2]["id"], "2025-06", "1", "L")
    assert em.store.failures == [("year",)]
    assert em.service.monitoring(KANTO, 2025)["revision"] == 2
    em.store.meanwhile(lambda: em.put(plant[1]["id"], "2025-05", "1", "kWh"), on="put_value", times=MAX_ATTEMPTS)
    with pytest.raises(ConcurrentChange):
        em.put(plant[2]["id"], "2025-07", "1", "L")
    assert em.store.failures[1:] == [("year",)] * MAX_ATTEMPTS


# --- the import seam --------------------------------------------------------------------------------

ROWS = [ImportRow(1, "2026-04", "1000", "MWh"), ImportRow(1, "2026-05", "1000", "MWh"), ImportRow(2, "2026-04", "1", "kL")]


def test_an_import_is_accepted_whole_or_refused_whole_listing_each_bad_row(em, plant):
    bad = [*ROWS, ImportRow(1, "2026-06", "1", "L"), ImportRow(99, "2026-04", "1", "L"), ImportRow(2, "2026-04", "2", "kL"),
           ImportRow(2, "2027-04", "1", "kL"), ImportRow(2, "2026-07", "1e3", "kL"), ImportRow(5, "2026-04", "1", "L")]
    refused = em.refused(ImportRefused, lambda: em.service.import_monitoring(KANTO, 2026, bad, "sheet-0001", "kanto"))
    assert [(d["row"], d["code"]) for d in refused.details] == [
        (4, "UNIT_NOT_ACCEPTED"), (5, "SOURCE_NOT_FOUND"), (6, "DUPLICATE_CELL"), (7, "INVALID_MONTH"), (8, "INVALID_QUANTITY"),
        (9, "SOURCE_NOT_REGISTERED")]
    assert refused.params["count"] == 6 and em.memory.imported == {}
    invalid = em.refused(ImportRefused, lambda: em.service.import_monitoring(KANTO, 2026, ROWS, "x", "kanto"))
    assert invalid.details == [{"row": None, "field": "import_id", "code": "INVALID_IMPORT_ID"}]


def test_an_import_replaces_the_year_and_the_same_import_again_is_a_replay(em, plant):
    em.put(plant[1]["id"], "2026-06", "5", "MWh")  # before the import: the import replaces it (it has no June)
    result = em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    assert (result.rows, result.revision, result.replayed) == (3, 2, False)
    values = em.service.monitoring(KANTO, 2026)
    assert (values["current_import"], values["revision"]) == ("sheet-0001", 2)
    assert [(v["source_id"], v["month"], v["origin"]) for v in values["values"]] == sorted(
        [(plant[1]["id"], "2026-04", "import:sheet-0001"), (plant[1]["id"], "2026-05", "import:sheet-0001"),
         (plant[2]["id"], "2026-04", "import:sheet-0001")])
    before = em.memory.state()
    again = em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    assert (again.replayed, again.revision, again.rows) == (True, 2, 3)
    assert em.memory.state() == before
    # The sources it used are in use, up to their last imported month.
    source = em.service.get_source(KANTO, plant[1]["id"])
    assert (source["in_use"], source["last_month"]) == (True, "2026-06")
    assert em.refused(SourceInUse, lambda: em.service.delete_source(KANTO, plant[2]["id"], "kanto"))


def test_a_single_month_written_after_an_import_counts(em, plant):
    em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    later = em.put(plant[1]["id"], "2026-05", "1", "MWh")
    assert later["origin"] == "entry"
    result = em.calculation(2026)
    # April: 1000 MWh x 0.555 = 555 and 1 kL x 2.49 = 2.49; May: 1 MWh x 0.555 = 0.555 (not the import's 1000)
    assert (result["t_co2_exact"], result["total_t"]) == ("558.045", 558)
    assert [(m["month"], m["t_co2_exact"]) for m in result["months"][:3]] == [("2026-04", "557.49"), ("2026-05", "0.555"),
                                                                             ("2026-06", "0")]
    # A later import replaces that entry too.
    em.service.import_monitoring(KANTO, 2026, ROWS[:1], "sheet-0002", "kanto")
    assert em.calculation(2026)["t_co2_exact"] == "555"


def test_an_import_whose_sources_change_meanwhile_is_read_again_or_refused_as_stale(em, plant):
    touch = iter(range(100))
    em.store.meanwhile(lambda: em.update(plant[3], notes=f"メモ{next(touch)}"), on="switch_import")
    assert em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto").replayed is False
    assert em.store.failures == [("sources",)]
    em.store.meanwhile(lambda: em.update(plant[3], notes=f"メモ{next(touch)}"), on="switch_import", times=MAX_ATTEMPTS)
    with pytest.raises(ImportStale):
        em.service.import_monitoring(KANTO, 2026, ROWS[:1], "sheet-0002", "kanto")
    assert em.store.failures[1:] == [("sources",)] * MAX_ATTEMPTS
    assert em.service.monitoring(KANTO, 2026)["current_import"] == "sheet-0001"


@pytest.mark.parametrize("again", ["retried within the call", "run again after it was stale"])
def test_an_import_whose_rows_map_to_other_sources_meanwhile_counts_each_row_once(em, plant, again):
    """Number 1 is given to a new source while the import runs: what the first attempt
    staged for the old number 1 must not count once the import is current."""
    def renumber() -> None:
        em.update(plant[1], number=7, **ELECTRICITY)
        em.source(1, plant["head"], **ELECTRICITY)

    if again == "retried within the call":
        em.store.meanwhile(renumber, on="switch_import")
    else:  # as the sheet's event delivered again after the import was refused as stale
        em.store.meanwhile(lambda: em.update(plant[3], notes="メモ"), on="switch_import", times=MAX_ATTEMPTS)
        with pytest.raises(ImportStale):
            em.service.import_monitoring(KANTO, 2026, ROWS[:1], "sheet-0001", "kanto")
        renumber()
    em.service.import_monitoring(KANTO, 2026, ROWS[:1], "sheet-0001", "kanto")
    new_one = em.service.list_sources(KANTO)["sources"][0]
    assert new_one["number"] == 1 and new_one["id"] != plant[1]["id"]
    assert [(v["source_id"], v["month"]) for v in em.service.monitoring(KANTO, 2026)["values"]] == [(new_one["id"], "2026-04")]
    result = em.calculation(2026)
    assert (result["t_co2_exact"], [(s["number"], s["t_co2_exact"]) for s in result["sources"] if s["t_co2_exact"] != "0"]) == (
        "555", [(1, "555")])


def test_an_import_racing_a_monitoring_write_switches_at_the_new_revision(em, plant):
    em.store.meanwhile(lambda: em.put(plant[3]["id"], "2026-07", "1", "Nm3"), on="switch_import")
    result = em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    assert em.store.failures == [("year",)] and result.revision == 2
    # The entry (1 Nm3 of city gas in July) was written before the import became current:
    # the import replaces it. 1000 MWh x 0.555 twice and 1 kL x 2.49.
    assert em.calculation(2026)["t_co2_exact"] == "1112.49"


# --- factor versions --------------------------------------------------------------------------------------

STEAM = FactorCommand("steam_industrial", "産業用蒸気", "Industrial steam", "GJ", "0.060", "2006-04-01", "2027-03-31", "SHK 2006")


def test_factor_versions_may_not_overlap(em):
    added = em.service.add_factor(STEAM, "admin:admin")
    assert (added["version"], added["t_co2_per_unit"]) == ("steam_industrial@2006-04-01", "0.06")
    assert em.refused(FactorVersionOverlaps, lambda: em.service.add_factor(STEAM, "admin:admin")).status == 409
    overlapping = replace(STEAM, valid_from="2027-03-01", valid_to=None)
    assert em.refused(FactorVersionOverlaps, lambda: em.service.add_factor(overlapping, "admin:admin")).params["version"] == (
        "steam_industrial@2006-04-01")
    # The shipped city-gas version is open-ended: nothing can follow it.
    city_gas = FactorCommand("city_gas", "都市ガス", "City gas", "1000Nm3", "2.20", "2030-04-01", None, "SHK")
    assert em.refused(FactorVersionOverlaps, lambda: em.service.add_factor(city_gas, "admin:admin"))
    following = em.service.add_factor(replace(STEAM, valid_from="2027-04-01", valid_to=None, t_co2_per_unit="0.057"), "admin:admin")
    assert following["version"] == "steam_industrial@2027-04-01"
    assert [v["version"] for v in em.service.list_factors()["factors"] if v["key"] == "steam_industrial"] == [
        "steam_industrial@2006-04-01", "steam_industrial@2027-04-01"]


def test_two_overlapping_versions_added_at_once_cannot_both_be_added(em):
    rival = replace(STEAM, valid_from="2020-04-01", valid_to=None)
    em.store.meanwhile(lambda: em.service.add_factor(rival, "admin:other"), on="add_factor")
    with pytest.raises(FactorVersionOverlaps):
        em.service.add_factor(STEAM, "admin:admin")
    assert em.store.failures == [("key",)]
    assert [v.version for v in em.store.added_factors()] == ["steam_industrial@2020-04-01"]


def test_a_month_uses_the_version_valid_in_it(em, plant):
    em.service.add_factor(STEAM, "admin:admin")
    em.service.add_factor(replace(STEAM, valid_from="2027-04-01", valid_to=None, t_co2_per_unit="0.057"), "admin:admin")
    source = em.source(9, plant["head"], categories=("purchased_heat",), factor_key="steam_industrial", unit="GJ")
    assert em.put(source["id"], "2027-03", "100", "GJ")["factor_version"] == "steam_industrial@2006-04-01"
    assert em.put(source["id"], "2027-04", "100000", "MJ")["factor_version"] == "steam_industrial@2027-04-01"
    assert (em.calculation(2026)["t_co2_exact"], em.calculation(2027)["t_co2_exact"]) == ("6", "5.7")


# --- the calculation -----------------------------------------------------------------------------------


def test_the_calculation_against_hand_computed_figures(em, plant):
    """80,000 kWh = 80 MWh x 0.555 = 44.4 t; 1.5 MWh x 0.555 = 0.8325 t; 2,500 L of kerosene =
    2.5 kL x 2.49 = 6.225 t; 3,000 Nm3 of city gas = 3 x 2.23 = 6.69 t. 58.1475 t: shown 58.148
    (half up), total_t 58 (down). The excluded source's 10 kL are listed, not counted."""
    em.put(plant[1]["id"], "2025-04", "80000", "kWh")
    em.put(plant[1]["id"], "2025-05", "1.5", "MWh")
    em.put(plant[2]["id"], "2025-04", "2500", "L")
    em.put(plant[3]["id"], "2025-06", "3000", "Nm3")
    em.put(plant[4]["id"], "2025-04", "10", "kL")
    result = em.calculation(2025)
    assert (result["t_co2"], result["t_co2_exact"], result["total_t"]) == ("58.148", "58.1475", 58)
    by_number = {line["number"]: line for line in result["sources"]}
    assert sorted(by_number) == [1, 2, 3]  # the excluded source and the draft are not counted
    assert by_number[1]["months"][:2] == [
        {"month": "2025-04", "quantity": "80000", "unit": "kWh", "t_co2": "44.400", "t_co2_exact": "44.4",
         "factor_version": "electricity_default@2006-04-01", "missing": False},
        {"month": "2025-05", "quantity": "1.5", "unit": "MWh", "t_co2": "0.833", "t_co2_exact": "0.8325",
         "factor_version": "electricity_default@2006-04-01", "missing": False}]
    assert [(n, by_number[n]["t_co2"], by_number[n]["t_co2_exact"]) for n in (1, 2, 3)] == [
        (1, "45.233", "45.2325"), (2, "6.225", "6.225"), (3, "6.690", "6.69")]
    assert [(m["month"], m["t_co2_exact"]) for m in result["months"][:4]] == [
        ("2025-04", "50.625"), ("2025-05", "0.8325"), ("2025-06", "6.69"), ("2025-07", "0")]
    assert [(s["name_ja"], s["t_co2_exact"]) for s in result["sites"]] == [("本社工場", "45.2325"), ("第二工場", "12.915")]
    assert [(x["number"], x["exclusion_reason"]) for x in result["excluded"]] == [(4, "軽微な排出源")]
    assert len(result["missing"]) == 12 * 3 - 4
    assert {v["version"] for v in result["factor_versions"]} == {"electricity_default@2006-04-01", "kerosene@2006-04-01",
                                                                 "city_gas@2010-04-01"}


def test_city_gas_uses_the_fy2009_factor_until_march_2010(em, plant):
    source = em.source(8, plant["second"], factor_key="city_gas", unit="1000Nm3")
    assert em.put(source["id"], "2010-03", "10", "1000Nm3")["factor_version"] == "city_gas@2006-04-01"
    assert em.put(source["id"], "2010-04", "10000", "Nm3")["factor_version"] == "city_gas@2010-04-01"
    fy2009, fy2010 = em.calculation(2009), em.calculation(2010)
    assert (fy2009["t_co2_exact"], fy2009["total_t"], fy2010["t_co2_exact"], fy2010["total_t"]) == ("20.8", 20, "22.3", 22)
    assert [v["t_co2_per_unit"] for v in fy2009["factor_versions"] + fy2010["factor_versions"]] == ["2.08", "2.23"]


def test_missing_months_are_listed_until_a_source_is_retired(em):
    site = em.site()
    source = em.source(1, site, retired_from="2025-10")
    for month in ("2025-04", "2025-05", "2025-06", "2025-08", "2025-09"):
        em.put(source["id"], month, "100", "L")
    result = em.calculation(2025)
    assert [(m["number"], m["month"]) for m in result["missing"]] == [(1, "2025-07")]
    months = result["sources"][0]["months"]
    assert [(m["month"], m["missing"]) for m in months[3:7]] == [("2025-07", True), ("2025-08", False), ("2025-09", False),
                                                                ("2025-10", False)]
    assert result["t_co2_exact"] == "1.245"  # 5 x 0.1 kL x 2.49


def test_the_total_is_rounded_down_to_whole_tonnes(em):
    site = em.site()
    source = em.source(1, site)
    em.put(source["id"], "2025-04", "401.2", "L")  # 0.4012 kL x 2.49 = 0.998988 t
    result = em.calculation(2025)
    assert (result["t_co2"], result["t_co2_exact"], result["total_t"]) == ("0.999", "0.998988", 0)
    em.put(source["id"], "2025-05", "0.5", "L")  # + 0.0012450 t: 1.000233 t
    assert (em.calculation(2025)["t_co2_exact"], em.calculation(2025)["total_t"]) == ("1.000233", 1)


def test_an_organisation_without_data_has_an_empty_year(em):
    result = em.calculation(2025, org=MINATO)
    assert (result["sources"], result["sites"], result["missing"], result["t_co2"], result["total_t"]) == ([], [], [], "0.000", 0)


# --- access ----------------------------------------------------------------------------------------------


def test_another_organisations_data_is_invisible(em, plant):
    service, minato = em.service, USERS["minato"]
    em.put(plant[1]["id"], "2025-04", "80000", "kWh")
    assert em.refused(EmissionsOrganisationNotFound, lambda: service.readable_org(minato, KANTO)).status == 404
    org = service.readable_org(minato, None)
    assert org == service.writable_org(minato) == MINATO
    assert (service.list_sites(org)["sites"], service.list_sources(org)["sources"]) == ([], [])
    assert service.monitoring(org, 2025)["values"] == [] and service.calculation(org, 2025)["sources"] == []
    source_id = plant[1]["id"]
    for attempt in (lambda: service.get_source(org, source_id), lambda: em.put(source_id, "2025-05", "1", "kWh", org=MINATO),
                    lambda: em.update(plant[1], org=MINATO), lambda: service.delete_source(org, source_id, "minato")):
        assert em.refused(SourceNotFound, attempt).params == {"source_id": source_id}
    assert em.refused(ImportRefused, lambda: service.import_monitoring(org, 2026, ROWS, "sheet-0001", "minato")).params["count"] == 3


def test_an_administrator_reads_the_organisation_it_names_and_writes_none(em, plant):
    service, admin = em.service, USERS["admin"]
    org = service.readable_org(admin, KANTO)
    assert [s["number"] for s in service.list_sources(org)["sources"]] == [1, 2, 3, 4, 5]
    assert service.get_source(org, plant[1]["id"])["number"] == 1
    assert em.refused(OrganisationRequired, lambda: service.readable_org(admin, None)).field == "org_id"
    assert em.refused(EmissionsOrganisationNotFound, lambda: service.readable_org(admin, "nobody")).params["org_id"] == "nobody"
    assert em.refused(EmissionsOrganisationNotFound, lambda: service.writable_org(admin))
    verifier = USERS["verifier"]  # (until the verification issue grants verifiers reading)
    assert em.refused(EmissionsOrganisationNotFound, lambda: service.readable_org(verifier, KANTO))
    assert em.refused(EmissionsOrganisationNotFound, lambda: service.writable_org(verifier))


# --- change records ---------------------------------------------------------------------------------------


def test_every_write_leaves_a_change_record_with_who_and_when(em):
    service = em.service
    site = em.site()
    source = em.source(1, site)
    spare = em.source(2, site)
    em.update(source, notes="メモ")
    service.delete_source(KANTO, spare["id"], "kanto")
    em.put(source["id"], "2025-04", "100", "L")
    service.put_monitoring(KANTO, MonitoringCommand(source["id"], "2025-04", "90", "L", reason="請求書の転記誤り"), "admin:admin",
                           action="correct_monitoring")
    service.import_monitoring(KANTO, 2026, [ImportRow(1, "2026-04", "1", "L")], "sheet-0001", "kanto")
    service.add_factor(STEAM, "admin:admin")
    changes = em.memory.changes
    assert [(c.org_id, c.action, c.by) for c in changes] == [
        (KANTO, "create_site", "kanto"), (KANTO, "create_source", "kanto"), (KANTO, "create_source", "kanto"),
        (KANTO, "update_source", "kanto"), (KANTO, "delete_source", "kanto"), (KANTO, "put_monitoring", "kanto"),
        (KANTO, "correct_monitoring", "admin:admin"), (KANTO, "import_monitoring", "kanto"),
        ("#factors", "add_emission_factor", "admin:admin")]
    stamps = [c.at for c in changes]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps) and all(s.startswith("2026-04-01T11:") for s in stamps)
    assert [c.target for c in changes] == [site, source["id"], spare["id"], source["id"], spare["id"], f"{source['id']}/2025-04",
                                           f"{source['id']}/2025-04", "FY2026", "steam_industrial@2006-04-01"]
    update, delete, correct, imported = changes[3], changes[4], changes[6], changes[7]
    assert (update.old["notes"], update.new["notes"]) == (None, "メモ")
    assert (delete.old["number"], delete.new) == (2, None)
    assert (correct.old["quantity"], correct.new["quantity"], correct.new["reason"]) == ("100", "90", "請求書の転記誤り")
    assert (imported.old, imported.new) == ({"current_import": None}, {"current_import": "sheet-0001", "rows": 1})
    assert changes[0].old is None and changes[0].new["name_ja"] == "本社工場"


def test_a_refused_write_leaves_no_change_record(em, plant):
    em.put(plant[2]["id"], "2025-04", "1", "L")
    count = len(em.memory.changes)
    for refused in (lambda: em.source(1, plant["head"]), lambda: em.service.delete_source(KANTO, plant[2]["id"], "kanto"),
                    lambda: em.put(plant[2]["id"], "2025-05", "1", "kWh"), lambda: em.update(plant[2], factor_key="diesel")):
        with pytest.raises((SourceNumberTaken, SourceInUse, UnitNotAccepted)):
            refused()
    assert len(em.memory.changes) == count


def test_an_old_import_delivered_again_never_comes_back_over_a_newer_one(em, plant):
    """A redelivered event of an older sheet (its review lost, say) after a newer sheet was
    imported: a replay, and the newer sheet stays current."""
    em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    em.service.import_monitoring(KANTO, 2026, ROWS[:1], "sheet-0002", "kanto")
    before = em.memory.state()
    late = em.service.import_monitoring(KANTO, 2026, ROWS, "sheet-0001", "kanto")
    assert late.replayed is True
    assert em.memory.state() == before
    assert em.service.monitoring(KANTO, 2026)["current_import"] == "sheet-0002"
    assert em.calculation(2026)["t_co2_exact"] == "555"
