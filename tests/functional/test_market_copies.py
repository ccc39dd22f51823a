"""The trading window as N copies of the market item (settings: MARKET_COPIES) on moto.

Each transfer checks the copy its sender hashes to; every change of the window writes
all copies in one TransactWriteItems and every read takes all of them in one
TransactGetItems (``LedgerStore.put_market`` argues why no transfer can complete outside
the window under any race). These tests hold the parts of that argument that can fail:
one request writes every copy, a failed change leaves every copy as it was, every copy
refuses after a halt, the scheduler never undoes a halt made after its read, and
transfers racing a halt never complete once the halt has returned.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import datetime

import pytest

from chalicelib import container
from chalicelib.core.clock import JST
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.registry.adapters.ledger import market_copy
from chalicelib.registry.adapters.models import MarketItem
from chalicelib.registry.domain.calendar import derive
from chalicelib.registry.domain.errors import MarketClosed
from chalicelib.registry.service import Initiator, TransferCommand, lines_of, set_market, sync_window
from devtools.dynamo_hooks import registry_clients
from tests.conftest import admin, executed
from tests.functional.test_faults import Fault

SENDERS = 12


@pytest.fixture(scope="module")
def desks(demo):
    """Accounts of one organisation whose senders hash to several different copies."""
    admin("set_market", {"action": "force_open", "reason": "copies"})
    numbers = [admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"] for _ in range(SENDERS)]
    for number in numbers:
        executed("issue_units", {"account": number, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                              "amount": 1_000, "reason": "copies", "idempotency_key": f"copies-{number}"})
    return numbers


@pytest.fixture
def counted():
    calls: Counter = Counter()
    items: Counter = Counter()

    def before(params, model, **_):
        calls[model.name] += 1
        items[model.name] += len(params.get("TransactItems", []))

    clients = registry_clients()
    for client in clients:
        client.meta.events.register("provide-client-params.dynamodb.*", before)
    yield calls, items
    for client in clients:
        client.meta.events.unregister("provide-client-params.dynamodb.*", before)


def _copies() -> list[tuple[str, str, str]]:
    store = container.ledger_store()
    states = []
    for index in range(store.copies):
        item = MarketItem.get(*MarketItem.key(index), consistent_read=True)
        states.append((item.mode, item.status, item.closes_at))
    return states


def _transfer(sender: str, receiver: str, amount: int = 1):
    return container.ledger().transfer(TransferCommand(
        sender=sender, receiver=receiver, lines=lines_of([{"unit_type": "JPA", "amount": amount}]),
        idempotency_key=f"copies-{uuid.uuid4()}", initiator=Initiator("copies", "aozora-trading")))


def test_the_senders_spread_over_the_copies(desks):
    copies = container.ledger_store().copies
    assert copies == 16  # the default of settings.market_copies
    assert len({market_copy(number, copies) for number in desks}) >= 6


def test_a_change_of_the_window_writes_every_copy_in_one_transaction(desks, counted):
    calls, items = counted
    set_market("halt", "copies", container.ledger_store())
    assert calls["TransactWriteItems"] == 1 and items["TransactWriteItems"] == 16
    assert calls["PutItem"] == calls["UpdateItem"] == 0
    assert set(_copies()) == {("halted", "halted", "")}
    calls.clear()
    assert set_market("halt", "copies", container.ledger_store())["changed"] is False  # already so: nothing written
    assert calls["TransactWriteItems"] == 0
    set_market("force_open", "copies", container.ledger_store())
    assert len(set(_copies())) == 1


def test_a_halt_refuses_transfers_whatever_copy_the_sender_hashes_to(desks, client):
    set_market("halt", "copies", container.ledger_store())
    try:
        for sender, receiver in zip(desks, desks[1:] + desks[:1], strict=True):
            with pytest.raises(MarketClosed):
                _transfer(sender, receiver)
        view = client.http.get("/market")
        assert view.json_body["status"] == "halted"
    finally:
        set_market("force_open", "copies", container.ledger_store())
    for sender, receiver in zip(desks, desks[1:] + desks[:1], strict=True):
        _transfer(sender, receiver)
    assert client.http.get("/market").json_body["status"] == "open"


def test_a_change_that_fails_leaves_every_copy_as_it_was(desks):
    before = _copies()
    fault = Fault("TransactWriteItems", 1, "internal", 99)
    clients = registry_clients()
    for one in clients:
        one.meta.events.register("before-send.dynamodb", fault.before_send)
    try:
        with pytest.raises(ServiceUnavailable):
            set_market("halt", "copies", container.ledger_store())
    finally:
        for one in clients:
            one.meta.events.unregister("before-send.dynamodb", fault.before_send)
    assert fault.fired >= 1
    assert _copies() == before and {state[1] for state in before} == {"open"}


def test_the_scheduler_never_undoes_a_halt_made_after_its_read(desks):
    store = container.ledger_store()
    set_market("auto", "copies", store)
    try:
        read = store.market()  # what the scheduler read ...
        set_market("halt", "emergency", store)  # ... before the administrator halted
        wednesday = datetime(2026, 4, 1, 11, 0, tzinfo=JST)
        assert store.put_market(derive(read.mode, wednesday), expected_mode=read.mode) is False
        assert {state[0] for state in _copies()} == {"halted"}
        assert sync_window(store)["changed"] is False  # a halt is not the scheduler's to change
    finally:
        set_market("force_open", "copies", store)


def test_transfers_racing_a_halt_never_complete_after_it_returned(desks):
    store = container.ledger_store()
    set_market("force_open", "copies", store)
    halted_at: list[float] = []
    completed: list[tuple[float, float]] = []
    refused = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def desk(index: int) -> None:
        sender, receiver = desks[index], desks[(index + 1) % len(desks)]
        while not stop.is_set():
            started = time.monotonic()
            try:
                _transfer(sender, receiver)
            except MarketClosed:
                with lock:
                    refused["closed"] += 1
                if halted_at:
                    return
                continue
            with lock:
                completed.append((started, time.monotonic()))

    threads = [threading.Thread(target=desk, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    set_market("halt", "race", store)
    halted_at.append(time.monotonic())
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    set_market("force_open", "copies", store)
    assert completed and refused["closed"] >= 1
    # A transfer that completed was serialized before the halt: none started after it returned.
    assert not [started for started, _ in completed if started > halted_at[0]]
    assert container.ledger().audit()["ok"]
