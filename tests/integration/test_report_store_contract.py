"""One contract, two implementations of ``ReportsPort``: the unit tier's ``FakeReportStore``
and ``ReportStore`` on the moto table. Each case commits the same writes on both: a write
whose condition fails is refused with the same labels and changes nothing; one that goes
through leaves the same head, versions and history on both."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.reports import Transition, report_id_of
from chalicelib.emissions.ports import ReportHead, ReportVersionRecord, ReportWrite
from tests.unit.fakes.reports import FakeReportStore

FY = 2025
AT = "2026-05-01T10:00:00+09:00"


@pytest.fixture(scope="module")
def dynamo(local_aws) -> Any:
    from chalicelib import container
    from chalicelib.emissions.adapters import ReportStore

    return container.store(ReportStore)


def _head(org: str, version: int, status: str, revision: int, **fields: Any) -> ReportHead:
    return ReportHead(report_id_of(org, FY), org, FY, version, status, revision, AT, **fields)


def _version(org: str, version: int, status: str, **fields: Any) -> ReportVersionRecord:
    figures = {"total_t": 12, "t_co2": "12.500", "missing": [], "sources": [{"source_id": "s", "number": 1, "months": []}]}
    return ReportVersionRecord(report_id_of(org, FY), org, FY, version, status, "kanto", AT, 12, figures, {"pdf": "reports/x.pdf"},
                               **fields)


def _step(org: str, sequence: int, action: str, before: str | None, after: str, version: int = 1) -> Transition:
    return Transition(report_id_of(org, FY), sequence, version, action, before, after, "kanto", "participant", AT, "why",
                      {"n": 1})


def _created(store: Any, org: str) -> ReportHead:
    head = _head(org, 1, "draft", 1)
    store.commit(ReportWrite(head, None, _step(org, 0, "create", None, "draft"), new_version=_version(org, 1, "draft")))
    return head


def _submit(org: str, head: ReportHead) -> ReportWrite:
    after = replace(head, status="submitted", revision=head.revision + 1, submitted_at=AT, ever_submitted=True)
    return ReportWrite(after, head, _step(org, head.revision, "submit", "draft", "submitted"),
                       _version(org, 1, "submitted", submitted_at=AT), "draft")


def _state(store: Any, org: str) -> tuple[Any, ...]:
    versions, history = store.history(org, FY)
    return store.head(org, FY), versions, history, store.assignment(org, FY)


CASES = {
    "a new report twice": lambda store, org, head: ReportWrite(head, None, _step(org, 5, "create", None, "draft"),
                                                               new_version=_version(org, 2, "draft")),
    "a stale head": lambda store, org, head: _submit(org, replace(head, revision=head.revision + 7)),
    "a version moved meanwhile": lambda store, org, head: replace(_submit(org, head), version_status_before="submitted"),
    "a version that exists": lambda store, org, head: ReportWrite(replace(head, revision=head.revision + 1), head,
                                                                  _step(org, head.revision, "create", "draft", "draft"),
                                                                  new_version=_version(org, 1, "draft")),
    "a verifier no longer assigned": lambda store, org, head: replace(_submit(org, head), verifier_org="another-body"),
}
EXPECTED = {"a new report twice": ("head",), "a stale head": ("head",), "a version moved meanwhile": ("version",),
            "a version that exists": ("new_version",), "a verifier no longer assigned": ("assignment",)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_failed_condition_is_refused_alike_and_changes_nothing(dynamo, case):
    org = f"c{sorted(CASES).index(case)}-refused"
    outcomes = []
    for store in (FakeReportStore(), dynamo):
        head = _created(store, org)
        store.assign(org, FY, "body", None, "admin", AT, head)
        before = _state(store, org)
        with pytest.raises(CommitFailed) as refused:
            store.commit(CASES[case](store, org, head))
        assert refused.value.failed == EXPECTED[case]
        assert _state(store, org) == before
        outcomes.append(before)
    assert outcomes[0] == outcomes[1]


def test_a_transition_and_the_assignments_leave_the_same_items(dynamo):
    org = "c9-accepted"
    states = []
    for store in (FakeReportStore(), dynamo):
        head = _created(store, org)
        with pytest.raises(CommitFailed) as refused:
            store.assign(org, FY, "body", None, "admin", AT, replace(head, revision=9))
        assert refused.value.failed == ("report",)
        store.assign(org, FY, "body", None, "admin", AT, head)
        with pytest.raises(CommitFailed) as refused:
            store.assign(org, FY, "other", None, "admin", AT, head)
        assert refused.value.failed == ("assignment",)
        write = replace(_submit(org, head), verifier_org="body")
        store.commit(write)
        store.assign(org, FY, "other", "body", "admin", AT, write.head)
        states.append(_state(store, org))
        assert store.assignments_of("other") == [(org, FY)] and (org, FY) not in store.assignments_of("body")
        assert [h.org_id for h in store.heads_of_year(FY) if h.org_id == org] == [org]
        assert store.heads([(org, FY)]) == [write.head]
    assert states[0] == states[1]
    head, versions, history, assignment = states[1]
    assert (head.status, head.revision, [v.status for v in versions], [t.action for t in history], assignment) == (
        "submitted", 2, ["submitted"], ["create", "submit"], "other")


def test_a_working_paper_is_written_once_and_read_back_alike(dynamo):
    from chalicelib.emissions.ports import WorkingPaperRecord

    org = "c10-papers"
    outcomes = []
    for store in (FakeReportStore(), dynamo):
        _created(store, org)
        first = WorkingPaperRecord(report_id_of(org, FY), org, FY, "a" * 32, "body", "調書.pdf", "application/pdf", 1234, "verifier", AT)
        second = replace(first, document_id="b" * 32, filename="調書2.xlsx", accepted_at="2026-05-01T11:00:00+09:00")
        assert store.add_working_paper(first) is True
        assert store.add_working_paper(second) is True
        # The same document again (a redelivered event), even with another time and name: nothing is written.
        assert store.add_working_paper(replace(first, filename="other.pdf", accepted_at="2026-05-02T00:00:00+09:00")) is False
        papers = sorted(store.working_papers(org, FY), key=lambda paper: paper.document_id)
        assert papers == [first, second]
        # They live beside the versions and the history, which stay what they were.
        versions, history = store.history(org, FY)
        outcomes.append((papers, versions, history))
    assert outcomes[0] == outcomes[1]
