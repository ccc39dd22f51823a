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

    @staticmethod
    def key(number: str) -> tuple[str, str]:
        return f"ACCT#{number}", "ACCT"


class CounterItem(RegistryItem, discriminator="counter"):
    value = NumberAttribute(default=0)

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return "COUNTER", name


_connection: Connection | None = None


def bind(settings: Settings) -> Connection:
    """Point the models at the configured table and endpoint (once per container)."""
    global _connection
    meta = RegistryItem.Meta
    meta.table_name = settings.registry_table
    meta.region = settings.region
    meta.host = settings.aws_endpoint_url
    for model in (RegistryItem, *RegistryItem.__subclasses__()):
        model._connection = None  # type: ignore[attr-defined]
    _connection = Connection(region=settings.region, host=settings.aws_endpoint_url)
    return _connection


def transaction_connection() -> Connection:
    """The one connection that ``TransactWrite`` uses (PynamoDB needs its own)."""
    if _connection is None:
        raise RuntimeError("bind() the registry models before writing")
    return _connection
