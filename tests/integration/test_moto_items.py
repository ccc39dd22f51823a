"""devtools.moto_items: moto builds the same items (and refuses the same ones) with a
running total of their size instead of re-measuring every attribute at each one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools import moto_items

moto_items.install()

scalars = st.one_of(
    st.builds(lambda n: {"N": str(n)}, st.integers(-10**6, 10**6)),
    st.builds(lambda size, char: {"S": char * size}, st.sampled_from([0, 1, 50, 100_000, 150_000, 404_000]), st.sampled_from("aé")),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
    st.builds(lambda items: {"M": items}, st.dictionaries(st.text("abc", min_size=1, max_size=3), inner, max_size=3))), max_leaves=6)


def _build(init: Any, attrs: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    item = Item.__new__(Item)
    try:
        init(item, DynamoType({"S": "h"}), None, attrs)
    except Exception as error:  # noqa: BLE001 - compared as moto raises it
        return type(error).__name__
    return list(item.attrs.items()), type(item.attrs).__name__


@settings(max_examples=300, deadline=None)
@given(attrs=st.dictionaries(st.text("xyz", min_size=1, max_size=4), values, max_size=8))
def test_every_item_is_built_or_refused_as_moto_builds_it(attrs: dict[str, Any]) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    assert _build(Item.__init__, attrs) == _build(Item.__init__.__wrapped__, attrs)


def test_an_item_over_the_limit_is_refused_at_the_attribute_that_crosses_it() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    with pytest.raises(ItemSizeTooLarge):
        Item(DynamoType({"S": "h"}), None, {"a": {"S": "x" * 300_000}, "b": {"S": "y" * 105_000}, "c": {"BOOL": True}})
    assert len(Item(DynamoType({"S": "h"}), None, {"a": {"S": "x" * 300_000}, "b": {"S": "y" * 104_990}}).attrs) == 2
