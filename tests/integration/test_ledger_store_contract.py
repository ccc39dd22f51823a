"""One contract, two implementations: every case runs against the unit tier's in-memory
``FakeLedgerStore`` / ``FakeAccounts`` and against the DynamoDB adapters
(``LedgerStore`` / ``RegistryStore``) on the moto table.

A movement's commit is ONE conditional TransactWriteItems. Each condition is made to fail
alone: both implementations must refuse with the same ``CommitFailed.failed`` labels
and leave the store exactly as it was (the ledger's ``snapshot()`` and every item under
the case's keys, read back). A commit that goes through must write the same state in
both: balances, blocks, history rows, the transaction record, counters, linked items.
The accounts port's writes, which the cases use to change an account, are held to one
contract too: what they return, store and refuse.

Movements are built with the pure domain (``blocks.allocate``, ``movements.build``) from
what the ports read. One moto table serves the whole module: each case has its own
accounts, transaction ids, counter and deals, numbered from the case's name (so both
implementations see the very same ids), and the table is emptied after each case (so
the full-table ``snapshot()`` stays cheap)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.transactions import CommitFailed
from chalicelib.registry.domain.accounts import STATUS_JA, Account, AccountNumber, AccountStatus, AccountType
from chalicelib.registry.domain.blocks import Block, Line, allocate
from chalicelib.registry.domain.calendar import FOREVER, MarketState
from chalicelib.registry.domain.errors import AccountNotEmpty, AccountNotFound, AccountNotOpen, StatusChangeNotAllowed
from chalicelib.registry.domain.movements import Movement, build
from tests.integration.ledger_backends import LINKED_KINDS, DynamoBackend, FakeBackend, Keys, deal_label

#: A Wednesday inside the trading window; each case's clock starts here.
START = datetime(2026, 4, 1, 11, 0, tzinfo=JST)
OPEN = MarketState("force_open", "open", FOREVER, "contract tests", "2026-04-01T10:00:00+09:00")
#: What the ledger's snapshot keeps of an account and of a block.
SNAPSHOT_ACCOUNT = ("type", "balance", "transferable", "commitment_reserve", "last_hash", "seq", "cum_in", "cum_out", "in_count")
SNAPSHOT_BLOCK = ("owner", "origin", "unit_type", "issued_period", "serial_start", "serial_end", "amount")
HOLDERS = {
    "kanto-steel": ("Kanto Steelworks Co., Ltd.", "関東製鋼株式会社"),
    "minato-foods": ("Minato Foods Co., Ltd.", "みなと食品株式会社"),
}


@pytest.fixture(scope="module")
def dynamodb(local_aws: dict[str, str]) -> DynamoBackend:
    from chalicelib import container

    container.table()
    return DynamoBackend(container.ledger_store(), container.registry_store())


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeBackend()
        return
    dynamodb = request.getfixturevalue("dynamodb")
    yield dynamodb
    dynamodb.clear()


#: Case key (test name and parameters other than the backend) -> the case's number.
_CASES: dict[str, int] = {}


@pytest.fixture
def scene(backend: Any, request: pytest.FixtureRequest) -> Scene:
    callspec = getattr(request.node, "callspec", None)
    params = sorted((name, repr(value)) for name, value in (callspec.params.items() if callspec else ()) if name != "backend")
    number = _CASES.setdefault(f"{request.node.originalname}{params}", len(_CASES) + 1)
    return Scene(backend, number)


class Scene:
    """One case on one backend: its own accounts, ids, counter and deals; the market open."""

    def __init__(self, backend: Any, case: int) -> None:
        self.backend = backend
        self.store = backend.store
        self.accounts = backend.accounts
        self.case = case
        self.now = START
        self.numbers: list[str] = []
        self.transaction_ids: list[str] = []
        self.deal_ids: list[str] = []
        self.counter = f"SERIAL#JP#JPA#CONTRACT{case}"
        self.store.put_market(OPEN)

    # --- the case's own ids --------------------------------------------------------------

    def stamp(self) -> str:
        self.now += timedelta(milliseconds=1)
        return self.now.isoformat(timespec="microseconds")

    def account(self, org_id: str = "kanto-steel", account_type: AccountType = AccountType.OPERATOR_HOLDING) -> str:
        number = str(AccountNumber.build(account_type, self.case * 100 + len(self.numbers) + 1))
        name, name_ja = HOLDERS[org_id]
        self.backend.put_account(Account(number=number, type=int(account_type), holder_org_id=org_id, holder_name=name,
                                         holder_name_ja=name_ja, created_at=self.stamp()))
        self.numbers.append(number)
        return number

    def transaction_id(self) -> str:
        self.transaction_ids.append(f"TX{self.case:06d}{len(self.transaction_ids) + 1:012d}")
        return self.transaction_ids[-1]

    def deal(self, status: str | None) -> str:
        """A deal of another system, stored with ``status`` (``None``: not stored)."""
        self.deal_ids.append(f"C{self.case}-{len(self.deal_ids) + 1}")
        if status is not None:
            self.backend.put_deal(self.deal_ids[-1], status)
        return self.deal_ids[-1]

    # --- movements, planned from what the ports read ---------------------------------------

    def issue(self, number: str, amount: int, *, commit: bool = True) -> Movement:
        last = self.store.counter(self.counter)
        tx_id = self.transaction_id()
        block = Block(f"{tx_id}.1", "JPA", "01", "01", "", last + 1, last + amount)
        movement = build(transaction_id=tx_id, kind="issuance", created_at=self.stamp(), sender=None,
                         receiver=self.accounts.get_account(number), moved=[block], created_blocks=[block],
                         lines=[Line("JPA", amount, "01", "01")], initiated_by="admin", initiator_org="",
                         idempotency_key=f"key-{tx_id}", fingerprint=f"fp-{tx_id}", counter=(self.counter, last, last + amount),
                         reason="allocation")
        if commit:
            self.store.commit(movement)
        return movement

    def transfer(self, sender: str, receiver: str, amount: int, *, market: bool = True, reserve: bool = True,
                 corrects: str | None = None) -> Movement:
        account, blocks = self.store.holdings(sender)
        tx_id = self.transaction_id()
        plan = allocate(blocks, [Line("JPA", amount)], tx_id)
        stamp = self.stamp()
        return build(transaction_id=tx_id, kind="transfer", created_at=stamp, sender=account,
                     receiver=self.accounts.get_account(receiver), moved=plan.moved_blocks(), takes=plan.takes,
                     lines=[Line("JPA", amount)], initiated_by="user", initiator_org=account.holder_org_id,
                     idempotency_key=f"key-{tx_id}", fingerprint=f"fp-{tx_id}", reserve_applies=reserve,
                     market_open_at=stamp[:19] + "+09:00" if market else None, correction=corrects is not None,
                     corrects=corrects)

    def funded(self) -> tuple[str, str]:
        """A sender holding serials 1-50 and 51-100 in two blocks, and an empty receiver."""
        sender, receiver = self.account(), self.account("minato-foods")
        self.issue(sender, 50)
        self.issue(sender, 50)
        return sender, receiver

    # --- what is stored ---------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        keys = Keys(tuple(self.numbers), tuple(self.transaction_ids), (self.counter,), tuple(self.deal_ids))
        return self.backend.view(keys)

    def state(self) -> tuple[Any, dict[str, Any]]:
        return self.store.snapshot(), self.view()

    def written(self) -> dict[str, Any]:
        """``view()``, once the ledger's ``snapshot()`` (what the audit reads) is found to
        say the same of the case's accounts, blocks, records, counter and history rows."""
        view, snapshot = self.view(), self.store.snapshot()
        numbers = set(view["accounts"])
        assert {number: snapshot.accounts[number] for number in numbers} == {
            number: {name: account[name] for name in SNAPSHOT_ACCOUNT} for number, account in view["accounts"].items()}
        assert sorted((b for b in snapshot.blocks if b["partition"] in numbers), key=lambda b: (b["partition"], b["block_id"])) == [
            {"partition": partition, "block_id": block_id, **{name: block[name] for name in SNAPSHOT_BLOCK}}
            for (partition, block_id), block in sorted(view["blocks"].items())]
        assert {tx_id: snapshot.transactions[tx_id] for tx_id in view["transactions"]} == {
            tx_id: {"core": record["core"], "chain": record["chain"]} for tx_id, record in view["transactions"].items()}
        assert {name: snapshot.counters[name] for name in view["counters"]} == view["counters"]
        assert {number: snapshot.history_rows.get(number, 0) for number in numbers} == {
            number: sum(1 for account, _ in view["history"] if account == number) for number in numbers}
        assert {number: snapshot.day_totals.get(number, (0, 0)) for number in numbers} == {
            number: (sum(d[0] for (a, _), d in view["days"].items() if a == number),
                     sum(d[1] for (a, _), d in view["days"].items() if a == number)) for number in numbers}
        return view

    def refused(self, movement: Movement, linked: tuple[Any, ...] = ()) -> tuple[str, ...]:
        """The labels the commit is refused with; it must have written nothing."""
        before = self.state()
        with pytest.raises(CommitFailed) as refusal:
            self.store.commit(movement, linked)
        snapshot, view = self.state()
        assert view == before[1], "a refused commit changed the case's items"
        assert snapshot == before[0], "a refused commit changed the ledger"
        return refusal.value.failed


def _row(movement: Movement, index: int) -> tuple[tuple[str, str], dict[str, Any]]:
    """The history row of the movement's ``index``-th account, keyed as stored."""
    entry = movement.changes[index].history
    return (entry.account, f"H#{entry.created_at}#{entry.transaction_id}"), {
        name: value for name, value in asdict(entry).items() if name != "account"}


def _record(movement: Movement, corrected_by: str | None = None) -> dict[str, Any]:
    return {"transaction_id": movement.transaction_id, "kind": movement.kind, "status": "completed",
            "created_at": movement.created_at, "core": movement.core, "chain": movement.chain,
            "fingerprint": movement.fingerprint, "initiated_by": movement.initiated_by,
            "initiator_org": movement.initiator_org, "idempotency_key": movement.idempotency_key, "corrected_by": corrected_by}


# --- each condition failing alone ---------------------------------------------------------------


@pytest.mark.parametrize("market", ["closed", "closes_at_passed", "never_stored"])
def test_the_market_must_be_open_until_after_the_instant_of_the_transfer(scene, market):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    if market == "closed":
        scene.store.put_market(MarketState("force_close", "closed", "", "contract tests", OPEN.updated_at))
    elif market == "closes_at_passed":
        scene.store.put_market(MarketState("auto", "open", movement.market_open_at, "", OPEN.updated_at))
    else:
        scene.backend.forget_market()
    assert scene.refused(movement) == ("market",)


@pytest.mark.parametrize("change", ["touched", "gone"])
@pytest.mark.parametrize("which", ["whole", "split"])
def test_a_taken_block_must_still_be_there_with_the_version_read(scene, which, change):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)  # the first block whole (a delete), the second split (an update)
    take = movement.takes[0 if which == "whole" else 1]
    assert take.whole is (which == "whole")
    if change == "touched":
        scene.backend.touch_block(sender, take.block.block_id)  # someone split it meanwhile
    else:
        scene.backend.remove_block(sender, take.block.block_id)  # someone took it whole meanwhile
    assert scene.refused(movement) == (f"block:{take.block.block_id}",)


@pytest.mark.parametrize("which", ["whole", "split"])
def test_a_taken_block_must_still_belong_to_the_sender(scene, which):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    block_id = movement.takes[0 if which == "whole" else 1].block.block_id
    scene.backend.set_block_owner(sender, block_id, receiver)
    assert scene.refused(movement) == (f"block:{block_id}",)


@pytest.mark.parametrize("which", ["whole", "split"])
def test_an_arriving_block_must_not_be_there_yet(scene, which):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    arriving = movement.moved_blocks[0 if which == "whole" else 1]
    scene.backend.put_block(receiver, arriving, "TXSOMEONEELSE")
    assert scene.refused(movement) == (f"arrive:{arriving.block_id}",)


@pytest.mark.parametrize("side", [0, 1], ids=["sender", "receiver"])
def test_a_history_row_must_not_be_there_yet(scene, side):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    scene.backend.put_history(movement.changes[side].history)
    assert scene.refused(movement) == (f"history:{(sender, receiver)[side]}",)


def test_the_transaction_record_must_not_be_there_yet(scene):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    scene.backend.put_record(movement.transaction_id)
    assert scene.refused(movement) == ("transaction",)


def test_the_chain_owner_must_still_have_the_version_read(scene):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)
    scene.accounts.set_commitment_reserve(sender, 0)  # another write to the account: its version advances
    assert scene.refused(movement) == (f"account:{sender}",)


def test_a_receipt_does_not_depend_on_the_receivers_version(scene):
    """The receiver is no lock: what else reached or changed it meanwhile refuses nothing."""
    sender, receiver = scene.funded()
    other = scene.account()
    scene.issue(other, 10)
    movement = scene.transfer(sender, receiver, 70)
    scene.store.commit(scene.transfer(other, receiver, 4))  # another receipt, after our read
    scene.accounts.set_commitment_reserve(receiver, 1)  # and another write to the receiver
    scene.store.commit(movement)
    after = scene.written()["accounts"][receiver]
    assert (after["balance"], after["transferable"], after["cum_in"], after["in_count"], after["seq"]) == (74, 73, 74, 2, 0)
    assert scene.store.snapshot().history_rows[receiver] == 2


@pytest.mark.parametrize(("side", "status"), [(0, "blocked"), (1, "blocked"), (1, "closed")],
                         ids=["sender-blocked", "receiver-blocked", "receiver-closed"])
def test_each_account_must_be_open(scene, side, status):
    sender, receiver = scene.funded()
    number = (sender, receiver)[side]
    if status == "closed":
        scene.accounts.close_account(number)
    else:
        scene.accounts.set_account_status(number, status)
    movement = scene.transfer(sender, receiver, 70)  # read after the change: only the status is wrong
    assert movement.changes[side].before.status.value == status
    assert scene.refused(movement) == (f"account:{number}",)


def test_the_sender_must_keep_its_commitment_reserve(scene):
    sender, receiver = scene.funded()
    scene.accounts.set_commitment_reserve(sender, 40)  # transferable 60
    movement = scene.transfer(sender, receiver, 70)  # read after the change: only the reserve is broken
    assert movement.changes[0].require_transferable == 70
    assert scene.refused(movement) == (f"account:{sender}",)


@pytest.mark.parametrize("read", ["absent", "lower"])
def test_the_serial_counter_must_still_hold_the_value_read(scene, read):
    first, second = scene.account(), scene.account("minato-foods")
    if read == "lower":
        scene.issue(first, 10)
    stale = scene.issue(second, 5, commit=False)
    scene.issue(first, 10)  # someone else issued first
    assert stale.counter == (scene.counter, 0 if read == "absent" else 10, stale.counter[2])
    assert scene.refused(stale) == ("counter",)


@pytest.mark.parametrize("corrected", ["missing", "corrected"])
def test_a_corrected_transaction_must_exist_and_not_be_corrected_yet(scene, corrected):
    sender, receiver = scene.funded()
    original = scene.transfer(sender, receiver, 70)
    scene.store.commit(original)
    if corrected == "missing":
        target = scene.transaction_id()  # never written
    else:
        target = original.transaction_id
        scene.store.commit(scene.transfer(receiver, sender, 10, market=False, corrects=target))
    assert scene.refused(scene.transfer(receiver, sender, 10, market=False, corrects=target)) == ("corrects",)


#: How each kind of linked write is made to fail: a deal in another state, or one already there.
FAILING_DEAL = {"condition_check": "cancelled", "update": "cancelled", "save": "agreed"}


@pytest.mark.parametrize("kind", LINKED_KINDS)
def test_a_linked_writes_own_condition_must_hold(scene, kind):
    sender, receiver = scene.funded()
    deal = scene.deal(FAILING_DEAL[kind])
    movement = scene.transfer(sender, receiver, 70)
    assert scene.refused(movement, (scene.backend.linked(kind, deal),)) == (deal_label(deal),)


# --- several at once, and requests DynamoDB refuses outright -------------------------------------


def test_failed_conditions_are_named_in_the_order_dynamodb_answers_them(scene):
    sender, receiver = scene.funded()
    check, save = scene.deal("cancelled"), scene.deal("agreed")
    movement = scene.transfer(sender, receiver, 70)
    whole, split = (take.block.block_id for take in movement.takes)
    scene.store.put_market(MarketState("force_close", "closed", "", "contract tests", OPEN.updated_at))
    scene.backend.touch_block(sender, whole)
    scene.backend.touch_block(sender, split)
    scene.backend.put_record(movement.transaction_id)
    scene.accounts.set_commitment_reserve(receiver, 0)  # no condition of a receipt
    scene.accounts.set_commitment_reserve(sender, 0)
    linked = (scene.backend.linked("save", save), scene.backend.linked("condition_check", check))
    # condition checks, deletes, puts, updates (PynamoDB's sending order); within each, as added
    assert scene.refused(movement, linked) == (
        "market", deal_label(check), f"block:{whole}", "transaction", deal_label(save), f"block:{split}", f"account:{sender}")


def _refused_as_a_request(scene: Scene, movement: Movement, linked: tuple[Any, ...]) -> None:
    before = scene.state()
    with pytest.raises(ServiceUnavailable) as refusal:
        scene.store.commit(movement, linked)
    assert refusal.value.details == [{"cause": "ValidationException"}]
    assert scene.state() == before


def test_two_actions_on_one_item_are_refused_as_a_request(scene):
    sender, receiver = scene.funded()
    deal = scene.deal("agreed")
    twice = (scene.backend.linked("update", deal), scene.backend.linked("update", deal))
    _refused_as_a_request(scene, scene.transfer(sender, receiver, 70), twice)


def test_a_movement_to_its_own_sender_is_refused_as_a_request(scene):
    """Two updates of one account item (the service refuses this earlier, as SameAccount)."""
    sender, _ = scene.funded()
    _refused_as_a_request(scene, scene.transfer(sender, sender, 70), ())


def test_a_transaction_over_dynamodbs_100_actions_is_refused_as_a_request(scene):
    sender, receiver = scene.funded()
    movement = scene.transfer(sender, receiver, 70)  # two blocks: 12 actions
    linked = tuple(scene.backend.linked("save", scene.deal(None)) for _ in range(89))
    _refused_as_a_request(scene, movement, linked)
    scene.store.commit(movement, linked[:88])  # exactly 100
    assert scene.view()["deals"] == dict.fromkeys(scene.deal_ids[:88], "agreed")


# --- what a commit writes ------------------------------------------------------------------------


def test_a_transfer_writes_the_same_state(scene):
    sender, receiver = scene.funded()
    deal = scene.deal("agreed")
    before = scene.view()
    movement = scene.transfer(sender, receiver, 70)
    scene.store.commit(movement, (scene.backend.linked("update", deal),))
    after = scene.written()
    tx_id = movement.transaction_id
    whole, split = (take.block.block_id for take in movement.takes)
    was = before["accounts"]
    assert after["accounts"] == {
        sender: {**was[sender], "balance": 30, "transferable": 30, "version": was[sender]["version"] + 1, "seq": 3,
                 "last_hash": movement.chain[sender]["hash"], "cum_out": 70},
        # a receipt: additions only (no version, no link), counted in in_count
        receiver: {**was[receiver], "balance": 70, "transferable": 70, "cum_in": 70, "in_count": 1},
    }
    assert set(movement.chain) == {sender}
    held = before["blocks"]
    assert after["blocks"] == {
        (sender, split): {**held[(sender, split)], "serial_start": 71, "amount": 30, "version": 1},
        (receiver, whole): {**held[(sender, whole)], "owner": receiver, "acquired_by": tx_id},
        (receiver, f"{tx_id}.2"): {**held[(sender, split)], "owner": receiver, "serial_end": 70, "amount": 20,
                                   "acquired_by": tx_id},
    }
    assert after["history"] == {**before["history"], **dict(_row(movement, i) for i in (0, 1))}
    day = movement.created_at[:10]
    assert after["days"] == {(sender, day): (100, 70), (receiver, day): (70, 0)}
    assert after["transactions"] == {**before["transactions"], tx_id: _record(movement)}
    assert after["counters"] == before["counters"] == {scene.counter: 100}
    assert after["deals"] == {deal: "settled"}
    assert after["market"] == before["market"] == asdict(OPEN)
    rows = scene.store.snapshot().history_rows
    assert (rows[sender], rows[receiver]) == (3, 1)


def test_issuance_creates_the_counter_then_advances_it(scene):
    number = scene.account()
    first = scene.issue(number, 30)
    second = scene.issue(number, 20)
    after = scene.written()
    assert after["counters"] == {scene.counter: 50}
    assert after["accounts"][number] == {
        "type": 120, "status": "open", "balance": 50, "transferable": 50, "commitment_reserve": 0, "version": 2,
        "last_hash": second.chain[number]["hash"], "seq": 2, "cum_in": 50, "cum_out": 0, "in_count": 0,
    }
    assert after["days"] == {(number, first.created_at[:10]): (50, 0)}
    assert after["blocks"] == {
        (number, f"{movement.transaction_id}.1"): {
            "owner": number, "origin": "JP", "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "project": "",
            "serial_start": start, "serial_end": end, "amount": end - start + 1, "version": 0,
            "acquired_by": movement.transaction_id,
        }
        for movement, start, end in ((first, 1, 30), (second, 31, 50))
    }
    assert after["history"] == dict(_row(movement, 0) for movement in (first, second))
    assert after["transactions"] == {movement.transaction_id: _record(movement) for movement in (first, second)}


def test_a_correction_marks_the_transaction_it_corrects(scene):
    sender, receiver = scene.funded()
    original = scene.transfer(sender, receiver, 70)
    scene.store.commit(original)
    correction = scene.transfer(receiver, sender, 50, market=False, corrects=original.transaction_id)
    scene.store.commit(correction)
    after = scene.written()
    assert scene.store.transaction(original.transaction_id).corrected_by == correction.transaction_id
    assert after["transactions"][original.transaction_id] == _record(original, corrected_by=correction.transaction_id)
    assert after["transactions"][correction.transaction_id] == _record(correction)
    assert (after["accounts"][sender]["balance"], after["accounts"][receiver]["balance"]) == (80, 20)


def test_the_reserve_binds_only_the_sender_and_only_when_it_applies(scene):
    sender, receiver = scene.funded()
    scene.accounts.set_commitment_reserve(sender, 40)  # transferable 60
    scene.accounts.set_commitment_reserve(receiver, 1_000)  # transferable -1000: it may still receive
    exactly = scene.transfer(sender, receiver, 60)
    scene.store.commit(exactly)
    assert scene.view()["accounts"][sender]["transferable"] == 0
    # A retirement may use the reserve: the movement asks nothing of the sender's transferable.
    retirement = scene.transfer(sender, receiver, 40, market=False, reserve=False)
    assert retirement.changes[0].require_transferable is None
    scene.store.commit(retirement)
    accounts = scene.written()["accounts"]
    assert {number: (a["balance"], a["transferable"]) for number, a in accounts.items()} == {
        sender: (0, -40), receiver: (100, -900)}


@pytest.mark.parametrize("kind", LINKED_KINDS)
def test_a_linked_write_is_written_with_the_movement(scene, kind):
    sender, receiver = scene.funded()
    deal = scene.deal(None if kind == "save" else "agreed")
    scene.store.commit(scene.transfer(sender, receiver, 70), (scene.backend.linked(kind, deal),))
    after = scene.written()
    assert after["deals"] == {deal: "settled" if kind == "update" else "agreed"}
    assert after["accounts"][receiver]["balance"] == 70


# --- the accounts port's writes, which the cases above use to change an account ----------------------


@pytest.mark.parametrize("write", ["reserve", "block", "unblock", "close"])
def test_an_account_write_returns_the_account_as_stored(scene, write):
    sender, receiver = scene.funded()
    if write == "unblock":
        scene.accounts.set_account_status(sender, "blocked")
    number = receiver if write == "close" else sender
    before = scene.accounts.get_account(number)
    returned = {
        "reserve": lambda: scene.accounts.set_commitment_reserve(sender, 40),
        "block": lambda: scene.accounts.set_account_status(sender, "blocked"),
        "unblock": lambda: scene.accounts.set_account_status(sender, "open"),
        "close": lambda: scene.accounts.close_account(receiver),
    }[write]()
    changed = {"reserve": {"commitment_reserve": 40}, "block": {"status": AccountStatus.BLOCKED},
               "unblock": {"status": AccountStatus.OPEN}, "close": {"status": AccountStatus.CLOSED}}[write]
    assert scene.accounts.get_account(number) == replace(before, version=before.version + 1, **changed)
    assert returned == scene.accounts.get_account(number)
    assert [a for a in scene.accounts.accounts_of(before.holder_org_id) if a["number"] == number] == [
        {"number": number, "type": 120, "status": returned.status.value}]
    assert scene.written()["accounts"][number]["transferable"] == returned.balance - returned.commitment_reserve


@pytest.mark.parametrize("write", ["close-not-empty", "close-closed", "block-blocked", "unblock-open", "reserve-closed",
                                   "close-unknown", "block-unknown", "reserve-unknown"])
def test_an_account_write_is_refused_alike(scene, write):
    sender, receiver = scene.funded()
    scene.accounts.close_account(receiver)
    if write == "block-blocked":
        scene.accounts.set_account_status(sender, "blocked")
    unknown = str(AccountNumber.build(AccountType.OPERATOR_HOLDING, scene.case * 100 + 99))
    action, expected = {
        "close-not-empty": (lambda: scene.accounts.close_account(sender), AccountNotEmpty(number=sender, balance=100)),
        "close-closed": (lambda: scene.accounts.close_account(receiver),
                         AccountNotOpen(number=receiver, status="closed", status_ja=STATUS_JA["closed"])),
        "block-blocked": (lambda: scene.accounts.set_account_status(sender, "blocked"), StatusChangeNotAllowed(
            number=sender, status="blocked", status_ja=STATUS_JA["blocked"], wanted="blocked", wanted_ja=STATUS_JA["blocked"])),
        "unblock-open": (lambda: scene.accounts.set_account_status(sender, "open"), StatusChangeNotAllowed(
            number=sender, status="open", status_ja=STATUS_JA["open"], wanted="open", wanted_ja=STATUS_JA["open"])),
        "reserve-closed": (lambda: scene.accounts.set_commitment_reserve(receiver, 10),
                           AccountNotOpen(number=receiver, status="closed", status_ja=STATUS_JA["closed"])),
        "close-unknown": (lambda: scene.accounts.close_account(unknown), AccountNotFound(number=unknown)),
        "block-unknown": (lambda: scene.accounts.set_account_status(unknown, "blocked"), AccountNotFound(number=unknown)),
        "reserve-unknown": (lambda: scene.accounts.set_commitment_reserve(unknown, 10), AccountNotFound(number=unknown)),
    }[write]
    before = scene.state()
    with pytest.raises(type(expected)) as refusal:
        action()
    assert refusal.value.params == expected.params
    assert scene.state() == before
