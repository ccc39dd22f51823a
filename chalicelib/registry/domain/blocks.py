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
from collections.abc import Iterable
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


def allocate(blocks: Iterable[Block], lines: list[Line], new_block_id: str) -> Plan:
    """Choose the blocks for ``lines``: issued period, then lowest serial; split the last.

    ``new_block_id`` prefixes the ids of blocks created by splitting. Raises
    ``InsufficientUnits`` naming the first line that cannot be covered.
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
        if wanted:
            available = line.amount - wanted
            raise InsufficientUnits(line=number, requested=line.amount, available=available, field=f"lines.{number - 1}.amount")
        per_line.append(taken)
    by_id = {block.block_id: block for block in ordered}
    takes = [
        Take(block=by_id[block_id], amount=amount, moved_id=f"{new_block_id}.{index}")
        for index, (block_id, amount) in enumerate(used.items(), start=1)
    ]
    return Plan(takes=takes, per_line=per_line)


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
