"""moto writes DynamoDB's attribute values into its JSON answers without walking the model.

moto 5.x serializes every response by walking botocore's output shape
(``moto.core.serialize``): for each ``AttributeValue`` of each item it asks for each of
the ten members (``S``, ``N``, ``B``, ``SS``, ``NS``, ``BS``, ``M``, ``L``, ``NULL``,
``BOOL``) through a chain of alias lookups. Profiled on the local stack, that was 85% of
a Query's time: about 150 lookups per attribute, so a balance view or a transfer that
reads 250 blocks spent seconds in it, and ``make soak`` spent most of its time there.

A DynamoDB answer's attribute values are already plain JSON-shaped dicts (moto's
``DynamoResult`` turns its items into them). This patch writes such a value as it is,
when it is made only of the kinds whose serialization is the identity: ``S`` and ``N``
(a ``str``), ``BOOL`` (a ``bool``), ``NULL`` (``True``), ``SS`` and ``NS`` (lists of
``str``) and ``M`` / ``L`` of those. Anything else (binary values, which moto base64
encodes, or any unexpected type) goes through moto's own serializer, unchanged. Only the
``dynamodb`` service's answers are concerned.

Installed once per process by ``install()`` (``devtools.motoserver`` calls it);
``disabled()`` gives moto's own serializer back for a comparison.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["disabled", "install", "installed"]

_install_lock = threading.Lock()
_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """The attribute value itself when moto's serializer would write it unchanged."""
    if type(value) is not dict or len(value) != 1:
        return _NOT_PLAIN
    ((kind, inner),) = value.items()
    if kind in ("S", "N"):
        return {kind: inner} if type(inner) is str else _NOT_PLAIN
    if kind == "BOOL":
        return {kind: inner} if type(inner) is bool else _NOT_PLAIN
    if kind == "NULL":
        return {kind: True} if inner is True else _NOT_PLAIN
    if kind in ("SS", "NS"):
        return {kind: list(inner)} if type(inner) is list and all(type(x) is str for x in inner) else _NOT_PLAIN
    if kind == "M" and type(inner) is dict:
        members = {}
        for name, member in inner.items():
            plain = _plain(member)
            if plain is _NOT_PLAIN or type(name) is not str:
                return _NOT_PLAIN
            members[name] = plain
        return {kind: members}
    if kind == "L" and type(inner) is list:
        elements = []
        for element in inner:
            plain = _plain(element)
            if plain is _NOT_PLAIN:
                return _NOT_PLAIN
            elements.append(plain)
        return {kind: elements}
    return _NOT_PLAIN


def installed() -> bool:
    from moto.core.serialize import BaseJSONSerializer

    return bool(getattr(BaseJSONSerializer._serialize_type_structure, "_plain_attribute_values", False))


def install() -> None:
    """Patch moto's JSON serializer in this process (idempotent)."""
    from moto.core.serialize import BaseJSONSerializer

    with _install_lock:
        if installed():
            return
        original = BaseJSONSerializer._serialize_type_structure

        def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
            if key and shape.name == "AttributeValue" and self.service_model.service_name == "dynamodb":
                plain = _plain(value)
                if plain is not _NOT_PLAIN:
                    self._default_serialize(serialized, plain, shape, key)
                    return
            original(self, serialized, value, shape, key)

        serialize_structure._plain_attribute_values = True  # type: ignore[attr-defined]
        serialize_structure.__wrapped__ = original  # type: ignore[attr-defined]
        BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """moto's own serializer for the duration (tests compare the two)."""
    from moto.core.serialize import BaseJSONSerializer

    patched = BaseJSONSerializer._serialize_type_structure
    BaseJSONSerializer._serialize_type_structure = getattr(patched, "__wrapped__", patched)  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseJSONSerializer._serialize_type_structure = patched  # type: ignore[method-assign]
