"""A report's working papers through the API on moto: the assigned verifier uploads one with
the presigned POST, the arrival check accepts it and the emissions system records it
(``DocumentAccepted``); the verifier and an administrator list it (newest first) and download
it through ``GET /documents/{id}``; the participant whose report it is, another body's
verifier and another participant get the 404 of a missing report; a redelivered S3 event
adds no row; an upload refused on arrival (wrong content) is never listed."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import scan_registry
from tests.functional.test_documents import PDF, PDF_SIZE, XLSX, XLSX_TYPE, deliver
from tests.functional.test_reports import call, expect, two_bodies

FY = 2025
REPORT = f"FY{FY}-kanto-steel"
BASE = f"/emissions/reports/{REPORT}/working-papers"


@pytest.fixture(scope="module")
def world(api, demo, local_aws):
    tokens = two_bodies(api, demo)
    expect(call(api, tokens, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    expect(call(api, tokens, "kanto", "POST", f"/emissions/reports/{REPORT}/submit", {}), 200)
    expect(call(api, tokens, "verifier", "POST", f"/emissions/reports/{REPORT}/verification/begin", {}), 200)
    return tokens


def upload(api, world, aws_client, local_aws, filename: str, content: bytes, content_type: str = "application/pdf") -> tuple[str, dict]:
    """Announce, POST the file to the bucket, run the arrival check: (document id, its outcome)."""
    body = {"filename": filename, "content_type": content_type, "size": len(content)}
    answer = expect(call(api, world, "verifier", "POST", BASE, body), 201)
    form = answer["upload"]
    sent = requests.post(form["url"], data=form["fields"], files={"file": (filename, content)}, timeout=30)
    assert sent.status_code in (200, 204), sent.text
    return answer["document"]["id"], deliver(aws_client, local_aws, form["fields"]["key"], len(content))[0]


def papers(api, world, who: str) -> list[dict]:
    listed = expect(call(api, world, who, "GET", BASE), 200)
    assert listed["report_id"] == REPORT
    return listed["working_papers"]


def test_none_yet(api, world):
    assert papers(api, world, "verifier") == [] and papers(api, world, "admin") == []


def test_an_accepted_working_paper_is_listed_for_the_verifier_and_administrators(api, world, aws_client, local_aws):
    document_id, outcome = upload(api, world, aws_client, local_aws, "検証調書_2025.pdf", PDF)
    assert outcome["outcome"] == "accepted"
    document = expect(call(api, world, "verifier", "GET", f"/documents/{document_id}"), 200)
    listed = papers(api, world, "verifier")
    assert listed == [{"document_id": document_id, "filename": "検証調書_2025.pdf", "content_type": "application/pdf",
                       "size": PDF_SIZE, "uploaded_by": "verifier", "accepted_at": document["received_at"],
                       "verifier_org": "sakura-verif"}]
    assert papers(api, world, "admin") == listed
    # Downloaded through the documents system: the verifier's body owns the document, administrators see every one.
    for who in ("verifier", "admin"):
        link = expect(call(api, world, who, "GET", f"/documents/{document_id}"), 200)["download"]
        assert requests.get(link["url"], timeout=30).content == PDF

    second, outcome = upload(api, world, aws_client, local_aws, "サンプリング記録.xlsx", XLSX, XLSX_TYPE)
    assert outcome["outcome"] == "accepted"
    newest_first = [paper["document_id"] for paper in papers(api, world, "verifier")]
    assert newest_first == [second, document_id]
    assert [paper["document_id"] for paper in papers(api, world, "admin")] == newest_first


@pytest.mark.parametrize(("who", "report"), [
    ("kanto", REPORT),                 # the participant whose report it is: working papers are the verifier's
    ("minato", REPORT),                # a participant of another organisation
    ("verifier2", REPORT),             # another body's verifier
    ("verifier", f"FY{FY}-minato-foods"),  # a report not assigned to the verifier's body
    ("verifier", f"FY{FY}-nobody"),
    ("admin", f"FY{FY}-nobody"),
    ("admin", "not-a-report"),
])
def test_anyone_else_sees_the_404_of_a_missing_report(api, world, who, report):
    expect(call(api, world, who, "GET", f"/emissions/reports/{report}/working-papers"), 404, "REPORT_NOT_FOUND")


def test_the_participant_cannot_open_the_working_paper_either(api, world):
    document_id = papers(api, world, "admin")[0]["document_id"]
    for who in ("kanto", "minato", "verifier2"):
        expect(call(api, world, who, "GET", f"/documents/{document_id}"), 404, "DOCUMENT_NOT_FOUND")


def test_a_redelivered_event_adds_no_row(api, world, aws_client, local_aws):
    listed = papers(api, world, "verifier")
    oldest = listed[-1]
    before = scan_registry(local_aws)
    key = f"uploads/sakura-verif/reports/{REPORT}/{oldest['document_id']}.pdf"
    for _ in range(2):
        assert deliver(aws_client, local_aws, key, PDF_SIZE)[0]["outcome"] == "accepted"
    assert papers(api, world, "verifier") == listed
    assert scan_registry(local_aws) == before


def test_an_upload_refused_on_arrival_is_never_listed(api, world, aws_client, local_aws):
    listed = papers(api, world, "admin")
    impostor = b"MZ" + b"\x90" * (PDF_SIZE - 2)  # an executable named .pdf
    document_id, outcome = upload(api, world, aws_client, local_aws, "調書.pdf", impostor)
    assert (outcome["outcome"], outcome["reasons"]) == ("rejected", ["signature_mismatch"])
    assert expect(call(api, world, "verifier", "GET", f"/documents/{document_id}"), 200)["status"] == "rejected"
    assert papers(api, world, "admin") == listed
    assert document_id not in [paper["document_id"] for paper in papers(api, world, "verifier")]
