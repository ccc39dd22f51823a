"""moto's Query on a table's own key reads one partition, not the whole table.

moto 5.x (``moto.dynamodb.models.table.Table.query``) answers a Query without an index
by sorting every item of the table (``Table.all_items()``) and keeping those whose hash
key matches: each Query costs O(n log n) in the size of the table, so on the local stack
every balance view and every transfer (which reads the sender's holdings with a Query)
slows down as the table fills, whatever the account holds.

This patch keeps moto's ``query`` (its key conditions, filters, paging, projections and
errors are moto's code) and changes only where it looks: during a Query on the table's
own key (no ``IndexName``) with a hash key, ``all_items()`` returns that partition's
items, sorted exactly as moto sorts the whole table. The items moto then keeps are the
same ones, in the same order: every item it would have kept has that hash key, and the
partition holds exactly those. Queries on an index, scans and everything else still see
the whole table.

Installed once per process by ``install()`` (``devtools.motoserver`` calls it);
``stats.partition_reads`` counts the queries it narrowed, for tests.
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass
from typing import Any

from devtools.moto_switch import Switch

__all__ = ["disabled", "install", "installed", "stats"]

_local = threading.local()
_install_lock = threading.Lock()
_switch = Switch()


@dataclass
class Stats:
    partition_reads: int = 0
    items_sorted: int = 0

    def reset(self) -> None:
        self.partition_reads = self.items_sorted = 0


stats = Stats()


def installed() -> bool:
    from moto.dynamodb.models.table import Table

    return bool(getattr(Table.query, "_one_partition", False))


def install() -> None:
    """Patch moto's ``Table.query`` and ``Table.all_items`` in this process (idempotent)."""
    from moto.dynamodb.models.table import Table

    with _install_lock:
        if installed():
            return
        original_query, original_all_items = Table.query, Table.all_items
        signature = inspect.signature(original_query)

        def all_items(self: Any) -> list[Any]:
            narrowed = getattr(_local, "partition", None)
            if narrowed is None or narrowed[0] is not self:
                return original_all_items(self)
            partition = self.items.get(narrowed[1])
            if partition is None:
                items = []
            elif self.range_key_attr:
                items = list(partition.values())
            else:
                items = [partition]
            stats.items_sorted += len(items)
            # moto's own order for the whole table, restricted to one hash key.
            return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

        def query(self: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            hash_key = bound.arguments.get("hash_key")
            if _switch.off or bound.arguments.get("index_name") or hash_key is None:
                return original_query(self, *args, **kwargs)
            stats.partition_reads += 1
            _local.partition = (self, hash_key)
            try:
                return original_query(self, *args, **kwargs)
            finally:
                _local.partition = None

        query._one_partition = True  # type: ignore[attr-defined]
        query.__wrapped__ = original_query  # type: ignore[attr-defined]
        all_items.__wrapped__ = original_all_items  # type: ignore[attr-defined]
        Table.query = query  # type: ignore[method-assign]
        Table.all_items = all_items  # type: ignore[method-assign]


#: moto's own code for the duration: ``with disabled(): ...``.
disabled = _switch.disabled
