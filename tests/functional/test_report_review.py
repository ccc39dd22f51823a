"""The administrator's review of calculation reports through the API on moto, signed in
with MFA: accept, return for amends and determine a verified report, grant and refuse an
approval cancellation request; the reviewer recorded is the signed-in administrator; the
reviewed emissions are what compliance reads afterwards. Refusals (participant, verifier,
an administrator without MFA, illegal transitions, a determination without t-CO2, a second
decision) are typed and write nothing."""

from __future__ import annotations

import pytest

from chalicelib import container
from chalicelib.core.principal import Principal, Role
from chalicelib.emissions.domain.errors import ReviewNeedsMfa
from chalicelib.emissions.domain.reports import ReviewedEmissions
from tests.conftest import admin, scan_registry
from tests.functional.test_reports import FY, REPORT, call, expect, two_bodies

BASE = f"/emissions/reports/{REPORT}"
REVIEW, DECISION = f"{BASE}/review", f"{BASE}/cancellation-requests/decision"
NO_MFA_ADMIN = {"username": "review-admin", "password": "Review-Admin-2026!"}


@pytest.fixture(scope="module")
def world(api, demo, local_aws, aws_client):
    tokens = two_bodies(api, demo)
    admin("create_user", {**NO_MFA_ADMIN, "email": "review-admin@example.jp", "org_id": "moe", "role": "admin"})
    signed_in = aws_client("cognito-idp").initiate_auth(
        ClientId=local_aws["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": NO_MFA_ADMIN["username"], "PASSWORD": NO_MFA_ADMIN["password"]})
    tokens["admin_no_mfa"] = signed_in["AuthenticationResult"]["IdToken"]
    return tokens


def verified(api, world, opinion="verified"):
    """A fresh version of Kanto's FY2025 report, submitted and verified; its total."""
    report = expect(call(api, world, "kanto", "POST", "/emissions/reports", {"fiscal_year": FY}), 201)
    expect(call(api, world, "kanto", "POST", f"{BASE}/submit", {}), 200)
    expect(call(api, world, "verifier", "POST", f"{BASE}/verification/begin", {}), 200)
    body = ({"opinion": "verified", "verified_t_co2": report["figures"]["total_t"]} if opinion == "verified"
            else {"opinion": "not_verified", "reasons": ["証憑が確認できない月がある"]})
    assert expect(call(api, world, "verifier", "POST", f"{BASE}/verification/opinion", body), 200)["status"] == "verified"
    return report["figures"]["total_t"]


def unchanged(local_aws, before, answer, status, code):
    expect(answer, status, code)
    assert scan_registry(local_aws) == before


def test_refusals_of_a_review_write_nothing(api, world, local_aws):
    verified(api, world)
    before = scan_registry(local_aws)
    for who in ("kanto", "minato", "verifier", "verifier2"):
        unchanged(local_aws, before, call(api, world, who, "POST", REVIEW, {"decision": "accept"}), 403, "FORBIDDEN")
        unchanged(local_aws, before, call(api, world, who, "POST", DECISION, {"decision": "grant", "reason": "x"}), 403, "FORBIDDEN")
    # An administrator without a second factor: the authorizer refuses the token...
    unchanged(local_aws, before, call(api, world, "admin_no_mfa", "POST", REVIEW, {"decision": "accept"}), 401, "INVALID_TOKEN")
    # ... and the decision itself insists on an MFA session.
    from chalicelib.emissions import routes
    from chalicelib.emissions.schemas import CancellationDecisionRequest, ReviewRequest

    no_mfa = Principal(username="admin", role=Role.ADMIN, org_id="moe", mfa=False)
    with pytest.raises(ReviewNeedsMfa):
        routes.review_decision(no_mfa, REPORT, ReviewRequest(decision="accept"))
    with pytest.raises(ReviewNeedsMfa):
        routes.cancellation_decision(no_mfa, REPORT, CancellationDecisionRequest(decision="refuse", reason="x"))
    assert scan_registry(local_aws) == before
    # Bad input: a determination without t-CO2, or with a negative or fractional one; no reason where one is due;
    # an unknown decision; a body field naming the reviewer; no cancellation request to decide.
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "determine", "reason": "根拠"}), 400,
              "T_CO2_REQUIRED")
    for t_co2 in (-1, 1.5, "12"):
        unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "determine", "t_co2": t_co2, "reason": "x"}),
                  400, "VALIDATION_ERROR")
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "determine", "t_co2": 10}), 400,
              "REASON_REQUIRED")
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "return_for_amends", "reason": "  "}), 400,
              "REASON_REQUIRED")
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "approve"}), 400, "VALIDATION_ERROR")
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "accept", "reviewed_by": "someone"}), 400,
              "VALIDATION_ERROR")
    unchanged(local_aws, before, call(api, world, "admin", "POST", DECISION, {"decision": "grant", "reason": "x"}), 409,
              "NO_CANCELLATION_REQUESTED")
    unchanged(local_aws, before, call(api, world, "admin", "POST", DECISION, {"decision": "grant"}), 400, "VALIDATION_ERROR")
    unchanged(local_aws, before, call(api, world, "admin", "POST", "/emissions/reports/FY2025-no-such-org/review", {"decision": "accept"}),
              404, "REPORT_NOT_FOUND")
    assert expect(call(api, world, "admin", "GET", BASE), 200)["status"] == "verified"


def test_an_administrator_accepts_then_refuses_and_grants_a_cancellation(api, world, local_aws):
    total = expect(call(api, world, "admin", "GET", BASE), 200)["versions"][-1]["verification"]["verified_t_co2"]
    service = container.emissions_service()
    assert service.reviewed_emissions("kanto-steel", FY) is None
    accepted = expect(call(api, world, "admin", "POST", REVIEW, {"decision": "accept", "reason": "検証結果のとおり"}), 200)
    assert accepted["status"] == "accepted" and accepted["reviewed"] == {"t_co2": total, "basis": "accepted", "version": 1}
    last = accepted["history"][-1]
    assert (last["action"], last["by"], last["role"], last["reason"]) == ("accept", "admin", "admin", "検証結果のとおり")
    assert accepted["versions"][-1]["review"]["by"] == "admin"
    assert service.reviewed_emissions("kanto-steel", FY) == ReviewedEmissions("kanto-steel", FY, total, "accepted", REPORT, 1)

    # A second decision on the accepted report is refused and writes nothing.
    before = scan_registry(local_aws)
    for body in ({"decision": "accept"}, {"decision": "determine", "t_co2": 1, "reason": "x"},
                 {"decision": "return_for_amends", "reason": "x"}):
        unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, body), 409, "REPORT_LOCKED")

    expect(call(api, world, "kanto", "POST", f"{BASE}/cancellation-requests", {"reason": "算定範囲の誤り"}), 201)
    before = scan_registry(local_aws)
    unchanged(local_aws, before, call(api, world, "admin", "POST", REVIEW, {"decision": "accept"}), 409, "REPORT_LOCKED")
    refused = expect(call(api, world, "admin", "POST", DECISION, {"decision": "refuse", "reason": "根拠が示されていない"}), 200)
    assert (refused["status"], refused["cancellation_pending"], refused["reviewed"]["t_co2"]) == ("accepted", False, total)
    assert refused["versions"][-1]["cancellation"]["decided_by"] == "admin"
    assert (refused["history"][-1]["action"], refused["history"][-1]["by"]) == ("refuse_cancellation", "admin")
    assert service.reviewed_emissions("kanto-steel", FY) is not None

    expect(call(api, world, "kanto", "POST", f"{BASE}/cancellation-requests", {"reason": "範囲の誤りの証拠を添付"}), 201)
    granted = expect(call(api, world, "admin", "POST", DECISION, {"decision": "grant", "reason": "申請のとおり"}), 200)
    assert (granted["version"], granted["status"], granted["reviewed"]) == (2, "draft", None)
    assert [(v["version"], v["status"]) for v in granted["versions"]] == [(1, "cancelled"), (2, "draft")]
    assert (granted["history"][-1]["action"], granted["history"][-1]["by"]) == ("grant_cancellation", "admin")
    assert service.reviewed_emissions("kanto-steel", FY) is None
    expect(call(api, world, "admin", "POST", DECISION, {"decision": "refuse", "reason": "x"}), 409, "INVALID_REPORT_TRANSITION")


def test_an_administrator_returns_for_amends_and_determines(api, world, local_aws):
    # Version 2 (reopened by the grant) is superseded by a fresh draft, verified, and returned for amends.
    verified(api, world)
    returned = expect(call(api, world, "admin", "POST", REVIEW, {"decision": "return_for_amends", "reason": "排出源No.3の区分を確認"}),
                      200)
    assert returned["status"] == "returned" and returned["reviewed"] is None
    assert (returned["history"][-1]["action"], returned["history"][-1]["by"], returned["history"][-1]["reason"]) == (
        "return_for_amends", "admin", "排出源No.3の区分を確認")
    review = returned["versions"][-1]["review"]
    assert (review["decision"], review["by"]) == ("returned_for_amends", "admin")
    expect(call(api, world, "admin", "POST", REVIEW, {"decision": "accept"}), 409, "INVALID_REPORT_TRANSITION")

    # Amended and verified negatively: the administrator determines the emissions.
    verified(api, world, opinion="not_verified")
    expect(call(api, world, "admin", "POST", REVIEW, {"decision": "accept"}), 409, "OPINION_NOT_VERIFIED")
    determined = expect(call(api, world, "admin", "POST", REVIEW, {"decision": "determine", "t_co2": 5000,
                                                                   "reason": "保守的に算定した値で決定"}), 200)
    version = determined["version"]
    assert determined["status"] == "determined" and determined["reviewed"] == {"t_co2": 5000, "basis": "determined", "version": version}
    assert (determined["history"][-1]["action"], determined["history"][-1]["by"]) == ("determine", "admin")
    assert determined["versions"][-1]["review"]["by"] == "admin"
    assert container.emissions_service().reviewed_emissions("kanto-steel", FY) == ReviewedEmissions(
        "kanto-steel", FY, 5000, "determined", REPORT, version)
    # The console's function makes the same decisions through the same service: here, refused the same way.
    from chalicelib.admin import FUNCTIONS

    assert FUNCTIONS["review_report"]({"report_id": REPORT, "decision": "accept"}, None)["error"]["code"] == "REPORT_LOCKED"
