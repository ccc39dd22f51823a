"""Calculation reports, their verification and the administrator's review, without AWS.

A report is one organisation's fiscal year (``report_id`` = ``FY<year>-<org_id>``); it has
numbered versions, each pinning the figures of the calculation it was made from. Only the
latest version moves; every earlier one is closed (returned, recalled, superseded or
cancelled) and kept as it was. The lifecycle of a version (after the UK reporting
service, METS):

====================  ======================  ===========  =====================
action                from                    actor        to
====================  ======================  ===========  =====================
submit                draft                   participant  submitted
recall                submitted,              participant  recalled
                      under_verification
supersede             draft                   participant  superseded (a newer draft)
begin_verification    submitted               verifier     under_verification
return                under_verification      verifier     returned
record_opinion        under_verification      verifier     verified (locked)
accept                verified                admin        accepted
return_for_amends     verified                admin        returned
determine             verified                admin        determined
request_cancellation  verified, accepted,     participant  (unchanged, pending)
                      determined
refuse_cancellation   (pending)               admin        (unchanged)
(anything else)       (pending)               -            refused: CANCELLATION_PENDING
grant_cancellation    (pending)               admin        cancelled (a new draft)
====================  ======================  ===========  =====================

Returned, recalled, superseded and cancelled versions are closed: the participant makes a
new version. A verified, accepted or determined version is locked: nothing of it changes,
only a granted cancellation closes it. Only an accepted or determined figure is ever
given to allocation and true-up (``ReviewedEmissions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from chalicelib.emissions.domain.errors import (
    CancellationAlreadyRequested,
    CancellationPending,
    InvalidOpinion,
    InvalidReportTransition,
    NoCancellationRequested,
    OpinionNotVerified,
    ReasonRequired,
    ReportIncomplete,
    ReportLocked,
)

REPORT_ID_PREFIX = "FY"
MAX_REASON = 2000
MAX_ITEMS = 50


class ReportStatus(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_VERIFICATION = "under_verification"
    VERIFIED = "verified"
    RETURNED = "returned"
    RECALLED = "recalled"
    SUPERSEDED = "superseded"
    ACCEPTED = "accepted"
    DETERMINED = "determined"
    CANCELLED = "cancelled"


class Actor(str, Enum):
    PARTICIPANT = "participant"
    VERIFIER = "verifier"
    ADMIN = "admin"


class Action(str, Enum):
    CREATE = "create"
    SUBMIT = "submit"
    RECALL = "recall"
    SUPERSEDE = "supersede"
    BEGIN_VERIFICATION = "begin_verification"
    RETURN = "return"
    RECORD_OPINION = "record_opinion"
    ACCEPT = "accept"
    RETURN_FOR_AMENDS = "return_for_amends"
    DETERMINE = "determine"
    REQUEST_CANCELLATION = "request_cancellation"
    REFUSE_CANCELLATION = "refuse_cancellation"
    GRANT_CANCELLATION = "grant_cancellation"


S = ReportStatus
#: A locked version: its figures and opinion never change.
LOCKED = frozenset({S.VERIFIED, S.ACCEPTED, S.DETERMINED})
#: A closed version: kept as it was, the participant makes a new one.
CLOSED = frozenset({S.RETURNED, S.RECALLED, S.SUPERSEDED, S.CANCELLED})
#: The participant's draft of a new version may follow the latest version in these states.
NEW_VERSION_AFTER = frozenset({S.DRAFT, S.RETURNED, S.RECALLED})
#: Statuses whose figure is the reviewed one.
REVIEWED = frozenset({S.ACCEPTED, S.DETERMINED})


@dataclass(frozen=True)
class Rule:
    actor: Actor
    sources: frozenset[ReportStatus]
    #: ``None``: the status stays (a cancellation request, or its refusal).
    target: ReportStatus | None


RULES: dict[Action, Rule] = {
    Action.SUBMIT: Rule(Actor.PARTICIPANT, frozenset({S.DRAFT}), S.SUBMITTED),
    Action.RECALL: Rule(Actor.PARTICIPANT, frozenset({S.SUBMITTED, S.UNDER_VERIFICATION}), S.RECALLED),
    Action.SUPERSEDE: Rule(Actor.PARTICIPANT, frozenset({S.DRAFT}), S.SUPERSEDED),
    Action.BEGIN_VERIFICATION: Rule(Actor.VERIFIER, frozenset({S.SUBMITTED}), S.UNDER_VERIFICATION),
    Action.RETURN: Rule(Actor.VERIFIER, frozenset({S.UNDER_VERIFICATION}), S.RETURNED),
    Action.RECORD_OPINION: Rule(Actor.VERIFIER, frozenset({S.UNDER_VERIFICATION}), S.VERIFIED),
    Action.ACCEPT: Rule(Actor.ADMIN, frozenset({S.VERIFIED}), S.ACCEPTED),
    Action.RETURN_FOR_AMENDS: Rule(Actor.ADMIN, frozenset({S.VERIFIED}), S.RETURNED),
    Action.DETERMINE: Rule(Actor.ADMIN, frozenset({S.VERIFIED}), S.DETERMINED),
    Action.REQUEST_CANCELLATION: Rule(Actor.PARTICIPANT, LOCKED, None),
    Action.REFUSE_CANCELLATION: Rule(Actor.ADMIN, LOCKED, None),
    Action.GRANT_CANCELLATION: Rule(Actor.ADMIN, LOCKED, S.CANCELLED),
}
CANCELLATIONS = frozenset({Action.REQUEST_CANCELLATION, Action.REFUSE_CANCELLATION, Action.GRANT_CANCELLATION})
#: Actions that need a reason (who, when and why are kept for every transition).
NEEDS_REASON = frozenset({Action.RETURN, Action.RETURN_FOR_AMENDS, Action.DETERMINE, Action.REQUEST_CANCELLATION,
                          Action.REFUSE_CANCELLATION, Action.GRANT_CANCELLATION})


def report_id_of(org_id: str, fiscal_year: int) -> str:
    return f"{REPORT_ID_PREFIX}{fiscal_year}-{org_id}"


def parse_report_id(report_id: str) -> tuple[str, int] | None:
    """``(org_id, fiscal_year)`` of a report id, ``None`` if it cannot be one."""
    if not report_id.startswith(REPORT_ID_PREFIX) or len(report_id) > 80:
        return None
    year, _, org_id = report_id[len(REPORT_ID_PREFIX):].partition("-")
    if len(year) != 4 or not year.isdigit() or not org_id or not all(c.isalnum() or c == "-" for c in org_id):
        return None
    return org_id, int(year)


#: What a working paper is announced for: ``working_paper:<report id>``.
WORKING_PAPER_PURPOSE = "working_paper"


def working_paper_purpose(report_id: str) -> str:
    return f"{WORKING_PAPER_PURPOSE}:{report_id}"


def report_of_working_paper(purpose: str | None) -> str | None:
    """The report id a working paper's purpose names, ``None`` if it names none."""
    what, _, report_id = (purpose or "").partition(":")
    if what != WORKING_PAPER_PURPOSE or parse_report_id(report_id) is None:
        return None
    return report_id


def next_status(status: ReportStatus, action: Action, actor: Actor, *, cancellation_pending: bool = False) -> ReportStatus:
    """The status after ``action`` by ``actor`` on a version in ``status``, or the refusal:
    ``REPORT_LOCKED`` for a change to a locked version, ``INVALID_REPORT_TRANSITION`` for
    anything else the table does not allow."""
    rule = RULES.get(action)
    if rule is None or rule.actor is not actor:
        raise InvalidReportTransition(action=action.value, status=status.value)
    if status not in rule.sources:
        if status in LOCKED:
            raise ReportLocked(status=status.value, action=action.value)
        raise InvalidReportTransition(action=action.value, status=status.value)
    if action is Action.REQUEST_CANCELLATION and cancellation_pending:
        raise CancellationAlreadyRequested()
    if action in (Action.REFUSE_CANCELLATION, Action.GRANT_CANCELLATION) and not cancellation_pending:
        raise NoCancellationRequested(status=status.value)
    if cancellation_pending and action not in CANCELLATIONS:
        raise CancellationPending(action=action.value)
    return rule.target or status


def may_make_new_version(latest: ReportStatus | None) -> bool:
    """A participant's ``POST /emissions/reports`` after the latest version's status."""
    return latest is None or latest in NEW_VERSION_AFTER or latest is S.CANCELLED


def check_new_version(latest: ReportStatus | None) -> None:
    if latest is None or may_make_new_version(latest):
        return
    if latest in LOCKED:
        raise ReportLocked(status=latest.value, action=Action.CREATE.value)
    raise InvalidReportTransition(action=Action.CREATE.value, status=latest.value)


def clean_reason(reason: str | None, action: Action) -> str | None:
    text = (reason or "").strip()
    if action in NEEDS_REASON and not text:
        raise ReasonRequired(field="reason", action=action.value)
    if len(text) > MAX_REASON:
        raise ReasonRequired(field="reason", action=action.value)
    return text or None


def check_submittable(missing_months: int) -> None:
    if missing_months:
        raise ReportIncomplete(missing=missing_months)


# --- the verifier's opinion -------------------------------------------------------------


class Opinion(str, Enum):
    VERIFIED = "verified"
    VERIFIED_WITH_COMMENTS = "verified_with_comments"
    NOT_VERIFIED = "not_verified"


@dataclass(frozen=True)
class Misstatement:
    reference: str
    explanation: str
    material: bool


@dataclass(frozen=True)
class VerificationReport:
    """The verifier's report: the opinion, the verified emissions in whole t-CO2 (``None``
    only when not verified), the reasons of a negative opinion, uncorrected misstatements
    and recommended improvements."""

    opinion: Opinion
    verified_t_co2: int | None
    reasons: tuple[str, ...] = ()
    misstatements: tuple[Misstatement, ...] = ()
    improvements: tuple[str, ...] = ()


def check_opinion(report: VerificationReport) -> VerificationReport:
    """Refuse a verification report that contradicts itself."""
    problems: list[dict[str, str]] = []
    if report.verified_t_co2 is not None and report.verified_t_co2 < 0:
        problems.append({"field": "verified_t_co2", "code": "NEGATIVE"})
    if report.opinion is not Opinion.NOT_VERIFIED:
        if report.verified_t_co2 is None:
            problems.append({"field": "verified_t_co2", "code": "REQUIRED"})
        if any(m.material for m in report.misstatements):
            problems.append({"field": "misstatements", "code": "MATERIAL_MISSTATEMENT_REQUIRES_NOT_VERIFIED"})
    else:
        if not any(r.strip() for r in report.reasons):
            problems.append({"field": "reasons", "code": "REQUIRED"})
    if report.opinion is Opinion.VERIFIED_WITH_COMMENTS and not (report.misstatements or report.improvements):
        problems.append({"field": "misstatements", "code": "COMMENTS_REQUIRED"})
    for index, m in enumerate(report.misstatements):
        if not m.reference.strip() or not m.explanation.strip():
            problems.append({"field": f"misstatements[{index}]", "code": "REQUIRED"})
    if max(len(report.reasons), len(report.misstatements), len(report.improvements)) > MAX_ITEMS:
        problems.append({"field": "misstatements", "code": "TOO_MANY"})
    texts = [*report.reasons, *report.improvements, *(m.reference for m in report.misstatements),
             *(m.explanation for m in report.misstatements)]
    if any(len(t) > MAX_REASON for t in texts):
        problems.append({"field": "reasons", "code": "TOO_LONG"})
    if problems:
        raise InvalidOpinion(count=len(problems), details=problems)
    return report


def check_acceptable(opinion: Opinion | None) -> None:
    """Only a positive opinion can be accepted as it is; a negative one is determined or returned."""
    if opinion is None or opinion is Opinion.NOT_VERIFIED:
        raise OpinionNotVerified()


# --- what other systems read --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedEmissions:
    """An organisation's emissions of a fiscal year as the administrator accepted or
    determined them (never an unreviewed figure), in whole t-CO2."""

    org_id: str
    fiscal_year: int
    t_co2: int
    basis: Literal["accepted", "determined"]
    report_id: str
    version: int


@dataclass(frozen=True)
class ReportState:
    """Where an organisation's report of a fiscal year stands (for the overdue list)."""

    org_id: str
    report_id: str
    version: int
    status: str
    submitted_at: str | None


@dataclass(frozen=True)
class Transition:
    """One step of a report's history: who, when, what and why."""

    report_id: str
    sequence: int
    version: int
    action: str
    from_status: str | None
    to_status: str
    by: str
    role: str
    at: str
    reason: str | None = None
    details: dict[str, object] = field(default_factory=dict)
