"""The reports' store in memory (``chalicelib.emissions.ports.ReportsPort``), with the
conditions ``chalicelib.emissions.adapters.ReportStore`` puts on its transaction: the head
as read (revision, status, version; absent for a new report), the moving version's status
as read, a new version and a history record that never overwrite, and a verifier's
assignment still held; a working paper is written once per document. All of a write applies or none: a failed condition raises
``CommitFailed`` naming it. ``meanwhile`` lets a test write between a read and a commit."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.reports import Transition
from chalicelib.emissions.ports import ReportHead, ReportVersionRecord, ReportWrite, WorkingPaperRecord


@dataclass
class ReportsMemory:
    heads: dict[tuple[str, int], ReportHead] = field(default_factory=dict)
    versions: dict[tuple[str, int, int], ReportVersionRecord] = field(default_factory=dict)
    transitions: dict[tuple[str, int, int], Transition] = field(default_factory=dict)
    assignments: dict[tuple[str, int], str] = field(default_factory=dict)
    working_papers: dict[tuple[str, int, str], WorkingPaperRecord] = field(default_factory=dict)


class FakeReportStore:
    def __init__(self) -> None:
        self.memory = ReportsMemory()
        self.commits = 0
        self._meanwhile: list[Callable[[], None]] = []

    def meanwhile(self, write: Callable[[], None]) -> None:
        """Run ``write`` just before the next commit (someone else got there first)."""
        self._meanwhile.append(write)

    def snapshot(self) -> ReportsMemory:
        return copy.deepcopy(self.memory)

    # --- reads -------------------------------------------------------------------------------

    def head(self, org_id: str, fiscal_year: int) -> ReportHead | None:
        return self.memory.heads.get((org_id, fiscal_year))

    def heads_of_org(self, org_id: str) -> list[ReportHead]:
        return [h for (o, _), h in self.memory.heads.items() if o == org_id]

    def heads_of_year(self, fiscal_year: int) -> list[ReportHead]:
        return [h for (_, y), h in self.memory.heads.items() if y == fiscal_year]

    def heads(self, keys: list[tuple[str, int]]) -> list[ReportHead]:
        return [self.memory.heads[k] for k in keys if k in self.memory.heads]

    def version(self, org_id: str, fiscal_year: int, version: int) -> ReportVersionRecord | None:
        return self.memory.versions.get((org_id, fiscal_year, version))

    def history(self, org_id: str, fiscal_year: int) -> tuple[list[ReportVersionRecord], list[Transition]]:
        versions = [v for (o, y, _), v in sorted(self.memory.versions.items()) if (o, y) == (org_id, fiscal_year)]
        transitions = [t for (o, y, _), t in sorted(self.memory.transitions.items()) if (o, y) == (org_id, fiscal_year)]
        return versions, transitions

    # --- writes --------------------------------------------------------------------------------

    def commit(self, write: ReportWrite) -> None:
        while self._meanwhile:
            self._meanwhile.pop(0)()
        head = write.head
        key = (head.org_id, head.fiscal_year)
        failed = []
        current = self.memory.heads.get(key)
        if write.expected is None:
            if current is not None:
                failed.append("head")
        elif current is None or (current.revision, current.status, current.version) != \
                (write.expected.revision, write.expected.status, write.expected.version):
            failed.append("head")
        if (*key, write.transition.sequence) in self.memory.transitions:
            failed.append("transition")
        if write.version is not None:
            stored = self.memory.versions.get((*key, write.version.version))
            if stored is None or stored.status != (write.version_status_before or write.version.status):
                failed.append("version")
        if write.new_version is not None and (*key, write.new_version.version) in self.memory.versions:
            failed.append("new_version")
        if write.verifier_org is not None and self.memory.assignments.get(key) != write.verifier_org:
            failed.append("assignment")
        if failed:
            raise CommitFailed(tuple(failed))
        self.commits += 1
        self.memory.heads[key] = head
        self.memory.transitions[(*key, write.transition.sequence)] = write.transition
        for record in (write.version, write.new_version):
            if record is not None:
                self.memory.versions[(*key, record.version)] = record

    def working_papers(self, org_id: str, fiscal_year: int) -> list[WorkingPaperRecord]:
        return [p for (o, y, _), p in sorted(self.memory.working_papers.items()) if (o, y) == (org_id, fiscal_year)]

    def add_working_paper(self, paper: WorkingPaperRecord) -> bool:
        while self._meanwhile:
            self._meanwhile.pop(0)()
        key = (paper.org_id, paper.fiscal_year, paper.document_id)
        if key in self.memory.working_papers:
            return False
        self.memory.working_papers[key] = paper
        return True

    def assignment(self, org_id: str, fiscal_year: int) -> str | None:
        return self.memory.assignments.get((org_id, fiscal_year))

    def assignments_of(self, verifier_org: str) -> list[tuple[str, int]]:
        return [k for k, v in self.memory.assignments.items() if v == verifier_org]

    def assign(self, org_id: str, fiscal_year: int, verifier_org: str, previous: str | None, by: str, at: str,
               head: ReportHead | None) -> None:
        key = (org_id, fiscal_year)
        failed = []
        if self.memory.assignments.get(key) != previous:
            failed.append("assignment")
        current = self.memory.heads.get(key)
        if (current is None) != (head is None) or (current is not None and head is not None
                                                   and (current.revision, current.status) != (head.revision, head.status)):
            failed.append("report")
        if failed:
            raise CommitFailed(tuple(failed))
        self.memory.assignments[key] = verifier_org


class FakeReportFiles:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int, version_id: str | None = None) -> str:
        return f"https://bucket.example/{key}?expires={expires_in}&name={filename}"


def seeded(store: FakeReportStore, org_id: str, fiscal_year: int, status: str, *, pending: bool = False, version: int = 1,
           opinion: str | None = "verified", verifier: str | None = "body", figures: dict[str, Any] | None = None) -> str:
    """A report whose latest version is in ``status`` (for the state-machine table)."""
    from chalicelib.emissions.domain.reports import report_id_of

    report_id = report_id_of(org_id, fiscal_year)
    submitted = None if status == "draft" else "2026-05-01T00:00:00+09:00"
    verification = {"opinion": opinion, "verified_t_co2": 100} if status in ("verified", "accepted", "determined") and opinion else None
    reviewed = status in ("accepted", "determined")
    store.memory.heads[(org_id, fiscal_year)] = ReportHead(
        report_id, org_id, fiscal_year, version, status, 3, "2026-05-01T00:00:00+09:00", submitted, pending, submitted is not None,
        100 if reviewed else None, status if reviewed else None, version if reviewed else None)
    store.memory.versions[(org_id, fiscal_year, version)] = ReportVersionRecord(
        report_id, org_id, fiscal_year, version, status, "someone", "2026-05-01T00:00:00+09:00", 100,
        figures or {"total_t": 100, "t_co2": "100.000", "missing": [], "sources": []}, {}, submitted, verification,
        {"decision": status} if reviewed else None, {"state": "requested"} if pending else None)
    if verifier:
        store.memory.assignments[(org_id, fiscal_year)] = verifier
    return report_id
