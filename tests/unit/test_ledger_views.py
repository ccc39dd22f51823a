"""What the ledger shows, and to whom: balances, history pages with their totals,
transactions, accounts; and the administrator's account rules. On the in-memory ports."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.organisations import OrganisationNotFound
from chalicelib.registry import service
from chalicelib.registry.domain.accounts import AccountType
from chalicelib.registry.domain.blocks import Line
from chalicelib.registry.domain.errors import (
    AccountNotEmpty,
    AccountNotFound,
    AccountTypeNotAllowed,
    InvalidAccountNumber,
    InvalidDateRange,
    InvalidLimit,
    SingletonAccountExists,
    StatusChangeNotAllowed,
    TransactionNotFound,
)
from chalicelib.registry.service import HistoryQuery, OpenAccountCommand
from tests.unit.registry_world import UNKNOWN, USERS


@pytest.fixture
def traded(world):
    """Six transactions of Kanto's on 1 April: 1,200 t in, 75 t out."""
    world.issue("aozora", 100)
    world.issue("kanto", 1000)
    world.transfer("aozora", "kanto", 100)
    world.transfer("kanto", "aozora", 50)
    world.issue("kanto", 50, unit_type="jCER", project="CDM-0001")
    world.transfer("kanto", "minato", Line("jCER", 25))
    world.issue("kanto", 50, period="02")
    return world


def history(world, who="kanto", account="kanto", **query):
    return world.ledger.history(USERS[who], HistoryQuery(world.n(account), **query))


def test_history_pages_keep_the_totals_of_the_whole_range(traded):
    seen, cursor, pages = [], None, 0
    while True:
        page = history(traded, first="2026-04-01", last="2026-04-01", limit="4", cursor=cursor)
        pages += 1
        assert (page["incoming_total"], page["outgoing_total"]) == (1200, 75)
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert (pages, len({row["id"] for row in seen})) == (2, 6)
    assert [(row["type"], row["in"], row["out"]) for row in seen] == [
        ("issuance", 1000, 0), ("transfer", 100, 0), ("transfer", 0, 50), ("issuance", 50, 0), ("transfer", 0, 25), ("issuance", 50, 0)]
    first, sent = seen[0], seen[2]
    assert (first["from_account"], first["to_name_ja"], first["date"], first["status"]) == (
        None, "関東製鋼株式会社", "2026-04-01", "completed")
    assert (sent["from_name"], sent["to_name"], sent["correction"]) == ("Kanto Steelworks Co., Ltd.", "Aozora Trading Co., Ltd.", False)


def test_history_totals_count_only_the_range(world):
    world.issue("kanto", 100)
    world.clock.now = datetime(2026, 4, 2, 11, 0, tzinfo=JST)
    service.sync_window(world.store, world.clock)  # the day's window opens
    world.transfer("kanto", "minato", 30)
    day_two = history(world, first="2026-04-02", last="2026-04-02")
    assert ([row["out"] for row in day_two["items"]], day_two["incoming_total"], day_two["outgoing_total"]) == ([30], 0, 30)
    day_one = history(world, first="2026-04-01", last="2026-04-01")
    assert (len(day_one["items"]), day_one["incoming_total"], day_one["outgoing_total"]) == (1, 100, 0)
    recent = history(world)  # the last 30 days until today
    assert (recent["from"], recent["to"], len(recent["items"])) == ("2026-03-03", "2026-04-02", 2)
    before = history(world, first="2005-12-01", last="2005-12-31")
    assert (before["items"], before["incoming_total"], before["outgoing_total"], before["next_cursor"]) == ([], 0, 0, None)


@pytest.mark.parametrize("limit", ["0", "201", "ten", "1e3", "-1", "1000", "１０", " 5", "5.0"])
def test_a_page_size_out_of_range_is_invalid_limit(world, limit):
    with pytest.raises(InvalidLimit) as refused:
        history(world, limit=limit)
    assert (refused.value.field, refused.value.params, refused.value.status) == ("limit", {"minimum": 1, "maximum": 200}, 400)


@pytest.mark.parametrize("limit", ["1", "200", "007", None])
def test_a_page_size_in_range_is_taken(world, limit):
    assert history(world, limit=limit)["items"] == []


@pytest.mark.parametrize(("first", "last"), [("2026-13-01", None), ("2026-04-02", "2026-04-01"), ("2026-04-01T00:00", None),
                                             (None, "yesterday"), ("2026-04-01" + "0" * 100, None)])
def test_a_malformed_or_reversed_range_is_invalid(world, first, last):
    with pytest.raises(InvalidDateRange) as refused:
        history(world, first=first, last=last)
    assert (refused.value.field, refused.value.status) == ("from", 400)


# --- who sees what -------------------------------------------------------------------------------


def test_a_balance_is_for_its_holder_and_the_administrators(traded):
    view = traded.ledger.balance(USERS["kanto"], traded.n("kanto"))
    assert (view["balance"], view["commitment_reserve"], view["transferable"], view["holder_ja"]) == (1125, 0, 1125, "関東製鋼株式会社")
    assert [(h["no"], h["unit_type"], h["issued_period"], h["amount"], h["project"]) for h in view["holdings"]] == [
        (1, "JPA", "01", 50, None), (2, "JPA", "01", 1000, None), (3, "JPA", "02", 50, None), (4, "jCER", "01", 25, "CDM-0001")]
    assert traded.ledger.balance(USERS["admin"], traded.n("kanto")) == view
    for who in ("minato", "verifier"):
        theirs = pytest.raises(AccountNotFound, traded.ledger.balance, USERS[who], traded.n("kanto")).value
        missing = pytest.raises(AccountNotFound, traded.ledger.balance, USERS[who], UNKNOWN).value
        assert (theirs.status, theirs.message.replace(traded.n("kanto"), UNKNOWN)) == (404, missing.message)
    with pytest.raises(InvalidAccountNumber):
        traded.ledger.balance(USERS["kanto"], "JP-120-1-0-00")


def test_a_history_is_for_its_holder_and_the_administrators(traded):
    assert len(history(traded, who="admin")["items"]) == 6
    for who in ("minato", "verifier"):
        with pytest.raises(AccountNotFound):
            history(traded, who=who)


def test_a_transaction_is_for_its_parties_and_the_administrators(traded):
    tx = history(traded, account="aozora", who="aozora")["items"][1]
    for who in ("aozora", "kanto", "admin"):
        seen = traded.ledger.transaction(USERS[who], tx["id"])
        assert (seen["id"], seen["from_account"], seen["corrected_by"]) == (tx["id"], traded.n("aozora"), None)
        assert set(seen["chain"]) == {traded.n("aozora")}  # the sender's link
    for who, transaction_id in [("minato", tx["id"]), ("verifier", tx["id"]), ("kanto", "TX000000000000000000"),
                                ("kanto", "../../etc/passwd"), ("admin", "")]:
        with pytest.raises(TransactionNotFound) as refused:
            traded.ledger.transaction(USERS[who], transaction_id)
        assert refused.value.status == 404


def test_an_account_is_seen_by_its_holder_and_its_holders_name_by_anyone(world):
    number = world.n("minato")
    assert service.get_account(USERS["minato"], number, accounts=world.accounts)["holder_org_id"] == "minato-foods"
    assert service.get_account(USERS["admin"], number, accounts=world.accounts)["number"] == number
    with pytest.raises(AccountNotFound):
        service.get_account(USERS["kanto"], number, accounts=world.accounts)
    assert service.account_holder(number, accounts=world.accounts) == {
        "number": number, "type": 120, "holder": "Minato Foods Co., Ltd.", "holder_ja": "みなと食品株式会社", "status": "open"}
    with pytest.raises(AccountNotFound):
        service.account_holder(UNKNOWN, accounts=world.accounts)


# --- the administrator's accounts ------------------------------------------------------------------


def test_an_account_type_must_fit_its_holder(world):
    def open_account(org_id: str, account_type: AccountType) -> dict:
        return service.open_account(OpenAccountCommand(org_id, account_type), accounts=world.accounts,
                                    organisations=world.organisations, now="2026-04-01T11:00:00+09:00")

    with pytest.raises(AccountTypeNotAllowed) as refused:
        open_account("aozora-trading", AccountType.OPERATOR_HOLDING)
    assert (refused.value.field, refused.value.status) == ("type", 422)
    with pytest.raises(AccountTypeNotAllowed):
        open_account("tokai-verification", AccountType.PERSON_HOLDING)
    with pytest.raises(OrganisationNotFound):
        open_account("nobody", AccountType.PERSON_HOLDING)
    with pytest.raises(SingletonAccountExists):
        open_account("jvets", AccountType.RETIREMENT)
    second = open_account("aozora-trading", AccountType.PERSON_HOLDING)
    assert second["number"] != world.n("aozora") and second["balance"] == 0


def test_only_an_empty_account_closes_and_only_an_open_one_is_blocked(world):
    world.issue("minato", 1)
    with pytest.raises(AccountNotEmpty):
        service.close_account(world.n("minato"), accounts=world.accounts)
    assert service.set_account_status(world.n("kanto"), "block", accounts=world.accounts)["status"] == "blocked"
    with pytest.raises(StatusChangeNotAllowed):
        service.set_account_status(world.n("kanto"), "block", accounts=world.accounts)
    assert service.set_account_status(world.n("kanto"), "unblock", accounts=world.accounts)["status"] == "open"
    assert service.close_account(world.n("aozora"), accounts=world.accounts)["status"] == "closed"
