"""PynamoDB models of the registry table (one table, several item kinds).

Key design (``pk`` / ``sk``):

- ``ORG#<id>`` / ``ORG``: an organisation.
- ``ORG#<id>`` / ``ACCT#<number>``: the organisation's link to an account it holds, so
  that "my accounts" is one query.
- ``ACCT#<number>`` / ``ACCT``: an account with its balance and derived
  ``transferable`` (balance - commitment reserve, kept in the same writes, because
  condition expressions cannot do arithmetic).
- ``COUNTER`` / ``<name>``: monotonically advanced counters (account identifiers).

The table itself is declared in ``infra/resources.yaml``; ``create_table`` is only ever
called by tests and the local emulation through that declaration.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.models import Model

from chalicelib.settings import Settings


class RegistryItem(Model):
    class Meta:
        table_name = "jvets-local-registry"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute(attr_name="type")


class OrganisationItem(RegistryItem, discriminator="organisation"):
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_ja = UnicodeAttribute()
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str) -> tuple[str, str]:
        return f"ORG#{org_id}", "ORG"


class AccountLinkItem(RegistryItem, discriminator="account_link"):
    number = UnicodeAttribute()
    account_type = NumberAttribute()
    status = UnicodeAttribute()

    @staticmethod
    def key(org_id: str, number: str) -> tuple[str, str]:
        return f"ORG#{org_id}", f"ACCT#{number}"


class AccountItem(RegistryItem, discriminator="account"):
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
    #: Running totals in and out (history totals for a period are two differences).
    cum_in = NumberAttribute(default=0)
    cum_out = NumberAttribute(default=0)

    @staticmethod
    def key(number: str) -> tuple[str, str]:
        return f"ACCT#{number}", "ACCT"


class BlockItem(RegistryItem, discriminator="block"):
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
    def key(number: str, block_id: str) -> tuple[str, str]:
        return f"ACCT#{number}", f"BLK#{block_id}"


class HistoryItem(RegistryItem, discriminator="history"):
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
    cum_in = NumberAttribute()
    cum_out = NumberAttribute()
    seq = NumberAttribute()

    @staticmethod
    def key(number: str, created_at: str, transaction_id: str) -> tuple[str, str]:
        return f"ACCT#{number}", f"H#{created_at}#{transaction_id}"


class TransactionItem(RegistryItem, discriminator="transaction"):
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


class MarketItem(RegistryItem, discriminator="market"):
    """The trading window: the administrator's mode and the derived status."""

    mode = UnicodeAttribute()
    status = UnicodeAttribute()
    closes_at = UnicodeAttribute(default="")
    reason = UnicodeAttribute(default="")
    updated_at = UnicodeAttribute()

    @staticmethod
    def key() -> tuple[str, str]:
        return "MARKET", "STATE"


class CounterItem(RegistryItem, discriminator="counter"):
    value = NumberAttribute(default=0)

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return "COUNTER", name

    @classmethod
    def advance_to(cls, value: int) -> list:
        """Update actions that set the value; the type is set too, because an update
        that creates the item writes only what it sets."""
        return [cls.value.set(value), cls.item_type.set(cls)]


_connection: Connection | None = None
RETRIES = {"mode": "standard", "total_max_attempts": 3}


def bind(settings: Settings) -> Connection:
    """Point the models at the configured table and endpoint (once per container)."""
    global _connection
    meta = RegistryItem.Meta
    meta.table_name = settings.registry_table
    meta.region = settings.region
    meta.host = settings.aws_endpoint_url
    # botocore's standard mode: throttles and transient errors are retried with
    # bounded exponential backoff and full jitter, at most three attempts in all.
    meta.max_retry_attempts = RETRIES["total_max_attempts"] - 1
    for model in (RegistryItem, *RegistryItem.__subclasses__()):
        model._connection = None  # type: ignore[attr-defined]
    _connection = Connection(region=settings.region, host=settings.aws_endpoint_url, retry_configuration=RETRIES)
    return _connection


def transaction_connection() -> Connection:
    """The one connection that ``TransactWrite`` uses (PynamoDB needs its own)."""
    if _connection is None:
        raise RuntimeError("bind() the registry models before writing")
    return _connection


def response_code(error: Exception) -> str | None:
    """DynamoDB's error code behind a PynamoDB exception, or ``None`` for a network
    failure (PynamoDB's own ``cause_response_code`` fails on those)."""
    response = getattr(getattr(error, "cause", None), "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
