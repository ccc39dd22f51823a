"""PynamoDB models of the registry's items in the table (``chalicelib.core.table``).

Key design (``pk`` / ``sk``):

- ``ORG#<id>`` / ``ACCT#<number>``: the organisation's link to an account it holds, so
  that "my accounts" is one query.
- ``ACCT#<number>`` / ``ACCT``: an account with its balance and derived
  ``transferable`` (balance - commitment reserve, kept in the same writes, because
  condition expressions cannot do arithmetic).
- ``ACCT#<number>`` / ``BLK#<unit type>#<issued period>#<last serial, 15 digits>#<block id>``:
  a serial block the account holds, sorted as movements take them and the balance view
  shows them (``Block.position``), so that a movement reads its blocks from the lowest
  position and stops once its lines are covered, and the balance view pages them. A
  split keeps the upper serials with the holder: the key never changes while the block
  stays with one holder.
- ``ACCT#<number>`` / ``DAY#<date>``: the units in and out of the account that day
  (atomic additions by every movement; a period's totals are one query of its days).
- ``ACCT#<number>`` / ``H#<created at>#<transaction id>``: a row of its history.
- ``TXN#<id>`` / ``TXN``: a transaction record (its core is what the hash chain covers).
- ``MARKET#<copy>`` / ``STATE``: the trading window, as N identical copies (settings:
  ``MARKET_COPIES``) in N partitions; each transfer checks the copy its sender hashes to.
- ``COUNTER`` / ``<name>``: monotonically advanced counters (account identifiers,
  serials per origin, unit type and issued period).

(``ORG#<id>`` / ``ORG`` is the organisation itself: ``chalicelib.core.adapters``.)
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import GetError

from chalicelib.core.table import TableItem, unavailable
from chalicelib.registry.domain.blocks import Block


class AccountLinkItem(TableItem, discriminator="account_link"):
    number = UnicodeAttribute()
    account_type = NumberAttribute()
    status = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, number: str) -> tuple[str, str]:
        return f"ORG#{org_id}", f"ACCT#{number}"


class AccountItem(TableItem, discriminator="account"):
    number = UnicodeAttribute()
    account_type = NumberAttribute()
    holder_org_id = UnicodeAttribute()
    holder_name = UnicodeAttribute()
    holder_name_ja = UnicodeAttribute()
    status = UnicodeAttribute()
    commitment_reserve = NumberAttribute(default=0)
    balance = NumberAttribute(default=0)
    #: balance - commitment_reserve, written with every change of either.
    transferable = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    #: Advanced by every write that changes the balance or status.
    version = NumberAttribute(default=0)
    #: Head of the account's hash chain, and its length.
    last_hash = UnicodeAttribute(default="0" * 64)
    seq = NumberAttribute(default=0)
    #: Running totals in and out.
    cum_in = NumberAttribute(default=0)
    cum_out = NumberAttribute(default=0)
    #: Receipts from other accounts (added to atomically, with no version condition).
    in_count = NumberAttribute(default=0)

    @staticmethod
    def key(number: str) -> tuple[str, str]:
        return f"ACCT#{number}", "ACCT"


class BlockItem(TableItem, discriminator="block"):
    """A serial block, stored in its holder's partition so that one query reads the
    account and everything it holds."""

    block_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    origin = UnicodeAttribute()
    unit_type = UnicodeAttribute()
    issued_period = UnicodeAttribute()
    adopted_period = UnicodeAttribute()
    project = UnicodeAttribute(default="")
    serial_start = NumberAttribute()
    serial_end = NumberAttribute()
    amount = NumberAttribute()
    version = NumberAttribute(default=0)
    acquired_by = UnicodeAttribute()

    @staticmethod
    def key(number: str, block: Block) -> tuple[str, str]:
        return f"ACCT#{number}", f"BLK#{block.position}"

    @staticmethod
    def prefix(parts: tuple[str, ...]) -> str:
        """The sort-key prefix of the blocks whose position starts with ``parts``."""
        return "BLK#" + "".join(f"{part}#" for part in parts)


class HistoryItem(TableItem, discriminator="history"):
    """One row of an account's transaction history (sorted by time)."""

    transaction_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    date = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    from_account = UnicodeAttribute(default="")
    from_name = UnicodeAttribute(default="")
    from_name_ja = UnicodeAttribute(default="")
    to_account = UnicodeAttribute(default="")
    to_name = UnicodeAttribute(default="")
    to_name_ja = UnicodeAttribute(default="")
    amount_in = NumberAttribute(default=0)
    amount_out = NumberAttribute(default=0)
    correction = BooleanAttribute(default=False)
    #: The link's position in the account's chain (0: a receipt, linked by its sender).
    seq = NumberAttribute()
    deal_ref = UnicodeAttribute(null=True)

    @staticmethod
    def key(number: str, created_at: str, transaction_id: str) -> tuple[str, str]:
        return f"ACCT#{number}", f"H#{created_at}#{transaction_id}"


class DayTotalItem(TableItem, discriminator="day_total"):
    """The units that entered and left an account on one day (JST)."""

    amount_in = NumberAttribute(default=0)
    amount_out = NumberAttribute(default=0)

    @staticmethod
    def key(number: str, day: str) -> tuple[str, str]:
        return f"ACCT#{number}", f"DAY#{day}"


class TransactionItem(TableItem, discriminator="transaction"):
    """A completed registry transaction. ``core`` is the canonical JSON that the
    hash chain covers; ``chain`` holds, per account touched, the previous and own hash."""

    transaction_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    core = UnicodeAttribute()
    chain = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    initiated_by = UnicodeAttribute()
    initiator_org = UnicodeAttribute()
    idempotency_key = UnicodeAttribute()
    corrected_by = UnicodeAttribute(null=True)

    @staticmethod
    def key(transaction_id: str) -> tuple[str, str]:
        return f"TXN#{transaction_id}", "TXN"


class MarketItem(TableItem, discriminator="market"):
    """The trading window: the administrator's mode and the derived status."""

    mode = UnicodeAttribute()
    status = UnicodeAttribute()
    closes_at = UnicodeAttribute(default="")
    reason = UnicodeAttribute(default="")
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(copy: int = 0) -> tuple[str, str]:
        return f"MARKET#{copy}", "STATE"


class CounterItem(TableItem, discriminator="counter"):
    value = NumberAttribute(default=0)

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return "COUNTER", name

    @classmethod
    def advance_to(cls, value: int) -> list[Any]:
        """Update actions that set the value; the type is set too, because an update
        that creates the item writes only what it sets."""
        return [cls.value.set(value), cls.item_type.set(cls)]


def read_counter(name: str) -> int:
    """A counter's value as last written (0 before its first use): one consistent read."""
    try:
        return int(CounterItem.get(*CounterItem.key(name), consistent_read=True).value)
    except CounterItem.DoesNotExist:
        return 0
    except GetError as error:
        raise unavailable(error) from error
