"""devtools.moto_queries: a Query on the table's key reads one partition, with exactly
moto's answer (compared with moto's own whole-table query on random tables and queries)."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools import moto_queries
from tests.integration import moto_tables

moto_queries.install()


def _backend(items: list[tuple[str, str, int]]) -> Any:
    return moto_tables.backend("q", "000000000011", items)


def _answer(backend: Any, query: dict[str, Any]) -> Any:
    try:
        items, scanned, last = backend.query("q", **query)
    except Exception as error:  # noqa: BLE001 - compared as moto raises it
        return type(error).__name__, str(error)
    return [item.to_json() for item in items], scanned, last


partition_keys = st.sampled_from(["A", "B", "C", "none"])
sort_keys = st.text(alphabet="0123H#", min_size=1, max_size=4)


@st.composite
def queries(draw: Any) -> dict[str, Any]:
    comparison = draw(st.sampled_from([None, "BEGINS_WITH", "BETWEEN", "<", ">="]))
    bounds = sorted(draw(st.lists(sort_keys, min_size=2, max_size=2)))
    values = {None: [], "BETWEEN": bounds}.get(comparison, bounds[:1])
    index = draw(st.sampled_from([None, None, "by-g"]))
    start = None
    if draw(st.booleans()):
        start = {"pk": {"S": draw(partition_keys)}, "sk": {"S": draw(sort_keys)}}
        if index:
            start["g"] = {"S": draw(st.sampled_from(["even", "odd"]))}
    return {
        "hash_key_dict": {"S": draw(st.sampled_from(["even", "odd"]))} if index else {"S": draw(partition_keys)},
        "range_comparison": comparison, "range_value_dicts": [{"S": v} for v in values],
        "limit": draw(st.sampled_from([None, 1, 3])), "exclusive_start_key": start,
        "scan_index_forward": draw(st.booleans()), "projection_expressions": None, "index_name": index,
        "filter_expression": draw(st.sampled_from([None, "v > :zero"])), "expr_values": {":zero": {"N": "0"}},
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.tuples(st.sampled_from("ABC"), sort_keys, st.integers(0, 3)), max_size=25), query=queries())
def test_every_query_answers_as_moto_own_whole_table_query(items: list[tuple[str, str, int]], query: dict[str, Any]) -> None:
    backend = _backend(items)
    query = {k: v for k, v in query.items() if not (k == "filter_expression" and v is None)}
    if "filter_expression" not in query:
        query.pop("expr_values")
    patched = _answer(backend, query)
    with moto_queries.disabled():
        own = _answer(backend, query)
    assert patched == own


def test_a_query_on_the_key_sorts_only_its_partition_whatever_the_table_holds(moto_server: Any) -> None:
    ddb = boto3.client("dynamodb", endpoint_url=moto_server.endpoint, region_name=moto_tables.REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ddb.create_table(TableName="emulation-queries", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
    for start in range(0, 3_000, 25):
        ddb.batch_write_item(RequestItems={"emulation-queries": [
            {"PutRequest": {"Item": {"pk": {"S": f"p{i % 300}"}, "sk": {"S": f"s{i:05d}"}}}} for i in range(start, start + 25)]})
    moto_queries.stats.reset()

    page = ddb.query(TableName="emulation-queries", KeyConditionExpression="pk = :p AND sk < :s",
                     ExpressionAttributeValues={":p": {"S": "p7"}, ":s": {"S": "s01000"}}, ConsistentRead=True)

    assert [item["sk"]["S"] for item in page["Items"]] == ["s00007", "s00307", "s00607", "s00907"]
    assert moto_queries.stats.partition_reads == 1
    assert moto_queries.stats.items_sorted == 10  # the partition, not the 3,000 items of the table
