"""devtools.moto_responses: moto's DynamoDB answers are byte for byte what its own
serializer writes, for random items of every attribute type (over HTTP, raw bodies)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools import moto_responses

TABLE = "emulation-responses"
scalars = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=5)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-1000, 1000)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda raw: {"B": base64.b64encode(raw).decode()}, st.binary(min_size=1, max_size=4)),
    st.builds(lambda items: {"SS": sorted(items)}, st.sets(st.text("abc", min_size=1, max_size=3), min_size=1, max_size=3)),
    st.builds(lambda items: {"NS": sorted(str(i) for i in items)}, st.sets(st.integers(0, 9), min_size=1, max_size=3)),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
    st.builds(lambda items: {"M": items}, st.dictionaries(st.text("xyz", min_size=1, max_size=2), inner, max_size=3))), max_leaves=5)
attributes = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), values, max_size=5)


def _call(endpoint: str, action: str, body: dict[str, Any]) -> tuple[int, str]:
    response = requests.post(endpoint, data=json.dumps(body), timeout=60, headers={
        "X-Amz-Target": f"DynamoDB_20120810.{action}", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/ap-northeast-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"})
    return response.status_code, response.text


@pytest.fixture(scope="module")
def endpoint(moto_server: Any) -> str:
    moto_responses.install()
    _call(moto_server.endpoint, "CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]})
    return str(moto_server.endpoint)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(attributes, min_size=1, max_size=4))
def test_every_answer_is_what_moto_own_serializer_writes(endpoint: str, items: list[dict[str, Any]]) -> None:
    for index, attrs in enumerate(items):
        attrs = {k: v for k, v in attrs.items() if k not in ("pk", "sk")}
        _call(endpoint, "PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "p"}, "sk": {"S": str(index)}, **attrs}})
    requests_ = [
        ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}, "Limit": 3}),
        ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "p"}, "sk": {"S": "0"}}}),
        ("Scan", {"TableName": TABLE}),
        ("TransactWriteItems", {"TransactItems": [{"ConditionCheck": {
            "TableName": TABLE, "Key": {"pk": {"S": "p"}, "sk": {"S": "0"}}, "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}),
    ]
    for action, body in requests_:
        patched = _call(endpoint, action, body)
        with moto_responses.disabled():
            own = _call(endpoint, action, body)
        assert patched == own, action
    for index in range(len(items)):
        _call(endpoint, "DeleteItem", {"TableName": TABLE, "Key": {"pk": {"S": "p"}, "sk": {"S": str(index)}}})
