"""moto's ``TransactWriteItems`` rolled back item by item instead of table by table.

moto 5.x (``moto.dynamodb.models.DynamoDBBackend.transact_write_items``) deep-copies every
table a transaction names, once per action naming it, before running the actions, and on
a cancellation puts the copies back in place of the tables. The cost of every transaction
therefore grows with the size of the tables, not with what the transaction writes: a
ten-action transfer into a table of 100,000 items copied a million items.

This patch keeps moto's own ``transact_write_items`` (its validation, the order in which
actions run, its cancellation reasons and exceptions are unchanged, since it is moto's
code that runs) and changes only what is saved and restored:

* Before the call, for every action it reads the table and the primary key the action
  names (``Put``: from the item; ``Update``, ``Delete``, ``ConditionCheck``: ``Key``) and
  deep-copies that one item (or records that it is absent), and the length of the table's
  stream shard if it has one. An action whose key cannot be read (a malformed request,
  which moto cancels itself) makes the patch fall back to a copy of that whole table,
  as moto does, so no request can escape the rollback.
* During the call, moto's own ``copy.deepcopy`` of a ``Table`` returns the table itself
  (only in this thread, only inside the patched call), so moto's restore of its "copies"
  is a no-op.
* If moto's call raises anything (``TransactionCanceledException`` for a failed condition,
  or a validation error mid-way), the saved items are put back (items the transaction
  created are removed, including an empty partition their lookup created), stream records
  the transaction appended are dropped, and the exception propagates unchanged. This is
  also done for errors moto raises without rolling back (``TransactWriteSingleOpException``
  on a later action): all or nothing, as in DynamoDB.

Global secondary indexes are not stored separately by moto (each query or scan of an index
reads the table's items), so restoring the items restores what every index shows. Item
order inside moto's dicts may change on a restore, but moto sorts every query and scan
by key, so nothing visible depends on it.

Concurrency is unchanged: moto is not atomic, and ``devtools.motoserver`` still runs one
request at a time. The patch is installed once per process by ``install()`` (the
embedded server calls it); ``stats`` counts what it copied, for tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import copy as copy_module
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

__all__ = ["disabled", "install", "installed", "stats", "Stats"]

_local = threading.local()


@dataclass
class Stats:
    """What the patched ``transact_write_items`` saved, summed since the last ``reset``."""

    transactions: int = 0
    items_copied: int = 0
    tables_copied: int = 0
    rollbacks: int = 0
    #: Items copied by the last transaction, and the most any one transaction copied.
    last: int = 0
    most: int = 0

    def reset(self) -> None:
        self.transactions = self.items_copied = self.tables_copied = self.rollbacks = self.last = self.most = 0


stats = Stats()
_install_lock = threading.Lock()


def _deepcopy(value: Any, memo: Any = None) -> Any:
    """moto's module-level ``copy.deepcopy``: a table is not copied inside a patched call."""
    from moto.dynamodb.models.table import Table

    if isinstance(value, Table) and getattr(_local, "skip_table_copies", False):
        return value
    return copy_module.deepcopy(value, memo)


@dataclass
class _Saved:
    """One touched item before the transaction: ``item`` is a deep copy, or None if absent."""

    table_name: str
    hash_value: Any
    range_value: Any
    item: Any
    partition_existed: bool


class _Snapshot:
    def __init__(self, backend: Any, transact_items: Any) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.items: dict[tuple[str, Any, Any], _Saved] = {}
        self.whole_tables: dict[str, Any] = {}
        self.streams: dict[str, tuple[Any, int]] = {}
        tables = backend.tables
        for action in transact_items if isinstance(transact_items, list) else []:
            try:
                op_type, op = next(iter(action.items()))
                table_name = op.get("TableName")
            except (AttributeError, StopIteration):
                continue  # moto refuses it before any action runs
            if not isinstance(table_name, str) or table_name not in tables:
                continue  # moto cancels it (table not found): nothing written there
            table = tables[table_name]
            if table.stream_shard is not None and table_name not in self.streams:
                self.streams[table_name] = (table.stream_shard, len(table.stream_shard.items))
            if table_name in self.whole_tables:
                continue
            try:
                source = op["Item"] if op_type == "Put" else op["Key"]
                hash_value = DynamoType(source[table.hash_key_attr])
                range_value = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
                key = (table_name, hash_value, range_value)
                hash(key)
            except Exception:  # noqa: BLE001 - any key moto may still act on: save the table, as moto does
                self.whole_tables[table_name] = copy_module.deepcopy(table)
                stats.tables_copied += 1
                continue
            if key in self.items:
                continue  # moto cancels a second action on one item; the first copy is the original
            partition = table.items.get(hash_value)
            if range_value is None:
                current = partition
                partition_existed = partition is not None
            else:
                current = partition.get(range_value) if partition is not None else None
                partition_existed = partition is not None
            self.items[key] = _Saved(table_name, hash_value, range_value,
                                     copy_module.deepcopy(current) if current is not None else None, partition_existed)
            stats.items_copied += current is not None

    @property
    def copies(self) -> int:
        return sum(saved.item is not None for saved in self.items.values())

    def restore(self, backend: Any) -> None:
        for table_name, table in self.whole_tables.items():
            backend.tables[table_name] = table
        for saved in self.items.values():
            if saved.table_name in self.whole_tables:
                continue
            table = backend.tables.get(saved.table_name)
            if table is None:
                continue
            if saved.range_value is None:
                if saved.item is None:
                    table.items.pop(saved.hash_value, None)
                else:
                    table.items[saved.hash_value] = saved.item
                continue
            if saved.item is not None:
                table.items[saved.hash_value][saved.range_value] = saved.item
                continue
            partition = table.items.get(saved.hash_value)
            if partition is not None:
                partition.pop(saved.range_value, None)
                if not partition and not saved.partition_existed:
                    del table.items[saved.hash_value]
        for shard, length in self.streams.values():
            del shard.items[length:]


def installed() -> bool:
    import moto.dynamodb.models as dynamodb_models

    return bool(getattr(dynamodb_models.DynamoDBBackend.transact_write_items, "_touched_items_only", False))


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    import moto.dynamodb.models as dynamodb_models

    with _install_lock:
        backend_class = dynamodb_models.DynamoDBBackend
        if installed():
            return
        original = backend_class.transact_write_items
        # moto's models module uses ``copy`` only for ``copy.deepcopy`` (the table backups
        # in transact_write_items and update_item's undo copy of one item).
        dynamodb_models.copy = SimpleNamespace(deepcopy=_deepcopy)  # type: ignore[assignment]

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            snapshot = _Snapshot(self, transact_items)
            stats.transactions += 1
            stats.last = snapshot.copies
            stats.most = max(stats.most, snapshot.copies)
            _local.skip_table_copies = True
            try:
                original(self, transact_items)
            except BaseException:
                stats.rollbacks += 1
                snapshot.restore(self)
                raise
            finally:
                _local.skip_table_copies = False

        transact_write_items._touched_items_only = True  # type: ignore[attr-defined]
        transact_write_items.__wrapped__ = original  # type: ignore[attr-defined]
        transact_write_items.__doc__ = (original.__doc__ or "") + "\n(patched by devtools.moto_transactions)"
        backend_class.transact_write_items = transact_write_items  # type: ignore[method-assign]


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """moto's own ``transact_write_items`` (whole-table copies) for the duration, to
    measure against it (``devtools.bench_emulation``)."""
    import moto.dynamodb.models as dynamodb_models

    backend_class = dynamodb_models.DynamoDBBackend
    patched = backend_class.transact_write_items
    backend_class.transact_write_items = getattr(patched, "__wrapped__", patched)  # type: ignore[method-assign]
    try:
        yield
    finally:
        backend_class.transact_write_items = patched  # type: ignore[method-assign]
