"""The performance management sheet through the real flow on moto: downloaded by its
presigned GET, filled with openpyxl, uploaded by the presigned POST as a
``performance_sheet`` document, delivered to ``document_arrived`` in S3's event shape,
imported by the emissions system's subscriber, its review on ``GET /documents/{id}``
and the calculation equal to the filled values computed by hand; bad uploads refused
whole with their codes and cells, nothing stored; who may download."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import requests

from tests.conftest import scan_registry
from tests.functional.test_documents import XLSX_TYPE, deliver, upload

FY = 2025
DATA = "実績管理表"
META = "_jvets"


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(demo[name]) for name in ("kanto", "minato", "verifier", "admin")}


def _source(number, site_id, **fields):
    body = {"number": number, "status": "registered", "site_id": site_id, "name_ja": f"排出源{number}",
            "categories": ["fuel_combustion"], "factor_key": "kerosene", "unit": "L", "basis": "fire_service_notification"}
    return body | fields


@pytest.fixture(scope="module")
def world(api, tokens):
    kanto = tokens["kanto"]
    site = api.call("POST", "/emissions/sites", {"name_ja": "本社工場", "name_en": "Head works"}, token=kanto)[1]
    for number, fields in ((1, {"name_ja": "受電設備", "categories": ["purchased_electricity"], "factor_key": "electricity_default",
                                "unit": "kWh", "basis": "delivery_slips"}),
                           (2, {"name_ja": "ガスボイラー", "factor_key": "city_gas", "unit": "Nm3"}),
                           (3, {"name_ja": "灯油ストーブ"}),
                           (4, {"name_ja": "旧乾燥炉", "retired_from": "2025-10"})):
        status, answer = api.call("POST", "/emissions/sources", _source(number, site["id"], **fields), token=kanto)
        assert status == 201, answer
    return {"site": site}


def download(api, token, fiscal_year=FY, query=""):
    status, answer = api.call("GET", f"/emissions/sheets/{fiscal_year}{query}", token=token)
    assert status == 200, answer
    fetched = requests.get(answer["url"], timeout=30)
    assert fetched.status_code == 200
    return answer, fetched


def workbook_of(data: bytes):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def submit(api, token, aws_client, local_aws, data: bytes, purpose: str | None = f"performance_sheet:FY{FY}"):
    """Announce, upload by the presigned POST, deliver S3's event: the document as the API shows it."""
    body = {"kind": "performance_sheet", "filename": "実績管理表.xlsx", "content_type": XLSX_TYPE, "size": len(data)}
    if purpose is not None:
        body["purpose"] = purpose
    status, answer = api.call("POST", "/documents", body, token=token)
    assert status == 201, answer
    assert upload(answer["upload"], data).status_code == 204
    deliver(aws_client, local_aws, answer["upload"]["fields"]["key"], len(data))
    return api.call("GET", f"/documents/{answer['document']['id']}", token=token)[1]


def fill(workbook) -> None:
    """The values computed by hand in the test below."""
    sheet = workbook[DATA]
    sheet["E9"], sheet["I9"], sheet["J9"], sheet["L9"] = "kWh", 100000, "120,000", 0  # June (K9) blank: no data
    sheet["E10"], sheet["I10"], sheet["J10"] = "1000Nm3", 12.5, "１０"
    sheet["E11"], sheet["I11"] = "L", 1500.5


def test_download_fill_upload_import_and_the_calculation_equals_the_filled_values(api, tokens, world, aws_client, local_aws):
    answer, fetched = download(api, tokens["kanto"])
    assert (answer["org_id"], answer["fiscal_year"], answer["sources"], answer["expires_in"]) == ("kanto-steel", FY, 4, 300)
    assert answer["purpose"] == "performance_sheet:FY2025" and answer["size"] == len(fetched.content)
    assert answer["filename"] == "JVETS_performance_sheet_kanto-steel_FY2025.xlsx"
    assert 'filename="JVETS_performance_sheet_kanto-steel_FY2025.xlsx"' in fetched.headers["Content-Disposition"]
    assert re.search(r"/sheets/kanto-steel/FY2025/[0-9a-f]{32}\.xlsx\?", answer["url"])
    workbook = workbook_of(fetched.content)
    assert [workbook[DATA][f"A{row}"].value for row in range(9, 13)] == [1, 2, 3, 4]
    assert (workbook[DATA]["C3"].value, workbook[DATA]["C4"].value) == ("kanto-steel", FY)

    fill(workbook)
    document = submit(api, tokens["kanto"], aws_client, local_aws, saved(workbook))
    assert document["status"] == "accepted"
    review = document["review"]
    assert (review["reviewer"], review["outcome"], review["problems"]) == ("emissions", "imported", [])
    assert review["summary"] | {"revision": None} == {"fiscal_year": FY, "import_id": document["id"], "values": 6, "sources": 3,
                                                     "replayed": False, "revision": None}

    calculation = api.call("GET", f"/emissions/calculation?fiscal_year={FY}", token=tokens["kanto"])[1]
    # 100 MWh x 0.555 + 120 MWh x 0.555 + 0 + 12.5 x 2.23 + 10 x 2.23 + 1.5005 kL x 2.49
    assert calculation["t_co2_exact"] == "176.011245" and calculation["total_t"] == 176
    by_number = {s["number"]: s for s in calculation["sources"]}
    assert by_number[1]["t_co2_exact"] == "122.1" and by_number[2]["t_co2_exact"] == "50.175"
    june = next(m for m in by_number[1]["months"] if m["month"] == "2025-06")
    assert june["missing"] and june["quantity"] is None  # blank: no data, not 0
    monitoring = api.call("GET", f"/emissions/monitoring?fiscal_year={FY}", token=tokens["kanto"])[1]
    assert monitoring["current_import"] == document["id"] and len(monitoring["values"]) == 6

    # S3 delivers at least once: the same event again changes nothing.
    before = scan_registry(local_aws)
    deliver(aws_client, local_aws, f"uploads/kanto-steel/{document['id']}.xlsx", document["size"])
    assert scan_registry(local_aws) == before


def test_the_administrator_downloads_by_naming_the_organisation_and_others_cannot(api, tokens, world):
    answer, _ = download(api, tokens["admin"], query="?org_id=kanto-steel")
    assert answer["org_id"] == "kanto-steel" and answer["sources"] == 4
    assert api.call("GET", f"/emissions/sheets/{FY}", token=tokens["admin"])[1]["error"]["code"] == "ORG_ID_REQUIRED"
    status, refused = api.call("GET", f"/emissions/sheets/{FY}?org_id=kanto-steel", token=tokens["minato"])
    assert (status, refused["error"]["code"]) == (404, "ORGANISATION_NOT_FOUND")
    status, refused = api.call("GET", f"/emissions/sheets/{FY}", token=tokens["verifier"])
    assert (status, refused["error"]["code"]) == (403, "FORBIDDEN")
    for bad in ("25", "FY2025", "1999"):
        status, refused = api.call("GET", f"/emissions/sheets/{bad}", token=tokens["kanto"])
        assert (status, refused["error"]["code"]) == (400, "INVALID_FISCAL_YEAR")
    # Another organisation's own sheet is its own (no sources yet: an empty table).
    answer, _ = download(api, tokens["minato"])
    assert (answer["org_id"], answer["sources"]) == ("minato-foods", 0)


def test_an_event_for_a_downloaded_sheet_is_not_a_document(local_aws):
    from chalicelib.documents.triggers import document_arrived
    from tests.functional.test_documents import s3_event

    event = s3_event(local_aws["DOCUMENTS_BUCKET"], "sheets/kanto-steel/FY2025/" + "a" * 32 + ".xlsx", None, 100)
    assert document_arrived(event, None)["outcomes"][0]["outcome"] == "ignored"


# --- bad uploads: refused whole, every problem named, nothing stored ------------------------------


def _cell(where, value):
    def change(workbook):
        sheet, cell = where.split("!") if "!" in where else (DATA, where)
        workbook[sheet][cell] = value
    return change


def _delete_sheet(name):
    def change(workbook):
        del workbook[name]
    return change


def _rename(workbook):
    workbook[DATA].title = "Sheet1"


def _insert_row(workbook):
    workbook[DATA].insert_rows(10)


def _merge(workbook):
    workbook[DATA].merge_cells("A40:Z1000")


def _with_part(name, edit):
    def change(data: bytes) -> bytes:
        source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info)
                target.writestr(info.filename, edit(content) if info.filename == name else content)
        return out.getvalue()
    change.on_bytes = True
    return change


def _doctype(content: bytes) -> bytes:
    doctype = b'<!DOCTYPE workbook [<!ENTITY x "y">]>'
    if content.startswith(b"<?xml"):
        end = content.index(b"?>") + 2
        return content[:end] + doctype + content[end:]
    return doctype + content


def _not_a_workbook(data: bytes) -> bytes:
    return b"PK\x03\x04" + b"\x00" * 200


_not_a_workbook.on_bytes = True


def _minatos_sheet(api, tokens):
    return requests.get(api.call("GET", f"/emissions/sheets/{FY}", token=tokens["minato"])[1]["url"], timeout=30).content


NO_PURPOSE = "-"

#: (id, change to the filled workbook or to its bytes, purpose, expected (code, cell) pairs; cell None: any).
BAD = [
    ("no purpose", None, NO_PURPOSE, [("SHEET_PURPOSE_INVALID", "")]),
    ("purpose without FY", None, "performance_sheet:2025", [("SHEET_PURPOSE_INVALID", "")]),
    ("purpose of another kind", None, "monitoring:S-01", [("SHEET_PURPOSE_INVALID", "")]),
    ("announced for another year", None, "performance_sheet:FY2024", [("WRONG_FISCAL_YEAR", "B4"), ("WRONG_FISCAL_YEAR", "C4")]),
    ("negative", _cell("J9", -5), None, [("NEGATIVE_QUANTITY", "J9")]),
    ("full-width minus", _cell("J10", "−5"), None, [("NEGATIVE_QUANTITY", "J10")]),
    ("text", _cell("K9", "abc"), None, [("QUANTITY_NOT_A_NUMBER", "K9")]),
    ("badly grouped", _cell("K9", "1,23"), None, [("QUANTITY_NOT_A_NUMBER", "K9")]),
    ("an error value", _cell("K9", "#DIV/0!"), None, [("QUANTITY_NOT_A_NUMBER", "K9")]),
    ("formula", _cell("M10", "=1+1"), None, [("FORMULA_NOT_ALLOWED", "M10")]),
    ("formula unit", _cell("E11", '="L"'), None, [("FORMULA_NOT_ALLOWED", "E11")]),
    ("too precise", _cell("I11", "0.1234567"), None, [("TOO_PRECISE", "I11")]),
    ("too large", _cell("I11", "1234567890123"), None, [("QUANTITY_TOO_LARGE", "I11")]),
    ("unit of another family", _cell("E9", "L"), None, [("UNIT_NOT_IN_FAMILY", "E9")]),
    ("no unit", _cell("E10", None), None, [("UNIT_MISSING", "E10")]),
    ("two bad cells", lambda wb: (_cell("I9", -1)(wb), _cell("T11", "x")(wb)), None,
     [("NEGATIVE_QUANTITY", "I9"), ("QUANTITY_NOT_A_NUMBER", "T11")]),
    ("metadata sheet deleted", _delete_sheet(META), None, [("MISSING_SHEET", "")]),
    ("data sheet renamed", _rename, None, [("MISSING_SHEET", "")]),
    ("row inserted", _insert_row, None, [("ROW_MOVED", "A10")]),
    ("header changed", _cell("I8", "April"), None, [("LAYOUT_CHANGED", "I8")]),
    ("entry outside the table", _cell("X20", 5), None, [("OUTSIDE_TABLE", "X20")]),
    ("source renamed", _cell("B10", "別の名前"), None, [("SOURCE_NAME_CHANGED", "B10")]),
    ("unknown source number", _cell("A9", 99), None, [("UNKNOWN_SOURCE", "A9")]),
    ("format mark removed", _cell(f"{META}!B1", "something"), None, [("NOT_A_PERFORMANCE_SHEET", "B1")]),
    ("layout version", _cell(f"{META}!B2", 2), None, [("UNSUPPORTED_LAYOUT_VERSION", "B2")]),
    ("organisation edited", _cell(f"{META}!B3", "minato-foods"), None, [("WRONG_ORGANISATION", "B3")]),
    ("whole-grid merge", _merge, None, [("TOO_LARGE", "")]),
    ("a DTD", _with_part("xl/workbook.xml", _doctype), None, [("UNSAFE_XML", "")]),
    ("not a workbook", _not_a_workbook, None, [("NOT_A_WORKBOOK", "")]),
    ("another organisation's sheet", "minato", None, [("WRONG_ORGANISATION", "B3"), ("WRONG_ORGANISATION", "C3")]),
    # Found when the values are imported (the source is retired from October): reported at the cell typed.
    ("after the source's retirement", _cell("P12", 10), None, [("SOURCE_RETIRED", "P12")]),
]


@pytest.fixture(scope="module")
def good_sheet(api, tokens, world):
    workbook = workbook_of(download(api, tokens["kanto"])[1].content)
    fill(workbook)
    workbook[DATA]["E12"] = "L"
    return saved(workbook)


@pytest.mark.parametrize(("change", "purpose", "expected"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_upload_is_refused_whole_with_each_problem_and_nothing_is_stored(api, tokens, world, aws_client, local_aws, good_sheet,
                                                                               change, purpose, expected):
    data = good_sheet
    if change == "minato":
        data = _minatos_sheet(api, tokens)
    elif getattr(change, "on_bytes", False):
        data = change(data)
    elif change is not None:
        workbook = workbook_of(data)
        change(workbook)
        data = saved(workbook)
    before = scan_registry(local_aws)
    document = submit(api, tokens["kanto"], aws_client, local_aws, data,
                      purpose=None if purpose == NO_PURPOSE else purpose or f"performance_sheet:FY{FY}")
    after = scan_registry(local_aws)
    assert document["status"] == "accepted", document
    review = document["review"]
    assert review["outcome"] == "refused", review
    found = {(p["code"], p["cell"]) for p in review["problems"]}
    assert set(expected) <= found, review["problems"]
    assert all(p["message"] and p["message_ja"] for p in review["problems"])
    assert review["summary"]["problems"] == len(review["problems"])
    # Nothing stored but the document itself (announced, accepted, reviewed).
    added = [item for item in after if item not in before]
    assert [item["pk"]["S"] for item in added] == [f"DOC#{document['id']}"]
    assert [item for item in before if item not in after] == []


def test_the_table_of_bad_uploads_is_at_least_25_long():
    assert len(BAD) >= 25


def test_a_failure_while_importing_fails_the_invocation_and_the_redelivery_imports(api, tokens, world, aws_client, local_aws, good_sheet):
    """DynamoDB failing under the subscriber: the invocation raises (Lambda retries, S3
    delivers again), no review is recorded and no import became current; the next
    delivery imports the sheet."""
    import json

    from chalicelib.core.events import SubscriberFailed
    from devtools.dynamo_hooks import registry_clients
    from tests.functional.test_documents import _Failing

    body = {"kind": "performance_sheet", "filename": "実績管理表.xlsx", "content_type": XLSX_TYPE, "size": len(good_sheet),
            "purpose": f"performance_sheet:FY{FY}"}
    answer = api.call("POST", "/documents", body, token=tokens["kanto"])[1]
    document_id, key = answer["document"]["id"], answer["upload"]["fields"]["key"]
    assert upload(answer["upload"], good_sheet).status_code == 204
    failing = _Failing(100, json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                        "message": "injected"}).encode(), "application/x-amz-json-1.0")
    clients = registry_clients()
    for client in clients:
        client.meta.events.register("before-send.dynamodb.BatchWriteItem", failing)
    try:
        with pytest.raises(SubscriberFailed):
            deliver(aws_client, local_aws, key, len(good_sheet))
    finally:
        for client in clients:
            client.meta.events.unregister("before-send.dynamodb.BatchWriteItem", failing)
    seen = api.call("GET", f"/documents/{document_id}", token=tokens["kanto"])[1]
    assert (seen["status"], seen["review"]) == ("accepted", None)
    assert api.call("GET", f"/emissions/monitoring?fiscal_year={FY}", token=tokens["kanto"])[1]["current_import"] != document_id

    deliver(aws_client, local_aws, key, len(good_sheet))  # S3 again
    seen = api.call("GET", f"/documents/{document_id}", token=tokens["kanto"])[1]
    assert seen["review"]["outcome"] == "imported"
    assert api.call("GET", f"/emissions/monitoring?fiscal_year={FY}", token=tokens["kanto"])[1]["current_import"] == document_id
