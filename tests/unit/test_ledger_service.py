"""The ledger's rules at the service level, on the in-memory ports: issuance, transfers,
retirements, the reserve, the trading window, idempotency, the write loop's retries,
the block limit and linked writes. Every refusal writes nothing; after every test the
ledger audit over the fake's snapshot is clean (the ``world`` fixture)."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.table import LinkedWrite
from chalicelib.registry import service
from chalicelib.registry.domain.blocks import Line
from chalicelib.registry.domain.errors import (
    AccountNotFound,
    AccountNotOpen,
    ConcurrentUpdate,
    IdempotencyMismatch,
    InsufficientUnits,
    InvalidAccountNumber,
    LinkedConditionFailed,
    MarketClosed,
    ReceiverNotAllowed,
    ReserveBreach,
    SameAccount,
    TooManyBlocks,
    UnknownReceiver,
)
from chalicelib.registry.service import MAX_ATTEMPTS
from tests.unit.fakes import FakeLinkedWrite
from tests.unit.registry_world import UNKNOWN, USERS

# --- issuance ------------------------------------------------------------------------------------


def test_issued_serials_continue_per_unit_type_and_issued_period(world):
    first = world.issue("kanto", 100)
    world.issue("minato", 50)
    world.issue("kanto", 10, period="02")
    world.issue("aozora", 25, unit_type="jCER", project="CDM-0001")
    world.issue("aozora", 5)
    assert world.serials("kanto") == [("JPA", 1, 100), ("JPA", 1, 10)]
    assert world.serials("minato") == [("JPA", 101, 150)]
    assert world.serials("aozora") == [("JPA", 151, 155), ("jCER", 1, 25)]
    assert {name: value for name, value in world.memory.counters.items() if name.startswith("SERIAL#")} == {
        "SERIAL#JP#JPA#01": 155, "SERIAL#JP#JPA#02": 10, "SERIAL#JP#jCER#01": 25}
    tx = first.transaction
    assert (first.replayed, tx["type"], tx["from_account"], tx["to_account"], tx["amount"], tx["reason"]) == (
        False, "issuance", "", world.n("kanto"), 100, "allocation")
    assert [(b["block_id"], b["serial_start"], b["serial_end"]) for b in tx["blocks"]] == [(f"{tx['id']}.1", 1, 100)]
    assert set(tx["chain"]) == {world.n("kanto")} and tx["chain"][world.n("kanto")]["seq"] == 1


def test_issuance_needs_an_open_account_that_exists(world):
    assert world.refused(AccountNotFound, lambda: world.issue(UNKNOWN, 10)).field == "account"
    assert world.refused(InvalidAccountNumber, lambda: world.issue("JP-120-1-0-00", 10)).field == "account"
    service.set_account_status(world.n("kanto"), "block", accounts=world.accounts)
    refused = world.refused(AccountNotOpen, lambda: world.issue("kanto", 10))
    assert (refused.field, refused.params["status"], refused.status) == ("account", "blocked", 409)


def test_an_issuance_with_the_same_key_is_issued_once(world):
    first = world.issue("kanto", 100, key="issue-0001")
    again = world.issue("kanto", 100, key="issue-0001")
    assert (again.replayed, again.transaction) == (True, first.transaction)
    assert world.serials("kanto") == [("JPA", 1, 100)]
    mismatch = world.refused(IdempotencyMismatch, lambda: world.issue("kanto", 101, key="issue-0001"))
    assert (mismatch.field, mismatch.status) == ("Idempotency-Key", 409)


def test_an_issuance_racing_another_continues_after_its_serials(world, backoffs):
    world.store.meanwhile(lambda: world.issue("minato", 30))
    world.issue("kanto", 100)
    assert world.store.failures == [("counter",)]
    assert backoffs == [0]
    assert (world.serials("minato"), world.serials("kanto")) == ([("JPA", 1, 30)], [("JPA", 31, 130)])


# --- transfers -------------------------------------------------------------------------------------


def test_a_transfer_moves_whole_blocks_then_splits_off_the_lowest_serials(world):
    issued = world.issue("kanto", 100).transaction
    world.issue("minato", 50)
    world.issue("kanto", 100)
    receipt = world.transfer("kanto", "aozora", 150)
    tx = receipt.transaction
    kanto, aozora = world.n("kanto"), world.n("aozora")
    assert (receipt.replayed, tx["type"], tx["amount"], tx["from_account"], tx["to_account"]) == (False, "transfer", 150, kanto, aozora)
    # the whole block keeps its id; the split one is new, and the sender keeps the higher serials
    assert [(b["block_id"], b["serial_start"], b["serial_end"]) for b in tx["blocks"]] == [
        (issued["blocks"][0]["block_id"], 1, 100), (f"{tx['id']}.2", 151, 200)]
    assert world.serials("kanto") == [("JPA", 201, 250)]
    assert world.serials("aozora") == [("JPA", 1, 100), ("JPA", 151, 200)]
    assert (world.balance("kanto"), world.balance("aozora")) == (50, 150)
    assert set(tx["chain"]) == {kanto}  # a link of the sender's chain; a receipt for aozora
    assert not {"from_org", "to_org", "initiator_org"} & set(tx)  # organisation ids stay internal


def test_lines_choose_units_by_type_period_and_project(world):
    world.issue("kanto", 10, period="02")
    world.issue("kanto", 10)
    world.issue("kanto", 10, unit_type="jCER", project="CDM-0001")
    world.issue("kanto", 10, unit_type="jCER", project="CDM-0002")
    tx = world.transfer("kanto", "minato", 5, Line("jCER", 10, project="CDM-0002"), Line("JPA", 3, issued_period="02")).transaction
    assert [(b["unit_type"], b["issued_period"], b["project"], b["serial_start"], b["serial_end"]) for b in tx["blocks"]] == [
        ("JPA", "01", "", 1, 5), ("jCER", "01", "CDM-0002", 11, 20), ("JPA", "02", "", 1, 3)]
    assert [line["amount"] for line in tx["lines"]] == [5, 10, 3]


@pytest.mark.parametrize("receiver", ["minato", "cancellation"])
def test_the_commitment_reserve_holds_transfers_back(world, receiver):
    world.issue("kanto", 1000)
    service.set_commitment_reserve(world.n("kanto"), 800, accounts=world.accounts)
    refused = world.refused(ReserveBreach, lambda: world.transfer("kanto", receiver, 201))
    assert (refused.params, refused.field, refused.status) == ({"requested": 201, "transferable": 200}, "lines", 409)
    world.transfer("kanto", receiver, 200)
    assert service.get_account(USERS["kanto"], world.n("kanto"), accounts=world.accounts)["transferable"] == 0


def test_a_retirement_may_use_the_commitment_reserve(world):
    world.issue("kanto", 1000)
    service.set_commitment_reserve(world.n("kanto"), 800, accounts=world.accounts)
    tx = world.retire("kanto", 1000, period="01").transaction
    assert (tx["type"], tx["to_account"], tx["compliance_period"], tx["amount"]) == ("retirement", world.n("retirement"), "01", 1000)
    assert (world.balance("kanto"), world.balance("retirement")) == (0, 1000)
    assert world.audit()["ok"]  # retired units still count as issued


def test_a_reserve_raised_between_the_read_and_the_commit_refuses_the_transfer(world, backoffs):
    world.issue("kanto", 100)
    world.store.meanwhile(lambda: service.set_commitment_reserve(world.n("kanto"), 80, accounts=world.accounts))
    refused = world.refused(ReserveBreach, lambda: world.transfer("kanto", "minato", 50))
    assert refused.params == {"requested": 50, "transferable": 20}
    assert world.store.failures == [(f"account:{world.n('kanto')}",)] and backoffs == [0]


def test_insufficient_units_name_the_line_that_cannot_be_covered(world):
    world.issue("kanto", 1000)
    refused = world.refused(InsufficientUnits, lambda: world.transfer("kanto", "minato", 600, 600))
    assert (refused.params["line"], refused.params["requested"], refused.params["available"]) == (2, 600, 400)
    assert (refused.field, refused.status) == ("lines.1.amount", 409)
    for line in (Line("jCER", 1), Line("JPA", 1, issued_period="02")):
        assert world.refused(InsufficientUnits, lambda line=line: world.transfer("kanto", "minato", line)).params["available"] == 0
    assert world.refused(InsufficientUnits, lambda: world.retire("kanto", 1001)).field == "lines.0.amount"


def test_sender_and_receiver_must_be_different_accounts(world):
    world.issue("kanto", 10)
    refused = world.refused(SameAccount, lambda: world.transfer("kanto", "kanto", 1))
    assert (refused.field, refused.status) == ("to_account", 400)
    world.issue("retirement", 10)
    assert world.refused(SameAccount, lambda: world.retire("retirement", 1, who="admin")).field == "account"


def test_an_unknown_receiver_is_named(world):
    world.issue("kanto", 10)
    refused = world.refused(UnknownReceiver, lambda: world.transfer("kanto", UNKNOWN, 1))
    assert (refused.params["number"], refused.field, refused.status) == (UNKNOWN, "to_account", 422)


def test_the_retirement_account_is_reached_by_a_retirement_only(world):
    world.issue("kanto", 10)
    refused = world.refused(ReceiverNotAllowed, lambda: world.transfer("kanto", "retirement", 1))
    assert (refused.field, refused.status) == ("to_account", 422)


def test_a_transfer_to_the_voluntary_cancellation_account_is_a_cancellation(world):
    world.issue("kanto", 10)
    tx = world.transfer("kanto", "cancellation", 4).transaction
    assert (tx["type"], world.balance("cancellation")) == ("cancellation", 4)
    rows = world.ledger.history(USERS["kanto"], service.HistoryQuery(world.n("kanto")))["items"]
    assert [(row["type"], row["out"]) for row in rows] == [("issuance", 0), ("cancellation", 4)]


@pytest.mark.parametrize("action", ["block", "close"])
@pytest.mark.parametrize(("which", "field"), [("sender", "from_account"), ("receiver", "to_account")])
def test_units_neither_leave_nor_reach_a_blocked_or_closed_account(world, action, which, field):
    account = world.open("spare", "aozora-trading", 121)
    if which == "sender" and action == "block":
        world.issue("spare", 10)
    else:
        world.issue("aozora", 10)
    if action == "block":
        service.set_account_status(account, "block", accounts=world.accounts)
    else:
        service.close_account(account, accounts=world.accounts)
    sender, receiver = ("spare", "aozora") if which == "sender" else ("aozora", "spare")
    refused = world.refused(AccountNotOpen, lambda: world.transfer(sender, receiver, 1))
    assert (refused.field, refused.params["status"], refused.status) == (field, {"block": "blocked", "close": "closed"}[action], 409)
    assert refused.params["status_ja"]


def test_a_receiver_blocked_between_the_read_and_the_commit_is_refused_on_the_retry(world, backoffs):
    world.issue("kanto", 10)
    minato = world.n("minato")
    world.store.meanwhile(lambda: service.set_account_status(minato, "block", accounts=world.accounts))
    assert world.refused(AccountNotOpen, lambda: world.transfer("kanto", "minato", 1)).field == "to_account"
    assert world.store.failures == [(f"account:{minato}",)] and backoffs == [0]
    service.set_account_status(minato, "unblock", accounts=world.accounts)
    world.transfer("kanto", "minato", 1)


def test_a_sender_of_another_organisation_looks_like_one_that_does_not_exist(world):
    world.issue("minato", 10)
    theirs = world.refused(AccountNotFound, lambda: world.transfer("minato", "kanto", 1, who="kanto"))
    missing = world.refused(AccountNotFound, lambda: world.transfer(UNKNOWN, "kanto", 1, who="kanto"))
    assert (theirs.status, theirs.field, theirs.code) == (missing.status, missing.field, missing.code) == (404, "from_account", "ACCOUNT_NOT_FOUND")
    assert theirs.message.replace(world.n("minato"), UNKNOWN) == missing.message
    assert world.refused(AccountNotFound, lambda: world.transfer("minato", "kanto", 1, who="verifier")).status == 404
    assert world.refused(AccountNotFound, lambda: world.transfer("minato", "kanto", 1, who="admin")).status == 404
    assert world.refused(AccountNotFound, lambda: world.retire("minato", 1, who="kanto")).field == "account"


# --- the trading window ----------------------------------------------------------------------------


def test_a_transfer_meets_the_window_as_it_is_at_the_commit(world, backoffs):
    world.issue("kanto", 10)
    world.clock.now = datetime(2026, 4, 1, 18, 0, tzinfo=JST)  # the stored window closes at 18:00
    refused = world.refused(MarketClosed, lambda: world.transfer("kanto", "minato", 1))
    assert (refused.details[0]["status"], refused.status, refused.code) == ("closed", 409, "MARKET_CLOSED")
    assert refused.details[0]["next_open"] == "2026-04-02T10:00:00+09:00"
    assert world.store.failures == [("market",)] and backoffs == []  # not retried
    world.retire("kanto", 1)  # retirements are not bound to the window


def test_a_window_closed_between_the_read_and_the_commit_refuses_the_transfer(world, backoffs):
    world.issue("kanto", 10)
    world.store.meanwhile(lambda: service.set_market("force_close", "closing early", world.store, world.clock))
    refused = world.refused(MarketClosed, lambda: world.transfer("kanto", "minato", 1))
    assert refused.details[0]["status"] == "closed" and backoffs == []
    assert refused.params["notice"] == "the administrator has closed the trading window."


def test_a_halt_gives_its_reason(world):
    world.issue("kanto", 10)
    service.set_market("halt", "System maintenance", world.store, world.clock)
    refused = world.refused(MarketClosed, lambda: world.transfer("kanto", "minato", 1))
    assert (refused.details[0]["status"], refused.details[0]["reason"], refused.details[0]["next_open"]) == ("halted", "System maintenance", None)
    assert refused.message_ja_text == "現在は移転できません。事務局により取引が停止されています。"
    service.set_market("force_open", "", world.store, world.clock)
    world.transfer("kanto", "minato", 1)


def test_setting_the_market_twice_changes_it_once(world):
    assert service.set_market("force_close", "tests", world.store, world.clock)["changed"] is True
    assert service.set_market("force_close", "tests", world.store, world.clock)["changed"] is False
    assert service.sync_window(world.store, world.clock)["status"] == "closed"  # a forced mode stays
    assert service.set_market("auto", "", world.store, world.clock)["status"] == "open"


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replay_the_transaction_and_move_nothing_twice(world):
    world.issue("kanto", 100)
    command = world.transfer_command("kanto", "minato", 7, key="retry-0001")
    first = world.ledger.transfer(command)
    again = world.ledger.transfer(command)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.transaction == first.transaction
    assert (world.balance("kanto"), world.balance("minato")) == (93, 7)
    assert len(world.memory.transactions) == 2  # the issuance and the transfer


def test_the_same_key_with_another_body_is_a_mismatch(world):
    world.issue("kanto", 100)
    world.transfer("kanto", "minato", 3, key="mismatch-01")
    for other in (lambda: world.transfer("kanto", "minato", 4, key="mismatch-01"),
                  lambda: world.transfer("kanto", "minato", 3, key="mismatch-01", deal_ref="D1"),
                  lambda: world.retire("kanto", 3, key="mismatch-01"),
                  lambda: world.transfer("kanto", "minato", 500, key="mismatch-01")):  # even when it would not fit
        refused = world.refused(IdempotencyMismatch, other)
        assert (refused.field, refused.status) == ("Idempotency-Key", 409)
    world.issue("minato", 10)
    world.transfer("minato", "kanto", 3, key="mismatch-01")  # keys are per organisation


def test_a_replay_still_answers_after_the_balance_changed(world):
    world.issue("minato", 10)
    first = world.retire("minato", 1, key="spent-0001")
    world.retire("minato", 9)
    again = world.retire("minato", 1, key="spent-0001")
    assert (again.replayed, again.transaction) == (True, first.transaction)
    assert world.balance("retirement") == 10


def test_a_replay_answers_while_the_sender_is_blocked_and_the_window_closed(world):
    world.issue("kanto", 10)
    first = world.transfer("kanto", "minato", 1, key="replay-0001")
    service.set_market("force_close", "", world.store, world.clock)
    assert world.transfer("kanto", "minato", 1, key="replay-0001").transaction == first.transaction
    service.set_account_status(world.n("kanto"), "block", accounts=world.accounts)
    assert world.transfer("kanto", "minato", 1, key="replay-0001").replayed


# --- the write loop --------------------------------------------------------------------------------


def test_a_concurrent_transfer_between_the_read_and_the_commit_is_retried(world, backoffs):
    block = world.issue("kanto", 100).transaction["blocks"][0]["block_id"]
    world.store.meanwhile(lambda: world.transfer("kanto", "aozora", 30))
    receipt = world.transfer("kanto", "minato", 50)
    kanto = world.n("kanto")
    assert world.store.failures == [(f"block:{block}", f"account:{kanto}")]
    assert backoffs == [0] and not receipt.replayed
    assert (world.serials("aozora"), world.serials("minato"), world.serials("kanto")) == (
        [("JPA", 1, 30)], [("JPA", 31, 80)], [("JPA", 81, 100)])
    assert receipt.transaction["chain"][kanto]["seq"] == 3  # linked after the concurrent transfer


def test_receipts_racing_into_one_receiver_are_never_retried(world, backoffs):
    """The receiver is no lock: what arrives meanwhile changes nothing of a receipt's conditions."""
    world.issue("kanto", 100)
    world.issue("aozora", 100)
    world.store.meanwhile(lambda: world.retire("aozora", 7), times=3)
    for _ in range(3):
        world.retire("kanto", 5)
    assert world.store.failures == [] and backoffs == []
    retirement = world.accounts.get_account(world.n("retirement"))
    assert (retirement.balance, retirement.in_count, retirement.seq) == (36, 6, 0)
    assert world.audit()["ok"]


def test_endless_conflicts_end_in_concurrent_update(world, backoffs):
    world.issue("kanto", 100)
    kanto = world.n("kanto")
    world.store.meanwhile(lambda: world.memory.touch_account(kanto), times=MAX_ATTEMPTS)
    refused = world.refused(ConcurrentUpdate, lambda: world.transfer("kanto", "minato", 1))
    assert (refused.status, refused.code) == (503, "CONCURRENT_UPDATE")
    assert len(world.store.failures) == MAX_ATTEMPTS
    assert len(backoffs) == MAX_ATTEMPTS - 1  # no sleep after the last attempt


# --- how much one transaction holds -------------------------------------------------------------


def test_a_movement_needing_more_blocks_than_one_transaction_holds_is_refused_whole(world):
    for _ in range(50):  # 50 blocks of 2 t, not contiguous
        world.issue("aozora", 2, period="02")
        world.issue("minato", 1, period="02")
    refused = world.refused(TooManyBlocks, lambda: world.transfer("aozora", "kanto", 100))
    assert refused.params == {"blocks": 50, "max_blocks": 46, "max_amount": 92, "line": 1}
    assert (refused.field, refused.status) == ("lines.0.amount", 422)
    assert world.refused(TooManyBlocks, lambda: world.retire("aozora", 100)).params["max_amount"] == 92
    # linked writes take room in the same transaction: four of them leave 44 blocks
    deals = tuple(FakeLinkedWrite(f"deal:{i}", key=f"deal:{i}", expect=None, value="settled") for i in range(4))
    refused = world.refused(TooManyBlocks, lambda: world.transfer("aozora", "kanto", 90, linked=deals))
    assert (refused.params["max_blocks"], refused.params["max_amount"]) == (44, 88)
    world.transfer("aozora", "kanto", 88, linked=deals)  # exactly DynamoDB's 100 actions
    assert world.balance("kanto") == 88


# --- linked writes ---------------------------------------------------------------------------------


def test_linked_writes_are_committed_with_the_movement_and_the_deal_is_kept(world):
    world.issue("kanto", 100)
    world.memory.linked_items["deal:D1"] = "open"
    deal = FakeLinkedWrite("deal:D1", key="deal:D1", expect="open", value="settled")
    receipt = world.transfer("kanto", "aozora", 10, linked=(deal,), deal_ref="D1")
    assert world.store.committed[-1] == (world.store.attempts[-1][0], (deal,))
    assert world.memory.linked_items["deal:D1"] == "settled"
    assert receipt.transaction["deal_ref"] == "D1"
    assert world.ledger.transaction(USERS["aozora"], receipt.transaction["id"])["deal_ref"] == "D1"


def test_a_failed_linked_condition_is_named_and_nothing_moves(world, backoffs):
    world.issue("kanto", 100)
    world.memory.linked_items["deal:D1"] = "settled"  # someone settled it first
    linked = (FakeLinkedWrite("deal:D1", key="deal:D1", expect="open", value="settled"),
              FakeLinkedWrite("deal:D2", key="deal:D2", expect=None, value="settled"),
              LinkedWrite("notice:N1", "condition_check", None))
    world.store.failing_linked.add("notice:N1")
    refused = world.refused(LinkedConditionFailed, lambda: world.transfer("kanto", "aozora", 10, linked=linked, deal_ref="D1"))
    assert (refused.params["labels"], refused.details, refused.status) == ("deal:D1, notice:N1", [{"failed": ["deal:D1", "notice:N1"]}], 409)
    assert backoffs == []  # the caller's condition: not retried


def test_a_settlement_sent_again_is_a_replay_not_a_failed_linked_condition(world):
    world.issue("kanto", 100)
    world.memory.linked_items["deal:D1"] = "open"
    command = world.transfer_command("kanto", "aozora", 10, linked=(FakeLinkedWrite("deal:D1", "deal:D1", "open", "settled"),),
                                     deal_ref="D1")
    first = world.ledger.transfer(command)
    again = world.ledger.transfer(command)
    assert (again.replayed, again.transaction) == (True, first.transaction)
    assert world.balance("aozora") == 10


# --- what an organisation holds of one type (the notice board's question) -------------------------


def test_holding_counts_only_the_unit_type_and_period_asked_in_the_first_open_holding_account(world):
    world.issue("aozora", 30)
    world.issue("aozora", 5, period="02")
    world.issue("aozora", 7, unit_type="jCER", project="CDM-0001")
    aozora = world.n("aozora")
    assert world.ledger.holding("aozora-trading", "JPA") == (aozora, 35)
    assert world.ledger.holding("aozora-trading", "JPA", "02") == (aozora, 5)
    assert world.ledger.holding("aozora-trading", "jCER") == (aozora, 7)
    assert world.ledger.holding("aozora-trading", "JCER") == (aozora, 0)  # unit types are exact
    assert world.ledger.holding("jvets", "JPA") == (None, 0)  # retirement and cancellation accounts hold nothing to sell
    service.set_account_status(aozora, "block", accounts=world.accounts)
    assert world.ledger.holding("aozora-trading", "JPA") == (None, 0)


def test_holding_reads_past_one_page_of_blocks(world, monkeypatch):
    monkeypatch.setattr(service, "HOLDING_PAGE", 2)
    for amount in (1, 2, 3, 4, 5):
        world.issue("kanto", amount)
        world.issue("minato", 1)  # serials interleave: kanto's blocks stay separate
    assert len(world.ledger.balance(USERS["admin"], world.n("kanto"))["holdings"]) == 5
    assert world.ledger.holding("kanto-steel", "JPA") == (world.n("kanto"), 15)
