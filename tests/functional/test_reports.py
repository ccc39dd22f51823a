"""Calculation reports through the API on moto: a draft pins the calculation and its files
(a real .xlsx, a PDF with Japanese text, the monitoring CSV) downloaded by presigned GET;
the lifecycle with recall, the verifier's return, the opinion, the administrator's review
and an approval cancellation that keeps the old version; the verifier's isolation (assigned,
unassigned, another body, a participant of another organisation); working-paper keys
scoped to the report and checked again on arrival."""

from __future__ import annotations

import io

import pytest
import requests

from chalicelib.emissions.domain.reports import ReviewedEmissions
from tests.conftest import admin, scan_registry
from tests.functional.test_documents import PDF, PDF_SIZE, deliver

FY = 2025
REPORT = f"FY{FY}-kanto-steel"
OTHER_BODY_USER = {"username": "verifier2", "password": "Verify-Other-2026!", "role": "verifier", "org_id": "kaede-verif"}


def two_bodies(api, demo):
    """The demo's emissions, a second verification body with its verifier, and Kanto's
    FY2025 assigned to the demo's body; the callers' tokens."""
    from devtools.demo import load_emissions

    load_emissions()
    admin("create_organisation", {"org_id": "kaede-verif", "name": "Kaede Verification", "name_ja": "かえで検証株式会社",
                                  "kind": "verification_body"})
    admin("create_user", {**OTHER_BODY_USER, "email": "verifier2@example.jp"})
    admin("assign_verifier", {"org_id": "kanto-steel", "verifier_org": "sakura-verif", "fiscal_years": [FY]})
    tokens = {name: api.login(demo[name]) for name in ("kanto", "minato", "verifier", "admin")}
    tokens["verifier2"] = api.login(OTHER_BODY_USER)
    return tokens


@pytest.fixture(scope="module")
def world(api, demo, local_aws):
    tokens = two_bodies(api, demo)
    admin("assign_verifier", {"org_id": "minato-foods", "verifier_org": "kaede-verif", "fiscal_years": [FY, FY + 1]})
    return tokens


def call(api, tokens, who, method, path, body=None):
    return api.call(method, path, body, token=tokens[who])


def expect(answer, status, code=None):
    got, body = answer
    assert got == status, body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body


def test_a_draft_pins_the_calculation_and_its_files(api, world):
    report = expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    _, calculation = call(api, world, "kanto", "GET", f"/emissions/calculation?fiscal_year={FY}")
    assert report["id"] == REPORT and report["status"] == "draft" and report["version"] == 1
    assert report["figures"]["total_t"] == calculation["total_t"] > 0
    assert report["figures"]["t_co2_exact"] == calculation["t_co2_exact"]
    assert [s["t_co2_exact"] for s in report["figures"]["sources"]] == [s["t_co2_exact"] for s in calculation["sources"]]
    assert report["versions"][0]["factor_versions"] and report["versions"][0]["files"] == ["monitoring", "pdf", "workbook"]
    cited = [m["evidence_document_id"] for s in report["figures"]["sources"] for m in s["months"] if m["evidence_document_id"]]
    assert len(cited) == 1
    assert [(h["action"], h["to_status"], h["by"]) for h in report["history"]] == [("create", "draft", "kanto")]

    link = expect(call(api, world, "kanto", "GET", f"/emissions/reports/{REPORT}/files/pdf"), 200)
    pdf = requests.get(link["url"], timeout=30).content
    assert pdf.startswith(b"%PDF-") and link["expires_in"] == 300
    workbook = requests.get(expect(call(api, world, "kanto", "GET", f"/emissions/reports/{REPORT}/files/workbook"), 200)["url"],
                            timeout=30).content
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook))
    assert book.sheetnames == ["報告書", "排出源別月別", "排出係数", "除外排出源"]
    assert str(calculation["total_t"]) in [str(c.value) for row in book["報告書"].iter_rows() for c in row]
    csv_text = requests.get(expect(call(api, world, "kanto", "GET", f"/emissions/reports/{REPORT}/files/monitoring"), 200)["url"],
                            timeout=30).content.decode("utf-8-sig")
    assert csv_text.startswith("source_number,source_id") and cited[0] in csv_text
    expect(call(api, world, "kanto", "GET", f"/emissions/reports/{REPORT}/files/secret"), 404, "REPORT_FILE_NOT_FOUND")


def test_a_new_draft_supersedes_the_old_one_which_is_kept(api, world):
    report = expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    assert report["version"] == 2
    assert [(v["version"], v["status"]) for v in report["versions"]] == [(1, "superseded"), (2, "draft")]
    assert report["history"][-1]["details"]["superseded"] == 1


@pytest.mark.parametrize(("who", "path"), [
    ("verifier", f"/emissions/reports/{REPORT}"),           # assigned, but a draft is not the verifier's yet
    ("verifier2", f"/emissions/reports/{REPORT}"),          # another body
    ("minato", f"/emissions/reports/{REPORT}"),             # a participant of another organisation
    ("verifier", f"/emissions/reports/{REPORT}/files/pdf"),
    ("verifier", f"/emissions/reports/FY{FY}-minato-foods"),  # unassigned
    ("kanto", "/emissions/reports/FY2025-nobody"),
    ("kanto", "/emissions/reports/not-a-report"),
])
def test_what_a_caller_may_not_see_is_missing(api, world, who, path):
    expect(call(api, world, who, "GET", path), 404, "REPORT_NOT_FOUND")


def test_the_lifecycle_with_recall_return_opinion_review_and_cancellation(api, world, local_aws):
    from chalicelib import container

    base = f"/emissions/reports/{REPORT}"
    assert expect(call(api, world, "verifier", "GET", "/emissions/reports"), 200)["reports"] == []
    expect(call(api, world, "verifier", "POST", f"{base}/verification/begin", {}), 404, "REPORT_NOT_FOUND")
    submitted = expect(call(api, world, "kanto", "POST", f"{base}/submit", {"version": 2}), 200)
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    # The verifier now sees it; another body and another participant still do not.
    assert [r["id"] for r in expect(call(api, world, "verifier", "GET", "/emissions/reports"), 200)["reports"]] == [REPORT]
    assert expect(call(api, world, "verifier2", "GET", "/emissions/reports"), 200)["reports"] == []
    expect(call(api, world, "verifier2", "POST", f"{base}/verification/begin", {}), 404, "REPORT_NOT_FOUND")
    expect(call(api, world, "minato", "POST", f"{base}/recall", {}), 404, "REPORT_NOT_FOUND")
    # Verifiers may not act as participants, nor participants as verifiers.
    expect(call(api, world, "verifier", "POST", f"{base}/submit", {}), 403, "FORBIDDEN")
    expect(call(api, world, "kanto", "POST", f"{base}/verification/begin", {}), 403, "FORBIDDEN")
    expect(call(api, world, "kanto", "POST", f"{base}/submit", {}), 409, "INVALID_REPORT_TRANSITION")

    expect(call(api, world, "verifier", "POST", f"{base}/verification/begin", {}), 200)
    evidence = expect(call(api, world, "verifier", "GET", f"{base}/evidence"), 200)
    assert len(evidence["documents"]) == 1 and evidence["documents"][0]["download"]["url"]
    assert requests.get(evidence["documents"][0]["download"]["url"], timeout=30).content.startswith(b"%PDF")
    assert expect(call(api, world, "verifier", "GET", f"{base}/files/monitoring"), 200)["version"] == 2

    recalled = expect(call(api, world, "kanto", "POST", f"{base}/recall", {"reason": "係数を見直します"}), 200)
    assert recalled["status"] == "recalled"
    expect(call(api, world, "verifier", "POST", f"{base}/verification/opinion", {"opinion": "verified", "verified_t_co2": 1}), 409,
           "INVALID_REPORT_TRANSITION")

    expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    expect(call(api, world, "kanto", "POST", f"{base}/submit", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{base}/verification/begin", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{base}/verification/return", {"reason": ""}), 400, "VALIDATION_ERROR")
    returned = expect(call(api, world, "verifier", "POST", f"{base}/verification/return", {"reason": "4月の請求書が不足"}), 200)
    assert returned["status"] == "returned" and returned["history"][-1]["reason"] == "4月の請求書が不足"

    v4 = expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    assert v4["version"] == 4
    # The verifier does not see the participant's new draft: it still sees version 3, returned.
    seen = expect(call(api, world, "verifier", "GET", base), 200)
    assert seen["version"] == 3 and seen["status"] == "returned" and [v["version"] for v in seen["versions"]] == [2, 3]
    expect(call(api, world, "kanto", "POST", f"{base}/submit", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{base}/verification/begin", {}), 200)
    total = v4["figures"]["total_t"]
    before = scan_registry(local_aws)
    bad = expect(call(api, world, "verifier", "POST", f"{base}/verification/opinion",
                      {"opinion": "verified", "verified_t_co2": total,
                       "misstatements": [{"reference": "S-01 2025-04", "explanation": "誤記", "material": True}]}), 422, "INVALID_OPINION")
    assert bad["error"]["details"][0]["code"] == "MATERIAL_MISSTATEMENT_REQUIRES_NOT_VERIFIED"
    assert scan_registry(local_aws) == before
    verified = expect(call(api, world, "verifier", "POST", f"{base}/verification/opinion",
                           {"opinion": "verified_with_comments", "verified_t_co2": total,
                            "misstatements": [{"reference": "S-02 2025-07", "explanation": "軽微な転記誤り", "material": False}],
                            "improvements": ["請求書の保管方法を統一すること"]}), 200)
    assert verified["status"] == "verified" and verified["versions"][-1]["verification"]["verifier_org"] == "sakura-verif"

    # Locked: the participant can change nothing; no reviewed figure yet.
    for path, body in ((f"{base}/submit", {}), (f"{base}/recall", {})):
        expect(call(api, world, "kanto", "POST", path, body), 409, "REPORT_LOCKED")
    expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 409, "REPORT_LOCKED")
    service = container.emissions_service()
    assert service.reviewed_emissions("kanto-steel", FY) is None

    accepted = admin("review_report", {"report_id": REPORT, "decision": "accept"})["report"]
    assert accepted["status"] == "accepted" and accepted["reviewed"] == {"t_co2": total, "basis": "accepted", "version": 4}
    assert service.reviewed_emissions("kanto-steel", FY) == ReviewedEmissions("kanto-steel", FY, total, "accepted", REPORT, 4)
    assert [s.status for s in service.report_states(FY)] == ["accepted"]

    requested = expect(call(api, world, "kanto", "POST", f"{base}/cancellation-requests", {"reason": "算定範囲の誤り"}), 201)
    assert requested["cancellation_pending"] is True
    expect(call(api, world, "kanto", "POST", f"{base}/cancellation-requests", {"reason": "再申請"}), 409,
           "CANCELLATION_ALREADY_REQUESTED")
    granted = admin("decide_cancellation", {"report_id": REPORT, "decision": "grant", "reason": "申請のとおり"})["report"]
    assert (granted["version"], granted["status"], granted["reviewed"]) == (5, "draft", None)
    assert [(v["version"], v["status"]) for v in granted["versions"]] == [
        (1, "superseded"), (2, "recalled"), (3, "returned"), (4, "cancelled"), (5, "draft")]
    old = granted["versions"][3]
    assert old["verification"]["verified_t_co2"] == total and old["review"]["decision"] == "accepted"
    assert old["cancellation"]["state"] == "granted"
    assert service.reviewed_emissions("kanto-steel", FY) is None
    actions = [h["action"] for h in granted["history"]]
    assert actions == ["create", "create", "submit", "begin_verification", "recall", "create", "submit", "begin_verification", "return",
                       "create", "submit", "begin_verification", "record_opinion", "accept", "request_cancellation",
                       "grant_cancellation"]
    assert [h["sequence"] for h in granted["history"]] == list(range(len(actions)))


def test_review_refusals_and_determination(api, world):
    from chalicelib.admin import FUNCTIONS

    base = f"/emissions/reports/{REPORT}"
    refused = FUNCTIONS["review_report"]({"report_id": REPORT, "decision": "accept"}, None)
    assert refused["error"]["code"] == "INVALID_REPORT_TRANSITION"
    expect(call(api, world, "kanto", "POST", f"{base}/submit", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{base}/verification/begin", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{base}/verification/opinion",
                {"opinion": "not_verified", "reasons": ["証憑が確認できない月がある"]}), 200)
    assert FUNCTIONS["review_report"]({"report_id": REPORT, "decision": "accept"}, None)["error"]["code"] == "OPINION_NOT_VERIFIED"
    assert FUNCTIONS["review_report"]({"report_id": REPORT, "decision": "determine", "t_co2": 5000}, None)["error"]["code"] \
        == "REASON_REQUIRED"
    determined = admin("review_report", {"report_id": REPORT, "decision": "determine", "t_co2": 5000,
                                         "reason": "保守的に算定した値で決定"})["report"]
    assert determined["reviewed"] == {"t_co2": 5000, "basis": "determined", "version": 5}
    refusal = FUNCTIONS["decide_cancellation"]({"report_id": REPORT, "decision": "refuse", "reason": "x"}, None)
    assert refusal["error"]["code"] == "NO_CANCELLATION_REQUESTED"
    expect(call(api, world, "kanto", "POST", f"{base}/cancellation-requests", {"reason": "決定値に異議"}), 201)
    kept = admin("decide_cancellation", {"report_id": REPORT, "decision": "refuse", "reason": "根拠なし"})["report"]
    assert (kept["status"], kept["cancellation_pending"], kept["reviewed"]["t_co2"]) == ("determined", False, 5000)


def test_working_papers_are_scoped_to_the_report_and_checked_on_arrival(api, world, aws_client, local_aws):
    base = f"/emissions/reports/{REPORT}"
    body = {"filename": "検証調書.pdf", "content_type": "application/pdf", "size": PDF_SIZE}
    answer = expect(call(api, world, "verifier", "POST", f"{base}/working-papers", body), 201)
    key = answer["upload"]["fields"]["key"]
    assert key.startswith(f"uploads/sakura-verif/reports/{REPORT}/") and answer["document"]["kind"] == "working_paper"
    expect(call(api, world, "verifier2", "POST", f"{base}/working-papers", body), 404, "REPORT_NOT_FOUND")
    expect(call(api, world, "kanto", "POST", f"{base}/working-papers", body), 403, "FORBIDDEN")
    expect(call(api, world, "kanto", "POST", "/documents", {"kind": "working_paper", "filename": "a.pdf",
                                                           "content_type": "application/pdf", "size": PDF_SIZE}), 400)
    # The same document id under another report's prefix is not the document: deleted on arrival.
    document_id = answer["document"]["id"]
    stray = f"uploads/sakura-verif/reports/FY{FY}-minato-foods/{document_id}.pdf"
    bucket = local_aws["DOCUMENTS_BUCKET"]
    aws_client("s3").put_object(Bucket=bucket, Key=stray, Body=PDF, ContentType="application/pdf")
    assert deliver(aws_client, local_aws, stray, PDF_SIZE)[0]["outcome"] == "deleted"
    form = answer["upload"]
    assert requests.post(form["url"], data=form["fields"], files={"file": ("wp.pdf", PDF)}, timeout=30).status_code in (200, 204)
    assert deliver(aws_client, local_aws, key, PDF_SIZE)[0]["outcome"] == "accepted"
    assert expect(call(api, world, "verifier", "GET", f"/documents/{document_id}"), 200)["status"] == "accepted"


ISOLATED_ROUTES = [("GET", ""), ("GET", "/files/pdf"), ("GET", "/files/workbook"), ("GET", "/evidence"),
                   ("POST", "/verification/begin"), ("POST", "/verification/return"), ("POST", "/verification/opinion"),
                   ("POST", "/working-papers")]
PARTICIPANT_ROUTES = [("GET", ""), ("GET", "/files/monitoring"), ("GET", "/evidence"), ("POST", "/submit"), ("POST", "/recall"),
                      ("POST", "/cancellation-requests")]
BODIES = {"/verification/return": {"reason": "x"}, "/verification/opinion": {"opinion": "verified", "verified_t_co2": 1},
          "/working-papers": {"filename": "a.pdf", "content_type": "application/pdf", "size": 10}, "/cancellation-requests": {"reason": "x"}}


@pytest.fixture(scope="module")
def minato_report(api, world):
    expect(call(api, world, "minato", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    expect(call(api, world, "minato", "POST", f"/emissions/reports/FY{FY}-minato-foods/submit", {}), 200)
    # Its body (kaede-verif) sees it: the positive control of the rows below.
    assert expect(call(api, world, "verifier2", "GET", f"/emissions/reports/FY{FY}-minato-foods"), 200)["status"] == "submitted"
    return f"FY{FY}-minato-foods"


@pytest.mark.parametrize(("method", "suffix"), ISOLATED_ROUTES)
@pytest.mark.parametrize(("who", "target"), [("verifier", "minato"),     # a verifier not assigned to that organisation
                                             ("verifier2", "kanto"),     # another body's verifier
                                             ("verifier", "nobody")])    # a report that does not exist
def test_a_verifier_sees_nothing_not_assigned_to_it(api, world, minato_report, method, suffix, who, target):
    report = {"minato": minato_report, "kanto": REPORT, "nobody": f"FY{FY}-nobody"}[target]
    expect(call(api, world, who, method, f"/emissions/reports/{report}{suffix}", BODIES.get(suffix, {}) if method == "POST" else None),
           404, "REPORT_NOT_FOUND")


@pytest.mark.parametrize(("method", "suffix"), PARTICIPANT_ROUTES)
def test_a_participant_of_another_organisation_sees_nothing(api, world, minato_report, method, suffix):
    body = BODIES.get(suffix, {}) if method == "POST" else None
    expect(call(api, world, "minato", method, f"/emissions/reports/{REPORT}{suffix}", body), 404, "REPORT_NOT_FOUND")
    expect(call(api, world, "kanto", method, f"/emissions/reports/{minato_report}{suffix}", body), 404, "REPORT_NOT_FOUND")


def test_the_lists_show_each_caller_only_its_own(api, world, minato_report):
    assert [r["id"] for r in expect(call(api, world, "verifier2", "GET", "/emissions/reports"), 200)["reports"]] == [minato_report]
    assert [r["id"] for r in expect(call(api, world, "verifier", "GET", "/emissions/reports"), 200)["reports"]] == [REPORT]
    assert [r["id"] for r in expect(call(api, world, "minato", "GET", "/emissions/reports"), 200)["reports"]] == [minato_report]
    everyone = expect(call(api, world, "admin", "GET", f"/emissions/reports?fiscal_year={FY}"), 200)["reports"]
    assert [r["id"] for r in everyone] == [REPORT, minato_report]
    expect(call(api, world, "admin", "GET", "/emissions/reports"), 400, "ORG_ID_REQUIRED")
