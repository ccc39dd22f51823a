"""moto's Scan reads from where the last page stopped, not from the table's first item.

moto 5.x (``moto.dynamodb.models.table.Table.scan``) answers every page of a Scan by
sorting every item of the table (``Table.all_items()``) and then comparing items one by
one with ``ExclusiveStartKey`` until it passes it: each page costs O(n log n) in the size
of the table, and a whole-table read of n items in pages of p costs O(n² / p). The
ledger's audit reads the whole table that way, so at a busy year's half a million items
(``make load``) it never finished.

This patch keeps moto's ``scan`` (its filters, limits, the 1 MB page, projections,
``LastEvaluatedKey`` and errors are moto's code) and changes only where it looks: during
a Scan of the table itself (no ``IndexName``, no ``Segment``), ``all_items()`` yields
the items in exactly moto's order (partition key, then sort key) but lazily and starting
at ``ExclusiveStartKey``: the partitions' keys are sorted and the start found by
bisection, then each partition is sorted as it is reached. moto's own skip loop then sees
at most the start item itself, and its page loop stops after one page. Scans of an
index or of a segment still see the whole table.

Installed once per process by ``install()`` (``devtools.motoserver`` calls it);
``stats.scans`` counts the scans it served and ``stats.items_yielded`` the items it
handed to moto, for tests; ``disabled()`` gives moto's own scan back, to compare.
"""

from __future__ import annotations

import inspect
import threading
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from devtools.moto_switch import Switch

__all__ = ["disabled", "install", "installed", "stats"]

_local = threading.local()
_install_lock = threading.Lock()
_switch = Switch()


@dataclass
class Stats:
    scans: int = 0
    items_yielded: int = 0

    def reset(self) -> None:
        self.scans = self.items_yielded = 0


stats = Stats()


def installed() -> bool:
    from moto.dynamodb.models.table import Table

    return bool(getattr(Table.scan, "_from_start_key", False))


def _order(key: Any) -> Any:
    """A key's place in moto's order (``DynamoType.__lt__`` compares ``cast_value``)."""
    return key.value if key.type == "S" else key.cast_value


def _ordered_from(table: Any, start: dict[str, Any] | None) -> Iterator[Any]:
    """The table's items in moto's scan order, from ``start`` (an ``ExclusiveStartKey``,
    which moto's loop then skips) on."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    hashes = sorted(table.items, key=_order)
    first_hash = first_range = None
    position = 0
    if start and table.hash_key_attr in start:
        first_hash = _order(DynamoType(start[table.hash_key_attr]))
        position = bisect_left(hashes, first_hash, key=_order)
        if table.range_key_attr and table.range_key_attr in start:
            first_range = _order(DynamoType(start[table.range_key_attr]))
    for hash_key in hashes[position:]:
        partition = table.items[hash_key]
        if not table.range_key_attr:
            stats.items_yielded += 1
            yield partition
            continue
        rows = sorted(partition.values(), key=lambda item: _order(item.range_key))
        if first_range is not None and _order(hash_key) == first_hash:
            rows = rows[bisect_left(rows, first_range, key=lambda item: _order(item.range_key)):]
        for row in rows:
            stats.items_yielded += 1
            yield row


def install() -> None:
    """Patch moto's ``Table.scan`` and ``Table.all_items`` in this process (idempotent)."""
    from moto.dynamodb.models.table import Table

    with _install_lock:
        if installed():
            return
        original_scan, original_all_items = Table.scan, Table.all_items
        signature = inspect.signature(original_scan)

        def all_items(self: Any) -> Any:
            scanning = getattr(_local, "scan", None)
            if scanning is None or scanning[0] is not self:
                return original_all_items(self)
            return _ordered_from(self, scanning[1])

        def scan(self: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            segments = bound.arguments.get("segments", (None, None))
            if _switch.off or bound.arguments.get("index_name") or tuple(segments) != (None, None):
                return original_scan(self, *args, **kwargs)
            stats.scans += 1
            _local.scan = (self, bound.arguments.get("exclusive_start_key"))
            try:
                return original_scan(self, *args, **kwargs)
            finally:
                _local.scan = None

        scan._from_start_key = True  # type: ignore[attr-defined]
        scan.__wrapped__ = original_scan  # type: ignore[attr-defined]
        all_items.__wrapped__ = original_all_items  # type: ignore[attr-defined]
        Table.scan = scan  # type: ignore[method-assign]
        Table.all_items = all_items  # type: ignore[method-assign]


#: moto's own code for the duration: ``with disabled(): ...``.
disabled = _switch.disabled
