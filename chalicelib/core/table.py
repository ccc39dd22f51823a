"""The one DynamoDB table every system keeps its items in, and how they are bound to it.

Each system declares its item kinds as subclasses of ``TableItem`` in its own adapters
(a ``DiscriminatorAttribute`` named ``type`` tells them apart); the table itself is
declared in ``infra/resources.yaml``, and ``create_table`` is only ever called by tests
and the local emulation through that declaration. Key prefixes per system are listed
in each system's adapters.

``LinkedWrite`` is the narrow extension point through which one system adds its own
conditions and writes to another system's ``TransactWriteItems`` (the notice board's
settlement changes a deal in the very transaction that moves the units).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import ServiceUnavailable
from chalicelib.core.transactions import CommitFailed

if TYPE_CHECKING:
    # botocore's ``retries`` setting, as PynamoDB's Connection names its type (stubs only).
    from botocore.config import _RetryDict
    from pynamodb.expressions.condition import Condition
    from pynamodb.expressions.update import Action

    from chalicelib.core.settings import Settings


class TableItem(Model):
    class Meta:
        table_name = "jvets-local-registry"
        region = "ap-northeast-1"
        # Declared only (no value): PynamoDB's metaclass fills in its defaults, bind() sets them.
        host: str | None
        max_retry_attempts: int

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute(attr_name="type")


_connection: Connection | None = None
RETRIES: _RetryDict = {"mode": "standard", "total_max_attempts": 3}


def bind(settings: Settings) -> Connection:
    """Point the models at the configured table and endpoint (once per container)."""
    global _connection
    meta = TableItem.Meta
    meta.table_name = settings.registry_table
    meta.region = settings.region
    meta.host = settings.aws_endpoint_url
    # botocore's standard mode: throttles and transient errors are retried with
    # bounded exponential backoff and full jitter, at most three attempts in all.
    meta.max_retry_attempts = RETRIES["total_max_attempts"] - 1
    models: list[type[TableItem]] = [TableItem, *TableItem.__subclasses__()]
    for model in models:
        model._connection = None
    _connection = Connection(region=settings.region, host=settings.aws_endpoint_url, retry_configuration=RETRIES)
    return _connection


class NotBound(RuntimeError):
    """A write before ``bind()``: a wiring bug, never a caller's mistake."""

    def __init__(self) -> None:
        super().__init__("bind() the table's models before writing")


def transaction_connection() -> Connection:
    """The one connection that ``TransactWrite`` uses (PynamoDB needs its own)."""
    if _connection is None:
        raise NotBound
    return _connection


def response_code(error: Exception) -> str | None:
    """DynamoDB's error code behind a PynamoDB exception, or ``None`` for a network
    failure (PynamoDB's own ``cause_response_code`` fails on those)."""
    response = getattr(getattr(error, "cause", None), "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def unavailable(error: Exception) -> ServiceUnavailable:
    """A storage failure the caller may retry (503), naming its cause for the logs."""
    return ServiceUnavailable(details=[{"cause": response_code(error) or type(error).__name__}])


#: PynamoDB sends a transaction's actions grouped in this order, and DynamoDB answers
#: cancellation reasons in the order sent.
SENDING_ORDER = ("condition_check", "delete", "save", "update")


@dataclass(frozen=True)
class LinkedWrite:
    """One action another system adds to a transaction it does not own.

    Build it with ``check``, ``put``, ``update`` or ``delete``; the owner of the
    transaction adds it as it is and, if its condition fails, reports ``label`` (so the
    caller that linked it can say what it means). Nothing else of the transaction is
    visible to, or changeable by, the linking system.
    """

    label: str
    kind: Literal["condition_check", "delete", "save", "update"]
    item: Any
    condition: Condition | None = None
    actions: tuple[Action, ...] = field(default=())

    @classmethod
    def check(cls, label: str, model: type[TableItem], pk: str, sk: str, condition: Condition) -> LinkedWrite:
        return cls(label, "condition_check", (model, pk, sk), condition)

    @classmethod
    def put(cls, label: str, item: TableItem, condition: Condition | None = None) -> LinkedWrite:
        return cls(label, "save", item, condition)

    @classmethod
    def update(cls, label: str, item: TableItem, actions: list[Action], condition: Condition | None = None) -> LinkedWrite:
        return cls(label, "update", item, condition, tuple(actions))

    @classmethod
    def delete(cls, label: str, item: TableItem, condition: Condition | None = None) -> LinkedWrite:
        return cls(label, "delete", item, condition)

    def add_to(self, tx: TransactWrite) -> None:
        if self.kind == "condition_check":
            model, pk, sk = self.item
            tx.condition_check(model, pk, sk, condition=self.condition)
        elif self.kind == "save":
            tx.save(self.item, condition=self.condition)
        elif self.kind == "update":
            tx.update(self.item, actions=list(self.actions), condition=self.condition)
        else:
            tx.delete(self.item, condition=self.condition)


def cancellation(error: TransactWriteError, labels: dict[str, list[str]]) -> CommitFailed | ServiceUnavailable:
    """What a cancelled ``TransactWriteItems`` means, given the labels of its actions by
    kind (in the order added): ``CommitFailed`` naming the failed conditions (none when
    another transaction in flight made it conflict), or a 503 when DynamoDB gave no
    reasons (a network failure or a request it refused outright)."""
    sent = [label for kind in SENDING_ORDER for label in labels[kind]]
    reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
    if not reasons:
        return ServiceUnavailable(details=[{"cause": response_code(error) or "TransactWriteError"}])
    return CommitFailed(failed=tuple(label for label, code in zip(sent, reasons, strict=False) if code == "ConditionalCheckFailed"))


def transact(writes: Iterable[LinkedWrite]) -> None:
    """Write ``writes`` as ONE ``TransactWriteItems``, or nothing: a failed condition is
    raised as ``CommitFailed`` naming its label."""
    labels: dict[str, list[str]] = {kind: [] for kind in SENDING_ORDER}
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            for write in writes:
                write.add_to(tx)
                labels[write.kind].append(write.label)
    except TransactWriteError as error:
        raise cancellation(error, labels) from error
