"""moto builds an item in time linear, not quadratic, in its attributes.

moto 5.x (``moto.dynamodb.models.dynamo_type.Item.__init__``) puts each attribute into a
``LimitedSizeDict`` whose ``__setitem__`` re-measures every attribute already there, to
refuse an item over DynamoDB's 400 KB: building an item of n attributes measures n²/2
values. A ledger item has 12-20 attributes, so every put (five to ten per transfer, and
every item of a batch write) paid for about 150 measurements instead of 15; it was most
of the cost of ``make load``'s batch writes.

This patch builds the same ``LimitedSizeDict`` with a running total: after each attribute,
the total of the sizes so far is compared with moto's own limit, which is what moto's
check computes (sizes are never negative, and each of its checks adds the new attribute
to the sum of those before it), so the same items are refused at the same attribute with
the same exception, and the same attributes are stored in the same order. Assignments to
``item.attrs`` after construction (update expressions) keep moto's own check.

Installed once per process by ``install()`` (``devtools.motoserver`` calls it).
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["install", "installed"]

_install_lock = threading.Lock()
#: moto's own limit in ``LimitedSizeDict.__setitem__`` (between DynamoDB's measured 409 and 410 KB).
LIMIT = 405000


def installed() -> bool:
    from moto.dynamodb.models.dynamo_type import Item

    return bool(getattr(Item.__init__, "_running_total", False))


def install() -> None:
    """Patch moto's ``Item.__init__`` in this process (idempotent)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    with _install_lock:
        if installed():
            return
        original = Item.__init__

        def build_item(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
            self.hash_key = hash_key
            self.range_key = range_key
            self.attrs = LimitedSizeDict()
            total = 0
            for key, value in attrs.items():
                typed = DynamoType(value)
                total += bytesize(key) + typed.size()
                if total > LIMIT:
                    raise ItemSizeTooLarge
                dict.__setitem__(self.attrs, key, typed)

        build_item._running_total = True  # type: ignore[attr-defined]
        build_item.__wrapped__ = original  # type: ignore[attr-defined]
        Item.__init__ = build_item  # type: ignore[method-assign]
