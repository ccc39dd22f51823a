"""A movement reads only the blocks it takes: ``blocks.gather`` / ``blocks.choose`` against
``allocate`` over everything held, and the service's reads on the in-memory store."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.registry.domain.blocks import Block, Line, allocate, check_block_limit, choose
from chalicelib.registry.domain.errors import InsufficientUnits, TooManyBlocks
from chalicelib.registry.domain.movements import MAX_BLOCKS
from tests.unit.registry_world import World


class Pages:
    """An account's blocks behind ``BlockPages``, counting what is read."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = sorted(blocks, key=lambda block: block.position)
        self.read = 0
        self.requests = 0

    def __call__(self, prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Block], str | None]:
        start = "".join(f"{part}#" for part in prefix)
        rest = [b for b in self.blocks if b.position.startswith(start) and (after is None or b.position > after)]
        page = rest[:limit]
        self.read += len(page)
        self.requests += 1
        return page, page[-1].position if len(page) == limit else None


def _held(count: int, size: int = 10, unit_type: str = "JPA", issued: str = "01") -> list[Block]:
    return [Block(f"B{index:05d}", unit_type, issued, issued, "", index * size + 1, index * size + size) for index in range(count)]


@pytest.mark.parametrize("held", [1, 100, 1_000, 10_000])
def test_blocks_read_follow_the_blocks_moved_not_the_blocks_held(held):
    pages = Pages(_held(held))
    plan = choose([Line("JPA", 5)], pages, "T", MAX_BLOCKS)
    assert [(t.block.block_id, t.amount) for t in plan.takes] == [("B00000", 5)]
    assert (pages.read, pages.requests) == (1, 1)


@pytest.mark.parametrize("held", [100, 1_000, 10_000])
def test_a_line_over_several_blocks_reads_as_many_as_it_takes(held):
    pages = Pages(_held(held))
    plan = choose([Line("JPA", 35)], pages, "T", MAX_BLOCKS)
    assert [t.amount for t in plan.takes] == [10, 10, 10, 5]
    assert pages.read == 4  # one page of 1, then one of the 3 the missing 25 t need at 10 t a block


def test_a_line_naming_its_period_starts_at_that_period():
    blocks = _held(1_000, issued="01") + [Block("P2", "JPA", "02", "02", "", 1, 10)]
    pages = Pages(blocks)
    plan = choose([Line("JPA", 4, issued_period="02")], pages, "T", MAX_BLOCKS)
    assert [t.block.block_id for t in plan.takes] == ["P2"] and pages.read == 1


def test_a_request_too_big_for_one_transaction_stops_reading_and_says_what_fits():
    pages = Pages(_held(10_000, size=3))
    with pytest.raises(TooManyBlocks) as refused:
        choose([Line("JPA", 30_000)], pages, "T", MAX_BLOCKS)
    assert refused.value.params["max_amount"] == MAX_BLOCKS * 3
    assert pages.read <= 2 * MAX_BLOCKS + 1 + 100  # never the 10,000 held


def test_a_line_that_runs_out_reads_every_matching_block_and_says_what_there_is():
    pages = Pages(_held(3))
    with pytest.raises(InsufficientUnits) as refused:
        choose([Line("JPA", 31)], pages, "T", MAX_BLOCKS)
    assert refused.value.params["available"] == 30


_block = st.builds(
    lambda unit_type, issued, adopted, project, size: (unit_type, issued, adopted, project, size),
    st.sampled_from(["JPA", "jCER"]), st.sampled_from(["01", "02", "03"]), st.sampled_from(["01", "02"]),
    st.sampled_from(["", "P1"]), st.integers(1, 12),
)
_line = st.builds(
    lambda unit_type, issued, adopted, project, amount: Line(unit_type, amount, issued, adopted, project),
    st.sampled_from(["JPA", "jCER"]), st.sampled_from([None, "01", "02", "03"]), st.sampled_from([None, "01", "02"]),
    st.sampled_from([None, "", "P1"]), st.integers(1, 40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_block, max_size=40), st.lists(_line, min_size=1, max_size=4), st.integers(2, 8))
def test_reading_as_far_as_needed_chooses_exactly_what_reading_everything_does(specs, lines, max_blocks):
    serials: dict[tuple[str, str], int] = {}
    blocks = []
    for index, (unit_type, issued, adopted, project, size) in enumerate(specs):
        start = serials.get((unit_type, issued), 0) + 1 + index % 3  # gaps: serials elsewhere
        serials[(unit_type, issued)] = start + size - 1
        blocks.append(Block(f"B{index:03d}", unit_type, issued, adopted, project, start, start + size - 1))

    def outcome(run):
        try:
            plan = run()
        except (InsufficientUnits, TooManyBlocks) as refusal:
            return type(refusal).__name__, refusal.params
        return [(t.block.block_id, t.amount, t.moved_id) for t in plan.takes], plan.per_line

    def everything():
        plan = allocate(blocks, lines, "T")
        check_block_limit(plan, lines, max_blocks)
        return plan

    pages = Pages(blocks)
    chosen, full = outcome(lambda: choose(lines, pages, "T", max_blocks)), outcome(everything)
    if chosen != full and chosen[0] == "TooManyBlocks" and full[0] == "InsufficientUnits":
        # Both refusals are true: more blocks than one transaction takes are needed before
        # the shortfall shows, and reading only what is needed stops there (the point).
        assert sum(1 for block in blocks if block.unit_type in {line.unit_type for line in lines}) > max_blocks
        return
    assert chosen == full


def test_a_transfer_and_a_retirement_read_the_same_few_blocks_whatever_the_sender_holds():
    reads = []
    for issues in (2, 30, 300):
        world = World()
        for _ in range(issues):
            world.issue("kanto", 10)
        world.store.blocks_read = 0
        world.transfer("kanto", "minato", 15)
        transfer = world.store.blocks_read
        world.store.blocks_read = 0
        world.retire("kanto", 2)
        reads.append((transfer, world.store.blocks_read))
        assert world.audit()["ok"]
    assert reads == [(2, 1)] * 3


def test_a_correction_reads_exactly_the_blocks_it_moves_back():
    world = World()
    for _ in range(200):
        world.issue("kanto", 10)
    sent = world.transfer("kanto", "minato", 25).transaction
    for _ in range(50):
        world.issue("minato", 10)
    world.store.blocks_read = 0
    world.correct(sent["id"])
    assert world.store.blocks_read == len(sent["blocks"]) == 3
    assert world.audit()["ok"]


def test_the_balance_view_pages_its_block_lines_with_the_totals_on_every_page():
    from chalicelib.registry.domain.errors import InvalidCursor, InvalidLimit
    from tests.unit.registry_world import USERS

    world = World()
    for _ in range(5):
        world.issue("kanto", 10)
    admin, kanto = USERS["admin"], world.n("kanto")
    first = world.ledger.balance(admin, kanto, None, "2")
    second = world.ledger.balance(admin, kanto, first["next_cursor"], "2")
    third = world.ledger.balance(admin, kanto, second["next_cursor"], "2")
    lines = first["holdings"] + second["holdings"] + third["holdings"]
    assert [line["no"] for line in lines] == [1, 2, 3, 4, 5]
    assert [line["serial_start"] for line in lines] == [1, 11, 21, 31, 41]
    assert third["next_cursor"] is None
    assert {(page["balance"], page["transferable"]) for page in (first, second, third)} == {(50, 50)}
    world.store.blocks_read = 0
    world.ledger.balance(admin, kanto, None, "2")
    assert world.store.blocks_read == 2  # one page, never the holdings
    for cursor in ("%%%", "bm90LWEtY3Vyc29y"):
        with pytest.raises(InvalidCursor):
            world.ledger.balance(admin, kanto, cursor, "2")
    for limit in ("0", "501", "x"):
        with pytest.raises(InvalidLimit):
            world.ledger.balance(admin, kanto, None, limit)
