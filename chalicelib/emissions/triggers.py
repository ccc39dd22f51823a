"""The emissions system's subscriptions: an accepted ``performance_sheet`` document is
read and imported whole, or refused whole, and the outcome is recorded on the document
(``GET /documents/{id}`` shows it as its ``review``); an accepted ``working_paper`` is
recorded against its report (``GET /emissions/reports/{id}/working-papers`` lists it).

It runs inside ``document_arrived`` (events are delivered in the publisher's
invocation). A refused sheet is a normal outcome, recorded; a failure (the table or the
bucket unavailable) raises, so the invocation fails and S3's event is delivered again:
the document's id is the import's id, so a second delivery replays the import.
"""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import container
from chalicelib.core import events
from chalicelib.core.observability import logger
from chalicelib.documents.domain.events import DocumentAccepted

#: Nothing of its own to route: registering it on the app (``app.py``) imports this
#: module, which subscribes to the events below in every function of the app.
blueprint = Blueprint(__name__)

REVIEWER = "emissions"


@events.subscribe(DocumentAccepted)
def import_performance_sheet(event: DocumentAccepted) -> None:
    from chalicelib.core.clock import iso_now
    from chalicelib.core.settings import get_settings
    from chalicelib.documents import service as documents
    from chalicelib.documents.domain.documents import Review, ReviewProblem
    from chalicelib.emissions.adapters import EmissionsStore, SheetFiles
    from chalicelib.emissions.domain.imports import SHEET_KIND
    from chalicelib.emissions.service import Emissions, SheetUpload

    if event.kind != SHEET_KIND:
        return
    store = container.document_store()
    current = store.get(event.document_id)
    if current is not None and current.review is not None and current.review.reviewer == REVIEWER \
            and current.review.outcome == "imported":
        # Already imported and recorded: a redelivery changes nothing, not even the review.
        # (Importing again would be safe too: the year head remembers every import it made
        # current, so it would be a replay and could never undo a later import.)
        return
    service = Emissions(container.store(EmissionsStore), documents=store, organisations=container.organisations())
    upload = SheetUpload(event.document_id, event.org_id, event.key, event.version_id, event.purpose, event.bucket, event.uploaded_by)
    outcome = service.import_sheet(upload, SheetFiles(container.s3_client(), event.bucket or get_settings().documents_bucket))
    review = Review(REVIEWER, outcome.outcome, tuple(ReviewProblem(**problem) for problem in outcome.problems), outcome.summary,
                    iso_now())
    documents.record_review(event.document_id, review, documents=store)
    logger.info("performance sheet reviewed", extra={"document_id": event.document_id, "org_id": event.org_id,
                                                     "outcome": outcome.outcome, "problems": len(outcome.problems)})


@events.subscribe(DocumentAccepted)
def record_working_paper(event: DocumentAccepted) -> None:
    """An accepted ``working_paper`` document is recorded against the report its purpose
    names (once: a redelivered event writes nothing); one naming no report is logged and
    left alone."""
    from chalicelib.emissions.adapters import EmissionsStore, ReportStore
    from chalicelib.emissions.reporting import WORKING_PAPER_KIND, AcceptedWorkingPaper, Reports
    from chalicelib.emissions.service import Emissions

    if event.kind != WORKING_PAPER_KIND:
        return
    emissions = Emissions(container.store(EmissionsStore), documents=container.document_store(), organisations=container.organisations())
    reports = Reports(container.store(ReportStore), emissions, documents=container.document_store())
    outcome = reports.record_working_paper(AcceptedWorkingPaper(event.document_id, event.org_id, event.purpose))
    log = logger.info if outcome in ("recorded", "already_recorded") else logger.warning
    log("working paper", extra={"document_id": event.document_id, "verifier_org": event.org_id, "purpose": event.purpose,
                                "outcome": outcome})
