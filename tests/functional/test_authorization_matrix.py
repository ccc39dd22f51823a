"""Every route and every administrator function, called as every kind of caller.

Each cell is the exact status and error code. A route of the app without a row, or an
administrator function that the table does not know, fails the test.
"""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from moto.utilities.utils import load_resource

from app import app
from chalicelib.admin import FUNCTIONS
from tests.conftest import executed, token_from_another_pool
from tests.functional.test_matching_authorization import MATCHING_MATRIX

#: admin_no_mfa: an administrator who has not enrolled an authenticator and took an ID
#: token straight from Cognito (InitiateAuth with the portal's public client id).
CALLERS = ("none", "holder", "other_org", "verifier", "admin", "admin_no_mfa", "other_pool", "expired")
OK, BAD = (200, None), (401, "INVALID_TOKEN")
NO_TOKEN = (401, None)  # chalice local's gateway answers before our code: {"message": "Unauthorized"}


def _row(holder, other_org, verifier, admin, none=NO_TOKEN):
    return {"none": none, "holder": holder, "other_org": other_org, "verifier": verifier, "admin": admin,
            "admin_no_mfa": BAD, "other_pool": BAD, "expired": BAD}


def _public(cell):
    return dict.fromkeys(CALLERS, cell)


NOT_FOUND = (404, "ACCOUNT_NOT_FOUND")
FORBIDDEN = (403, "FORBIDDEN")
ORG_NOT_FOUND = (404, "ORGANISATION_NOT_FOUND")
SOURCE_NOT_FOUND = (404, "SOURCE_NOT_FOUND")
REPORT_NOT_FOUND = (404, "REPORT_NOT_FOUND")
BAD_MOVE = (409, "INVALID_REPORT_TRANSITION")
PHASE_NOT_FOUND = (404, "PHASE_NOT_FOUND")
MATRIX = {
    ("GET", "/health"): _public(OK),
    ("GET", "/openapi.json"): _public(OK),
    ("GET", "/market"): _public(OK),
    ("POST", "/auth/login"): _public((401, "AUTH_FAILED")),
    ("POST", "/auth/refresh"): _public((401, "AUTH_FAILED")),
    ("POST", "/auth/new-password"): _public((401, "AUTH_FAILED")),
    ("POST", "/auth/mfa"): _public((401, "AUTH_FAILED")),
    ("POST", "/auth/mfa/setup"): _public((401, "AUTH_FAILED")),
    ("GET", "/me"): _row(OK, OK, OK, OK),
    # With a made-up access token: the caller passes, Cognito refuses the token.
    ("POST", "/auth/logout"): _row((401, "AUTH_FAILED"), (401, "AUTH_FAILED"), (401, "AUTH_FAILED"), (401, "AUTH_FAILED")),
    ("GET", "/accounts/{number}"): _row(OK, NOT_FOUND, NOT_FOUND, OK),
    ("GET", "/accounts/{number}/balance"): _row(OK, NOT_FOUND, NOT_FOUND, OK),
    # The holder's name of any account is what a sender sees before confirming a transfer.
    ("GET", "/accounts/{number}/holder"): _row(OK, OK, OK, OK),
    ("GET", "/accounts/{number}/transactions"): _row(OK, NOT_FOUND, NOT_FOUND, OK),
    ("GET", "/transactions/{transaction_id}"): _row(OK, (404, "TRANSACTION_NOT_FOUND"), (404, "TRANSACTION_NOT_FOUND"), OK),
    ("POST", "/transfers"): _row((201, None), NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("POST", "/retirements"): _row((201, None), NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # Participants announce their own organisation's documents; the document is theirs.
    ("POST", "/documents"): _row((201, None), (201, None), (403, "FORBIDDEN"), (403, "FORBIDDEN")),
    ("GET", "/documents/{document_id}"): _row(OK, (404, "DOCUMENT_NOT_FOUND"), (404, "DOCUMENT_NOT_FOUND"), OK),
    # Emissions: participants write their own organisation; reads name it (?org_id=kanto-steel): another participant
    # gets the 404 of a missing organisation, an administrator reads it; verifiers wait for the verification issue.
    ("POST", "/emissions/sites"): _row((201, None), (201, None), FORBIDDEN, FORBIDDEN),
    ("GET", "/emissions/sites"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    ("POST", "/emissions/sources"): _row((201, None), (404, "SITE_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("GET", "/emissions/sources"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    ("GET", "/emissions/sources/{source_id}"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    ("PUT", "/emissions/sources/{source_id}"): _row(OK, SOURCE_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ("DELETE", "/emissions/sources/{source_id}"): _row((409, "SOURCE_IN_USE"), SOURCE_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ("PUT", "/emissions/sources/{source_id}/monitoring/{month}"): _row(OK, SOURCE_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ("GET", "/emissions/monitoring"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    ("GET", "/emissions/factors"): _row(OK, OK, OK, OK),
    ("GET", "/emissions/calculation"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    # The performance sheet's download link: read like the other emissions data.
    ("GET", "/emissions/sheets/{fiscal_year}"): _row(OK, ORG_NOT_FOUND, FORBIDDEN, OK),
    # Four eyes: administrators only (approve/reject a proposal made from the console by someone else).
    ("GET", "/proposals"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("POST", "/proposals"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, (201, None)),
    ("GET", "/proposals/{proposal_id}"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("POST", "/proposals/{proposal_id}/approve"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("POST", "/proposals/{proposal_id}/reject"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # Trusted receivers: the holder changes its list; administrators read it.
    ("GET", "/accounts/{number}/trusted"): _row(OK, NOT_FOUND, NOT_FOUND, OK),
    ("POST", "/accounts/{number}/trusted"): _row((201, None), NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("DELETE", "/accounts/{number}/trusted/{receiver}"): _row(OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("GET", "/delayed-transfers"): _row(OK, OK, OK, OK),
    ("GET", "/delayed-transfers/{transfer_id}"): _row(OK, (404, "DELAYED_TRANSFER_NOT_FOUND"), (404, "DELAYED_TRANSFER_NOT_FOUND"), OK),
    ("POST", "/delayed-transfers/{transfer_id}/cancel"): _row(OK, (404, "DELAYED_TRANSFER_NOT_FOUND"),
                                                              (404, "DELAYED_TRANSFER_NOT_FOUND"), (404, "DELAYED_TRANSFER_NOT_FOUND")),
    # Phases: a participant sees the phases it takes part in (its own row), any other the 404 of a missing one; a verifier
    # sees timelines only; the true-up is the participant's own or the administrator's table; report and overdue: administrators.
    ("GET", "/phases"): _row(OK, OK, OK, OK),
    ("GET", "/phases/{phase_id}"): _row(OK, PHASE_NOT_FOUND, OK, OK),
    ("GET", "/phases/{phase_id}/true-up"): _row(OK, PHASE_NOT_FOUND, FORBIDDEN, OK),
    ("GET", "/phases/{phase_id}/report"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("GET", "/phases/{phase_id}/overdue"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # Calculation reports (kanto-steel's FY2025, submitted; sakura-verif, the verifier's body, is assigned to it): the
    # owner, a participant of another organisation (the 404 of a missing report), the assigned verifier, an
    # administrator (reads; reviews through administrator functions). A 409 is a refusal after the access check. Rows
    # that move the report come last, in order: begin, return (200), then the opinion and the recall are refused.
    ("GET", "/emissions/reports"): _row(OK, OK, OK, OK),
    ("GET", "/emissions/reports/{report_id}"): _row(OK, REPORT_NOT_FOUND, OK, OK),
    ("GET", "/emissions/reports/{report_id}/files/{name}"): _row(OK, REPORT_NOT_FOUND, OK, OK),
    ("GET", "/emissions/reports/{report_id}/evidence"): _row(OK, REPORT_NOT_FOUND, OK, OK),
    ("POST", "/emissions/reports"): _row(BAD_MOVE, (201, None), FORBIDDEN, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/submit"): _row(BAD_MOVE, REPORT_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/cancellation-requests"): _row(BAD_MOVE, REPORT_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/working-papers"): _row(FORBIDDEN, FORBIDDEN, BAD_MOVE, FORBIDDEN),
    # Working papers are the verifier's: the participant whose report it is gets the 404 of a missing report too.
    ("GET", "/emissions/reports/{report_id}/working-papers"): _row(REPORT_NOT_FOUND, REPORT_NOT_FOUND, OK, OK),
    ("POST", "/emissions/reports/{report_id}/verification/begin"): _row(FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/verification/return"): _row(FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/verification/opinion"): _row(FORBIDDEN, FORBIDDEN, BAD_MOVE, FORBIDDEN),
    ("POST", "/emissions/reports/{report_id}/recall"): _row(BAD_MOVE, REPORT_NOT_FOUND, FORBIDDEN, FORBIDDEN),
    # The administrator's review (an MFA session): the submitted report is not verified yet.
    ("POST", "/emissions/reports/{report_id}/review"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_MOVE),
    ("POST", "/emissions/reports/{report_id}/cancellation-requests/decision"): _row(FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_MOVE),
}


@pytest.fixture(scope="module")
def world(api, demo, local_aws, aws_client):
    def admin(name, event):
        result = FUNCTIONS[name](event, None)
        assert "error" not in result, result
        return result

    kanto, aozora = demo["kanto"]["accounts"][0], demo["aozora"]["accounts"][0]
    admin("set_market", {"action": "force_open", "reason": "matrix"})
    executed("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 100, "reason": "matrix"})
    tokens = {"holder": api.login(demo["kanto"]), "other_org": api.login(demo["minato"]), "verifier": api.login(demo["verifier"]),
              "admin": api.login(demo["admin"]), "none": None}
    tx = api.call("POST", "/transfers", {"from_account": kanto, "to_account": aozora, "lines": [{"unit_type": "JPA", "amount": 1}]},
                  token=tokens["holder"], headers={"Idempotency-Key": f"matrix-{uuid.uuid4()}"})[1]["transaction"]["id"]
    now = int(time.time())
    claims = {"iss": f"https://cognito-idp.ap-northeast-1.amazonaws.com/{local_aws['USER_POOL_ID']}", "aud": local_aws["USER_POOL_CLIENT_ID"],
              "sub": "s", "token_use": "id", "iat": now - 7200, "exp": now - 3600, "cognito:username": "kanto",
              "cognito:groups": ["participant"], "custom:org_id": "kanto-steel"}
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key
    tokens["expired"] = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})
    admin("create_user", {"username": "matrix-admin", "email": "matrix-admin@example.jp", "org_id": "moe", "role": "admin",
                          "password": "Matrix-Admin-2026!"})
    signed_in = aws_client("cognito-idp").initiate_auth(
        ClientId=local_aws["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "matrix-admin", "PASSWORD": "Matrix-Admin-2026!"})
    tokens["admin_no_mfa"] = signed_in["AuthenticationResult"]["IdToken"]
    tokens["other_pool"] = token_from_another_pool(aws_client, "matrix-other", "kanto", "kanto-steel", "participant")
    document = api.call("POST", "/documents", {"kind": "evidence", "filename": "bill.pdf", "content_type": "application/pdf",
                                                "size": 1000}, token=tokens["holder"])[1]["document"]["id"]
    site = api.call("POST", "/emissions/sites", {"name_ja": "本社工場"}, token=tokens["holder"])[1]["id"]
    source = api.call("POST", "/emissions/sources", _SOURCE | {"site_id": site}, token=tokens["holder"])[1]["id"]
    assert api.call("PUT", f"/emissions/sources/{source}/monitoring/2025-04", {"quantity": "1", "unit": "kWh"}, token=tokens["holder"])[0] == 200
    for month in ("2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"):
        assert api.call("PUT", f"/emissions/sources/{source}/monitoring/{month}", {"quantity": "1", "unit": "kWh"},
                        token=tokens["holder"])[0] == 200
    admin("assign_verifier", {"org_id": "kanto-steel", "verifier_org": "sakura-verif", "fiscal_years": [2025]})
    assert api.call("POST", "/emissions/reports", {"fiscal_year": 2025}, token=tokens["holder"])[0] == 201
    assert api.call("POST", "/emissions/reports/FY2025-kanto-steel/submit", {}, token=tokens["holder"])[0] == 200
    admin("define_phase", {"id": "matrix", "name": "Matrix phase", "name_ja": "マトリクス", "base_years": [2021, 2022, 2023],
                           "commitment_year": 2025, "adjustment_end": "2026-08-31",
                           "trading_period": {"start": "2025-04-01", "end": "2026-08-31"},
                           "participants": [{"org_id": "kanto-steel", "kind": "target_subsidised", "committed_reduction_t": 10,
                                             "subsidy_yen": 1000}]})
    proposals = {action: admin("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                               "amount": 1, "reason": f"matrix {action}"})["proposal"]["id"]
                 for action in ("approve", "reject")}
    fresh = [admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"] for _ in range(3)]
    assert api.call("POST", f"/accounts/{kanto}/trusted", {"account": fresh[0]}, token=tokens["holder"])[0] == 201
    held = api.call("POST", "/transfers", {"from_account": kanto, "to_account": fresh[2], "lines": [{"unit_type": "JPA", "amount": 1}]},
                    token=tokens["holder"], headers={"Idempotency-Key": f"matrix-{uuid.uuid4()}"})
    assert held[0] == 202, held
    return {"tokens": tokens, "kanto": kanto, "tx": tx, "document": document, "site": site, "source": source,
            "proposals": proposals, "trusted": fresh[0], "to_trust": fresh[1], "held": held[1]["delayed_transfer"]["id"]}


_SOURCE = {"number": 1, "status": "registered", "name_ja": "受電設備", "categories": ["purchased_electricity"],
           "factor_key": "electricity_default", "unit": "kWh", "basis": "delivery_slips"}


def _request(route, world):
    method, path = route
    concrete = (path.replace("{number}", world["kanto"]).replace("{transaction_id}", world["tx"])
                .replace("{document_id}", world["document"]).replace("{source_id}", world["source"]).replace("{month}", "2025-05")
                .replace("{fiscal_year}", "2025").replace("{report_id}", "FY2025-kanto-steel").replace("{name}", "pdf")
                .replace("{phase_id}", "matrix")
                .replace("{proposal_id}", world["proposals"][path.rpartition("/")[2]]
                         if path.endswith(("/approve", "/reject")) else world["proposals"]["approve"])
                .replace("{receiver}", world["trusted"]).replace("{transfer_id}", world["held"]))
    if method == "GET" and path.startswith("/emissions/") and path != "/emissions/factors":
        concrete += "?org_id=kanto-steel&fiscal_year=2025"
    body, headers = None, {}
    if route == ("POST", "/auth/login"):
        body = {"username": "kanto", "password": "wrong-password-2026"}
    elif route == ("POST", "/auth/new-password"):
        body = {"username": "kanto", "session": "not-a-session-but-long-enough", "new_password": "Takeover-Pass-2026!"}
    elif route == ("POST", "/auth/mfa"):
        body = {"username": "admin", "session": "not-a-session-but-long-enough", "code": "123456"}
    elif route == ("POST", "/auth/mfa/setup"):
        body = {"session": "not-an-access-token-but-long-enough", "code": "123456"}
    elif route == ("POST", "/auth/refresh"):
        body = {"refresh_token": "not-a-refresh-token"}
    elif route == ("POST", "/transfers"):
        body = {"from_account": world["kanto"], "to_account": "JP-121-1-0-47", "lines": [{"unit_type": "JPA", "amount": 1}]}
    elif route == ("POST", "/auth/logout"):
        body = {"access_token": "not-an-access-token-but-long-enough"}
    elif route == ("POST", "/documents"):
        body = {"kind": "evidence", "filename": "bill.pdf", "content_type": "application/pdf", "size": 1000}
    elif route == ("POST", "/retirements"):
        body = {"account": world["kanto"], "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 1}]}
    elif route == ("POST", "/emissions/sites"):
        body = {"name_ja": "第二工場"}
    elif route == ("POST", "/emissions/sources"):
        body = _SOURCE | {"number": 2, "site_id": world["site"]}
    elif route == ("PUT", "/emissions/sources/{source_id}"):
        body = _SOURCE | {"site_id": world["site"], "notes": "matrix"}
    elif route == ("PUT", "/emissions/sources/{source_id}/monitoring/{month}"):
        body = {"quantity": "2", "unit": "kWh"}
    elif route == ("POST", "/proposals"):
        body = {"kind": "market", "payload": {"action": "resume"}, "reason": "matrix"}
    elif route in {("POST", "/proposals/{proposal_id}/approve"), ("POST", "/proposals/{proposal_id}/reject")}:
        body = {"reason": "matrix"}
    elif route == ("POST", "/accounts/{number}/trusted"):
        body = {"account": world["to_trust"]}
    elif route == ("POST", "/emissions/reports"):
        body = {"fiscal_year": 2025}
    elif route in {("POST", f"/emissions/reports/{{report_id}}/{action}") for action in ("cancellation-requests", "verification/return")}:
        body = {"reason": "matrix"}
    elif route == ("POST", "/emissions/reports/{report_id}/review"):
        body = {"decision": "accept", "reason": "matrix"}
    elif route == ("POST", "/emissions/reports/{report_id}/cancellation-requests/decision"):
        body = {"decision": "refuse", "reason": "matrix"}
    elif route == ("POST", "/emissions/reports/{report_id}/working-papers"):
        body = {"filename": "調書.pdf", "content_type": "application/pdf", "size": 1000}
    elif route == ("POST", "/emissions/reports/{report_id}/verification/opinion"):
        body = {"opinion": "verified", "verified_t_co2": 1}
    elif method == "POST" and path.startswith("/emissions/reports/"):
        body = {}
    if method == "POST":
        headers["Idempotency-Key"] = f"matrix-{uuid.uuid4()}"
    return method, concrete, body, headers


def test_every_route_of_the_app_has_a_row():
    routed = {(method, path) for path, methods in app.routes.items() for method in methods}
    assert routed == set(MATRIX) | set(MATCHING_MATRIX)  # the notice board's rows: test_matching_authorization.py


CELLS = [(route, caller) for route in MATRIX for caller in CALLERS]


@pytest.mark.parametrize(("route", "caller"), CELLS, ids=[f"{r[0]} {r[1]} as {c}" for r, c in CELLS])
def test_each_cell_of_the_authorization_matrix(api, world, route, caller):
    method, path, body, headers = _request(route, world)
    status, answer = api.call(method, path, body, token=world["tokens"][caller], headers=headers)
    expected_status, expected_code = MATRIX[route][caller]
    assert status == expected_status, answer
    if expected_code is not None:
        assert answer["error"]["code"] == expected_code
    elif status >= 400:
        assert answer == {"message": "Unauthorized"}


def test_administrator_functions_are_lambda_functions_only_and_all_known():
    lambda_functions = {name for name, handler in app.handler_map.items()
                        if name in FUNCTIONS or name.endswith("_trading_window")}
    assert set(FUNCTIONS) <= lambda_functions
    assert set(FUNCTIONS) == {"create_organisation", "create_user", "open_account", "close_account", "set_account_status", "set_commitment_reserve",
                              "issue_units", "correct_transaction", "set_market", "audit_ledger",
                              "add_emission_factor", "correct_monitoring", "assign_verifier", "review_report", "decide_cancellation",
                              "define_phase", "allocate_phase", "true_up", "phase_report", "overdue_reports"}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("caller", CALLERS)
def test_no_caller_reaches_an_administrator_function_over_http(api, world, function, caller):
    for method in ("GET", "POST"):
        status, answer = api.call(method, f"/{function}", {}, token=world["tokens"][caller])
        assert status == 403 and "error" not in (answer or {}), answer
