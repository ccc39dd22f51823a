"""The ledger's extension point on DynamoDB (moto): another system's own condition and
write go into the very TransactWriteItems that moves the units, so both happen or
neither. This is what the notice board's settlement will use: its deal changes state in
the transfer's transaction.

The "deal" here is a test-only item kind in the shared table, as a system would declare
it in its own adapters.
"""

from __future__ import annotations

import json
import uuid

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib import container
from chalicelib.core.table import LinkedWrite, TableItem
from chalicelib.registry.domain import errors as e
from chalicelib.registry.domain.blocks import transaction_id
from chalicelib.registry.service import Initiator, TransferCommand, lines_of
from tests.conftest import admin, executed


class DealItem(TableItem, discriminator="test_deal"):
    status = UnicodeAttribute()

    @staticmethod
    def key(deal_id: str) -> tuple[str, str]:
        return f"TESTDEAL#{deal_id}", "DEAL"


@pytest.fixture(scope="module")
def world(demo):
    kanto, aozora = demo["kanto"]["accounts"][0], demo["aozora"]["accounts"][0]
    admin("set_market", {"action": "force_open", "reason": "linked writes"})
    executed("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                          "amount": 100, "reason": "allocation"})
    container.table()
    return {"kanto": kanto, "aozora": aozora}


def _settle(deal_id: str) -> LinkedWrite:
    """The deal moves from agreed to settled, only if it is still agreed."""
    return LinkedWrite.update(
        f"deal:{deal_id}", DealItem(*DealItem.key(deal_id)),
        actions=[DealItem.status.set("settled")], condition=DealItem.status == "agreed",
    )


def _command(world, deal_id: str, amount: int, key: str | None = None) -> TransferCommand:
    return TransferCommand(
        sender=world["kanto"], receiver=world["aozora"],
        lines=lines_of([{"unit_type": "JPA", "amount": amount}]),
        idempotency_key=key or f"deal-{uuid.uuid4()}", initiator=Initiator("kanto", "kanto-steel"),
        deal_ref=deal_id, linked=(_settle(deal_id),),
    )


def _balances(world) -> tuple[int, int]:
    store = container.registry_store()
    return store.get_account(world["kanto"]).balance, store.get_account(world["aozora"]).balance


def test_the_deal_and_the_units_change_in_one_transaction(world):
    DealItem(*DealItem.key("D1"), status="agreed").save()
    before = _balances(world)
    command = _command(world, "D1", 10)
    receipt = container.ledger().transfer(command)
    assert not receipt.replayed
    assert receipt.transaction["deal_ref"] == "D1"
    assert DealItem.get(*DealItem.key("D1"), consistent_read=True).status == "settled"
    assert _balances(world) == (before[0] - 10, before[1] + 10)
    stored = container.ledger_store().transaction(receipt.transaction["id"])
    assert json.loads(stored.core)["deal_ref"] == "D1"

    # The same request again (a retry after a lost answer) replays: nothing moves twice.
    again = container.ledger().transfer(command)
    assert again.replayed and again.transaction["id"] == receipt.transaction["id"]
    assert _balances(world) == (before[0] - 10, before[1] + 10)


def test_a_failed_linked_condition_moves_nothing(world):
    DealItem(*DealItem.key("D2"), status="cancelled").save()
    before = _balances(world)
    command = _command(world, "D2", 10)
    with pytest.raises(e.LinkedConditionFailed) as refused:
        container.ledger().transfer(command)
    assert refused.value.status == 409 and "deal:D2" in refused.value.message
    assert _balances(world) == before
    assert DealItem.get(*DealItem.key("D2"), consistent_read=True).status == "cancelled"
    assert container.ledger_store().transaction(transaction_id("kanto-steel", command.idempotency_key)) is None
    assert admin("audit_ledger", {})["ok"]


def test_a_refused_movement_leaves_the_deal_as_it_was(world):
    """The other way round: the ledger refuses (not enough units), the deal stays agreed."""
    DealItem(*DealItem.key("D3"), status="agreed").save()
    with pytest.raises(e.InsufficientUnits):
        container.ledger().transfer(_command(world, "D3", 1_000_000))
    assert DealItem.get(*DealItem.key("D3"), consistent_read=True).status == "agreed"


def test_linked_writes_take_room_from_the_blocks_one_transaction_can_move():
    from chalicelib.registry.domain.movements import MAX_ACTIONS, max_blocks

    assert max_blocks(0) == 46 and max_blocks(2) == 45
    assert 8 + 2 * max_blocks(3) + 3 <= MAX_ACTIONS
