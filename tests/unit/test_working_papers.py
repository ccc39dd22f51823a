"""A report's working papers through the use cases on the in-memory ports: an accepted
working paper is recorded against the report its purpose names, once (a redelivered event
writes nothing); a purpose naming no report, or a document the documents system does not
hold as that body's accepted working paper, is recorded nowhere; the list is the assigned
verifier's own body's papers and every paper for an administrator, newest first, and the
404 of a missing report for everyone else, the participant whose report it is included."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.core.errors import JvetsError
from chalicelib.core.principal import Role
from chalicelib.documents.domain.documents import Document, DocumentKind, DocumentStatus
from chalicelib.emissions.domain.reports import report_of_working_paper, working_paper_purpose
from chalicelib.emissions.reporting import AcceptedWorkingPaper, Caller, Reports
from chalicelib.emissions.service import Emissions
from tests.unit.fakes.documents import FakeDocumentStore
from tests.unit.fakes.emissions import FakeEmissionsStore
from tests.unit.fakes.reports import FakeReportStore, seeded

ORG, FY, BODY, OTHER_BODY = "kanto-steel", 2025, "sakura-verif", "kaede-verif"
NOW = "2026-06-01T09:00:00+09:00"
VERIFIER = Caller("verifier", Role.VERIFIER, BODY)
ADMIN = Caller.admin("secretariat")


def world(status: str = "under_verification") -> tuple[Reports, FakeReportStore, FakeDocumentStore, str]:
    store, documents = FakeReportStore(), FakeDocumentStore()
    report_id = seeded(store, ORG, FY, status, verifier=BODY)
    return Reports(store, Emissions(FakeEmissionsStore()), documents=documents, now=lambda: NOW), store, documents, report_id


def accepted(documents: FakeDocumentStore, number: int, report_id: str, *, org: str = BODY, received_at: str | None = None,
             status: DocumentStatus = DocumentStatus.ACCEPTED, kind: DocumentKind = DocumentKind.WORKING_PAPER) -> AcceptedWorkingPaper:
    document_id = f"{number:032x}"
    purpose = working_paper_purpose(report_id)
    documents.items[document_id] = Document(
        document_id, org, kind, f"調書{number}.pdf", "application/pdf", 1000 + number, status, "2026-06-01T08:00:00+09:00", "verifier",
        received_at=received_at or f"2026-06-01T08:{number:02d}:00+09:00", purpose=purpose)
    return AcceptedWorkingPaper(document_id, org, purpose)


def test_the_purpose_names_the_report_or_nothing():
    assert report_of_working_paper(working_paper_purpose("FY2025-kanto-steel")) == "FY2025-kanto-steel"
    for purpose in (None, "", "working_paper", "working_paper:", "working_paper:not-a-report", "evidence:FY2025-kanto-steel",
                    "performance_sheet:FY2025"):
        assert report_of_working_paper(purpose) is None


def test_an_accepted_working_paper_is_recorded_once_and_listed_newest_first():
    reports, store, documents, report_id = world()
    first, second = accepted(documents, 1, report_id), accepted(documents, 2, report_id)
    assert reports.record_working_paper(first) == "recorded"
    assert reports.record_working_paper(second) == "recorded"
    before = store.snapshot()
    # The same event again (S3 redelivers it): nothing new is written.
    assert reports.record_working_paper(first) == "already_recorded"
    assert store.snapshot() == before
    listed = reports.working_papers(VERIFIER, report_id)
    assert listed["report_id"] == report_id
    assert [p["document_id"] for p in listed["working_papers"]] == [second.document_id, first.document_id]
    assert listed["working_papers"][1] == {"document_id": first.document_id, "filename": "調書1.pdf", "content_type": "application/pdf",
                                           "size": 1001, "uploaded_by": "verifier", "accepted_at": "2026-06-01T08:01:00+09:00",
                                           "verifier_org": BODY}
    assert reports.working_papers(ADMIN, report_id) == listed


@pytest.mark.parametrize("case", ["no report", "not a report", "rejected", "unknown document", "another body's", "another purpose",
                                  "another kind"])
def test_what_is_not_an_accepted_working_paper_of_an_existing_report_is_recorded_nowhere(case):
    reports, store, documents, report_id = world()
    paper = accepted(documents, 3, report_id)
    document = documents.items[paper.document_id]
    if case == "no report":
        paper = accepted(documents, 4, "FY2025-nobody")
    elif case == "not a report":
        paper = replace(paper, purpose="working_paper:x")
    elif case == "rejected":
        documents.items[paper.document_id] = replace(document, status=DocumentStatus.REJECTED)
    elif case == "unknown document":
        paper = replace(paper, document_id="f" * 32)
    elif case == "another body's":
        paper = replace(paper, verifier_org=OTHER_BODY)
    elif case == "another purpose":
        documents.items[paper.document_id] = replace(document, purpose=working_paper_purpose("FY2025-minato-foods"))
    elif case == "another kind":
        documents.items[paper.document_id] = replace(document, kind=DocumentKind.EVIDENCE)
    expected = "no_report" if case in ("no report", "not a report") else "not_accepted"
    assert reports.record_working_paper(paper) == expected
    assert store.memory.working_papers == {}


def test_a_paper_recorded_meanwhile_by_another_delivery_is_not_written_twice():
    reports, store, documents, report_id = world()
    paper = accepted(documents, 5, report_id)

    def other_delivery() -> None:
        assert Reports(store, None, documents=documents, now=lambda: NOW).record_working_paper(paper) == "recorded"

    store.meanwhile(other_delivery)
    assert reports.record_working_paper(paper) == "already_recorded"
    assert len(store.memory.working_papers) == 1


def test_only_the_assigned_verifier_and_administrators_see_them():
    reports, store, documents, report_id = world()
    assert reports.record_working_paper(accepted(documents, 6, report_id)) == "recorded"
    for caller, target in [(Caller("kanto", Role.PARTICIPANT, ORG), report_id),       # the participant whose report it is
                           (Caller("minato", Role.PARTICIPANT, "minato-foods"), report_id),
                           (Caller("verifier2", Role.VERIFIER, OTHER_BODY), report_id),  # a body not assigned
                           (VERIFIER, "FY2025-nobody"), (ADMIN, "FY2025-nobody"), (ADMIN, "not-a-report")]:
        with pytest.raises(JvetsError) as refused:
            reports.working_papers(caller, target)
        assert refused.value.code == "REPORT_NOT_FOUND" and refused.value.status == 404


def test_a_newly_assigned_body_sees_only_its_own_papers_and_administrators_every_one():
    reports, store, documents, report_id = world()
    assert reports.record_working_paper(accepted(documents, 7, report_id)) == "recorded"
    store.memory.assignments[(ORG, FY)] = OTHER_BODY
    assert reports.record_working_paper(accepted(documents, 8, report_id, org=OTHER_BODY)) == "recorded"
    mine = reports.working_papers(Caller("verifier2", Role.VERIFIER, OTHER_BODY), report_id)["working_papers"]
    assert [p["verifier_org"] for p in mine] == [OTHER_BODY]
    assert [p["verifier_org"] for p in reports.working_papers(ADMIN, report_id)["working_papers"]] == [OTHER_BODY, BODY]
    with pytest.raises(JvetsError):
        reports.working_papers(VERIFIER, report_id)  # no longer assigned


def test_a_report_not_yet_submitted_is_not_the_verifier_s():
    reports, store, documents, report_id = world("draft")
    with pytest.raises(JvetsError) as refused:
        reports.working_papers(VERIFIER, report_id)
    assert refused.value.code == "REPORT_NOT_FOUND"
    assert reports.working_papers(ADMIN, report_id) == {"report_id": report_id, "working_papers": []}
