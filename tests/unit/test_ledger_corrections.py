"""Corrections at the service level: the administrator moves a transaction's serial
blocks back to the sender, or on to another account, once; on the in-memory ports,
audited after every test."""

from __future__ import annotations

import pytest

from chalicelib.registry import service
from chalicelib.registry.domain.errors import (
    AccountNotOpen,
    AlreadyCorrected,
    NotCorrectable,
    ReserveBreach,
    SameAccount,
    TransactionNotFound,
    UnitsNoLongerHeld,
    UnknownReceiver,
)
from tests.unit.registry_world import UNKNOWN, USERS


@pytest.fixture
def sent(world) -> dict:
    """Kanto was issued serials 1-100 and sent the lowest 50 to Minato."""
    world.issue("kanto", 100)
    return world.transfer("kanto", "minato", 50).transaction


def test_a_correction_moves_the_same_serials_back_to_the_sender(world, sent):
    receipt = world.correct(sent["id"])
    tx = receipt.transaction
    assert (receipt.replayed, tx["correction"], tx["corrects"], tx["type"]) == (False, True, sent["id"], "transfer")
    assert (tx["from_account"], tx["to_account"], tx["reason"]) == (world.n("minato"), world.n("kanto"), "sent to the wrong account")
    assert [(b["block_id"], b["serial_start"], b["serial_end"]) for b in tx["blocks"]] == [
        (b["block_id"], b["serial_start"], b["serial_end"]) for b in sent["blocks"]]
    assert world.serials("kanto") == [("JPA", 1, 50), ("JPA", 51, 100)]  # back as its own block: blocks are never merged
    assert world.balance("minato") == 0
    assert world.ledger.transaction(USERS["minato"], sent["id"])["corrected_by"] == tx["id"]
    rows = world.ledger.history(USERS["minato"], service.HistoryQuery(world.n("minato")))["items"]
    assert [(row["in"], row["out"], row["correction"]) for row in rows] == [(50, 0, False), (0, 50, True)]


def test_a_correction_may_send_the_units_on_to_another_account(world, sent):
    tx = world.correct(sent["id"], to="aozora").transaction
    assert (tx["from_account"], tx["to_account"]) == (world.n("minato"), world.n("aozora"))
    assert world.serials("aozora") == [("JPA", 1, 50)]


def test_an_issuance_is_corrected_only_to_a_named_account(world):
    issued = world.issue("kanto", 10).transaction
    refused = world.refused(NotCorrectable, lambda: world.correct(issued["id"]))
    assert (refused.field, refused.status) == ("to_account", 422)
    tx = world.correct(issued["id"], to="minato").transaction
    assert (tx["from_account"], tx["to_account"], world.serials("minato")) == (world.n("kanto"), world.n("minato"), [("JPA", 1, 10)])


def test_a_transaction_is_corrected_once_and_the_same_correction_replays(world, sent):
    first = world.correct(sent["id"])
    again = world.correct(sent["id"])
    assert (again.replayed, again.transaction) == (True, first.transaction)
    for other in (lambda: world.correct(sent["id"], reason="once more"), lambda: world.correct(sent["id"], to="aozora")):
        refused = world.refused(AlreadyCorrected, other)
        assert (refused.params["corrected_by"], refused.status) == (first.transaction["id"], 409)
    assert world.balance("kanto") == 100


def test_units_that_moved_on_cannot_be_corrected(world, sent):
    world.transfer("minato", "aozora", 20)
    refused = world.refused(UnitsNoLongerHeld, lambda: world.correct(sent["id"]))
    assert (refused.params["number"], refused.params["serials"], refused.status) == (world.n("minato"), "JPA 1-50", 409)


def test_a_correction_needs_another_open_account_that_exists(world, sent):
    assert world.refused(SameAccount, lambda: world.correct(sent["id"], to="minato")).field == "to_account"
    assert world.refused(UnknownReceiver, lambda: world.correct(sent["id"], to=UNKNOWN)).field == "to_account"
    service.set_account_status(world.n("kanto"), "block", accounts=world.accounts)
    assert world.refused(AccountNotOpen, lambda: world.correct(sent["id"])).field == "to_account"
    service.set_account_status(world.n("minato"), "block", accounts=world.accounts)
    assert world.refused(AccountNotOpen, lambda: world.correct(sent["id"], to="aozora")).field == "transaction_id"


@pytest.mark.parametrize("transaction_id", ["TX000000000000000000", "not-a-transaction", ""])
def test_an_unknown_transaction_cannot_be_corrected(world, transaction_id):
    assert world.refused(TransactionNotFound, lambda: world.correct(transaction_id)).field == "transaction_id"


def test_a_correction_keeps_the_holders_commitment_reserve(world, sent):
    service.set_commitment_reserve(world.n("minato"), 40, accounts=world.accounts)
    refused = world.refused(ReserveBreach, lambda: world.correct(sent["id"]))
    assert refused.params == {"requested": 50, "transferable": 10}


def test_a_retirement_is_undone_from_the_retirement_account(world):
    world.issue("kanto", 100)
    service.set_commitment_reserve(world.n("kanto"), 100, accounts=world.accounts)
    retired = world.retire("kanto", 30).transaction
    tx = world.correct(retired["id"], reason="retired by mistake").transaction
    assert (tx["from_account"], tx["to_account"], tx["type"]) == (world.n("retirement"), world.n("kanto"), "transfer")
    assert (world.balance("kanto"), world.balance("retirement")) == (100, 0)


def test_the_same_correction_racing_itself_is_answered_with_the_one_written(world, sent, backoffs):
    world.store.meanwhile(lambda: world.correct(sent["id"]))
    receipt = world.correct(sent["id"])
    assert receipt.replayed and "transaction" in world.store.failures[0] and "corrects" in world.store.failures[0]
    assert backoffs == [] and world.balance("kanto") == 100


def test_another_correction_racing_is_already_corrected(world, sent):
    world.store.meanwhile(lambda: world.correct(sent["id"], to="aozora"))
    with pytest.raises(AlreadyCorrected):
        world.correct(sent["id"])
    assert (world.balance("aozora"), world.balance("kanto")) == (50, 50)


def _race_before_the_plan(world, monkeypatch, race):
    """Run ``race`` once, after the correction's first checks and before it reads the blocks it moves back."""
    reads = world.store.blocks_held
    done: list[object] = []

    def blocks_held(number, wanted):
        if not done:
            done.append(None)
            done.append(race())
        return reads(number, wanted)

    monkeypatch.setattr(world.store, "blocks_held", blocks_held)
    return done


def test_the_same_correction_finished_before_its_plan_replays_instead_of_units_no_longer_held(world, sent, monkeypatch):
    done = _race_before_the_plan(world, monkeypatch, lambda: world.correct(sent["id"]))
    receipt = world.correct(sent["id"])
    assert receipt.replayed and receipt.transaction == done[1].transaction
    assert world.balance("kanto") == 100


def test_another_correction_finished_before_its_plan_is_already_corrected(world, sent, monkeypatch):
    done = _race_before_the_plan(world, monkeypatch, lambda: world.correct(sent["id"], to="aozora"))
    with pytest.raises(AlreadyCorrected) as refused:  # (the racing correction did write: not world.refused)
        world.correct(sent["id"])
    assert refused.value.params["corrected_by"] == done[1].transaction["id"]
    assert (world.balance("aozora"), world.balance("kanto")) == (50, 50)
