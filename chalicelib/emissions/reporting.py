"""Calculation report use cases: make a draft from the current calculation (pinning every
figure and the factor versions, with its workbook, PDF and monitoring data in the documents
bucket), submit, recall, verification (by the verification body assigned to the
organisation and year), the administrator's review and approval cancellations.

Every transition is ONE conditional transaction on the report's head (its revision, status
and version as read) with the version whose status moves and the history record (who,
when, why); the refusal of an illegal one comes from ``domain.reports.next_status``. A
transition that loses a race is read again and decided again (so the loser gets the
refusal the new state gives, or succeeds if it still may).

Access: a participant sees its own organisation's reports; a verifier sees the reports of
the organisations and years its body is assigned to, once submitted (anything else is the
404 of a missing report); an administrator sees every report and reviews it (``review``,
``decide_cancellation``), signed in with MFA through the API or through the console's
administrator functions.

Working papers are the verifier's: its body uploads them (``working_paper_upload``), the
emissions system records each one the documents system accepts (``record_working_paper``,
from ``DocumentAccepted``), and only the verifier assigned (its own body's papers) and the
administrators list them (``working_papers``); the participant whose report it is gets the
404 of a missing report, as everyone else does. Each is downloaded through
``GET /documents/{id}`` (its organisation is the verification body's).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from chalicelib.core.clock import iso_now, now_jst
from chalicelib.core.organisations import OrganisationKind
from chalicelib.core.principal import Principal, Role
from chalicelib.core.transactions import CommitFailed
from chalicelib.emissions.domain.calculation import calculate
from chalicelib.emissions.domain.errors import (
    EmissionsOrganisationNotFound,
    NotVerificationBody,
    OrganisationRequired,
    ReportChanged,
    ReportFileNotFound,
    ReportNotFound,
    VerificationInProgress,
)
from chalicelib.emissions.domain.monitoring import effective
from chalicelib.emissions.domain.reports import (
    LOCKED,
    Action,
    Actor,
    Misstatement,
    Opinion,
    ReportStatus,
    Transition,
    VerificationReport,
    check_acceptable,
    check_new_version,
    check_opinion,
    check_submittable,
    clean_reason,
    next_status,
    parse_report_id,
    report_id_of,
    report_of_working_paper,
    working_paper_purpose,
)
from chalicelib.emissions.ports import (
    ReportFilesPort,
    ReportHead,
    ReportsPort,
    ReportVersionRecord,
    ReportWrite,
    WorkingPaperRecord,
)

MAX_ATTEMPTS = 5
LINK_SECONDS = 5 * 60
REPORT_PREFIX = "reports/"
WORKING_PAPER_KIND = "working_paper"


class OrganisationsLookup(Protocol):
    def get(self, org_id: str) -> Any: ...


class EvidenceLookup(Protocol):
    """The documents system's store, read only."""

    def get(self, document_id: str) -> Any: ...


@dataclass(frozen=True)
class Caller:
    """Who acts: a user through the API, or an administrator function (``admin:<name>``)."""

    username: str
    role: Role
    org_id: str

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        return cls(principal.username, principal.role, principal.org_id)

    @classmethod
    def admin(cls, requested_by: str) -> Caller:
        return cls(f"admin:{requested_by}", Role.ADMIN, "")

    @property
    def actor(self) -> Actor:
        return {Role.PARTICIPANT: Actor.PARTICIPANT, Role.VERIFIER: Actor.VERIFIER, Role.ADMIN: Actor.ADMIN}[self.role]


@dataclass(frozen=True)
class OpinionCommand:
    opinion: str
    verified_t_co2: int | None
    reasons: tuple[str, ...] = ()
    misstatements: tuple[tuple[str, str, bool], ...] = ()
    improvements: tuple[str, ...] = ()


@dataclass(frozen=True)
class AcceptedWorkingPaper:
    """What the documents system told of an accepted working paper (``DocumentAccepted``):
    the document, the organisation that uploaded it (a verification body) and its purpose
    (``working_paper:<report id>``)."""

    document_id: str
    verifier_org: str
    purpose: str | None


# --- views ----------------------------------------------------------------------------------


def head_view(head: ReportHead) -> dict[str, Any]:
    reviewed = None
    if head.reviewed_t_co2 is not None:
        reviewed = {"t_co2": head.reviewed_t_co2, "basis": head.reviewed_basis, "version": head.reviewed_version}
    return {"id": head.report_id, "org_id": head.org_id, "fiscal_year": head.fiscal_year, "version": head.version,
            "status": head.status, "revision": head.revision, "updated_at": head.updated_at, "submitted_at": head.submitted_at,
            "cancellation_pending": head.cancellation_pending, "reviewed": reviewed}


def version_view(record: ReportVersionRecord) -> dict[str, Any]:
    figures = record.figures
    return {"version": record.version, "status": record.status, "created_by": record.created_by, "created_at": record.created_at,
            "submitted_at": record.submitted_at, "total_t": record.total_t, "t_co2": str(figures.get("t_co2", "")),
            "monitoring_revision": figures.get("monitoring_revision"), "missing": len(figures.get("missing") or []),
            "factor_versions": [f"{f['key']}:{f['version']}" for f in figures.get("factor_versions") or []],
            "files": sorted(record.files), "verification": record.verification, "review": record.review,
            "cancellation": record.cancellation}


def transition_view(transition: Transition) -> dict[str, Any]:
    return {"sequence": transition.sequence, "version": transition.version, "action": transition.action,
            "from_status": transition.from_status, "to_status": transition.to_status, "by": transition.by, "role": transition.role,
            "at": transition.at, "reason": transition.reason, "details": dict(transition.details or {})}


def working_paper_view(paper: WorkingPaperRecord) -> dict[str, Any]:
    return {"document_id": paper.document_id, "filename": paper.filename, "content_type": paper.content_type, "size": paper.size,
            "uploaded_by": paper.uploaded_by, "accepted_at": paper.accepted_at, "verifier_org": paper.verifier_org}


class Reports:
    def __init__(self, store: ReportsPort, emissions: Any, *, files: ReportFilesPort | None = None,
                 documents: EvidenceLookup | None = None, organisations: OrganisationsLookup | None = None,
                 now: Callable[[], str] = iso_now, build_files: bool = True) -> None:
        self.store = store
        self.emissions = emissions
        self.files = files
        self.documents = documents
        self.organisations = organisations
        self.now = now
        self.build_files = build_files

    # --- access ----------------------------------------------------------------------------

    def _locate(self, report_id: str) -> tuple[str, int]:
        parsed = parse_report_id(report_id)
        if parsed is None:
            raise ReportNotFound(report_id=report_id[:80])
        return parsed

    def _visible(self, caller: Caller, report_id: str) -> ReportHead:
        """The report's head if the caller may see it, else the 404 of a missing report."""
        org_id, fiscal_year = self._locate(report_id)
        missing = ReportNotFound(report_id=report_id[:80])
        if caller.role is Role.PARTICIPANT and caller.org_id != org_id:
            raise missing
        if caller.role is Role.VERIFIER and self.store.assignment(org_id, fiscal_year) != caller.org_id:
            raise missing
        head = self.store.head(org_id, fiscal_year)
        if head is None or (caller.role is Role.VERIFIER and not head.ever_submitted):
            raise missing
        return head

    @staticmethod
    def _sees_version(caller: Caller, record: ReportVersionRecord) -> bool:
        return caller.role is not Role.VERIFIER or record.submitted_at is not None

    # --- reading -----------------------------------------------------------------------------

    def list_reports(self, caller: Caller, *, fiscal_year: int | None = None, org_id: str | None = None) -> dict[str, Any]:
        if caller.role is Role.PARTICIPANT:
            heads = self.store.heads_of_org(caller.org_id)
        elif caller.role is Role.VERIFIER:
            heads = [h for h in self.store.heads(self.store.assignments_of(caller.org_id)) if h.ever_submitted]
        elif org_id:
            heads = self.store.heads_of_org(org_id)
        elif fiscal_year is not None:
            heads = self.store.heads_of_year(fiscal_year)
        else:
            raise OrganisationRequired(field="org_id")
        if fiscal_year is not None:
            heads = [h for h in heads if h.fiscal_year == fiscal_year]
        if org_id and caller.role is not Role.PARTICIPANT:
            heads = [h for h in heads if h.org_id == org_id]
        return {"reports": [head_view(h) for h in sorted(heads, key=lambda h: (-h.fiscal_year, h.org_id))]}

    def get_report(self, caller: Caller, report_id: str) -> dict[str, Any]:
        head = self._visible(caller, report_id)
        versions, transitions = self.store.history(head.org_id, head.fiscal_year)
        seen = [v for v in versions if self._sees_version(caller, v)]
        visible_versions = {v.version for v in seen}
        current = max(seen, key=lambda v: v.version) if seen else None
        body = head_view(head)
        if caller.role is Role.VERIFIER and current is not None and current.version != head.version:
            # A verifier does not see the participant's newer draft.
            body.update(version=current.version, status=current.status)
        body["verifier_org"] = self.store.assignment(head.org_id, head.fiscal_year) if caller.role is not Role.VERIFIER else caller.org_id
        body["versions"] = [version_view(v) for v in sorted(seen, key=lambda v: v.version)]
        body["history"] = [transition_view(t) for t in sorted(transitions, key=lambda t: t.sequence)
                           if caller.role is not Role.VERIFIER or t.version in visible_versions]
        body["figures"] = current.figures if current is not None else None
        return body

    def _record(self, head: ReportHead, version: int | None, caller: Caller) -> ReportVersionRecord:
        wanted = version if version is not None else head.version
        record = self.store.version(head.org_id, head.fiscal_year, wanted)
        if record is None or not self._sees_version(caller, record):
            raise ReportNotFound(report_id=head.report_id)
        return record

    def file_link(self, caller: Caller, report_id: str, name: str, version: int | None = None) -> dict[str, Any]:
        from chalicelib.emissions.report_files import FILES, ReportHeader, filename

        head = self._visible(caller, report_id)
        if caller.role is Role.VERIFIER and version is None:
            version = max((v for v in self._submitted_versions(head)), default=head.version)
        record = self._record(head, version, caller)
        key = record.files.get(name)
        if key is None or name not in FILES or self.files is None:
            raise ReportFileNotFound(report_id=report_id[:80], name=name[:32])
        header = ReportHeader(head.report_id, head.org_id, "", "", head.fiscal_year, record.version, record.created_at, record.created_by)
        name_out = filename(header, name)
        return {"url": self.files.download_url(key, name_out, FILES[name][0], LINK_SECONDS), "expires_in": LINK_SECONDS,
                "filename": name_out, "version": record.version, "name": name}

    def _submitted_versions(self, head: ReportHead) -> list[int]:
        versions, _ = self.store.history(head.org_id, head.fiscal_year)
        return [v.version for v in versions if v.submitted_at is not None]

    def evidence_links(self, caller: Caller, report_id: str, version: int | None = None) -> dict[str, Any]:
        """Every evidence document the version cites, with a short download link each."""
        head = self._visible(caller, report_id)
        if caller.role is Role.VERIFIER and version is None:
            version = max(self._submitted_versions(head), default=head.version)
        record = self._record(head, version, caller)
        cited: dict[str, list[str]] = {}
        for source in record.figures.get("sources", []):
            for month in source.get("months", []):
                document_id = month.get("evidence_document_id")
                if document_id:
                    cited.setdefault(document_id, []).append(f"{source['number']}:{month['month']}")
        documents = []
        for document_id in sorted(cited):
            document = self.documents.get(document_id) if self.documents is not None else None
            link = None
            if document is not None and document.org_id == head.org_id and document.status.value == "accepted" \
                    and self.files is not None:
                link = {"url": self.files.download_url(document.key, document.filename, document.content_type, LINK_SECONDS,
                                                       document.version_id), "expires_in": LINK_SECONDS}
            documents.append({"document_id": document_id, "cited_by": cited[document_id],
                              "filename": document.filename if document is not None else None, "download": link})
        return {"report_id": head.report_id, "version": record.version, "documents": documents}

    # --- making a version -----------------------------------------------------------------------

    def _figures(self, org_id: str, fiscal_year: int) -> dict[str, Any]:
        """The current calculation, pinned: every figure per source and month with the factor
        version and the evidence it rests on, the totals, and the monitoring revision read."""
        from chalicelib.emissions.service import calculation_view

        store = self.emissions.store
        organisation = store.organisation(org_id)
        data = store.fiscal_year(org_id, fiscal_year)
        cells = effective(data)
        values = {key: stored.value() for key, stored in cells.items()}
        result = calculate(org_id, fiscal_year, organisation.sites, organisation.sources, values, self.emissions.factors())
        figures = calculation_view(result)
        for source in figures["sources"]:
            for month in source["months"]:
                stored = cells.get((source["source_id"], month["month"]))
                month["evidence_document_id"] = stored.evidence_document_id if stored else None
        figures["monitoring_revision"] = data.revision
        figures["current_import"] = data.current_import
        return figures

    def _files(self, head_id: str, org_id: str, fiscal_year: int, version: int, figures: dict[str, Any], by: str,
               at: str) -> dict[str, str]:
        if self.files is None or not self.build_files:
            return {}
        from chalicelib.emissions.report_files import (
            FILES,
            ReportHeader,
            build_monitoring_csv,
            build_pdf,
            build_workbook,
        )

        organisation = self.organisations.get(org_id) if self.organisations is not None else None
        header = ReportHeader(head_id, org_id, getattr(organisation, "name", org_id), getattr(organisation, "name_ja", org_id),
                              fiscal_year, version, at, by)
        # A fresh prefix per attempt: a version that loses its race leaves objects nobody names.
        prefix = f"{REPORT_PREFIX}{org_id}/FY{fiscal_year}/v{version}-{uuid.uuid4().hex[:12]}/"
        built = {"workbook": build_workbook(header, figures), "pdf": build_pdf(header, figures),
                 "monitoring": build_monitoring_csv(figures)}
        keys = {}
        for name, data in built.items():
            key = f"{prefix}{name}.{FILES[name][1]}"
            self.files.put(key, data, FILES[name][0])
            keys[name] = key
        return keys

    def create(self, caller: Caller, fiscal_year: int) -> dict[str, Any]:
        """A participant's new draft of its report for the fiscal year, from the current
        calculation. A draft already there is superseded (kept); a returned or recalled
        version is followed by this one; a report under way or locked is refused."""
        if caller.role is not Role.PARTICIPANT:
            raise EmissionsOrganisationNotFound(org_id=caller.org_id[:64])
        org_id = caller.org_id
        report_id = report_id_of(org_id, fiscal_year)
        for _ in range(MAX_ATTEMPTS):
            head = self.store.head(org_id, fiscal_year)
            check_new_version(ReportStatus(head.status) if head else None)
            figures = self._figures(org_id, fiscal_year)
            at = self.now()
            number = head.version + 1 if head else 1
            files = self._files(report_id, org_id, fiscal_year, number, figures, caller.username, at)
            record = ReportVersionRecord(report_id, org_id, fiscal_year, number, ReportStatus.DRAFT.value, caller.username, at,
                                         int(figures["total_t"]), figures, files)
            superseded = None
            details: dict[str, object] = {"total_t": record.total_t, "monitoring_revision": figures["monitoring_revision"]}
            if head is not None and head.status == ReportStatus.DRAFT.value:
                old = self.store.version(org_id, fiscal_year, head.version)
                if old is not None:
                    superseded = replace(old, status=ReportStatus.SUPERSEDED.value)
                    details["superseded"] = old.version
            revision = head.revision if head else 0
            new_head = ReportHead(report_id, org_id, fiscal_year, number, ReportStatus.DRAFT.value, revision + 1, at,
                                  None, False, head.ever_submitted if head else False,
                                  head.reviewed_t_co2 if head else None, head.reviewed_basis if head else None,
                                  head.reviewed_version if head else None)
            transition = Transition(report_id, revision, number, Action.CREATE.value, head.status if head else None,
                                    ReportStatus.DRAFT.value, caller.username, caller.role.value, at, None, details)
            try:
                self.store.commit(ReportWrite(new_head, head, transition, superseded,
                                              ReportStatus.DRAFT.value if superseded else None, record))
            except CommitFailed:
                continue
            return self.get_report(caller, report_id)
        raise ReportChanged

    # --- transitions ------------------------------------------------------------------------------

    def _move(self, caller: Caller, report_id: str, action: Action, *, reason: str | None = None, expected_version: int | None = None,
              change: Callable[[ReportHead, ReportVersionRecord, str], tuple[ReportHead, ReportVersionRecord, ReportVersionRecord | None,
                                                                               dict[str, object]]] | None = None) -> dict[str, Any]:
        why = clean_reason(reason, action)
        for _ in range(MAX_ATTEMPTS):
            head = self._visible(caller, report_id)
            if expected_version is not None and expected_version != head.version:
                raise ReportChanged
            record = self.store.version(head.org_id, head.fiscal_year, head.version)
            if record is None:
                raise ReportNotFound(report_id=report_id[:80])
            status = ReportStatus(head.status)
            target = next_status(status, action, caller.actor, cancellation_pending=head.cancellation_pending)
            at = self.now()
            new_head = replace(head, status=target.value, revision=head.revision + 1, updated_at=at)
            new_record = replace(record, status=target.value)
            new_version = None
            details: dict[str, object] = {}
            if change is not None:
                new_head, new_record, new_version, details = change(new_head, new_record, at)
            transition = Transition(report_id, head.revision, head.version, action.value, status.value, target.value, caller.username,
                                    caller.role.value, at, why, details)
            write = ReportWrite(new_head, head, transition, new_record, record.status, new_version,
                                caller.org_id if caller.role is Role.VERIFIER else None)
            try:
                self.store.commit(write)
            except CommitFailed as failed:
                if "assignment" in failed.failed:
                    raise ReportNotFound(report_id=report_id[:80]) from failed
                continue
            return self.get_report(caller, report_id)
        raise ReportChanged

    def submit(self, caller: Caller, report_id: str, expected_version: int | None = None) -> dict[str, Any]:
        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            check_submittable(len(record.figures.get("missing") or []))
            return replace(head, submitted_at=at, ever_submitted=True), replace(record, submitted_at=at), None, {}

        return self._move(caller, report_id, Action.SUBMIT, expected_version=expected_version, change=change)

    def recall(self, caller: Caller, report_id: str, reason: str | None = None, expected_version: int | None = None) -> dict[str, Any]:
        return self._move(caller, report_id, Action.RECALL, reason=reason, expected_version=expected_version)

    def begin_verification(self, caller: Caller, report_id: str) -> dict[str, Any]:
        return self._move(caller, report_id, Action.BEGIN_VERIFICATION)

    def return_to_participant(self, caller: Caller, report_id: str, reason: str) -> dict[str, Any]:
        return self._move(caller, report_id, Action.RETURN, reason=reason)

    def record_opinion(self, caller: Caller, report_id: str, command: OpinionCommand) -> dict[str, Any]:
        report = check_opinion(VerificationReport(
            Opinion(command.opinion), command.verified_t_co2, tuple(r.strip() for r in command.reasons if r.strip()),
            tuple(Misstatement(r.strip(), e.strip(), m) for r, e, m in command.misstatements),
            tuple(i.strip() for i in command.improvements if i.strip())))

        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            verification = {"opinion": report.opinion.value, "verified_t_co2": report.verified_t_co2, "reasons": list(report.reasons),
                            "misstatements": [{"reference": m.reference, "explanation": m.explanation, "material": m.material}
                                              for m in report.misstatements],
                            "improvements": list(report.improvements), "verifier_org": caller.org_id, "by": caller.username, "at": at}
            return head, replace(record, verification=verification), None, {"opinion": report.opinion.value,
                                                                            "verified_t_co2": report.verified_t_co2}

        return self._move(caller, report_id, Action.RECORD_OPINION, change=change)

    # --- the administrator's review -------------------------------------------------------------

    def accept(self, caller: Caller, report_id: str, reason: str | None = None) -> dict[str, Any]:
        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            verification = record.verification or {}
            check_acceptable(Opinion(verification["opinion"]) if verification.get("opinion") else None)
            t_co2 = int(verification["verified_t_co2"])
            review = {"decision": "accepted", "t_co2": t_co2, "by": caller.username, "at": at, "reason": reason}
            return (replace(head, reviewed_t_co2=t_co2, reviewed_basis="accepted", reviewed_version=record.version),
                    replace(record, review=review), None, {"t_co2": t_co2})

        return self._move(caller, report_id, Action.ACCEPT, reason=reason, change=change)

    def return_for_amends(self, caller: Caller, report_id: str, reason: str) -> dict[str, Any]:
        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            review = {"decision": "returned_for_amends", "by": caller.username, "at": at, "reason": reason}
            return head, replace(record, review=review), None, {}

        return self._move(caller, report_id, Action.RETURN_FOR_AMENDS, reason=reason, change=change)

    def determine(self, caller: Caller, report_id: str, t_co2: int, reason: str) -> dict[str, Any]:
        from chalicelib.emissions.domain.errors import InvalidOpinion

        if isinstance(t_co2, bool) or not isinstance(t_co2, int) or t_co2 < 0:
            raise InvalidOpinion(count=1, details=[{"field": "t_co2", "code": "NEGATIVE"}])

        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            verified = (record.verification or {}).get("verified_t_co2")
            review = {"decision": "determined", "t_co2": t_co2, "replaces": verified if verified is not None else record.total_t,
                      "by": caller.username, "at": at, "reason": reason}
            return (replace(head, reviewed_t_co2=t_co2, reviewed_basis="determined", reviewed_version=record.version),
                    replace(record, review=review), None, {"t_co2": t_co2, "replaces": review["replaces"]})

        return self._move(caller, report_id, Action.DETERMINE, reason=reason, change=change)

    def review(self, caller: Caller, report_id: str, decision: str, reason: str | None = None,
               t_co2: int | None = None) -> dict[str, Any]:
        """The administrator's decision on a verified report, as the console and the API
        name it: ``accept``, ``return_for_amends`` (reason) or ``determine`` (t_co2, reason)."""
        from chalicelib.emissions.domain.errors import DeterminationNeedsEmissions, UnknownReviewDecision

        if decision == "accept":
            return self.accept(caller, report_id, reason)
        if decision == "return_for_amends":
            return self.return_for_amends(caller, report_id, reason or "")
        if decision != "determine":
            raise UnknownReviewDecision(decision=decision[:40], allowed="accept, return_for_amends, determine")
        if t_co2 is None:
            raise DeterminationNeedsEmissions(field="t_co2")
        return self.determine(caller, report_id, t_co2, reason or "")

    # --- approval cancellation ----------------------------------------------------------------

    def request_cancellation(self, caller: Caller, report_id: str, reason: str, expected_version: int | None = None) -> dict[str, Any]:
        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            cancellation = {"state": "requested", "reason": reason.strip(), "requested_by": caller.username, "requested_at": at}
            return replace(head, cancellation_pending=True), replace(record, cancellation=cancellation), None, {}

        return self._move(caller, report_id, Action.REQUEST_CANCELLATION, reason=reason, expected_version=expected_version,
                          change=change)

    def refuse_cancellation(self, caller: Caller, report_id: str, reason: str) -> dict[str, Any]:
        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            cancellation = {**(record.cancellation or {}), "state": "refused", "decided_by": caller.username, "decided_at": at,
                            "decision_reason": reason.strip()}
            return replace(head, cancellation_pending=False), replace(record, cancellation=cancellation), None, {}

        return self._move(caller, report_id, Action.REFUSE_CANCELLATION, reason=reason, change=change)

    def grant_cancellation(self, caller: Caller, report_id: str, reason: str) -> dict[str, Any]:
        """The locked version is kept, marked cancelled; the report reopens as a new draft
        version with the same pinned figures and files (the participant may make a fresh draft
        from the current calculation). The reviewed figure is withdrawn with the approval."""

        def change(head: ReportHead, record: ReportVersionRecord, at: str) -> Any:
            cancellation = {**(record.cancellation or {}), "state": "granted", "decided_by": caller.username, "decided_at": at,
                            "decision_reason": reason.strip()}
            reopened = ReportVersionRecord(record.report_id, record.org_id, record.fiscal_year, record.version + 1,
                                           ReportStatus.DRAFT.value, caller.username, at, record.total_t, record.figures,
                                           dict(record.files))
            new_head = replace(head, version=record.version + 1, status=ReportStatus.DRAFT.value, cancellation_pending=False,
                               submitted_at=None, reviewed_t_co2=None, reviewed_basis=None, reviewed_version=None)
            return new_head, replace(record, cancellation=cancellation), reopened, {"reopened_as": record.version + 1}

        return self._move(caller, report_id, Action.GRANT_CANCELLATION, reason=reason, change=change)

    def decide_cancellation(self, caller: Caller, report_id: str, decision: str, reason: str) -> dict[str, Any]:
        """Grant (``grant``) or refuse (``refuse``) the pending approval cancellation request."""
        from chalicelib.emissions.domain.errors import UnknownReviewDecision

        if decision == "grant":
            return self.grant_cancellation(caller, report_id, reason)
        if decision == "refuse":
            return self.refuse_cancellation(caller, report_id, reason)
        raise UnknownReviewDecision(decision=decision[:40], allowed="grant, refuse")

    # --- verifiers -----------------------------------------------------------------------------------

    def assign_verifier(self, org_id: str, fiscal_years: list[int], verifier_org: str, by: str) -> dict[str, Any]:
        """Assign a verification body to an organisation's reports of each fiscal year; a
        change of body is refused while a report is under verification."""
        if self.organisations is not None:
            if self.organisations.get(org_id) is None:
                raise EmissionsOrganisationNotFound(org_id=org_id[:64])
            body = self.organisations.get(verifier_org)
            if body is None or body.kind is not OrganisationKind.VERIFICATION_BODY:
                raise NotVerificationBody(org_id=verifier_org[:64])
        assigned = []
        for fiscal_year in sorted(set(fiscal_years)):
            for _ in range(MAX_ATTEMPTS):
                previous = self.store.assignment(org_id, fiscal_year)
                head = self.store.head(org_id, fiscal_year)
                if previous == verifier_org:
                    break
                if previous and head is not None and head.status == ReportStatus.UNDER_VERIFICATION.value:
                    raise VerificationInProgress(org_id=org_id, fiscal_year=fiscal_year)
                try:
                    self.store.assign(org_id, fiscal_year, verifier_org, previous, by, self.now(), head)
                except CommitFailed:
                    continue
                break
            else:
                raise ReportChanged
            assigned.append({"org_id": org_id, "fiscal_year": fiscal_year, "verifier_org": verifier_org})
        return {"assignments": assigned}

    def working_paper_upload(self, caller: Caller, report_id: str, filename: str, content_type: str, size: int,
                             announce: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """An upload link for a working paper of this report (the verifier assigned only; the
        report must be under verification or verified by it): the documents system announces it
        with the purpose ``working_paper:<report id>``, so its key is scoped to the report and
        checked again on arrival."""
        head = self._visible(caller, report_id)
        if caller.role is not Role.VERIFIER:
            raise ReportNotFound(report_id=report_id[:80])
        status = ReportStatus(head.status)
        if status not in {ReportStatus.UNDER_VERIFICATION, *LOCKED}:
            from chalicelib.emissions.domain.errors import InvalidReportTransition

            raise InvalidReportTransition(action="upload_working_paper", status=status.value)
        return announce(working_paper_purpose(head.report_id))

    def record_working_paper(self, paper: AcceptedWorkingPaper) -> str:
        """Record an accepted working paper against its report (the report named by its
        purpose), once: a redelivered event finds it recorded and writes nothing. The outcome:
        ``recorded``, ``already_recorded``, ``no_report`` (the purpose names no report that
        exists: nothing is written) or ``not_accepted`` (the documents system does not hold
        it as an accepted working paper of that body for that purpose)."""
        report_id = report_of_working_paper(paper.purpose)
        located = parse_report_id(report_id) if report_id is not None else None
        if located is None:
            return "no_report"
        org_id, fiscal_year = located
        head = self.store.head(org_id, fiscal_year)
        if head is None:
            return "no_report"
        document = self.documents.get(paper.document_id) if self.documents is not None else None
        if (document is None or document.status.value != "accepted" or document.kind.value != WORKING_PAPER_KIND
                or document.org_id != paper.verifier_org or document.purpose != paper.purpose):
            return "not_accepted"
        record = WorkingPaperRecord(head.report_id, org_id, fiscal_year, paper.document_id, paper.verifier_org, document.filename,
                                    document.content_type, int(document.size), document.created_by,
                                    document.received_at or self.now(), now_jst().isoformat(timespec="microseconds"))
        return "recorded" if self.store.add_working_paper(record) else "already_recorded"

    def working_papers(self, caller: Caller, report_id: str) -> dict[str, Any]:
        """The report's working papers, newest first: the assigned verifier sees its own
        body's, an administrator every one; anyone else (the participant whose report it is
        included) gets the 404 of a missing report."""
        if caller.role is Role.PARTICIPANT:
            raise ReportNotFound(report_id=report_id[:80])
        head = self._visible(caller, report_id)
        papers = self.store.working_papers(head.org_id, head.fiscal_year)
        if caller.role is Role.VERIFIER:
            papers = [paper for paper in papers if paper.verifier_org == caller.org_id]
        papers.sort(key=lambda paper: (paper.accepted_at, paper.recorded_at, paper.document_id), reverse=True)
        return {"report_id": head.report_id, "working_papers": [working_paper_view(paper) for paper in papers]}
