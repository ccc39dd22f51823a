"""The documents use cases on in-memory ports: announcing an upload, seeing a document,
and what arrives, with exactly the accepted documents published as ``DocumentAccepted``
(again when S3 delivers the same event again)."""

from __future__ import annotations

from urllib.parse import quote_plus

import pytest

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.principal import Principal, Role
from chalicelib.documents import service
from chalicelib.documents.domain.documents import WAIT_SECONDS, DocumentStatus
from chalicelib.documents.domain.errors import DocumentNotFound, FileNameNotAllowed, FileTooLarge, FileTypeNotAllowed, PurposeNotAllowed
from chalicelib.documents.domain.events import DocumentAccepted
from chalicelib.documents.service import Announcement
from tests.unit.fakes import FakeDocumentStore, FakeObjectStore, RecordingPublish

PDF = b"%PDF-1.7\n" + b"0" * 1000 + b"\n%%EOF\n"
XLSX = b"PK\x03\x04" + b"\x00" * 600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KANTO = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
MINATO = Principal("minato", Role.PARTICIPANT, "minato-foods")
ADMIN = Principal("admin", Role.ADMIN, "jvets", mfa=True)
VERIFIER = Principal("verifier", Role.VERIFIER, "tokai-verification")


class Documents:
    """The documents system on fakes, with short verbs."""

    def __init__(self) -> None:
        self.store = FakeDocumentStore()
        self.objects = FakeObjectStore()
        self.published = RecordingPublish()

    def announce(self, principal: Principal = KANTO, *, kind: str = "evidence", filename: str = "電力請求書_2026-04.pdf",
                 content_type: str = "application/pdf", size: int = len(PDF), purpose: str | None = None) -> dict:
        return service.announce(principal, Announcement(kind, filename, content_type, size, purpose), documents=self.store,
                                objects=self.objects, clock=lambda: 1_775_000_000.0)

    def upload(self, announced: dict, body: bytes = PDF, content_type: str | None = None) -> tuple[str, str]:
        """The file sent with the announced form: its key and version."""
        key = announced["upload"]["fields"]["key"]
        return key, self.objects.put(key, body, content_type or announced["upload"]["fields"]["Content-Type"])

    def arrived(self, *objects: tuple[str, str | None], event: str = "ObjectCreated:Post") -> list[dict]:
        """S3's event for these (key, version) pairs, delivered to the arrival check."""
        records = [{"eventName": event, "s3": {"object": {"key": quote_plus(key), **({"versionId": version} if version else {})}}}
                   for key, version in objects]
        return service.arrived(records, documents=self.store, objects=self.objects, publish=self.published)

    def view(self, principal: Principal, document_id: str) -> dict:
        return service.view(principal, document_id, documents=self.store, objects=self.objects)


@pytest.fixture
def docs() -> Documents:
    return Documents()


def test_an_announced_document_waits_for_one_file_at_a_key_the_server_chose(docs):
    answer = docs.announce(purpose="monitoring:SRC-1:2026-04")
    document, upload = answer["document"], answer["upload"]
    assert (document["status"], document["org_id"], document["created_by"], document["purpose"]) == (
        "awaiting_upload", "kanto-steel", "kanto", "monitoring:SRC-1:2026-04")
    assert upload["fields"]["key"] == f"uploads/kanto-steel/{document['id']}.pdf"
    assert upload["expires_in"] == 900
    assert (docs.objects.forms[0]["size"], docs.objects.forms[0]["fields"]["Content-Type"]) == (len(PDF), "application/pdf")
    assert docs.store.get(document["id"]).expires_at == 1_775_000_000 + WAIT_SECONDS


@pytest.mark.parametrize(("change", "error"), [
    ({"content_type": "application/zip"}, FileTypeNotAllowed),
    ({"kind": "performance_sheet"}, FileTypeNotAllowed),
    ({"size": 20 * 1024 * 1024 + 1}, FileTooLarge),
    ({"filename": "../../etc/passwd.pdf"}, FileNameNotAllowed),
    ({"purpose": "Monitoring at the plant"}, PurposeNotAllowed),
])
def test_an_announcement_that_breaks_a_rule_stores_nothing(docs, change, error):
    with pytest.raises(error):
        docs.announce(**change)
    assert (docs.store.items, docs.objects.forms) == ({}, [])


def test_a_document_is_seen_by_its_organisation_and_the_administrators_only(docs):
    document = docs.announce()["document"]
    assert docs.view(KANTO, document["id"])["download"] is None  # nothing to download yet
    assert docs.view(ADMIN, document["id"])["status"] == "awaiting_upload"
    for other in (MINATO, VERIFIER):
        with pytest.raises(DocumentNotFound):
            docs.view(other, document["id"])
    with pytest.raises(DocumentNotFound) as refused:
        docs.view(KANTO, "0" * 32)
    assert refused.value.status == 404


def test_the_announced_file_is_accepted_published_once_and_downloadable(docs):
    answer = docs.announce(purpose="monitoring:SRC-1:2026-04")
    key, version = docs.upload(answer)
    (outcome,) = docs.arrived((key, version))
    document_id = answer["document"]["id"]
    assert outcome == {"key": key, "version_id": version, "outcome": "accepted", "document_id": document_id}
    assert docs.published.events == [DocumentAccepted(
        document_id=document_id, org_id="kanto-steel", kind="evidence", key=key, version_id=version,
        content_type="application/pdf", filename="電力請求書_2026-04.pdf", purpose="monitoring:SRC-1:2026-04",
        uploaded_by="kanto")]
    seen = docs.view(KANTO, document_id)
    assert (seen["status"], seen["reasons"]) == ("accepted", []) and seen["received_at"]
    assert f"versionId={version}" in seen["download"]["url"]
    assert docs.store.get(document_id).expires_at is None  # an accepted document is kept


def test_a_redelivered_event_publishes_again_and_changes_nothing(docs):
    answer = docs.announce()
    key, version = docs.upload(answer)
    docs.arrived((key, version))
    (again,) = docs.arrived((key, version))
    assert again["outcome"] == "accepted"
    assert len(docs.published.events) == 2 and docs.published.events[0] == docs.published.events[1]
    assert docs.objects.versions(key) == [version]


@pytest.mark.parametrize(("body", "content_type", "reasons"), [
    (b"MZ" + b"\x90" * (len(PDF) - 2), None, ["signature_mismatch"]),
    (PDF[:-10], None, ["size_mismatch"]),
    (PDF, "text/html", ["content_type_mismatch"]),
    (b"", None, ["empty", "size_mismatch", "signature_mismatch"]),
])
def test_a_file_that_is_not_what_was_announced_is_deleted_and_not_published(docs, body, content_type, reasons):
    answer = docs.announce()
    key, version = docs.upload(answer, body, content_type)
    (outcome,) = docs.arrived((key, version))
    assert (outcome["outcome"], outcome["reasons"]) == ("rejected", reasons)
    assert docs.objects.versions(key) == [] and docs.published.events == []
    seen = docs.view(KANTO, answer["document"]["id"])
    assert (seen["status"], [r["code"] for r in seen["reasons"]], seen["download"]) == ("rejected", reasons, None)


def test_a_second_object_at_an_accepted_documents_key_is_deleted_and_the_first_stays(docs):
    answer = docs.announce()
    key, first = docs.upload(answer)
    docs.arrived((key, first))
    _, second = docs.upload(answer, b"%PDF-1.7\n" + b"1" * (len(PDF) - 9))  # the form replayed
    (outcome,) = docs.arrived((key, second))
    assert (outcome["outcome"], outcome["reasons"]) == ("deleted", ["not_awaiting"])
    assert docs.objects.versions(key) == [first]
    assert len(docs.published.events) == 1 and docs.store.get(answer["document"]["id"]).version_id == first


def test_objects_no_document_waits_for_are_deleted_and_others_ignored(docs):
    answer = docs.announce()
    theirs = f"uploads/minato-foods/{answer['document']['id']}.pdf"  # Kanto's id in Minato's folder
    strays = ["uploads/kanto-steel/" + "0" * 32 + ".pdf", "uploads/kanto-steel/evil.pdf", "uploads/x/../y.pdf", theirs]
    versions = [docs.objects.put(key, PDF, "application/pdf") for key in strays]
    outcomes = docs.arrived(*zip(strays, versions, strict=True))
    assert [(o["outcome"], o["reasons"]) for o in outcomes] == [("deleted", ["unexpected"])] * 4
    assert all(docs.objects.versions(key) == [] for key in strays)
    assert docs.store.get(answer["document"]["id"]).status is DocumentStatus.AWAITING_UPLOAD
    assert docs.arrived(("portal/index.html", None))[0]["outcome"] == "ignored"
    assert docs.arrived((answer["upload"]["fields"]["key"], None), event="ObjectRemoved:Delete")[0]["outcome"] == "ignored"
    assert docs.published.events == []


def test_an_object_already_gone_is_gone(docs):
    answer = docs.announce()
    key = answer["upload"]["fields"]["key"]
    (outcome,) = docs.arrived((key, "v404"))
    assert outcome["outcome"] == "gone" and docs.published.events == []
    assert docs.store.get(answer["document"]["id"]).status is DocumentStatus.AWAITING_UPLOAD


def test_exactly_the_accepted_documents_of_a_batch_are_published_after_all_are_settled(docs):
    good, sheet, bad = docs.announce(), docs.announce(MINATO, kind="performance_sheet", filename="実績管理表.xlsx",
                                                      content_type=XLSX_TYPE, size=len(XLSX)), docs.announce()
    uploads = [docs.upload(good), docs.upload(sheet, XLSX), docs.upload(bad, PDF[:-1])]
    outcomes = docs.arrived(*uploads, ("portal/app.js", None))
    assert [o["outcome"] for o in outcomes] == ["accepted", "accepted", "rejected", "ignored"]
    assert [(e.document_id, e.org_id, e.kind, e.key) for e in docs.published.of(DocumentAccepted)] == [
        (good["document"]["id"], "kanto-steel", "evidence", uploads[0][0]),
        (sheet["document"]["id"], "minato-foods", "performance_sheet", uploads[1][0])]
    assert all("accepted_document" not in outcome for outcome in outcomes)


def test_a_failed_delete_fails_the_batch_and_the_redelivery_finishes_it(docs):
    good, bad = docs.announce(), docs.announce()
    uploads = [docs.upload(good), docs.upload(bad, b"MZ" + b"\x90" * (len(PDF) - 2))]
    docs.objects.failing_deletes = 1
    with pytest.raises(ServiceUnavailable):  # the invocation fails: S3's event is delivered again
        docs.arrived(*uploads)
    assert docs.published.events == []  # published only after every record is settled
    assert docs.store.get(bad["document"]["id"]).status is DocumentStatus.REJECTED
    outcomes = docs.arrived(*uploads)
    assert [o["outcome"] for o in outcomes] == ["accepted", "deleted"]
    assert docs.objects.versions(uploads[1][0]) == []
    assert [e.document_id for e in docs.published.events] == [good["document"]["id"]]


class _Racing(FakeDocumentStore):
    """Another delivery of the event settles the document just before this one does."""

    def __init__(self, other_version: str | None) -> None:
        super().__init__()
        self.other_version = other_version

    def settle(self, document, status, *, received_at, version_id, reasons):
        if self.other_version is not None:
            super().settle(document, DocumentStatus.ACCEPTED, received_at=received_at, version_id=self.other_version, reasons=[])
            self.other_version = None
        return super().settle(document, status, received_at=received_at, version_id=version_id, reasons=reasons)


def test_when_another_delivery_accepted_the_same_object_first_it_is_accepted(docs):
    docs.store = _Racing(other_version=None)
    answer = docs.announce()
    key, version = docs.upload(answer)
    docs.store.other_version = version
    (outcome,) = docs.arrived((key, version))
    assert outcome["outcome"] == "accepted" and len(docs.published.events) == 1
    assert docs.objects.versions(key) == [version]


def test_when_another_object_was_accepted_first_this_one_is_deleted(docs):
    docs.store = _Racing(other_version=None)
    answer = docs.announce()
    key, first = docs.upload(answer)
    _, second = docs.upload(answer)
    docs.store.other_version = first
    (outcome,) = docs.arrived((key, second))
    assert (outcome["outcome"], outcome["reasons"]) == ("deleted", ["not_awaiting"])
    assert docs.objects.versions(key) == [first] and docs.published.events == []


# --- the review another system records ---------------------------------------------------------


def _review(reviewer: str = "emissions", outcome: str = "refused", problems: int = 1):
    from chalicelib.documents.domain.documents import Review, ReviewProblem

    found = tuple(ReviewProblem("実績管理表", f"I{9 + n}", "NEGATIVE_QUANTITY", "The quantity is negative.", "数量が負の値です。")
                  for n in range(problems))
    return Review(reviewer, outcome, found, {"fiscal_year": 2025}, "2026-04-01T09:00:00+09:00")


def test_a_review_is_recorded_on_an_accepted_document_only_and_shown_with_it(docs):
    answer = docs.announce(kind="performance_sheet", filename="sheet.xlsx", content_type=XLSX_TYPE, size=len(XLSX))
    document_id = answer["document"]["id"]
    assert docs.view(KANTO, document_id)["review"] is None
    with pytest.raises(DocumentNotFound):  # still waiting for its file
        service.record_review(document_id, _review(), documents=docs.store)
    docs.arrived(docs.upload(answer, XLSX))
    service.record_review(document_id, _review(), documents=docs.store)
    seen = docs.view(KANTO, document_id)["review"]
    assert (seen["reviewer"], seen["outcome"], seen["problems"][0]["cell"], seen["summary"]) == (
        "emissions", "refused", "I9", {"fiscal_year": 2025})
    # The same reviewer's later review replaces it; another reviewer's is refused.
    service.record_review(document_id, _review(outcome="imported", problems=0), documents=docs.store)
    assert docs.view(KANTO, document_id)["review"]["outcome"] == "imported"
    with pytest.raises(DocumentNotFound):
        service.record_review(document_id, _review(reviewer="verification"), documents=docs.store)
    with pytest.raises(ValueError, match="not a review"):
        _review(outcome="maybe")


def test_a_review_keeps_a_bounded_number_of_problems_and_counts_them_all(docs):
    from chalicelib.documents.domain.documents import MAX_REVIEW_PROBLEMS

    answer = docs.announce(kind="performance_sheet", filename="sheet.xlsx", content_type=XLSX_TYPE, size=len(XLSX))
    docs.arrived(docs.upload(answer, XLSX))
    kept = service.record_review(answer["document"]["id"], _review(problems=MAX_REVIEW_PROBLEMS + 5), documents=docs.store)
    assert len(kept["problems"]) == MAX_REVIEW_PROBLEMS
    assert kept["summary"] == {"fiscal_year": 2025, "problems_total": MAX_REVIEW_PROBLEMS + 5, "problems_shown": MAX_REVIEW_PROBLEMS}
