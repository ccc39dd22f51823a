"""Block selection, splitting, reserve arithmetic and hash chains: pure rules."""

from __future__ import annotations

import pytest

from chalicelib.registry.domain.accounts import Account
from chalicelib.registry.domain.blocks import Block, Line, allocate, chain_hash, check_block_limit
from chalicelib.registry.domain.errors import InsufficientUnits, TooManyBlocks
from chalicelib.registry.domain.invariants import Snapshot, audit
from chalicelib.registry.domain.movements import MAX_BLOCKS, build


def block(block_id, start, end, unit_type="JPA", issued="01", adopted="01", project=""):
    return Block(block_id, unit_type, issued, adopted, project, start, end)


def test_blocks_are_taken_by_issued_period_then_lowest_serial_and_the_last_is_split():
    blocks = [block("c", 201, 300, issued="02"), block("b", 101, 200), block("a", 1, 100)]
    plan = allocate(blocks, [Line("JPA", 150)], "TX1")
    assert [(t.block.block_id, t.amount, t.whole) for t in plan.takes] == [("a", 100, True), ("b", 50, False)]
    moved = plan.moved_blocks()
    assert [(m.block_id, m.serial_start, m.serial_end) for m in moved] == [("a", 1, 100), ("TX1.2", 101, 150)]
    remainder = plan.takes[1].remainder()
    assert (remainder.block_id, remainder.serial_start, remainder.serial_end, remainder.version) == ("b", 151, 200, 1)


def test_an_earlier_issued_period_goes_first_even_with_higher_serials():
    blocks = [block("new", 1, 10, issued="02"), block("old", 500, 510, issued="01")]
    assert allocate(blocks, [Line("JPA", 5)], "T").takes[0].block.block_id == "old"


def test_lines_filter_by_type_period_and_project():
    blocks = [block("j", 1, 10), block("c1", 1, 10, unit_type="jCER", project="P1"), block("c2", 11, 20, unit_type="jCER", project="P2")]
    plan = allocate(blocks, [Line("jCER", 10, project="P2"), Line("JPA", 3)], "T")
    assert [(t.block.block_id, t.amount) for t in plan.takes] == [("c2", 10), ("j", 3)]


def test_two_lines_over_the_same_block_take_consecutive_serials():
    plan = allocate([block("a", 1, 100)], [Line("JPA", 10), Line("JPA", 20)], "T")
    assert [(t.block.block_id, t.amount) for t in plan.takes] == [("a", 30)]
    assert plan.moved_blocks()[0].serial_end == 30


def test_insufficient_units_name_the_line_and_what_is_available():
    with pytest.raises(InsufficientUnits) as refused:
        allocate([block("a", 1, 100)], [Line("JPA", 60), Line("JPA", 60)], "T")
    assert (refused.value.params["line"], refused.value.params["available"]) == (2, 40)
    assert refused.value.field == "lines.1.amount"


def test_too_many_blocks_names_the_largest_amount_that_fits():
    blocks = [block(f"b{i:03d}", i * 10 + 1, i * 10 + 3) for i in range(60)]  # 60 blocks of 3 t
    plan = allocate(blocks, [Line("JPA", 180)], "T")
    with pytest.raises(TooManyBlocks) as refused:
        check_block_limit(plan, [Line("JPA", 180)], MAX_BLOCKS)
    assert refused.value.params["max_amount"] == MAX_BLOCKS * 3
    check_block_limit(allocate(blocks, [Line("JPA", MAX_BLOCKS * 3)], "T"), [Line("JPA", 1)], MAX_BLOCKS)


def test_transferable_is_balance_minus_reserve_and_never_negative():
    account = Account("JP-120-1-0-56", 120, "o", "n", "n", balance=1125, commitment_reserve=800)
    assert account.transferable == 325
    assert Account("x", 120, "o", "n", "n", balance=100, commitment_reserve=800).transferable == 0


def _account(number, **kwargs):
    return Account(number, 120, "org-" + number, "Name " + number, "名 " + number, **kwargs)


def test_a_movement_is_a_link_of_its_senders_chain_and_a_receipt_for_the_receiver():
    sender = _account("S", balance=100, seq=3, last_hash="a" * 64, cum_in=100, cum_out=0)
    receiver = _account("R", seq=5, last_hash="b" * 64)
    moved = [block("b", 1, 40)]
    movement = build(transaction_id="TX1", kind="transfer", created_at="2026-11-30T10:00:00.000000+09:00", sender=sender, receiver=receiver,
                     moved=moved, lines=[Line("JPA", 40)], initiated_by="u", initiator_org="org-S", idempotency_key="k", fingerprint="f")
    s, r = movement.changes
    assert (s.owner, s.amount_out, s.history.seq, s.new_seq, s.require_transferable) == (True, 40, 4, 4, 40)
    # the receiver is no lock: no link, no sequence from it, nothing but additions
    assert (r.owner, r.amount_in, r.history.seq, r.new_seq, r.new_hash, r.require_transferable) == (False, 40, 0, None, None, None)
    assert set(movement.chain) == {"S"}
    assert movement.chain["S"]["previous"] == "a" * 64
    assert movement.chain["S"]["hash"] == chain_hash(movement.core, "S", "a" * 64)


def test_an_issuance_is_a_link_of_its_receivers_chain():
    receiver = _account("R", seq=2, last_hash="c" * 64)
    movement = build(transaction_id="TX1", kind="issuance", created_at="t", sender=None, receiver=receiver, moved=[block("b", 1, 5)],
                     lines=[Line("JPA", 5)], initiated_by="admin", initiator_org="", idempotency_key="k", fingerprint="f")
    (r,) = movement.changes
    assert r.owner and movement.chain == {"R": {"previous": "c" * 64, "hash": r.new_hash, "seq": 3}}


def test_retirement_does_not_apply_the_reserve():
    movement = build(transaction_id="TX1", kind="retirement", created_at="t", sender=_account("S", balance=10), receiver=_account("R"),
                     moved=[block("b", 1, 5)], lines=[Line("JPA", 5)], initiated_by="u", initiator_org="o", idempotency_key="k",
                     fingerprint="f", reserve_applies=False)
    assert movement.changes[0].require_transferable is None


def _ledger_snapshot():
    issuance = build(transaction_id="TX1", kind="issuance", created_at="t1", sender=None, receiver=_account("A"), moved=[block("TX1.1", 1, 10)],
                     lines=[Line("JPA", 10)], initiated_by="admin", initiator_org="", idempotency_key="k1", fingerprint="f")
    snapshot = Snapshot()
    snapshot.accounts["A"] = {"type": 120, "balance": 10, "transferable": 10, "commitment_reserve": 0,
                              "last_hash": issuance.chain["A"]["hash"], "seq": 1, "cum_in": 10, "cum_out": 0, "in_count": 0}
    snapshot.blocks.append({"owner": "A", "partition": "A", "block_id": "TX1.1", "origin": "JP", "unit_type": "JPA", "issued_period": "01",
                            "serial_start": 1, "serial_end": 10, "amount": 10})
    snapshot.transactions["TX1"] = {"core": issuance.core, "chain": issuance.chain}
    snapshot.counters["SERIAL#JP#JPA#01"] = 10
    snapshot.history_rows["A"] = 1
    snapshot.day_totals["A"] = (10, 0)
    return snapshot


def test_the_audit_of_a_consistent_ledger_is_clean():
    assert audit(_ledger_snapshot()) == {"ok": True, "accounts": 1, "blocks": 1, "transactions": 1, "problems": []}


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda s: s.transactions["TX1"]["core"].update(amount=11), "altered"),
        (lambda s: s.accounts["A"].update(balance=11, transferable=11, cum_in=11), "blocks hold"),
        (lambda s: s.blocks.append({**s.blocks[0], "block_id": "dup", "serial_start": 5, "serial_end": 7, "amount": 3}), "overlaps"),
        (lambda s: s.counters.update({"SERIAL#JP#JPA#01": 12}), "were issued"),
        (lambda s: s.blocks[0].update(serial_end=8, amount=8), "issued 10 != held 8"),
        (lambda s: s.accounts["A"].update(last_hash="f" * 64), "chain head"),
        (lambda s: s.history_rows.update({"A": 0}), "history rows"),
        (lambda s: s.accounts["A"].update(in_count=1), "history rows"),
        (lambda s: s.day_totals.update({"A": (9, 0)}), "day totals"),
        (lambda s: s.transactions["TX1"]["chain"].update(B=s.transactions["TX1"]["chain"]["A"]), "not by its owner"),
        (lambda s: s.transactions["TX1"]["chain"].clear(), "not by its owner"),
    ],
)
def test_the_audit_finds_each_kind_of_tampering(tamper, problem):
    snapshot = _ledger_snapshot()
    tamper(snapshot)
    result = audit(snapshot)
    assert not result["ok"]
    assert any(problem in p for p in result["problems"]), result["problems"]
