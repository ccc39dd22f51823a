"""The notice board's rows of the authorization matrix: every route, called as every kind
of caller, with the exact status and error code (``test_authorization_matrix.py`` insists
that every route of the app has a row here or there).

Callers: nobody signed in; kanto (the lister, and the seller of the deals); aozora (the
inquirer and buyer); minato (a participant of another organisation, party to nothing);
the verifier; the administrator. Every cell gets fresh resources in the state the route
needs, so the cells do not depend on each other's order.
"""

from __future__ import annotations

import pytest

from tests.functional.matching_world import Board, valid_until

CALLERS = ("none", "kanto", "aozora", "minato", "verifier", "admin")
OK, CREATED = (200, None), (201, None)
FORBIDDEN = (403, "FORBIDDEN")
NO_TOKEN = (401, None)  # the gateway answers before our code: {"message": "Unauthorized"}


def _row(kanto, aozora, minato, verifier, admin):
    return {"none": NO_TOKEN, "kanto": kanto, "aozora": aozora, "minato": minato, "verifier": verifier, "admin": admin}


EVERYONE = _row(OK, OK, OK, OK, OK)
MATCHING_MATRIX = {
    ("POST", "/listings"): _row(CREATED, CREATED, CREATED, FORBIDDEN, FORBIDDEN),
    ("GET", "/listings"): EVERYONE,
    ("GET", "/listings/{listing_id}"): EVERYONE,
    ("PATCH", "/listings/{listing_id}"): _row(OK, (403, "NOT_YOUR_LISTING"), (403, "NOT_YOUR_LISTING"), FORBIDDEN, FORBIDDEN),
    ("POST", "/listings/{listing_id}/withdraw"): _row(OK, (403, "NOT_YOUR_LISTING"), (403, "NOT_YOUR_LISTING"), FORBIDDEN, FORBIDDEN),
    ("POST", "/listings/{listing_id}/inquiries"): _row((422, "OWN_LISTING"), CREATED, CREATED, FORBIDDEN, FORBIDDEN),
    ("GET", "/inquiries"): _row(OK, OK, OK, FORBIDDEN, OK),
    ("GET", "/inquiries/{inquiry_id}"): _row(OK, OK, (404, "INQUIRY_NOT_FOUND"), FORBIDDEN, OK),
    ("POST", "/inquiries/{inquiry_id}/messages"): _row(CREATED, CREATED, (404, "INQUIRY_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("POST", "/deals"): _row(CREATED, CREATED, (404, "INQUIRY_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("GET", "/deals"): _row(OK, OK, OK, FORBIDDEN, OK),
    ("GET", "/deals/{deal_id}"): _row(OK, OK, (404, "DEAL_NOT_FOUND"), FORBIDDEN, OK),
    # aozora proposed: only kanto may confirm or decline.
    ("POST", "/deals/{deal_id}/confirm"): _row(OK, (403, "NOT_YOUR_STEP"), (404, "DEAL_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("POST", "/deals/{deal_id}/decline"): _row(OK, (403, "NOT_YOUR_STEP"), (404, "DEAL_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("POST", "/deals/{deal_id}/paid"): _row((403, "NOT_YOUR_STEP"), OK, (404, "DEAL_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("POST", "/deals/{deal_id}/received"): _row(OK, (403, "NOT_YOUR_STEP"), (404, "DEAL_NOT_FOUND"), FORBIDDEN, FORBIDDEN),
    ("GET", "/market/statistics"): EVERYONE,
    ("GET", "/notifications"): EVERYONE,
    # kanto's notification: nobody else finds it.
    ("POST", "/notifications/{notification_id}/read"): _row(OK, *(((404, "NOTIFICATION_NOT_FOUND"),) * 4)),
}


@pytest.fixture(scope="module")
def board(api, demo):
    return Board(api, demo, units=100_000)


def _request(board: Board, route: tuple[str, str]) -> tuple[str, str, object]:
    method, path = route
    body: object = None
    if "{listing_id}" in path:
        path = path.replace("{listing_id}", board.listing()["id"])
    if "{inquiry_id}" in path:
        path = path.replace("{inquiry_id}", board.inquiry(board.listing()["id"])["id"])
    if "{deal_id}" in path:
        step = {"paid": "confirmed", "received": "paid"}.get(path.rsplit("/", 1)[-1], "proposed")
        deal = board.deal(step)
        path = path.replace("{deal_id}", deal["id"])
        if path.endswith(("/confirm", "/decline")):
            body = {"version": deal["version"]}
    if "{notification_id}" in path:
        board.inquiry(board.listing()["id"])  # kanto hears of it
        notice = board.ok("kanto", "GET", "/notifications")["items"][0]
        path = path.replace("{notification_id}", notice["id"])
    if route == ("POST", "/listings"):
        body = {"side": "buy", "unit_type": "JPA", "quantity": 10, "min_lot": 1, "price_yen": 1100, "valid_until": valid_until()}
    elif route == ("PATCH", "/listings/{listing_id}"):
        body = {"price_yen": 1250}
    elif route == ("POST", "/listings/{listing_id}/inquiries"):
        body = {"message": "Could you split the lot?"}
    elif route == ("POST", "/inquiries/{inquiry_id}/messages"):
        body = {"text": "Yes, 20 t lots are fine."}
    elif route == ("POST", "/deals"):
        inquiry = board.inquiry(board.listing()["id"])
        body = {"inquiry_id": inquiry["id"], "quantity": 20, "price_yen": 1180}
    return method, path, body


CELLS = [(route, caller) for route in MATCHING_MATRIX for caller in CALLERS]


@pytest.mark.parametrize(("route", "caller"), CELLS, ids=[f"{r[0]} {r[1]} as {c}" for r, c in CELLS])
def test_each_cell_of_the_notice_boards_matrix(board, route, caller):
    method, path, body = _request(board, route)
    status, answer = board.call(caller, method, path, body)
    expected_status, expected_code = MATCHING_MATRIX[route][caller]
    assert status == expected_status, answer
    if expected_code is not None:
        assert answer["error"]["code"] == expected_code
    elif status == 401:
        assert answer == {"message": "Unauthorized"}


def test_settling_through_a_transfer_is_the_sellers_only(board):
    """POST /transfers with a deal_id: the buyer or a stranger cannot settle it (the deal is
    not theirs to send), and nothing moves."""
    deal = board.deal("received")
    for who, account in (("aozora", board.accounts["aozora"]), ("minato", board.accounts["minato"])):
        status, answer = board.settle(deal, f"matrix-{who}-{deal['id']}", who=who, from_account=account,
                                      to_account=board.accounts["kanto"])
        assert (status, answer["error"]["code"]) == (404, "DEAL_NOT_FOUND"), answer
    assert board.ok("kanto", "GET", f"/deals/{deal['id']}")["status"] == "received"
