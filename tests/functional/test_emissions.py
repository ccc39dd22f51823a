"""Emissions management through the API on moto: sites, sources, monitoring data, the
calculation, the refusals (each with its code, and nothing stored), access, and the
import seam of the performance sheet on the real table."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import admin, scan_registry
from tests.functional.test_documents import PDF, PDF_SIZE, announce, deliver

FY = "2025"


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(demo[name]) for name in ("kanto", "minato", "verifier", "admin")}


def _evidence(api, token, aws_client, local_aws) -> str:
    status, answer = announce(api, token)
    assert status == 201, answer
    form = answer["upload"]
    assert requests.post(form["url"], data=form["fields"], files={"file": ("bill.pdf", PDF)}, timeout=30).status_code in (200, 204)
    deliver(aws_client, local_aws, form["fields"]["key"], PDF_SIZE)
    return answer["document"]["id"]


def _source(number, site_id, **fields):
    body = {"number": number, "status": "registered", "site_id": site_id, "name_ja": f"排出源{number}", "categories": ["fuel_combustion"],
            "factor_key": "kerosene", "unit": "L", "basis": "fire_service_notification"}
    body.update(fields)
    return body


@pytest.fixture(scope="module")
def world(api, tokens, aws_client, local_aws):
    kanto = tokens["kanto"]
    status, site = api.call("POST", "/emissions/sites", {"name_ja": "本社工場", "name_en": "Head works"}, token=kanto)
    assert status == 201, site
    sources = {}
    for number, fields in ((1, {"categories": ["purchased_electricity"], "factor_key": "electricity_default", "unit": "kWh"}),
                           (2, {}), (3, {"factor_key": "city_gas", "unit": "Nm3"}),
                           (4, {"factor_key": "gasoline", "unit": "kL", "excluded": True, "exclusion_reason": "軽微な排出源"}),
                           (5, {"status": "draft", "name_ja": None, "categories": [], "basis": None})):
        status, source = api.call("POST", "/emissions/sources", _source(number, site["id"], **fields), token=kanto)
        assert status == 201, source
        sources[number] = source
    evidence = _evidence(api, kanto, aws_client, local_aws)
    return {"site": site, "sources": sources, "evidence": evidence}


def put(api, token, source_id, month, quantity, unit, evidence=None):
    body = {"quantity": quantity, "unit": unit, **({"evidence_document_id": evidence} if evidence else {})}
    return api.call("PUT", f"/emissions/sources/{source_id}/monitoring/{month}", body, token=token)


def test_sites_and_sources_are_listed_for_their_organisation_only(api, tokens, world):
    status, sites = api.call("GET", "/emissions/sites", token=tokens["kanto"])
    assert status == 200 and [s["name_ja"] for s in sites["sites"]] == ["本社工場"]
    status, listed = api.call("GET", "/emissions/sources", token=tokens["kanto"])
    assert [s["number"] for s in listed["sources"]] == [1, 2, 3, 4, 5]
    assert listed["sources"][4]["status"] == "draft" and listed["sources"][0]["updated_by"] == "kanto"
    assert api.call("GET", "/emissions/sources", token=tokens["minato"])[1]["sources"] == []
    source_id = world["sources"][1]["id"]
    assert api.call("GET", f"/emissions/sources/{source_id}", token=tokens["kanto"])[0] == 200
    assert api.call("GET", f"/emissions/sources/{source_id}", token=tokens["minato"])[1]["error"]["code"] == "SOURCE_NOT_FOUND"
    status, answer = api.call("GET", "/emissions/sources?org_id=kanto-steel", token=tokens["minato"])
    assert (status, answer["error"]["code"]) == (404, "ORGANISATION_NOT_FOUND")
    assert api.call("GET", f"/emissions/sources/{source_id}?org_id=kanto-steel", token=tokens["admin"])[0] == 200
    assert api.call("GET", "/emissions/sources", token=tokens["admin"])[1]["error"]["code"] == "ORG_ID_REQUIRED"
    assert api.call("GET", "/emissions/sources?org_id=nobody", token=tokens["admin"])[1]["error"]["code"] == "ORGANISATION_NOT_FOUND"
    assert api.call("GET", "/emissions/sources?org_id=kanto-steel", token=tokens["verifier"])[0] == 403
    assert api.call("POST", "/emissions/sites", {"name_ja": "x"}, token=tokens["admin"])[0] == 403


def test_the_calculation_of_a_fiscal_year_against_hand_computed_figures(api, tokens, world):
    """120,000 kWh = 120 MWh x 0.555 = 66.6 t; 1,500 L kerosene = 1.5 kL x 2.49 = 3.735 t;
    12,345 Nm3 of city gas = 12.345 x 2.23 = 27.52935 t. 97.86435 t: total_t 97."""
    kanto, s = tokens["kanto"], world["sources"]
    assert put(api, kanto, s[1]["id"], "2025-04", "120000", "kWh", world["evidence"])[0] == 200
    assert put(api, kanto, s[2]["id"], "2025-04", "1500", "L")[0] == 200
    status, value = put(api, kanto, s[3]["id"], "2025-05", "12345", "Nm3")
    assert status == 200 and value["factor_version"] == "city_gas@2010-04-01" and value["quantity"] == "12345"
    assert put(api, kanto, s[4]["id"], "2025-04", "10", "kL")[0] == 200  # excluded: kept, not counted
    status, result = api.call("GET", f"/emissions/calculation?fiscal_year={FY}", token=kanto)
    assert status == 200, result
    assert (result["t_co2"], result["t_co2_exact"], result["total_t"]) == ("97.864", "97.86435", 97)
    by_number = {line["number"]: line for line in result["sources"]}
    assert sorted(by_number) == [1, 2, 3]
    assert by_number[1]["months"][0] == {"month": "2025-04", "quantity": "120000", "unit": "kWh", "t_co2": "66.600",
                                         "t_co2_exact": "66.6", "factor_version": "electricity_default@2006-04-01", "missing": False}
    assert by_number[3]["t_co2"] == "27.529"
    assert [x["number"] for x in result["excluded"]] == [4]
    assert len(result["missing"]) == 3 * 12 - 3
    assert result["sites"][0]["t_co2_exact"] == "97.86435"
    assert {v["version"] for v in result["factor_versions"]} == {"electricity_default@2006-04-01", "kerosene@2006-04-01",
                                                                 "city_gas@2010-04-01"}
    admin_view = api.call("GET", f"/emissions/calculation?fiscal_year={FY}&org_id=kanto-steel", token=tokens["admin"])[1]
    assert admin_view["total_t"] == 97
    monitoring = api.call("GET", f"/emissions/monitoring?fiscal_year={FY}", token=kanto)[1]
    assert len(monitoring["values"]) == 4 and all(isinstance(v["quantity"], str) for v in monitoring["values"])
    # The city-gas factor of FY2009 is the old one.
    status, old = put(api, kanto, s[3]["id"], "2009-06", "10", "1000Nm3")
    assert old["factor_version"] == "city_gas@2006-04-01"
    assert api.call("GET", "/emissions/calculation?fiscal_year=2009", token=kanto)[1]["t_co2_exact"] == "20.8"


BAD_MONITORING = [
    ("quantity as a JSON number", 1, "2025-06", {"quantity": 1.5, "unit": "kWh"}, 400, "VALIDATION_ERROR"),
    ("negative quantity", 1, "2025-06", {"quantity": "-1", "unit": "kWh"}, 400, "INVALID_QUANTITY"),
    ("exponent", 1, "2025-06", {"quantity": "1e3", "unit": "kWh"}, 400, "INVALID_QUANTITY"),
    ("thousands separator", 1, "2025-06", {"quantity": "1,000", "unit": "kWh"}, 400, "INVALID_QUANTITY"),
    ("too many decimals", 1, "2025-06", {"quantity": "1.1234567", "unit": "kWh"}, 400, "INVALID_QUANTITY"),
    ("too many digits", 1, "2025-06", {"quantity": "1234567890123", "unit": "kWh"}, 400, "INVALID_QUANTITY"),
    ("unit of another family", 1, "2025-06", {"quantity": "10", "unit": "kL"}, 400, "UNIT_NOT_ACCEPTED"),
    ("unknown unit", 2, "2025-06", {"quantity": "10", "unit": "gallon"}, 400, "UNIT_NOT_ACCEPTED"),
    ("month 13", 1, "2025-13", {"quantity": "10", "unit": "kWh"}, 400, "INVALID_MONTH"),
    ("month not YYYY-MM", 1, "202506", {"quantity": "10", "unit": "kWh"}, 400, "INVALID_MONTH"),
    ("before any factor version", 1, "2005-06", {"quantity": "10", "unit": "kWh"}, 422, "NO_FACTOR_FOR_MONTH"),
    ("draft source", 5, "2025-06", {"quantity": "10", "unit": "kWh"}, 409, "SOURCE_NOT_REGISTERED"),
    ("no such source", None, "2025-06", {"quantity": "10", "unit": "kWh"}, 404, "SOURCE_NOT_FOUND"),
    ("evidence that does not exist", 1, "2025-06", {"quantity": "10", "unit": "kWh", "evidence_document_id": "0" * 32}, 422,
     "EVIDENCE_NOT_ACCEPTED"),
    ("unknown field", 1, "2025-06", {"quantity": "10", "unit": "kWh", "factor": "2"}, 400, "VALIDATION_ERROR"),
]


@pytest.mark.parametrize(("case", "number", "month", "body", "status", "code"), BAD_MONITORING, ids=[c[0] for c in BAD_MONITORING])
def test_each_bad_monitoring_input_is_refused_with_its_code_and_nothing_is_stored(api, tokens, world, local_aws, case, number, month,
                                                                                   body, status, code):
    source_id = world["sources"][number]["id"] if number else "src-000000000000"
    before = scan_registry(local_aws)
    answer_status, answer = api.call("PUT", f"/emissions/sources/{source_id}/monitoring/{month}", body, token=tokens["kanto"])
    assert (answer_status, answer["error"]["code"]) == (status, code), answer
    if code == "UNIT_NOT_ACCEPTED":
        assert answer["error"]["details"][0]["accepted_units"]
    assert scan_registry(local_aws) == before


def test_evidence_of_another_organisation_is_refused(api, tokens, world, aws_client, local_aws):
    theirs = _evidence(api, tokens["minato"], aws_client, local_aws)
    before = scan_registry(local_aws)
    status, answer = put(api, tokens["kanto"], world["sources"][1]["id"], "2025-07", "10", "kWh", theirs)
    assert (status, answer["error"]["code"]) == (422, "EVIDENCE_NOT_ACCEPTED")
    assert scan_registry(local_aws) == before


def test_source_rules(api, tokens, world, local_aws):
    kanto, site_id = tokens["kanto"], world["site"]["id"]
    refusals = [
        (_source(1, site_id), 409, "SOURCE_NUMBER_TAKEN"),
        (_source(9, "site-nope"), 404, "SITE_NOT_FOUND"),
        (_source(9, site_id, categories=[]), 400, "SOURCE_INCOMPLETE"),
        (_source(9, site_id, basis="other"), 400, "SOURCE_INCOMPLETE"),
        (_source(9, site_id, excluded=True), 400, "SOURCE_INCOMPLETE"),
        (_source(9, site_id, factor_key="coal"), 400, "SOURCE_INCOMPLETE"),
        (_source(9, site_id, unit="kWh"), 400, "SOURCE_INCOMPLETE"),
        (_source(9, site_id, categories=["fuel", "x"]), 400, "VALIDATION_ERROR"),
    ]
    before = scan_registry(local_aws)
    for body, status, code in refusals:
        answer_status, answer = api.call("POST", "/emissions/sources", body, token=kanto)
        assert (answer_status, answer["error"]["code"]) == (status, code), (body, answer)
    assert scan_registry(local_aws) == before
    used = world["sources"][2]
    path = f"/emissions/sources/{used['id']}"
    assert put(api, kanto, used["id"], "2025-08", "10", "L")[0] == 200
    # In use: no deletion, no change of factor, no return to draft, no retirement before its data.
    assert api.call("DELETE", path, token=kanto)[1]["error"]["code"] == "SOURCE_IN_USE"
    assert api.call("PUT", path, _source(2, site_id, factor_key="diesel"), token=kanto)[1]["error"]["code"] == "SOURCE_IN_USE"
    assert api.call("PUT", path, _source(2, site_id, status="draft"), token=kanto)[1]["error"]["code"] == "SOURCE_IN_USE"
    refused = api.call("PUT", path, _source(2, site_id, retired_from="2025-08"), token=kanto)[1]
    assert refused["error"]["code"] == "MONITORING_AFTER_RETIREMENT"
    assert scan_registry(local_aws) != before  # the one monitoring write
    # Same family, another unit is fine; then retire from September.
    status, changed = api.call("PUT", path, _source(2, site_id, unit="kL", notes="メモ", retired_from="2025-09"), token=kanto)
    assert status == 200 and changed["unit"] == "kL" and changed["retired_from"] == "2025-09", changed
    assert put(api, kanto, used["id"], "2025-09", "1", "kL")[1]["error"]["code"] == "SOURCE_RETIRED"
    assert api.call("PUT", path, {**_source(2, site_id, unit="kL"), "version": 1}, token=kanto)[1]["error"]["code"] == "CONCURRENT_CHANGE"
    # A source without data may be deleted, its number may be used again.
    status, spare = api.call("POST", "/emissions/sources", _source(20, site_id), token=kanto)
    assert status == 201
    assert api.call("PUT", f"/emissions/sources/{spare['id']}", _source(21, site_id), token=kanto)[1]["number"] == 21
    assert api.call("DELETE", f"/emissions/sources/{spare['id']}", token=kanto)[1] == {"id": spare["id"], "deleted": True}
    assert api.call("POST", "/emissions/sources", _source(21, site_id, name_ja="再利用"), token=kanto)[0] == 201
    assert api.call("GET", f"/emissions/sources/{spare['id']}", token=kanto)[0] == 404


def test_every_write_has_its_change_record(local_aws, world):
    changes = [i for i in scan_registry(local_aws) if i["pk"]["S"] == "EAUD#kanto-steel"]
    actions = {i["action"]["S"] for i in changes}
    assert {"create_site", "create_source", "update_source", "delete_source", "put_monitoring"} <= actions
    assert all(i["by"]["S"] == "kanto" and i["at"]["S"] for i in changes)


def test_factors_and_the_administrator_functions(api, tokens, world, local_aws):
    status, listed = api.call("GET", "/emissions/factors", token=tokens["verifier"])
    assert status == 200
    gas = [f for f in listed["factors"] if f["key"] == "city_gas"]
    assert [(f["t_co2_per_unit"], f["valid_to"]) for f in gas] == [("2.08", "2010-03-31"), ("2.23", None)]
    from chalicelib.admin import FUNCTIONS

    event = {"key": "steam_industrial", "name_ja": "産業用蒸気", "name_en": "Industrial steam", "unit": "GJ", "t_co2_per_unit": "0.060",
             "valid_from": "2006-04-01", "source": "SHK 2006 (産業用蒸気)"}
    assert admin("add_emission_factor", event)["factor"]["version"] == "steam_industrial@2006-04-01"
    assert FUNCTIONS["add_emission_factor"](event, None)["error"]["code"] == "FACTOR_VERSION_OVERLAPS"
    assert FUNCTIONS["add_emission_factor"]({**event, "key": "city_gas", "unit": "1000Nm3", "valid_from": "2030-04-01"},
                                            None)["error"]["code"] == "FACTOR_VERSION_OVERLAPS"
    correction = {"org_id": "kanto-steel", "source_id": world["sources"][1]["id"], "month": "2025-04", "quantity": "100000", "unit": "kWh",
                  "reason": "請求書の転記誤り", "requested_by": "admin"}
    assert admin("correct_monitoring", correction)["value"]["updated_by"] == "admin:admin"
    assert FUNCTIONS["correct_monitoring"]({**correction, "org_id": "nobody"}, None)["error"]["code"] == "ORGANISATION_NOT_FOUND"
    record = [i for i in scan_registry(local_aws) if i["pk"]["S"] == "EAUD#kanto-steel" and i["action"]["S"] == "correct_monitoring"]
    assert len(record) == 1 and "請求書の転記誤り" in record[0]["new"]["S"] and "120000" in record[0]["old"]["S"]


def test_the_import_seam_writes_a_whole_year_atomically_for_readers(api, tokens, world, local_aws):
    from chalicelib import container
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.domain.errors import ImportRefused
    from chalicelib.emissions.service import Emissions, ImportRow

    service = Emissions(container.store(EmissionsStore), documents=container.document_store())
    sheet = service.sources_for_sheet("kanto-steel", 2026)
    assert [r["number"] for r in sheet][:3] == [1, 3, 4] and sheet[0]["factors"]["2026-04"]["t_co2_per_unit"] == "0.555"
    rows = [ImportRow(1, m, "1000", "MWh") for m in ("2026-04", "2026-05")] + [ImportRow(3, "2026-04", "1", "1000Nm3")]
    before = scan_registry(local_aws)
    with pytest.raises(ImportRefused) as refused:
        service.import_monitoring("kanto-steel", 2026, [*rows, ImportRow(1, "2026-06", "1", "L"), ImportRow(99, "2026-04", "1", "L")],
                                  "sheet-0001", "kanto")
    assert [d["code"] for d in refused.value.details] == ["UNIT_NOT_ACCEPTED", "SOURCE_NOT_FOUND"]
    assert scan_registry(local_aws) == before
    assert put(api, tokens["kanto"], world["sources"][1]["id"], "2026-06", "5", "MWh")[0] == 200  # before the import: replaced
    result = service.import_monitoring("kanto-steel", 2026, rows, "sheet-0002", "kanto")
    assert (result.rows, result.replayed) == (3, False)
    assert service.import_monitoring("kanto-steel", 2026, rows, "sheet-0002", "kanto").replayed
    assert put(api, tokens["kanto"], world["sources"][1]["id"], "2026-05", "1", "MWh")[0] == 200  # after the import: counts
    calculation = api.call("GET", "/emissions/calculation?fiscal_year=2026", token=tokens["kanto"])[1]
    # 1000 MWh x 0.555 + 1 MWh x 0.555 + 1 x 2.23 = 557.785
    assert calculation["t_co2_exact"] == "557.785" and calculation["total_t"] == 557
    source = api.call("GET", f"/emissions/sources/{world['sources'][3]['id']}", token=tokens["kanto"])[1]
    assert source["in_use"] and source["last_month"] == "2026-04"


def test_the_demo_loads_a_full_fiscal_year_over_every_category(api, tokens):
    from devtools import demo as demo_data

    loaded = demo_data.load_emissions("minato-foods", "minato")
    status, result = api.call("GET", "/emissions/calculation?fiscal_year=2025", token=tokens["minato"])
    assert status == 200 and result["missing"] == [] and len(result["sites"]) == 2
    assert len(result["sources"]) == 6 and [x["number"] for x in result["excluded"]] == [7]
    sources = api.call("GET", "/emissions/sources", token=tokens["minato"])[1]["sources"]
    assert {c for s in sources for c in s["categories"]} == {"fuel_combustion", "purchased_electricity", "purchased_heat", "non_energy"}
    assert any(s["cogeneration"] for s in sources)
    assert result["total_t"] == int(float(result["t_co2_exact"]))
    april = api.call("GET", "/emissions/monitoring?fiscal_year=2025", token=tokens["minato"])[1]["values"]
    assert any(v["evidence_document_id"] == loaded["evidence"] for v in april)
    print(result["t_co2_exact"], result["total_t"])
