"""Immutable evidence on in-memory ports: only the accepted version is locked, after its
settle; every refusal still deletes (nothing it deletes was ever locked); a failed lock
fails the invocation and the redelivered event locks it. Plus the per-stage retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.documents.domain.documents import DocumentStatus
from chalicelib.documents.domain.retention import RETENTION, LockMode, Retention, retention_for
from tests.unit.test_documents_service import PDF, Documents


@pytest.fixture
def docs() -> Documents:
    return Documents()


def test_the_accepted_version_is_retained_and_nothing_else(docs):
    announced = docs.announce()
    key, version = docs.upload(announced)
    (outcome,) = docs.arrived((key, version))
    assert outcome["outcome"] == "accepted"
    assert docs.objects.retained == {(key, version)}
    # A replay of the form at the settled key is deleted, not locked.
    _, replay = docs.upload(announced, b"%PDF-1.7\n" + b"1" * (len(PDF) - 9))
    (again,) = docs.arrived((key, replay))
    assert again["outcome"] == "deleted"
    assert docs.objects.retained == {(key, version)} and docs.objects.versions(key) == [version]


@pytest.mark.parametrize("body", [b"MZ" + b"\x90" * (len(PDF) - 2), PDF[:-3]])
def test_a_refused_upload_is_deleted_and_never_locked(docs, body):
    announced = docs.announce()
    key, version = docs.upload(announced, body)
    (outcome,) = docs.arrived((key, version))
    assert outcome["outcome"] == "rejected"
    assert docs.objects.retained == set() and docs.objects.versions(key) == []


def test_an_object_no_document_waits_for_is_deleted_unlocked(docs):
    key = "uploads/kanto-steel/" + "0" * 32 + ".pdf"
    version = docs.objects.put(key, PDF, "application/pdf")
    assert docs.arrived((key, version))[0]["outcome"] == "deleted"
    assert docs.objects.retained == set()


def test_a_failed_lock_fails_the_invocation_and_the_event_again_locks_it(docs):
    announced = docs.announce()
    key, version = docs.upload(announced)
    docs.objects.failing_retains = 1
    with pytest.raises(ServiceUnavailable):
        docs.arrived((key, version))
    # Settled but not yet locked, and not published: S3 delivers the event again.
    assert docs.store.get(announced["document"]["id"]).status is DocumentStatus.ACCEPTED
    assert docs.objects.retained == set() and not docs.published.events
    (outcome,) = docs.arrived((key, version))
    assert outcome["outcome"] == "accepted"
    assert docs.objects.retained == {(key, version)} and len(docs.published.events) == 1


def test_the_retention_per_stage():
    assert RETENTION["prod"] == Retention(LockMode.COMPLIANCE, 2557)
    assert RETENTION["dev"] == Retention(LockMode.GOVERNANCE, 30)
    assert retention_for("local") == retention_for("test") == Retention(LockMode.GOVERNANCE, 1)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    assert RETENTION["prod"].until(now) == now + timedelta(days=2557)
