"""The fakes are only worth what they copy: the ports' signatures (the real adapters
are held to the same ones), and the ledger store's transaction, condition by condition
and label by label, as ``LedgerStore.commit`` writes it."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any, Protocol

import pytest

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.events import Publish
from chalicelib.core.table import LinkedWrite
from chalicelib.core.transactions import CommitFailed
from chalicelib.documents import service as documents
from chalicelib.emissions import ports as emissions
from chalicelib.emissions import service as emissions_service
from chalicelib.identity import service as identity
from chalicelib.registry.domain.accounts import AccountStatus
from chalicelib.registry.domain.blocks import Block, Line, allocate
from chalicelib.registry.domain.calendar import derive
from chalicelib.registry.domain.movements import Movement, build
from chalicelib.registry.ports import (
    AccountsPort,
    LedgerPort,
    OrganisationsPort,
)
from tests.unit.fakes import (
    FakeAccounts,
    FakeDocumentStore,
    FakeEmissionsStore,
    FakeLedgerStore,
    FakeLinkedWrite,
    FakeObjectStore,
    FakeOrganisations,
    FakeUserAdministration,
    FakeUserPool,
    FakeVerifier,
    RecordingPublish,
)
from tests.unit.fakes.registry import StoredBlock, StoredTransaction
from tests.unit.fakes.reports import FakeReportStore


def _adapters() -> dict[type, list[type]]:
    from chalicelib.core.adapters import OrganisationDirectory
    from chalicelib.documents.adapters import DocumentStore, ObjectStore
    from chalicelib.emissions.adapters import EmissionsStore, ReportStore
    from chalicelib.identity.adapters import CognitoDirectory, TokenVerifier
    from chalicelib.registry.adapters.accounts import RegistryStore
    from chalicelib.registry.adapters.ledger import LedgerStore

    return {
        AccountsPort: [FakeAccounts, RegistryStore],
        LedgerPort: [FakeLedgerStore, LedgerStore],
        OrganisationsPort: [FakeOrganisations, OrganisationDirectory],
        identity.OrganisationStore: [FakeOrganisations, OrganisationDirectory],
        identity.UserPool: [FakeUserPool, CognitoDirectory],
        identity.Verifier: [FakeVerifier, TokenVerifier],
        identity.UserAdministration: [FakeUserAdministration, CognitoDirectory],
        documents.DocumentStore: [FakeDocumentStore, DocumentStore],
        documents.ObjectStore: [FakeObjectStore, ObjectStore],
        emissions.EmissionsPort: [FakeEmissionsStore, EmissionsStore],
        emissions.DocumentsPort: [FakeDocumentStore, DocumentStore],
        emissions.ReportsPort: [FakeReportStore, ReportStore],
        emissions_service.OrganisationsPort: [FakeOrganisations, OrganisationDirectory],
        Publish: [RecordingPublish],
    }


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    found: dict[str, inspect.Signature] = {}
    for cls in reversed(protocol.__mro__):
        if cls in (object, Protocol) or not getattr(cls, "_is_protocol", False):
            continue
        for name, member in vars(cls).items():
            if inspect.isfunction(member) and (not name.startswith("_") or name == "__call__"):
                found[name] = inspect.signature(member)
    return found


def _shape(signature: inspect.Signature) -> list[tuple[str, Any, bool]]:
    return [(p.name, p.kind, p.default is inspect.Parameter.empty) for p in signature.parameters.values()]


@pytest.mark.parametrize("protocol", list(_adapters()), ids=lambda p: p.__qualname__)
def test_every_fake_and_adapter_has_the_ports_methods_with_the_same_parameters(protocol):
    methods = _methods(protocol)
    assert methods, protocol
    for implementation in _adapters()[protocol]:
        for name, signature in methods.items():
            assert hasattr(implementation, name), f"{implementation.__name__} lacks {name}"
            assert _shape(inspect.signature(getattr(implementation, name))) == _shape(signature), f"{implementation.__name__}.{name}"


# --- the ledger store's transaction -----------------------------------------------------------


def _transfer(world, sender: str = "kanto", receiver: str = "minato", amount: int = 150, market: bool = True) -> Movement:
    """A transfer planned as the service plans one, from what the fake holds now."""
    account, blocks = world.store.holdings(world.n(sender))
    chosen = allocate(blocks, [Line("JPA", amount)], "TX0000000000000000AA")
    stamp = world.clock().isoformat(timespec="microseconds")
    return build(transaction_id="TX0000000000000000AA", kind="transfer", created_at=stamp, sender=account,
                 receiver=world.accounts.get_account(world.n(receiver)), moved=chosen.moved_blocks(), takes=chosen.takes,
                 lines=[Line("JPA", amount)], initiated_by="kanto", initiator_org=account.holder_org_id, idempotency_key="k",
                 fingerprint="f", market_open_at=stamp[:19] + "+09:00" if market else None)


@pytest.fixture
def held(world):
    """Kanto holds serials 1-100 and 151-250 in two blocks (Minato holds 101-150)."""
    world.issue("kanto", 100)
    world.issue("minato", 50)
    world.issue("kanto", 100)
    return world


def _refused(world, movement: Movement, linked: tuple[Any, ...] = ()) -> tuple[str, ...]:
    """The labels the fake refuses ``movement`` with; it must have written nothing. (A test
    that breaks the ledger on purpose uses ``unbroken``: the audit runs after every test.)"""
    before = world.memory.state()
    with pytest.raises(CommitFailed) as refused:
        world.store.commit(movement, linked)
    assert world.memory.state() == before, "a refused commit wrote something"
    return refused.value.failed


@pytest.fixture
def unbroken(held):
    """``held``, put back as it was after the test broke it."""
    saved = held.memory.state()
    yield held
    held.memory.restore(saved)


def test_a_transfer_commits_whole_and_takes_whole_blocks_then_the_lowest_serials(held):
    movement = _transfer(held)
    held.store.commit(movement)
    assert [(take.block.serial_start, take.amount, take.whole) for take in movement.takes] == [(1, 100, True), (151, 50, False)]
    assert held.serials("kanto") == [("JPA", 201, 250)]
    assert held.serials("minato") == [("JPA", 1, 100), ("JPA", 101, 150), ("JPA", 151, 200)]
    assert (held.balance("kanto"), held.balance("minato")) == (50, 200)
    assert held.store.committed[-1] == (movement, ())


def test_the_market_must_be_open_until_after_the_instant_of_the_transfer(held):
    held.memory.market = derive("force_close", held.clock.now)
    assert _refused(held, _transfer(held)) == ("market",)
    held.memory.market = replace(derive("auto", held.clock.now), closes_at=held.clock.now.isoformat(timespec="seconds"))
    assert _refused(held, _transfer(held)) == ("market",)
    held.memory.market = None  # never stored
    assert _refused(held, _transfer(held)) == ("market",)
    held.store.commit(_transfer(held, market=False))  # retirements and corrections do not ask


def test_each_taken_block_must_be_unchanged_whole_or_split(unbroken):
    movement = _transfer(unbroken)
    first, second = (take.block.block_id for take in movement.takes)
    unbroken.memory.touch_block(unbroken.n("kanto"), first)
    unbroken.memory.touch_block(unbroken.n("kanto"), second)
    assert _refused(unbroken, movement) == (f"block:{first}", f"block:{second}")  # a delete, then an update


def test_a_block_must_still_belong_to_the_sender(unbroken):
    movement = _transfer(unbroken)
    block_id = movement.takes[0].block.block_id
    unbroken.memory.blocks[(unbroken.n("kanto"), block_id)].owner = unbroken.n("aozora")
    assert _refused(unbroken, movement) == (f"block:{block_id}",)


def test_arriving_blocks_history_rows_and_the_record_must_not_exist_yet(unbroken):
    movement = _transfer(unbroken)
    minato = unbroken.n("minato")
    moved = movement.moved_blocks[1]
    unbroken.memory.blocks[(minato, moved.block_id)] = StoredBlock(minato, minato, moved, "TXOTHER")
    entry = movement.changes[0].history
    unbroken.memory.history[(entry.account, f"H#{entry.created_at}#{entry.transaction_id}")] = entry
    unbroken.memory.transactions[movement.transaction_id] = _record(movement.transaction_id)
    assert _refused(unbroken, movement) == (f"arrive:{moved.block_id}", f"history:{unbroken.n('kanto')}", "transaction")


def _record(transaction_id: str) -> StoredTransaction:
    return StoredTransaction(transaction_id, "transfer", "", "{}", "{}", "x", "", "", "")


@pytest.mark.parametrize("change", ["version", "blocked", "closed", "reserve"])
def test_each_account_must_be_as_read_open_and_keep_the_senders_reserve(unbroken, change):
    movement = _transfer(unbroken)
    kanto = unbroken.n("kanto")
    account = unbroken.memory.accounts[kanto]
    unbroken.memory.accounts[kanto] = {
        "version": replace(account, version=account.version + 1),
        "blocked": replace(account, status=AccountStatus.BLOCKED),
        "closed": replace(account, status=AccountStatus.CLOSED),
        # balance 200, reserve 51: transferable 149 < 150 (the version left alone to isolate the rule)
        "reserve": replace(account, commitment_reserve=51),
    }[change]
    assert _refused(unbroken, movement) == (f"account:{kanto}",)


def test_the_receiver_must_be_as_read_and_open_but_its_reserve_does_not_matter(unbroken):
    minato = unbroken.n("minato")
    unbroken.memory.accounts[minato] = replace(unbroken.memory.accounts[minato], commitment_reserve=10_000)
    unbroken.store.commit(_transfer(unbroken))
    unbroken.memory.accounts[minato] = replace(unbroken.memory.accounts[minato], commitment_reserve=0)


def test_the_serial_counter_must_still_hold_the_value_read(world):
    world.issue("kanto", 10)
    counter = "SERIAL#JP#JPA#01"
    receiver = world.accounts.get_account(world.n("kanto"))

    def issuance(read: int) -> Movement:
        block = Block("TX00000000000000000B.1", "JPA", "01", "01", "", read + 1, read + 5)
        return build(transaction_id="TX00000000000000000B", kind="issuance", created_at=world.clock().isoformat(), sender=None,
                     receiver=receiver, moved=[block], created_blocks=[block], lines=[Line("JPA", 5, "01", "01")],
                     initiated_by="admin", initiator_org="", idempotency_key="k", fingerprint="f", counter=(counter, read, read + 5))

    assert _refused(world, issuance(0)) == ("counter",)  # read as absent, but it exists
    assert _refused(world, issuance(7)) == ("counter",)
    world.store.commit(issuance(10))
    assert world.memory.counters[counter] == 15


def test_a_corrected_transaction_must_exist_and_not_be_corrected_yet(held):
    original = held.transfer("kanto", "minato", 5).transaction["id"]
    correction = replace(_transfer(held, "minato", "aozora", 1, market=False), corrects="TX0000000000000000FF")
    assert _refused(held, correction) == ("corrects",)
    held.memory.transactions[original].corrected_by = "TXSOMEONEELSE"
    assert _refused(held, replace(correction, corrects=original)) == ("corrects",)
    held.memory.transactions[original].corrected_by = None
    held.store.commit(replace(correction, corrects=original))
    assert held.memory.transactions[original].corrected_by == correction.transaction_id


def test_linked_writes_are_checked_and_written_with_the_movement(held):
    deal = FakeLinkedWrite("deal:D1", key="deal:D1", expect="open", value="settled")
    check = LinkedWrite("notice:N1", "condition_check", None)  # a real one: the fake goes by its label
    held.memory.linked_items["deal:D1"] = "settled"
    held.store.failing_linked.add("notice:N1")
    assert _refused(held, _transfer(held), (deal, check)) == ("notice:N1", "deal:D1")  # a check is sent first
    held.memory.linked_items["deal:D1"] = "open"
    held.store.failing_linked.clear()
    held.store.commit(_transfer(held), (deal, check))
    assert held.memory.linked_items["deal:D1"] == "settled"


def test_failed_conditions_are_named_in_the_order_dynamodb_answers_them(unbroken):
    movement = _transfer(unbroken)
    kanto, minato = unbroken.n("kanto"), unbroken.n("minato")
    first, second = (take.block.block_id for take in movement.takes)
    unbroken.memory.market = derive("force_close", unbroken.clock.now)
    unbroken.memory.touch_block(kanto, first)
    unbroken.memory.touch_block(kanto, second)
    unbroken.memory.touch_account(minato)  # the receiver's version: no condition of a receipt
    unbroken.memory.touch_account(kanto)
    unbroken.memory.transactions[movement.transaction_id] = _record(movement.transaction_id)
    linked = (FakeLinkedWrite("deal:D1", key="deal:D1", expect="open", value="settled", kind="save"),)
    # condition checks, deletes, puts, updates; within each, as added
    assert _refused(unbroken, movement, linked) == (
        "market", f"block:{first}", "transaction", "deal:D1", f"block:{second}", f"account:{kanto}")


def test_a_transaction_over_dynamodbs_100_actions_is_refused_as_a_request(held):
    movement = _transfer(held)  # 2 blocks: 12 actions
    linked = tuple(FakeLinkedWrite(f"deal:{i}", key=f"deal:{i}", expect=None, value=1) for i in range(89))
    before = held.memory.state()
    with pytest.raises(ServiceUnavailable):
        held.store.commit(movement, linked)
    assert held.memory.state() == before
    held.store.commit(movement, linked[:88])  # exactly 100


def test_two_actions_on_one_item_are_refused_as_a_request(held):
    twice = (FakeLinkedWrite("deal:a", key="deal:D1", expect=None, value=1), FakeLinkedWrite("deal:b", key="deal:D1", expect=None, value=2))
    with pytest.raises(ServiceUnavailable):
        held.store.commit(_transfer(held), twice)


def test_someone_else_writes_between_the_read_and_the_commit(held):
    movement = _transfer(held)
    kanto = held.n("kanto")
    held.store.meanwhile(lambda: held.memory.touch_account(kanto))
    with pytest.raises(CommitFailed) as refused:
        held.store.commit(movement)
    assert refused.value.failed == (f"account:{kanto}",)
    assert held.store.failures == [(f"account:{kanto}",)]
    assert held.balance("kanto") == 200
    held.store.commit(_transfer(held))  # read again: it goes through, nobody interferes twice
    assert held.balance("kanto") == 50
