"""The notice board over HTTP on moto: the full path from listing to settlement, the
lister's name, the board's filters and pages, withdrawn and expired listings, the
settlement's conditions in the transfer's own transaction, bad input (which changes
nothing), statistics against a hand-computed volume-weighted average price, and the
notifications (e-mailed through SES)."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime, timedelta

import pytest

from chalicelib import container
from chalicelib.core.clock import JST, now_jst
from chalicelib.core.principal import Principal, Role
from chalicelib.matching.adapters import MatchingStore
from chalicelib.matching.service import ListingCommand, Matching, ProposalCommand
from tests.conftest import scan_registry
from tests.functional.matching_world import Board, admin, valid_until


@pytest.fixture(scope="module")
def board(api, demo):
    return Board(api, demo, units=5000)


def _balances(board):
    store = container.registry_store()
    return {name: store.get_account(number).balance for name, number in board.accounts.items()}


# --- the full path -------------------------------------------------------------------------


def test_list_inquire_answer_propose_confirm_pay_receive_settle(board):
    listing = board.listing(quantity=200, min_lot=20, price_yen=1250)
    assert listing["open_quantity"] == 200 and listing["mine"] and listing["status"] == "open"
    seen = board.ok("aozora", "GET", f"/listings/{listing['id']}")
    assert not seen["mine"] and "org_id" not in seen and "kanto" not in str(seen).lower()

    thread = board.inquiry(listing["id"])
    assert thread["role"] == "inquirer" and thread["lister"] is None and not thread["answered"]
    early = board.propose(thread["id"], 20, 1100)
    assert early["seller"] is None and early["buyer"]["org_id"] == "aozora-trading"
    assert board.ok("kanto", "GET", f"/deals/{early['id']}")["buyer"]["org_id"] == "aozora-trading"
    # The lister sees who asks; the inquirer learns the lister's name once the lister answers.
    assert board.ok("kanto", "GET", f"/inquiries/{thread['id']}")["inquirer"]["org_id"] == "aozora-trading"
    board.ok("kanto", "POST", f"/inquiries/{thread['id']}/messages", {"text": "Yes, from 20 t."}, status=201)
    answered = board.ok("aozora", "GET", f"/inquiries/{thread['id']}")
    assert answered["answered"] and answered["lister"]["name"] == "Kanto Steelworks Co., Ltd."
    assert [m["from_side"] for m in answered["messages"]] == ["inquirer", "lister"]

    first = board.propose(thread["id"], 100, 1200)
    assert first["id"] == early["id"] and first["seller"]["org_id"] == "kanto-steel"
    assert (first["status"], first["version"], first["role"], first["next_actions"]) == ("proposed", 2, "buyer", ["propose"])
    counter = board.propose(thread["id"], 100, 1230, who="kanto")
    assert counter["id"] == first["id"] and counter["version"] == 3
    assert [(v["version"], v["price_yen"], v["by"]) for v in counter["versions"]] == [
        (1, 1100, "buyer"), (2, 1200, "buyer"), (3, 1230, "seller")]
    # Confirming a version that is no longer the latest is refused.
    status, stale = board.call("aozora", "POST", f"/deals/{first['id']}/confirm", {"version": 2})
    assert (status, stale["error"]["code"]) == (409, "DEAL_VERSION_CHANGED")
    confirmed = board.ok("aozora", "POST", f"/deals/{first['id']}/confirm", {"version": 3})
    assert confirmed["status"] == "confirmed" and confirmed["amount_yen"] == 123_000
    assert confirmed["buyer_account"] == board.accounts["aozora"] and confirmed["seller_account"] == board.accounts["kanto"]
    assert board.ok("kanto", "GET", f"/listings/{listing['id']}")["open_quantity"] == 100

    board.ok("aozora", "POST", f"/deals/{first['id']}/paid")
    received = board.ok("kanto", "POST", f"/deals/{first['id']}/received")
    assert received["next_actions"] == ["settle"]
    assert received["transfer"] == {"from_account": board.accounts["kanto"], "to_account": board.accounts["aozora"],
                                    "lines": [{"unit_type": "JPA", "amount": 100, "issued_period": "01"}], "deal_id": first["id"]}

    before = _balances(board)
    key = f"settle-{uuid.uuid4()}"
    status, answer = board.settle(received, key, lines=received["transfer"]["lines"])
    assert status == 201, answer
    transaction = answer["transaction"]
    assert transaction["deal_ref"] == first["id"]
    settled = board.ok("aozora", "GET", f"/deals/{first['id']}")
    assert settled["status"] == "settled" and settled["transaction_id"] == transaction["id"] and settled["next_actions"] == []
    after = _balances(board)
    assert (after["kanto"], after["aozora"]) == (before["kanto"] - 100, before["aozora"] + 100)
    for who in ("kanto", "aozora"):
        rows = board.ok(who, "GET", f"/accounts/{board.accounts[who]}/transactions")["items"]
        assert [row["deal_ref"] for row in rows if row["id"] == transaction["id"]] == [first["id"]]

    # A retry with the same key replays: it settles once and moves nothing twice.
    again = board.api.client.http.request("POST", "/transfers", headers={
        "Authorization": f"Bearer {board.tokens['kanto']}", "Content-Type": "application/json", "Idempotency-Key": key},
        body=__import__("json").dumps({"from_account": board.accounts["kanto"], "to_account": board.accounts["aozora"],
                                       "lines": received["transfer"]["lines"], "deal_id": first["id"]}).encode())
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert _balances(board) == after
    # Another key cannot settle it again.
    status, refused = board.settle(received, f"settle-{uuid.uuid4()}")
    assert (status, refused["error"]["code"]) == (409, "DEAL_NOT_SETTLEABLE")
    assert admin("audit_ledger", {})["ok"]

    kinds = [n["kind"] for n in board.ok("kanto", "GET", "/notifications")["items"]]
    assert {"inquiry", "proposal", "confirmed", "paid", "settled"} <= set(kinds)
    assert {"message", "proposal", "received", "settled"} <= {n["kind"] for n in board.ok("aozora", "GET", "/notifications")["items"]}


def test_a_refused_transfer_leaves_the_deal_paid_and_unsettled(board):
    deal = board.deal("received", quantity=30)
    admin("set_market", {"action": "force_close", "reason": "test: window closed"})
    try:
        before = scan_registry_deal(board, deal)
        status, answer = board.settle(deal, f"closed-{uuid.uuid4()}")
        assert (status, answer["error"]["code"]) == (409, "MARKET_CLOSED") or answer["error"]["code"] == "MARKET_CLOSED", answer
        assert scan_registry_deal(board, deal) == before == "received"
    finally:
        admin("set_market", {"action": "force_open", "reason": "notice board tests"})
    status, answer = board.settle(deal, f"open-{uuid.uuid4()}")
    assert status == 201, answer
    assert board.ok("kanto", "GET", f"/deals/{deal['id']}")["status"] == "settled"


def scan_registry_deal(board, deal):
    return board.ok("kanto", "GET", f"/deals/{deal['id']}")["status"]


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"lines": [{"unit_type": "JPA", "amount": 29}]}, "DEAL_NOT_SETTLEABLE"),
        ({"lines": [{"unit_type": "JPA", "amount": 31}]}, "DEAL_NOT_SETTLEABLE"),
        ({"to_account": "minato"}, "DEAL_NOT_SETTLEABLE"),
        ({"deal_id": "DNOSUCHDEAL"}, "DEAL_NOT_FOUND"),
    ],
)
def test_a_transfer_must_move_what_the_deal_names(board, local_aws, override, code):
    deal = board.deal("received", quantity=30)
    if override.get("to_account") == "minato":
        override = {"to_account": board.accounts["minato"]}
    before = scan_registry(local_aws)
    status, answer = board.settle(deal, f"wrong-{uuid.uuid4()}", **override)
    assert answer["error"]["code"] == code and status in (404, 409), answer
    assert scan_registry(local_aws) == before


def test_a_deal_not_yet_paid_and_received_cannot_be_settled(board):
    for step in ("confirmed", "paid"):
        deal = board.deal(step, quantity=10)
        status, answer = board.settle(deal, f"early-{uuid.uuid4()}")
        assert (status, answer["error"]["code"]) == (409, "DEAL_NOT_SETTLEABLE")


def test_a_linked_condition_decides_when_the_deal_changed_after_it_was_read(board):
    """The settlement's writes are conditioned in the transaction itself: a deal read as
    received but settled by then is refused by DynamoDB, and nothing moves."""
    from chalicelib.registry.domain.blocks import transaction_id

    deal = board.deal("received", quantity=10)
    service = container.matching()
    _, linked = service.settlement(deal["id"], initiator_org="kanto-steel", receiver=board.accounts["aozora"],
                                   lines=[("JPA", 10)], transaction_id=transaction_id("kanto-steel", "first-key-000"))
    assert board.settle(deal, f"winner-{uuid.uuid4()}")[0] == 201
    from chalicelib.registry.domain.errors import LinkedConditionFailed
    from chalicelib.registry.service import Initiator, TransferCommand, lines_of

    before = _balances(board)
    command = TransferCommand(sender=board.accounts["kanto"], receiver=board.accounts["aozora"],
                              lines=lines_of([{"unit_type": "JPA", "amount": 10}]), idempotency_key=f"late-{uuid.uuid4()}",
                              initiator=Initiator("kanto", "kanto-steel"), deal_ref=deal["id"], linked=linked)
    with pytest.raises(LinkedConditionFailed):
        container.ledger().transfer(command)
    assert _balances(board) == before


# --- listings ---------------------------------------------------------------------------------


def test_the_board_filters_sorts_and_pages(api, demo, board):
    prices = [1301, 1303, 1305, 1307, 1309, 1311, 1313]
    ids = {board.listing(who="minato", side="buy", unit_type="jCER", period=None, quantity=10, min_lot=1, price_yen=p)["id"]: p
           for p in prices}
    seen: list[dict] = []
    cursor = None
    while True:
        path = "/listings?side=buy&unit_type=jCER&limit=3&min_price=1300&max_price=1399" + (f"&cursor={cursor}" if cursor else "")
        page = board.ok("kanto", "GET", path)
        assert len(page["items"]) <= 3
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [item["price_yen"] for item in seen] == prices and {item["id"] for item in seen} == set(ids)
    newest = board.ok("kanto", "GET", "/listings?side=buy&unit_type=jCER&sort=date&limit=2")["items"]
    assert [item["price_yen"] for item in newest] == [1313, 1311]
    ranged = board.ok("kanto", "GET", "/listings?side=buy&unit_type=jCER&sort=date&min_price=1304&max_price=1308")["items"]
    assert sorted(item["price_yen"] for item in ranged) == [1305, 1307]
    dearest = board.ok("kanto", "GET", "/listings?side=buy&unit_type=jCER&order=desc&limit=1")["items"]
    assert dearest[0]["price_yen"] == 1313
    mine = board.ok("minato", "GET", "/listings?mine=true")["items"]
    assert set(ids) <= {item["id"] for item in mine} and all(item["mine"] for item in mine)
    # A cursor of one order is not a cursor of the other.
    status, answer = board.call("kanto", "GET", f"/listings?sort=date&cursor={page['next_cursor'] or cursor or 'UCMwMDAwMTMwMQ'}")
    assert (status, answer["error"]["code"]) == (400, "INVALID_CURSOR")


def test_changing_a_listing_moves_it_on_the_board(board):
    listing = board.listing(quantity=100, price_yen=1400, side="buy", unit_type="jCER", who="aozora", period=None)
    changed = board.ok("aozora", "PATCH", f"/listings/{listing['id']}", {"price_yen": 1401, "quantity": 120, "notes": "updated"})
    assert (changed["price_yen"], changed["quantity"], changed["open_quantity"], changed["notes"]) == (1401, 120, 120, "updated")
    found = board.ok("kanto", "GET", "/listings?side=buy&unit_type=jCER&min_price=1400&max_price=1401")["items"]
    assert [(item["id"], item["price_yen"]) for item in found] == [(listing["id"], 1401)]


def test_a_sell_listing_may_not_offer_more_than_is_held(board):
    held = container.registry_store().get_account(board.accounts["kanto"]).balance
    status, answer = board.call("kanto", "POST", "/listings", {"side": "sell", "unit_type": "JPA", "quantity": held + 1, "min_lot": 1,
                                                             "price_yen": 1000, "valid_until": valid_until()})
    assert (status, answer["error"]["code"]) == (422, "NOT_ENOUGH_HELD")
    status, answer = board.call("aozora", "POST", "/listings", {"side": "sell", "unit_type": "jCER", "quantity": 1, "min_lot": 1,
                                                              "price_yen": 1000, "valid_until": valid_until()})
    assert (status, answer["error"]["code"]) == (422, "NOT_ENOUGH_HELD")


def test_withdrawn_listings_refuse_new_inquiries_and_deals(board):
    listing = board.listing(quantity=50)
    thread = board.inquiry(listing["id"])
    pending = board.propose(thread["id"], 20, 1200)
    assert board.ok("kanto", "POST", f"/listings/{listing['id']}/withdraw")["status"] == "withdrawn"
    assert listing["id"] not in {item["id"] for item in board.ok("aozora", "GET", "/listings?limit=100")["items"]}
    for who, method, path, body in [
        ("aozora", "POST", "/deals", {"inquiry_id": thread["id"], "quantity": 10, "price_yen": 1200}),
        ("kanto", "POST", f"/deals/{pending['id']}/confirm", {"version": 1}),
        ("minato", "POST", f"/listings/{listing['id']}/inquiries", {"message": "still there?"}),
        ("kanto", "PATCH", f"/listings/{listing['id']}", {"price_yen": 1}),
        ("kanto", "POST", f"/listings/{listing['id']}/withdraw", None),
    ]:
        status, answer = board.call(who, method, path, body)
        assert (status, answer["error"]["code"]) == (409, "LISTING_NOT_OPEN"), (path, answer)


def _service_at(day: date) -> Matching:
    clock = datetime(day.year, day.month, day.day, 9, 0, tzinfo=JST)
    live = container.matching()
    return Matching(container.store(MatchingStore), holdings=live.holdings, organisations=live.organisations, clock=lambda: clock)


def test_the_schedule_expires_listings_and_catches_up_after_missed_runs(board):
    today = now_jst().date()
    soon = board.listing(quantity=20, valid_until=(today + timedelta(days=1)).isoformat())
    later = board.listing(quantity=20, valid_until=(today + timedelta(days=3)).isoformat())
    lasting = board.listing(quantity=20, valid_until=(today + timedelta(days=30)).isoformat())
    thread = board.inquiry(later["id"])
    # Nobody ran the schedule for days: the first run expires both.
    result = _service_at(today + timedelta(days=5)).expire_due()
    assert result["expired"] >= 2
    for listing, status in ((soon, "expired"), (later, "expired"), (lasting, "open")):
        assert board.ok("kanto", "GET", f"/listings/{listing['id']}")["status"] == status
    assert _service_at(today + timedelta(days=5)).expire_due()["expired"] == 0  # idempotent
    status, answer = board.call("aozora", "POST", "/deals", {"inquiry_id": thread["id"], "quantity": 20, "price_yen": 1200})
    assert (status, answer["error"]["code"]) == (409, "LISTING_NOT_OPEN")


def test_a_listing_past_its_validity_refuses_deals_before_the_schedule_runs(board):
    today = now_jst().date()
    listing = board.listing(quantity=20, valid_until=today.isoformat())
    thread = board.inquiry(listing["id"])
    tomorrow = _service_at(today + timedelta(days=1))
    aozora = Principal("aozora", Role.PARTICIPANT, "aozora-trading")
    from chalicelib.matching.domain.errors import ListingNotOpen

    with pytest.raises(ListingNotOpen):
        tomorrow.propose(aozora, ProposalCommand(thread["id"], 20, 1200))
    assert listing["id"] not in {item["id"] for item in tomorrow.board(aozora, {"limit": "100"})["items"]}


# --- confirmations racing for the last lots ---------------------------------------------------


def test_sixteen_confirmations_race_for_the_last_lots(board):
    """16 buyers each hold a proposal of 5 t against a listing with 40 t open: exactly eight
    are confirmed, the rest refused with LISTING_SOLD_OUT, and nothing goes below zero."""
    service = container.matching()
    kanto = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
    listing = service.post_listing(kanto, ListingCommand("sell", "JPA", 40, 5, 1200, valid_until(), "01"))
    deals = []
    for index in range(16):
        org = f"race-buyer-{index:02d}-{uuid.uuid4().hex[:4]}"
        admin("create_organisation", {"org_id": org, "name": f"Buyer {index}", "name_ja": f"買い手{index}", "kind": "trading"})
        admin("open_account", {"org_id": org, "type": 121})
        buyer = Principal(f"buyer{index}", Role.PARTICIPANT, org)
        thread = service.open_inquiry(buyer, listing["id"], "5 t please")
        deal = service.propose(kanto, ProposalCommand(thread["id"], 5, 1200))  # the seller proposes, each buyer confirms
        deals.append((buyer, deal))
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(buyer, deal):
        try:
            service.confirm(buyer, deal["id"], deal["version"])
            result = "confirmed"
        except Exception as error:  # noqa: BLE001 - the code is what is asserted
            result = getattr(error, "code", repr(error))
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=confirm, args=pair) for pair in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 16 and outcomes.count("confirmed") == 8
    # The rest: sold out, or (once the last lot went) the listing is no longer open.
    assert set(outcomes) <= {"confirmed", "LISTING_SOLD_OUT", "LISTING_NOT_OPEN"}
    final = service.get_listing(kanto, listing["id"])
    assert final["open_quantity"] == 0 and final["status"] == "filled"


# --- bad input ---------------------------------------------------------------------------------

GOOD = {"side": "sell", "unit_type": "JPA", "period": "01", "quantity": 100, "min_lot": 10, "price_yen": 1200}
LISTING_CASES = [
    ({"quantity": 0}, 400, "VALIDATION_ERROR"),
    ({"quantity": -5}, 400, "VALIDATION_ERROR"),
    ({"quantity": 1.5}, 400, "VALIDATION_ERROR"),
    ({"quantity": "100"}, 400, "VALIDATION_ERROR"),
    ({"min_lot": 0}, 400, "VALIDATION_ERROR"),
    ({"min_lot": 101}, 422, "INVALID_LISTING"),
    ({"price_yen": 0}, 400, "VALIDATION_ERROR"),
    ({"price_yen": 1200.5}, 400, "VALIDATION_ERROR"),
    ({"price_yen": -1}, 400, "VALIDATION_ERROR"),
    ({"price_yen": 10_000_001}, 400, "VALIDATION_ERROR"),
    ({"side": "lend"}, 400, "VALIDATION_ERROR"),
    ({"unit_type": "EUA"}, 400, "VALIDATION_ERROR"),
    ({"period": "1"}, 400, "VALIDATION_ERROR"),
    ({"valid_until": "yesterday"}, 400, "VALIDATION_ERROR"),
    ({"valid_until": "2020-01-01"}, 422, "INVALID_LISTING"),
    ({"valid_until": "2026-02-30"}, 422, "INVALID_LISTING"),
    ({"valid_until": "past"}, 422, "INVALID_LISTING"),
    ({"valid_until": "far"}, 422, "INVALID_LISTING"),
    ({"notes": "x" * 1001}, 400, "VALIDATION_ERROR"),
    ({"org_id": "minato-foods"}, 400, "VALIDATION_ERROR"),
    ({"open_quantity": 5}, 400, "VALIDATION_ERROR"),
]


@pytest.mark.parametrize(("change", "status", "code"), LISTING_CASES, ids=[str(c[0])[:40] for c in LISTING_CASES])
def test_bad_listings_are_refused_and_write_nothing(board, local_aws, change, status, code):
    body = GOOD | {"valid_until": valid_until()} | change
    if body["valid_until"] == "past":
        body["valid_until"] = (now_jst().date() - timedelta(days=1)).isoformat()
    elif body["valid_until"] == "far":
        body["valid_until"] = (now_jst().date() + timedelta(days=400)).isoformat()
    before = scan_registry(local_aws)
    got, answer = board.call("kanto", "POST", "/listings", body)
    assert (got, answer["error"]["code"]) == (status, code), answer
    assert scan_registry(local_aws) == before


@pytest.fixture(scope="module")
def open_thread(board):
    listing = board.listing(quantity=100, min_lot=10)
    thread = board.inquiry(listing["id"])
    return {"listing": listing, "thread": thread}


OTHER_CASES = [
    # (who, method, path template, body, status, code)
    ("aozora", "POST", "/deals", {"quantity": 0, "price_yen": 1200}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"quantity": -10, "price_yen": 1200}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"quantity": 5, "price_yen": 1200}, 422, "INVALID_DEAL"),  # below the minimum lot
    ("aozora", "POST", "/deals", {"quantity": 101, "price_yen": 1200}, 422, "INVALID_DEAL"),  # above what is open
    ("aozora", "POST", "/deals", {"quantity": 10, "price_yen": 0}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"quantity": 10, "price_yen": 99.5}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"quantity": 10, "price_yen": 1200, "amount_yen": 1}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"inquiry_id": "Q<script>", "quantity": 10, "price_yen": 1200}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/deals", {"inquiry_id": "QNOSUCHTHREAD", "quantity": 10, "price_yen": 1200}, 404, "INQUIRY_NOT_FOUND"),
    ("aozora", "POST", "/inquiries/{thread}/messages", {"text": ""}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/inquiries/{thread}/messages", {"text": "x" * 2001}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/inquiries/{thread}/messages", {"message": "wrong field"}, 400, "VALIDATION_ERROR"),
    ("aozora", "POST", "/listings/{listing}/inquiries", {"message": ""}, 400, "VALIDATION_ERROR"),
    ("aozora", "PATCH", "/listings/{listing}", {"price_yen": 1300}, 403, "NOT_YOUR_LISTING"),  # another org's listing
    ("minato", "PATCH", "/listings/{listing}", {"quantity": 1}, 403, "NOT_YOUR_LISTING"),
    ("kanto", "PATCH", "/listings/{listing}", {"quantity": 0}, 400, "VALIDATION_ERROR"),
    ("kanto", "PATCH", "/listings/{listing}", {"min_lot": 101}, 422, "INVALID_LISTING"),
    ("kanto", "PATCH", "/listings/{listing}", {"price_yen": 12.5}, 400, "VALIDATION_ERROR"),
    ("kanto", "PATCH", "/listings/{listing}", {"valid_until": "2020-01-01"}, 422, "INVALID_LISTING"),
    ("kanto", "PATCH", "/listings/LNOSUCHLISTING", {"price_yen": 1300}, 404, "LISTING_NOT_FOUND"),
    ("kanto", "GET", "/listings?side=lend", None, 400, "INVALID_BOARD_QUERY"),
    ("kanto", "GET", "/listings?min_price=0", None, 400, "INVALID_BOARD_QUERY"),
    ("kanto", "GET", "/listings?min_price=2000&max_price=1000", None, 400, "INVALID_BOARD_QUERY"),
    ("kanto", "GET", "/listings?limit=1000", None, 400, "INVALID_BOARD_QUERY"),
    ("kanto", "GET", "/listings?cursor=%%%", None, 400, "INVALID_CURSOR"),
    ("kanto", "GET", "/market/statistics?from=2026-13-01", None, 400, "INVALID_STATISTICS_QUERY"),
    ("kanto", "GET", "/market/statistics?from=2026-02-01&to=2026-01-01", None, 400, "INVALID_STATISTICS_QUERY"),
    ("kanto", "GET", "/market/statistics?group=week", None, 400, "INVALID_STATISTICS_QUERY"),
    ("kanto", "POST", "/deals/DNOSUCHDEAL/confirm", {"version": 1}, 404, "DEAL_NOT_FOUND"),
    ("kanto", "POST", "/deals/DNOSUCHDEAL/confirm", {"version": 0}, 400, "VALIDATION_ERROR"),
    ("kanto", "POST", "/notifications/nope/read", None, 404, "NOTIFICATION_NOT_FOUND"),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "code"), OTHER_CASES,
                         ids=[f"{c[1]} {c[2]} {str(c[3])[:30]}" for c in OTHER_CASES])
def test_bad_messages_deals_and_queries_are_refused_and_write_nothing(board, open_thread, local_aws, who, method, path, body, status,
                                                                       code):
    path = path.replace("{thread}", open_thread["thread"]["id"]).replace("{listing}", open_thread["listing"]["id"])
    if body is not None and path == "/deals":
        body = {"inquiry_id": open_thread["thread"]["id"]} | body
    before = scan_registry(local_aws)
    got, answer = board.call(who, method, path, body)
    assert (got, answer["error"]["code"]) == (status, code), answer
    assert scan_registry(local_aws) == before


def test_markup_in_notes_and_messages_is_stored_and_returned_as_inert_text(board):
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    listing = board.listing(notes=markup)
    assert board.ok("aozora", "GET", f"/listings/{listing['id']}")["notes"] == markup
    thread = board.inquiry(listing["id"], text=markup)
    response = board.api.client.http.get(f"/inquiries/{thread['id']}", headers={"Authorization": f"Bearer {board.tokens['kanto']}"})
    assert response.headers["Content-Type"].startswith("application/json")
    assert __import__("json").loads(response.body)["messages"][0]["text"] == markup


def test_a_lister_cannot_deal_with_itself(board):
    listing = board.listing(quantity=10, min_lot=1)
    status, answer = board.call("kanto", "POST", f"/listings/{listing['id']}/inquiries", {"message": "me?"})
    assert (status, answer["error"]["code"]) == (422, "OWN_LISTING")


# --- statistics -------------------------------------------------------------------------------


def test_statistics_match_a_hand_computed_volume_weighted_average(board):
    from devtools.demo_matching import seed_settled_deals

    day_a, day_b = date(2025, 6, 2), date(2025, 6, 30)
    seed_settled_deals(None, [
        {"date": day_a, "quantity": 100, "price_yen": 1200, "seller_org": "kanto-steel", "buyer_org": "aozora-trading"},
        {"date": day_a, "quantity": 50, "price_yen": 1260, "seller_org": "minato-foods", "buyer_org": "aozora-trading"},
        {"date": day_a, "quantity": 30, "price_yen": 1150, "seller_org": "kanto-steel", "buyer_org": "minato-foods"},
        {"date": day_b, "quantity": 1, "price_yen": 1000, "seller_org": "kanto-steel", "buyer_org": "aozora-trading"},
        {"date": day_b, "quantity": 1, "price_yen": 1001, "seller_org": "kanto-steel", "buyer_org": "aozora-trading"},
        {"date": date(2025, 7, 1), "quantity": 999, "price_yen": 9999, "seller_org": "kanto-steel", "buyer_org": "minato-foods"},
    ])
    answer = board.ok("verifier", "GET", "/market/statistics?from=2025-06-01&to=2025-06-30&group=day")
    rows = {row["key"]: row for row in answer["rows"]}
    assert len(rows) == 30
    # 100 x 1,200 + 50 x 1,260 + 30 x 1,150 = 217,500 yen for 180 t: 1,208.33 -> 1,208.
    assert (rows["2025-06-02"]["deals"], rows["2025-06-02"]["volume_t"], rows["2025-06-02"]["amount_yen"],
            rows["2025-06-02"]["average_price_yen"]) == (3, 180, 217_500, 1208)
    # 2,001 yen for 2 t: 1,000.5 rounds half up to 1,001.
    assert rows["2025-06-30"]["average_price_yen"] == 1001
    assert rows["2025-06-15"]["average_price_yen"] is None
    # 219,501 yen for 182 t: 1,206.05 -> 1,206; July's deal is outside the range.
    assert (answer["total"]["deals"], answer["total"]["volume_t"], answer["total"]["average_price_yen"]) == (5, 182, 1206)
    figures = container.matching().settled_between(day_a, day_b)
    assert (figures.deals, figures.volume_t, figures.amount_yen, figures.average_price_yen) == (5, 182, 219_501, 1206)

    class Phases:
        def trading_periods(self):
            from chalicelib.matching.ports import TradingPeriod

            return [TradingPeriod("P1", date(2025, 4, 1), date(2025, 6, 15)), TradingPeriod("P2", date(2025, 6, 16), date(2026, 3, 31))]

    live = container.matching()
    phased = Matching(live.store, holdings=live.holdings, organisations=live.organisations, phases=Phases())
    by_phase = phased.statistics({"from": "2025-06-01", "to": "2025-07-31", "group": "phase"})
    # P2: 1,000 + 1,001 + 999 x 9,999 = 9,991,002 yen for 1,001 t: 9,981.02 -> 9,981.
    assert [(r["key"], r["start"], r["end"], r["deals"], r["volume_t"], r["average_price_yen"]) for r in by_phase["rows"]] == [
        ("P1", "2025-06-01", "2025-06-15", 3, 180, 1208), ("P2", "2025-06-16", "2025-07-31", 3, 1001, 9981)]


# --- notifications -----------------------------------------------------------------------------


def test_notifications_are_read_and_e_mailed_once_through_ses(board, aws_client):
    from chalicelib.matching.triggers import DEFAULT_SENDER, send_pending_notifications

    listing = board.listing(quantity=10, min_lot=1)
    board.inquiry(listing["id"], who="minato")
    listed = board.ok("kanto", "GET", "/notifications")
    newest = listed["items"][0]
    assert newest["kind"] == "inquiry" and not newest["read"] and listed["unread"] >= 1
    read = board.ok("kanto", "POST", f"/notifications/{newest['id']}/read")
    assert read["read"] and board.ok("kanto", "GET", "/notifications")["unread"] == listed["unread"] - 1

    ses = aws_client("ses")
    ses.verify_email_identity(EmailAddress=DEFAULT_SENDER)
    sent_before = ses.get_send_quota()["SentLast24Hours"]
    result = send_pending_notifications(local=False)
    assert result["sent"] >= 1
    assert ses.get_send_quota()["SentLast24Hours"] > sent_before
    assert send_pending_notifications(local=False)["sent"] == 0  # the outbox is empty: nothing goes twice
    assert container.store(MatchingStore).unsent(10) == []


def test_read_state_is_each_users_own_in_one_organisation(board, api, local_aws):
    # A second participant user of Kanto Steelworks: it sees the organisation's notifications with its own read state.
    user = {"username": f"kantoreader{uuid.uuid4().hex[:6]}", "password": "Kanto-Reader-2026!"}
    admin("create_user", {**user, "email": "reader@example.jp", "org_id": "kanto-steel", "role": "participant"})
    board.tokens["kanto_reader"] = api.login(user)
    listing = board.listing(quantity=10, min_lot=1)
    board.inquiry(listing["id"], who="minato")
    before = board.ok("kanto_reader", "GET", "/notifications")
    newest = board.ok("kanto", "GET", "/notifications")["items"][0]
    assert newest["kind"] == "inquiry" and newest["id"] == before["items"][0]["id"] and not before["items"][0]["read"]

    kanto_before = board.ok("kanto", "GET", "/notifications")
    read = board.ok("kanto", "POST", f"/notifications/{newest['id']}/read")
    assert read == {**newest, "read": True}
    kanto_after = board.ok("kanto", "GET", "/notifications")
    assert kanto_after["unread"] == kanto_before["unread"] - 1 and kanto_after["items"][0]["read"]
    # The other user of the same organisation still sees it unread, and its count is unchanged.
    other = board.ok("kanto_reader", "GET", "/notifications")
    assert other["unread"] == before["unread"] and not other["items"][0]["read"]
    assert [n["id"] for n in other["items"]] == [n["id"] for n in kanto_after["items"]]

    # Reading twice answers the same and changes nothing.
    table = scan_registry(local_aws)
    assert board.ok("kanto", "POST", f"/notifications/{newest['id']}/read") == read
    assert board.ok("kanto", "GET", "/notifications")["unread"] == kanto_after["unread"]
    assert [i for i in scan_registry(local_aws) if i["sk"]["S"].startswith("R#")] == [
        i for i in table if i["sk"]["S"].startswith("R#")]

    # Another organisation's notification: 404 for the caller, and nothing written.
    for who in ("aozora", "minato"):
        status, answer = board.call(who, "POST", f"/notifications/{newest['id']}/read")
        assert (status, answer["error"]["code"]) == (404, "NOTIFICATION_NOT_FOUND"), answer
    assert scan_registry(local_aws) == table
    assert board.ok("kanto_reader", "GET", "/notifications")["unread"] == before["unread"]
