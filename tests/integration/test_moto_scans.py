"""devtools.moto_scans: a Scan page starts where the last one stopped, with exactly moto's
answer (compared with moto's own whole-table scan on random tables and scans, page by
page), and a whole-table read through the server hands moto each item about once."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools import moto_scans
from tests.integration import moto_tables

moto_scans.install()


def _backend(items: list[tuple[str, str, int]]) -> Any:
    return moto_tables.backend("s", "000000000012", items)


def _answer(backend: Any, scan: dict[str, Any]) -> Any:
    try:
        items, scanned, last = backend.scan("s", **scan)
    except Exception as error:  # noqa: BLE001 - compared as moto raises it
        return type(error).__name__, str(error)
    return [item.to_json() for item in items], scanned, last


def _pages(backend: Any, scan: dict[str, Any]) -> list[Any]:
    """Every page of a whole scan, following LastEvaluatedKey as a client does."""
    pages, start = [], scan["exclusive_start_key"]
    for _ in range(60):
        answer = _answer(backend, {**scan, "exclusive_start_key": start})
        pages.append(answer)
        if isinstance(answer[0], str) or answer[2] is None:
            return pages
        start = answer[2]
    return pages


keys = st.text(alphabet="0123H#", min_size=1, max_size=4)


@st.composite
def scans(draw: Any) -> dict[str, Any]:
    index = draw(st.sampled_from([None, None, None, "by-g"]))
    start = None
    if draw(st.booleans()):
        start = {"pk": {"S": draw(st.sampled_from(["A", "B", "C", "0", "Z"]))}, "sk": {"S": draw(keys)}}
        if index:
            start["g"] = {"S": draw(st.sampled_from(["even", "odd"]))}
    segments = draw(st.sampled_from([(None, None), (None, None), (0, 2), (1, 2)]))
    filters = {"v": ("GT", [{"N": "0"}])} if draw(st.booleans()) else {}
    return {"filters": filters, "limit": draw(st.sampled_from([None, 1, 2, 5])), "exclusive_start_key": start,
            "filter_expression": draw(st.sampled_from([None, "v < :three"])), "expr_names": {},
            "expr_values": {":three": {"N": "3"}}, "index_name": index, "consistent_read": False,
            "projection_expression": None, "segments": segments}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.tuples(st.sampled_from("ABC"), keys, st.integers(0, 3)), max_size=25), scan=scans())
def test_every_scan_answers_page_by_page_as_moto_own_whole_table_scan(items: list[tuple[str, str, int]], scan: dict[str, Any]) -> None:
    backend = _backend(items)
    patched = _pages(backend, scan)
    with moto_scans.disabled():
        own = _pages(backend, scan)
    assert patched == own


def test_a_whole_table_scan_hands_moto_each_item_about_once(moto_server: Any) -> None:
    ddb = boto3.client("dynamodb", endpoint_url=moto_server.endpoint, region_name=moto_tables.REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ddb.create_table(TableName="emulation-scans", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
    for start in range(0, 3_000, 25):
        ddb.batch_write_item(RequestItems={"emulation-scans": [
            {"PutRequest": {"Item": {"pk": {"S": f"p{i % 300:03d}"}, "sk": {"S": f"s{i:05d}"}}}} for i in range(start, start + 25)]})
    moto_scans.stats.reset()

    seen, kwargs = [], {"TableName": "emulation-scans", "Limit": 100, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        seen.extend((item["pk"]["S"], item["sk"]["S"]) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    assert seen == sorted((f"p{i % 300:03d}", f"s{i:05d}") for i in range(3_000))  # every item once, in key order
    assert moto_scans.stats.scans == 30  # moto gives no LastEvaluatedKey after an exactly full last page
    # Each page: its 100 items, the start item skipped and the one that ends the page
    # (moto's own code went through 3,000 items per page, 90,000 in all).
    assert 3_000 <= moto_scans.stats.items_yielded <= 30 * 102
