"""Units in serial blocks, and the pure rules of moving them.

A block is a contiguous serial range of one origin, unit type, issued period, adopted
period and project, held by exactly one account. A movement takes whole blocks in the
order of issued period, then lowest serial, and splits the last one: the lowest
serials move, the rest stays. Blocks are never merged.

Nothing here touches storage: the functions take and return plain values, and the
adapter turns a plan into one conditional DynamoDB transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.registry.domain.errors import InsufficientUnits, TooManyBlocks

ORIGIN = "JP"
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class UnitType:
    code: str
    name: str
    name_ja: str
    #: Credits carry a project number; allowances do not.
    credit: bool


#: Open for more types: add a row.
UNIT_TYPES: dict[str, UnitType] = {
    "JPA": UnitType("JPA", "JVETS allowance", "JPA（排出枠）", credit=False),
    "jCER": UnitType("jCER", "Credit converted from a CDM CER", "jCER（CERから転換したクレジット）", credit=True),
}


@dataclass(frozen=True)
class Block:
    block_id: str
    unit_type: str
    issued_period: str
    adopted_period: str
    project: str
    serial_start: int
    serial_end: int
    origin: str = ORIGIN
    version: int = 0

    @property
    def amount(self) -> int:
        return self.serial_end - self.serial_start + 1

    @property
    def order(self) -> tuple[str, str, int]:
        """Display and consumption order: type, issued period, lowest serial."""
        return (self.unit_type, self.issued_period, self.serial_start)

    @property
    def position(self) -> str:
        """Where the block sorts among its holder's blocks: ``order`` as one string.

        The block's *last* serial stands for its range: blocks of one unit type and issued
        period never overlap (serials come from one counter per origin, type and period),
        so ordering them by their last serial orders them by their first, and a split
        (which keeps the upper serials with the holder) never moves a block: its position
        is fixed for as long as it stays with one holder.
        """
        return f"{self.unit_type}#{self.issued_period}#{self.serial_end:015d}#{self.block_id}"

    def to_record(self) -> dict[str, Any]:
        return {
            "block_id": self.block_id,
            "origin": self.origin,
            "unit_type": self.unit_type,
            "issued_period": self.issued_period,
            "adopted_period": self.adopted_period,
            "project": self.project,
            "serial_start": self.serial_start,
            "serial_end": self.serial_end,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class Line:
    """One line of a transfer: what kind of units and how many."""

    unit_type: str
    amount: int
    issued_period: str | None = None
    adopted_period: str | None = None
    project: str | None = None

    @property
    def prefix(self) -> tuple[str, ...]:
        """The leading part of ``Block.position`` every block this line may take shares."""
        return (self.unit_type,) if self.issued_period is None else (self.unit_type, self.issued_period)

    def matches(self, block: Block) -> bool:
        return (
            block.unit_type == self.unit_type
            and (self.issued_period is None or block.issued_period == self.issued_period)
            and (self.adopted_period is None or block.adopted_period == self.adopted_period)
            and (self.project is None or block.project == self.project)
        )

    def to_record(self) -> dict[str, Any]:
        return {
            "unit_type": self.unit_type,
            "issued_period": self.issued_period,
            "adopted_period": self.adopted_period,
            "project": self.project,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class Take:
    """Take ``amount`` units from the low end of ``block``."""

    block: Block
    amount: int
    moved_id: str

    @property
    def whole(self) -> bool:
        return self.amount == self.block.amount

    def moved(self) -> Block:
        """The block the receiver gets (a whole block keeps its id)."""
        return replace(
            self.block,
            block_id=self.block.block_id if self.whole else self.moved_id,
            serial_end=self.block.serial_start + self.amount - 1,
            version=0,
        )

    def remainder(self) -> Block | None:
        """What stays with the sender (``None`` when the whole block moves)."""
        if self.whole:
            return None
        return replace(self.block, serial_start=self.block.serial_start + self.amount, version=self.block.version + 1)


@dataclass
class Plan:
    takes: list[Take]
    #: For each line, the (block_id, amount) pairs it consumed, in order.
    per_line: list[list[tuple[str, int]]] = field(default_factory=list)

    @property
    def amount(self) -> int:
        return sum(take.amount for take in self.takes)

    def moved_blocks(self) -> list[Block]:
        return [take.moved() for take in self.takes]


def allocate(blocks: Iterable[Block], lines: list[Line], new_block_id: str, *, short: bool = False) -> Plan:
    """Choose the blocks for ``lines``: issued period, then lowest serial; split the last.

    ``new_block_id`` prefixes the ids of blocks created by splitting. Raises
    ``InsufficientUnits`` naming the first line that cannot be covered (``short``: takes
    what there is instead, for ``check_block_limit`` to judge a plan known to be too big).
    """
    ordered = sorted(blocks, key=lambda b: (b.issued_period, b.serial_start, b.unit_type))
    used: dict[str, int] = {}
    per_line: list[list[tuple[str, int]]] = []
    for number, line in enumerate(lines, start=1):
        wanted = line.amount
        taken: list[tuple[str, int]] = []
        for block in ordered:
            if wanted == 0:
                break
            if not line.matches(block):
                continue
            free = block.amount - used.get(block.block_id, 0)
            if free <= 0:
                continue
            part = min(free, wanted)
            used[block.block_id] = used.get(block.block_id, 0) + part
            taken.append((block.block_id, part))
            wanted -= part
        if wanted and not short:
            available = line.amount - wanted
            raise InsufficientUnits(line=number, requested=line.amount, available=available, field=f"lines.{number - 1}.amount")
        per_line.append(taken)
    by_id = {block.block_id: block for block in ordered}
    takes = [
        Take(block=by_id[block_id], amount=amount, moved_id=f"{new_block_id}.{index}")
        for index, (block_id, amount) in enumerate(used.items(), start=1)
    ]
    return Plan(takes=takes, per_line=per_line)


#: Reads one page of an account's blocks whose position starts with ``prefix`` (a tuple of
#: position parts), after the position ``after`` (exclusive; ``None``: from the first), at
#: most ``limit`` blocks, in position order; answers the blocks and where the next page
#: starts (``None``: there is no more).
BlockPages = Callable[[tuple[str, ...], "str | None", int], tuple[list["Block"], "str | None"]]
#: The largest page ``gather`` asks for.
MAX_PAGE = 100


@dataclass
class _Stream:
    blocks: list[Block] = field(default_factory=list)
    after: str | None = None
    done: bool = False


@dataclass(frozen=True)
class Gathered:
    """What ``gather`` read: the blocks ``allocate`` needs, and whether it stopped
    reading a line because more blocks than ``max_blocks`` would be needed."""

    blocks: list[Block]
    too_many: bool = False


def _compatible(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether two lines' prefixes can name the same block."""
    return one[: len(other)] == other[: len(one)]


def gather(lines: list[Line], pages: BlockPages, max_blocks: int) -> Gathered:
    """Read only the blocks ``allocate(…, lines, …)`` will choose from, in position order.

    Each line reads the blocks of its prefix (unit type, and issued period when the line
    names one) from the lowest position, one page at a time, until the blocks read that
    match it hold as many units as it and every earlier line that could take the same
    blocks ask for together, or until there are no more. ``allocate`` takes each line's
    blocks in that order, and earlier lines take at most their own amounts, so the
    blocks it chooses among those read are exactly those it would choose among all the
    account's blocks (and when a line runs out, every block it could take was read).

    The first page asks for one block (most lines are covered by one); the next ones
    for as many as the units still missing need at the average size read so far
    (at most ``MAX_PAGE``). So the blocks read follow the blocks moved, never the blocks
    held. A line needing more than ``max_blocks`` blocks cannot be one transaction:
    reading stops once that is certain (``too_many``).
    """
    streams: dict[tuple[str, ...], _Stream] = {}
    for index, line in enumerate(lines):
        prefix = line.prefix
        demand = sum(other.amount for other in lines[: index + 1]
                     if other.unit_type == line.unit_type and _compatible(other.prefix, prefix))
        stream = streams.setdefault(prefix, _Stream())
        while not stream.done:
            matching = [block for block in stream.blocks if line.matches(block)]
            have = sum(block.amount for block in matching)
            if have >= demand:
                break
            if len(matching) > 2 * max_blocks:
                # Earlier lines take at most max_blocks blocks: this one needs more than
                # max_blocks of its own.
                return Gathered(_unique(streams), too_many=True)
            if stream.blocks:
                average = sum(block.amount for block in stream.blocks) / len(stream.blocks)
                limit = max(1, min(MAX_PAGE, math.ceil((demand - have) / average)))
            else:
                limit = 1
            page, stream.after = pages(prefix, stream.after, limit)
            stream.blocks.extend(page)
            stream.done = stream.after is None
    return Gathered(_unique(streams))


def _unique(streams: dict[tuple[str, ...], _Stream]) -> list[Block]:
    """The blocks read, once each (two lines' prefixes may read the same block)."""
    seen: dict[str, Block] = {}
    for stream in streams.values():
        for block in stream.blocks:
            seen.setdefault(block.block_id, block)
    return list(seen.values())


def choose(lines: list[Line], pages: BlockPages, new_block_id: str, max_blocks: int) -> Plan:
    """``gather`` then ``allocate`` then ``check_block_limit``: the plan of a movement
    that reads only what it takes."""
    gathered = gather(lines, pages, max_blocks)
    plan = allocate(gathered.blocks, lines, new_block_id, short=gathered.too_many)
    check_block_limit(plan, lines, max_blocks)
    if gathered.too_many:  # cannot happen: the plan holds more than max_blocks blocks
        raise TooManyBlocks(blocks=len(plan.takes), max_blocks=max_blocks, max_amount=0, line=len(lines))
    return plan


def check_block_limit(plan: Plan, lines: list[Line], max_blocks: int) -> None:
    """Refuse a plan that cannot be one transaction, naming the largest amount that fits."""
    if len(plan.takes) <= max_blocks:
        return
    seen: set[str] = set()
    for number, taken in enumerate(plan.per_line, start=1):
        fits = 0
        for block_id, amount in taken:
            if block_id not in seen:
                if len(seen) == max_blocks:
                    raise TooManyBlocks(
                        blocks=len(plan.takes), max_blocks=max_blocks, max_amount=fits, line=number,
                        field=f"lines.{number - 1}.amount",
                    )
                seen.add(block_id)
            fits += amount
    raise TooManyBlocks(blocks=len(plan.takes), max_blocks=max_blocks, max_amount=0, line=len(lines))


def canonical(value: Any) -> bytes:
    """The one serialisation that hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(core: dict[str, Any], account: str, previous: str) -> str:
    """SHA-256 linking a transaction to the previous one of ``account``."""
    return hashlib.sha256(canonical({"account": account, "previous": previous, "transaction": core})).hexdigest()


def request_fingerprint(operation: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({"operation": operation, "body": body})).hexdigest()


def transaction_id(org_id: str, idempotency_key: str) -> str:
    """Deterministic id: the same caller and key always name the same transaction."""
    digest = hashlib.sha256(f"{org_id}\x00{idempotency_key}".encode()).hexdigest().upper()
    return f"TX{digest[:18]}"
