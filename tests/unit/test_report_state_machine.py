"""The report state machine: every action by every kind of user from every status (with and
without a waiting cancellation request), as a table written out by hand, over the pure
domain AND through the service (a refusal there writes nothing); a locked report cannot
change; a granted cancellation keeps the old version; a transition that loses a race is
decided again on what it finds."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.core.errors import JvetsError
from chalicelib.core.principal import Role
from chalicelib.emissions.domain.reports import (
    Action,
    Actor,
    Misstatement,
    Opinion,
    ReportStatus,
    VerificationReport,
    check_new_version,
    check_opinion,
    next_status,
    parse_report_id,
    report_id_of,
)
from chalicelib.emissions.reporting import Caller, OpinionCommand, Reports
from chalicelib.emissions.service import Emissions
from tests.unit.fakes.emissions import FakeEmissionsStore
from tests.unit.fakes.reports import FakeReportFiles, FakeReportStore, seeded

P, V, A = Actor.PARTICIPANT, Actor.VERIFIER, Actor.ADMIN
LOCKED = ("verified", "accepted", "determined")
#: (action, status, actor, cancellation pending) -> the status after: the only legal moves.
LEGAL: dict[tuple[str, str, Actor, bool], str] = {
    ("submit", "draft", P, False): "submitted",
    ("supersede", "draft", P, False): "superseded",
    ("recall", "submitted", P, False): "recalled",
    ("recall", "under_verification", P, False): "recalled",
    ("begin_verification", "submitted", V, False): "under_verification",
    ("return", "under_verification", V, False): "returned",
    ("record_opinion", "under_verification", V, False): "verified",
    ("accept", "verified", A, False): "accepted",
    ("return_for_amends", "verified", A, False): "returned",
    ("determine", "verified", A, False): "determined",
    **{("request_cancellation", s, P, False): s for s in LOCKED},
    **{("refuse_cancellation", s, A, True): s for s in LOCKED},
    **{("grant_cancellation", s, A, True): "cancelled" for s in LOCKED},
}
ACTIONS = [a for a in Action if a is not Action.CREATE]
STATUSES = list(ReportStatus)


def expected_refusal(action: str, status: str, actor: Actor, pending: bool) -> str:
    owner = {"submit": P, "supersede": P, "recall": P, "request_cancellation": P, "begin_verification": V, "return": V,
             "record_opinion": V}.get(action, A)
    if actor is not owner:
        return "INVALID_REPORT_TRANSITION"
    legal_from = {s for (a, s, _, _) in LEGAL if a == action}
    if status not in legal_from:
        return "REPORT_LOCKED" if status in LOCKED else "INVALID_REPORT_TRANSITION"
    if pending and action in ("accept", "return_for_amends", "determine"):
        return "CANCELLATION_PENDING"
    return "CANCELLATION_ALREADY_REQUESTED" if action == "request_cancellation" else "NO_CANCELLATION_REQUESTED"


CASES = [(a.value, s.value, actor, pending) for a, s, actor, pending in itertools.product(ACTIONS, STATUSES, (P, V, A), (False, True))
         if not pending or s.value in LOCKED]


@pytest.mark.parametrize(("action", "status", "actor", "pending"), CASES)
def test_every_transition_of_the_pure_machine(action, status, actor, pending):
    key = (action, status, actor, pending)
    if key in LEGAL:
        assert next_status(ReportStatus(status), Action(action), actor, cancellation_pending=pending).value == LEGAL[key]
    else:
        with pytest.raises(JvetsError) as refused:
            next_status(ReportStatus(status), Action(action), actor, cancellation_pending=pending)
        assert refused.value.code == expected_refusal(*key)
        assert refused.value.status == (400 if refused.value.code == "REASON_REQUIRED" else 409)


@pytest.mark.parametrize(("latest", "code"), [
    (None, None), ("draft", None), ("returned", None), ("recalled", None), ("cancelled", None),
    ("submitted", "INVALID_REPORT_TRANSITION"), ("under_verification", "INVALID_REPORT_TRANSITION"),
    ("verified", "REPORT_LOCKED"), ("accepted", "REPORT_LOCKED"), ("determined", "REPORT_LOCKED"),
])
def test_a_new_version_follows_only_an_open_or_closed_one(latest, code):
    status = ReportStatus(latest) if latest else None
    if code is None:
        check_new_version(status)
    else:
        with pytest.raises(JvetsError) as refused:
            check_new_version(status)
        assert refused.value.code == code


def test_report_ids_round_trip_and_refuse_anything_else():
    assert parse_report_id(report_id_of("kanto-steel", 2025)) == ("kanto-steel", 2025)
    for bad in ("FY25-x", "2025-kanto", "FY2025-", "FY2025-a/b", "FYabcd-x", "FY2025-" + "a" * 80):
        assert parse_report_id(bad) is None


@pytest.mark.parametrize(("report", "codes"), [
    (VerificationReport(Opinion.VERIFIED, None), ["REQUIRED"]),
    (VerificationReport(Opinion.VERIFIED, -1), ["NEGATIVE"]),
    (VerificationReport(Opinion.VERIFIED, 10, misstatements=(Misstatement("a", "b", True),)), ["MATERIAL_MISSTATEMENT_REQUIRES_NOT_VERIFIED"]),
    (VerificationReport(Opinion.VERIFIED_WITH_COMMENTS, 10), ["COMMENTS_REQUIRED"]),
    (VerificationReport(Opinion.NOT_VERIFIED, None), ["REQUIRED"]),
    (VerificationReport(Opinion.NOT_VERIFIED, None, reasons=("x",), misstatements=(Misstatement("a", "b", True),)), []),
    (VerificationReport(Opinion.VERIFIED_WITH_COMMENTS, 10, improvements=("z",)), []),
])
def test_a_verification_report_that_contradicts_itself_is_refused(report, codes):
    if not codes:
        assert check_opinion(report) == report
        return
    with pytest.raises(JvetsError) as refused:
        check_opinion(report)
    assert refused.value.code == "INVALID_OPINION" and [d["code"] for d in refused.value.details] == codes


# --- through the service ------------------------------------------------------------------------

ORG, FY, BODY = "kanto-steel", 2025, "body"
CALLERS = {P: Caller("kanto", Role.PARTICIPANT, ORG), V: Caller("verifier", Role.VERIFIER, BODY), A: Caller.admin("secretariat")}


def service(store: FakeReportStore) -> Reports:
    return Reports(store, Emissions(FakeEmissionsStore()), files=FakeReportFiles(), build_files=False,
                   now=lambda: "2026-06-01T00:00:00+09:00")


def run(reports: Reports, action: str, caller: Caller, report_id: str) -> dict:
    if action == "supersede":
        return reports.create(caller, FY)
    calls = {
        "submit": lambda: reports.submit(caller, report_id),
        "recall": lambda: reports.recall(caller, report_id, "理由"),
        "begin_verification": lambda: reports.begin_verification(caller, report_id),
        "return": lambda: reports.return_to_participant(caller, report_id, "不足"),
        "record_opinion": lambda: reports.record_opinion(caller, report_id, OpinionCommand("verified", 99)),
        "accept": lambda: reports.accept(caller, report_id),
        "return_for_amends": lambda: reports.return_for_amends(caller, report_id, "修正を"),
        "determine": lambda: reports.determine(caller, report_id, 120, "決定"),
        "request_cancellation": lambda: reports.request_cancellation(caller, report_id, "取消を"),
        "refuse_cancellation": lambda: reports.refuse_cancellation(caller, report_id, "不可"),
        "grant_cancellation": lambda: reports.grant_cancellation(caller, report_id, "可"),
    }
    return calls[action]()


@pytest.mark.parametrize(("action", "status", "actor", "pending"), CASES)
def test_every_transition_through_the_service(action, status, actor, pending):
    store = FakeReportStore()
    report_id = seeded(store, ORG, FY, status, pending=pending)
    before = store.snapshot()
    key = (action, status, actor, pending)
    reports = service(store)
    verifier_hidden = actor is V and status == "draft"
    if action == "supersede":
        # Through the service this is a participant's new version (POST /emissions/reports): it
        # supersedes a draft, follows a returned, recalled or cancelled version untouched, and is
        # refused otherwise; nobody else makes one.
        if actor is P and status in ("draft", "returned", "recalled", "cancelled"):
            answer = run(reports, action, CALLERS[actor], report_id)
            assert [v["status"] for v in answer["versions"]] == ["superseded" if status == "draft" else status, "draft"]
            assert store.head(ORG, FY).version == 2
            return
        with pytest.raises(JvetsError) as refused:
            run(reports, action, CALLERS[actor], report_id)
        code = "ORGANISATION_NOT_FOUND" if actor is not P else ("REPORT_LOCKED" if status in LOCKED else "INVALID_REPORT_TRANSITION")
        assert refused.value.code == code
        assert store.snapshot() == before
        return
    if key in LEGAL:
        answer = run(reports, action, CALLERS[actor], report_id)
        latest = store.head(ORG, FY)
        assert store.version(ORG, FY, 1).status == LEGAL[key]
        transition = store.history(ORG, FY)[1][-1]
        assert (transition.action, transition.from_status, transition.to_status, transition.version) == (action, status, LEGAL[key], 1)
        assert transition.by == CALLERS[actor].username and transition.sequence == 3
        if action == "grant_cancellation":
            assert (latest.version, latest.status, latest.reviewed_t_co2) == (2, "draft", None)
            assert answer["versions"][0]["status"] == "cancelled"
        else:
            assert latest.status == LEGAL[key] and answer["status"] == LEGAL[key]
        return
    with pytest.raises(JvetsError) as refused:
        run(reports, action, CALLERS[actor], report_id)
    expected = "REPORT_NOT_FOUND" if verifier_hidden else expected_refusal(*key)
    assert refused.value.code == expected
    assert store.snapshot() == before and store.commits == 0


def test_a_locked_report_keeps_its_figures_and_opinion_whatever_the_participant_does():
    store = FakeReportStore()
    report_id = seeded(store, ORG, FY, "verified")
    before = store.snapshot()
    reports = service(store)
    participant = CALLERS[P]
    for attempt in (lambda: reports.submit(participant, report_id), lambda: reports.recall(participant, report_id),
                    lambda: reports.create(participant, FY)):
        with pytest.raises(JvetsError) as refused:
            attempt()
        assert refused.value.code == "REPORT_LOCKED"
    assert store.snapshot() == before


def test_a_granted_cancellation_keeps_the_old_version_and_withdraws_the_reviewed_figure():
    store = FakeReportStore()
    report_id = seeded(store, ORG, FY, "accepted", pending=True)
    emissions = Emissions(FakeEmissionsStore(), reports=store)
    assert emissions.reviewed_emissions(ORG, FY).t_co2 == 100
    answer = service(store).grant_cancellation(CALLERS[A], report_id, "申請のとおり")
    old, new = store.version(ORG, FY, 1), store.version(ORG, FY, 2)
    assert old.status == "cancelled" and old.review == {"decision": "accepted"} and old.verification["verified_t_co2"] == 100
    assert old.cancellation["state"] == "granted" and old.cancellation["decision_reason"] == "申請のとおり"
    assert new.status == "draft" and new.figures == old.figures and new.submitted_at is None
    assert emissions.reviewed_emissions(ORG, FY) is None
    assert [(s.version, s.status) for s in emissions.report_states(FY)] == [(2, "draft")]
    assert [v["version"] for v in answer["versions"]] == [1, 2]


def test_reviewed_emissions_never_gives_an_unreviewed_figure():
    store = FakeReportStore()
    emissions = Emissions(FakeEmissionsStore(), reports=store)
    for status in ("draft", "submitted", "under_verification", "verified", "returned", "recalled"):
        seeded(store, ORG, FY, status)
        assert emissions.reviewed_emissions(ORG, FY) is None
    seeded(store, ORG, FY, "determined")
    reviewed = emissions.reviewed_emissions(ORG, FY)
    assert (reviewed.t_co2, reviewed.basis, reviewed.report_id, reviewed.version) == (100, "determined", "FY2025-kanto-steel", 1)


def test_a_transition_that_loses_a_race_is_decided_again_on_what_it_finds():
    store = FakeReportStore()
    report_id = seeded(store, ORG, FY, "submitted")
    reports = service(store)
    # The verifier begins while the participant's recall is on its way: the recall still applies.
    store.meanwhile(lambda: reports.begin_verification(CALLERS[V], report_id))
    answer = reports.recall(CALLERS[P], report_id, "見直し")
    assert answer["status"] == "recalled"
    assert [t.action for t in store.history(ORG, FY)[1]] == ["begin_verification", "recall"]
    # The participant recalls while the verifier's return is on its way: the return is refused.
    report_id = seeded(store, "minato", FY, "under_verification")
    store.meanwhile(lambda: reports.recall(Caller("minato", Role.PARTICIPANT, "minato"), report_id, "x"))
    with pytest.raises(JvetsError) as refused:
        reports.return_to_participant(CALLERS[V], report_id, "不足")
    assert refused.value.code == "INVALID_REPORT_TRANSITION"


def test_a_verifier_whose_assignment_moves_away_mid_way_sees_a_missing_report():
    store = FakeReportStore()
    report_id = seeded(store, ORG, FY, "submitted")
    store.meanwhile(lambda: store.memory.assignments.__setitem__((ORG, FY), "another-body"))
    with pytest.raises(JvetsError) as refused:
        service(store).begin_verification(CALLERS[V], report_id)
    assert refused.value.code == "REPORT_NOT_FOUND"
    assert store.head(ORG, FY).status == "submitted"
